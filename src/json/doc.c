/* Documents: one arena holds the document struct and every value in it. */
#include "json/value.h"
#include "core/arena.h"
#include "core/ids.h"

#include <stdatomic.h>
#include <string.h>

/* Tags tell documents apart so the builder can refuse a value from another
 * document; a counter is enough (it is a misuse check, not a security one). */
static atomic_uint_fast32_t next_tag = 1;

llmops_json_doc *llmops__json_doc_create(size_t first_block)
{
    llmops__arena a;
    llmops__arena_init(&a, first_block);
    llmops_json_doc *doc = llmops__arena_alloc(&a, sizeof *doc);
    if (!doc) {
        llmops__arena_free(&a);
        return NULL;
    }
    memset(doc, 0, sizeof *doc);
    doc->arena = a;
    doc->tag = (uint32_t)atomic_fetch_add(&next_tag, 1);
    if (doc->tag == 0)
        doc->tag = (uint32_t)atomic_fetch_add(&next_tag, 1);
    return doc;
}

#define SPOOL_CHUNK 4096

void *llmops__json_doc_bytes(llmops_json_doc *doc, size_t n)
{
    if (n <= doc->spool_left) {
        void *p = doc->spool;
        doc->spool += n;
        doc->spool_left -= n;
        return p;
    }
    if (n > SPOOL_CHUNK / 4)
        return llmops__arena_alloc(&doc->arena, n);
    char *chunk = llmops__arena_alloc(&doc->arena, SPOOL_CHUNK);
    if (!chunk)
        return NULL;
    doc->spool = chunk + n;
    doc->spool_left = SPOOL_CHUNK - n;
    return chunk;
}

uint64_t llmops__json_doc_seed(llmops_json_doc *doc)
{
    /* Random per document, so keys crafted to collide in one process's
     * tables do not collide in the next document's. */
    if (!doc->seeded) {
        doc->seed = llmops__rand_u64();
        doc->seeded = 1;
    }
    return doc->seed;
}

llmops_status llmops_json_doc_new(llmops_json_doc **out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = llmops__json_doc_create(0);
    return *out ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

void llmops_json_doc_free(llmops_json_doc *doc)
{
    if (!doc)
        return;
    /* The struct lives in its own arena: take the arena out before freeing. */
    llmops__arena a = doc->arena;
    llmops__arena_free(&a);
}

const llmops_json *llmops_json_doc_root(const llmops_json_doc *doc)
{
    return doc ? doc->root : NULL;
}

llmops_status llmops_json_doc_set_root(llmops_json_doc *doc, llmops_json *value)
{
    if (!doc || !value || value->doc_tag != doc->tag)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (value == doc->root)
        return LLMOPS_OK;
    if (value->flags & JSON_F_PLACED)
        return LLMOPS_E_INVALID_ARGUMENT;
    value->flags |= JSON_F_PLACED;
    doc->root = value;
    return LLMOPS_OK;
}

const char *llmops_json_type_name(llmops_json_type type)
{
    switch (type) {
    case LLMOPS_JSON_NULL: return "null";
    case LLMOPS_JSON_BOOL: return "boolean";
    case LLMOPS_JSON_NUMBER: return "number";
    case LLMOPS_JSON_STRING: return "string";
    case LLMOPS_JSON_ARRAY: return "array";
    case LLMOPS_JSON_OBJECT: return "object";
    }
    return "unknown";
}
