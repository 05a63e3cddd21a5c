/* Private layout of JSON documents and values, shared by the json/ sources.
 *
 * A value is a small fixed-size node. Containers do not hold their children
 * directly: they point at a body, so that a container copied by value (into
 * its parent's contiguous child array) and the caller's own pointer to it
 * keep sharing one set of children while the builder is still filling it. */
#ifndef LLMOPS_JSON_VALUE_H
#define LLMOPS_JSON_VALUE_H

#include "llmops/json.h"
#include "core/arena.h"

#include <stddef.h>
#include <stdint.h>

/* Node flags. */
enum {
    JSON_F_TRUE   = 1u << 0, /* boolean value */
    JSON_F_INT    = 1u << 1, /* number: num.i holds the exact integer value */
    JSON_F_DBL    = 1u << 2, /* number: num.d holds the nearest double */
    JSON_F_PLACED = 1u << 3  /* the value sits in a container or is a root */
};

typedef struct json_key {
    const char *s;      /* NUL-terminated; may also contain NUL */
    size_t len;
} json_key;

typedef struct json_slot {
    uint32_t idx1;      /* member index + 1; 0 = empty slot */
    uint32_t tag;       /* high hash bits, checked before comparing keys */
} json_slot;

/* Hash index of a large object. The seed travels with the index so a lookup
 * needs nothing but the value itself. */
typedef struct json_index {
    uint64_t seed;
    size_t mask;        /* slot count - 1; slot count is a power of two */
    json_slot slots[];
} json_index;

typedef struct json_body {
    size_t count;
    size_t cap;               /* capacity of items/keys (builder growth) */
    llmops_json *items;       /* children, contiguous, in document order */
    json_key *keys;           /* objects: keys[i] names items[i] */
    json_index *index;        /* objects above JSON_INDEX_MIN members */
    struct json_body *up;     /* builder cycle check: link toward the top of its tree */
} json_body;

struct llmops_json {
    uint8_t type;             /* llmops_json_type */
    uint8_t flags;            /* JSON_F_* */
    uint16_t reserved;
    uint32_t doc_tag;         /* identifies the owning document (builder checks) */
    size_t len;               /* string bytes or number text bytes */
    union {
        const char *s;        /* string bytes or number text, NUL-terminated */
        json_body *body;      /* array/object; NULL for a parsed empty one */
    } p;
    union {
        int64_t i;            /* JSON_F_INT */
        double d;             /* JSON_F_DBL */
    } num;
};

struct llmops_json_doc {
    llmops__arena arena;      /* owns the document, this struct included */
    llmops_json *root;
    uint64_t seed;            /* hash seed for object indexes */
    int seeded;
    uint32_t tag;
    char *spool;              /* byte pool for small strings (no 16-byte rounding) */
    size_t spool_left;
};

/* Objects with more members than this get a hash index. */
#define JSON_INDEX_MIN 12

/* doc.c */
llmops_json_doc *llmops__json_doc_create(size_t first_block);
void *llmops__json_doc_bytes(llmops_json_doc *doc, size_t n);  /* unaligned, for text */
uint64_t llmops__json_doc_seed(llmops_json_doc *doc);

/* index.c */
/* Build the index of `body`'s members. In LAST_WINS mode (reject == 0)
 * duplicates are folded (value moves to the first position) and body->count
 * shrinks; with reject != 0 the first duplicate's member index is returned
 * through *dup and nothing is changed. Returns 0, or -1 on out-of-memory. */
int llmops__json_index_build(llmops_json_doc *doc, json_body *body, int reject, size_t *dup);
/* Member index of key, or SIZE_MAX. Scans small objects, probes large ones. */
size_t llmops__json_find(const json_body *body, const char *key, size_t len);
/* Add member body->count-1 (already stored) to the index; rebuilds it when
 * it fills up or when the object grows past JSON_INDEX_MIN. 0 ok, -1 OOM. */
int llmops__json_index_add(llmops_json_doc *doc, json_body *body);
/* Fold duplicates of a small object without an index (LAST_WINS), or report
 * the first duplicate (reject). Same contract as llmops__json_index_build. */
int llmops__json_dedup_small(json_body *body, int reject, size_t *dup);

#endif
