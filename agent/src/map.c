/* map.c - open addressing with linear probing and tombstones; grows at 50% occupancy. */
#include "map.h"

#include <stdlib.h>

#include "util.h"

static size_t slot(uint32_t key, size_t cap) { return (key * 2654435761u) & (cap - 1); }

void *map_get(const struct map *m, uint32_t key)
{
    if (!m->cap) return NULL;
    for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0) return NULL;
        if (m->keys[i] == key) return m->vals[i];
    }
}

static void rehash(struct map *m, size_t cap)
{
    struct map n = {xcalloc(cap, sizeof *n.keys), xcalloc(cap, sizeof *n.vals), cap, 0, 0};
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] && m->vals[i]) map_put(&n, m->keys[i], m->vals[i]);
    map_free(m);
    *m = n;
}

void map_put(struct map *m, uint32_t key, void *val)
{
    if ((m->used + 1) * 2 > m->cap) {
        /* grow when genuinely full; otherwise rehashing at the same size drops tombstones */
        size_t cap = m->cap == 0 ? 16 : (m->live + 1) * 4 > m->cap ? m->cap * 2 : m->cap;
        rehash(m, cap);
    }
    size_t tomb = (size_t)-1;
    for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) {
            if (!m->vals[i]) m->live++;
            m->vals[i] = val;
            return;
        }
        if (m->keys[i] && !m->vals[i] && tomb == (size_t)-1) tomb = i;
        if (m->keys[i] == 0) {
            if (tomb != (size_t)-1) {
                i = tomb;
            } else {
                m->used++;
            }
            m->keys[i] = key;
            m->vals[i] = val;
            m->live++;
            return;
        }
    }
}

void map_del(struct map *m, uint32_t key)
{
    if (!m->cap) return;
    for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0) return;
        if (m->keys[i] == key) {
            if (m->vals[i]) m->live--;
            m->vals[i] = NULL;
            return;
        }
    }
}

int map_next(const struct map *m, size_t *i, uint32_t *key, void **val)
{
    for (; *i < m->cap; (*i)++) {
        if (m->keys[*i] && m->vals[*i]) {
            *key = m->keys[*i];
            *val = m->vals[*i];
            (*i)++;
            return 1;
        }
    }
    return 0;
}

void map_free(struct map *m)
{
    free(m->keys);
    free(m->vals);
    *m = (struct map){0};
}
