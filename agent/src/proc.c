/* proc.c - the life of a spawned process on its channel:
 *
 *   STARTING  forked; waiting for the status pipe: EOF = exec worked -> SPAWNED, RUNNING;
 *             a {stage, errno} record -> ERROR and the channel ends (no EXIT).
 *   RUNNING   output fds are in epoll only while the channel has credit, so a process that
 *             floods stdout blocks in write(2) instead of growing our memory.
 *   DRAINING  the main pid was reaped: read what is already in the pipes (bounded by what
 *             FIONREAD reported at that moment plus one frame, so a background grandchild
 *             that keeps writing cannot hold the command open), close, then send EXIT. If the
 *             credit runs out meanwhile, the drain resumes when CREDIT arrives.
 *
 * STDIN is queued per process and written as the pipe accepts it. With SPAWN flag bit2 the
 * host gets WCREDIT for every byte consumed; in any case, while one process has more than
 * WINDOW bytes queued the agent stops reading fd 0 (back-pressure instead of memory). */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "chan.h"
#include "fs.h"
#include "loop.h"
#include "map.h"
#include "spawn.h"
#include "users.h"
#include "util.h"

#define FLAG_STDIN 0x01
#define FLAG_PTY 0x02
#define FLAG_STDIN_CREDIT 0x04
#define CREDIT_MAX (1ull << 40)

enum pstate { STARTING, RUNNING, DRAINING };

struct proc;
struct output {
    struct watcher w;
    struct proc *p;
    uint8_t type;    /* STDOUT, STDERR or PTY */
    uint64_t budget; /* bytes still to drain after the main pid exited */
};

struct proc {
    struct chan chan;
    pid_t pid;
    enum pstate state;
    bool reaped;
    int wstatus; /* from waitpid, once reaped */
    bool pty, stdin_credit, stdin_closed, close_pending, over_window;
    uint64_t credit;
    struct output out[2];
    struct watcher in;     /* stdin pipe or a dup of the pty master */
    struct buf inq;        /* STDIN bytes not yet accepted by the pipe */
    struct watcher execw;  /* exec status pipe while STARTING */
    char *argv0, *cwd, *user;
};

static struct map by_pid;

static void on_output(struct watcher *w, uint32_t revents);
static void on_stdin(struct watcher *w, uint32_t revents);
static void on_status(struct watcher *w, uint32_t revents);

bool proc_owns(uint32_t chan) { return chan_find(chan, CHAN_PROC) != NULL; }

static void destroy(struct proc *p)
{
    for (int i = 0; i < 2; i++) loop_close(&p->out[i].w);
    loop_close(&p->in);
    loop_close(&p->execw);
    if (p->over_window) proto_pause_input(-1);
    if (!p->reaped) map_del(&by_pid, (uint32_t)p->pid);
    chan_release(&p->chan);
    buf_free(&p->inq);
    free(p->argv0);
    free(p->cwd);
    free(p->user);
    loop_defer_free(p);
}

/* Output fds are in epoll exactly while RUNNING with credit left. */
static void arm_outputs(struct proc *p)
{
    for (int i = 0; i < 2; i++)
        loop_watch(&p->out[i].w, p->state == RUNNING && p->credit > 0 ? EPOLLIN : 0);
}

/* One read of at most min(credit, limit, MAX_DATA) bytes, forwarded to the host. Returns the
 * bytes sent, 0 at EOF (or EIO: the pty slave is gone), -1 when nothing is readable now. */
static ssize_t pump(struct output *o, uint64_t limit)
{
    static uint8_t chunk[MAX_DATA];
    struct proc *p = o->p;
    size_t want = p->credit < MAX_DATA ? (size_t)p->credit : MAX_DATA;
    if (limit < want) want = (size_t)limit;
    ssize_t n = RETRY(read(o->w.fd, chunk, want));
    if (n > 0) {
        send_data(o->type, p->chan.id, chunk, (size_t)n);
        p->credit -= (uint64_t)n;
        return n;
    }
    if (n < 0 && errno == EAGAIN) return -1;
    if (n < 0 && errno != EIO) logmsg("channel %u: reading process output: %m", p->chan.id);
    return 0;
}

static bool nothing_queued(int fd)
{
    int queued = 0;
    return ioctl(fd, FIONREAD, &queued) == 0 && queued == 0;
}

static void send_exit(struct proc *p)
{
    out_begin(T_EXIT, p->chan.id);
    if (WIFSIGNALED(p->wstatus)) {
        out_u8(1);
        out_u32((uint32_t)WTERMSIG(p->wstatus));
    } else {
        out_u8(0);
        out_u32((uint32_t)WEXITSTATUS(p->wstatus));
    }
    out_send();
}

/* Continues draining after exit; sends EXIT and ends the channel once every output is closed.
 * An output is closed when its budget is spent, at EOF, or when nothing more is readable right
 * now (a grandchild may hold it open forever). Out of credit with bytes still queued, the
 * drain waits for CREDIT; the loop goes on meanwhile. */
