/* Compiling a draft 2020-12 schema: a scan registers every subschema with
 * its base URI, resource, anchors and location; then each reachable schema
 * object becomes one node whose keywords are checked, converted and linked
 * (references point straight at their target node, so cycles are plain
 * pointer cycles). Nothing of the source JSON is needed afterwards except
 * values a resolver returned, which outlive the schema by contract. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "llmops_config.h"
#include "schema/internal.h"


#define DIALECT_2020 "https://json-schema.org/draft/2020-12/schema"
#define VOCAB_PREFIX "https://json-schema.org/draft/2020-12/vocab/"
/* Schema documents nest at most this deep (the JSON parser's default). */
#define COMPILE_MAX_NEST 600u

enum {
    VOC_APPLICATOR = 1u << 0, VOC_UNEVAL = 1u << 1, VOC_VALIDATION = 1u << 2,
    VOC_FORMAT_ASSERT = 1u << 3, VOC_ALL_DEFAULT = VOC_APPLICATOR | VOC_UNEVAL | VOC_VALIDATION
};

/* ---- a small byte-string keyed hash map (compile time only) ------------- */

typedef struct map_entry {
    const char *key;
    size_t len;
    uint64_t h;
    void *val;
} map_entry;

typedef struct map {
    map_entry *e;
    size_t cap, n;
} map;

static map_entry *map_slot(const map *m, const void *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        map_entry *e = &m->e[i];
        if (!e->key || (e->h == h && e->len == len && !memcmp(e->key, key, len)))
            return e;
    }
}

static void *map_get(const map *m, const void *key, size_t len)
{
    if (!m->cap)
        return NULL;
    map_entry *e = map_slot(m, key, len, llmops__hash_bytes(key, len, 0x5c4e3a));
    return e->key ? e->val : NULL;
}

/* `key` must stay valid while the map lives. 0 ok, -1 out of memory. */
static int map_put(map *m, const char *key, size_t len, void *val)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        map_entry *ne = llmops__calloc(ncap, sizeof *ne);
        if (!ne)
            return -1;
        map old = *m;
        m->e = ne;
        m->cap = ncap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.e[i].key)
                *map_slot(m, old.e[i].key, old.e[i].len, old.e[i].h) = old.e[i];
        llmops__free(old.e);
    }
    uint64_t h = llmops__hash_bytes(key, len, 0x5c4e3a);
    map_entry *e = map_slot(m, key, len, h);
    if (!e->key)
        m->n++;
    e->key = key;
    e->len = len;
    e->h = h;
    e->val = val;
    return 0;
}

/* ---- compiler state ------------------------------------------------------ */

typedef struct vinfo {
    const char *base;
    llmops__sch_resource *res;
    const char *loc;
    llmops__sch_node *node;
} vinfo;

typedef struct docinfo {
    const llmops_json *root;
    llmops__sch_resource *res;
    const char *prefix; /* location prefix of its schema paths */
} docinfo;

typedef struct cctx {
    llmops__schema *s;
    const llmops__schema_options *opts;
    llmops__buf *err;
    llmops_status st;
    llmops__arena tmp;      /* compile-time records and keys */
    map values;             /* address of a schema value -> vinfo */
    map docs;               /* absolute URI without fragment -> docinfo */
    map anchors;            /* "uri#name" -> schema value */
    llmops__sch_resource **resources;
    size_t nres, capres;
    unsigned vocab;
    int format_assert;
} cctx;

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void set_error(cctx *c, llmops_status st, const char *loc, const char *kw,
                      const char *fmt, ...)
{
    if (c->st != LLMOPS_OK)
        return;
    c->st = st;
    if (!c->err)
        return;
    if (st == LLMOPS_E_NO_MEMORY) {
        llmops__buf_puts(c->err, "out of memory compiling the schema");
        return;
    }
    llmops__buf_printf(c->err, "schema at \"%s", loc ? loc : "");
    if (kw) {
        llmops__buf_putc(c->err, '/');
        llmops__pointer_append_token(c->err, kw, strlen(kw));
    }
    llmops__buf_puts(c->err, "\": ");
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    llmops__buf_puts(c->err, line);
}

static void nomem(cctx *c)
{
    set_error(c, LLMOPS_E_NO_MEMORY, NULL, NULL, "out of memory");
}

static char *keep_str(cctx *c, const char *s, size_t len)
{
    char *p = llmops__arena_strndup(&c->s->arena, s, len);
    if (!p)
        nomem(c);
    return p;
}

static void *keep(cctx *c, size_t count, size_t size)
{
    void *p = llmops__arena_calloc(&c->s->arena, count ? count : 1, size);
    if (!p)
        nomem(c);
    return p;
}

/* Location of a child: parent + "/" + keyword [+ "/" + key]. */
static const char *child_loc(cctx *c, const char *loc, const char *kw, const char *key,
                             size_t key_len)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, loc);
    llmops__buf_putc(&b, '/');
    llmops__pointer_append_token(&b, kw, strlen(kw));
    if (key) {
        llmops__buf_putc(&b, '/');
        llmops__pointer_append_token(&b, key, key_len);
    }
    const char *r = b.failed ? NULL : keep_str(c, b.data, b.len);
    if (b.failed)
        nomem(c);
    llmops__buf_free(&b);
    return r;
}

static const char *index_loc(cctx *c, const char *loc, const char *kw, size_t i)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", i);
    return child_loc(c, loc, kw, num, (size_t)n);
}

static llmops__sch_resource *new_resource(cctx *c, const char *uri, size_t len)
{
    llmops__sch_resource *r = keep(c, 1, sizeof *r);
    if (!r || !(r->uri = keep_str(c, uri, len)))
        return NULL;
    if (c->nres == c->capres) {
        size_t ncap = c->capres ? c->capres * 2 : 8;
        void *p = llmops__realloc(c->resources, ncap * sizeof *c->resources);
        if (!p) {
            nomem(c);
            return NULL;
        }
        c->resources = p;
        c->capres = ncap;
    }
    c->resources[c->nres++] = r;
    return r;
}

