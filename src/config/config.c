/* llmops.yaml: YAML → JSON (yaml.c), then one validating pass that fills the
 * typed structs and gathers every problem with its place and key path.
 *
 * Strings in the structs point into the parsed document, which the
 * configuration keeps; only derived strings (resolved paths, header lines)
 * and the arrays live in the configuration's arena. */
#include "config/config.h"
#include "config/suggest.h"
#include "core/alloc.h"
#include "core/hash.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- credentials ---------------------------------------------------------- */

static int is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

static int prefix_ci(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)p[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

int llmops__config_looks_like_secret(const char *s, size_t len)
{
    /* Provider key formats: a fixed prefix and a long run of token bytes.
     * The length floor keeps short words ("sk-1", "hf_hub") from matching. */
    static const struct {
        const char *p;
        size_t n;
    } prefixes[] = {
        { "sk-", 3 }, { "AIza", 4 }, { "gsk_", 4 }, { "xai-", 4 }, { "hf_", 3 },
        { "ghp_", 4 }, { "gho_", 4 }, { "github_pat_", 11 }, { "AKIA", 4 }, { "ASIA", 4 },
        { "r8_", 3 }, { "pplx-", 5 }, { "xoxb-", 5 }, { "xoxp-", 5 }, { "glpat-", 6 },
        { "nvapi-", 6 }, { "fw_", 3 },
    };
    while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    /* Most strings are short words: nothing below can match them. */
    if (len < 14 || len > 4096)
        return 0;
    if (len >= 20 && len <= 512) {
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
            size_t n = prefixes[i].n;
            if (s[0] == prefixes[i].p[0] && memcmp(s, prefixes[i].p, n) == 0) {
                size_t k = n;
                while (k < len && is_token_char((unsigned char)s[k]))
                    k++;
                if (k == len)
                    return 1;
            }
        }
    }
    /* Authorization header values. */
    size_t skip = prefix_ci(s, len, "bearer ") ? 7 : prefix_ci(s, len, "basic ") ? 6 : 0;
    if (skip) {
        size_t k = skip, start;
        while (k < len && s[k] == ' ')
            k++;
        start = k;
        while (k < len && is_token_char((unsigned char)s[k]))
            k++;
        if (k - start >= 8 && k == len)
            return 1;
    }
    return 0;
}

/* ---- error collection ------------------------------------------------------ */

#define MAX_ERRORS 500

typedef struct perr {
    llmops__yaml_pos pos;
    size_t seq;
    char *msg;            /* "key.path: message" */
} perr;

typedef struct vctx {
    llmops__config *cfg;
    llmops__yaml_positions *pos;
    perr *errs;
    size_t n_errs, cap_errs, dropped;
    int oom;
    llmops__buf path;
} vctx;

static const char SECRET_MSG[] =
    "a secret is written in the file; write the key in an environment variable and name "
    "it in api_key_env";

