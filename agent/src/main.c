/* main.c - airlock-init: the sandbox's PID 1 and agent (protocol: docs/agent-protocol.md).
 *
 * Sets up the process (fds 0-2, signals, subreaper when not PID 1), sends READY, and runs the
 * single-threaded event loop: frames from fd 0 are dispatched by type to the operation
 * modules (proc.c, fs.c, fslist.c, xfer.c, watch.c); SIGCHLD arrives on a signalfd and reaps
 * every child, including orphans reparented to us. The host closing fd 0 ends the agent. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chan.h"
#include "fs.h"
#include "loop.h"
#include "proc.h"
#include "proto.h"
#include "spawn.h"
#include "users.h"
#include "util.h"
#include "watch.h"
#include "xfer.h"

#define VERSION "airlock-init/1"

static struct watcher sigchld_w;

static void on_sigchld(struct watcher *w, uint32_t revents)
{
    (void)revents;
    struct signalfd_siginfo si[16];
    while (RETRY(read(w->fd, si, sizeof si)) > 0) {} /* coalesced anyway: waitpid finds them all */
    proc_on_sigchld();
}

/* PID 1 of a PID namespace only receives signals it has handlers for (SIGKILL from outside
 * always works); as an ordinary process we get the same immunity by ignoring them. Signals
 * that report our own faults keep their default action. SIGCHLD stays blocked for signalfd. */
static void setup_signals(void)
{
    for (int sig = 1; sig < _NSIG; sig++) {
        switch (sig) {
        case SIGKILL: case SIGSTOP: case SIGCHLD: case SIGSEGV: case SIGBUS: case SIGFPE:
        case SIGILL: case SIGABRT: case SIGTRAP: case SIGSYS:
            continue;
        default:
            signal(sig, SIG_IGN); /* fails harmlessly for the signals libc reserves */
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) die(1, "sigprocmask: %m");
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) die(1, "signalfd: %m");
    sigchld_w = (struct watcher){fd, 0, on_sigchld};
    loop_watch(&sigchld_w, EPOLLIN);
}

/* fds 0-2 must exist, or the first files we open would land on them. */
static void check_stdio(void)
{
    if (fcntl(2, F_GETFD) < 0) {
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && fd != 2) dup2(fd, 2), close(fd);
    }
    if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) die(1, "fd 0 and fd 1 must be the host's frame streams");
}

static void best_effort_oom_protection(void)
{
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return;
    if (write(fd, "-1000", 5) < 0) {} /* needs CAP_SYS_RESOURCE; children reset theirs to 0 */
    close(fd);
}

/* Frames that start an operation, as opposed to frames for a running one. */
static bool starts_operation(uint8_t type)
{
    return type == T_SPAWN || (type >= T_FS_READ && type <= T_FS_WATCH && type != T_FS_WDATA && type != T_FS_WEND);
}

static void dispatch(struct rd *r)
{
    if (r->chan == 0 && r->type != T_PING) proto_fatal(r, "channel 0 is reserved for agent-wide frames");
    if (starts_operation(r->type) && chan_busy(r->chan)) {
        err_set(EBUSY, "channel %u is already in use by another operation", r->chan);
        send_error(r->chan);
        return;
    }
    switch (r->type) {
    case T_SPAWN: proc_spawn(r); return;
    case T_STDIN: case T_STDIN_CLOSE: case T_SIGNAL: case T_RESIZE: proc_frame(r); return;
    case T_CREDIT:
        if (proc_owns(r->chan)) {
            proc_frame(r);
        } else {
            uint32_t bytes = rd_u32(r);
            rd_end(r);
            xfer_read_credit(r->chan, bytes); /* unknown channel: the operation already ended */
        }
        return;
    case T_FS_READ: xfer_read(r); return;
    case T_FS_WRITE: xfer_write(r); return;
    case T_FS_WDATA: xfer_wdata(r); return;
    case T_FS_WEND: xfer_wend(r); return;
    case T_FS_STAT: fs_stat(r); return;
    case T_FS_LIST: fs_list(r); return;
    case T_FS_MKDIR: fs_mkdir(r); return;
    case T_FS_MOVE: fs_move(r); return;
    case T_FS_REMOVE: fs_remove(r); return;
    case T_FS_WATCH: watch_start(r); return;
    case T_FS_UNWATCH: watch_stop(r); return;
    case T_PING: {
        size_t n;
        const uint8_t *p = rd_rest(r, &n);
        send_data(T_PONG, r->chan, p, n);
        return;
    }
    default:
        err_set(ENOSYS, "unknown frame type 0x%02x", r->type);
        send_error(r->chan);
    }
}

int main(void)
{
    check_stdio();
    umask(022);
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) logmsg("cannot become a child subreaper: %m");
    best_effort_oom_protection();
    users_init();
    spawn_init();
    loop_init();
    setup_signals();
    atexit(proc_kill_all); /* as PID 1 the kernel does this anyway; as a process we must */
    proto_init(dispatch);
    out_begin(T_READY, 0);
    out_cstr(VERSION);
    out_send();
    logmsg("%s ready (pid %d)", VERSION, (int)getpid());
    loop_run();
}
