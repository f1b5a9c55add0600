/* xfer.c - FS_READ and FS_WRITE. Only regular files are ever read or written: the file is
 * opened with O_NONBLOCK|O_NOCTTY (so a FIFO or device cannot block the agent or become its
 * terminal), the opened descriptor is checked with fstat, and a write truncates only after
 * that check. Reading is a loop task (epoll cannot watch regular files): each step sends one
 * FS_DATA frame of at most min(credit, 64 KiB), and the task sleeps while credit is zero. */
#include "xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "chan.h"
#include "fs.h"
#include "loop.h"
#include "users.h"
#include "util.h"

#define META_PREFIX "user.airlock."

struct rfile {
    struct chan chan;
    struct task task;
    int fd;
    uint64_t credit;
    char *path;
};

struct wfile {
    struct chan chan;
    int fd;
    char *path;
    struct ident *id;
};

/* Opens path for reading or writing as a regular file, or fails with EINVAL "not a regular
 * file". Runs with the caller's fs identity. */
static int open_regular(const char *path, bool write, int *out)
{
    int flags = O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (write ? O_WRONLY | O_CREAT : O_RDONLY);
    int fd = RETRY(open(path, flags, 0666));
    if (fd < 0 && write && errno == ENOENT) {
        int e = fs_make_parents(path);
        if (e) return e;
        fd = RETRY(open(path, flags, 0666));
    }
    if (fd < 0) {
        if (errno == ENXIO || errno == EISDIR) return fs_not_regular(path); /* FIFO/socket, directory */
        return err_set(errno, "cannot open '%s': %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return err_set(e, "cannot stat '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fs_not_regular(path);
    }
    *out = fd;
    return 0;
}

/* ---- FS_READ ---- */

static void read_done(struct rfile *f)
{
    loop_task_sleep(&f->task);
    close(f->fd);
    chan_release(&f->chan);
    free(f->path);
    loop_defer_free(f);
}

static void read_step(struct task *t)
{
    static uint8_t chunk[MAX_DATA];
    struct rfile *f = (struct rfile *)((char *)t - offsetof(struct rfile, task));
    if (f->credit == 0) {
        struct stat st; /* the host need not grant credit just to learn that the file ended */
        if (fstat(f->fd, &st) == 0 && lseek(f->fd, 0, SEEK_CUR) >= st.st_size) {
            send_empty(T_FS_END, f->chan.id);
            read_done(f);
        } else {
            loop_task_sleep(t);
        }
        return;
    }
    ssize_t n = RETRY(read(f->fd, chunk, f->credit < MAX_DATA ? (size_t)f->credit : MAX_DATA));
    if (n > 0) {
        send_data(T_FS_DATA, f->chan.id, chunk, (size_t)n);
        f->credit -= (uint64_t)n;
    } else if (n == 0) {
        send_empty(T_FS_END, f->chan.id);
        read_done(f);
    } else if (errno != EAGAIN) {
        err_set(errno, "cannot read '%s': %s", f->path, strerror(errno));
        send_error(f->chan.id);
        read_done(f);
    }
}

void xfer_read(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    rd_end(r);
    int fd = -1;
    if (id && ident_enter(id) == 0) {
        open_regular(path, false, &fd);
        ident_leave();
    }
    ident_free(id);
    struct rfile *f = NULL;
    if (fd >= 0 && chan_claim(&(f = xcalloc(1, sizeof *f))->chan, r->chan, CHAN_READ)) {
        f->fd = fd;
        f->credit = WINDOW;
        f->path = xstrdup(path);
        f->task.step = read_step;
        loop_task_wake(&f->task);
        return;
    }
    if (fd >= 0) {
        close(fd);
        free(f);
    }
    send_error(r->chan);
}

bool xfer_read_credit(uint32_t chan, uint32_t bytes)
{
    struct rfile *f = (struct rfile *)chan_find(chan, CHAN_READ);
    if (!f) return false;
    f->credit += bytes;
    loop_task_wake(&f->task);
    return true;
}

/* ---- FS_WRITE ---- */

/* Replaces the file's user.airlock.* attributes with the given pairs: sets the new ones first
 * (so a file system without user xattrs fails before anything else changed), then removes
 * stale ones. */
static int set_meta(int fd, const char *path, char **kv, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *name = scratch_printf(META_PREFIX "%s", kv[2 * i]);
        if (fsetxattr(fd, name, kv[2 * i + 1], strlen(kv[2 * i + 1]), 0) < 0)
            return err_set(errno, "cannot store metadata '%s' on '%s': %s", kv[2 * i], path, strerror(errno));
    }
    char names[16 * KIB];
    ssize_t len = flistxattr(fd, names, sizeof names);
    for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1) {
        const char *name = names + i;
        if (strncmp(name, META_PREFIX, strlen(META_PREFIX)) != 0) continue;
        bool keep = false;
        for (uint32_t k = 0; k < n && !keep; k++) keep = strcmp(name + strlen(META_PREFIX), kv[2 * k]) == 0;
        if (!keep) fremovexattr(fd, name);
    }
    return 0;
}