static void drain(struct proc *p)
{
    for (int i = 0; i < 2; i++) {
        struct output *o = &p->out[i];
        while (o->w.fd >= 0) {
            if (o->budget == 0 || (p->credit == 0 && nothing_queued(o->w.fd))) {
                loop_close(&o->w);
            } else if (p->credit == 0) {
                return;
            } else {
                ssize_t n = pump(o, o->budget);
                if (n <= 0)
                    loop_close(&o->w);
                else
                    o->budget -= (uint64_t)n;
            }
        }
    }
    send_exit(p);
    destroy(p);
}

static void start_drain(struct proc *p)
{
    p->state = DRAINING;
    arm_outputs(p);
    for (int i = 0; i < 2; i++) {
        int queued = 0;
        if (p->out[i].w.fd >= 0 && ioctl(p->out[i].w.fd, FIONREAD, &queued) < 0) queued = 0;
        p->out[i].budget = (uint64_t)(queued > 0 ? queued : 0) + MAX_DATA;
    }
    drain(p);
}

static void on_output(struct watcher *w, uint32_t revents)
{
    (void)revents;
    struct output *o = (struct output *)w;
    struct proc *p = o->p;
    if (pump(o, MAX_DATA) == 0) loop_close(&o->w);
    if (p->credit == 0) arm_outputs(p);
}

static void on_status(struct watcher *w, uint32_t revents)
{
    (void)revents;
    struct proc *p = (struct proc *)((char *)w - offsetof(struct proc, execw));
    uint8_t rec[8];
    ssize_t n = RETRY(read(w->fd, rec, sizeof rec));
    if (n < 0 && errno == EAGAIN) return;
    loop_close(&p->execw);
    if (n != 0) {
        if (n == 8)
            spawn_failure(rec, p->argv0, p->cwd, p->user);
        else
            err_set(EIO, "lost track of the child for '%s' before exec (%zd status bytes)", p->argv0, n);
        send_error(p->chan.id);
        destroy(p); /* the child _exit()s by itself and is reaped as an unknown pid */
        return;
    }
    send_u32(T_SPAWNED, p->chan.id, (uint32_t)p->pid);
    if (p->reaped) {
        start_drain(p);
    } else {
        p->state = RUNNING;
        arm_outputs(p);
    }
}

static void ack_stdin(struct proc *p, size_t n)
{
    if (p->stdin_credit && n > 0) send_u32(T_WCREDIT, p->chan.id, (uint32_t)n);
}

static void stdin_drop(struct proc *p)
{
    ack_stdin(p, buf_size(&p->inq));
    buf_free(&p->inq);
    p->stdin_closed = true;
    if (!p->pty) loop_close(&p->in); /* the pty master dup lives as long as the channel */
}

/* Writes queued stdin as far as the pipe accepts it, then re-evaluates interest and back-pressure. */
static void stdin_flush(struct proc *p)
{
    while (p->in.fd >= 0 && !p->stdin_closed && buf_size(&p->inq) > 0) {
        ssize_t n = RETRY(write(p->in.fd, p->inq.data + p->inq.off, buf_size(&p->inq)));
        if (n > 0) {
            buf_consume(&p->inq, (size_t)n);
            ack_stdin(p, (size_t)n);
        } else if (n < 0 && errno == EAGAIN) {
            break;
        } else {
            stdin_drop(p); /* EPIPE: nobody reads stdin any more */
        }
    }
    if (p->close_pending && buf_size(&p->inq) == 0 && !p->stdin_closed) {
        if (p->pty) { /* a pty has no write-side close: send the EOF character instead */
            struct termios t;
            char eof = tcgetattr(p->in.fd, &t) == 0 && t.c_cc[VEOF] ? (char)t.c_cc[VEOF] : 4;
            if (write(p->in.fd, &eof, 1) < 0) {}
        }
        stdin_drop(p);
    }
    loop_watch(&p->in, buf_size(&p->inq) > 0 ? EPOLLOUT : 0);
    bool over = buf_size(&p->inq) > WINDOW;
    if (over != p->over_window) {
        p->over_window = over;
        proto_pause_input(over ? 1 : -1);
    }
}

static void on_stdin(struct watcher *w, uint32_t revents)
{
    (void)revents;
    stdin_flush((struct proc *)((char *)w - offsetof(struct proc, in)));
}

static char **read_strings(struct rd *r, size_t extra, size_t *count, bool *nul)
{
    uint32_t n = rd_u32(r);
    if (n > r->n / 4) proto_fatal(r, "string count larger than the payload");
    char **v = scratch((n + extra + 1) * sizeof *v);
    for (uint32_t i = 0; i < n; i++) {
        bool z;
        v[i] = rd_str(r, &z);
        *nul |= z;
    }
    v[n] = NULL;
    *count = n;
    return v;
}

static bool has_var(char **env, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=') return true;
    return false;
}