static docinfo *add_doc(cctx *c, const char *uri, size_t len, const llmops_json *root,
                        llmops__sch_resource *res)
{
    docinfo *d = llmops__arena_calloc(&c->tmp, 1, sizeof *d);
    char *key = llmops__arena_strndup(&c->tmp, uri, len);
    llmops__buf pre = LLMOPS__BUF_INIT;
    if (len) {
        llmops__buf_append(&pre, uri, len);
        llmops__buf_putc(&pre, '#');
    }
    if (!d || !key || pre.failed || map_put(&c->docs, key, len, d)) {
        llmops__buf_free(&pre);
        nomem(c);
        return NULL;
    }
    d->root = root;
    d->res = res;
    d->prefix = keep_str(c, pre.data ? pre.data : "", pre.len);
    llmops__buf_free(&pre);
    return d;
}

static int valid_anchor(const char *s, size_t len)
{
    if (!len || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return 0;
    }
    return 1;
}

static int add_anchor(cctx *c, llmops__sch_resource *res, const char *name, size_t nlen,
                      const llmops_json *v, int dynamic, const char *loc)
{
    if (!valid_anchor(name, nlen)) {
        set_error(c, LLMOPS_E_SCHEMA, loc, dynamic ? "$dynamicAnchor" : "$anchor",
                  "\"%.200s\" is not a valid anchor name", name);
        return -1;
    }
    size_t ulen = strlen(res->uri);
    char *key = llmops__arena_alloc(&c->tmp, ulen + nlen + 2);
    if (!key) {
        nomem(c);
        return -1;
    }
    memcpy(key, res->uri, ulen);
    key[ulen] = '#';
    memcpy(key + ulen + 1, name, nlen);
    key[ulen + 1 + nlen] = '\0';
    if (map_put(&c->anchors, key, ulen + 1 + nlen, (void *)v)) {
        nomem(c);
        return -1;
    }
    if (dynamic) {
        if (res->ndyn == res->dyn_cap) {
            size_t ncap = res->dyn_cap ? res->dyn_cap * 2 : 4;
            const char **nn = keep(c, ncap, sizeof *nn);
            const llmops_json **nv = keep(c, ncap, sizeof *nv);
            llmops__sch_node **nd = keep(c, ncap, sizeof *nd);
            if (!nn || !nv || !nd)
                return -1;
            if (res->ndyn) {
                memcpy(nn, res->dyn_names, res->ndyn * sizeof *nn);
                memcpy(nv, res->dyn_values, res->ndyn * sizeof *nv);
            }
            res->dyn_names = nn;
            res->dyn_values = nv;
            res->dyn_nodes = nd;
            res->dyn_cap = ncap;
        }
        if (!(res->dyn_names[res->ndyn] = keep_str(c, name, nlen)))
            return -1;
        res->dyn_values[res->ndyn++] = v;
    }
    return 0;
}

/* ---- scan: register subschemas, resources and anchors --------------------- */