static llmops__yaml_pos where(const vctx *v, const llmops_json *val, int prefer_key)
{
    const llmops__yaml_pos *p = NULL;
    if (prefer_key)
        p = llmops__yaml_key_pos_of(v->pos, val);
    if (!p)
        p = llmops__yaml_pos_of(v->pos, val);
    llmops__yaml_pos one = { 1, 1 };
    return p ? *p : one;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void report(vctx *v, const llmops_json *at, int prefer_key, const char *fmt, ...)
{
    if (v->n_errs >= MAX_ERRORS) {
        v->dropped++;
        return;
    }
    if (v->n_errs == v->cap_errs) {
        size_t ncap = llmops__grow_cap(v->cap_errs, v->n_errs + 1, sizeof(perr));
        perr *e = ncap ? llmops__realloc(v->errs, ncap * sizeof *e) : NULL;
        if (!e) {
            v->oom = 1;
            return;
        }
        v->errs = e;
        v->cap_errs = ncap;
    }
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_append(&b, v->path.len ? v->path.data : "(top level)",
                       v->path.len ? v->path.len : strlen("(top level)"));
    llmops__buf_puts(&b, ": ");
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    llmops__buf_puts(&b, msg);
    char *s = llmops__buf_detach(&b, NULL);
    if (!s) {
        v->oom = 1;
        return;
    }
    perr *e = &v->errs[v->n_errs];
    e->pos = where(v, at, prefer_key);
    e->seq = v->n_errs;
    e->msg = s;
    v->n_errs++;
}

/* Key paths: dots between keys, [i] for list items, ["..."] for a key that
 * is not a plain word. Returns the length to restore with path_pop. */
static size_t path_key(vctx *v, const char *key, size_t len)
{
    size_t mark = v->path.len;
    if (llmops__config_looks_like_secret(key, len)) {
        /* Paths are printed: a key that is a credential stays out of them. */
        key = "<redacted>";
        len = strlen(key);
    }
    int plain = len > 0;
    for (size_t i = 0; i < len && plain; i++) {
        unsigned char c = (unsigned char)key[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    }
    if (plain) {
        if (v->path.len)
            llmops__buf_putc(&v->path, '.');
        llmops__buf_append(&v->path, key, len);
        return mark;
    }
    llmops__buf_puts(&v->path, "[\"");
    size_t shown = len > 60 ? 60 : len;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            llmops__buf_printf(&v->path, "\\x%02x", c);
        else
            llmops__buf_putc(&v->path, (char)c);
    }
    if (shown < len)
        llmops__buf_puts(&v->path, "...");
    llmops__buf_puts(&v->path, "\"]");
    return mark;
}

static size_t path_index(vctx *v, size_t i)
{
    size_t mark = v->path.len;
    llmops__buf_printf(&v->path, "[%zu]", i);
    return mark;
}

static void path_pop(vctx *v, size_t mark)
{
    if (v->path.data && mark <= v->path.len) {
        v->path.len = mark;
        v->path.data[mark] = '\0';
    }
}

/* A value quoted in a message: at most 60 printable bytes, and never a
 * credential. Writes into `out`. */
static const char *shown(const char *s, char out[80])
{
    size_t len = strlen(s);
    if (llmops__config_looks_like_secret(s, len)) {
        snprintf(out, 80, "<redacted>");
        return out;
    }
    size_t o = 0;
    for (size_t i = 0; i < len && o < 60; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (len > 60) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---- typed readers ------------------------------------------------------------- */

static const char *type_phrase(const llmops_json *x)
{
    switch (llmops_json_type_of(x)) {
    case LLMOPS_JSON_NULL: return "nothing (null)";
    case LLMOPS_JSON_BOOL: return "a boolean";
    case LLMOPS_JSON_NUMBER: return "a number";
    case LLMOPS_JSON_STRING: return "a string";
    case LLMOPS_JSON_ARRAY: return "a list";
    default: return "a mapping";
    }
}

static int is_null(const llmops_json *x)
{
    return !x || llmops_json_type_of(x) == LLMOPS_JSON_NULL;
}

/* Reports unknown keys of `obj` (with a suggestion from `known`) and keys
 * that name a secret when `secret_keys` is set. */
static int is_secret_key(const char *k, size_t len)
{
    static const char *const names[] = {
        "api_key", "apikey", "key", "token", "access_token", "auth_token", "secret",
        "secret_key", "client_secret", "password", "passwd", "bearer", "authorization",
    };
    char norm[32];
    if (len >= sizeof norm)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = k[i];
        norm[i] = c == '-' ? '_' : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    norm[len] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(norm, names[i]) == 0)
            return 1;
    return 0;
}

static void check_keys(vctx *v, const llmops_json *obj, const char *const *known, size_t n,
                       int secret_keys)
{
    size_t count = llmops_json_size(obj);
    for (size_t i = 0; i < count; i++) {
        size_t klen;
        const char *k = llmops_json_key_at(obj, i, &klen);
        const llmops_json *val = llmops_json_at(obj, i);
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = strncmp(known[j], k, klen) == 0 && known[j][klen] == '\0';
        if (found)
            continue;
        size_t mark = path_key(v, k, klen);
        if (secret_keys && is_secret_key(k, klen)) {
            report(v, val, 0, "%s", SECRET_MSG);
        } else if (llmops__config_looks_like_secret(k, klen)) {
            report(v, val, 1, "%s", SECRET_MSG);
        } else {
            char buf[80];
            const char *hint = strlen(k) == klen ? llmops__suggest(k, known, n) : NULL;
            if (hint)
                report(v, val, 1, "unknown key '%s' (did you mean '%s'?)", shown(k, buf), hint);
            else
                report(v, val, 1, "unknown key '%s'", shown(k, buf));
        }
        path_pop(v, mark);
    }
}

/* The member `key` of obj, reporting a missing required one at the place
 * of `obj` (its key when it has one). NULL for absent or null. */
static const llmops_json *member(vctx *v, const llmops_json *obj, const char *key, int required)
{
    const llmops_json *val = llmops_json_get(obj, key);
    if (required && is_null(val)) {
        size_t mark = path_key(v, key, strlen(key));
        if (val)
            report(v, val, 0, "required key has no value");
        else
            report(v, obj, 1, "required key is missing");
        path_pop(v, mark);
    }
    return is_null(val) ? NULL : val;
}

static int want_type(vctx *v, const llmops_json *val, llmops_json_type t, const char *phrase)
{
    if (llmops_json_type_of(val) == t)
        return 1;
    report(v, val, 0, "expected %s, got %s", phrase, type_phrase(val));
    return 0;
}

static int read_string_value(vctx *v, const llmops_json *val, const char **out, int nonempty)
{
    if (!want_type(v, val, LLMOPS_JSON_STRING, "a string"))
        return 0;
    size_t len;
    const char *s = llmops_json_string(val, &len);
    if (strlen(s) != len) {
        report(v, val, 0, "must not contain a NUL character");
        return 0;
    }
    if (nonempty && len == 0) {
        report(v, val, 0, "must not be empty");
        return 0;
    }
    *out = s;
    return 1;
}

/* Reads obj.key as a string into *out; 1 when set. */
static int get_str(vctx *v, const llmops_json *obj, const char *key, int required,
                   const char **out)
{
    const llmops_json *val = member(v, obj, key, required);
    if (!val)
        return 0;
    size_t mark = path_key(v, key, strlen(key));
    int ok = read_string_value(v, val, out, 1);
    path_pop(v, mark);
    return ok;
}

static int get_bool(vctx *v, const llmops_json *obj, const char *key, int *out)
{
    const llmops_json *val = member(v, obj, key, 0);
    if (!val)
        return 0;
    size_t mark = path_key(v, key, strlen(key));
    int ok = want_type(v, val, LLMOPS_JSON_BOOL, "a boolean (true or false)");
    if (ok)
        *out = llmops_json_is_true(val);
    path_pop(v, mark);
    return ok;
}

static int get_int(vctx *v, const llmops_json *obj, const char *key, int64_t min, int64_t max,
                   int64_t *out)
{
    const llmops_json *val = member(v, obj, key, 0);
    if (!val)
        return 0;
    size_t mark = path_key(v, key, strlen(key));
    int ok = 0;
    int64_t i = 0;
    if (llmops_json_type_of(val) != LLMOPS_JSON_NUMBER) {
        report(v, val, 0, "expected an integer, got %s", type_phrase(val));
    } else if (llmops_json_get_int(val, &i) != LLMOPS_OK) {
        report(v, val, 0, "expected an integer, got %s", llmops_json_number_text(val, NULL));
    } else if (i < min || i > max) {
        report(v, val, 0, "must be between %lld and %lld, got %lld", (long long)min,
               (long long)max, (long long)i);
    } else {
        *out = i;
        ok = 1;
    }
    path_pop(v, mark);
    return ok;
}

static int get_u32(vctx *v, const llmops_json *obj, const char *key, int64_t min, int64_t max,
                   uint32_t *out, int *has)
{
    int64_t i;
    if (!get_int(v, obj, key, min, max, &i))
        return 0;
    *out = (uint32_t)i;
    *has = 1;
    return 1;
}

static int get_double(vctx *v, const llmops_json *obj, const char *key, double min, double max,
                      double *out)
{
    const llmops_json *val = member(v, obj, key, 0);
    if (!val)
        return 0;
    size_t mark = path_key(v, key, strlen(key));
    int ok = 0;
    double d = 0;
    if (llmops_json_type_of(val) != LLMOPS_JSON_NUMBER) {
        report(v, val, 0, "expected a number, got %s", type_phrase(val));
    } else if (llmops_json_get_double(val, &d) != LLMOPS_OK || d < min || d > max) {
        report(v, val, 0, "must be between %g and %g, got %s", min, max,
               llmops_json_number_text(val, NULL));
    } else {
        *out = d;
        ok = 1;
    }
    path_pop(v, mark);
    return ok;
}

/* A mapping member; reports another type. */
static const llmops_json *get_map(vctx *v, const llmops_json *obj, const char *key, int required)
{
    const llmops_json *val = member(v, obj, key, required);
    if (!val)
        return NULL;
    size_t mark = path_key(v, key, strlen(key));
    int ok = want_type(v, val, LLMOPS_JSON_OBJECT, "a mapping");
    path_pop(v, mark);
    return ok ? val : NULL;
}

/* A JSON Schema: a mapping or a boolean. */
static const llmops_json *get_schema(vctx *v, const llmops_json *obj, const char *key)
{
    const llmops_json *val = member(v, obj, key, 0);
    if (!val)
        return NULL;
    llmops_json_type t = llmops_json_type_of(val);
    if (t == LLMOPS_JSON_OBJECT || t == LLMOPS_JSON_BOOL)
        return val;
    size_t mark = path_key(v, key, strlen(key));
    report(v, val, 0, "expected a JSON Schema (a mapping, or true/false), got %s",
           type_phrase(val));
    path_pop(v, mark);
    return NULL;
}

static void *arena_array(vctx *v, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *p = llmops__arena_calloc(&v->cfg->arena, n, size);
    if (!p)
        v->oom = 1;
    return p;
}

/* A list of strings (a single string counts as a list of one). With
 * `nonempty_items`, "" is refused. `max` bounds the count. */
static int get_str_list(vctx *v, const llmops_json *obj, const char *key, size_t max,
                        const char *const **out, size_t *n_out)
{
    const llmops_json *val = member(v, obj, key, 0);
    if (!val)
        return 0;
    size_t mark = path_key(v, key, strlen(key));
    int ok = 0;
    if (llmops_json_type_of(val) == LLMOPS_JSON_STRING) {
        const char **arr = arena_array(v, 2, sizeof *arr);
        if (arr && read_string_value(v, val, &arr[0], 1)) {
            *out = arr;
            *n_out = 1;
            ok = 1;
        }
    } else if (want_type(v, val, LLMOPS_JSON_ARRAY, "a list of strings")) {
        size_t n = llmops_json_size(val);
        if (n > max) {
            report(v, val, 0, "at most %zu entries, got %zu", max, n);
        } else {
            const char **arr = arena_array(v, n + 1, sizeof *arr);
            size_t good = 0;
            for (size_t i = 0; arr && i < n; i++) {
                size_t m2 = path_index(v, i);
                good += (size_t)read_string_value(v, llmops_json_at(val, i), &arr[i], 1);
                path_pop(v, m2);
            }
            if (arr && good == n) {
                *out = arr;
                *n_out = n;
                ok = 1;
            }
        }
    }
    path_pop(v, mark);
    return ok;
}

/* ---- names, paths, references ---------------------------------------------- */

static int name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
}

/* Names of providers, models and tasks. */
static int check_name(vctx *v, const llmops_json *val, const char *name, size_t len)
{
    int ok = len > 0 && len <= 128 && strlen(name) == len &&
             ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
              (name[0] >= '0' && name[0] <= '9'));
    for (size_t i = 0; ok && i < len; i++)
        ok = name_char((unsigned char)name[i]);
    if (!ok)
        report(v, val, 1,
               "a name must be 1 to 128 letters, digits and . _ : / - starting with a letter "
               "or digit");
    return ok;
}

