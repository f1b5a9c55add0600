/* users.h - users and groups from the sandbox's own /etc/passwd and /etc/group (parsed here:
 * static glibc NSS is unreliable), and switching the agent's file-system identity to a user
 * for the duration of one file operation. */
#ifndef AIRLOCK_USERS_H
#define AIRLOCK_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ident {
    uid_t uid;
    gid_t gid;
    size_t ngroups; /* supplementary groups, the primary group first */
    gid_t *groups;
    char *name;
    char *home;
};

void users_init(void);
/* Looks up a user by name ("" = root); NULL with err_set(EINVAL, ...) if unknown. */
struct ident *ident_lookup(const char *name);
void ident_free(struct ident *id);
/* Runs the calling thread's file-system accesses as id (groups, fsgid, fsuid); 0 or an errno
 * with err_set. Every successful ident_enter() must be paired with ident_leave(). */
int ident_enter(const struct ident *id);
void ident_leave(void);
/* Whether the process's supplementary groups equal this set, apart from the primary gid. */
bool users_groups_match(gid_t gid, const gid_t *groups, size_t n);
/* The name of a uid/gid, or its decimal text; valid until the next call for the same kind. */
const char *users_uid_name(uid_t uid);
const char *users_gid_name(gid_t gid);

#endif
