/* proto.c - framing. Input: one read() per readiness of fd 0 into a buffer that holds at least
 * one maximal frame; every complete frame is dispatched. fd 0 is never made non-blocking (its
 * open file description may be shared), which is safe because we only read when epoll says it
 * is readable. Output: frames are assembled in one buffer and written to fd 1 in full; writes
 * block while the host is slow (it always drains), partial writes and EINTR are retried. */
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

/* ---- decoding ---- */

void proto_fatal(const struct rd *r, const char *what)
{
    die(2, "malformed frame type 0x%02x on channel %u from the host: %s", r->type, r->chan, what);
}

static const uint8_t *take(struct rd *r, size_t n, const char *what)
{
    if (r->n < n) proto_fatal(r, scratch_printf("payload ends inside %s", what));
    const uint8_t *p = r->p;
    r->p += n;
    r->n -= n;
    return p;
}

uint8_t rd_u8(struct rd *r) { return *take(r, 1, "a u8"); }

uint16_t rd_u16(struct rd *r)
{
    const uint8_t *p = take(r, 2, "a u16");
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t rd_u32(struct rd *r)
{
    const uint8_t *p = take(r, 4, "a u32");
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

char *rd_str(struct rd *r, bool *nul)
{
    uint32_t len = rd_u32(r);
    const uint8_t *p = take(r, len, "a string");
    if (nul) *nul = memchr(p, 0, len) != NULL;
    return scratch_strndup(p, len);
}

const uint8_t *rd_rest(struct rd *r, size_t *n)
{
    *n = r->n;
    return take(r, r->n, "data");
}

void rd_end(struct rd *r)
{
    if (r->n) proto_fatal(r, scratch_printf("%zu unexpected trailing bytes", r->n));
}

/* ---- reading fd 0 ---- */

static uint8_t inbuf[4 + MAX_FRAME_LEN + 64 * KIB];
static size_t inlen;
static struct watcher in_w;
static void (*on_frame)(struct rd *r);
static int pause_count;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_input(struct watcher *w, uint32_t revents)
{
    if (pause_count > 0) { /* only EPOLLHUP is watched while paused */
        if (!(revents & (EPOLLHUP | EPOLLERR))) return;
        logmsg("the host closed fd 0 while its input was paused; exiting");
        exit(0);
    }
    ssize_t n = read(w->fd, inbuf + inlen, sizeof inbuf - inlen);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) return;
        die(1, "reading frames from fd 0: %m");
    }
    if (n == 0) {
        if (inlen) die(2, "the host closed fd 0 inside a frame (%zu bytes pending)", inlen);
        logmsg("the host closed fd 0; exiting");
        exit(0); /* runs the atexit handler that kills what we started */
    }
    inlen += (size_t)n;
    size_t off = 0;
    while (inlen - off >= 4) {
        uint32_t len = be32(inbuf + off);
        if (len < 5 || len > MAX_FRAME_LEN) die(2, "malformed frame from the host: length %u outside 5..%u", len, MAX_FRAME_LEN);
        if (inlen - off - 4 < len) break;
        struct rd r = {.p = inbuf + off + 9, .n = len - 5, .type = inbuf[off + 4], .chan = be32(inbuf + off + 5)};
        off += 4 + (size_t)len;
        on_frame(&r);
    }
    memmove(inbuf, inbuf + off, inlen - off);
    inlen -= off;
}

void proto_init(void (*dispatch)(struct rd *r))
{
    on_frame = dispatch;
    in_w = (struct watcher){.fd = 0, .cb = on_input};
    loop_watch(&in_w, EPOLLIN);
}

void proto_pause_input(int delta)
{
    pause_count += delta;
    /* paused: no EPOLLIN, but stay registered so a vanished host (EPOLLHUP) is still noticed */
    loop_watch(&in_w, pause_count > 0 ? EPOLLHUP : EPOLLIN);
}

/* ---- writing fd 1 ---- */

static void write_all(const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) { /* fd 1 turned out non-blocking: wait for room */
            struct pollfd pfd = {.fd = 1, .events = POLLOUT};
            poll(&pfd, 1, -1);
            continue;
        }
        if (w <= 0) die(1, "writing frames to fd 1: %m");
        p += w;
        n -= (size_t)w;
    }
}

static uint8_t *ob;
static size_t olen, ocap;

static void put(const void *p, size_t n)
{
    if (olen + n > ocap) {
        while (olen + n > ocap) ocap = ocap ? ocap * 2 : 64 * KIB;
        ob = xrealloc(ob, ocap);
    }
    memcpy(ob + olen, p, n);
    olen += n;
}

void out_begin(uint8_t type, uint32_t chan)
{
    olen = 0;
    uint8_t h[9] = {0, 0, 0, 0, type, chan >> 24, chan >> 16, chan >> 8, chan};
    put(h, sizeof h);
}

void out_u8(uint8_t v) { put(&v, 1); }
void out_u16(uint16_t v) { put((uint8_t[]){v >> 8, v}, 2); }
void out_u32(uint32_t v) { put((uint8_t[]){v >> 24, v >> 16, v >> 8, v}, 4); }
void out_u64(uint64_t v)
{
    out_u32((uint32_t)(v >> 32));
    out_u32((uint32_t)v);
}
void out_bytes(const void *p, size_t n) { put(p, n); }
void out_str(const void *p, size_t n)
{
    out_u32((uint32_t)n);
    put(p, n);
}
void out_cstr(const char *s) { out_str(s, strlen(s)); }
size_t out_len(void) { return olen - 9; }

void out_patch_u32(size_t payload_off, uint32_t v)
{
    uint8_t *q = ob + 9 + payload_off;
    q[0] = v >> 24, q[1] = v >> 16, q[2] = v >> 8, q[3] = v;
}

void out_send(void)
{
    uint32_t len = (uint32_t)(olen - 4);
    if (len > MAX_FRAME_LEN) die(1, "internal error: frame of %u bytes exceeds the protocol limit", len);
    ob[0] = len >> 24;
    ob[1] = len >> 16;
    ob[2] = len >> 8;
    ob[3] = len;
    write_all(ob, olen);
}

void send_data(uint8_t type, uint32_t chan, const void *p, size_t n)
{
    uint32_t len = (uint32_t)(n + 5);
    uint8_t h[9] = {len >> 24, len >> 16, len >> 8, len, type, chan >> 24, chan >> 16, chan >> 8, chan};
    write_all(h, sizeof h);
    write_all(p, n);
}

void send_empty(uint8_t type, uint32_t chan) { send_data(type, chan, NULL, 0); }

void send_u32(uint8_t type, uint32_t chan, uint32_t v)
{
    uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
    send_data(type, chan, b, 4);
}

void send_error(uint32_t chan)
{
    out_begin(T_ERROR, chan);
    out_u32((uint32_t)err_code());
    out_cstr(err_msg());
    out_send();
}
