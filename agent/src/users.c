/* users.c - a cached copy of /etc/passwd and /etc/group (re-read when the file changes, checked
 * at most once per loop iteration), lookups by name and id, and fs identity switching.
 * The files belong to the sandbox and may be hostile: they are opened non-blocking, must be
 * regular files, are capped in size, and every line is parsed defensively. */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

#define DB_MAX (4u * 1024 * KIB)
#define MAX_GROUPS 1024

struct db {
    const char *path;
    char *text;
    size_t len;
    struct stat st;
    uint64_t checked;
    char *line; /* the current record, split in place by next_record() */
    size_t linecap;
    bool memo_valid; /* the last id -> name answer, until the file changes */
    unsigned memo_id;
    char *memo_name;
};

static struct db passwd = {.path = "/etc/passwd"}, group = {.path = "/etc/group"};
static gid_t *orig_groups;
static int norig_groups;
static bool via_euid; /* no setfsuid(2) on this kernel: switch with seteuid instead */

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void db_refresh(struct db *db)
{
    if (db->text && db->checked == loop_iteration()) return;
    db->checked = loop_iteration();
    int fd = RETRY(open(db->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) {
            if (db->text == NULL || db->len > 0 || db->st.st_ino != 0) /* log once per change */
                logmsg("%s is not a regular file; treating it as empty", db->path);
            close(fd);
        }
        free(db->text);
        db->text = xstrdup("");
        db->len = 0;
        memset(&db->st, 0, sizeof db->st);
        db->memo_valid = false;
        return;
    }
    if (db->text && same_file(&st, &db->st)) {
        close(fd);
        return;
    }
    size_t cap = st.st_size > 0 && (size_t)st.st_size < DB_MAX ? (size_t)st.st_size + 1 : DB_MAX;
    char *text = xmalloc(cap + 1);
    size_t len = 0;
    while (len < cap) {
        ssize_t n = RETRY(read(fd, text + len, cap - len));
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    text[len] = 0;
    free(db->text);
    db->text = text;
    db->len = len;
    db->st = st;
    db->memo_valid = false;
}

/* Splits the next line of db at ':' into at most max fields, pointing into db->line (valid until
 * the next call). Returns the number of fields, or -1 at the end of the file. *pos advances. */
static int next_record(struct db *db, size_t *pos, char **f, int max)
{
    if (*pos >= db->len) return -1;
    const char *start = db->text + *pos;
    const char *nl = memchr(start, '\n', db->len - *pos);
    size_t n = nl ? (size_t)(nl - start) : db->len - *pos;
    *pos += n + 1;
    if (n + 1 > db->linecap) {
        db->linecap = n + 1;
        db->line = xrealloc(db->line, db->linecap);
    }
    char *line = db->line;
    memcpy(line, start, n);
    line[n] = 0;
    if (line[0] == '#' || line[0] == '+' || line[0] == '-' || memchr(start, 0, n)) return 0;
    int k = 0;
    for (char *s = line; k < max;) {
        f[k++] = s;
        char *c = strchr(s, ':');
        if (!c) break;
        *c = 0;
        s = c + 1;
    }
    return k;
}

static bool parse_id(const char *s, unsigned *out)
{
    if (!*s) return false;
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > 0xfffffffeUL) return false;
    }
    *out = (unsigned)v;
    return true;
}

