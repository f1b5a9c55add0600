/* proto.h - the wire format of docs/agent-protocol.md: frame types, reading frames from fd 0,
 * decoding payload fields (a malformed payload is fatal), and building frames for fd 1. */
#ifndef AIRLOCK_PROTO_H
#define AIRLOCK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    /* host -> agent */
    T_SPAWN = 0x01, T_STDIN = 0x02, T_STDIN_CLOSE = 0x03, T_SIGNAL = 0x04, T_RESIZE = 0x05,
    T_CREDIT = 0x06, T_FS_READ = 0x10, T_FS_WRITE = 0x11, T_FS_WDATA = 0x12, T_FS_WEND = 0x13,
    T_FS_STAT = 0x14, T_FS_LIST = 0x15, T_FS_MKDIR = 0x16, T_FS_MOVE = 0x17, T_FS_REMOVE = 0x18,
    T_FS_WATCH = 0x19, T_FS_UNWATCH = 0x1A, T_PING = 0x1F,
    /* agent -> host */
    T_READY = 0x80, T_SPAWNED = 0x81, T_STDOUT = 0x82, T_STDERR = 0x83, T_PTY = 0x84,
    T_EXIT = 0x85, T_WCREDIT = 0x86, T_ERROR = 0x8F, T_FS_DATA = 0x90, T_FS_END = 0x91,
    T_FS_ENTRY = 0x93, T_FS_EVENT = 0x94, T_PONG = 0x9F,
};

/* A cursor over one received payload. Running past the end is a fatal protocol error. */
struct rd {
    const uint8_t *p;
    size_t n;
    uint8_t type;
    uint32_t chan;
};
uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
/* A str field as a NUL-terminated scratch copy; *nul is set if it contained a NUL byte. */
char *rd_str(struct rd *r, bool *nul);
/* The rest of the payload (for data frames). */
const uint8_t *rd_rest(struct rd *r, size_t *n);
/* Asserts the payload has been consumed exactly. */
void rd_end(struct rd *r);
_Noreturn void proto_fatal(const struct rd *r, const char *what);

/* Reading: fd 0 is watched by the loop; each complete frame goes to dispatch(). */
void proto_init(void (*dispatch)(struct rd *r));
/* Back-pressure on the host: while the pause count is > 0 the agent stops reading fd 0. */
void proto_pause_input(int delta);

/* Writing: build one frame at a time, then send it (blocking until fully written). */
void out_begin(uint8_t type, uint32_t chan);
void out_u8(uint8_t v);
void out_u16(uint16_t v);
void out_u32(uint32_t v);
void out_u64(uint64_t v);
void out_bytes(const void *p, size_t n);
void out_str(const void *p, size_t n);
void out_cstr(const char *s);
size_t out_len(void); /* bytes of payload so far */
void out_patch_u32(size_t payload_off, uint32_t v); /* overwrite a u32 written earlier */
void out_send(void);

/* One-shot helpers. */
void send_data(uint8_t type, uint32_t chan, const void *p, size_t n);
void send_empty(uint8_t type, uint32_t chan);
void send_u32(uint8_t type, uint32_t chan, uint32_t v);
/* ERROR with the code and message last stored by err_set(). */
void send_error(uint32_t chan);

#endif