static const char *const single_kw[] = {
    "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
};
static const char *const array_kw[] = { "allOf", "anyOf", "oneOf", "prefixItems", "items" };
static const char *const map_kw[] = { "properties", "patternProperties", "$defs",
                                      "dependentSchemas", "dependencies" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void scan(cctx *c, const llmops_json *v, const char *base, llmops__sch_resource *res,
                 const char *loc, unsigned nest)
{
    llmops_json_type t = llmops_json_type_of(v);
    if (c->st || (t != LLMOPS_JSON_OBJECT && t != LLMOPS_JSON_BOOL))
        return;
    if (map_get(&c->values, &v, sizeof v))
        return;
    if (nest > COMPILE_MAX_NEST) {
        set_error(c, LLMOPS_E_LIMIT, loc, NULL, "schema nested deeper than %s levels", "600");
        return;
    }
    if (t == LLMOPS_JSON_OBJECT) {
        const llmops_json *id = llmops_json_get(v, "$id");
        if (id && llmops_json_type_of(id) != LLMOPS_JSON_STRING) {
            set_error(c, LLMOPS_E_SCHEMA, loc, "$id", "must be a string");
            return;
        }
        if (id) {
            llmops__buf full = LLMOPS__BUF_INIT;
            llmops__uri_resolve(&full, base, llmops_json_string(id, NULL));
            if (full.failed) {
                llmops__buf_free(&full);
                nomem(c);
                return;
            }
            size_t dl = llmops__uri_doc_len(full.data);
            if (dl + 1 < full.len) {
                set_error(c, LLMOPS_E_SCHEMA, loc, "$id",
                          "\"%.200s\" has a fragment (use $anchor for names)",
                          llmops_json_string(id, NULL));
                llmops__buf_free(&full);
                return;
            }
            docinfo *d = map_get(&c->docs, full.data, dl);
            if (d && d->root == v) {
                res = d->res;
            } else {
                res = new_resource(c, full.data, dl);
                /* the first resource with a URI keeps it */
                if (res && !d)
                    add_doc(c, full.data, dl, v, res);
            }
            base = res ? res->uri : NULL;
            llmops__buf_free(&full);
            if (!res)
                return;
        }
    }
    vinfo *vi = llmops__arena_calloc(&c->tmp, 1, sizeof *vi);
    const llmops_json **key = llmops__arena_alloc(&c->tmp, sizeof *key);
    if (!vi || !key) {
        nomem(c);
        return;
    }
    *key = v;
    vi->base = base;
    vi->res = res;
    vi->loc = loc;
    if (map_put(&c->values, (const char *)key, sizeof *key, vi)) {
        nomem(c);
        return;
    }
    if (t != LLMOPS_JSON_OBJECT)
        return;
    const llmops_json *a;
    size_t alen;
    if ((a = llmops_json_get(v, "$anchor"))) {
        const char *name = llmops_json_string(a, &alen);
        if (!name) {
            set_error(c, LLMOPS_E_SCHEMA, loc, "$anchor", "must be a string");
            return;
        }
        if (add_anchor(c, res, name, alen, v, 0, loc))
            return;
    }
    if ((a = llmops_json_get(v, "$dynamicAnchor"))) {
        const char *name = llmops_json_string(a, &alen);
        if (!name) {
            set_error(c, LLMOPS_E_SCHEMA, loc, "$dynamicAnchor", "must be a string");
            return;
        }
        if (add_anchor(c, res, name, alen, v, 1, loc))
            return;
    }
    for (size_t k = 0; k < COUNT(single_kw) && !c->st; k++)
        if ((a = llmops_json_get(v, single_kw[k])))
            scan(c, a, base, res, child_loc(c, loc, single_kw[k], NULL, 0), nest + 1);
    for (size_t k = 0; k < COUNT(array_kw) && !c->st; k++)
        if ((a = llmops_json_get(v, array_kw[k])) && llmops_json_type_of(a) == LLMOPS_JSON_ARRAY)
            for (size_t i = 0; i < llmops_json_size(a) && !c->st; i++)
                scan(c, llmops_json_at(a, i), base, res, index_loc(c, loc, array_kw[k], i),
                     nest + 1);
    for (size_t k = 0; k < COUNT(map_kw) && !c->st; k++)
        if ((a = llmops_json_get(v, map_kw[k])) && llmops_json_type_of(a) == LLMOPS_JSON_OBJECT)
            for (size_t i = 0; i < llmops_json_size(a) && !c->st; i++) {
                size_t kl;
                const char *kn = llmops_json_key_at(a, i, &kl);
                scan(c, llmops_json_at(a, i), base, res, child_loc(c, loc, map_kw[k], kn, kl),
                     nest + 1);
            }
}

/* The document at `uri` (no fragment): already known, built in, or from the
 * host's resolver. NULL when nobody has it. */
static docinfo *load_doc(cctx *c, const char *uri, size_t len)
{
    docinfo *d = map_get(&c->docs, uri, len);
    if (d || c->st)
        return d;
    const llmops_json *root = NULL;
    const char *text = llmops__sch_builtin(uri, len);
    char *key = llmops__arena_strndup(&c->tmp, uri, len);
    if (!key) {
        nomem(c);
        return NULL;
    }
    if (text) {
        llmops_json_doc *doc = NULL;
        llmops_status st = llmops_json_parse(&doc, text, strlen(text), NULL, NULL);
        if (st) {
            set_error(c, st == LLMOPS_E_NO_MEMORY ? st : LLMOPS_E_INTERNAL, NULL, NULL,
                      "built-in meta-schema %s does not parse", key);
            return NULL;
        }
        llmops__schema *s = c->s;
        if (s->ndocs == s->cap_docs) {
            size_t ncap = s->cap_docs ? s->cap_docs * 2 : 4;
            void *p = llmops__realloc(s->docs, ncap * sizeof *s->docs);
            if (!p) {
                llmops_json_doc_free(doc);
                nomem(c);
                return NULL;
            }
            s->docs = p;
            s->cap_docs = ncap;
        }
        s->docs[s->ndocs++] = doc;
        root = llmops_json_doc_root(doc);
    } else if (c->opts && c->opts->resolve) {
        root = c->opts->resolve(c->opts->resolve_ud, key);
    }
    if (!root)
        return NULL;
    llmops__sch_resource *res = new_resource(c, uri, len);
    if (!res || !(d = add_doc(c, uri, len, root, res)))
        return NULL;
    scan(c, root, res->uri, res, d->prefix, 0);
    return c->st ? NULL : d;
}

/* ---- compile ----------------------------------------------------------------- */

static llmops__sch_node *compile_value(cctx *c, const llmops_json *v, unsigned nest);

static vinfo *info_of(cctx *c, const llmops_json *v)
{
    return map_get(&c->values, &v, sizeof v);
}

/* Resolve a $ref / $dynamicRef value to its target node. */
static llmops__sch_node *resolve_ref(cctx *c, const vinfo *vi, const char *kw,
                                     const llmops_json *refv, const char **dyn_name,
                                     unsigned nest)
{
    const char *ref = llmops_json_string(refv, NULL);
    if (!ref) {
        set_error(c, LLMOPS_E_SCHEMA, vi->loc, kw, "must be a string");
        return NULL;
    }
    llmops__buf full = LLMOPS__BUF_INIT, frag = LLMOPS__BUF_INIT;
    llmops__sch_node *node = NULL;
    llmops__uri_resolve(&full, vi->base, ref);
    if (full.failed) {
        nomem(c);
        goto out;
    }
    size_t dl = llmops__uri_doc_len(full.data);
    docinfo *d = load_doc(c, full.data, dl);
    if (!d) {
        if (!c->st)
            set_error(c, LLMOPS_E_SCHEMA, vi->loc, kw, "cannot resolve reference \"%.200s\"",
                      full.data);
        goto out;
    }
    const char *fr = dl < full.len ? full.data + dl + 1 : "";
    if (llmops__uri_pct_decode(&frag, fr, strlen(fr))) {
        set_error(c, LLMOPS_E_SCHEMA, vi->loc, kw, "bad percent-escape in \"%.200s\"", full.data);
        goto out;
    }
    if (frag.failed) {
        nomem(c);
        goto out;
    }
    const llmops_json *target;
    int anchor = frag.len > 0 && frag.data[0] != '/';
    if (!anchor) {
        target = llmops__json_pointer_get(d->root, frag.data, frag.len);
    } else {
        /* anchors are registered under their resource's URI, which is the
         * document URI as resolved here */
        full.data[dl] = '#';
        target = map_get(&c->anchors, full.data, full.len);
    }
    llmops_json_type tt = llmops_json_type_of(target);
    if (!target || (tt != LLMOPS_JSON_OBJECT && tt != LLMOPS_JSON_BOOL)) {
        set_error(c, LLMOPS_E_SCHEMA, vi->loc, kw,
                  target ? "reference \"%.200s\" does not point to a schema"
                         : "reference \"%.200s\" has no target",
                  full.data);
        goto out;
    }
    if (!info_of(c, target)) {
        /* a pointer into a place the scan did not visit (an unknown keyword) */
        llmops__buf loc = LLMOPS__BUF_INIT;
        llmops__buf_puts(&loc, d->prefix);
        llmops__buf_append(&loc, frag.data, frag.len);
        const char *l = loc.failed ? NULL : keep_str(c, loc.data ? loc.data : "", loc.len);
        llmops__buf_free(&loc);
        if (!l) {
            nomem(c);
            goto out;
        }
        scan(c, target, d->res->uri, d->res, l, nest);
        if (c->st)
            goto out;
    }
    node = compile_value(c, target, nest + 1);
    if (node && dyn_name && anchor) {
        /* $dynamicRef is dynamic only when it first lands on a matching
         * $dynamicAnchor ("bookending") */
        const vinfo *ti = info_of(c, target);
        for (size_t i = 0; ti && i < ti->res->ndyn; i++)
            if (ti->res->dyn_values[i] == target && !strcmp(ti->res->dyn_names[i], frag.data)) {
                *dyn_name = ti->res->dyn_names[i];
                break;
            }
    }
out:
    llmops__buf_free(&full);
    llmops__buf_free(&frag);
    return c->st ? NULL : node;
}

static llmops__sch_node *sub(cctx *c, const llmops_json *v, const char *loc, const char *kw,
                             unsigned nest)
{
    llmops_json_type t = llmops_json_type_of(v);
    if (t != LLMOPS_JSON_OBJECT && t != LLMOPS_JSON_BOOL) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be a schema (object or boolean), got %s",
                  llmops_json_type_name(t));
        return NULL;
    }
    return compile_value(c, v, nest + 1);
}

