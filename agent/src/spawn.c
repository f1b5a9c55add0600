/* spawn.c - fork and the child side of SPAWN. Everything that can fail cheaply (user lookup,
 * pty allocation, pipes) happens in the parent so it is answered with ERROR before forking;
 * what must happen in the child (setsid, controlling tty, setuid, chdir, exec) is reported
 * back as {stage, errno} on the status pipe, so the host gets SPAWNED or ERROR, never both. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

enum stage { ST_SETSID = 1, ST_CTTY, ST_STDIO, ST_USER, ST_CWD, ST_EXEC };

static int devnull = -1; /* opened once at start, before sandbox code could replace it */

void spawn_init(void)
{
    int fd = open("/dev/null", O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode)) {
        fcntl(fd, F_SETFL, O_RDWR); /* the children share this description: no O_NONBLOCK */
        devnull = fd;
    } else {
        if (fd >= 0) close(fd);
        logmsg("/dev/null is missing or not a device; processes without stdin get a closed pipe");
    }
}

static _Noreturn void report(int status_fd, enum stage stage)
{
    int32_t rec[2] = {stage, errno};
    uint8_t b[8];
    for (int i = 0; i < 2; i++) {
        uint32_t v = (uint32_t)rec[i];
        b[4 * i] = v >> 24, b[4 * i + 1] = v >> 16, b[4 * i + 2] = v >> 8, b[4 * i + 3] = v;
    }
    while (write(status_fd, b, 8) < 0 && errno == EINTR) {}
    _exit(127);
}

/* Marks every fd >= 3 close-on-exec (the status pipe must stay open until exec itself). */
static void cloexec_from_3(void)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    struct rlimit rl;
    int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
    for (int fd = 3; fd < max; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Every signal to its default action, through the raw syscall: glibc refuses to touch the
 * signals it reserves (32, 33), and an ignored disposition would survive exec. */
static void reset_signals(void)
{
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
    } dfl = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Runs in the child; never returns. The parent is single-threaded, so any libc call is safe. */
static _Noreturn void child(const struct spawn_req *r, int in, int out, int err, int status_fd)
{
    reset_signals();

    if (setsid() < 0) report(status_fd, ST_SETSID);
    if (r->pty && ioctl(out, TIOCSCTTY, 0) < 0) report(status_fd, ST_CTTY);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) report(status_fd, ST_STDIO);

    int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (oom >= 0) { /* best effort: the workload, not init, is the OOM killer's victim */
        if (write(oom, "0", 1) < 0) {}
        close(oom);
    }

    const struct ident *id = r->id;
    if (getuid() == 0) { /* setgroups only if needed: it takes CAP_SETGID even to change nothing */
        if ((!users_groups_match(id->gid, id->groups, id->ngroups) && setgroups(id->ngroups, id->groups) < 0) ||
            setresgid(id->gid, id->gid, id->gid) < 0 || setresuid(id->uid, id->uid, id->uid) < 0)
            report(status_fd, ST_USER);
    } else if (id->uid != getuid()) {
        errno = EPERM;
        report(status_fd, ST_USER);
    }
    if (chdir(r->cwd) < 0) report(status_fd, ST_CWD);

    environ = r->envp; /* execvp searches the PATH of the new environment */
    cloexec_from_3();
    execvp(r->argv[0], r->argv);
    report(status_fd, ST_EXEC);
}

static int pty_open(const struct spawn_req *r, int *master, int *slave)
{
    char name[128];
    *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*master < 0) return err_set(errno, "cannot allocate a pty (/dev/ptmx): %s", strerror(errno));
    if (grantpt(*master) < 0 || unlockpt(*master) < 0 || ptsname_r(*master, name, sizeof name) != 0)
        return err_set(errno, "cannot set up the pty: %s", strerror(errno));
    *slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*slave < 0) return err_set(errno, "cannot open the pty slave '%s': %s", name, strerror(errno));
    if (getuid() == 0 && fchown(*slave, r->id->uid, (gid_t)-1) < 0) {} /* like login(1); best effort */
    struct winsize ws = {.ws_row = r->rows ? r->rows : 24, .ws_col = r->cols ? r->cols : 80};
    if (ioctl(*master, TIOCSWINSZ, &ws) < 0) return err_set(errno, "cannot set the pty size: %s", strerror(errno));
    return 0;
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]), fds[i] = -1;
}

static void nonblock(int fd)
{
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

pid_t spawn_start(const struct spawn_req *r, struct spawn_io *io)
{
    /* [0,1] stdin, [2,3] stdout, [4,5] stderr (read end, write end), [6,7] status pipe */
    int fd[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    int child_in, child_out, child_err;
    *io = (struct spawn_io){-1, -1, -1, -1};
    if (r->pty) {
        if (pty_open(r, &fd[2], &fd[3]) != 0) goto fail;
        fd[1] = fcntl(fd[2], F_DUPFD_CLOEXEC, 3); /* stdin is written through its own epoll entry */
        if (fd[1] < 0) {
            err_set(errno, "dup of the pty master: %s", strerror(errno));
            goto fail;
        }
        child_in = child_out = child_err = fd[3];
    } else {
        if (pipe2(&fd[2], O_CLOEXEC) < 0 || pipe2(&fd[4], O_CLOEXEC) < 0 ||
            ((r->keep_stdin || devnull < 0) && pipe2(&fd[0], O_CLOEXEC) < 0)) {
            err_set(errno, "cannot create pipes for the process: %s", strerror(errno));
            goto fail;
        }
        child_out = fd[3];
        child_err = fd[5];
        child_in = fd[0] >= 0 ? fd[0] : devnull;
        if (!r->keep_stdin && fd[1] >= 0) close(fd[1]), fd[1] = -1; /* no /dev/null: EOF instead */
    }
    if (pipe2(&fd[6], O_CLOEXEC) < 0) {
        err_set(errno, "cannot create the exec status pipe: %s", strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        err_set(errno, "fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) child(r, child_in, child_out, child_err, fd[7]);

    if (r->pty) {
        close(fd[3]);
    } else {
        if (fd[0] >= 0) close(fd[0]);
        close(fd[3]);
        close(fd[5]);
    }
    close(fd[7]);
    io->in = fd[1];
    io->out = fd[2];
    io->err = r->pty ? -1 : fd[4];
    io->status = fd[6];
    nonblock(io->in);
    nonblock(io->out);
    nonblock(io->err);
    nonblock(io->status);
    return pid;
fail:
    close_all(fd, 8);
    return -1;
}

int spawn_failure(const uint8_t b[8], const char *argv0, const char *cwd, const char *user)
{
    int stage = (int)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    int e = (int)((uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7]);
    const char *why = strerror(e);
    switch (stage) {
    case ST_SETSID: return err_set(e, "setsid failed before executing '%s': %s", argv0, why);
    case ST_CTTY: return err_set(e, "cannot make the pty the controlling terminal of '%s': %s", argv0, why);
    case ST_STDIO: return err_set(e, "cannot set up stdio for '%s': %s", argv0, why);
    case ST_USER: return err_set(e, "cannot switch to user '%s' to execute '%s': %s", user, argv0, why);
    case ST_CWD: return err_set(e, "cannot use working directory '%s' for '%s': %s", cwd, argv0, why);
    case ST_EXEC: return err_set(e, "cannot execute '%s': %s", argv0, why);
    default: return err_set(EIO, "the child for '%s' failed before exec (stage %d): %s", argv0, stage, why);
    }
}
