/* Reading values: accessors, member lookup and deep equality. */
#include "json/value.h"
#include "json/number.h"
#include "core/alloc.h"

#include <string.h>

llmops_json_type llmops_json_type_of(const llmops_json *v)
{
    return v ? (llmops_json_type)v->type : LLMOPS_JSON_NULL;
}

int llmops_json_is_true(const llmops_json *v)
{
    return v && v->type == LLMOPS_JSON_BOOL && (v->flags & JSON_F_TRUE);
}

int llmops_json_is_int(const llmops_json *v)
{
    return v && v->type == LLMOPS_JSON_NUMBER && (v->flags & JSON_F_INT);
}

llmops_status llmops_json_get_bool(const llmops_json *v, int *out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!v || v->type != LLMOPS_JSON_BOOL)
        return LLMOPS_E_TYPE;
    *out = (v->flags & JSON_F_TRUE) != 0;
    return LLMOPS_OK;
}

llmops_status llmops_json_get_int(const llmops_json *v, int64_t *out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!v || v->type != LLMOPS_JSON_NUMBER)
        return LLMOPS_E_TYPE;
    if (!(v->flags & JSON_F_INT))
        return LLMOPS_E_RANGE;
    *out = v->num.i;
    return LLMOPS_OK;
}

llmops_status llmops_json_get_double(const llmops_json *v, double *out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!v || v->type != LLMOPS_JSON_NUMBER)
        return LLMOPS_E_TYPE;
    return llmops__json_num_double(v, out);
}

const char *llmops_json_number_text(const llmops_json *v, size_t *len)
{
    if (!v || v->type != LLMOPS_JSON_NUMBER)
        return NULL;
    if (len)
        *len = v->len;
    return v->p.s;
}

const char *llmops_json_string(const llmops_json *v, size_t *len)
{
    if (!v || v->type != LLMOPS_JSON_STRING)
        return NULL;
    if (len)
        *len = v->len;
    return v->p.s;
}

static const json_body *body_of(const llmops_json *v, int want_object)
{
    if (!v)
        return NULL;
    if (v->type == LLMOPS_JSON_OBJECT || (!want_object && v->type == LLMOPS_JSON_ARRAY))
        return v->p.body;
    return NULL;
}

size_t llmops_json_size(const llmops_json *v)
{
    const json_body *b = body_of(v, 0);
    return b ? b->count : 0;
}

const llmops_json *llmops_json_at(const llmops_json *v, size_t i)
{
    const json_body *b = body_of(v, 0);
    return b && i < b->count ? &b->items[i] : NULL;
}

const char *llmops_json_key_at(const llmops_json *v, size_t i, size_t *len)
{
    const json_body *b = body_of(v, 1);
    if (!b || i >= b->count)
        return NULL;
    if (len)
        *len = b->keys[i].len;
    return b->keys[i].s;
}

const llmops_json *llmops_json_getn(const llmops_json *v, const char *key, size_t len)
{
    const json_body *b = body_of(v, 1);
    if (!b || (!key && len))
        return NULL;
    size_t i = llmops__json_find(b, key ? key : "", len);
    return i == SIZE_MAX ? NULL : &b->items[i];
}

const llmops_json *llmops_json_get(const llmops_json *v, const char *key)
{
    return key ? llmops_json_getn(v, key, strlen(key)) : NULL;
}

/* ---- equality ----------------------------------------------------------- */

typedef struct eq_frame {
    const json_body *a, *b;
    size_t i;
    int is_obj;
} eq_frame;

typedef struct eq_stack {
    eq_frame *f;
    size_t n, cap;
    eq_frame local[32];
} eq_stack;

/* 0: different. 1: equal, or containers of one type and size whose members
 * still need comparing (then a frame was pushed). -1: out of memory. */
static int eq_step(eq_stack *st, const llmops_json *a, const llmops_json *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case LLMOPS_JSON_NULL:
        return 1;
    case LLMOPS_JSON_BOOL:
        return (a->flags & JSON_F_TRUE) == (b->flags & JSON_F_TRUE);
    case LLMOPS_JSON_NUMBER:
        return llmops__json_num_equal(a, b);
    case LLMOPS_JSON_STRING:
        return a->len == b->len && memcmp(a->p.s, b->p.s, a->len) == 0;
    default:
        break;
    }
    size_t na = a->p.body ? a->p.body->count : 0, nb = b->p.body ? b->p.body->count : 0;
    if (na != nb)
        return 0;
    if (na == 0 || a->p.body == b->p.body)
        return 1;
    if (st->n == st->cap) {
        size_t ncap = st->cap * 2;
        eq_frame *nf = st->f == st->local ? llmops__malloc(ncap * sizeof *nf)
                                          : llmops__realloc(st->f, ncap * sizeof *nf);
        if (!nf)
            return -1;
        if (st->f == st->local)
            memcpy(nf, st->local, sizeof st->local);
        st->f = nf;
        st->cap = ncap;
    }
    eq_frame *f = &st->f[st->n++];
    f->a = a->p.body;
    f->b = b->p.body;
    f->i = 0;
    f->is_obj = a->type == LLMOPS_JSON_OBJECT;
    return 1;
}

/* Iterative, so builder-made documents of any depth cannot exhaust the C
 * stack. Equality has no error channel: if the scratch stack cannot grow
 * (only for nesting deeper than 32), the values are reported unequal. */
int llmops_json_equal(const llmops_json *a, const llmops_json *b)
{
    if (!a || !b)
        return a == b;
    eq_stack st;
    st.f = st.local;
    st.n = 0;
    st.cap = sizeof st.local / sizeof st.local[0];
    int r = eq_step(&st, a, b);
    while (r > 0 && st.n > 0) {
        eq_frame *f = &st.f[st.n - 1];
        if (f->i == f->a->count) {
            st.n--;
            continue;
        }
        size_t i = f->i++;
        if (!f->is_obj) {
            r = eq_step(&st, &f->a->items[i], &f->b->items[i]);
            continue;
        }
        const json_key *k = &f->a->keys[i];
        size_t j = llmops__json_find(f->b, k->s, k->len);
        r = j == SIZE_MAX ? 0 : eq_step(&st, &f->a->items[i], &f->b->items[j]);
    }
    if (st.f != st.local)
        llmops__free(st.f);
    return r > 0;
}
