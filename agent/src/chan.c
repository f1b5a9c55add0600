/* chan.c - channel id -> operation. The host never reuses an id, so a frame for an unknown id
 * is a harmless race with an operation that already ended (e.g. STDIN after EXIT). */
#include "chan.h"

#include <errno.h>
#include <stddef.h>

#include "map.h"
#include "util.h"

static struct map chans;

struct chan *chan_find(uint32_t id, enum chan_kind kind)
{
    struct chan *c = map_get(&chans, id);
    return c && c->kind == kind ? c : NULL;
}

bool chan_busy(uint32_t id) { return map_get(&chans, id) != NULL; }

bool chan_claim(struct chan *c, uint32_t id, enum chan_kind kind)
{
    if (id == 0 || map_get(&chans, id)) {
        err_set(EBUSY, "channel %u is already in use by another operation", id);
        return false;
    }
    c->id = id;
    c->kind = kind;
    map_put(&chans, id, c);
    return true;
}

void chan_release(struct chan *c)
{
    if (map_get(&chans, c->id) == c) map_del(&chans, c->id);
}

struct chan *chan_next(size_t *i)
{
    uint32_t key;
    void *val;
    return map_next(&chans, i, &key, &val) ? val : NULL;
}
