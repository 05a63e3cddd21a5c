/* Compiling contracts and checking answers and inputs against them. A check
 * runs every rule and lists every violation, so one re-ask can fix them all. */
#include "contract/contract.h"
#include "contract/internal.h"

#include "core/alloc.h"
#include "json/utf8.h"

#include <string.h>

struct llmops__contract {
    int json;
    int extract;
    size_t max_length;
    llmops__schema *schema;
    const char *root_type;  /* the schema's top-level "type", for the re-ask wording */
    char *schema_text;      /* compact schema JSON when short enough to quote, else NULL */
    llmops__ct_patterns *pats;
    size_t nrequired;       /* patterns [0, nrequired) are required, the rest forbidden */
    size_t nforbidden;
};

/* ---- compiling ---------------------------------------------------------- */

static const char *root_type_of(const llmops_json *schema)
{
    static const char *const known[] = { "object", "array", "string", "number",
                                         "integer", "boolean", "null" };
    const char *t = llmops_json_string(llmops_json_get(schema, "type"), NULL);
    if (!t)
        return NULL;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(t, known[i]) == 0)
            return known[i];
    return NULL;
}

static llmops_status check_list(const char *const *list, size_t n, const char *name,
                                llmops__buf *err)
{
    if (n && !list) {
        if (err)
            llmops__buf_printf(err, "%zu %s patterns given but the list is NULL", n, name);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < n; i++) {
        if (!list[i]) {
            if (err)
                llmops__buf_printf(err, "%s pattern %zu is NULL", name, i);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
    }
    return LLMOPS_OK;
}

llmops_status llmops__contract_new(llmops__contract **out, const llmops__contract_spec *spec,
                                   llmops__buf *err)
{
    if (out)
        *out = NULL;
    if (!out || !spec) {
        if (err)
            llmops__buf_puts(err, "contract: no output pointer or no spec");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (!spec->json && (spec->schema || spec->extract_json)) {
        if (err)
            llmops__buf_printf(err, "contract: %s needs JSON output, but the output is text",
                               spec->schema ? "a schema" : "extract_json");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops_status st = check_list(spec->required, spec->nrequired, "required", err);
    if (st == LLMOPS_OK)
        st = check_list(spec->forbidden, spec->nforbidden, "forbidden", err);
    if (st != LLMOPS_OK)
        return st;

    llmops__contract *c = llmops__calloc(1, sizeof *c);
    if (!c)
        return LLMOPS_E_NO_MEMORY;
    c->json = spec->json != 0;
    c->extract = spec->extract_json != 0;
    c->max_length = spec->max_length;
    c->nrequired = spec->nrequired;
    c->nforbidden = spec->nforbidden;
    if (spec->schema) {
        llmops__buf why = LLMOPS__BUF_INIT;
        st = llmops__schema_compile(&c->schema, spec->schema, spec->schema_options, &why);
        if (st != LLMOPS_OK && err) {
            llmops__buf_puts(err, "output schema: ");
            llmops__buf_puts(err, why.data && why.len ? why.data : llmops_status_str(st));
        }
        llmops__buf_free(&why);
        if (st != LLMOPS_OK) {
            llmops__contract_free(c);
            return st;
        }
        c->root_type = root_type_of(spec->schema);
        size_t n = 0;
        st = llmops_json_write(&c->schema_text, &n, spec->schema, LLMOPS_JSON_WRITE_COMPACT);
        if (st != LLMOPS_OK) {
            llmops__contract_free(c);
            return st;
        }
        if (n > LLMOPS__CONTRACT_REASK_SCHEMA_MAX) {
            llmops_free(c->schema_text);
            c->schema_text = NULL;
        }
    }
    st = llmops__ct_patterns_new(&c->pats, spec->required, spec->nrequired, spec->forbidden,
                                 spec->nforbidden, err);
    if (st != LLMOPS_OK) {
        llmops__contract_free(c);
        return st;
    }
    *out = c;
    return LLMOPS_OK;
}

void llmops__contract_free(llmops__contract *c)
{
    if (!c)
        return;
    llmops__schema_free(c->schema);
    llmops_free(c->schema_text);
    llmops__ct_patterns_free(c->pats);
    llmops__free(c);
}

int llmops__contract_is_json(const llmops__contract *c)
{
    return c && c->json;
}

const llmops__schema *llmops__contract_schema(const llmops__contract *c)
{
    return c ? c->schema : NULL;
}

size_t llmops__contract_max_length(const llmops__contract *c)
{
    return c ? c->max_length : 0;
}

const char *llmops__contract_root_type(const llmops__contract *c)
{
    return c ? c->root_type : NULL;
}

const char *llmops__contract_schema_text(const llmops__contract *c)
{
    return c ? c->schema_text : NULL;
}

int llmops__contract_extracts(const llmops__contract *c)
{
    return c && c->extract;
}

/* ---- collecting violations ---------------------------------------------- */

typedef struct ct_out {
    llmops__contract_result *res;
    size_t cap;
} ct_out;

/* Takes the message from `msg` (which is reset). */
static llmops_status add(ct_out *o, const char *kind, const char *path, const char *schema_path,
                         llmops__buf *msg)
{
    llmops__contract_result *r = o->res;
    if (msg->failed) {
        llmops__buf_free(msg);
        return LLMOPS_E_NO_MEMORY;
    }
    if (r->n == o->cap) {
        size_t cap = llmops__grow_cap(o->cap, r->n + 1, sizeof *r->v);
        llmops__violation *v = cap ? llmops__realloc(r->v, cap * sizeof *v) : NULL;
        if (!v) {
            llmops__buf_free(msg);
            return LLMOPS_E_NO_MEMORY;
        }
        r->v = v;
        o->cap = cap;
    }
    llmops__violation *v = &r->v[r->n];
    memset(v, 0, sizeof *v);
    v->kind = llmops__strdup(kind);
    v->message = llmops__buf_detach(msg, NULL);
    v->path = path ? llmops__strdup(path) : NULL;
    v->schema_path = schema_path ? llmops__strdup(schema_path) : NULL;
    r->n++;
    if (!v->kind || !v->message || (path && !v->path) || (schema_path && !v->schema_path))
        return LLMOPS_E_NO_MEMORY;
    return LLMOPS_OK;
}

static llmops_status add_text(ct_out *o, const char *kind, const char *text)
{
    llmops__buf msg = LLMOPS__BUF_INIT;
    llmops__buf_puts(&msg, text);
    return add(o, kind, NULL, NULL, &msg);
}

/* Validate and turn each schema error into a violation of `kind`. */
static llmops_status schema_violations(ct_out *o, const llmops__schema *s,
                                       const llmops_json *value, const char *kind)
{
    llmops__schema_result sr;
    llmops_status st = llmops__schema_validate(s, value, LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS + 1,
                                               &sr);
    if (st == LLMOPS_E_LIMIT) {
        llmops__schema_result_free(&sr);
        llmops__buf msg = LLMOPS__BUF_INIT;
        llmops__buf_puts(&msg, "the value could not be validated: checking it exceeds the "
                               "schema validator's depth or step limit");
        return add(o, kind, "", NULL, &msg);
    }
    if (st != LLMOPS_OK) {
        llmops__schema_result_free(&sr);
        return st;
    }
    size_t n = sr.nerrors;
    if (n > LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS) {
        n = LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS;
        o->res->truncated = 1;
    }
    if (!sr.valid && n == 0) {
        /* A validator that says invalid without a reason still fails the check. */
        st = add_text(o, kind, "the value does not match the schema");
    }
    for (size_t i = 0; i < n && st == LLMOPS_OK; i++) {
        const llmops__schema_error *e = &sr.errors[i];
        llmops__buf msg = LLMOPS__BUF_INIT;
        llmops__buf_puts(&msg, e->message ? e->message : "does not match the schema");
        st = add(o, kind, e->instance_path ? e->instance_path : "", e->schema_path, &msg);
    }
    llmops__schema_result_free(&sr);
    return st;
}

/* ---- checking ----------------------------------------------------------- */

static llmops_status check_json(const llmops__contract *c, const char *text, size_t len,
                                ct_out *o)
{
    llmops__ct_found f;
    llmops_status st = llmops__ct_find_json(text, len, &f);
    if (st != LLMOPS_OK)
        return st;
    llmops__buf msg = LLMOPS__BUF_INIT;
    if (f.how == LLMOPS__CT_NONE) {
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                           text[i] == '\r'))
            i++;
        if (i == len) {
            llmops__buf_puts(&msg, "the answer is empty, but a JSON value was expected");
        } else if (c->extract) {
            llmops__buf_printf(&msg,
                               "the answer holds no JSON value: as a whole it is not JSON (%s "
                               "at line %u, column %u), and no ```json fence or balanced "
                               "{...} or [...] in it parses",
                               f.whole_err.message, f.whole_err.line, f.whole_err.column);
        } else {
            llmops__buf_printf(&msg, "the answer is not JSON: %s at line %u, column %u",
                               f.whole_err.message, f.whole_err.line, f.whole_err.column);
        }
        return add(o, "not_json", NULL, NULL, &msg);
    }
    o->res->json = f.doc;
    o->res->json_offset = f.off;
    o->res->json_length = f.len;
    if (f.how != LLMOPS__CT_WHOLE && !c->extract) {
        if (f.how == LLMOPS__CT_FENCE)
            llmops__buf_puts(&msg, "the JSON value is wrapped in a ```json code fence");
        else
            llmops__buf_printf(&msg, "there is text %s the JSON value",
                               f.prose_before && f.prose_after ? "before and after"
                               : f.prose_before                ? "before"
                                                               : "after");
        llmops__buf_puts(&msg, "; only the JSON value may be sent");
        st = add(o, "prose_around_json", NULL, NULL, &msg);
        if (st != LLMOPS_OK)
            return st;
    }
    if (c->schema)
        return schema_violations(o, c->schema, llmops_json_doc_root(f.doc), "schema");
    return LLMOPS_OK;
}

static llmops_status check_patterns(const llmops__contract *c, const char *text, size_t len,
                                    ct_out *o)
{
    llmops__ct_scratch scratch;
    llmops_status st = llmops__ct_scratch_init(&scratch, c->pats);
    size_t n = llmops__ct_patterns_count(c->pats);
    for (size_t i = 0; i < n && st == LLMOPS_OK; i++) {
        int required = i < c->nrequired;
        const char *src = llmops__ct_pattern_source(c->pats, i);
        size_t a = 0, b = 0;
        char why[128];
        int r = llmops__ct_pattern_match(c->pats, i, &scratch, text, len, &a, &b, why,
                                         sizeof why);
        if (r == LLMOPS__CT_MATCH_NOMEM) {
            st = LLMOPS_E_NO_MEMORY;
            break;
        }
        if (r == LLMOPS__CT_NOMATCH && !required)
            continue;
        if (r == LLMOPS__CT_MATCH && required)
            continue;
        const char *kind = required ? "required_pattern" : "forbidden_pattern";
        llmops__buf msg = LLMOPS__BUF_INIT;
        if (r == LLMOPS__CT_MATCH_ERROR) {
            /* Unknown is not a pass: the rule fails closed. */
            llmops__buf_puts(&msg, "the pattern ");
            llmops__ct_put_excerpt(&msg, src, strlen(src), 120);
            llmops__buf_printf(&msg, " could not be checked against the answer: %s", why);
        } else if (required) {
            llmops__buf_puts(&msg, "the answer must match the pattern ");
            llmops__ct_put_excerpt(&msg, src, strlen(src), 120);
            llmops__buf_puts(&msg, " but does not");
        } else {
            llmops__buf_puts(&msg, "the answer must not match the pattern ");
            llmops__ct_put_excerpt(&msg, src, strlen(src), 120);
            llmops__buf_printf(&msg, " but does, at character %zu: ",
                               llmops__ct_count_chars(text, a) + 1);
            llmops__ct_put_excerpt(&msg, text + a, b - a, 80);
        }
        st = add(o, kind, NULL, NULL, &msg);
    }
    llmops__ct_scratch_done(&scratch);
    return st;
}

llmops_status llmops__contract_check(const llmops__contract *c, const char *text, size_t len,
                                     llmops__contract_result *res)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!c || !res || (!text && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!text)
        text = "";
    ct_out o = { res, 0 };
    llmops_status st = LLMOPS_OK;
    size_t bad = llmops__utf8_check(text, len);
    size_t npat = llmops__ct_patterns_count(c->pats);
    if (bad < len) {
        llmops__buf msg = LLMOPS__BUF_INIT;
        llmops__buf_printf(&msg, "the answer is not valid UTF-8 (byte %zu)", bad);
        if (npat)
            llmops__buf_printf(&msg, ", so its %zu pattern%s could not be checked", npat,
                               npat == 1 ? "" : "s");
        st = add(&o, "invalid_utf8", NULL, NULL, &msg);
    }
    if (st == LLMOPS_OK && c->json)
        st = check_json(c, text, len, &o);
    if (st == LLMOPS_OK && c->max_length) {
        size_t chars = llmops__ct_count_chars(text, len);
        if (chars > c->max_length) {
            llmops__buf msg = LLMOPS__BUF_INIT;
            llmops__buf_printf(&msg, "the answer is %zu characters long, more than the limit "
                                     "of %zu", chars, c->max_length);
            st = add(&o, "max_length", NULL, NULL, &msg);
        }
    }
    if (st == LLMOPS_OK && npat && bad == len)
        st = check_patterns(c, text, len, &o);
    if (st != LLMOPS_OK) {
        llmops__contract_result_free(res);
        return st;
    }
    res->ok = res->n == 0;
    return LLMOPS_OK;
}

