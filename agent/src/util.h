/* util.h - logging, fatal exits, checked allocation, byte queues, the per-iteration scratch
 * arena, and the "last error" slot that operations fill before answering ERROR. */
#ifndef AIRLOCK_UTIL_H
#define AIRLOCK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define KIB 1024u
#define MAX_FRAME_LEN (1024u * KIB) /* the len field: type + chan + payload */
#define MAX_DATA (64u * KIB)        /* payload of one data frame */
#define WINDOW (256u * KIB)         /* initial credit window, both directions */

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Scratch memory that lives until the end of the current loop iteration. */
void *scratch(size_t n);
char *scratch_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *scratch_strndup(const void *s, size_t n);
void scratch_reset(void);

/* A byte queue: bytes [off, len) of data are pending. */
struct buf {
    uint8_t *data;
    size_t off, len, cap;
};
void buf_append(struct buf *b, const void *p, size_t n);
void buf_consume(struct buf *b, size_t n);
static inline size_t buf_size(const struct buf *b) { return b->len - b->off; }
void buf_free(struct buf *b);

/* The error an operation failed with: set it, return the code, let the caller send ERROR. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_code(void);
const char *err_msg(void);

/* Retry a syscall expression while it fails with EINTR. */
#define RETRY(expr)                                                                                \
    ({                                                                                             \
        long _r;                                                                                   \
        do _r = (long)(expr);                                                                      \
        while (_r == -1 && errno == EINTR);                                                        \
        _r;                                                                                        \
    })

#endif
