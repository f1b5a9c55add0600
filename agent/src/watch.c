/* watch.c - one inotify instance per FS_WATCH channel. Every watched directory is a node
 * {wd, parent wd, name}, so an event's name is rebuilt by walking up to the root; a directory
 * renamed inside the tree therefore needs no re-labelling of its descendants. With recursion,
 * directories created or moved in get watches (IN_ONLYDIR|IN_DONT_FOLLOW: never through a
 * symlink) and directories moved away have theirs removed.
 *
 * Event mapping: IN_CREATE/IN_MOVED_TO -> create, IN_MODIFY -> write (IN_CLOSE_WRITE is not
 * requested, to avoid a duplicate per write), IN_DELETE -> remove, IN_MOVED_FROM -> rename,
 * IN_ATTRIB -> chmod; the watched path itself being deleted or moved -> remove/rename "".
 * Identical consecutive events from one read are sent once. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chan.h"
#include "fs.h"
#include "loop.h"
#include "map.h"
#include "users.h"
#include "util.h"

#define MASK (IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
#define MAX_DEPTH 128
#define MAX_WATCHES 65536

enum { EV_CREATE = 1, EV_WRITE, EV_REMOVE, EV_RENAME, EV_CHMOD };

struct node {
    int wd, parent; /* parent 0: this is the watched path */
    int depth;
    char *name;
};

struct watch {
    struct chan chan;
    struct watcher w;
    struct ident *id;
    char *root;
    bool recursive;
    struct map nodes; /* wd -> struct node */
    struct moved {    /* directories seen leaving by IN_MOVED_FROM in the current batch */
        int wd, parent;
        char *name;
    } *moved;
    size_t nmoved, capmoved;
};

static void node_drop(struct watch *w, struct node *n)
{
    map_del(&w->nodes, (uint32_t)n->wd);
    free(n->name);
    free(n);
}

/* The path of a node relative to the root ("" for the root); NULL if its chain is broken. */
static char *node_rel(struct watch *w, struct node *n)
{
    const char *parts[MAX_DEPTH + 2];
    int k = 0;
    for (; n && n->parent != 0 && k <= MAX_DEPTH; n = map_get(&w->nodes, (uint32_t)n->parent)) parts[k++] = n->name;
    if (!n || n->parent != 0) return NULL;
    size_t len = 0;
    for (int i = 0; i < k; i++) len += strlen(parts[i]) + 1;
    char *s = scratch(len + 1), *p = s;
    for (int i = k - 1; i >= 0; i--) p = stpcpy(stpcpy(p, parts[i]), i ? "/" : "");
    *p = 0;
    return s;
}

static const char *join(const char *a, const char *b)
{
    if (!*a) return b;
    if (!*b) return a;
    return scratch_printf("%s%s%s", a, strcmp(a, "/") ? "/" : "", b);
}

static void add_tree(struct watch *w, int parent, const char *name, const char *path, int depth);

/* Watches the subdirectories of the directory at path (whose node is wd), recursively. */
static void add_children(struct watch *w, int wd, const char *path, int depth)
{
    if (depth > MAX_DEPTH) return;
    /* the watched path itself may be a symlink to a directory; below it, nothing is followed */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC | (depth > 1 ? O_NOFOLLOW : 0));
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) continue;
        char *sub = xstrdup(join(path, de->d_name)); /* not scratch: that would grow with the tree */
        add_tree(w, wd, de->d_name, sub, depth);
        free(sub);
    }
    closedir(d);
}

/* Watches the directory `name` at path under parent, and everything below it. */
static void add_tree(struct watch *w, int parent, const char *name, const char *path, int depth)
{
    if (w->nodes.live >= MAX_WATCHES) {
        logmsg("channel %u: more than %d watched directories; not watching '%s'", w->chan.id, MAX_WATCHES, path);
        return;
    }
    int wd = inotify_add_watch(w->w.fd, path, MASK | IN_ONLYDIR | IN_DONT_FOLLOW);
    if (wd < 0) {
        if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
            logmsg("channel %u: cannot watch '%s': %m", w->chan.id, path);
        return;
    }
    struct node *n = map_get(&w->nodes, (uint32_t)wd);
    if (n) { /* already watched (moved within the tree): just re-label it */
        free(n->name);
        n->name = xstrdup(name);
        n->parent = parent;
        return;
    }
    n = xcalloc(1, sizeof *n);
    *n = (struct node){wd, parent, depth, xstrdup(name)};
    map_put(&w->nodes, (uint32_t)wd, n);
    add_children(w, wd, path, depth + 1);
}

