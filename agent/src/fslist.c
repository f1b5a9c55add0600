/* fslist.c - FS_LIST: a depth-first walk that sends one FS_ENTRY per entry (a directory's entry
 * before its contents), then FS_END. It runs as a loop task, a bounded number of entries per
 * step, so a huge tree cannot stall process output or other requests. It never follows a
 * symlink below the listed directory: entries are examined with fstatat(AT_SYMLINK_NOFOLLOW)
 * and directories entered with openat(O_NOFOLLOW|O_DIRECTORY) relative to their parent's fd,
 * so symlink loops cannot make it spin. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chan.h"
#include "fs.h"
#include "loop.h"
#include "users.h"
#include "util.h"

#define MAX_DEPTH 256      /* deeper levels are not listed */
#define ENTRIES_PER_STEP 128

struct level {
    DIR *d;
    char *path;
    uint32_t depth; /* 1 = the listed directory itself */
};

struct lister {
    struct chan chan;
    struct task task;
    struct ident *id;
    uint32_t max_depth;
    struct level *stack;
    size_t n, cap;
};

static bool push(struct lister *l, int fd, const char *path, uint32_t depth)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        logmsg("channel %u: cannot read directory '%s': %m", l->chan.id, path);
        close(fd);
        return false;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->stack = xrealloc(l->stack, l->cap * sizeof *l->stack);
    }
    l->stack[l->n++] = (struct level){d, xstrdup(path), depth};
    return true;
}

static void pop(struct lister *l)
{
    struct level *top = &l->stack[--l->n];
    closedir(top->d);
    free(top->path);
}

static void finish(struct lister *l)
{
    while (l->n) pop(l);
    loop_task_sleep(&l->task);
    chan_release(&l->chan);
    ident_free(l->id);
    free(l->stack);
    loop_defer_free(l);
}

static void step(struct task *t)
{
    struct lister *l = (struct lister *)((char *)t - offsetof(struct lister, task));
    if (ident_enter(l->id) != 0) {
        send_error(l->chan.id);
        finish(l);
        return;
    }
    for (int done = 0; done < ENTRIES_PER_STEP && l->n;) {
        struct level *top = &l->stack[l->n - 1];
        errno = 0;
        struct dirent *de = readdir(top->d);
        if (!de) {
            if (errno) logmsg("channel %u: reading directory '%s': %m", l->chan.id, top->path);
            pop(l);
            continue;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        done++;
        const char *path = scratch_printf("%s/%s", strcmp(top->path, "/") ? top->path : "", de->d_name);
        struct stat st;
        if (fs_send_entry(l->chan.id, dirfd(top->d), de->d_name, path, &st) != 0) continue; /* vanished */
        if (!S_ISDIR(st.st_mode) || top->depth >= l->max_depth) continue;
        int fd = openat(dirfd(top->d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
            push(l, fd, path, top->depth + 1); /* invalidates top */
        else if (errno != EACCES && errno != ENOENT)
            logmsg("channel %u: not descending into '%s': %m", l->chan.id, path);
    }
    ident_leave();
    if (l->n == 0) {
        send_empty(T_FS_END, l->chan.id);
        finish(l);
    }
}

void fs_list(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    uint32_t depth = rd_u32(r);
    rd_end(r);
    int fd = -1;
    if (id && ident_enter(id) == 0) {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) err_set(errno, "cannot list '%s': %s", path, strerror(errno));
        ident_leave();
    }
    struct lister *l = NULL;
    if (fd >= 0 && chan_claim(&(l = xcalloc(1, sizeof *l))->chan, r->chan, CHAN_LIST)) {
        l->id = id;
        l->max_depth = depth == 0 ? 1 : depth > MAX_DEPTH ? MAX_DEPTH : depth;
        l->task.step = step;
        if (push(l, fd, path, 1)) {
            loop_task_wake(&l->task);
        } else {
            err_set(EIO, "cannot read directory '%s'", path);
            send_error(l->chan.id);
            finish(l);
        }
        return;
    }
    if (fd >= 0) {
        close(fd);
        free(l);
    }
    ident_free(id);
    send_error(r->chan);
}
