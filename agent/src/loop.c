/* loop.c - epoll_wait, dispatch to watcher callbacks, then one step of the task at the head
 * of the run queue (rotated to the back, so concurrent transfers share the loop fairly). */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util.h"

static int epfd = -1;
static struct task *head, *tail;
static void **graveyard;
static size_t ngrave, capgrave;
static uint64_t iteration;

void loop_init(void)
{
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die(1, "epoll_create1: %m");
}

void loop_watch(struct watcher *w, uint32_t events)
{
    if (w->fd < 0 || events == w->events) return;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    int op = w->events == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(epfd, op, w->fd, &ev) < 0) die(1, "epoll_ctl(%d, fd %d): %m", op, w->fd);
    w->events = events;
}

void loop_close(struct watcher *w)
{
    if (w->fd < 0) return;
    loop_watch(w, 0);
    close(w->fd);
    w->fd = -1;
}

void loop_task_wake(struct task *t)
{
    if (t->queued) return;
    t->queued = true;
    t->next = NULL;
    t->prev = tail;
    if (tail)
        tail->next = t;
    else
        head = t;
    tail = t;
}

void loop_task_sleep(struct task *t)
{
    if (!t->queued) return;
    if (t->prev)
        t->prev->next = t->next;
    else
        head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        tail = t->prev;
    t->queued = false;
    t->prev = t->next = NULL;
}

void loop_defer_free(void *p)
{
    if (ngrave == capgrave) {
        capgrave = capgrave ? capgrave * 2 : 16;
        graveyard = xrealloc(graveyard, capgrave * sizeof *graveyard);
    }
    graveyard[ngrave++] = p;
}

uint64_t loop_iteration(void) { return iteration; }

void loop_run(void)
{
    struct epoll_event evs[64];
    for (;;) {
        iteration++;
        int n = epoll_wait(epfd, evs, 64, head ? 0 : -1);
        if (n < 0 && errno != EINTR) die(1, "epoll_wait: %m");
        for (int i = 0; i < n; i++) {
            struct watcher *w = evs[i].data.ptr;
            if (w->fd >= 0 && w->events) w->cb(w, evs[i].events);
        }
        if (head) {
            struct task *t = head;
            loop_task_sleep(t);
            loop_task_wake(t); /* rotate to the back; step() may put it to sleep again */
            t->step(t);
        }
        for (size_t i = 0; i < ngrave; i++) free(graveyard[i]);
        ngrave = 0;
        scratch_reset();
    }
}
