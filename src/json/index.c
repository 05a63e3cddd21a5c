/* Object member lookup: a linear scan for small objects, an open-addressing
 * hash index (linear probing, load <= 1/2) above JSON_INDEX_MIN members.
 * Duplicate keys are found while the index is built, so neither parsing nor
 * building an object with many members is quadratic. */
#include "json/value.h"
#include "core/hash.h"

#include <string.h>

static int key_eq(const json_key *k, const char *s, size_t len)
{
    return k->len == len && (len == 0 || (k->s[0] == s[0] && memcmp(k->s, s, len) == 0));
}

static json_index *index_alloc(llmops_json_doc *doc, size_t count)
{
    size_t slots = 16;
    while (slots < count * 2)
        slots *= 2;
    if (slots > SIZE_MAX / sizeof(json_slot) - sizeof(json_index))
        return NULL;
    json_index *ix = llmops__arena_alloc(&doc->arena, sizeof *ix + slots * sizeof(json_slot));
    if (!ix)
        return NULL;
    ix->seed = llmops__json_doc_seed(doc);
    ix->mask = slots - 1;
    memset(ix->slots, 0, slots * sizeof(json_slot));
    return ix;
}

/* Find `key` or the empty slot where it would go. */
static json_slot *probe(const json_index *ix, const json_key *keys, const char *s, size_t len,
                        uint64_t h)
{
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & ix->mask;
    for (;;) {
        json_slot *sl = (json_slot *)&ix->slots[i];
        if (!sl->idx1 || (sl->tag == tag && key_eq(&keys[sl->idx1 - 1], s, len)))
            return sl;
        i = (i + 1) & ix->mask;
    }
}

int llmops__json_index_build(llmops_json_doc *doc, json_body *body, int reject, size_t *dup)
{
    if (body->count >= UINT32_MAX)
        return -1;
    json_index *ix = index_alloc(doc, body->count);
    if (!ix)
        return -1;
    size_t out = 0;
    for (size_t i = 0; i < body->count; i++) {
        const json_key *k = &body->keys[i];
        uint64_t h = llmops__hash_bytes(k->s, k->len, ix->seed);
        json_slot *sl = probe(ix, body->keys, k->s, k->len, h);
        if (sl->idx1) {
            if (reject) {
                *dup = i;
                return 0;
            }
            /* Later value, earlier position (JSON.parse semantics). */
            body->items[sl->idx1 - 1] = body->items[i];
            continue;
        }
        if (out != i) {
            body->keys[out] = body->keys[i];
            body->items[out] = body->items[i];
        }
        sl->idx1 = (uint32_t)(out + 1);
        sl->tag = (uint32_t)(h >> 32);
        out++;
    }
    body->count = out;
    body->index = ix;
    *dup = SIZE_MAX;
    return 0;
}

/* A 16-bit summary of a key from its length and a few of its bytes: keys
 * with different summaries differ, so the compare loop looks at summaries
 * and touches key bytes only on a match. */
static unsigned key_sig(const json_key *k)
{
    unsigned h = (unsigned)k->len * 0x9E37u;
    if (k->len) {
        const unsigned char *s = (const unsigned char *)k->s;
        h ^= s[0] * 0x3Bu ^ s[k->len - 1] * 0x1F1u ^ s[k->len / 2] * 0x7Du;
    }
    return h & 0xFFFF;
}

int llmops__json_dedup_small(json_body *body, int reject, size_t *dup)
{
    /* Called for objects of at most JSON_INDEX_MIN members. */
    uint16_t sig[JSON_INDEX_MIN];
    size_t out = 0;
    *dup = SIZE_MAX;
    for (size_t i = 0; i < body->count && i < JSON_INDEX_MIN; i++) {
        const json_key *k = &body->keys[i];
        unsigned h = key_sig(k);
        size_t j = 0;
        while (j < out && !(sig[j] == h && key_eq(&body->keys[j], k->s, k->len)))
            j++;
        if (j < out) {
            if (reject) {
                *dup = i;
                return 0;
            }
            body->items[j] = body->items[i];
            continue;
        }
        if (out != i) {
            body->keys[out] = body->keys[i];
            body->items[out] = body->items[i];
        }
        sig[out++] = (uint16_t)h;
    }
    body->count = out;
    return 0;
}

size_t llmops__json_find(const json_body *body, const char *key, size_t len)
{
    if (!body)
        return SIZE_MAX;
    if (!body->index) {
        for (size_t i = 0; i < body->count; i++)
            if (key_eq(&body->keys[i], key, len))
                return i;
        return SIZE_MAX;
    }
    const json_index *ix = body->index;
    const json_slot *sl = probe(ix, body->keys, key, len, llmops__hash_bytes(key, len, ix->seed));
    return sl->idx1 ? sl->idx1 - 1 : SIZE_MAX;
}

int llmops__json_index_add(llmops_json_doc *doc, json_body *body)
{
    size_t n = body->count;
    if (n <= JSON_INDEX_MIN)
        return 0;
    if (!body->index || n * 2 > body->index->mask + 1) {
        /* Rebuild at twice the size; amortised O(1) per member. Keys are
         * already unique, so the rebuild never folds anything. */
        size_t dup;
        body->index = NULL;
        return llmops__json_index_build(doc, body, 0, &dup);
    }
    json_index *ix = body->index;
    const json_key *k = &body->keys[n - 1];
    uint64_t h = llmops__hash_bytes(k->s, k->len, ix->seed);
    json_slot *sl = probe(ix, body->keys, k->s, k->len, h);
    sl->idx1 = (uint32_t)n;
    sl->tag = (uint32_t)(h >> 32);
    return 0;
}
