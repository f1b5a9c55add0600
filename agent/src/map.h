/* map.h - a small open-addressing hash map from non-zero u32 keys to pointers. Used for
 * channel ids, pids and inotify watch descriptors. */
#ifndef AIRLOCK_MAP_H
#define AIRLOCK_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map {
    uint32_t *keys; /* 0 = empty slot */
    void **vals;    /* NULL in a slot with a non-zero key = deleted (tombstone) */
    size_t cap, live, used;
};

void *map_get(const struct map *m, uint32_t key);
void map_put(struct map *m, uint32_t key, void *val); /* key != 0, val != NULL */
void map_del(struct map *m, uint32_t key);
void map_free(struct map *m);

/* Iterate: for (size_t i = 0; map_next(m, &i, &k, &v);) ... Deleting the current key is fine. */
int map_next(const struct map *m, size_t *i, uint32_t *key, void **val);

#endif
