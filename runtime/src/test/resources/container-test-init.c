/*
 * A stand-in for airlock-init in the container-layer tests (Container*Test): just enough of an
 * init to test the FIFO plumbing, limits and teardown without the real agent.
 *
 *   1. prints "host=<hostname>\n" on fd 1;
 *   2. if $AIRLOCK_TEST_CMD is set, runs it with /bin/sh -c (stdin /dev/null, stdout and stderr
 *      on fd 1), waits, and prints "exit=<code>\n" (128+signal if killed);
 *   3. echoes fd 0 to fd 1 until end-of-file; a read of exactly "exit\n" makes it exit instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int out(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w <= 0) return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void) {
    static char buf[65536];
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    int n = snprintf(buf, sizeof buf, "host=%s\n", host);
    out(buf, (size_t)n);

    const char *cmd = getenv("AIRLOCK_TEST_CMD");
    if (cmd != NULL && *cmd != '\0') {
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_RDONLY);
            dup2(devnull, 0);
            dup2(1, 2);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        n = snprintf(buf, sizeof buf, "exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        out(buf, (size_t)n);
    }

    signal(SIGCHLD, SIG_IGN); /* PID 1 duty: let the kernel reap orphans */
    for (;;) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r <= 0) return 0;
        if (r == 5 && memcmp(buf, "exit\n", 5) == 0) return 0;
        if (out(buf, (size_t)r) < 0) return 3;
    }
}