static void write_done(struct wfile *f)
{
    close(f->fd);
    chan_release(&f->chan);
    free(f->path);
    ident_free(f->id);
    loop_defer_free(f);
}

void xfer_write(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    uint32_t n = rd_u32(r);
    if (n > r->n / 8) proto_fatal(r, "metadata count larger than the payload");
    char **kv = scratch(2 * (size_t)n * sizeof *kv + 1);
    int bad = 0;
    for (uint32_t i = 0; i < 2 * n; i++) {
        bool nul;
        kv[i] = rd_str(r, &nul);
        if (!bad && nul) bad = err_set(EINVAL, "metadata must not contain NUL bytes");
        if (!bad && i % 2 == 0 && (!*kv[i] || strlen(kv[i]) + strlen(META_PREFIX) > XATTR_NAME_MAX))
            bad = err_set(EINVAL, "metadata key '%s' must be 1..%zu bytes", kv[i], XATTR_NAME_MAX - strlen(META_PREFIX));
        if (!bad && i % 2 == 1 && strlen(kv[i]) > XATTR_SIZE_MAX)
            bad = err_set(E2BIG, "metadata value for '%s' is larger than %d bytes", kv[i - 1], XATTR_SIZE_MAX);
    }
    rd_end(r);
    int fd = -1;
    if (id && !bad && ident_enter(id) == 0) {
        if (open_regular(path, true, &fd) == 0) { /* truncate only once it is known to be regular */
            if (set_meta(fd, path, kv, n) != 0) {
                close(fd), fd = -1;
            } else if (ftruncate(fd, 0) < 0) {
                err_set(errno, "cannot truncate '%s': %s", path, strerror(errno));
                close(fd), fd = -1;
            }
        }
        ident_leave();
    }
    struct wfile *f = NULL;
    if (fd >= 0 && chan_claim(&(f = xcalloc(1, sizeof *f))->chan, r->chan, CHAN_WRITE)) {
        f->fd = fd;
        f->path = xstrdup(path);
        f->id = id;
        return;
    }
    if (fd >= 0) {
        close(fd);
        free(f);
    }
    ident_free(id);
    send_error(r->chan);
}

void xfer_wdata(struct rd *r)
{
    size_t n;
    const uint8_t *p = rd_rest(r, &n);
    struct wfile *f = (struct wfile *)chan_find(r->chan, CHAN_WRITE);
    if (!f) return; /* the write already failed and was answered with ERROR */
    for (size_t off = 0; off < n;) {
        ssize_t w = RETRY(write(f->fd, p + off, n - off));
        if (w <= 0) {
            err_set(w < 0 ? errno : EIO, "cannot write '%s': %s", f->path, strerror(w < 0 ? errno : EIO));
            send_error(f->chan.id);
            write_done(f);
            return;
        }
        off += (size_t)w;
    }
    if (n) send_u32(T_WCREDIT, f->chan.id, (uint32_t)n);
}

void xfer_wend(struct rd *r)
{
    rd_end(r);
    struct wfile *f = (struct wfile *)chan_find(r->chan, CHAN_WRITE);
    if (!f) return;
    int e = 0;
    if (fsync(f->fd) < 0) e = err_set(errno, "cannot flush '%s' to disk: %s", f->path, strerror(errno));
    if (e == 0 && (e = ident_enter(f->id)) == 0) {
        char *dir = scratch_strndup(f->path, strlen(f->path));
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (dfd >= 0) { /* best effort: makes a new file's directory entry durable too */
            fsync(dfd);
            close(dfd);
        }
        e = fs_send_entry(f->chan.id, AT_FDCWD, f->path, f->path, NULL);
        ident_leave();
    }
    if (e) send_error(f->chan.id);
    write_done(f);
}
