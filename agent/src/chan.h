/* chan.h - the registry of long-lived operations by channel id (processes, file transfers,
 * listings, watches). Each operation struct embeds a struct chan as its first member. */
#ifndef AIRLOCK_CHAN_H
#define AIRLOCK_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum chan_kind { CHAN_PROC = 1, CHAN_READ, CHAN_WRITE, CHAN_LIST, CHAN_WATCH };

struct chan {
    uint32_t id;
    enum chan_kind kind;
};

/* The operation on channel id if it is of the given kind, else NULL. */
struct chan *chan_find(uint32_t id, enum chan_kind kind);
/* Whether any operation lives on channel id. */
bool chan_busy(uint32_t id);
/* Registers c under id; false (with err_set EBUSY) if the id is taken by a live operation. */
bool chan_claim(struct chan *c, uint32_t id, enum chan_kind kind);
void chan_release(struct chan *c);
/* Iterate over all live operations: for (size_t i = 0; (c = chan_next(&i));) */
struct chan *chan_next(size_t *i);

#endif
