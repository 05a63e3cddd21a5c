/* Building documents: constructors, array append, object set, deep copy.
 *
 * Placing a value copies its node into the container's contiguous child
 * array. A container's children live in its body, which the copy shares with
 * the caller's pointer, so the caller can keep filling a container after
 * placing it. Each value may be placed once, and a container may not be
 * placed inside itself.
 *
 * The cycle check: an unplaced value is the top of its own tree, so placing
 * it into `c` makes a cycle exactly when it is the top of c's tree. Bodies
 * keep union-find links toward their top (a placed body links to the body it
 * was placed in; finds halve the path), so the check is near O(1) even while
 * a very deep document is built top-down. Links are never cut: a container
 * that object_set replaced still counts as part of its old tree, which can
 * only refuse an append into such an orphan, never allow a real cycle. */
#include "json/value.h"
#include "json/number.h"
#include "json/utf8.h"
#include "core/alloc.h"

#include <math.h>
#include <string.h>

static llmops_json *new_node(llmops_json_doc *doc, uint8_t type)
{
    if (!doc)
        return NULL;
    llmops_json *v = llmops__arena_alloc(&doc->arena, sizeof *v);
    if (!v)
        return NULL;
    memset(v, 0, sizeof *v);
    v->type = type;
    v->doc_tag = doc->tag;
    return v;
}

