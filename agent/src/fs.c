/* fs.c - path handling, FS_ENTRY encoding and the one-shot file operations. Each runs with the
 * user's fs identity (ident_enter/ident_leave), so the kernel applies the user's permissions;
 * every path resolves inside the sandbox's own root. */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util.h"

#define META_PREFIX "user.airlock."
#define META_BUDGET (512u * KIB) /* keeps an FS_ENTRY far below the frame limit */
#define REMOVE_DEPTH 256

int fs_resolve(const struct ident *id, const char *raw, char **out)
{
    const char *full = raw[0] == '/' ? raw : *raw ? scratch_printf("%s/%s", id->home, raw) : id->home;
    size_t n = strlen(full);
    char *s = scratch(n + 2);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (full[i] == '/') { /* at a component boundary: skip '/', '//' and '/.' */
            while (full[i] == '/') i++;
            if (full[i] == '.' && (full[i + 1] == '/' || full[i + 1] == 0)) {
                i++;
                continue;
            }
            if (full[i]) s[k++] = '/';
            continue;
        }
        s[k++] = full[i++];
    }
    if (k == 0) s[k++] = '/';
    s[k] = 0;
    if (k >= PATH_MAX) return err_set(ENAMETOOLONG, "path '%.64s...' is longer than %d bytes", s, PATH_MAX - 1);
    *out = s;
    return 0;
}

int fs_path_arg(const struct ident *id, const char *raw, bool nul, char **out)
{
    if (nul) return err_set(EINVAL, "path '%s...' contains a NUL byte", raw);
    return fs_resolve(id, raw, out);
}

struct ident *fs_args(struct rd *r, char **path)
{
    bool unul, pnul;
    char *user = rd_str(r, &unul);
    char *raw = rd_str(r, &pnul);
    if (unul) {
        err_set(EINVAL, "user name contains a NUL byte");
        return NULL;
    }
    struct ident *id = ident_lookup(user);
    if (id && fs_path_arg(id, raw, pnul, path) != 0) {
        ident_free(id);
        return NULL;
    }
    return id;
}

