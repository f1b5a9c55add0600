/* fs.h - file operations that answer at once (FS_STAT, FS_MKDIR, FS_MOVE, FS_REMOVE) and the
 * helpers shared by all file operations: parsing the user and path, resolving paths against
 * the user's home, creating parents, and encoding FS_ENTRY. */
#ifndef AIRLOCK_FS_H
#define AIRLOCK_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "proto.h"
#include "users.h"

/* Reads "user:str, path:str" from r (the rest of the payload is the caller's). On success
 * returns the user (caller frees with ident_free) and *path = the absolute path; otherwise
 * NULL with err_set. */
struct ident *fs_args(struct rd *r, char **path);
/* Resolves a path: "" = home, relative = under home; '//' and '/.' collapse, no trailing '/'.
 * 0, or EINVAL/ENAMETOOLONG with err_set. *out is scratch memory. */
int fs_resolve(const struct ident *id, const char *raw, char **out);
int fs_path_arg(const struct ident *id, const char *raw, bool nul, char **out);
/* mkdir -p of every ancestor of path (as the current fs identity). 0 or errno with err_set. */
int fs_make_parents(const char *path);
/* Sends FS_ENTRY for `at` relative to dirfd (without following a final symlink); path is what
 * the entry reports. Fills *st if st is not NULL. 0, or errno with err_set. */
int fs_send_entry(uint32_t chan, int dirfd, const char *at, const char *path, struct stat *st);
/* The error text for a non-regular file; contains "regular file" (the host matches on it). */
int fs_not_regular(const char *path);

void fs_stat(struct rd *r);
void fs_mkdir(struct rd *r);
void fs_move(struct rd *r);
void fs_remove(struct rd *r);
void fs_list(struct rd *r); /* fslist.c */

#endif
