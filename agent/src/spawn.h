/* spawn.h - starting one process: pipes or a pty, fork, and the child's path to execvp
 * (session, terminal, user, cwd, environment, signals, fds). A failure in the child before
 * exec travels back through a close-on-exec "status" pipe as {stage, errno}. */
#ifndef AIRLOCK_SPAWN_H
#define AIRLOCK_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "users.h"

struct spawn_req {
    bool pty, keep_stdin;
    uint16_t cols, rows;
    const struct ident *id;
    const char *cwd; /* absolute */
    char **argv, **envp;
};

/* The parent's ends, all close-on-exec and non-blocking; -1 where absent. */
struct spawn_io {
    int in;     /* stdin pipe write end, or a dup of the pty master */
    int out;    /* stdout pipe read end, or the pty master */
    int err;    /* stderr pipe read end */
    int status; /* read end of the exec status pipe: EOF = exec succeeded, 8 bytes = failure */
};

void spawn_init(void);
/* Forks the child; the pid, or -1 with err_set. */
pid_t spawn_start(const struct spawn_req *r, struct spawn_io *io);
/* Turns a {stage, errno} status record into err_set(); returns the errno. */
int spawn_failure(const uint8_t rec[8], const char *argv0, const char *cwd, const char *user);

#endif