static int nonneg(cctx *c, const llmops_json *v, const char *loc, const char *kw, uint64_t *out)
{
    double d;
    if (llmops_json_type_of(v) != LLMOPS_JSON_NUMBER ||
        (llmops_json_get_double(v, &d) == LLMOPS_OK && (d < 0 || floor(d) != d))) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be a non-negative integer");
        return -1;
    }
    int64_t i;
    if (llmops_json_get_int(v, &i) == LLMOPS_OK)
        *out = (uint64_t)i;
    else
        *out = UINT64_MAX; /* larger than any instance can be */
    return 0;
}

static int number(cctx *c, const llmops_json *v, const char *loc, const char *kw,
                  llmops__sch_num *out)
{
    if (llmops_json_type_of(v) != LLMOPS_JSON_NUMBER) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be a number, got %s",
                  llmops_json_type_name(llmops_json_type_of(v)));
        return -1;
    }
    out->is_int = llmops_json_get_int(v, &out->i) == LLMOPS_OK;
    if (llmops_json_get_double(v, &out->d) != LLMOPS_OK) {
        const char *txt = llmops_json_number_text(v, NULL);
        out->d = txt && txt[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    }
    return 0;
}

static unsigned type_bit(const char *name)
{
    static const struct {
        const char *n;
        unsigned bit;
    } types[] = { { "null", SCH_T_NULL },     { "boolean", SCH_T_BOOLEAN },
                  { "object", SCH_T_OBJECT }, { "array", SCH_T_ARRAY },
                  { "number", SCH_T_NUMBER }, { "string", SCH_T_STRING },
                  { "integer", SCH_T_INTEGER } };
    for (size_t i = 0; name && i < COUNT(types); i++)
        if (!strcmp(name, types[i].n))
            return types[i].bit;
    return 0;
}

static int kw_type(cctx *c, llmops__sch_node *n, const llmops_json *v, const char *loc)
{
    if (llmops_json_type_of(v) == LLMOPS_JSON_STRING) {
        n->types = type_bit(llmops_json_string(v, NULL));
        if (!n->types) {
            set_error(c, LLMOPS_E_SCHEMA, loc, "type", "unknown type \"%.200s\"",
                      llmops_json_string(v, NULL));
            return -1;
        }
    } else if (llmops_json_type_of(v) == LLMOPS_JSON_ARRAY) {
        for (size_t i = 0; i < llmops_json_size(v); i++) {
            const char *name = llmops_json_string(llmops_json_at(v, i), NULL);
            unsigned bit = type_bit(name);
            if (!bit || (n->types & bit)) {
                set_error(c, LLMOPS_E_SCHEMA, loc, "type",
                          bit ? "type \"%.200s\" listed twice" : "unknown type \"%.200s\"",
                          name ? name : "(not a string)");
                return -1;
            }
            n->types |= bit;
        }
    } else {
        set_error(c, LLMOPS_E_SCHEMA, loc, "type", "must be a type name or an array of them");
        return -1;
    }
    n->has |= SCH_TYPE;
    return 0;
}

static void *add_regex(cctx *c, const char *src, size_t len, const char *loc, const char *kw)
{
    llmops__buf why = LLMOPS__BUF_INIT;
    void *re = llmops__sch_regex_compile(src, len, &why);
    if (!re) {
        set_error(c, LLMOPS_HAVE_PCRE2 ? LLMOPS_E_SCHEMA : LLMOPS_E_UNSUPPORTED, loc, kw,
                  "invalid regular expression \"%.200s\": %s", src,
                  why.data ? why.data : "out of memory");
        llmops__buf_free(&why);
        return NULL;
    }
    llmops__buf_free(&why);
    llmops__schema *s = c->s;
    if (s->nregexes == s->cap_regexes) {
        size_t ncap = s->cap_regexes ? s->cap_regexes * 2 : 8;
        void *p = llmops__realloc(s->regexes, ncap * sizeof *s->regexes);
        if (!p) {
            llmops__sch_regex_free(re);
            nomem(c);
            return NULL;
        }
        s->regexes = p;
        s->cap_regexes = ncap;
    }
    s->regexes[s->nregexes++] = re;
    return re;
}

