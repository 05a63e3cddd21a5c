/* The price table: entries in one array, their context tiers in another, an
 * open-addressing hash index over their ids, and every id and provider name
 * copied into one string pool, so a loaded table is five allocations
 * whatever its size. Overrides added later own their id separately. */
#include "cost/prices.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "llmops/json.h"

#define PRICES_MAX_FILE ((size_t)64 << 20)
#define PRICES_MAX_WARNINGS 20
#define PRICES_MAX_TIERS 4
#define HASH_SEED 0x6c6c6d6f70732d70ull /* fixed: ids come from the operator's own file */

typedef struct entry {
    llmops__price price;
    const char *key;       /* in the pool, or owned when owned_key */
    const char *provider;  /* litellm_provider in the pool, or NULL */
    uint64_t hash;
    uint32_t key_len;
    unsigned char is_override;
    unsigned char owned_key;
    unsigned char no_price;  /* listed without input or output price */
    unsigned char ntiers;    /* context tiers at tiers[tier_first...], ascending */
    uint32_t tier_first;
} entry;

/* Prices for prompts of more than `above` tokens ("_above_200k_tokens"),
 * unset fields already filled from the entry's own prices. */
typedef struct tier {
    uint64_t above;
    llmops__price price;
} tier;

struct llmops__prices {
    entry *entries;
    size_t count, cap;
    tier *tiers;
    size_t ntiers, tiers_cap;
    uint32_t *slots;       /* entry index + 1; 0 = empty */
    size_t nslots;         /* power of two, more than twice count */
    char *pool;
    llmops__buf warnings;
    size_t priced;         /* entries with input or output price */
    size_t skipped, overrides;
};