static const char *dup_bytes(llmops_json_doc *doc, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = llmops__json_doc_bytes(doc, len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

llmops_json *llmops_json_new_null(llmops_json_doc *doc)
{
    return new_node(doc, LLMOPS_JSON_NULL);
}

llmops_json *llmops_json_new_bool(llmops_json_doc *doc, int value)
{
    llmops_json *v = new_node(doc, LLMOPS_JSON_BOOL);
    if (v && value)
        v->flags |= JSON_F_TRUE;
    return v;
}

llmops_json *llmops_json_new_int(llmops_json_doc *doc, int64_t value)
{
    char tmp[24];
    size_t n = llmops__json_fmt_i64(value, tmp);
    llmops_json *v = new_node(doc, LLMOPS_JSON_NUMBER);
    if (!v || !(v->p.s = dup_bytes(doc, tmp, n)))
        return NULL;
    v->len = n;
    v->flags |= JSON_F_INT;
    v->num.i = value;
    return v;
}

llmops_json *llmops_json_new_double(llmops_json_doc *doc, double value)
{
    if (!isfinite(value))
        return NULL;
    char tmp[JSON_DOUBLE_BUF];
    size_t n;
    if (value == 0 && signbit(value)) {
        /* Keep the sign in the text so get_double gives -0.0 back. */
        memcpy(tmp, "-0", 3);
        n = 2;
    } else {
        n = llmops__json_fmt_double(value, tmp);
    }
    llmops_json *v = new_node(doc, LLMOPS_JSON_NUMBER);
    if (!v || !(v->p.s = dup_bytes(doc, tmp, n)))
        return NULL;
    v->len = n;
    /* The shortest text of a non-integral double is never an integer (every
     * nearby integer below 2^53 is itself a double), so the text and the
     * flags agree. */
    if (value == floor(value) && value >= -9223372036854775808.0 &&
        value < 9223372036854775808.0) {
        v->flags |= JSON_F_INT;
        v->num.i = (int64_t)value;
    } else {
        v->flags |= JSON_F_DBL;
        v->num.d = value;
    }
    return v;
}

llmops_json *llmops_json_new_string(llmops_json_doc *doc, const char *s, size_t len)
{
    if (!s && len)
        return NULL;
    if (!s)
        s = "";
    if (llmops__utf8_check(s, len) != len)
        return NULL;
    llmops_json *v = new_node(doc, LLMOPS_JSON_STRING);
    if (!v || !(v->p.s = dup_bytes(doc, s, len)))
        return NULL;
    v->len = len;
    return v;
}

static llmops_json *new_container(llmops_json_doc *doc, uint8_t type)
{
    llmops_json *v = new_node(doc, type);
    if (!v)
        return NULL;
    json_body *b = llmops__arena_alloc(&doc->arena, sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    v->p.body = b;
    return v;
}

llmops_json *llmops_json_new_array(llmops_json_doc *doc)
{
    return new_container(doc, LLMOPS_JSON_ARRAY);
}

llmops_json *llmops_json_new_object(llmops_json_doc *doc)
{
    return new_container(doc, LLMOPS_JSON_OBJECT);
}

/* ---- placing ------------------------------------------------------------ */

static json_body *top_of(json_body *b)
{
    while (b->up) {
        if (b->up->up)
            b->up = b->up->up;
        b = b->up;
    }
    return b;
}

static llmops_status check_place(llmops_json_doc *doc, llmops_json *container, uint8_t type,
                                 const llmops_json *value)
{
    if (!doc || !container || !value || container->doc_tag != doc->tag ||
        value->doc_tag != doc->tag)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (container->type != type)
        return LLMOPS_E_TYPE;
    /* A parsed empty container has no body to grow; parsed documents are
     * read-only (copy them to edit). */
    if (!container->p.body || (value->flags & JSON_F_PLACED))
        return LLMOPS_E_INVALID_ARGUMENT;
    if ((value->type == LLMOPS_JSON_ARRAY || value->type == LLMOPS_JSON_OBJECT) &&
        top_of(container->p.body) == value->p.body)
        return LLMOPS_E_INVALID_ARGUMENT;
    return LLMOPS_OK;
}

static int reserve_one(llmops_json_doc *doc, json_body *b, int with_keys)
{
    if (b->count < b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap * 2 : 4;
    if (ncap > SIZE_MAX / sizeof(llmops_json))
        return -1;
    /* With nothing stored yet, allocate afresh: the arena may treat a 0-byte
     * old size as its minimum block and grow over a neighbour. */
    llmops_json *items = llmops__arena_realloc(&doc->arena, b->cap ? b->items : NULL,
                                               b->cap * sizeof *items, ncap * sizeof *items);
    if (!items)
        return -1;
    b->items = items;
    if (with_keys) {
        json_key *keys = llmops__arena_realloc(&doc->arena, b->cap ? b->keys : NULL,
                                               b->cap * sizeof *keys, ncap * sizeof *keys);
        if (!keys)
            return -1;
        b->keys = keys;
    }
    b->cap = ncap;
    return 0;
}

static void place(json_body *into, llmops_json *slot, llmops_json *value)
{
    value->flags |= JSON_F_PLACED;
    *slot = *value;
    if (value->type == LLMOPS_JSON_ARRAY || value->type == LLMOPS_JSON_OBJECT)
        value->p.body->up = into;
}

llmops_status llmops_json_array_append(llmops_json_doc *doc, llmops_json *array,
                                       llmops_json *value)
{
    llmops_status st = check_place(doc, array, LLMOPS_JSON_ARRAY, value);
    if (st != LLMOPS_OK)
        return st;
    json_body *b = array->p.body;
    if (reserve_one(doc, b, 0) != 0)
        return LLMOPS_E_NO_MEMORY;
    place(b, &b->items[b->count], value);
    b->count++;
    return LLMOPS_OK;
}

llmops_status llmops_json_object_set(llmops_json_doc *doc, llmops_json *object, const char *key,
                                     size_t key_len, llmops_json *value)
{
    llmops_status st = check_place(doc, object, LLMOPS_JSON_OBJECT, value);
    if (st != LLMOPS_OK)
        return st;
    if (!key && key_len)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!key)
        key = "";
    if (llmops__utf8_check(key, key_len) != key_len)
        return LLMOPS_E_INVALID_ARGUMENT;
    json_body *b = object->p.body;
    size_t i = llmops__json_find(b, key, key_len);
    if (i != SIZE_MAX) {
        place(b, &b->items[i], value);
        return LLMOPS_OK;
    }
    const char *k = dup_bytes(doc, key, key_len);
    if (!k || reserve_one(doc, b, 1) != 0)
        return LLMOPS_E_NO_MEMORY;
    b->keys[b->count].s = k;
    b->keys[b->count].len = key_len;
    b->items[b->count] = *value;
    b->count++;
    if (llmops__json_index_add(doc, b) != 0) {
        b->count--;
        return LLMOPS_E_NO_MEMORY;
    }
    place(b, &b->items[b->count - 1], value);
    return LLMOPS_OK;
}

/* ---- deep copy ---------------------------------------------------------- */

typedef struct copy_frame {
    const json_body *src;
    json_body *dst;
    size_t i;
    int is_obj;
} copy_frame;

/* Copy the node `src` into `dst` (owned by doc). A container gets a body with
 * room for every child, filled in later by the caller's loop. Returns that
 * body when there are children to fill, else NULL; sets *err on OOM. */
static json_body *copy_node(llmops_json_doc *doc, const llmops_json *src, llmops_json *dst,
                            int *err)
{
    *dst = *src;
    dst->doc_tag = doc->tag;
    if (src->type == LLMOPS_JSON_STRING || src->type == LLMOPS_JSON_NUMBER) {
        if (!(dst->p.s = dup_bytes(doc, src->p.s, src->len)))
            *err = -1;
        return NULL;
    }
    if (src->type != LLMOPS_JSON_ARRAY && src->type != LLMOPS_JSON_OBJECT)
        return NULL;
    size_t n = src->p.body ? src->p.body->count : 0;
    int is_obj = src->type == LLMOPS_JSON_OBJECT;
    size_t per = sizeof(llmops_json) + (is_obj ? sizeof(json_key) : 0);
    json_body *b = NULL;
    if (n <= (SIZE_MAX - sizeof *b) / per)
        b = llmops__arena_alloc(&doc->arena, sizeof *b + n * per);
    if (!b) {
        *err = -1;
        return NULL;
    }
    memset(b, 0, sizeof *b);
    b->count = b->cap = n;
    b->items = (llmops_json *)(b + 1);
    b->keys = is_obj ? (json_key *)(b->items + n) : NULL;
    dst->p.body = b;
    return n ? b : NULL;
}

llmops_json *llmops_json_copy(llmops_json_doc *doc, const llmops_json *v)
{
    if (!doc || !v)
        return NULL;
    llmops_json *root = llmops__arena_alloc(&doc->arena, sizeof *root);
    if (!root)
        return NULL;
    int err = 0;
    copy_frame local[32], *frames = local;
    size_t nf = 0, capf = sizeof local / sizeof local[0];
    json_body *b = copy_node(doc, v, root, &err);
    if (b) {
        frames[0] = (copy_frame){ v->p.body, b, 0, v->type == LLMOPS_JSON_OBJECT };
        nf = 1;
    }
    while (!err && nf) {
        copy_frame *f = &frames[nf - 1];
        if (f->i == f->src->count) {
            size_t dup;
            if (f->is_obj && f->dst->count > JSON_INDEX_MIN &&
                llmops__json_index_build(doc, f->dst, 0, &dup) != 0)
                err = -1;
            nf--;
            continue;
        }
        size_t i = f->i++;
        json_body *parent = f->dst;
        const llmops_json *child = &f->src->items[i];
        if (f->is_obj) {
            const json_key *k = &f->src->keys[i];
            parent->keys[i].len = k->len;
            if (!(parent->keys[i].s = dup_bytes(doc, k->s, k->len))) {
                err = -1;
                break;
            }
        }
        llmops_json *slot = &parent->items[i];
        json_body *cb = copy_node(doc, child, slot, &err);
        if (err)
            break;
        slot->flags |= JSON_F_PLACED;
        if (slot->type == LLMOPS_JSON_ARRAY || slot->type == LLMOPS_JSON_OBJECT)
            slot->p.body->up = parent;
        if (!cb)
            continue;
        if (nf == capf) {
            copy_frame *n = frames == local ? llmops__malloc(2 * capf * sizeof *n)
                                            : llmops__realloc(frames, 2 * capf * sizeof *n);
            if (!n) {
                err = -1;
                break;
            }
            if (frames == local)
                memcpy(n, local, sizeof local);
            frames = n;
            capf *= 2;
        }
        frames[nf++] = (copy_frame){ child->p.body, cb, 0, child->type == LLMOPS_JSON_OBJECT };
    }
    if (frames != local)
        llmops__free(frames);
    if (err)
        return NULL;
    root->flags &= (uint8_t)~JSON_F_PLACED;
    return root;
}