static bool has_member(char *list, const char *name)
{
    for (char *save = NULL, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
        if (strcmp(m, name) == 0) return true;
    return false;
}

struct ident *ident_lookup(const char *name)
{
    if (!*name) name = "root";
    db_refresh(&passwd);
    unsigned uid = 0, gid = 0;
    const char *home = NULL;
    char *f[7];
    int k;
    for (size_t pos = 0; (k = next_record(&passwd, &pos, f, 7)) >= 0;) {
        if (k == 7 && strcmp(f[0], name) == 0 && parse_id(f[2], &uid) && parse_id(f[3], &gid)) {
            home = f[5];
            break;
        }
    }
    if (!home) {
        if (strcmp(name, "root") != 0) {
            err_set(EINVAL, "user '%s' not found in /etc/passwd", name);
            return NULL;
        }
        uid = gid = 0; /* an image without a root entry still has root */
        home = "/root";
    }
    struct ident *id = xcalloc(1, sizeof *id);
    id->uid = uid;
    id->gid = gid;
    id->name = xstrdup(name);
    id->home = xstrdup(*home ? home : "/");
    id->groups = xmalloc(MAX_GROUPS * sizeof *id->groups);
    id->groups[id->ngroups++] = gid;

    db_refresh(&group);
    for (size_t pos = 0; (k = next_record(&group, &pos, f, 4)) >= 0;) {
        unsigned g;
        if (k != 4 || !parse_id(f[2], &g) || !has_member(f[3], name)) continue;
        bool dup = false;
        for (size_t i = 0; i < id->ngroups; i++) dup |= id->groups[i] == g;
        if (dup) continue;
        if (id->ngroups == MAX_GROUPS) {
            logmsg("user '%s' is in more than %d groups; ignoring the rest", name, MAX_GROUPS);
            break;
        }
        id->groups[id->ngroups++] = g;
    }
    return id;
}

void ident_free(struct ident *id)
{
    if (!id) return;
    free(id->groups);
    free(id->name);
    free(id->home);
    free(id);
}

/* Looks up the name of id in field 2 of db; decimal text when absent. */
static const char *name_of(struct db *db, unsigned id)
{
    db_refresh(db);
    if (db->memo_valid && db->memo_id == id) return db->memo_name;
    char *f[4];
    int k;
    unsigned v;
    const char *name = NULL;
    for (size_t pos = 0; !name && (k = next_record(db, &pos, f, 4)) >= 0;)
        if (k >= 3 && parse_id(f[2], &v) && v == id && *f[0]) name = f[0];
    free(db->memo_name);
    db->memo_name = name ? xstrdup(name) : NULL;
    if (!name) db->memo_name = xstrdup(scratch_printf("%u", id));
    db->memo_id = id;
    db->memo_valid = true;
    return db->memo_name;
}

const char *users_uid_name(uid_t uid) { return name_of(&passwd, uid); }
const char *users_gid_name(gid_t gid) { return name_of(&group, gid); }

void users_init(void)
{
    norig_groups = getgroups(0, NULL);
    if (norig_groups < 0) norig_groups = 0;
    orig_groups = xmalloc(((size_t)norig_groups + 1) * sizeof *orig_groups);
    norig_groups = getgroups(norig_groups, orig_groups);
    if (norig_groups < 0) norig_groups = 0;
    if (syscall(SYS_setfsuid, -1) == -1 && errno == ENOSYS) {
        via_euid = true;
        logmsg("setfsuid(2) is not available; file operations switch identity with seteuid(2)");
    }
}

static bool contains(const gid_t *set, size_t n, gid_t g)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == g) return true;
    return false;
}

bool users_groups_match(gid_t gid, const gid_t *groups, size_t n)
{
    gid_t cur[MAX_GROUPS];
    int k = getgroups(MAX_GROUPS, cur);
    if (k < 0) return false;
    /* As sets, ignoring the primary group: the kernel checks the (fs)gid before the list. */
    for (size_t i = 0; i < n; i++)
        if (groups[i] != gid && !contains(cur, (size_t)k, groups[i])) return false;
    for (int j = 0; j < k; j++)
        if (cur[j] != gid && !contains(groups, n, cur[j])) return false;
    return true;
}

static bool switched, groups_changed;

/* Changes only what differs, so acting as the agent's own identity needs no capability. */
int ident_enter(const struct ident *id)
{
    if (geteuid() != 0) { /* testing as an ordinary user: only that user is possible */
        if (id->uid == geteuid()) return 0;
        return err_set(EPERM, "the agent does not run as root and cannot act as user '%s'", id->name);
    }
    switched = true;
    if (!users_groups_match(id->gid, id->groups, id->ngroups)) {
        if (setgroups(id->ngroups, id->groups) < 0) {
            int e = errno;
            ident_leave();
            return err_set(e, "cannot take the groups of user '%s': %s (does the agent have CAP_SETGID?)", id->name,
                           strerror(e));
        }
        groups_changed = true;
    }
    if (via_euid) {
        if (setegid(id->gid) == 0 && seteuid(id->uid) == 0) return 0;
    } else {
        setfsgid(id->gid);
        setfsuid(id->uid);
        if ((uid_t)setfsuid((uid_t)-1) == id->uid && (gid_t)setfsgid((gid_t)-1) == id->gid) return 0;
        errno = EPERM; /* setfsuid(2) fails silently */
    }
    int e = errno;
    ident_leave();
    return err_set(e, "cannot act as user '%s': %s (does the agent have CAP_SETUID and CAP_SETGID?)", id->name,
                   strerror(e));
}

void ident_leave(void)
{
    if (!switched) return;
    switched = false;
    if (via_euid) {
        if (seteuid(0) < 0 || setegid(0) < 0) die(1, "cannot return to root after a file operation: %m");
    } else {
        setfsuid(0);
        setfsgid(0);
        if (setfsuid((uid_t)-1) != 0 || setfsgid((gid_t)-1) != 0) die(1, "cannot return to the root fs identity");
    }
    if (groups_changed && setgroups((size_t)norig_groups, orig_groups) < 0)
        die(1, "cannot restore the agent's groups: %m");
    groups_changed = false;
}