void llmops__contract_result_free(llmops__contract_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++) {
        llmops__free(res->v[i].kind);
        llmops__free(res->v[i].path);
        llmops__free(res->v[i].message);
        llmops__free(res->v[i].schema_path);
    }
    llmops__free(res->v);
    llmops_json_doc_free(res->json);
    memset(res, 0, sizeof *res);
}

llmops_status llmops__input_check(const llmops__schema *input_schema, const llmops_json *input,
                                  llmops__contract_result *res)
{
    if (!res)
        return LLMOPS_E_INVALID_ARGUMENT;
    memset(res, 0, sizeof *res);
    if (!input_schema) {
        res->ok = 1;
        return LLMOPS_OK;
    }
    llmops_json_doc *null_doc = NULL;
    if (!input) {
        /* No input is the JSON null, so a schema decides whether that is allowed. */
        llmops_status st = llmops_json_parse(&null_doc, "null", 4, NULL, NULL);
        if (st != LLMOPS_OK)
            return st;
        input = llmops_json_doc_root(null_doc);
    }
    ct_out o = { res, 0 };
    llmops_status st = schema_violations(&o, input_schema, input, "input_schema");
    llmops_json_doc_free(null_doc);
    if (st != LLMOPS_OK) {
        llmops__contract_result_free(res);
        return st;
    }
    res->ok = res->n == 0;
    return LLMOPS_OK;
}
