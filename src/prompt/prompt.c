/* One prompt file: front-matter, role sections compiled as Mustache
 * templates, the content-hash version, and rendering into messages. */
#include "prompt/registry.h"
#include "prompt/internal.h"

#include "config/yaml.h"
#include "core/alloc.h"
#include "core/hash.h"
#include "core/sha256.h"
#include "json/utf8.h"
#include "template/mustache.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prompt_section {
    llmops_role role;
    char *text;           /* NUL-terminated copy */
    size_t len;
    unsigned line;        /* file line where the text starts */
    llmops__tmpl *tmpl;
} prompt_section;

struct llmops__prompt {
    atomic_size_t refs;
    char *name;
    char *file;           /* names the source in messages */
    char version[65];
    char *source;
    size_t source_len;
    llmops_json_doc *front_doc;
    const llmops_json *front;
    prompt_section *sections;
    size_t section_count;
};

static const char *const role_names[] = { "system", "user", "assistant" };

int llmops__prompt_name_ok(const char *s, size_t len)
{
    if (!s || len == 0 || len > LLMOPS__PROMPT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!ok && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

/* ---- lines ---------------------------------------------------------------- */

/* Bytes of the line at `p` before its line end ("\n" or "\r\n"), and where
 * the next line starts. */
static size_t line_len(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    *next = nl ? nl + 1 : end;
    if (stop > p && stop[-1] == '\r')
        stop--;
    return (size_t)(stop - p);
}

static size_t rtrim_blanks(const char *p, size_t n)
{
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n;
}

static int is_fence(const char *p, size_t n)
{
    n = rtrim_blanks(p, n);
    return n == 3 && memcmp(p, "---", 3) == 0;
}

/* -1 when the line is not a role header. */
static int header_role(const char *p, size_t n)
{
    n = rtrim_blanks(p, n);
    if (n < 3 || p[0] != '[' || p[n - 1] != ']')
        return -1;
    for (int r = 0; r < 3; r++)
        if (strlen(role_names[r]) == n - 2 && memcmp(p + 1, role_names[r], n - 2) == 0)
            return r;
    return -1;
}

/* ---- front-matter --------------------------------------------------------- */

typedef struct fm_ctx {
    const char *file;
    unsigned line0;                     /* file line of the front-matter's line 1 */
    const llmops__yaml_positions *pos;
    llmops__buf *err;
} fm_ctx;

static void fm_where(const fm_ctx *c, const llmops_json *v, int key, unsigned *line,
                     unsigned *col)
{
    const llmops__yaml_pos *p = key ? llmops__yaml_key_pos_of(c->pos, v) : NULL;
    if (!p)
        p = llmops__yaml_pos_of(c->pos, v);
    *line = p ? c->line0 + p->line - 1 : c->line0;
    *col = p ? p->column : 1;
}

static llmops_status fm_bad(const fm_ctx *c, const llmops_json *v, int key, const char *what,
                            const char *path, const char *expect)
{
    unsigned line, col;
    fm_where(c, v, key, &line, &col);
    if (expect)
        llmops__pr_errf(c->err, "%s:%u:%u: front-matter %s '%s' must be %s, not %s", c->file,
                        line, col, what, path, expect,
                        llmops_json_type_name(llmops_json_type_of(v)));
    else
        llmops__pr_errf(c->err, "%s:%u:%u: front-matter %s '%s'", c->file, line, col, what,
                        path);
    return LLMOPS_E_PARSE;
}

static int is_schema(const llmops_json *v)
{
    llmops_json_type t = llmops_json_type_of(v);
    return t == LLMOPS_JSON_OBJECT || t == LLMOPS_JSON_BOOL;
}

static llmops_status check_string_list(const fm_ctx *c, const llmops_json *v, const char *path)
{
    if (llmops_json_type_of(v) != LLMOPS_JSON_ARRAY)
        return fm_bad(c, v, 0, "key", path, "a list of strings");
    for (size_t i = 0; i < llmops_json_size(v); i++) {
        size_t n;
        const char *s = llmops_json_string(llmops_json_at(v, i), &n);
        if (!s || n == 0)
            return fm_bad(c, llmops_json_at(v, i), 0, "entry of", path, "a non-empty string");
    }
    return LLMOPS_OK;
}

static llmops_status check_output(const fm_ctx *c, const llmops_json *out)
{
    if (llmops_json_type_of(out) != LLMOPS_JSON_OBJECT)
        return fm_bad(c, out, 0, "key", "output", "a mapping");
    for (size_t i = 0; i < llmops_json_size(out); i++) {
        const char *k = llmops_json_key_at(out, i, NULL);
        const llmops_json *v = llmops_json_at(out, i);
        char path[64];
        snprintf(path, sizeof path, "output.%.40s", k);
        if (strcmp(k, "format") == 0) {
            const char *f = llmops_json_string(v, NULL);
            if (!f || (strcmp(f, "text") != 0 && strcmp(f, "json") != 0))
                return fm_bad(c, v, 0, "key", path, "\"text\" or \"json\"");
        } else if (strcmp(k, "schema") == 0) {
            if (!is_schema(v))
                return fm_bad(c, v, 0, "key", path, "a schema (mapping or boolean)");
        } else if (strcmp(k, "extract_json") == 0) {
            if (llmops_json_type_of(v) != LLMOPS_JSON_BOOL)
                return fm_bad(c, v, 0, "key", path, "a boolean");
        } else if (strcmp(k, "max_length") == 0) {
            int64_t n;
            if (llmops_json_get_int(v, &n) != LLMOPS_OK || n < 0)
                return fm_bad(c, v, 0, "key", path, "a non-negative integer");
        } else if (strcmp(k, "required") == 0 || strcmp(k, "forbidden") == 0) {
            llmops_status st = check_string_list(c, v, path);
            if (st)
                return st;
        } else {
            return fm_bad(c, v, 1, "has an unknown key", path, NULL);
        }
    }
    return LLMOPS_OK;
}

static llmops_status check_front(const fm_ctx *c, const llmops_json *root)
{
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        unsigned line, col;
        fm_where(c, root, 0, &line, &col);
        llmops__pr_errf(c->err, "%s:%u:%u: front-matter is not a mapping: it is a%s %s",
                        c->file, line, col,
                        llmops_json_type_of(root) == LLMOPS_JSON_ARRAY ? "n" : "",
                        llmops_json_type_name(llmops_json_type_of(root)));
        return LLMOPS_E_PARSE;
    }
    for (size_t i = 0; i < llmops_json_size(root); i++) {
        const char *k = llmops_json_key_at(root, i, NULL);
        const llmops_json *v = llmops_json_at(root, i);
        llmops_json_type t = llmops_json_type_of(v);
        if (strcmp(k, "description") == 0 || strcmp(k, "model") == 0) {
            size_t n;
            if (!llmops_json_string(v, &n) || n == 0)
                return fm_bad(c, v, 0, "key", k, "a non-empty string");
        } else if (strcmp(k, "params") == 0) {
            if (t != LLMOPS_JSON_OBJECT)
                return fm_bad(c, v, 0, "key", k, "a mapping");
        } else if (strcmp(k, "input_schema") == 0) {
            if (!is_schema(v))
                return fm_bad(c, v, 0, "key", k, "a schema (mapping or boolean)");
        } else if (strcmp(k, "output") == 0) {
            llmops_status st = check_output(c, v);
            if (st)
                return st;
        } else if (strcmp(k, "tools") == 0) {
            llmops_status st = check_string_list(c, v, k);
            if (st)
                return st;
        } else {
            unsigned line, col;
            fm_where(c, v, 1, &line, &col);
            llmops__pr_errf(c->err,
                            "%s:%u:%u: unknown front-matter key '%.64s' (expected description, "
                            "model, params, input_schema, output or tools)",
                            c->file, line, col, k);
            return LLMOPS_E_PARSE;
        }
    }
    return LLMOPS_OK;
}

/* The YAML parser and the template engine count lines from the start of
 * the front-matter or section; messages that mention another place ("first
 * defined at 1:1", "opened at 2:5") get it moved to the file's lines too, so
 * every position a reader sees is one they can jump to. Writes into `out`
 * (size `cap`, always NUL-terminated). */
static void rebase_positions(char *out, size_t cap, const char *msg, unsigned line0)
{
    size_t k = 0;
    for (const char *q = msg; *q && k + 1 < cap;) {
        if (strncmp(q, "at ", 3) == 0 && q[3] >= '0' && q[3] <= '9') {
            char *end;
            unsigned long line = strtoul(q + 3, &end, 10);
            if (*end == ':' && end[1] >= '0' && end[1] <= '9' && line > 0 && line < 1000000) {
                int n = snprintf(out + k, cap - k, "at %lu", line + line0 - 1);
                if (n < 0 || (size_t)n >= cap - k)
                    break;
                k += (size_t)n;
                q = end;
                continue;
            }
        }
        out[k++] = *q++;
    }
    out[k < cap ? k : cap - 1] = '\0';
}

/* Re-anchor the YAML parser's "line:column: message" to the file. */
static void yaml_error(llmops__buf *err, const char *file, unsigned line0, const llmops__buf *ye)
{
    const char *m = ye->data ? ye->data : "";
    char *end;
    unsigned long line = strtoul(m, &end, 10);
    if (end != m && *end == ':') {
        const char *cs = end + 1;
        unsigned long col = strtoul(cs, &end, 10);
        if (end != cs && *end == ':') {
            const char *rest = end + 1;
            while (*rest == ' ')
                rest++;
            char moved[512];
            rebase_positions(moved, sizeof moved, rest, line0);
            llmops__pr_errf(err, "%s:%lu:%lu: front-matter: %s", file,
                            line + line0 - 1, col, moved);
            return;
        }
    }
    llmops__pr_errf(err, "%s:%u:1: front-matter: %s", file, line0, m);
}

/* ---- parse ---------------------------------------------------------------- */

static void prompt_free(llmops__prompt *p)
{
    for (size_t i = 0; i < p->section_count; i++) {
        llmops__free(p->sections[i].text);
        llmops__tmpl_free(p->sections[i].tmpl);
    }
    llmops__free(p->sections);
    llmops_json_doc_free(p->front_doc);
    llmops__free(p->source);
    llmops__free(p->file);
    llmops__free(p->name);
    llmops__free(p);
}

static llmops_status add_section(llmops__prompt *p, size_t *cap, int role, const char *text,
                                 size_t len, unsigned line)
{
    if (p->section_count == *cap) {
        size_t ncap = llmops__grow_cap(*cap, *cap + 1, sizeof(prompt_section));
        prompt_section *s = ncap ? llmops__realloc(p->sections, ncap * sizeof *s) : NULL;
        if (!s)
            return LLMOPS_E_NO_MEMORY;
        p->sections = s;
        *cap = ncap;
    }
    /* The line end before the next header (or the file's final one) is
     * not part of the text. */
    if (len && text[len - 1] == '\n') {
        len--;
        if (len && text[len - 1] == '\r')
            len--;
    }
    prompt_section *s = &p->sections[p->section_count];
    memset(s, 0, sizeof *s);
    s->text = llmops__strndup(text, len);
    if (!s->text)
        return LLMOPS_E_NO_MEMORY;
    p->section_count++;
    s->role = (llmops_role)role;
    s->len = len;
    s->line = line;
    return LLMOPS_OK;
}

/* Split the body (from `body`, file line `line`) into sections. */
static llmops_status split_sections(llmops__prompt *p, const char *body, const char *end,
                                    unsigned line, llmops__buf *err)
{
    size_t cap = 0;
    int role = -1;
    const char *text = NULL; /* start of the open section's text */
    unsigned text_line = 0;
    for (const char *q = body; q < end; line++) {
        const char *next;
        size_t n = line_len(q, end, &next);
        int r = header_role(q, n);
        if (r >= 0) {
            if (role >= 0) {
                llmops_status st = add_section(p, &cap, role, text, (size_t)(q - text),
                                               text_line);
                if (st)
                    return st;
            }
            role = r;
            text = next;
            text_line = line + 1;
        } else if (role < 0) {
            size_t i = 0;
            while (i < n && (q[i] == ' ' || q[i] == '\t'))
                i++;
            if (i < n) {
                llmops__pr_errf(err, "%s:%u:%zu: text before the first [system], [user] or "
                                "[assistant] section", p->file, line, i + 1);
                return LLMOPS_E_PARSE;
            }
        }
        q = next;
    }
    if (role >= 0) {
        llmops_status st = add_section(p, &cap, role, text, (size_t)(end - text), text_line);
        if (st)
            return st;
    }
    if (p->section_count == 0) {
        llmops__pr_errf(err, "%s:%u:1: no [system], [user] or [assistant] section", p->file,
                        line > 1 ? line - 1 : 1);
        return LLMOPS_E_PARSE;
    }
    return LLMOPS_OK;
}

static llmops_status compile_sections(llmops__prompt *p, llmops__buf *err)
{
    for (size_t i = 0; i < p->section_count; i++) {
        prompt_section *s = &p->sections[i];
        llmops__tmpl_error te = { 0, 0, 0, { 0 } };
        llmops_status st = llmops__tmpl_compile(&s->tmpl, s->text, s->len, &te);
        if (st) {
            if (st != LLMOPS_E_NO_MEMORY) {
                char moved[256];
                rebase_positions(moved, sizeof moved, te.message, s->line);
                llmops__pr_errf(err, "%s:%u:%u: [%s] section: %s", p->file,
                                s->line + (te.line ? te.line - 1 : 0),
                                te.column ? te.column : 1, role_names[s->role], moved);
            }
            return st;
        }
    }
    return LLMOPS_OK;
}

static llmops_status compute_version(llmops__prompt *p)
{
    llmops_json_doc *doc = NULL;
    if (llmops_json_doc_new(&doc))
        return LLMOPS_E_NO_MEMORY;
    llmops_status st = LLMOPS_E_NO_MEMORY;
    llmops_json *root = llmops_json_new_object(doc);
    llmops_json *front = llmops_json_copy(doc, p->front);
    llmops_json *secs = llmops_json_new_array(doc);
    if (!root || !front || !secs || llmops_json_doc_set_root(doc, root) ||
        llmops_json_object_set(doc, root, "front", 5, front) ||
        llmops_json_object_set(doc, root, "sections", 8, secs))
        goto out;
    for (size_t i = 0; i < p->section_count; i++) {
        const prompt_section *s = &p->sections[i];
        const char *rn = role_names[s->role];
        llmops_json *o = llmops_json_new_object(doc);
        llmops_json *r = llmops_json_new_string(doc, rn, strlen(rn));
        llmops_json *t = llmops_json_new_string(doc, s->text, s->len);
        if (!o || !r || !t || llmops_json_array_append(doc, secs, o) ||
            llmops_json_object_set(doc, o, "role", 4, r) ||
            llmops_json_object_set(doc, o, "text", 4, t))
            goto out;
    }
    char *canon = NULL;
    size_t clen = 0;
    if (llmops_json_write(&canon, &clen, root, LLMOPS_JSON_WRITE_CANONICAL))
        goto out;
    llmops__sha256_hex(canon, clen, p->version);
    llmops_free(canon);
    st = LLMOPS_OK;
out:
    llmops_json_doc_free(doc);
    return st;
}

static llmops_status parse_front(llmops__prompt *p, const char *text, size_t len,
                                 unsigned line0, llmops__buf *err)
{
    llmops__yaml_positions *pos = NULL;
    llmops__buf ye = LLMOPS__BUF_INIT;
    llmops_status st = llmops__yaml_parse(text, len, &p->front_doc, &pos, &ye);
    if (st) {
        if (st == LLMOPS_E_NO_MEMORY)
            ;
        else if (st == LLMOPS_E_UNSUPPORTED)
            llmops__pr_errf(err, "%s:%u:1: front-matter needs YAML support, and this build of "
                            "libllmops has none", p->file, line0 > 1 ? line0 - 1 : 1);
        else
            yaml_error(err, p->file, line0, &ye);
        llmops__buf_free(&ye);
        return st;
    }
    llmops__buf_free(&ye);
    const llmops_json *root = llmops_json_doc_root(p->front_doc);
    if (llmops_json_type_of(root) == LLMOPS_JSON_NULL) {
        /* "---\n---" and no front-matter at all are the same prompt. */
        llmops_json_doc_free(p->front_doc);
        p->front_doc = NULL;
    } else {
        fm_ctx c = { p->file, line0, pos, err };
        st = check_front(&c, root);
        p->front = root;
    }
    llmops__yaml_positions_free(pos);
    return st;
}

llmops_status llmops__prompt_parse(llmops__prompt **out, const char *name, const char *file,
                                   const char *src, size_t len, llmops__buf *err)
{
    if (!out || !name || (!src && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!file)
        file = name;
    if (len > LLMOPS__PROMPT_MAX_BYTES) {
        llmops__pr_errf(err, "%s: %zu bytes is more than the %zu a prompt file may have", file,
                        len, LLMOPS__PROMPT_MAX_BYTES);
        return LLMOPS_E_LIMIT;
    }
    llmops__prompt *p = llmops__calloc(1, sizeof *p);
    if (!p)
        return LLMOPS_E_NO_MEMORY;
    atomic_init(&p->refs, 1);
    p->name = llmops__strdup(name);
    p->file = llmops__strdup(file);
    p->source = llmops__strndup(src ? src : "", len);
    p->source_len = len;
    llmops_status st = LLMOPS_E_NO_MEMORY;
    if (!p->name || !p->file || !p->source)
        goto fail;

    size_t bad = llmops__utf8_check(p->source, len);
    const char *nul = memchr(p->source, '\0', len);
    if (nul && (size_t)(nul - p->source) < bad)
        bad = (size_t)(nul - p->source);
    if (bad < len) {
        unsigned line = 1;
        size_t line_start = 0;
        for (size_t i = 0; i < bad; i++)
            if (p->source[i] == '\n') {
                line++;
                line_start = i + 1;
            }
        llmops__pr_errf(err, "%s:%u:%zu: %s", file, line, bad - line_start + 1,
                        p->source[bad] ? "not valid UTF-8" : "a NUL byte: not a text file");
        st = LLMOPS_E_PARSE;
        goto fail;
    }

    const char *q = p->source, *end = p->source + len, *next;
    /* A byte order mark some editors write is not content. */
    if (len >= 3 && memcmp(q, "\xEF\xBB\xBF", 3) == 0)
        q += 3;
    unsigned line = 1;
    size_t n = line_len(q, end, &next);
    if (q < end && is_fence(q, n)) {
        const char *fm = next;
        unsigned fm_line = 2;
        line = 2;
        for (q = next; q < end; line++) {
            n = line_len(q, end, &next);
            if (is_fence(q, n))
                break;
            q = next;
        }
        if (q >= end) {
            llmops__pr_errf(err, "%s:1:1: front-matter opened here is never closed by a line "
                            "'---'", file);
            st = LLMOPS_E_PARSE;
            goto fail;
        }
        st = parse_front(p, fm, (size_t)(q - fm), fm_line, err);
        if (st)
            goto fail;
        q = next;
        line++;
    }
    if (!p->front_doc) {
        if (llmops_json_doc_new(&p->front_doc))
            goto fail;
        llmops_json *o = llmops_json_new_object(p->front_doc);
        if (!o || llmops_json_doc_set_root(p->front_doc, o))
            goto fail;
        p->front = o;
    }
    st = split_sections(p, q, end, line, err);
    if (!st)
        st = compile_sections(p, err);
    if (!st)
        st = compute_version(p);
    if (st)
        goto fail;
    *out = p;
    return LLMOPS_OK;
fail:
    if (st == LLMOPS_E_NO_MEMORY)
        llmops__pr_errf(err, "%s: out of memory while parsing the prompt", file);
    prompt_free(p);
    return st;
}

/* ---- lifetime and accessors ----------------------------------------------- */

void llmops__prompt_retain(llmops__prompt *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
}

void llmops__prompt_release(llmops__prompt *p)
{
    if (p && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
        prompt_free(p);
}

const char *llmops__prompt_name(const llmops__prompt *p)
{
    return p->name;
}

const char *llmops__prompt_version(const llmops__prompt *p)
{
    return p->version;
}

const char *llmops__prompt_source(const llmops__prompt *p, size_t *len)
{
    if (len)
        *len = p->source_len;
    return p->source;
}

const llmops_json *llmops__prompt_front(const llmops__prompt *p)
{
    return p->front;
}

const char *llmops__prompt_description(const llmops__prompt *p)
{
    return llmops_json_string(llmops_json_get(p->front, "description"), NULL);
}

const char *llmops__prompt_model(const llmops__prompt *p)
{
    return llmops_json_string(llmops_json_get(p->front, "model"), NULL);
}

const llmops_json *llmops__prompt_params(const llmops__prompt *p)
{
    return llmops_json_get(p->front, "params");
}

const llmops_json *llmops__prompt_input_schema(const llmops__prompt *p)
{
    return llmops_json_get(p->front, "input_schema");
}

const llmops_json *llmops__prompt_output(const llmops__prompt *p)
{
    return llmops_json_get(p->front, "output");
}

const llmops_json *llmops__prompt_tools(const llmops__prompt *p)
{
    return llmops_json_get(p->front, "tools");
}

size_t llmops__prompt_section_count(const llmops__prompt *p)
{
    return p->section_count;
}

int llmops__prompt_section(const llmops__prompt *p, size_t i, llmops_role *role,
                           const char **text, size_t *len, unsigned *line)
{
    if (i >= p->section_count)
        return -1;
    const prompt_section *s = &p->sections[i];
    if (role)
        *role = s->role;
    if (text)
        *text = s->text;
    if (len)
        *len = s->len;
    if (line)
        *line = s->line;
    return 0;
}

/* Set of names seen so far: open addressing over indices into `all`. */
typedef struct name_set {
    size_t *slots;   /* index + 1; 0 = empty */
    size_t cap;
} name_set;

static int name_seen_or_add(name_set *set, char **all, size_t count, const char *name)
{
    size_t len = strlen(name);
    size_t i = (size_t)llmops__hash_bytes(name, len, 0) & (set->cap - 1);
    for (; set->slots[i]; i = (i + 1) & (set->cap - 1))
        if (strcmp(all[set->slots[i] - 1], name) == 0)
            return 1;
    set->slots[i] = count + 1;
    return 0;
}

llmops_status llmops__prompt_names(const llmops__prompt *p, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    char ***per = llmops__calloc(p->section_count, sizeof *per);
    size_t *per_n = llmops__calloc(p->section_count, sizeof *per_n);
    llmops_status st = per && per_n ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
    size_t total = 0;
    for (size_t i = 0; !st && i < p->section_count; i++) {
        st = llmops__tmpl_names(p->sections[i].tmpl, &per[i], &per_n[i]);
        total += per_n[i];
    }
    char **all = NULL;
    size_t count = 0;
    name_set set = { NULL, 0 };
    if (!st && total) {
        set.cap = 16;
        while (set.cap < total * 2)
            set.cap *= 2;
        set.slots = llmops__calloc(set.cap, sizeof *set.slots);
        all = llmops__malloc(total * sizeof *all);
        if (!set.slots || !all)
            st = LLMOPS_E_NO_MEMORY;
    }
    /* First appearance wins; names move from the per-section lists. */
    for (size_t i = 0; !st && i < p->section_count; i++)
        for (size_t j = 0; j < per_n[i]; j++)
            if (!name_seen_or_add(&set, all, count, per[i][j])) {
                all[count++] = per[i][j];
                per[i][j] = NULL;
            }
    for (size_t i = 0; per && per_n && i < p->section_count; i++)
        llmops__tmpl_names_free(per[i], per_n[i]);
    llmops__free(per);
    llmops__free(per_n);
    llmops__free(set.slots);
    if (st) {
        llmops__tmpl_names_free(all, count);
        return st;
    }
    if (count == 0) {
        llmops__free(all);
        all = NULL;
    }
    *names = all;
    *n = count;
    return LLMOPS_OK;
}

/* ---- render --------------------------------------------------------------- */

llmops_status llmops__prompt_render(const llmops__prompt *p, const llmops_json *input,
                                    llmops__prompt_messages *out, llmops__buf *err)
{
    if (!p || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    out->count = 0;
    llmops__buf_clear(&out->text);
    out->text.failed = 0;
    if (out->cap < p->section_count) {
        llmops__prompt_message *m =
            llmops__realloc(out->items, p->section_count * sizeof *m);
        if (!m) {
            llmops__pr_errf(err, "%s: out of memory while rendering", p->file);
            return LLMOPS_E_NO_MEMORY;
        }
        out->items = m;
        out->cap = p->section_count;
    }
    for (size_t i = 0; i < p->section_count; i++) {
        const prompt_section *s = &p->sections[i];
        size_t start = out->text.len;
        llmops__tmpl_error te = { 0, 0, 0, { 0 } };
        llmops_status st = llmops__tmpl_render(s->tmpl, input, LLMOPS__TMPL_PROMPT, NULL, NULL,
                                               &out->text, &te);
        if (st == LLMOPS_OK && out->text.failed)
            st = out->text.failed == 2 ? LLMOPS_E_LIMIT : LLMOPS_E_NO_MEMORY;
        if (st) {
            if (st == LLMOPS_E_NO_MEMORY)
                llmops__pr_errf(err, "%s: out of memory while rendering the [%s] section",
                                p->file, role_names[s->role]);
            else if (te.message[0]) {
                char moved[256];
                rebase_positions(moved, sizeof moved, te.message, s->line);
                llmops__pr_errf(err, "%s:%u:%u: [%s] section: %s", p->file,
                                s->line + (te.line ? te.line - 1 : 0),
                                te.column ? te.column : 1, role_names[s->role], moved);
            }
            else
                llmops__pr_errf(err, "%s:%u: [%s] section: rendering failed (%s)", p->file,
                                s->line, role_names[s->role], llmops_status_str(st));
            out->count = 0;
            llmops__buf_clear(&out->text);
            return st;
        }
        out->items[i].role = s->role;
        out->items[i].len = out->text.len - start;
        llmops__buf_putc(&out->text, '\0');
    }
    if (out->text.failed) {
        llmops_status st = out->text.failed == 2 ? LLMOPS_E_LIMIT : LLMOPS_E_NO_MEMORY;
        llmops__pr_errf(err, "%s: rendered text does not fit (%s)", p->file,
                        llmops_status_str(st));
        llmops__buf_clear(&out->text);
        return st;
    }
    /* Pointers only now: the buffer may have moved while it grew. */
    size_t off = 0;
    for (size_t i = 0; i < p->section_count; i++) {
        out->items[i].text = out->text.data + off;
        off += out->items[i].len + 1;
    }
    out->count = p->section_count;
    return LLMOPS_OK;
}

void llmops__prompt_messages_free(llmops__prompt_messages *m)
{
    if (!m)
        return;
    llmops__free(m->items);
    llmops__buf_free(&m->text);
    m->items = NULL;
    m->count = m->cap = 0;
}