static int schema_array(cctx *c, const llmops_json *v, const char *loc, const char *kw,
                        llmops__sch_node ***out, size_t *n, unsigned nest)
{
    size_t cnt = llmops_json_size(v);
    if (llmops_json_type_of(v) != LLMOPS_JSON_ARRAY || cnt == 0) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be a non-empty array of schemas");
        return -1;
    }
    llmops__sch_node **arr = keep(c, cnt, sizeof *arr);
    if (!arr)
        return -1;
    for (size_t i = 0; i < cnt; i++) {
        const llmops_json *e = llmops_json_at(v, i);
        llmops_json_type t = llmops_json_type_of(e);
        if (t != LLMOPS_JSON_OBJECT && t != LLMOPS_JSON_BOOL) {
            set_error(c, LLMOPS_E_SCHEMA, index_loc(c, loc, kw, i), NULL,
                      "must be a schema (object or boolean), got %s", llmops_json_type_name(t));
            return -1;
        }
        if (!(arr[i] = compile_value(c, e, nest + 1)))
            return -1;
    }
    *out = arr;
    *n = cnt;
    return 0;
}

static int cmp_prop(const void *a, const void *b)
{
    const llmops__sch_prop *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->key, y->key, x->len);
}

/* An object of schemas (properties, dependentSchemas), sorted for lookup. */
static int schema_map(cctx *c, const llmops_json *v, const char *loc, const char *kw,
                      llmops__sch_prop **out, size_t *n, unsigned nest)
{
    if (llmops_json_type_of(v) != LLMOPS_JSON_OBJECT) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be an object of schemas");
        return -1;
    }
    size_t cnt = llmops_json_size(v);
    llmops__sch_prop *arr = keep(c, cnt, sizeof *arr);
    if (!arr)
        return -1;
    for (size_t i = 0; i < cnt; i++) {
        const llmops_json *e = llmops_json_at(v, i);
        llmops_json_type t = llmops_json_type_of(e);
        size_t kl;
        const char *k = llmops_json_key_at(v, i, &kl);
        if (t != LLMOPS_JSON_OBJECT && t != LLMOPS_JSON_BOOL) {
            set_error(c, LLMOPS_E_SCHEMA, child_loc(c, loc, kw, k, kl), NULL,
                      "must be a schema (object or boolean), got %s", llmops_json_type_name(t));
            return -1;
        }
        arr[i].key = keep_str(c, k, kl);
        arr[i].len = kl;
        if (!arr[i].key || !(arr[i].node = compile_value(c, e, nest + 1)))
            return -1;
    }
    qsort(arr, cnt, sizeof *arr, cmp_prop);
    *out = arr;
    *n = cnt;
    return 0;
}

/* An array of unique strings (required, dependentRequired members). */
static int string_array(cctx *c, const llmops_json *v, const char *loc, const char *kw,
                        const char ***names, size_t **lens, size_t *n)
{
    size_t cnt = llmops_json_size(v);
    if (llmops_json_type_of(v) != LLMOPS_JSON_ARRAY) {
        set_error(c, LLMOPS_E_SCHEMA, loc, kw, "must be an array of strings");
        return -1;
    }
    const char **nm = keep(c, cnt, sizeof *nm);
    size_t *ln = keep(c, cnt, sizeof *ln);
    if (!nm || !ln)
        return -1;
    for (size_t i = 0; i < cnt; i++) {
        const char *s = llmops_json_string(llmops_json_at(v, i), &ln[i]);
        if (!s) {
            set_error(c, LLMOPS_E_SCHEMA, index_loc(c, loc, kw, i), NULL,
                      "must be a string");
            return -1;
        }
        if (!(nm[i] = keep_str(c, s, ln[i])))
            return -1;
    }
    *names = nm;
    *lens = ln;
    *n = cnt;
    return 0;
}

static const llmops_json *keep_value(cctx *c, const llmops_json *v)
{
    const llmops_json *copy = llmops_json_copy(c->s->values, v);
    if (!copy)
        nomem(c);
    return copy;
}

/* Drafts before 2019-09 spelled dependentRequired and dependentSchemas as one
 * keyword; honoured when the new spellings are absent. */
static void kw_dependencies(cctx *c, llmops__sch_node *n, const llmops_json *v,
                            const llmops_json *e, const char *loc, unsigned nest)
{
    const char *k = "dependencies";
    if (llmops_json_get(v, "dependentRequired") || llmops_json_get(v, "dependentSchemas"))
        return;
    if (llmops_json_type_of(e) != LLMOPS_JSON_OBJECT) {
        set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be an object");
        return;
    }
    size_t cnt = llmops_json_size(e), nreq = 0, nsch = 0;
    for (size_t i = 0; i < cnt; i++)
        nreq += llmops_json_type_of(llmops_json_at(e, i)) == LLMOPS_JSON_ARRAY;
    nsch = cnt - nreq;
    if (!(n->dep_req = keep(c, nreq, sizeof *n->dep_req)) ||
        !(n->dep_schemas = keep(c, nsch, sizeof *n->dep_schemas)))
        return;
    for (size_t i = 0; i < cnt && !c->st; i++) {
        size_t kl;
        const char *dk = llmops_json_key_at(e, i, &kl);
        const llmops_json *dv = llmops_json_at(e, i);
        const char *dloc = child_loc(c, loc, k, dk, kl);
        if (!dloc)
            return;
        if (llmops_json_type_of(dv) == LLMOPS_JSON_ARRAY) {
            llmops__sch_depreq *dr = &n->dep_req[n->ndep_req++];
            dr->len = kl;
            if ((dr->key = keep_str(c, dk, kl)))
                string_array(c, dv, dloc, NULL, &dr->names, &dr->lens, &dr->n);
        } else {
            llmops__sch_prop *dp = &n->dep_schemas[n->ndep_schemas++];
            dp->len = kl;
            if ((dp->key = keep_str(c, dk, kl)))
                dp->node = sub(c, dv, dloc, NULL, nest);
        }
    }
}

