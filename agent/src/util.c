/* util.c - logging to fd 2, fatal exits, checked allocation, byte queues, the scratch arena
 * that is freed once per loop iteration, and the last-error slot used to build ERROR frames. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Replaces control characters so one log line or error message stays one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

static void vlog(const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "airlock-init[%d]: ", (int)getpid());
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    one_line(line);
    size_t len = strlen(line);
    line[len++] = '\n';
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(2, line + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* the log is best effort */
        off += (size_t)w;
    }
}

void logmsg(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
    errno = saved;
}

void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
    exit(code); /* atexit handlers kill what the agent started; never called in a forked child */
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die(1, "out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die(1, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) die(1, "out of memory reallocating %zu bytes", n);
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* The scratch arena: a list of blocks, all freed by scratch_reset(). */
struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};
static struct block *arena;

void *scratch(size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (!arena || arena->cap - arena->used < n) {
        size_t cap = n > 64 * KIB ? n : 64 * KIB;
        struct block *b = xmalloc(sizeof *b + cap);
        b->next = arena;
        b->used = 0;
        b->cap = cap;
        arena = b;
    }
    void *p = (char *)arena->data + arena->used;
    arena->used += n;
    return p;
}

char *scratch_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = scratch((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *scratch_strndup(const void *s, size_t n)
{
    char *p = scratch(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void scratch_reset(void)
{
    while (arena) {
        struct block *next = arena->next;
        free(arena);
        arena = next;
    }
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    if (b->off > 0 && b->len + n > b->cap) { /* compact before growing */
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void buf_consume(struct buf *b, size_t n)
{
    b->off += n;
    if (b->off == b->len) b->off = b->len = 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    *b = (struct buf){0};
}

static int last_code;
static char last_msg[512];

int err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    one_line(last_msg);
    last_code = code;
    return code;
}

int err_code(void) { return last_code; }
const char *err_msg(void) { return last_msg; }