static bool below(struct watch *w, struct node *n, int ancestor)
{
    for (int hops = 0; n && hops <= MAX_DEPTH + 1; hops++, n = map_get(&w->nodes, (uint32_t)n->parent))
        if (n->wd == ancestor) return true;
    return false;
}

/* Stops watching the directory node topwd and everything below it. */
static void drop_subtree(struct watch *w, int topwd)
{
    uint32_t key;
    void *val;
    size_t count = 0;
    int *doomed = scratch(w->nodes.live * sizeof *doomed);
    for (size_t i = 0; map_next(&w->nodes, &i, &key, &val);)
        if (below(w, val, topwd)) doomed[count++] = ((struct node *)val)->wd;
    for (size_t i = 0; i < count; i++) {
        inotify_rm_watch(w->w.fd, doomed[i]);
        node_drop(w, map_get(&w->nodes, (uint32_t)doomed[i]));
    }
}

/* A directory left its parent. Its watch is kept until the end of the batch: if the same
 * rename's IN_MOVED_TO follows, add_tree() gets the same wd back and re-labels the node, and
 * events already queued on it stay meaningful; if not, it left the tree and is dropped. */
static void note_moved(struct watch *w, int parent, const char *name)
{
    uint32_t key;
    void *val;
    for (size_t i = 0; map_next(&w->nodes, &i, &key, &val);) {
        struct node *n = val;
        if (n->parent != parent || strcmp(n->name, name) != 0) continue;
        if (w->nmoved == w->capmoved) {
            w->capmoved = w->capmoved ? w->capmoved * 2 : 4;
            w->moved = xrealloc(w->moved, w->capmoved * sizeof *w->moved);
        }
        w->moved[w->nmoved++] = (struct moved){n->wd, parent, xstrdup(name)};
        return;
    }
}

static void settle_moves(struct watch *w)
{
    for (size_t i = 0; i < w->nmoved; i++) {
        struct node *n = map_get(&w->nodes, (uint32_t)w->moved[i].wd);
        if (n && n->parent == w->moved[i].parent && strcmp(n->name, w->moved[i].name) == 0)
            drop_subtree(w, n->wd); /* not re-labelled: it left the watched tree */
        free(w->moved[i].name);
    }
    w->nmoved = 0;
}

static void emit(struct watch *w, uint8_t type, const char *name, uint8_t *last_type, const char **last_name)
{
    if (*last_type == type && *last_name && strcmp(*last_name, name) == 0) return;
    *last_type = type;
    *last_name = scratch_strndup(name, strlen(name)); /* name may point into the read buffer */
    out_begin(T_FS_EVENT, w->chan.id);
    out_u8(type);
    out_cstr(name);
    out_send();
}

static void handle(struct watch *w, const struct inotify_event *ev, uint8_t *last_type, const char **last_name)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        logmsg("channel %u: inotify queue overflowed; events were lost", w->chan.id);
        return;
    }
    struct node *n = map_get(&w->nodes, (uint32_t)ev->wd);
    if (!n) return;
    if (ev->mask & IN_IGNORED) {
        node_drop(w, n);
        return;
    }
    char *rel = node_rel(w, n);
    if (!rel) return;
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) { /* a subdirectory's own event duplicates its parent's */
        if (n->parent == 0) emit(w, ev->mask & IN_DELETE_SELF ? EV_REMOVE : EV_RENAME, "", last_type, last_name);
        return;
    }
    const char *name = ev->len ? join(rel, ev->name) : rel;
    uint8_t type = ev->mask & (IN_CREATE | IN_MOVED_TO) ? EV_CREATE
                   : ev->mask & IN_MODIFY               ? EV_WRITE
                   : ev->mask & IN_DELETE               ? EV_REMOVE
                   : ev->mask & IN_MOVED_FROM           ? EV_RENAME
                   : ev->mask & IN_ATTRIB               ? EV_CHMOD
                                                        : 0;
    if (type) emit(w, type, name, last_type, last_name);
    if (!w->recursive || !(ev->mask & IN_ISDIR) || !ev->len) return;
    if (ev->mask & IN_MOVED_FROM) note_moved(w, n->wd, ev->name);
    if (ev->mask & (IN_CREATE | IN_MOVED_TO) && ident_enter(w->id) == 0) {
        char *path = xstrdup(join(w->root, name));
        add_tree(w, n->wd, ev->name, path, n->depth + 1);
        free(path);
        ident_leave();
    }
}