void proc_spawn(struct rd *r)
{
    uint32_t chan = r->chan;
    uint8_t flags = rd_u8(r);
    struct spawn_req req = {.pty = flags & FLAG_PTY, .keep_stdin = flags & FLAG_STDIN};
    req.cols = rd_u16(r);
    req.rows = rd_u16(r);
    bool nul = false, z;
    char *user = rd_str(r, &z);
    nul |= z;
    char *cwd = rd_str(r, &z);
    nul |= z;
    size_t argc, envc;
    req.argv = read_strings(r, 0, &argc, &nul);
    req.envp = read_strings(r, 3, &envc, &nul);
    rd_end(r);

    struct ident *id = NULL;
    if (nul) {
        err_set(EINVAL, "SPAWN strings must not contain NUL bytes");
    } else if (argc == 0 || !*req.argv[0]) {
        err_set(EINVAL, "SPAWN needs a non-empty argv[0]");
    } else if ((id = ident_lookup(user)) != NULL && fs_resolve(id, cwd, &cwd) == 0) {
        req.id = id;
        req.cwd = cwd;
        if (!has_var(req.envp, envc, "HOME")) req.envp[envc++] = scratch_printf("HOME=%s", id->home);
        if (!has_var(req.envp, envc, "USER")) req.envp[envc++] = scratch_printf("USER=%s", id->name);
        if (!has_var(req.envp, envc, "LOGNAME")) req.envp[envc++] = scratch_printf("LOGNAME=%s", id->name);
        req.envp[envc] = NULL;

        struct proc *p = xcalloc(1, sizeof *p);
        if (chan_claim(&p->chan, chan, CHAN_PROC)) {
            struct spawn_io io;
            pid_t pid = spawn_start(&req, &io);
            if (pid > 0) {
                p->pid = pid;
                p->state = STARTING;
                p->pty = req.pty;
                p->stdin_credit = flags & FLAG_STDIN_CREDIT;
                p->stdin_closed = io.in < 0;
                p->credit = WINDOW;
                p->out[0] = (struct output){{io.out, 0, on_output}, p, req.pty ? T_PTY : T_STDOUT, 0};
                p->out[1] = (struct output){{io.err, 0, on_output}, p, T_STDERR, 0};
                p->in = (struct watcher){io.in, 0, on_stdin};
                p->execw = (struct watcher){io.status, 0, on_status};
                p->argv0 = xstrdup(req.argv[0]);
                p->cwd = xstrdup(cwd);
                p->user = xstrdup(id->name);
                map_put(&by_pid, (uint32_t)pid, p);
                loop_watch(&p->execw, EPOLLIN);
                ident_free(id);
                return;
            }
            chan_release(&p->chan);
        }
        free(p);
    }
    ident_free(id);
    send_error(chan);
}

void proc_frame(struct rd *r)
{
    struct proc *p = (struct proc *)chan_find(r->chan, CHAN_PROC);
    size_t n;
    const uint8_t *data;
    switch (r->type) {
    case T_STDIN:
        data = rd_rest(r, &n);
        if (!p) return; /* the process already ended */
        if (p->stdin_closed || p->close_pending) {
            ack_stdin(p, n);
            return;
        }
        buf_append(&p->inq, data, n);
        stdin_flush(p);
        return;
    case T_STDIN_CLOSE:
        rd_end(r);
        if (p && !p->stdin_closed) {
            p->close_pending = true;
            stdin_flush(p);
        }
        return;
    case T_SIGNAL: {
        uint32_t sig = rd_u32(r);
        rd_end(r);
        if (!p) return;
        if (sig == 0 || sig >= _NSIG) {
            logmsg("channel %u: ignoring SIGNAL with invalid signal number %u", r->chan, sig);
            return;
        }
        /* the group outlives a reaped leader and its id is not reused while it exists */
        if (kill(-p->pid, (int)sig) < 0 && !p->reaped) kill(p->pid, (int)sig);
        return;
    }
    case T_RESIZE: {
        struct winsize ws = {.ws_col = rd_u16(r)};
        ws.ws_row = rd_u16(r);
        rd_end(r);
        if (p && p->pty && p->in.fd >= 0) ioctl(p->in.fd, TIOCSWINSZ, &ws);
        return;
    }
    case T_CREDIT: {
        uint32_t c = rd_u32(r);
        rd_end(r);
        if (!p) return;
        p->credit = p->credit + c > CREDIT_MAX ? CREDIT_MAX : p->credit + c;
        if (p->state == DRAINING)
            drain(p);
        else
            arm_outputs(p);
        return;
    }
    }
}

void proc_on_sigchld(void)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        if (pid < 0 && errno == EINTR) continue;
        if (pid <= 0) return; /* 0: none exited; ECHILD: no children at all */
        struct proc *p = map_get(&by_pid, (uint32_t)pid);
        if (!p) continue; /* an orphan or an abandoned child: reaping it is all we owe it */
        map_del(&by_pid, (uint32_t)pid);
        p->reaped = true;
        p->wstatus = status;
        if (p->state == RUNNING) start_drain(p);
    }
}

void proc_kill_all(void)
{
    struct chan *c;
    for (size_t i = 0; (c = chan_next(&i));) {
        if (c->kind != CHAN_PROC) continue;
        struct proc *p = (struct proc *)c;
        kill(-p->pid, SIGKILL);
        if (!p->reaped) kill(p->pid, SIGKILL);
    }
}