static int kw_object(cctx *c, llmops__sch_node *n, const vinfo *vi, const llmops_json *v,
                     unsigned nest)
{
    const char *loc = vi->loc;
    size_t cnt = llmops_json_size(v);
    unsigned ap = c->vocab & VOC_APPLICATOR, va = c->vocab & VOC_VALIDATION;
    for (size_t i = 0; i < cnt && !c->st; i++) {
        const char *k = llmops_json_key_at(v, i, NULL);
        const llmops_json *e = llmops_json_at(v, i);
        llmops_json_type t = llmops_json_type_of(e);
        if (k[0] == '$') {
            if (!strcmp(k, "$ref")) {
                n->ref = resolve_ref(c, vi, k, e, NULL, nest);
            } else if (!strcmp(k, "$dynamicRef")) {
                n->dyn_ref = resolve_ref(c, vi, k, e, &n->dyn_name, nest);
            } else if (!strcmp(k, "$defs")) {
                llmops__sch_prop *defs;
                size_t nd;
                schema_map(c, e, loc, k, &defs, &nd, nest); /* checked, kept for $ref */
            } else if (!strcmp(k, "$schema") && t != LLMOPS_JSON_STRING) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be a URI string");
            }
            continue;
        }
        if (ap) {
            if (!strcmp(k, "allOf")) {
                schema_array(c, e, loc, k, &n->all_of, &n->nall_of, nest);
                continue;
            } else if (!strcmp(k, "anyOf")) {
                schema_array(c, e, loc, k, &n->any_of, &n->nany_of, nest);
                continue;
            } else if (!strcmp(k, "oneOf")) {
                schema_array(c, e, loc, k, &n->one_of, &n->none_of, nest);
                continue;
            } else if (!strcmp(k, "not")) {
                n->not_ = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "if")) {
                n->if_ = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "then")) {
                n->then_ = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "else")) {
                n->else_ = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "items")) {
                if (t == LLMOPS_JSON_ARRAY) {
                    /* draft 2019-09 and earlier: a tuple, later items under
                     * additionalItems */
                    if (!llmops_json_get(v, "prefixItems")) {
                        schema_array(c, e, loc, k, &n->prefix, &n->nprefix, nest);
                        const llmops_json *ai = llmops_json_get(v, "additionalItems");
                        if (ai && !c->st)
                            n->items = sub(c, ai, loc, "additionalItems", nest);
                    }
                } else {
                    n->items = sub(c, e, loc, k, nest);
                }
                continue;
            } else if (!strcmp(k, "prefixItems")) {
                schema_array(c, e, loc, k, &n->prefix, &n->nprefix, nest);
                continue;
            } else if (!strcmp(k, "contains")) {
                n->contains = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "properties")) {
                schema_map(c, e, loc, k, &n->props, &n->nprops, nest);
                continue;
            } else if (!strcmp(k, "dependentSchemas")) {
                schema_map(c, e, loc, k, &n->dep_schemas, &n->ndep_schemas, nest);
                continue;
            } else if (!strcmp(k, "additionalProperties")) {
                n->addl = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "propertyNames")) {
                n->prop_names = sub(c, e, loc, k, nest);
                continue;
            } else if (!strcmp(k, "patternProperties")) {
                if (t != LLMOPS_JSON_OBJECT) {
                    set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be an object of schemas");
                    continue;
                }
                size_t np = llmops_json_size(e);
                if (!(n->pprops = keep(c, np, sizeof *n->pprops)))
                    continue;
                n->npprops = np;
                for (size_t j = 0; j < np && !c->st; j++) {
                    size_t kl;
                    const char *pat = llmops_json_key_at(e, j, &kl);
                    const char *ploc = child_loc(c, loc, k, pat, kl);
                    if (!ploc)
                        break;
                    n->pprops[j].re = add_regex(c, pat, kl, ploc, NULL);
                    if (!c->st)
                        n->pprops[j].node = sub(c, llmops_json_at(e, j), ploc, NULL, nest);
                }
                continue;
            }
        }
        if ((c->vocab & VOC_UNEVAL) && !strcmp(k, "unevaluatedItems")) {
            n->uneval_items = sub(c, e, loc, k, nest);
            continue;
        }
        if ((c->vocab & VOC_UNEVAL) && !strcmp(k, "unevaluatedProperties")) {
            n->uneval_props = sub(c, e, loc, k, nest);
            continue;
        }
        if (!strcmp(k, "format")) {
            if (t != LLMOPS_JSON_STRING) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be a string");
                continue;
            }
            size_t fl;
            const char *fname = llmops_json_string(e, &fl);
            n->format_name = keep_str(c, fname, fl);
            if (c->format_assert && (n->format = llmops__sch_format_id(n->format_name)))
                n->has |= SCH_FORMAT;
            continue;
        }
        if (!strcmp(k, "dependencies") && ap && va) {
            kw_dependencies(c, n, v, e, loc, nest);
            continue;
        }
        if (!strcmp(k, "contentSchema")) {
            (void)sub(c, e, loc, k, nest); /* an annotation; checked only */
            continue;
        }
        if (!va)
            continue;
        if (!strcmp(k, "type")) {
            kw_type(c, n, e, loc);
        } else if (!strcmp(k, "const")) {
            n->const_v = keep_value(c, e);
            n->has |= SCH_CONST;
        } else if (!strcmp(k, "enum")) {
            if (t != LLMOPS_JSON_ARRAY) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be an array");
                continue;
            }
            n->enum_v = keep_value(c, e);
            n->has |= SCH_ENUM;
            size_t ne = llmops_json_size(e);
            if (!(n->enum_str = keep(c, ne, sizeof *n->enum_str)) ||
                !(n->enum_str_len = keep(c, ne, sizeof *n->enum_str_len)))
                continue;
            for (size_t j = 0; n->enum_v && j < ne; j++) {
                size_t sl;
                const char *sv = llmops_json_string(llmops_json_at(n->enum_v, j), &sl);
                if (sv) {
                    n->enum_str[n->nenum_str] = sv;
                    n->enum_str_len[n->nenum_str++] = sl;
                }
            }
        } else if (!strcmp(k, "multipleOf")) {
            if (!number(c, e, loc, k, &n->mult) && !(n->mult.d > 0)) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be greater than 0");
                continue;
            }
            n->has |= SCH_MULT;
        } else if (!strcmp(k, "maximum")) {
            if (!number(c, e, loc, k, &n->max))
                n->has |= SCH_MAX;
        } else if (!strcmp(k, "exclusiveMaximum")) {
            if (!number(c, e, loc, k, &n->xmax))
                n->has |= SCH_XMAX;
        } else if (!strcmp(k, "minimum")) {
            if (!number(c, e, loc, k, &n->min))
                n->has |= SCH_MIN;
        } else if (!strcmp(k, "exclusiveMinimum")) {
            if (!number(c, e, loc, k, &n->xmin))
                n->has |= SCH_XMIN;
        } else if (!strcmp(k, "maxLength")) {
            if (!nonneg(c, e, loc, k, &n->max_len))
                n->has |= SCH_MAXLEN;
        } else if (!strcmp(k, "minLength")) {
            if (!nonneg(c, e, loc, k, &n->min_len))
                n->has |= SCH_MINLEN;
        } else if (!strcmp(k, "maxItems")) {
            if (!nonneg(c, e, loc, k, &n->max_items))
                n->has |= SCH_MAXITEMS;
        } else if (!strcmp(k, "minItems")) {
            if (!nonneg(c, e, loc, k, &n->min_items))
                n->has |= SCH_MINITEMS;
        } else if (!strcmp(k, "maxContains")) {
            if (!nonneg(c, e, loc, k, &n->max_cont))
                n->has |= SCH_MAXCONT;
        } else if (!strcmp(k, "minContains")) {
            if (!nonneg(c, e, loc, k, &n->min_cont))
                n->has |= SCH_MINCONT;
        } else if (!strcmp(k, "maxProperties")) {
            if (!nonneg(c, e, loc, k, &n->max_props))
                n->has |= SCH_MAXPROPS;
        } else if (!strcmp(k, "minProperties")) {
            if (!nonneg(c, e, loc, k, &n->min_props))
                n->has |= SCH_MINPROPS;
        } else if (!strcmp(k, "uniqueItems")) {
            if (t != LLMOPS_JSON_BOOL) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be a boolean");
                continue;
            }
            if (llmops_json_is_true(e))
                n->has |= SCH_UNIQUE;
        } else if (!strcmp(k, "pattern")) {
            size_t pl;
            const char *pat = llmops_json_string(e, &pl);
            if (!pat) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be a string");
                continue;
            }
            if ((n->pattern = add_regex(c, pat, pl, loc, k))) {
                n->pattern_src = keep_str(c, pat, pl);
                n->has |= SCH_PATTERN;
            }
        } else if (!strcmp(k, "required")) {
            string_array(c, e, loc, k, &n->required, &n->required_len, &n->nrequired);
        } else if (!strcmp(k, "dependentRequired")) {
            if (t != LLMOPS_JSON_OBJECT) {
                set_error(c, LLMOPS_E_SCHEMA, loc, k, "must be an object of string arrays");
                continue;
            }
            size_t nd = llmops_json_size(e);
            if (!(n->dep_req = keep(c, nd, sizeof *n->dep_req)))
                continue;
            n->ndep_req = nd;
            for (size_t j = 0; j < nd && !c->st; j++) {
                llmops__sch_depreq *dr = &n->dep_req[j];
                const char *dk = llmops_json_key_at(e, j, &dr->len);
                const char *dloc = child_loc(c, loc, k, dk, dr->len);
                if (!dloc || !(dr->key = keep_str(c, dk, dr->len)))
                    break;
                string_array(c, llmops_json_at(e, j), dloc, NULL, &dr->names, &dr->lens, &dr->n);
            }
        }
    }
    return c->st ? -1 : 0;
}