static void on_events(struct watcher *wt, uint32_t revents)
{
    (void)revents;
    struct watch *w = (struct watch *)((char *)wt - offsetof(struct watch, w));
    _Alignas(struct inotify_event) char buf[64 * KIB];
    uint8_t last_type = 0;
    const char *last_name = NULL;
    for (int reads = 0; reads < 16 && w->w.fd >= 0; reads++) { /* bounded: other work must run too */
        ssize_t len = RETRY(read(w->w.fd, buf, sizeof buf));
        if (len <= 0) {
            if (len < 0 && errno != EAGAIN) logmsg("channel %u: reading inotify events: %m", w->chan.id);
            break;
        }
        for (ssize_t off = 0; off < len;) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
            handle(w, ev, &last_type, &last_name);
            off += (ssize_t)(sizeof *ev + ev->len);
        }
    }
    settle_moves(w);
}

void watch_start(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    bool recursive = rd_u8(r) != 0;
    rd_end(r);
    struct watch *w = NULL;
    if (!id) goto fail;
    w = xcalloc(1, sizeof *w);
    w->w = (struct watcher){inotify_init1(IN_NONBLOCK | IN_CLOEXEC), 0, on_events};
    if (w->w.fd < 0) {
        err_set(errno, "cannot watch '%s': inotify_init1: %s", path, strerror(errno));
        goto fail;
    }
    if (!chan_claim(&w->chan, r->chan, CHAN_WATCH)) goto fail;
    w->id = id;
    w->root = xstrdup(path);
    w->recursive = recursive;
    if (ident_enter(id) != 0) goto fail_claimed;
    int wd = inotify_add_watch(w->w.fd, path, MASK);
    if (wd < 0) {
        err_set(errno, "cannot watch '%s': %s", path, strerror(errno));
        ident_leave();
        goto fail_claimed;
    }
    struct node *root = xcalloc(1, sizeof *root);
    *root = (struct node){wd, 0, 0, xstrdup("")};
    map_put(&w->nodes, (uint32_t)wd, root);
    if (recursive) add_children(w, wd, path, 1);
    ident_leave();
    loop_watch(&w->w, EPOLLIN);
    send_empty(T_FS_END, r->chan);
    return;

fail_claimed:
    chan_release(&w->chan);
    w->id = NULL;
fail:
    if (w) {
        if (w->w.fd >= 0) close(w->w.fd);
        free(w->root);
        free(w);
    }
    ident_free(id);
    send_error(r->chan);
}

void watch_stop(struct rd *r)
{
    rd_end(r);
    struct watch *w = (struct watch *)chan_find(r->chan, CHAN_WATCH);
    if (!w && chan_busy(r->chan)) {
        logmsg("channel %u: ignoring FS_UNWATCH for an operation that is not a watch", r->chan);
        return;
    }
    if (w) {
        loop_close(&w->w);
        uint32_t key;
        void *val;
        for (size_t i = 0; map_next(&w->nodes, &i, &key, &val);) node_drop(w, val);
        map_free(&w->nodes);
        settle_moves(w); /* frees the names; the nodes are gone already */
        free(w->moved);
        chan_release(&w->chan);
        ident_free(w->id);
        free(w->root);
        loop_defer_free(w);
    }
    send_empty(T_FS_END, r->chan); /* also for an unknown channel: unwatching is idempotent */
}