static int check_tool_name(vctx *v, const llmops_json *val, const char *name, size_t len)
{
    int ok = len > 0 && len <= 64 && strlen(name) == len;
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    }
    if (!ok)
        report(v, val, 1,
               "a tool name must be 1 to 64 letters, digits, _ and - (what providers accept)");
    return ok;
}

static const char *resolve_path(vctx *v, const char *p)
{
    if (p[0] == '/')
        return p;
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
        while (*p == '/')
            p++;
    }
    const char *base = v->cfg->base_dir;
    size_t bl = strlen(base), pl = strlen(p);
    if (pl == 0 || (pl == 1 && p[0] == '.'))
        return base;
    char *out = llmops__arena_alloc(&v->cfg->arena, bl + 1 + pl + 1);
    if (!out) {
        v->oom = 1;
        return p;
    }
    memcpy(out, base, bl);
    size_t o = bl;
    if (o == 0 || out[o - 1] != '/')
        out[o++] = '/';
    memcpy(out + o, p, pl + 1);
    return out;
}

static int get_path(vctx *v, const llmops_json *obj, const char *key, int required,
                    const char **out)
{
    const char *s;
    if (!get_str(v, obj, key, required, &s))
        return 0;
    *out = resolve_path(v, s);
    return 1;
}

/* ---- name index ------------------------------------------------------------ */

enum { IX_PROVIDER, IX_MODEL, IX_TOOL, IX_TASK, IX_COUNT };

typedef struct name_table {
    const char *base;        /* first struct; its `name` is the first member */
    size_t stride, mask;
    uint32_t *slots;         /* item index + 1; 0 empty */
} name_table;

struct llmops__cfg_index {
    name_table t[IX_COUNT];
};

static const char *item_name(const name_table *t, size_t i)
{
    return *(const char *const *)(const void *)(t->base + i * t->stride);
}

static int table_build(llmops__arena *a, name_table *t, const void *base, size_t stride,
                       size_t n)
{
    t->base = base;
    t->stride = stride;
    size_t cap = 8;
    while (cap < n * 2)
        cap *= 2;
    t->mask = cap - 1;
    t->slots = llmops__arena_calloc(a, cap, sizeof *t->slots);
    if (!t->slots)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *name = item_name(t, i);
        uint64_t h = llmops__hash_bytes(name, strlen(name), 0);
        size_t s = (size_t)h & t->mask;
        while (t->slots[s])
            s = (s + 1) & t->mask;
        t->slots[s] = (uint32_t)(i + 1);
    }
    return 0;
}

static const void *table_find(const name_table *t, const char *name)
{
    if (!t->slots || !name)
        return NULL;
    uint64_t h = llmops__hash_bytes(name, strlen(name), 0);
    for (size_t s = (size_t)h & t->mask; t->slots[s]; s = (s + 1) & t->mask) {
        size_t i = t->slots[s] - 1;
        if (strcmp(item_name(t, i), name) == 0)
            return t->base + i * t->stride;
    }
    return NULL;
}

/* Reports a reference that names nothing, with the closest existing name. */
static void report_unknown_ref(vctx *v, const llmops_json *at, const char *what,
                               const char *name, const name_table *t, size_t n)
{
    const char **names = n ? llmops__malloc(n * sizeof *names) : NULL;
    const char *hint = NULL;
    if (names) {
        for (size_t i = 0; i < n; i++)
            names[i] = item_name(t, i);
        hint = llmops__suggest(name, names, n);
    }
    char buf[80];
    if (hint)
        report(v, at, 0, "unknown %s '%s' (did you mean '%s'?)", what, shown(name, buf), hint);
    else if (n == 0)
        report(v, at, 0, "unknown %s '%s' (none is defined)", what, shown(name, buf));
    else
        report(v, at, 0, "unknown %s '%s'", what, shown(name, buf));
    llmops__free(names);
}

/* ---- sections ------------------------------------------------------------------ */

static const char *const PARAM_KEYS[] = { "temperature", "top_p", "max_output_tokens", "seed",
                                          "stop" };

static void read_params(vctx *v, const llmops_json *obj, llmops__cfg_params *p)
{
    const llmops_json *m = get_map(v, obj, "params", 0);
    if (!m)
        return;
    size_t mark = path_key(v, "params", 6);
    check_keys(v, m, PARAM_KEYS, sizeof PARAM_KEYS / sizeof PARAM_KEYS[0], 0);
    p->has_temperature = get_double(v, m, "temperature", 0, 2, &p->temperature);
    p->has_top_p = get_double(v, m, "top_p", 0, 1, &p->top_p);
    p->has_max_output_tokens =
        get_int(v, m, "max_output_tokens", 1, 10000000, &p->max_output_tokens);
    p->has_seed = get_int(v, m, "seed", INT64_MIN, INT64_MAX, &p->seed);
    p->has_stop = get_str_list(v, m, "stop", 16, &p->stop, &p->n_stop);
    path_pop(v, mark);
}

static const char *const PROVIDER_KEYS[] = {
    "type", "base_url", "api_key_env", "api_version", "azure", "ca_bundle", "headers",
    "timeouts", "max_request_bytes", "max_response_bytes", "dir", "timing", "record_to",
};
static const char *const TIMEOUT_KEYS[] = { "connect_ms", "first_byte_ms", "total_ms",
                                            "idle_ms" };
static const char *const TYPE_NAMES[] = { "openai", "openai-responses", "anthropic", "gemini",
                                          "ollama", "replay", "custom" };

/* Which keys apply to which types: HTTP keys to the five HTTP types, azure
 * to the OpenAI ones, dir/timing to replay; type and record_to to all. */
static const char *key_applies(const char *key, llmops__cfg_provider_type t)
{
    int http = t <= LLMOPS__CFG_OLLAMA;
    if (strcmp(key, "azure") == 0)
        return (t == LLMOPS__CFG_OPENAI || t == LLMOPS__CFG_OPENAI_RESPONSES)
                   ? NULL
                   : "applies only to providers of type openai and openai-responses";
    if (strcmp(key, "dir") == 0 || strcmp(key, "timing") == 0)
        return t == LLMOPS__CFG_REPLAY ? NULL : "applies only to providers of type replay";
    if (strcmp(key, "type") == 0 || strcmp(key, "record_to") == 0)
        return NULL;
    return http ? NULL
                : "applies only to HTTP providers (openai, openai-responses, anthropic, gemini, "
                  "ollama)";
}