static llmops__sch_node *compile_value(cctx *c, const llmops_json *v, unsigned nest)
{
    if (c->st)
        return NULL;
    vinfo *vi = info_of(c, v);
    if (!vi) {
        set_error(c, LLMOPS_E_INTERNAL, NULL, NULL, "a subschema was not scanned");
        return NULL;
    }
    if (vi->node)
        return vi->node;
    if (nest > COMPILE_MAX_NEST) {
        set_error(c, LLMOPS_E_LIMIT, vi->loc, NULL, "schema nested deeper than %s levels", "600");
        return NULL;
    }
    llmops__sch_node *n = keep(c, 1, sizeof *n);
    if (!n)
        return NULL;
    vi->node = n;
    n->loc = vi->loc;
    n->res = vi->res;
    if (llmops_json_type_of(v) == LLMOPS_JSON_BOOL) {
        n->kind = llmops_json_is_true(v) ? SCH_NODE_TRUE : SCH_NODE_FALSE;
        return n;
    }
    n->kind = SCH_NODE_SCHEMA;
    if (kw_object(c, n, vi, v, nest))
        return NULL;
    unsigned h = n->has;
    if (h & (SCH_TYPE | SCH_CONST | SCH_ENUM))
        n->groups |= SCH_G_VALUE;
    if (h & (SCH_MINLEN | SCH_MAXLEN | SCH_PATTERN | SCH_FORMAT))
        n->groups |= SCH_G_STRING;
    if (h & (SCH_MULT | SCH_MAX | SCH_XMAX | SCH_MIN | SCH_XMIN))
        n->groups |= SCH_G_NUMBER;
    if ((h & (SCH_MINITEMS | SCH_MAXITEMS | SCH_UNIQUE)) || n->nprefix || n->items || n->contains)
        n->groups |= SCH_G_ARRAY;
    if ((h & (SCH_MINPROPS | SCH_MAXPROPS)) || n->nrequired || n->ndep_req || n->nprops ||
        n->npprops || n->addl || n->prop_names || n->ndep_schemas)
        n->groups |= SCH_G_OBJECT;
    if (n->ref || n->dyn_ref || n->nall_of || n->nany_of || n->none_of || n->not_ || n->if_)
        n->groups |= SCH_G_APPLY;
    return n;
}