static void errf(llmops__buf *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void errf(llmops__buf *err, const char *fmt, ...)
{
    if (!err)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (err->len)
        llmops__buf_puts(err, "; ");
    llmops__buf_append(err, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

static double unset(void)
{
    return (double)NAN;
}

/* ---- hash index --------------------------------------------------------- */

static const entry *lookup(const llmops__prices *p, const char *key, size_t len)
{
    if (!p->nslots || len > LLMOPS__PRICE_KEY_MAX)
        return NULL;
    uint64_t h = llmops__hash_bytes(key, len, HASH_SEED);
    size_t mask = p->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t s = p->slots[i];
        if (!s)
            return NULL;
        const entry *e = &p->entries[s - 1];
        if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
}

static void index_put(uint32_t *slots, size_t nslots, const entry *entries, uint32_t idx)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)entries[idx].hash & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = idx + 1;
}

/* Rebuilds the index for `need` entries when it would pass half full. */
static int index_fit(llmops__prices *p, size_t need)
{
    if (p->nslots && need * 2 < p->nslots)
        return 0;
    size_t n = 16;
    while (n <= need * 2) {
        if (n > SIZE_MAX / 4 || n > UINT32_MAX)
            return -1;
        n *= 2;
    }
    uint32_t *slots = llmops__calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < p->count; i++)
        index_put(slots, n, p->entries, (uint32_t)i);
    llmops__free(p->slots);
    p->slots = slots;
    p->nslots = n;
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

static void warn_skip(llmops__prices *p, const char *key, size_t key_len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Counts a skipped entry and describes the first few. Ids are shown with
 * control bytes replaced, and cut short, so a hostile file cannot forge
 * log lines. */
static void warn_skip(llmops__prices *p, const char *key, size_t key_len, const char *fmt, ...)
{
    p->skipped++;
    if (p->skipped > PRICES_MAX_WARNINGS)
        return;
    llmops__buf *w = &p->warnings;
    if (w->len)
        llmops__buf_putc(w, '\n');
    llmops__buf_putc(w, '\'');
    size_t shown = key_len < 80 ? key_len : 80;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)key[i];
        llmops__buf_putc(w, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    if (shown < key_len)
        llmops__buf_puts(w, "...");
    llmops__buf_puts(w, "': ");
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n > 0)
        llmops__buf_append(w, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

static const struct {
    const char *name;
    size_t offset;
} price_fields[] = {
    { "input_cost_per_token", offsetof(llmops__price, input) },
    { "output_cost_per_token", offsetof(llmops__price, output) },
    { "cache_read_input_token_cost", offsetof(llmops__price, cached_input) },
    { "cache_creation_input_token_cost", offsetof(llmops__price, cache_creation) },
    { "output_cost_per_reasoning_token", offsetof(llmops__price, reasoning) },
};

/* One "<price field>_above_<N>k_tokens" key: the field's index and N * 1000.
 * Other keys with "_above_" (..._above_1hr, ..._above_200k_tokens_priority,
 * per-second and per-character prices) are not token tiers: 0. */
static int tier_key(const char *key, size_t klen, size_t *field, uint64_t *above)
{
    static const char tail[] = "k_tokens";
    const size_t tail_len = sizeof tail - 1;
    for (size_t f = 0; f < sizeof price_fields / sizeof price_fields[0]; f++) {
        size_t n = strlen(price_fields[f].name);
        if (klen <= n + 7 + tail_len || memcmp(key, price_fields[f].name, n) != 0 ||
            memcmp(key + n, "_above_", 7) != 0 ||
            memcmp(key + klen - tail_len, tail, tail_len) != 0)
            continue;
        const char *d = key + n + 7, *end = key + klen - tail_len;
        if (end - d > 9)
            return 0;
        uint64_t v = 0;
        for (; d < end; d++) {
            if (*d < '0' || *d > '9')
                return 0;
            v = v * 10 + (uint64_t)(*d - '0');
        }
        *field = f;
        *above = v * 1000;
        return 1;
    }
    return 0;
}

static double *field_of(llmops__price *pr, size_t f)
{
    return (double *)(void *)((char *)pr + price_fields[f].offset);
}

/* Reads a number that must be a non-negative finite price into *out. */
static int read_price(llmops__prices *p, const char *key, size_t key_len, const char *field,
                      const llmops_json *x, double *out)
{
    if (llmops_json_type_of(x) != LLMOPS_JSON_NUMBER) {
        warn_skip(p, key, key_len, "%s is %s, not a number", field,
                  llmops_json_type_name(llmops_json_type_of(x)));
        return 0;
    }
    double d;
    if (llmops_json_get_double(x, &d) != LLMOPS_OK || !isfinite(d)) {
        warn_skip(p, key, key_len, "%s is out of range", field);
        return 0;
    }
    if (d < 0) {
        warn_skip(p, key, key_len, "%s is negative (%g)", field, d);
        return 0;
    }
    *out = d;
    return 1;
}

/* Collects the entry's context tiers into p->tiers. 1 ok, 0 skipped
 * (counted), -1 out of memory. */
static int read_tiers(llmops__prices *p, const char *key, size_t key_len, const llmops_json *v,
                      entry *e)
{
    tier found[PRICES_MAX_TIERS];
    size_t n = 0;
    for (size_t i = 0; i < llmops_json_size(v); i++) {
        size_t klen, f;
        uint64_t above;
        const char *k = llmops_json_key_at(v, i, &klen);
        if (klen < 30 || !tier_key(k, klen, &f, &above))
            continue;
        size_t t = 0;
        while (t < n && found[t].above != above)
            t++;
        if (t == n) {
            if (n == PRICES_MAX_TIERS) {
                warn_skip(p, key, key_len, "more than %d context tiers", PRICES_MAX_TIERS);
                return 0;
            }
            found[n].above = above;
            found[n].price = (llmops__price){ NAN, NAN, NAN, NAN, NAN };
            n++;
        }
        if (!read_price(p, key, key_len, k, llmops_json_at(v, i), field_of(&found[t].price, f)))
            return 0;
    }
    e->ntiers = 0;
    e->tier_first = 0;
    if (!n)
        return 1;
    /* Ascending by threshold; unset tier prices are the entry's own. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && found[j - 1].above > found[j].above; j--) {
            tier t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < sizeof price_fields / sizeof price_fields[0]; f++)
            if (isnan(*field_of(&found[i].price, f)))
                *field_of(&found[i].price, f) = *field_of(&e->price, f);
    if (p->ntiers + n > UINT32_MAX ||
        llmops__grow_array((void **)&p->tiers, &p->tiers_cap, p->ntiers + n, sizeof *p->tiers))
        return -1;
    memcpy(p->tiers + p->ntiers, found, n * sizeof *found);
    e->tier_first = (uint32_t)p->ntiers;
    e->ntiers = (unsigned char)n;
    p->ntiers += n;
    return 1;
}

/* Reads one entry's prices. 1 when it is kept, 0 when skipped (counted),
 * -1 out of memory. */
static int read_entry(llmops__prices *p, const char *key, size_t key_len, const llmops_json *v,
                      entry *e)
{
    if (llmops_json_type_of(v) != LLMOPS_JSON_OBJECT) {
        warn_skip(p, key, key_len, "the entry is %s, not an object",
                  llmops_json_type_name(llmops_json_type_of(v)));
        return 0;
    }
    if (key_len > LLMOPS__PRICE_KEY_MAX) {
        warn_skip(p, key, key_len, "the id is %zu bytes, longer than %d", key_len,
                  LLMOPS__PRICE_KEY_MAX);
        return 0;
    }
    for (size_t f = 0; f < sizeof price_fields / sizeof price_fields[0]; f++) {
        double *slot = field_of(&e->price, f);
        *slot = unset();
        const llmops_json *x = llmops_json_get(v, price_fields[f].name);
        if (x && !read_price(p, key, key_len, price_fields[f].name, x, slot))
            return 0;
    }
    e->provider = NULL;
    const llmops_json *prov = llmops_json_get(v, "litellm_provider");
    if (prov) {
        size_t plen;
        const char *ps = llmops_json_string(prov, &plen);
        if (!ps) {
            warn_skip(p, key, key_len, "litellm_provider is %s, not a string",
                      llmops_json_type_name(llmops_json_type_of(prov)));
            return 0;
        }
        if (plen)
            e->provider = ps;
    }
    /* Kept though never returned, so that a dated id listed without a
     * per-token price is not priced as its undated family (see find). */
    int rc = read_tiers(p, key, key_len, v, e);
    if (rc <= 0)
        return rc;
    e->no_price = isnan(e->price.input) && isnan(e->price.output);
    p->priced += !e->no_price;
    e->key = key;
    e->key_len = (uint32_t)key_len;
    e->is_override = 0;
    e->owned_key = 0;
    return 1;
}

/* Where the first non-blank byte is, for errors about the top level. */
static void first_position(const char *s, size_t len, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
            ++*col;
        } else {
            return;
        }
    }
}

/* Copies the ids and provider names the entries borrow from the document
 * into one pool, so the document can be freed. */
static int make_pool(llmops__prices *p)
{
    size_t total = 1;
    for (size_t i = 0; i < p->count; i++) {
        total += p->entries[i].key_len + 1;
        if (p->entries[i].provider)
            total += strlen(p->entries[i].provider) + 1;
    }
    char *pool = llmops__malloc(total);
    if (!pool)
        return -1;
    char *w = pool;
    for (size_t i = 0; i < p->count; i++) {
        entry *e = &p->entries[i];
        memcpy(w, e->key, e->key_len);
        w[e->key_len] = '\0';
        e->key = w;
        w += e->key_len + 1;
        if (e->provider) {
            size_t n = strlen(e->provider);
            memcpy(w, e->provider, n + 1);
            e->provider = w;
            w += n + 1;
        }
    }
    p->pool = pool;
    return 0;
}

static llmops_status build(const char *name, const char *json, size_t len, llmops__prices **out,
                           llmops__buf *err)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, json, len, NULL, &jerr);
    if (st == LLMOPS_E_PARSE) {
        errf(err, "%s:%u:%u: %s", name, jerr.line, jerr.column, jerr.message);
        return st;
    }
    if (st == LLMOPS_E_LIMIT) {
        errf(err, "%s: %s", name, jerr.message);
        return st;
    }
    if (st != LLMOPS_OK) {
        errf(err, "%s: cannot parse the price table: %s", name, llmops_status_str(st));
        return st;
    }
    const llmops_json *root = llmops_json_doc_root(doc);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        unsigned line, col;
        first_position(json, len, &line, &col);
        errf(err, "%s:%u:%u: the top level is %s, not an object of model id to prices", name,
             line, col, llmops_json_type_name(llmops_json_type_of(root)));
        llmops_json_doc_free(doc);
        return LLMOPS_E_PARSE;
    }

    llmops__prices *p = NULL;
    st = llmops__prices_new(&p);
    size_t members = llmops_json_size(root);
    if (st == LLMOPS_OK && members) {
        p->entries = llmops__calloc(members, sizeof *p->entries);
        if (!p->entries)
            st = LLMOPS_E_NO_MEMORY;
        else
            p->cap = members;
    }
    for (size_t i = 0; st == LLMOPS_OK && i < members; i++) {
        size_t klen;
        const char *key = llmops_json_key_at(root, i, &klen);
        const llmops_json *v = llmops_json_at(root, i);
        if ((klen == 11 && memcmp(key, "sample_spec", 11) == 0) ||
            (klen == 12 && memcmp(key, "last_updated", 12) == 0 &&
             llmops_json_type_of(v) == LLMOPS_JSON_STRING))
            continue;
        entry *e = &p->entries[p->count];
        int rc = read_entry(p, key, klen, v, e);
        if (rc < 0) {
            st = LLMOPS_E_NO_MEMORY;
        } else if (rc > 0) {
            e->hash = llmops__hash_bytes(key, klen, HASH_SEED);
            p->count++;
        }
    }
    if (st == LLMOPS_OK && p->skipped > PRICES_MAX_WARNINGS)
        llmops__buf_printf(&p->warnings, "\n... and %zu more", p->skipped - PRICES_MAX_WARNINGS);
    if (st == LLMOPS_OK && (make_pool(p) != 0 || index_fit(p, p->count) != 0 ||
                            p->warnings.failed))
        st = LLMOPS_E_NO_MEMORY;
    llmops_json_doc_free(doc);
    if (st != LLMOPS_OK) {
        if (p)
            p->count = 0; /* keys still point into the freed document */
        llmops__prices_free(p);
        errf(err, "%s: out of memory building the price table", name);
        return st;
    }
    *out = p;
    return LLMOPS_OK;
}