static int header_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > 256)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+.^_`|~-", c)))
            return 0;
    }
    return 1;
}

static int secret_header(const char *s, size_t len)
{
    static const char *const names[] = { "authorization", "proxy-authorization", "x-api-key",
                                         "api-key", "x-goog-api-key", "cookie" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && prefix_ci(s, len, names[i]))
            return 1;
    return 0;
}

static void read_headers(vctx *v, const llmops_json *obj, llmops__cfg_provider *p)
{
    const llmops_json *h = get_map(v, obj, "headers", 0);
    if (!h)
        return;
    size_t mark = path_key(v, "headers", 7);
    size_t n = llmops_json_size(h);
    const char **lines = arena_array(v, n + 1, sizeof *lines);
    size_t good = 0;
    for (size_t i = 0; lines && i < n; i++) {
        size_t klen;
        const char *k = llmops_json_key_at(h, i, &klen);
        const llmops_json *val = llmops_json_at(h, i);
        size_t m2 = path_key(v, k, klen);
        const char *s;
        if (!header_name_ok(k, klen)) {
            report(v, val, 1, "not a valid HTTP header name");
        } else if (secret_header(k, klen)) {
            report(v, val, 0, "%s", SECRET_MSG);
        } else if (read_string_value(v, val, &s, 0)) {
            if (strpbrk(s, "\r\n")) {
                report(v, val, 0, "a header value must be one line");
            } else {
                size_t sl = strlen(s);
                char *line = llmops__arena_alloc(&v->cfg->arena, klen + 2 + sl + 1);
                if (!line) {
                    v->oom = 1;
                } else {
                    memcpy(line, k, klen);
                    memcpy(line + klen, ": ", 2);
                    memcpy(line + klen + 2, s, sl + 1);
                    lines[good++] = line;
                }
            }
        }
        path_pop(v, m2);
    }
    if (lines && good) {
        lines[good] = NULL;
        p->headers = lines;
        p->n_headers = good;
    }
    path_pop(v, mark);
}

static void read_provider(vctx *v, const llmops_json *obj, llmops__cfg_provider *p)
{
    const char *type;
    int type_ok = 0;
    if (get_str(v, obj, "type", 1, &type)) {
        for (size_t i = 0; i < sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]; i++) {
            if (strcmp(type, TYPE_NAMES[i]) == 0) {
                p->type = (llmops__cfg_provider_type)i;
                p->type_name = TYPE_NAMES[i];
                type_ok = 1;
            }
        }
        if (!type_ok) {
            size_t mark = path_key(v, "type", 4);
            char buf[80];
            const char *hint =
                llmops__suggest(type, TYPE_NAMES, sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]);
            const llmops_json *at = llmops_json_get(obj, "type");
            if (hint)
                report(v, at, 0, "unknown provider type '%s' (did you mean '%s'?)",
                       shown(type, buf), hint);
            else
                report(v, at, 0,
                       "unknown provider type '%s' (one of openai, openai-responses, anthropic, "
                       "gemini, ollama, replay, custom)",
                       shown(type, buf));
            path_pop(v, mark);
        }
    }
    check_keys(v, obj, PROVIDER_KEYS, sizeof PROVIDER_KEYS / sizeof PROVIDER_KEYS[0], 1);
    if (type_ok) {
        /* Known keys that do not fit this type. */
        for (size_t i = 0; i < llmops_json_size(obj); i++) {
            const char *k = llmops_json_key_at(obj, i, NULL);
            const char *why = NULL;
            for (size_t j = 0; j < sizeof PROVIDER_KEYS / sizeof PROVIDER_KEYS[0]; j++)
                if (strcmp(k, PROVIDER_KEYS[j]) == 0)
                    why = key_applies(k, p->type);
            if (why) {
                size_t mark = path_key(v, k, strlen(k));
                report(v, llmops_json_at(obj, i), 1, "%s", why);
                path_pop(v, mark);
            }
        }
    }

    if (get_str(v, obj, "base_url", 0, &p->base_url)) {
        const llmops_json *at = llmops_json_get(obj, "base_url");
        size_t mark = path_key(v, "base_url", 8);
        const char *u = p->base_url;
        const char *rest = strncmp(u, "https://", 8) == 0 ? u + 8
                           : strncmp(u, "http://", 7) == 0 ? u + 7
                                                           : NULL;
        size_t host_len = rest ? strcspn(rest, "/?#") : 0;
        if (!rest || host_len == 0) {
            report(v, at, 0, "expected an http:// or https:// URL with a host");
        } else if (strpbrk(u, " \t\r\n")) {
            report(v, at, 0, "a URL must not contain spaces or line breaks");
        } else if (memchr(rest, '@', host_len)) {
            report(v, at, 0, "%s", SECRET_MSG);
        }
        path_pop(v, mark);
    }
    if (get_str(v, obj, "api_key_env", 0, &p->api_key_env)) {
        const char *e = p->api_key_env;
        int ok = (e[0] >= 'A' && e[0] <= 'Z') || (e[0] >= 'a' && e[0] <= 'z') || e[0] == '_';
        for (size_t i = 1; ok && e[i]; i++)
            ok = (e[i] >= 'A' && e[i] <= 'Z') || (e[i] >= 'a' && e[i] <= 'z') ||
                 (e[i] >= '0' && e[i] <= '9') || e[i] == '_';
        if (!ok && !llmops__config_looks_like_secret(e, strlen(e))) {
            size_t mark = path_key(v, "api_key_env", 11);
            report(v, llmops_json_get(obj, "api_key_env"), 0,
                   "not an environment variable name (letters, digits and _, not starting "
                   "with a digit)");
            path_pop(v, mark);
        }
    }
    get_str(v, obj, "api_version", 0, &p->api_version);
    get_bool(v, obj, "azure", &p->azure);
    get_path(v, obj, "ca_bundle", 0, &p->ca_bundle);
    read_headers(v, obj, p);
    const llmops_json *t = get_map(v, obj, "timeouts", 0);
    if (t) {
        size_t mark = path_key(v, "timeouts", 8);
        check_keys(v, t, TIMEOUT_KEYS, sizeof TIMEOUT_KEYS / sizeof TIMEOUT_KEYS[0], 0);
        get_u32(v, t, "connect_ms", 1, 86400000, &p->connect_ms, &p->has_connect_ms);
        get_u32(v, t, "first_byte_ms", 1, 86400000, &p->first_byte_ms, &p->has_first_byte_ms);
        get_u32(v, t, "total_ms", 1, 86400000, &p->total_ms, &p->has_total_ms);
        get_u32(v, t, "idle_ms", 1, 86400000, &p->idle_ms, &p->has_idle_ms);
        path_pop(v, mark);
    }
    int64_t bytes;
    if (get_int(v, obj, "max_request_bytes", 1024, (int64_t)4 << 30, &bytes)) {
        p->max_request_bytes = (size_t)bytes;
        p->has_max_request_bytes = 1;
    }
    if (get_int(v, obj, "max_response_bytes", 1024, (int64_t)4 << 30, &bytes)) {
        p->max_response_bytes = (size_t)bytes;
        p->has_max_response_bytes = 1;
    }
    get_path(v, obj, "dir", type_ok && p->type == LLMOPS__CFG_REPLAY, &p->dir);
    get_bool(v, obj, "timing", &p->timing);
    get_path(v, obj, "record_to", 0, &p->record_to);
}

static const char *const MODEL_KEYS[] = { "provider", "id", "params" };

static void read_model(vctx *v, const llmops_json *obj, llmops__cfg_model *m)
{
    check_keys(v, obj, MODEL_KEYS, sizeof MODEL_KEYS / sizeof MODEL_KEYS[0], 0);
    get_str(v, obj, "provider", 1, &m->provider);
    get_str(v, obj, "id", 1, &m->id);
    read_params(v, obj, &m->params);
}

static const char *const TOOL_KEYS[] = { "description", "parameters" };

static void read_tool(vctx *v, const llmops_json *obj, llmops__cfg_tool *t)
{
    check_keys(v, obj, TOOL_KEYS, sizeof TOOL_KEYS / sizeof TOOL_KEYS[0], 0);
    get_str(v, obj, "description", 0, &t->description);
    t->parameters = get_map(v, obj, "parameters", 0);
}

static int lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int ref_word(const char *s, size_t len)
{
    if (len == 0 || len > 128 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* "name", "name@label" or "name@<8..64 lowercase hex>" (the registry's rules). */
static void read_prompt_ref(vctx *v, const llmops_json *obj, llmops__cfg_task *t)
{
    if (!get_str(v, obj, "prompt", 1, &t->prompt))
        return;
    const char *ref = t->prompt;
    const char *at = strchr(ref, '@');
    size_t nlen = at ? (size_t)(at - ref) : strlen(ref);
    const char *problem = NULL;
    if (!ref_word(ref, nlen)) {
        problem = "a prompt name is 1 to 128 of a-z 0-9 . _ - starting with a letter or digit";
    } else if (at) {
        const char *x = at + 1;
        size_t xl = strlen(x), hex = 0;
        while (hex < xl && lower_hex(x[hex]))
            hex++;
        if (hex == xl && xl >= 8) {
            if (xl > 64)
                problem = "a version hash has at most 64 hex digits";
            else
                t->prompt_version = x;
        } else if (ref_word(x, xl)) {
            t->prompt_label = x;
        } else {
            problem = "after '@' comes a label (a-z 0-9 . _ -) or a version hash (8 to 64 "
                      "lowercase hex digits)";
        }
    }
    if (problem) {
        size_t mark = path_key(v, "prompt", 6);
        report(v, llmops_json_get(obj, "prompt"), 0, "%s", problem);
        path_pop(v, mark);
        return;
    }
    char *name = llmops__arena_strndup(&v->cfg->arena, ref, nlen);
    if (!name)
        v->oom = 1;
    t->prompt_name = name;
}

static const char *const TASK_KEYS[] = { "prompt", "model", "params", "input_schema", "output",
                                          "reask", "tools", "max_tool_steps", "route",
                                          "deadline_ms", "description" };
static const char *const OUTPUT_KEYS[] = { "format", "schema", "extract_json", "max_length",
                                           "required", "forbidden" };
static const char *const ROUTE_KEYS[] = { "fallbacks", "retry" };
static const char *const RETRY_KEYS[] = { "max_attempts", "base_delay_ms", "max_delay_ms",
                                          "breaker_threshold", "breaker_cooldown_ms" };

static void read_output(vctx *v, const llmops_json *obj, llmops__cfg_task *t)
{
    const llmops_json *o = get_map(v, obj, "output", 0);
    if (!o)
        return;
    t->has_output = 1;
    llmops__cfg_output *out = &t->output;
    size_t mark = path_key(v, "output", 6);
    check_keys(v, o, OUTPUT_KEYS, sizeof OUTPUT_KEYS / sizeof OUTPUT_KEYS[0], 0);
    const char *format;
    if (get_str(v, o, "format", 0, &format)) {
        if (strcmp(format, "json") == 0) {
            out->json = 1;
        } else if (strcmp(format, "text") != 0) {
            size_t m2 = path_key(v, "format", 6);
            char buf[80];
            report(v, llmops_json_get(o, "format"), 0, "unknown format '%s' (text or json)",
                   shown(format, buf));
            path_pop(v, m2);
        }
    }
    out->schema = get_schema(v, o, "schema");
    get_bool(v, o, "extract_json", &out->extract_json);
    const char *const needs_json[] = { "schema", "extract_json" };
    for (size_t i = 0; i < 2; i++) {
        const llmops_json *x = member(v, o, needs_json[i], 0);
        if (x && !out->json) {
            size_t m2 = path_key(v, needs_json[i], strlen(needs_json[i]));
            report(v, x, 1, "needs format: json");
            path_pop(v, m2);
        }
    }
    int64_t ml;
    if (get_int(v, o, "max_length", 1, 100000000, &ml)) {
        out->has_max_length = 1;
        out->max_length = (size_t)ml;
    }
    get_str_list(v, o, "required", 256, &out->required, &out->n_required);
    get_str_list(v, o, "forbidden", 256, &out->forbidden, &out->n_forbidden);
    path_pop(v, mark);
}

static void read_route(vctx *v, const llmops_json *obj, llmops__cfg_task *t)
{
    const llmops_json *r = get_map(v, obj, "route", 0);
    if (!r)
        return;
    size_t mark = path_key(v, "route", 5);
    check_keys(v, r, ROUTE_KEYS, sizeof ROUTE_KEYS / sizeof ROUTE_KEYS[0], 0);
    get_str_list(v, r, "fallbacks", 16, &t->fallbacks, &t->n_fallbacks);
    const llmops_json *rt = get_map(v, r, "retry", 0);
    if (rt) {
        llmops__cfg_retry *y = &t->retry;
        size_t m2 = path_key(v, "retry", 5);
        check_keys(v, rt, RETRY_KEYS, sizeof RETRY_KEYS / sizeof RETRY_KEYS[0], 0);
        int64_t i;
        if (get_int(v, rt, "max_attempts", 1, 20, &i)) {
            y->max_attempts = (unsigned)i;
            y->has_max_attempts = 1;
        }
        get_u32(v, rt, "base_delay_ms", 0, 600000, &y->base_delay_ms, &y->has_base_delay_ms);
        get_u32(v, rt, "max_delay_ms", 0, 3600000, &y->max_delay_ms, &y->has_max_delay_ms);
        if (get_int(v, rt, "breaker_threshold", 1, 1000, &i)) {
            y->breaker_threshold = (unsigned)i;
            y->has_breaker_threshold = 1;
        }
        get_u32(v, rt, "breaker_cooldown_ms", 1, 86400000, &y->breaker_cooldown_ms,
                &y->has_breaker_cooldown_ms);
        if (y->has_base_delay_ms && y->has_max_delay_ms && y->max_delay_ms < y->base_delay_ms) {
            size_t m3 = path_key(v, "max_delay_ms", 12);
            report(v, llmops_json_get(rt, "max_delay_ms"), 0,
                   "must not be below base_delay_ms (%u)", (unsigned)y->base_delay_ms);
            path_pop(v, m3);
        }
        path_pop(v, m2);
    }
    path_pop(v, mark);
}

static void read_task(vctx *v, const llmops_json *obj, llmops__cfg_task *t)
{
    check_keys(v, obj, TASK_KEYS, sizeof TASK_KEYS / sizeof TASK_KEYS[0], 0);
    get_str(v, obj, "description", 0, &t->description);
    read_prompt_ref(v, obj, t);
    get_str(v, obj, "model", 0, &t->model);
    read_params(v, obj, &t->params);
    t->input_schema = get_schema(v, obj, "input_schema");
    read_output(v, obj, t);
    int64_t i;
    t->reask = 1;
    if (get_int(v, obj, "reask", 0, 5, &i))
        t->reask = (unsigned)i;
    get_str_list(v, obj, "tools", 128, &t->tools, &t->n_tools);
    t->max_tool_steps = 8;
    if (get_int(v, obj, "max_tool_steps", 1, 100, &i))
        t->max_tool_steps = (unsigned)i;
    read_route(v, obj, t);
    if (get_int(v, obj, "deadline_ms", 1, 86400000, &i)) {
        t->deadline_ms = (uint64_t)i;
        t->has_deadline_ms = 1;
    }
}

/* Iterates a section of named entries: each must be a mapping. Allocates
 * the array and hands every entry to `fn`. */
typedef void (*entry_fn)(vctx *v, const llmops_json *obj, void *item);

static void *read_section(vctx *v, const llmops_json *root, const char *key, size_t item_size,
                          size_t pos_offset, int tool_names, entry_fn fn, size_t *n_out)
{
    *n_out = 0;
    const llmops_json *sec = get_map(v, root, key, 0);
    if (!sec)
        return NULL;
    size_t mark = path_key(v, key, strlen(key));
    size_t n = llmops_json_size(sec);
    char *arr = arena_array(v, n, item_size);
    size_t count = 0;
    for (size_t i = 0; arr && i < n; i++) {
        size_t klen;
        const char *name = llmops_json_key_at(sec, i, &klen);
        const llmops_json *obj = llmops_json_at(sec, i);
        size_t m2 = path_key(v, name, klen);
        int ok = tool_names ? check_tool_name(v, obj, name, klen) : check_name(v, obj, name, klen);
        /* An entry written with no value ("refund:") is an empty mapping. */
        if (ok && (is_null(obj) || want_type(v, obj, LLMOPS_JSON_OBJECT, "a mapping"))) {
            char *item = arr + count * item_size;
            /* Every item struct starts with its name, then we fill the rest. */
            *(const char **)(void *)item = name;
            fn(v, obj, item);
            const llmops__yaml_pos *kp = llmops__yaml_key_pos_of(v->pos, obj);
            if (kp)
                memcpy(item + pos_offset, kp, sizeof *kp);
            count++;
        }
        path_pop(v, m2);
    }
    path_pop(v, mark);
    *n_out = count;
    return arr;
}

static void provider_fn(vctx *v, const llmops_json *o, void *item) { read_provider(v, o, item); }
static void model_fn(vctx *v, const llmops_json *o, void *item) { read_model(v, o, item); }
static void tool_fn(vctx *v, const llmops_json *o, void *item) { read_tool(v, o, item); }
static void task_fn(vctx *v, const llmops_json *o, void *item) { read_task(v, o, item); }

/* ---- the whole file ------------------------------------------------------------ */

static const char *const ROOT_KEYS[] = { "version", "providers", "models", "prompts", "tools",
                                         "tasks", "policies", "tracing", "evals" };
static const char *const PROMPTS_KEYS[] = { "dir", "lock" };

/* Credentials anywhere in the file, keys included. */
static void scan_secrets(vctx *v, const llmops_json *x)
{
    llmops_json_type t = llmops_json_type_of(x);
    if (t == LLMOPS_JSON_STRING) {
        size_t len;
        const char *s = llmops_json_string(x, &len);
        if (llmops__config_looks_like_secret(s, len))
            report(v, x, 0, "%s", SECRET_MSG);
    } else if (t == LLMOPS_JSON_ARRAY || t == LLMOPS_JSON_OBJECT) {
        for (size_t i = 0; i < llmops_json_size(x); i++) {
            size_t mark;
            if (t == LLMOPS_JSON_OBJECT) {
                size_t klen;
                const char *k = llmops_json_key_at(x, i, &klen);
                mark = path_key(v, k, klen);
                if (llmops__config_looks_like_secret(k, klen))
                    report(v, llmops_json_at(x, i), 1, "%s", SECRET_MSG);
            } else {
                mark = path_index(v, i);
            }
            scan_secrets(v, llmops_json_at(x, i));
            path_pop(v, mark);
        }
    }
}

static const llmops_json *reserved(vctx *v, const llmops_json *root, const char *key)
{
    return get_map(v, root, key, 0);
}

static void resolve_refs(vctx *v, llmops__config *c)
{
    const name_table *tp = &c->index->t[IX_PROVIDER], *tm = &c->index->t[IX_MODEL],
                     *tt = &c->index->t[IX_TOOL];
    const llmops_json *root = llmops_json_doc_root(c->doc);
    const llmops_json *models = llmops_json_get(root, "models");
    for (size_t i = 0; i < c->n_models; i++) {
        llmops__cfg_model *m = &c->models[i];
        if (!m->provider)
            continue;
        m->provider_ref = table_find(tp, m->provider);
        if (!m->provider_ref) {
            const llmops_json *obj = llmops_json_get(models, m->name);
            size_t mark = path_key(v, "models", 6);
            path_key(v, m->name, strlen(m->name));
            path_key(v, "provider", 8);
            report_unknown_ref(v, llmops_json_get(obj, "provider"), "provider", m->provider, tp,
                               c->n_providers);
            path_pop(v, mark);
        }
    }
    const llmops_json *tasks = llmops_json_get(root, "tasks");
    for (size_t i = 0; i < c->n_tasks; i++) {
        llmops__cfg_task *t = &c->tasks[i];
        const llmops_json *obj = llmops_json_get(tasks, t->name);
        size_t mark = path_key(v, "tasks", 5);
        path_key(v, t->name, strlen(t->name));
        if (t->model) {
            t->model_ref = table_find(tm, t->model);
            if (!t->model_ref) {
                size_t m2 = path_key(v, "model", 5);
                report_unknown_ref(v, llmops_json_get(obj, "model"), "model", t->model, tm,
                                   c->n_models);
                path_pop(v, m2);
            }
        }
        if (t->n_tools) {
            const llmops__cfg_tool **refs = arena_array(v, t->n_tools, sizeof *refs);
            const llmops_json *list = llmops_json_get(obj, "tools");
            size_t m2 = path_key(v, "tools", 5);
            for (size_t k = 0; refs && k < t->n_tools; k++) {
                const llmops_json *at = llmops_json_type_of(list) == LLMOPS_JSON_ARRAY
                                            ? llmops_json_at(list, k)
                                            : list;
                size_t m3 = llmops_json_type_of(list) == LLMOPS_JSON_ARRAY ? path_index(v, k)
                                                                           : v->path.len;
                refs[k] = table_find(tt, t->tools[k]);
                if (!refs[k])
                    report_unknown_ref(v, at, "tool", t->tools[k], tt, c->n_tools);
                for (size_t j = 0; j < k; j++) {
                    if (strcmp(t->tools[j], t->tools[k]) == 0) {
                        char buf[80];
                        report(v, at, 0, "tool '%s' is listed twice", shown(t->tools[k], buf));
                        break;
                    }
                }
                path_pop(v, m3);
            }
            t->tool_refs = refs;
            path_pop(v, m2);
        }
        if (t->n_fallbacks) {
            const llmops__cfg_model **refs = arena_array(v, t->n_fallbacks, sizeof *refs);
            const llmops_json *route = llmops_json_get(obj, "route");
            const llmops_json *list = llmops_json_get(route, "fallbacks");
            size_t m2 = path_key(v, "route", 5);
            path_key(v, "fallbacks", 9);
            for (size_t k = 0; refs && k < t->n_fallbacks; k++) {
                int is_list = llmops_json_type_of(list) == LLMOPS_JSON_ARRAY;
                const llmops_json *at = is_list ? llmops_json_at(list, k) : list;
                size_t m3 = is_list ? path_index(v, k) : v->path.len;
                refs[k] = table_find(tm, t->fallbacks[k]);
                if (!refs[k])
                    report_unknown_ref(v, at, "model", t->fallbacks[k], tm, c->n_models);
                else if (t->model && strcmp(t->model, t->fallbacks[k]) == 0)
                    report(v, at, 0, "the task's own model cannot be its fallback");
                for (size_t j = 0; j < k; j++) {
                    if (strcmp(t->fallbacks[j], t->fallbacks[k]) == 0) {
                        char buf[80];
                        report(v, at, 0, "model '%s' is listed twice",
                               shown(t->fallbacks[k], buf));
                        break;
                    }
                }
                path_pop(v, m3);
            }
            t->fallback_refs = refs;
            path_pop(v, m2);
        }
        path_pop(v, mark);
    }
}

static void validate(vctx *v, llmops__config *c)
{
    const llmops_json *root = llmops_json_doc_root(c->doc);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        if (is_null(root))
            report(v, root, 0, "the file is empty; it needs at least 'version: 1'");
        else
            report(v, root, 0, "expected a mapping, got %s", type_phrase(root));
        return;
    }
    scan_secrets(v, root);
    check_keys(v, root, ROOT_KEYS, sizeof ROOT_KEYS / sizeof ROOT_KEYS[0], 0);
    int64_t version;
    if (member(v, root, "version", 1) &&
        get_int(v, root, "version", INT64_MIN, INT64_MAX, &version)) {
        if (version != LLMOPS__CONFIG_VERSION) {
            size_t mark = path_key(v, "version", 7);
            report(v, llmops_json_get(root, "version"), 0,
                   "unsupported version %lld (this library reads version %d)", (long long)version,
                   LLMOPS__CONFIG_VERSION);
            path_pop(v, mark);
        }
        c->version = (int)(version == LLMOPS__CONFIG_VERSION ? version : 0);
    }
    c->providers = read_section(v, root, "providers", sizeof(llmops__cfg_provider),
                                offsetof(llmops__cfg_provider, pos), 0,
                                provider_fn, &c->n_providers);
    c->models = read_section(v, root, "models", sizeof(llmops__cfg_model),
                                offsetof(llmops__cfg_model, pos), 0, model_fn,
                             &c->n_models);
    c->tools = read_section(v, root, "tools", sizeof(llmops__cfg_tool),
                                offsetof(llmops__cfg_tool, pos), 1, tool_fn,
                            &c->n_tools);
    c->tasks = read_section(v, root, "tasks", sizeof(llmops__cfg_task),
                                offsetof(llmops__cfg_task, pos), 0, task_fn,
                            &c->n_tasks);
    const llmops_json *pr = get_map(v, root, "prompts", 0);
    const char *dir = NULL, *lock = NULL;
    if (pr) {
        size_t mark = path_key(v, "prompts", 7);
        check_keys(v, pr, PROMPTS_KEYS, 2, 0);
        get_path(v, pr, "dir", 0, &dir);
        get_path(v, pr, "lock", 0, &lock);
        path_pop(v, mark);
    }
    c->prompts_dir = dir ? dir : resolve_path(v, "prompts");
    if (!lock) {
        size_t dl = strlen(c->prompts_dir);
        char *l = llmops__arena_alloc(&c->arena, dl + sizeof "/prompts.lock");
        if (l) {
            memcpy(l, c->prompts_dir, dl);
            memcpy(l + dl, "/prompts.lock", sizeof "/prompts.lock");
        } else {
            v->oom = 1;
        }
        lock = l;
    }
    c->prompts_lock = lock;
    c->policies = reserved(v, root, "policies");
    c->tracing = reserved(v, root, "tracing");
    c->evals = reserved(v, root, "evals");

    c->index = llmops__arena_calloc(&c->arena, 1, sizeof *c->index);
    if (!c->index ||
        table_build(&c->arena, &c->index->t[IX_PROVIDER], c->providers,
                    sizeof(llmops__cfg_provider), c->n_providers) != 0 ||
        table_build(&c->arena, &c->index->t[IX_MODEL], c->models, sizeof(llmops__cfg_model),
                    c->n_models) != 0 ||
        table_build(&c->arena, &c->index->t[IX_TOOL], c->tools, sizeof(llmops__cfg_tool),
                    c->n_tools) != 0 ||
        table_build(&c->arena, &c->index->t[IX_TASK], c->tasks, sizeof(llmops__cfg_task),
                    c->n_tasks) != 0) {
        v->oom = 1;
        c->index = NULL;
        return;
    }
    resolve_refs(v, c);
}

static int perr_cmp(const void *a, const void *b)
{
    const perr *x = a, *y = b;
    if (x->pos.line != y->pos.line)
        return x->pos.line < y->pos.line ? -1 : 1;
    if (x->pos.column != y->pos.column)
        return x->pos.column < y->pos.column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_errors(vctx *v, const char *file, llmops__buf *errors)
{
    if (v->n_errs > 1)
        qsort(v->errs, v->n_errs, sizeof *v->errs, perr_cmp);
    for (size_t i = 0; i < v->n_errs; i++) {
        const perr *e = &v->errs[i];
        /* The same problem found twice (a secret both by key name and by
         * its look) is said once. */
        if (i > 0 && e->pos.line == v->errs[i - 1].pos.line &&
            e->pos.column == v->errs[i - 1].pos.column && strcmp(e->msg, v->errs[i - 1].msg) == 0)
            continue;
        if (errors)
            llmops__buf_printf(errors, "%s:%u:%u: %s\n", file, e->pos.line, e->pos.column,
                               e->msg);
    }
    if (v->dropped && errors)
        llmops__buf_printf(errors, "%s: %zu more problems not shown\n", file, v->dropped);
}

static char *absolute_dir(const char *dir, llmops_status *st)
{
    if (dir && dir[0] == '/')
        return llmops__strdup(dir);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        *st = LLMOPS_E_IO;
        return NULL;
    }
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, cwd);
    if (dir && dir[0] && strcmp(dir, ".") != 0) {
        while (dir[0] == '.' && dir[1] == '/')
            dir += 2;
        if (dir[0]) {
            if (b.len == 0 || b.data[b.len - 1] != '/')
                llmops__buf_putc(&b, '/');
            llmops__buf_puts(&b, dir);
        }
    }
    char *s = llmops__buf_detach(&b, NULL);
    if (!s)
        *st = LLMOPS_E_NO_MEMORY;
    return s;
}

llmops_status llmops__config_parse_in(const char *text, size_t len, const char *name,
                                      const char *base_dir, llmops__config **out,
                                      llmops__buf *errors)
{
    if (out)
        *out = NULL;
    if (!out || (!text && len > 0)) {
        if (errors)
            llmops__buf_puts(errors, "llmops__config_parse: NULL output or text\n");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    const char *file = name ? name : "<string>";
    llmops__config *c = llmops__calloc(1, sizeof *c);
    if (!c)
        return LLMOPS_E_NO_MEMORY;
    llmops__arena_init(&c->arena, 0);
    llmops__buf yerr = LLMOPS__BUF_INIT;
    llmops_status st = llmops__yaml_parse(text ? text : "", len, &c->doc, &c->positions, &yerr);
    if (st != LLMOPS_OK) {
        if (errors) {
            if (st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT)
                llmops__buf_printf(errors, "%s:%s\n", file, yerr.data ? yerr.data : "");
            else
                llmops__buf_printf(errors, "%s: %s\n", file, yerr.data ? yerr.data : "");
        }
        llmops__buf_free(&yerr);
        llmops__config_free(c);
        return st;
    }
    llmops__buf_free(&yerr);

    llmops_status dst = LLMOPS_OK;
    char *base = absolute_dir(base_dir, &dst);
    char *path_copy = base ? llmops__arena_strndup(&c->arena, file, strlen(file)) : NULL;
    char *base_copy = base ? llmops__arena_strndup(&c->arena, base, strlen(base)) : NULL;
    llmops__free(base);
    if (!base_copy || !path_copy) {
        if (errors)
            llmops__buf_printf(errors, "%s: %s\n", file,
                               dst == LLMOPS_E_IO
                                   ? "cannot read the current directory to resolve relative paths"
                                   : "out of memory");
        llmops__config_free(c);
        return dst != LLMOPS_OK ? dst : LLMOPS_E_NO_MEMORY;
    }
    c->path = path_copy;
    c->base_dir = base_copy;

    vctx v;
    memset(&v, 0, sizeof v);
    v.cfg = c;
    v.pos = c->positions;
    validate(&v, c);
    if (v.path.failed)
        v.oom = 1;
    st = v.oom ? LLMOPS_E_NO_MEMORY : v.n_errs ? LLMOPS_E_CONFIG : LLMOPS_OK;
    if (st == LLMOPS_E_CONFIG)
        write_errors(&v, file, errors);
    else if (st == LLMOPS_E_NO_MEMORY && errors)
        llmops__buf_printf(errors, "%s: out of memory while checking the configuration\n", file);
    for (size_t i = 0; i < v.n_errs; i++)
        llmops__free(v.errs[i].msg);
    llmops__free(v.errs);
    llmops__buf_free(&v.path);
    if (st != LLMOPS_OK) {
        llmops__config_free(c);
        return st;
    }
    *out = c;
    return LLMOPS_OK;
}

llmops_status llmops__config_parse(const char *text, size_t len, const char *path,
                                   llmops__config **out, llmops__buf *errors)
{
    if (!path)
        return llmops__config_parse_in(text, len, NULL, NULL, out, errors);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? llmops__strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : llmops__strdup(".");
    if (!dir) {
        if (out)
            *out = NULL;
        return LLMOPS_E_NO_MEMORY;
    }
    llmops_status st = llmops__config_parse_in(text, len, path, dir, out, errors);
    llmops__free(dir);
    return st;
}

llmops_status llmops__config_load(const char *path, llmops__config **out, llmops__buf *errors)
{
    if (out)
        *out = NULL;
    if (!path || !out) {
        if (errors)
            llmops__buf_puts(errors, "llmops__config_load: NULL path or output\n");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errors)
            llmops__buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        return LLMOPS_E_IO;
    }
    llmops__buf b = LLMOPS__BUF_INIT;
    char chunk[16384];
    size_t n;
    int too_big = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > LLMOPS__YAML_MAX_BYTES) {
            too_big = 1;
            break;
        }
        llmops__buf_append(&b, chunk, n);
    }
    int rerr = ferror(f);
    int saved = errno;
    fclose(f);
    llmops_status st;
    if (too_big) {
        if (errors)
            llmops__buf_printf(errors, "%s: larger than the %zu-byte limit\n", path,
                               LLMOPS__YAML_MAX_BYTES);
        st = LLMOPS_E_LIMIT;
    } else if (rerr) {
        if (errors)
            llmops__buf_printf(errors, "%s: cannot read: %s\n", path, strerror(saved));
        st = LLMOPS_E_IO;
    } else if (b.failed) {
        st = LLMOPS_E_NO_MEMORY;
    } else {
        st = llmops__config_parse(b.data ? b.data : "", b.len, path, out, errors);
    }
    llmops__buf_free(&b);
    return st;
}

void llmops__config_free(llmops__config *c)
{
    if (!c)
        return;
    llmops_json_doc_free(c->doc);
    llmops__yaml_positions_free(c->positions);
    llmops__arena_free(&c->arena);
    llmops__free(c);
}

const llmops__cfg_provider *llmops__config_provider(const llmops__config *c, const char *name)
{
    return c && c->index ? table_find(&c->index->t[IX_PROVIDER], name) : NULL;
}

const llmops__cfg_model *llmops__config_model(const llmops__config *c, const char *name)
{
    return c && c->index ? table_find(&c->index->t[IX_MODEL], name) : NULL;
}

const llmops__cfg_tool *llmops__config_tool(const llmops__config *c, const char *name)
{
    return c && c->index ? table_find(&c->index->t[IX_TOOL], name) : NULL;
}

const llmops__cfg_task *llmops__config_task(const llmops__config *c, const char *name)
{
    return c && c->index ? table_find(&c->index->t[IX_TASK], name) : NULL;
}

void llmops__cfg_provider_options(const llmops__cfg_provider *p, llmops_provider_options *o)
{
    llmops_provider_options init = LLMOPS_PROVIDER_OPTIONS_INIT;
    *o = init;
    o->base_url = p->base_url;
    o->api_key_env = p->api_key_env;
    o->api_version = p->api_version;
    o->azure = p->azure;
    o->ca_bundle = p->ca_bundle;
    o->headers = p->headers;
    o->connect_timeout_ms = p->has_connect_ms ? p->connect_ms : 0;
    o->first_byte_timeout_ms = p->has_first_byte_ms ? p->first_byte_ms : 0;
    o->total_timeout_ms = p->has_total_ms ? p->total_ms : 0;
    o->idle_timeout_ms = p->has_idle_ms ? p->idle_ms : 0;
    o->max_request_bytes = p->has_max_request_bytes ? p->max_request_bytes : 0;
    o->max_response_bytes = p->has_max_response_bytes ? p->max_response_bytes : 0;
}

void llmops__cfg_retry_options(const llmops__cfg_task *t, llmops_retry_options *o)
{
    llmops_retry_options init = LLMOPS_RETRY_OPTIONS_INIT;
    *o = init;
    const llmops__cfg_retry *r = &t->retry;
    o->max_attempts = r->has_max_attempts ? r->max_attempts : 0;
    o->base_delay_ms = r->has_base_delay_ms ? r->base_delay_ms : 0;
    o->max_delay_ms = r->has_max_delay_ms ? r->max_delay_ms : 0;
    o->breaker_threshold = r->has_breaker_threshold ? r->breaker_threshold : 0;
    o->breaker_cooldown_ms = r->has_breaker_cooldown_ms ? r->breaker_cooldown_ms : 0;
    o->deadline_ms = t->has_deadline_ms ? t->deadline_ms : 0;
}