int fs_not_regular(const char *path) { return err_set(EINVAL, "'%s' is not a regular file", path); }

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_make_parents(const char *path)
{
    char *s = scratch_strndup(path, strlen(path));
    for (char *p = s + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = 0;
        if (mkdir(s, 0777) < 0 && errno != EEXIST && !is_dir(s))
            return err_set(errno, "cannot create directory '%s': %s", s, strerror(errno));
        *p = '/';
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* Appends user.airlock.* attributes as (key, value) pairs; returns how many. Best effort: a
 * file system without xattr support or an unreadable file simply has no metadata. */
static uint32_t put_meta(const char *path)
{
    static char names[16 * KIB], value[XATTR_SIZE_MAX];
    ssize_t len = llistxattr(path, names, sizeof names);
    uint32_t count = 0;
    size_t budget = META_BUDGET;
    for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1) {
        const char *name = names + i;
        if (strncmp(name, META_PREFIX, strlen(META_PREFIX)) != 0) continue;
        ssize_t vlen = lgetxattr(path, name, value, sizeof value);
        if (vlen < 0) continue;
        const char *key = name + strlen(META_PREFIX);
        if ((size_t)vlen + strlen(key) + 8 > budget) break;
        budget -= (size_t)vlen + strlen(key) + 8;
        out_cstr(key);
        out_str(value, (size_t)vlen);
        count++;
    }
    return count;
}

int fs_send_entry(uint32_t chan, int dirfd, const char *at, const char *path, struct stat *stp)
{
    struct stat st;
    if (fstatat(dirfd, at, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_set(errno, "cannot stat '%s': %s", path, strerror(errno));
    uint8_t type = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : S_ISLNK(st.st_mode) ? 3 : 4;
    char target[PATH_MAX];
    ssize_t tlen = 0;
    if (type == 3 && (tlen = readlinkat(dirfd, at, target, sizeof target)) < 0) tlen = 0;

    out_begin(T_FS_ENTRY, chan);
    out_cstr(base_name(path));
    out_cstr(path);
    out_u8(type);
    out_u64((uint64_t)st.st_size);
    out_u32(st.st_mode);
    out_cstr(users_uid_name(st.st_uid));
    out_cstr(users_gid_name(st.st_gid));
    out_u64((uint64_t)((int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec));
    out_str(target, (size_t)tlen);
    size_t count_at = out_len();
    out_u32(0);
    if (type == 1 || type == 2) out_patch_u32(count_at, put_meta(path));
    out_send();
    if (stp) *stp = st;
    return 0;
}

void fs_stat(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    rd_end(r);
    if (id && ident_enter(id) == 0) {
        int e = fs_send_entry(r->chan, AT_FDCWD, path, path, NULL);
        ident_leave();
        if (e == 0) {
            ident_free(id);
            return;
        }
    }
    ident_free(id);
    send_error(r->chan);
}

void fs_mkdir(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    rd_end(r);
    if (id && ident_enter(id) == 0) {
        int e = fs_make_parents(path);
        if (e == 0 && mkdir(path, 0777) < 0)
            e = err_set(errno, "cannot create directory '%s': %s", path, strerror(errno));
        if (e == 0) e = fs_send_entry(r->chan, AT_FDCWD, path, path, NULL);
        ident_leave();
        if (e == 0) {
            ident_free(id);
            return;
        }
    }
    ident_free(id);
    send_error(r->chan);
}

void fs_move(struct rd *r)
{
    char *from, *to;
    struct ident *id = fs_args(r, &from);
    bool nul;
    char *raw_to = rd_str(r, &nul);
    rd_end(r);
    if (id && fs_path_arg(id, raw_to, nul, &to) == 0 && ident_enter(id) == 0) {
        int e = 0;
        if (renameat(AT_FDCWD, from, AT_FDCWD, to) < 0)
            e = err_set(errno, "cannot move '%s' to '%s': %s", from, to, strerror(errno));
        if (e == 0) e = fs_send_entry(r->chan, AT_FDCWD, to, to, NULL);
        ident_leave();
        if (e == 0) {
            ident_free(id);
            return;
        }
    }
    ident_free(id);
    send_error(r->chan);
}

/* The path of the entry being removed, for error messages; grows and shrinks with the walk. */
static char *rpath;
static size_t rlen, rcap;

static void rpath_push(const char *name)
{
    size_t n = strlen(name);
    if (rlen + n + 2 > rcap) {
        rcap = (rlen + n + 2) * 2;
        rpath = xrealloc(rpath, rcap);
    }
    if (rlen != 1 || rpath[0] != '/') rpath[rlen++] = '/';
    memcpy(rpath + rlen, name, n + 1);
    rlen += n;
}

static int remove_at(int dfd, const char *name, int depth);

/* Empties the directory open at fd (taking ownership of fd). Up to a few passes, so entries
 * created concurrently by sandbox code do not make the final rmdir fail at once. */
static int remove_tree(int fd, int depth)
{
    if (depth > REMOVE_DEPTH) {
        close(fd);
        return err_set(ELOOP, "cannot remove '%s': directories nested deeper than %d levels", rpath, REMOVE_DEPTH);
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return err_set(errno, "cannot read directory '%s': %s", rpath, strerror(errno));
    }
    int e = 0;
    for (int pass = 0, seen = 1; e == 0 && seen && pass < 4; pass++) {
        struct dirent *de;
        seen = 0;
        rewinddir(d);
        while (e == 0 && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
            seen = 1;
            size_t keep = rlen;
            rpath_push(de->d_name);
            e = remove_at(dirfd(d), de->d_name, depth + 1);
            if (e == 0) rpath[rlen = keep] = 0;
        }
    }
    closedir(d);
    return e;
}

/* Removes `name` in the directory dfd (rpath names it), recursing into directories. Never
 * follows a symlink: unlinkat() removes a symlink itself, and a directory is entered with
 * O_NOFOLLOW, so one swapped for a symlink mid-walk fails instead of leading elsewhere. */
static int remove_at(int dfd, const char *name, int depth)
{
    bool top = depth == 0; /* below the top, an entry vanishing concurrently is fine */
    if (unlinkat(dfd, name, 0) == 0 || (errno == ENOENT && !top)) return 0;
    int ue = errno;
    if (ue != EISDIR && ue != EPERM) return err_set(ue, "cannot remove '%s': %s", rpath, strerror(ue));
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && !top) return 0;
        int e = errno == ENOTDIR || errno == ELOOP ? ue : errno; /* not a directory: unlink's error */
        return err_set(e, "cannot remove '%s': %s", rpath, strerror(e));
    }
    int e = remove_tree(fd, depth);
    if (e == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && (errno != ENOENT || top))
        e = err_set(errno, "cannot remove directory '%s': %s", rpath, strerror(errno));
    return e;
}

void fs_remove(struct rd *r)
{
    char *path;
    struct ident *id = fs_args(r, &path);
    rd_end(r);
    if (id && ident_enter(id) == 0) {
        rlen = 0;
        rpath_push(path + 1); /* path is absolute: rpath becomes path itself */
        int e = remove_at(AT_FDCWD, path, 0);
        ident_leave();
        if (e == 0) {
            ident_free(id);
            send_empty(T_FS_END, r->chan);
            return;
        }
    }
    ident_free(id);
    send_error(r->chan);
}
