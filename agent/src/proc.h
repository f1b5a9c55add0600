/* proc.h - processes started with SPAWN: their output under per-channel credit, their stdin,
 * signals and pty size, reaping, and the EXIT report once output has been drained. */
#ifndef AIRLOCK_PROC_H
#define AIRLOCK_PROC_H

#include "proto.h"

void proc_spawn(struct rd *r);
void proc_frame(struct rd *r); /* STDIN, STDIN_CLOSE, SIGNAL, RESIZE, CREDIT on a process */
bool proc_owns(uint32_t chan);
void proc_on_sigchld(void);    /* reaps every exited child, ours or orphaned */
void proc_kill_all(void);      /* SIGKILL to every process group we started */

#endif
