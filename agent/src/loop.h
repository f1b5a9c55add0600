/* loop.h - the single-threaded event loop: epoll watchers for fds, a round-robin queue of
 * runnable tasks (work on regular files, which epoll cannot watch), and deferred frees so a
 * callback may release objects whose events are still pending in the current batch. */
#ifndef AIRLOCK_LOOP_H
#define AIRLOCK_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct watcher {
    int fd;          /* -1 once forgotten */
    uint32_t events; /* what epoll currently reports; 0 = not registered */
    void (*cb)(struct watcher *w, uint32_t revents);
};

struct task {
    struct task *prev, *next;
    bool queued;
    void (*step)(struct task *t); /* does a bounded amount of work */
};

void loop_init(void);
/* Registers, modifies or (events == 0) unregisters fd interest. */
void loop_watch(struct watcher *w, uint32_t events);
/* Unregisters and closes w->fd; safe to call twice. */
void loop_close(struct watcher *w);
void loop_task_wake(struct task *t);
void loop_task_sleep(struct task *t);
/* free(p) after the current iteration's events and tasks have run. */
void loop_defer_free(void *p);
uint64_t loop_iteration(void);
_Noreturn void loop_run(void);

#endif
