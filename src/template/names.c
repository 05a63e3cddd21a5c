/* The names a template reads from its root context (see mustache.h). */
#include "template/ops.h"

#include <string.h>

#include "core/alloc.h"

typedef struct nset {
    char **names;
    size_t n, cap;
    uint32_t *slots;          /* open addressing over names, index + 1; 0 = empty */
    size_t nslots;
} nset;

static int nset_add(nset *s, const char *p, size_t len)
{
    uint32_t h = llmops__tmpl_hash(p, len);
    if ((s->n + 1) * 2 > s->nslots) {
        size_t ns = s->nslots ? s->nslots * 2 : 16;
        uint32_t *sl = llmops__calloc(ns, sizeof *sl);
        if (!sl)
            return -1;
        for (size_t i = 0; i < s->n; i++) {
            size_t j = llmops__tmpl_hash(s->names[i], strlen(s->names[i])) & (ns - 1);
            while (sl[j])
                j = (j + 1) & (ns - 1);
            sl[j] = (uint32_t)(i + 1);
        }
        llmops__free(s->slots);
        s->slots = sl;
        s->nslots = ns;
    }
    size_t j = h & (s->nslots - 1);
    for (; s->slots[j]; j = (j + 1) & (s->nslots - 1)) {
        const char *q = s->names[s->slots[j] - 1];
        if (strlen(q) == len && memcmp(q, p, len) == 0)
            return 0;
    }
    if (s->n == s->cap) {
        size_t cap = llmops__grow_cap(s->cap, s->n + 1, sizeof *s->names);
        char **nn = cap ? llmops__realloc(s->names, cap * sizeof *nn) : NULL;
        if (!nn)
            return -1;
        s->names = nn;
        s->cap = cap;
    }
    char *copy = llmops__strndup(p, len);
    if (!copy)
        return -1;
    s->names[s->n++] = copy;
    s->slots[j] = (uint32_t)s->n;
    return 0;
}

static int add_name(nset *s, const llmops__tmpl *t, uint32_t idx)
{
    const llmops__tmpl_name *nm = &t->names[idx];
    if (nm->nparts == 0)
        return 0;
    const llmops__tmpl_part *p = &t->parts[nm->first];
    /* A name with a NUL byte cannot be listed as a C string; it is never a key
     * a host could have meant, so it is left out. */
    if (memchr(t->src + p->off, '\0', p->len))
        return 0;
    return nset_add(s, t->src + p->off, p->len);
}

/* Walk ops [from, to); `inner` = inside a section, whose value may answer names. */
static int walk(nset *s, const llmops__tmpl *t, uint32_t from, uint32_t to, int inner)
{
    for (uint32_t i = from; i < to;) {
        const llmops__tmpl_op *op = &t->ops[i];
        int rc = 0;
        switch (op->kind) {
        case LLMOPS__OP_VAR:
            if (!inner)
                rc = add_name(s, t, op->name);
            i++;
            break;
        case LLMOPS__OP_SECTION:
            if (!inner)
                rc = add_name(s, t, op->name);
            if (!rc)
                rc = walk(s, t, i + 1, op->end, 1);
            i = op->end;
            break;
        case LLMOPS__OP_INVERTED:
            if (!inner)
                rc = add_name(s, t, op->name);
            if (!rc)
                rc = walk(s, t, i + 1, op->end, inner);
            i = op->end;
            break;
        case LLMOPS__OP_PARTIAL:
            if (!inner && (op->flags & LLMOPS__OPF_DYNAMIC))
                rc = add_name(s, t, op->name);
            i++;
            break;
        case LLMOPS__OP_PARENT:
            if (!inner && (op->flags & LLMOPS__OPF_DYNAMIC))
                rc = add_name(s, t, op->name);
            /* Only the argument blocks of a parent render. */
            for (uint32_t j = i + 1; !rc && j < op->end;) {
                const llmops__tmpl_op *a = &t->ops[j];
                if (a->kind == LLMOPS__OP_BLOCK)
                    rc = walk(s, t, j + 1, a->end, inner);
                j = a->end != UINT32_MAX ? a->end : j + 1;
            }
            i = op->end;
            break;
        case LLMOPS__OP_BLOCK:
            rc = walk(s, t, i + 1, op->end, inner);
            i = op->end;
            break;
        default:
            i++;
            break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

void llmops__tmpl_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        llmops__free(names[i]);
    llmops__free(names);
}

llmops_status llmops__tmpl_names(const llmops__tmpl *t, char ***names, size_t *n)
{
    if (!names || !n || !t)
        return LLMOPS_E_INVALID_ARGUMENT;
    *names = NULL;
    *n = 0;
    nset s;
    memset(&s, 0, sizeof s);
    int rc = walk(&s, t, 0, t->nops, 0);
    llmops__free(s.slots);
    if (rc) {
        llmops__tmpl_names_free(s.names, s.n);
        return LLMOPS_E_NO_MEMORY;
    }
    if (s.n == 0) {
        llmops__free(s.names);
        return LLMOPS_OK;
    }
    *names = s.names;
    *n = s.n;
    return LLMOPS_OK;
}