/* $schema names the dialect; a custom meta-schema's $vocabulary decides which
 * keyword families apply. */
static void read_vocabulary(cctx *c, const llmops_json *root)
{
    c->vocab = VOC_ALL_DEFAULT;
    const llmops_json *sv = llmops_json_get(root, "$schema");
    const char *uri = llmops_json_string(sv, NULL);
    if (!uri)
        return;
    size_t dl = llmops__uri_doc_len(uri);
    if (dl == strlen(DIALECT_2020) && !memcmp(uri, DIALECT_2020, dl))
        return;
    /* earlier drafts' schemas (common in tool and output schemas) are read
     * with 2020-12 rules plus the tuple form of items */
    static const char *const legacy[] = {
        "json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema",
        "json-schema.org/draft-07/schema", "json-schema.org/draft/2019-09/schema",
    };
    const char *rest = !strncmp(uri, "http://", 7)    ? uri + 7
                       : !strncmp(uri, "https://", 8) ? uri + 8
                                                      : NULL;
    for (size_t i = 0; rest && i < COUNT(legacy); i++) {
        size_t ll = strlen(legacy[i]);
        if ((size_t)(uri + dl - rest) == ll && !memcmp(rest, legacy[i], ll))
            return;
    }
    docinfo *d = load_doc(c, uri, dl);
    if (!d) {
        set_error(c, LLMOPS_E_SCHEMA, "", "$schema", "cannot load meta-schema \"%.200s\"", uri);
        return;
    }
    const llmops_json *voc = llmops_json_get(d->root, "$vocabulary");
    if (!voc || llmops_json_type_of(voc) != LLMOPS_JSON_OBJECT)
        return; /* a meta-schema without vocabularies: 2020-12 keywords */
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = { { "core", 0 },
                  { "applicator", VOC_APPLICATOR },
                  { "unevaluated", VOC_UNEVAL },
                  { "validation", VOC_VALIDATION },
                  { "meta-data", 0 },
                  { "format-annotation", 0 },
                  { "format-assertion", VOC_FORMAT_ASSERT },
                  { "content", 0 } };
    c->vocab = 0;
    for (size_t i = 0; i < llmops_json_size(voc); i++) {
        const char *name = llmops_json_key_at(voc, i, NULL);
        size_t pl = strlen(VOCAB_PREFIX);
        int found = 0;
        if (!strncmp(name, VOCAB_PREFIX, pl))
            for (size_t k = 0; k < COUNT(known); k++)
                if (!strcmp(name + pl, known[k].name)) {
                    c->vocab |= known[k].bit;
                    found = 1;
                }
        if (!found && llmops_json_is_true(llmops_json_at(voc, i))) {
            set_error(c, LLMOPS_E_UNSUPPORTED, "", "$schema",
                      "meta-schema requires vocabulary \"%.200s\", which this validator does not "
                      "know",
                      name);
            return;
        }
    }
}

void llmops__schema_free(llmops__schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nregexes; i++)
        llmops__sch_regex_free(s->regexes[i]);
    llmops__free(s->regexes);
    for (size_t i = 0; i < s->ndocs; i++)
        llmops_json_doc_free(s->docs[i]);
    llmops__free(s->docs);
    llmops_json_doc_free(s->values);
    llmops__arena_free(&s->arena);
    llmops__free(s);
}

llmops_status llmops__schema_compile(llmops__schema **out, const llmops_json *schema,
                                     const llmops__schema_options *opts, llmops__buf *err)
{
    if (!out || !schema)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops_json_type t = llmops_json_type_of(schema);
    if (t != LLMOPS_JSON_OBJECT && t != LLMOPS_JSON_BOOL) {
        if (err)
            llmops__buf_printf(err, "schema at \"\": must be an object or a boolean, got %s",
                               llmops_json_type_name(t));
        return LLMOPS_E_SCHEMA;
    }
    llmops__schema *s = llmops__calloc(1, sizeof *s);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    llmops__arena_init(&s->arena, 4096);
    s->max_depth = opts && opts->max_depth ? opts->max_depth : LLMOPS__SCHEMA_MAX_DEPTH;
    s->max_steps = opts && opts->max_steps ? opts->max_steps : LLMOPS__SCHEMA_MAX_STEPS;
    if (llmops_json_doc_new(&s->values)) {
        llmops__schema_free(s);
        return LLMOPS_E_NO_MEMORY;
    }
    cctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.opts = opts;
    c.err = err;
    c.format_assert = opts && opts->format_assert;
    llmops__arena_init(&c.tmp, 4096);

    llmops__sch_resource *res = new_resource(&c, "", 0);
    docinfo *d = res ? add_doc(&c, "", 0, schema, res) : NULL;
    if (d && t == LLMOPS_JSON_OBJECT)
        read_vocabulary(&c, schema);
    if (c.vocab & VOC_FORMAT_ASSERT)
        c.format_assert = 1;
    if (d && !c.st)
        scan(&c, schema, "", res, "", 0);
    if (!c.st)
        s->root = compile_value(&c, schema, 0);
    /* every $dynamicAnchor is a possible $dynamicRef target at run time */
    for (size_t i = 0; i < c.nres && !c.st; i++) {
        llmops__sch_resource *r = c.resources[i];
        for (size_t k = 0; k < r->ndyn && !c.st; k++)
            r->dyn_nodes[k] = compile_value(&c, r->dyn_values[k], 0);
    }
    llmops_status st = c.st;
    if (!st && !s->root)
        st = LLMOPS_E_INTERNAL;
    llmops__free(c.values.e);
    llmops__free(c.docs.e);
    llmops__free(c.anchors.e);
    llmops__free(c.resources);
    llmops__arena_free(&c.tmp);
    if (st) {
        llmops__schema_free(s);
        return st;
    }
    *out = s;
    return LLMOPS_OK;
}