llmops_status llmops__prices_new(llmops__prices **out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops__prices *p = llmops__calloc(1, sizeof *p);
    if (!p)
        return LLMOPS_E_NO_MEMORY;
    *out = p;
    return LLMOPS_OK;
}

llmops_status llmops__prices_parse(const char *json, size_t len, llmops__prices **out,
                                   llmops__buf *err)
{
    if (!out || (!json && len)) {
        errf(err, "price table: no %s given", out ? "text" : "result pointer");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    *out = NULL;
    return build("price table", json ? json : "", len, out, err);
}

static llmops_status read_file(const char *path, char **out, size_t *len, llmops__buf *err)
{
    *out = NULL;
    *len = 0;
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        errf(err, "cannot open price table '%s': %s", path, strerror(errno));
        return LLMOPS_E_IO;
    }
    struct stat stbuf;
    if (fstat(fd, &stbuf) != 0) {
        errf(err, "cannot stat price table '%s': %s", path, strerror(errno));
        close(fd);
        return LLMOPS_E_IO;
    }
    if (S_ISDIR(stbuf.st_mode)) {
        errf(err, "price table '%s' is a directory", path);
        close(fd);
        return LLMOPS_E_IO;
    }
    if (stbuf.st_size > (off_t)PRICES_MAX_FILE) {
        errf(err, "price table '%s' is %lld bytes, over the %zu-byte limit", path,
             (long long)stbuf.st_size, PRICES_MAX_FILE);
        close(fd);
        return LLMOPS_E_LIMIT;
    }
    /* The size is a hint (pipes and /proc say 0): read until end of file. */
    size_t cap = stbuf.st_size > 0 ? (size_t)stbuf.st_size + 1 : 4096, n = 0;
    char *buf = llmops__malloc(cap);
    if (!buf) {
        close(fd);
        errf(err, "out of memory reading price table '%s'", path);
        return LLMOPS_E_NO_MEMORY;
    }
    for (;;) {
        if (n == cap) {
            if (cap > PRICES_MAX_FILE) {
                errf(err, "price table '%s' is over the %zu-byte limit", path, PRICES_MAX_FILE);
                llmops__free(buf);
                close(fd);
                return LLMOPS_E_LIMIT;
            }
            char *nb = llmops__realloc(buf, cap * 2);
            if (!nb) {
                llmops__free(buf);
                close(fd);
                errf(err, "out of memory reading price table '%s'", path);
                return LLMOPS_E_NO_MEMORY;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            errf(err, "cannot read price table '%s': %s", path, strerror(errno));
            llmops__free(buf);
            close(fd);
            return LLMOPS_E_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return LLMOPS_OK;
}

llmops_status llmops__prices_load(const char *path, llmops__prices **out, llmops__buf *err)
{
    if (!out || !path || !*path) {
        errf(err, "price table: no %s given", out ? "file name" : "result pointer");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    *out = NULL;
    char *text;
    size_t len;
    llmops_status st = read_file(path, &text, &len, err);
    if (st != LLMOPS_OK)
        return st;
    st = build(path, text, len, out, err);
    llmops__free(text);
    return st;
}

/* ---- overrides ---------------------------------------------------------- */

static int price_ok(double d)
{
    return isnan(d) || (isfinite(d) && d >= 0);
}

llmops_status llmops__prices_set(llmops__prices *p, const char *model, const llmops__price *price)
{
    if (!p || !model || !price)
        return LLMOPS_E_INVALID_ARGUMENT;
    size_t len = strlen(model);
    if (len == 0 || len > LLMOPS__PRICE_KEY_MAX)
        return LLMOPS_E_INVALID_ARGUMENT;
    const double fields[5] = { price->input, price->output, price->cached_input,
                               price->cache_creation, price->reasoning };
    int any = 0;
    for (int i = 0; i < 5; i++) {
        if (!price_ok(fields[i]))
            return LLMOPS_E_INVALID_ARGUMENT;
        any |= !isnan(fields[i]);
    }
    if (!any)
        return LLMOPS_E_INVALID_ARGUMENT;

    entry *e = (entry *)lookup(p, model, len);
    if (!e) {
        if (index_fit(p, p->count + 1) != 0)
            return LLMOPS_E_NO_MEMORY;
        if (p->count == p->cap &&
            llmops__grow_array((void **)&p->entries, &p->cap, p->count + 1, sizeof *p->entries))
            return LLMOPS_E_NO_MEMORY;
        char *key = llmops__strndup(model, len);
        if (!key)
            return LLMOPS_E_NO_MEMORY;
        e = &p->entries[p->count];
        e->price = (llmops__price){ unset(), unset(), unset(), unset(), unset() };
        e->key = key;
        e->key_len = (uint32_t)len;
        e->owned_key = 1;
        e->no_price = 1;
        e->ntiers = 0;
        e->provider = NULL;
        e->hash = llmops__hash_bytes(model, len, HASH_SEED);
        index_put(p->slots, p->nslots, p->entries, (uint32_t)p->count);
        p->count++;
    }
    if (!isnan(price->input))
        e->price.input = price->input;
    if (!isnan(price->output))
        e->price.output = price->output;
    if (!isnan(price->cached_input))
        e->price.cached_input = price->cached_input;
    if (!isnan(price->cache_creation))
        e->price.cache_creation = price->cache_creation;
    if (!isnan(price->reasoning))
        e->price.reasoning = price->reasoning;
    /* The operator's price replaces the table's context tiers too. */
    e->ntiers = 0;
    e->is_override = 1;
    if (e->no_price && (!isnan(e->price.input) || !isnan(e->price.output))) {
        e->no_price = 0;
        p->priced++;
    }
    p->overrides++;
    return LLMOPS_OK;
}

/* ---- lookup ------------------------------------------------------------- */

typedef struct family {
    const char *provider;     /* LiteLLM's litellm_provider value */
    const char *prefixes[2];  /* ids under it are "<prefix><model>" */
} family;

static const family known_families[] = {
    { "openai", { "openai/", NULL } },
    { "anthropic", { "anthropic/", NULL } },
    { "gemini", { "gemini/", "vertex_ai/" } },
    { "ollama", { "ollama/", NULL } },
};

static const family *family_of(const char *type)
{
    if (!strcmp(type, "openai") || !strcmp(type, "openai-responses"))
        return &known_families[0];
    if (!strcmp(type, "anthropic"))
        return &known_families[1];
    if (!strcmp(type, "gemini"))
        return &known_families[2];
    if (!strcmp(type, "ollama"))
        return &known_families[3];
    return NULL;
}

static const entry *lookup_prefixed(const llmops__prices *p, const char *prefix, size_t plen,
                                    const char *model, size_t len)
{
    char buf[LLMOPS__PRICE_KEY_MAX + 1];
    if (plen + len > LLMOPS__PRICE_KEY_MAX)
        return NULL;
    memcpy(buf, prefix, plen);
    memcpy(buf + plen, model, len);
    return lookup(p, buf, plen + len);
}

/* An entry listed without a per-token price is never returned, but marks
 * the id as listed. */
static const entry *if_priced(const entry *e, int *listed)
{
    if (!e)
        return NULL;
    *listed = 1;
    return e->no_price ? NULL : e;
}

/* Steps 1-3 of the documented order for one spelling of the id. */
static const entry *find_steps(const llmops__prices *p, const char *type, const char *model,
                               size_t len, int *listed)
{
    const entry *exact = if_priced(lookup(p, model, len), listed);
    if (!type)
        return exact;
    const family *fam = family_of(type);
    const char *want = fam ? fam->provider : type;
    if (exact && (exact->is_override || !exact->provider || !strcmp(exact->provider, want)))
        return exact;
    if (fam) {
        for (size_t i = 0; i < 2 && fam->prefixes[i]; i++) {
            const entry *e = if_priced(lookup_prefixed(p, fam->prefixes[i],
                                                    strlen(fam->prefixes[i]), model, len),
                                    listed);
            if (e)
                return e;
        }
    } else {
        size_t tlen = strlen(type);
        if (tlen && tlen < LLMOPS__PRICE_KEY_MAX) {
            char prefix[LLMOPS__PRICE_KEY_MAX + 1];
            memcpy(prefix, type, tlen);
            prefix[tlen] = '/';
            const entry *e = if_priced(lookup_prefixed(p, prefix, tlen + 1, model, len), listed);
            if (e)
                return e;
        }
    }
    return exact;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int plausible_date(const char *y, const char *m, const char *d)
{
    int month = (m[0] - '0') * 10 + (m[1] - '0');
    int day = (d[0] - '0') * 10 + (d[1] - '0');
    return (y[0] == '1' || y[0] == '2') && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* Length of the id without its date suffix, or `len` when it has none. */
static size_t undated_len(const char *s, size_t len)
{
    if (len > 11) {
        const char *t = s + len - 11; /* -YYYY-MM-DD */
        if (t[0] == '-' && t[5] == '-' && t[8] == '-' && digits(t + 1, 4) && digits(t + 6, 2) &&
            digits(t + 9, 2) && plausible_date(t + 1, t + 6, t + 9))
            return len - 11;
    }
    if (len > 9) {
        const char *t = s + len - 9; /* -YYYYMMDD or @YYYYMMDD */
        if ((t[0] == '-' || t[0] == '@') && digits(t + 1, 8) &&
            plausible_date(t + 1, t + 5, t + 7))
            return len - 9;
    }
    return len;
}

static const entry *find_entry(const llmops__prices *p, const char *provider_type,
                               const char *model)
{
    if (!p || !model)
        return NULL;
    if (!strncmp(model, "models/", 7))
        model += 7;
    size_t len = strlen(model);
    if (!len)
        return NULL;
    int listed = 0;
    const entry *e = find_steps(p, provider_type, model, len, &listed);
    if (!e && !listed) {
        size_t base = undated_len(model, len);
        if (base < len)
            e = find_steps(p, provider_type, model, base, &listed);
    }
    return e;
}

const llmops__price *llmops__prices_find(const llmops__prices *p, const char *provider_type,
                                         const char *model)
{
    const entry *e = find_entry(p, provider_type, model);
    return e ? &e->price : NULL;
}

const llmops__price *llmops__prices_find_usage(const llmops__prices *p,
                                               const char *provider_type, const char *model,
                                               const llmops_usage *usage)
{
    const entry *e = find_entry(p, provider_type, model);
    if (!e)
        return NULL;
    const llmops__price *best = &e->price;
    if (usage && usage->input_tokens > 0)
        for (unsigned i = 0; i < e->ntiers; i++) {
            const tier *t = &p->tiers[e->tier_first + i];
            if ((uint64_t)usage->input_tokens > t->above)
                best = &t->price;
        }
    return best;
}

/* ---- cost --------------------------------------------------------------- */

static double count(int64_t n)
{
    return n > 0 ? (double)n : 0.0;
}

int llmops__cost_usd(const llmops__price *price, const llmops_usage *usage, double *usd)
{
    if (!price || !usage || !usd)
        return -1;
    if (isnan(price->input) && isnan(price->output))
        return -1;
    double input = count(usage->input_tokens), output = count(usage->output_tokens);
    double cached = fmin(count(usage->cached_input_tokens), input);
    double creation = fmin(count(usage->cache_creation_tokens), input - cached);
    double plain_in = input - cached - creation;
    double reasoning = fmin(count(usage->reasoning_tokens), output);
    double plain_out = output - reasoning;

    double cached_price = isnan(price->cached_input) ? price->input : price->cached_input;
    double creation_price =
        isnan(price->cache_creation) ? price->input : price->cache_creation;
    double reasoning_price = isnan(price->reasoning) ? price->output : price->reasoning;

    /* A kind of token the usage has that nothing prices makes the call
     * unpriced; a kind it lacks needs no price (embeddings have no output). */
    if ((plain_in > 0 && isnan(price->input)) || (cached > 0 && isnan(cached_price)) ||
        (creation > 0 && isnan(creation_price)) || (plain_out > 0 && isnan(price->output)) ||
        (reasoning > 0 && isnan(reasoning_price)))
        return -1;

    double total = 0.0;
    if (plain_in > 0)
        total += plain_in * price->input;
    if (cached > 0)
        total += cached * cached_price;
    if (creation > 0)
        total += creation * creation_price;
    if (plain_out > 0)
        total += plain_out * price->output;
    if (reasoning > 0)
        total += reasoning * reasoning_price;
    /* Absurd but finite prices (1e300 per token) overflow: not a cost. */
    if (!isfinite(total))
        return -1;
    *usd = total;
    return 0;
}

int llmops__prices_cost(const llmops__prices *p, const char *provider_type, const char *model,
                        const llmops_usage *usage, double *usd)
{
    return llmops__cost_usd(llmops__prices_find_usage(p, provider_type, model, usage), usage,
                            usd);
}

/* ---- info and teardown -------------------------------------------------- */

void llmops__prices_info_get(const llmops__prices *p, llmops__prices_info *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!p)
        return;
    out->models = p->priced;
    out->unpriced = p->count - p->priced;
    out->skipped = p->skipped;
    out->overrides = p->overrides;
}

const char *llmops__prices_warnings(const llmops__prices *p)
{
    return p && p->warnings.data ? p->warnings.data : "";
}

void llmops__prices_free(llmops__prices *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        if (p->entries[i].owned_key)
            llmops__free((void *)p->entries[i].key);
    llmops__free(p->entries);
    llmops__free(p->tiers);
    llmops__free(p->slots);
    llmops__free(p->pool);
    llmops__buf_free(&p->warnings);
    llmops__free(p);
}
