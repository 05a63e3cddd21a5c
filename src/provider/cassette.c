/* Cassette files: building, atomic writing, loading and reading back. The
 * format is described in cassette.h. */
#include "provider/cassette.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/ids.h"
#include "provider/fingerprint.h"
#include "provider/response.h"

#define CASSETTE_VERSION 1
#define CASSETTE_MAX_BYTES (512u * 1024u * 1024u)

static const char *const op_names[] = {"generate", "classify", "embed"};
static const char *const op_suffix[] = {"", ".classify", ".embed"};
static const char *const finish_names[] = {"unknown", "stop",  "length", "tool_calls",
                                           "content_filter", "error", "other"};
/* Indexed by llmops_delta_kind (1..4). */
static const char *const kind_names[] = {NULL, "text", "reasoning", "tool_call",
                                         "tool_call_done"};

const char *llmops__cassette_op_name(llmops__cassette_op op)
{
    return (unsigned)op < 3 ? op_names[op] : "unknown";
}

/* ---- tape --------------------------------------------------------------- */

llmops_status llmops__tape_add(llmops__tape *tape, uint64_t t_ns, const llmops_delta *delta)
{
    if (tape->n == tape->cap) {
        size_t cap = llmops__grow_cap(tape->cap, tape->n + 1, sizeof *tape->d);
        llmops__tape_delta *d = cap ? llmops__realloc(tape->d, cap * sizeof *d) : NULL;
        if (!d)
            return LLMOPS_E_NO_MEMORY;
        tape->d = d;
        tape->cap = cap;
    }
    llmops__tape_delta *e = &tape->d[tape->n];
    memset(e, 0, sizeof *e);
    e->t_ns = t_ns;
    e->kind = delta->kind;
    e->len = delta->len;
    e->index = delta->tool_index;
    e->text = llmops__strndup(delta->text ? delta->text : "", delta->len);
    e->id = delta->tool_id ? llmops__strdup(delta->tool_id) : NULL;
    e->name = delta->tool_name ? llmops__strdup(delta->tool_name) : NULL;
    if (!e->text || (delta->tool_id && !e->id) || (delta->tool_name && !e->name)) {
        llmops__free(e->text);
        llmops__free(e->id);
        llmops__free(e->name);
        return LLMOPS_E_NO_MEMORY;
    }
    tape->n++;
    return LLMOPS_OK;
}

void llmops__tape_free(llmops__tape *tape)
{
    for (size_t i = 0; i < tape->n; i++) {
        llmops__free(tape->d[i].text);
        llmops__free(tape->d[i].id);
        llmops__free(tape->d[i].name);
    }
    llmops__free(tape->d);
    memset(tape, 0, sizeof *tape);
}

char *llmops__cassette_path(const char *dir, const char *fingerprint, llmops__cassette_op op)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_printf(&b, "%s/%s%s.json", dir, fingerprint,
                       op_suffix[(unsigned)op < 3 ? op : 0]);
    return llmops__buf_detach(&b, NULL);
}

/* ---- building ----------------------------------------------------------- */

typedef struct builder {
    llmops_json_doc *doc;
    const char *bad;   /* first field that could not be built */
} builder;

static void set(builder *b, llmops_json *obj, const char *key, llmops_json *v)
{
    if (b->bad)
        return;
    if (!obj || !v || llmops_json_object_set(b->doc, obj, key, strlen(key), v) != LLMOPS_OK)
        b->bad = key;
}

static void push(builder *b, llmops_json *arr, llmops_json *v, const char *what)
{
    if (b->bad)
        return;
    if (!arr || !v || llmops_json_array_append(b->doc, arr, v) != LLMOPS_OK)
        b->bad = what;
}

static void set_str(builder *b, llmops_json *obj, const char *key, const char *s, size_t len)
{
    if (s)
        set(b, obj, key, llmops_json_new_string(b->doc, s, len));
}

static void set_cstr(builder *b, llmops_json *obj, const char *key, const char *s)
{
    if (s)
        set_str(b, obj, key, s, strlen(s));
}

static void set_int(builder *b, llmops_json *obj, const char *key, int64_t v)
{
    set(b, obj, key, llmops_json_new_int(b->doc, v));
}

static llmops_json *build_response(builder *b, const llmops_response *r)
{
    llmops_json *o = llmops_json_new_object(b->doc);
    size_t len;
    const char *t = llmops_response_text(r, &len);
    if (len)
        set_str(b, o, "text", t, len);
    t = llmops_response_reasoning(r, &len);
    if (len)
        set_str(b, o, "reasoning", t, len);
    if (r->ncalls) {
        llmops_json *calls = llmops_json_new_array(b->doc);
        for (size_t i = 0; i < r->ncalls; i++) {
            llmops_json *c = llmops_json_new_object(b->doc);
            set_cstr(b, c, "id", r->calls[i].id);
            set_cstr(b, c, "name", r->calls[i].name);
            set_cstr(b, c, "arguments", llmops_response_tool_call_arguments(r, i));
            push(b, calls, c, "tool_calls");
        }
        set(b, o, "tool_calls", calls);
    }
    set_cstr(b, o, "finish_reason",
             finish_names[(unsigned)r->finish <= LLMOPS_FINISH_OTHER ? r->finish : 0]);
    set_cstr(b, o, "finish_reason_raw", r->finish_raw);
    if (r->has_usage) {
        llmops_json *u = llmops_json_new_object(b->doc);
        set_int(b, u, "input_tokens", r->usage.input_tokens);
        set_int(b, u, "output_tokens", r->usage.output_tokens);
        set_int(b, u, "cached_input_tokens", r->usage.cached_input_tokens);
        set_int(b, u, "cache_creation_tokens", r->usage.cache_creation_tokens);
        set_int(b, u, "reasoning_tokens", r->usage.reasoning_tokens);
        set_int(b, u, "total_tokens", r->usage.total_tokens);
        set(b, u, "cost_usd", llmops_json_new_double(b->doc, r->usage.cost_usd));
        set(b, o, "usage", u);
    }
    set_cstr(b, o, "model", r->model);
    set_cstr(b, o, "request_id", r->request_id);
    if (r->http_status)
        set_int(b, o, "http_status", r->http_status);
    if (r->nlabels) {
        llmops_json *a = llmops_json_new_array(b->doc);
        for (size_t i = 0; i < r->nlabels; i++) {
            llmops_json *l = llmops_json_new_object(b->doc);
            set_cstr(b, l, "label", r->labels[i].label);
            set(b, l, "score", llmops_json_new_double(b->doc, r->labels[i].score));
            push(b, a, l, "labels");
        }
        set(b, o, "labels", a);
    }
    if (r->nvectors) {
        llmops_json *a = llmops_json_new_array(b->doc);
        for (size_t i = 0; i < r->nvectors; i++) {
            llmops_json *v = llmops_json_new_array(b->doc);
            for (size_t k = r->offsets[i]; k < r->offsets[i + 1] && !b->bad; k++)
                /* A float widened to double prints as the shortest text
                 * that reads back to that double, so it narrows back to
                 * the same float exactly. */
                push(b, v, llmops_json_new_double(b->doc, (double)r->vectors[k]), "embeddings");
            push(b, a, v, "embeddings");
        }
        set(b, o, "embeddings", a);
    }
    return o;
}

static llmops_json *build_deltas(builder *b, const llmops__tape *tape)
{
    llmops_json *a = llmops_json_new_array(b->doc);
    for (size_t i = 0; tape && i < tape->n && !b->bad; i++) {
        const llmops__tape_delta *d = &tape->d[i];
        llmops_json *o = llmops_json_new_object(b->doc);
        set_int(b, o, "t_ns", d->t_ns > INT64_MAX ? INT64_MAX : (int64_t)d->t_ns);
        set_cstr(b, o, "kind", (unsigned)d->kind <= 4 && d->kind ? kind_names[d->kind] : "text");
        set_str(b, o, "text", d->text, d->len);
        if (d->kind == LLMOPS_DELTA_TOOL_CALL || d->kind == LLMOPS_DELTA_TOOL_CALL_DONE) {
            set_int(b, o, "index", (int64_t)d->index);
            set_cstr(b, o, "id", d->id);
            set_cstr(b, o, "name", d->name);
        }
        push(b, a, o, "deltas");
    }
    return a;
}

/* ---- writing ------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* temp file in the same directory (rename is atomic only within one file
 * system), fsync, rename over the final name. */
static llmops_status write_atomic(const char *dir, const char *path, const char *text,
                                  size_t len, llmops__buf *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        llmops__buf_printf(err, "cannot create directory %s: %s", dir, strerror(errno));
        return LLMOPS_E_IO;
    }
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%016llx", path, (long)getpid(),
                     (unsigned long long)llmops__rand_u64());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        llmops__buf_printf(err, "cassette path too long: %s", path);
        return LLMOPS_E_IO;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        llmops__buf_printf(err, "cannot create %s: %s", tmp, strerror(errno));
        return LLMOPS_E_IO;
    }
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        llmops__buf_printf(err, "cannot write %s: %s", tmp, strerror(e));
        return LLMOPS_E_IO;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        llmops__buf_printf(err, "cannot write %s: %s", path, strerror(e));
        return LLMOPS_E_IO;
    }
    return LLMOPS_OK;
}

llmops_status llmops__cassette_write(const char *dir, const char *fingerprint,
                                     llmops__cassette_op op, const char *model,
                                     const llmops_request *req, const llmops_response *resp,
                                     const llmops__tape *tape, uint64_t ttft_ns,
                                     uint64_t latency_ns, llmops__buf *err)
{
    char *path = llmops__cassette_path(dir, fingerprint, op);
    if (!path) {
        llmops__buf_puts(err, "out of memory building the cassette path");
        return LLMOPS_E_NO_MEMORY;
    }
    builder b = {NULL, NULL};
    llmops_json_doc *reqdoc = NULL;
    char *text = NULL;
    size_t len = 0;
    llmops_status st = llmops_json_doc_new(&b.doc);
    if (st != LLMOPS_OK) {
        llmops__buf_puts(err, "out of memory building the cassette");
        goto done;
    }

    llmops_json *root = llmops_json_new_object(b.doc);
    set_int(&b, root, "version", CASSETTE_VERSION);
    set_cstr(&b, root, "fingerprint", fingerprint);
    set_cstr(&b, root, "op", llmops__cassette_op_name(op));
    set_cstr(&b, root, "model", model);
    char *canon = NULL;
    size_t canon_len = 0;
    if (req && llmops__request_canonical_json(req, model, &canon, &canon_len) == LLMOPS_OK) {
        if (llmops_json_parse(&reqdoc, canon, canon_len, NULL, NULL) == LLMOPS_OK)
            set(&b, root, "request", llmops_json_copy(b.doc, llmops_json_doc_root(reqdoc)));
        llmops__free(canon);
    }
    set(&b, root, "response", build_response(&b, resp));
    set(&b, root, "deltas", build_deltas(&b, tape));
    set_int(&b, root, "ttft_ns", ttft_ns > INT64_MAX ? INT64_MAX : (int64_t)ttft_ns);
    set_int(&b, root, "latency_ns", latency_ns > INT64_MAX ? INT64_MAX : (int64_t)latency_ns);
    if (b.bad) {
        /* Response strings are valid UTF-8, so this is memory or a NaN or
         * infinite number (usage cost, label score, embedding value), which
         * JSON cannot hold. */
        llmops__buf_printf(err,
                           "cannot store cassette field \"%s\" in %s (out of memory, or a "
                           "NaN or infinite number)",
                           b.bad, path);
        st = LLMOPS_E_INVALID_ARGUMENT;
        goto done;
    }
    if (llmops_json_doc_set_root(b.doc, root) != LLMOPS_OK ||
        llmops_json_write(&text, &len, root, LLMOPS_JSON_WRITE_PRETTY) != LLMOPS_OK) {
        llmops__buf_printf(err, "out of memory writing cassette %s", path);
        st = LLMOPS_E_NO_MEMORY;
        goto done;
    }
    st = write_atomic(dir, path, text, len, err);
done:
    llmops_free(text);
    llmops_json_doc_free(reqdoc);
    llmops_json_doc_free(b.doc);
    llmops__free(path);
    return st;
}

/* ---- loading ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        *err = errno;
        close(fd);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > CASSETTE_MAX_BYTES) {
        *err = S_ISDIR(sb.st_mode) ? EISDIR : !S_ISREG(sb.st_mode) ? EINVAL : EFBIG;
        close(fd);
        return NULL;
    }
    size_t size = (size_t)sb.st_size;
    char *buf = llmops__malloc(size + 1);
    if (!buf) {
        *err = ENOMEM;
        close(fd);
        return NULL;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != size) {
        *err = EIO;
        llmops__free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = size;
    return buf;
}

static llmops_status malformed(llmops_response *resp, const char *path, const char *what)
{
    return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE, "replay: cassette %s: %s",
                                 path, what);
}

llmops_status llmops__cassette_load(const char *path, const char *dir, const char *fingerprint,
                                    llmops__cassette_op op, llmops_json_doc **doc,
                                    llmops_response *resp)
{
    *doc = NULL;
    size_t len = 0;
    int e = 0;
    char *text = read_file(path, &len, &e);
    if (!text) {
        if (e == ENOENT)
            return llmops__response_fail(resp, LLMOPS_E_NO_RECORDING,
                                         "no recording for request %s in %s (%s, no %s)",
                                         fingerprint, dir, llmops__cassette_op_name(op), path);
        if (e == ENOMEM)
            return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                         "replay: out of memory reading %s", path);
        return llmops__response_fail(resp, LLMOPS_E_IO, "replay: cannot read cassette %s: %s",
                                     path, strerror(e));
    }
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    llmops_json_doc *d = NULL;
    llmops_status st = llmops_json_parse(&d, text, len, NULL, &jerr);
    llmops__free(text);
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(resp, st, "replay: out of memory parsing %s", path);
    if (st != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     "replay: cassette %s is not JSON: line %u column %u: %s",
                                     path, jerr.line, jerr.column, jerr.message);
    const llmops_json *root = llmops_json_doc_root(d);
    int64_t version = 0;
    const char *why = NULL;
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT)
        why = "not a JSON object";
    else if (llmops_json_get_int(llmops_json_get(root, "version"), &version) != LLMOPS_OK)
        why = "\"version\" missing or not an integer";
    else if (version != CASSETTE_VERSION)
        why = "unsupported \"version\" (this library reads version 1)";
    else if (llmops_json_type_of(llmops_json_get(root, "response")) != LLMOPS_JSON_OBJECT)
        why = "\"response\" missing or not an object";
    else {
        const char *o = llmops_json_string(llmops_json_get(root, "op"), NULL);
        const char *fp = llmops_json_string(llmops_json_get(root, "fingerprint"), NULL);
        const llmops_json *deltas = llmops_json_get(root, "deltas");
        if (o && strcmp(o, llmops__cassette_op_name(op)) != 0)
            why = "\"op\" does not match the operation asked for";
        else if (fp && strcmp(fp, fingerprint) != 0)
            why = "\"fingerprint\" does not match the file's request";
        else if (deltas && llmops_json_type_of(deltas) != LLMOPS_JSON_ARRAY)
            why = "\"deltas\" is not an array";
    }
    if (why) {
        llmops_json_doc_free(d);
        return malformed(resp, path, why);
    }
    *doc = d;
    return LLMOPS_OK;
}

/* ---- reading back ------------------------------------------------------- */

/* A string member: NULL when absent; *bad set when present but not a string. */
static const char *get_str(const llmops_json *o, const char *key, size_t *len, int *bad)
{
    const llmops_json *v = llmops_json_get(o, key);
    *len = 0;
    if (!v)
        return NULL;
    const char *s = llmops_json_string(v, len);
    if (!s)
        *bad = 1;
    return s;
}

static int finish_from_name(const char *s, llmops_finish_reason *out)
{
    for (unsigned i = 0; i <= LLMOPS_FINISH_OTHER; i++)
        if (strcmp(s, finish_names[i]) == 0) {
            *out = (llmops_finish_reason)i;
            return 0;
        }
    return -1;
}

static llmops_status apply_usage(const llmops_json *u, const char *path, llmops_response *resp)
{
    static const char *const keys[] = {"input_tokens",     "output_tokens",
                                       "cached_input_tokens", "cache_creation_tokens",
                                       "reasoning_tokens", "total_tokens"};
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT)
        return malformed(resp, path, "\"response.usage\" is not an object");
    int64_t v[6] = {0};
    for (size_t i = 0; i < 6; i++) {
        const llmops_json *n = llmops_json_get(u, keys[i]);
        if (n && llmops_json_get_int(n, &v[i]) != LLMOPS_OK)
            return malformed(resp, path, "\"response.usage\" holds a non-integer token count");
    }
    double cost = 0;
    const llmops_json *c = llmops_json_get(u, "cost_usd");
    if (c && llmops_json_get_double(c, &cost) != LLMOPS_OK)
        return malformed(resp, path, "\"response.usage.cost_usd\" is not a number");
    llmops_usage usage = LLMOPS_USAGE_INIT;
    usage.input_tokens = v[0];
    usage.output_tokens = v[1];
    usage.cached_input_tokens = v[2];
    usage.cache_creation_tokens = v[3];
    usage.reasoning_tokens = v[4];
    usage.total_tokens = v[5];
    usage.cost_usd = cost;
    return llmops_response_set_usage(resp, &usage);
}

static llmops_status apply_content(const llmops_json *r, const char *path,
                                   llmops_response *resp)
{
    int bad = 0;
    size_t len;
    const char *s = get_str(r, "text", &len, &bad);
    if (s && llmops__response_append_text(resp, s, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    s = get_str(r, "reasoning", &len, &bad);
    if (s && llmops__response_append_reasoning(resp, s, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if (bad)
        return malformed(resp, path, "\"response.text\" or \"response.reasoning\" is not a string");
    const llmops_json *calls = llmops_json_get(r, "tool_calls");
    if (calls && llmops_json_type_of(calls) != LLMOPS_JSON_ARRAY)
        return malformed(resp, path, "\"response.tool_calls\" is not an array");
    for (size_t i = 0; i < llmops_json_size(calls); i++) {
        const llmops_json *c = llmops_json_at(calls, i);
        size_t id_len, name_len, args_len;
        const char *id = get_str(c, "id", &id_len, &bad);
        const char *name = get_str(c, "name", &name_len, &bad);
        const char *args = get_str(c, "arguments", &args_len, &bad);
        if (bad || !name || llmops_json_type_of(c) != LLMOPS_JSON_OBJECT)
            return malformed(resp, path,
                             "a \"response.tool_calls\" entry lacks a string name or has "
                             "non-string fields");
        llmops_status st = llmops__response_tool_call_fragment(
            resp, i, id, id_len, name, name_len, args ? args : "", args_len);
        if (st != LLMOPS_OK)
            return st;
    }
    return LLMOPS_OK;
}

static llmops_status apply_results(const llmops_json *r, const char *path,
                                   llmops_response *resp)
{
    const llmops_json *labels = llmops_json_get(r, "labels");
    if (labels && llmops_json_type_of(labels) != LLMOPS_JSON_ARRAY)
        return malformed(resp, path, "\"response.labels\" is not an array");
    for (size_t i = 0; i < llmops_json_size(labels); i++) {
        const llmops_json *l = llmops_json_at(labels, i);
        const char *label = llmops_json_string(llmops_json_get(l, "label"), NULL);
        double score;
        if (!label || llmops_json_get_double(llmops_json_get(l, "score"), &score) != LLMOPS_OK)
            return malformed(resp, path, "a \"response.labels\" entry lacks label or score");
        llmops_status st = llmops_response_add_label(resp, label, score);
        if (st == LLMOPS_E_INVALID_ARGUMENT)
            return malformed(resp, path, "a label is empty or its score is outside [0, 1]");
        if (st != LLMOPS_OK)
            return st;
    }

    const llmops_json *emb = llmops_json_get(r, "embeddings");
    if (emb && llmops_json_type_of(emb) != LLMOPS_JSON_ARRAY)
        return malformed(resp, path, "\"response.embeddings\" is not an array");
    float *vec = NULL;
    size_t cap = 0;
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < llmops_json_size(emb) && st == LLMOPS_OK; i++) {
        const llmops_json *v = llmops_json_at(emb, i);
        size_t dims = llmops_json_size(v);
        if (llmops_json_type_of(v) != LLMOPS_JSON_ARRAY) {
            st = malformed(resp, path, "an embedding is not an array");
            break;
        }
        if (dims > cap) {
            float *nv = llmops__realloc(vec, dims * sizeof *vec);
            if (!nv) {
                st = LLMOPS_E_NO_MEMORY;
                break;
            }
            vec = nv;
            cap = dims;
        }
        for (size_t k = 0; k < dims; k++) {
            double d;
            if (llmops_json_get_double(llmops_json_at(v, k), &d) != LLMOPS_OK) {
                st = malformed(resp, path, "an embedding holds a non-number");
                break;
            }
            vec[k] = (float)d;
        }
        if (st == LLMOPS_OK)
            st = llmops_response_add_embedding(resp, vec, dims);
    }
    llmops__free(vec);
    return st;
}

llmops_status llmops__cassette_apply(const llmops_json *root, const char *path, int content,
                                     llmops_response *resp)
{
    const llmops_json *r = llmops_json_get(root, "response");
    llmops_status st;
    if (content && (st = apply_content(r, path, resp)) != LLMOPS_OK)
        return st;
    int bad = 0;
    size_t len;
    const char *s = get_str(r, "finish_reason", &len, &bad);
    if (s) {
        llmops_finish_reason f;
        if (finish_from_name(s, &f) != 0)
            return malformed(resp, path, "unknown \"response.finish_reason\"");
        resp->finish = f;
    }
    if ((s = get_str(r, "finish_reason_raw", &len, &bad)) &&
        llmops__response_set_finish_raw_n(resp, s, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if ((s = get_str(r, "model", &len, &bad)) &&
        llmops__response_set_model_n(resp, s, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if ((s = get_str(r, "request_id", &len, &bad)) &&
        llmops__response_set_request_id_n(resp, s, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if (bad)
        return malformed(resp, path, "a \"response\" string field holds another type");
    const llmops_json *hs = llmops_json_get(r, "http_status");
    if (hs) {
        int64_t v;
        if (llmops_json_get_int(hs, &v) != LLMOPS_OK || v < 0 || v > 999)
            return malformed(resp, path, "\"response.http_status\" is not an HTTP status");
        resp->http_status = (int)v;
    }
    const llmops_json *u = llmops_json_get(r, "usage");
    if (u && (st = apply_usage(u, path, resp)) != LLMOPS_OK)
        return st;
    return apply_results(r, path, resp);
}

size_t llmops__cassette_delta_count(const llmops_json *root)
{
    return llmops_json_size(llmops_json_get(root, "deltas"));
}

int llmops__cassette_delta(const llmops_json *root, size_t i, const char *path,
                           llmops_delta *out, uint64_t *t_ns, llmops_response *resp)
{
    const llmops_json *d = llmops_json_at(llmops_json_get(root, "deltas"), i);
    const char *kind = llmops_json_string(llmops_json_get(d, "kind"), NULL);
    int64_t t = 0, index = 0;
    memset(out, 0, sizeof *out);
    out->version = LLMOPS_DELTA_VERSION;
    int ok = kind != NULL;
    if (ok) {
        out->kind = 0;
        for (unsigned k = 1; k <= 4; k++)
            if (strcmp(kind, kind_names[k]) == 0)
                out->kind = (llmops_delta_kind)k;
        ok = out->kind != 0;
    }
    const llmops_json *tv = llmops_json_get(d, "t_ns");
    if (ok && tv)
        ok = llmops_json_get_int(tv, &t) == LLMOPS_OK && t >= 0;
    const llmops_json *iv = llmops_json_get(d, "index");
    if (ok && iv)
        ok = llmops_json_get_int(iv, &index) == LLMOPS_OK && index >= 0;
    if (ok) {
        const llmops_json *text = llmops_json_get(d, "text");
        out->text = text ? llmops_json_string(text, &out->len) : "";
        ok = out->text != NULL;
    }
    if (ok) {
        const llmops_json *id = llmops_json_get(d, "id");
        const llmops_json *name = llmops_json_get(d, "name");
        out->tool_id = id ? llmops_json_string(id, NULL) : NULL;
        out->tool_name = name ? llmops_json_string(name, NULL) : NULL;
        ok = (!id || out->tool_id) && (!name || out->tool_name);
    }
    if (!ok) {
        char what[96];
        snprintf(what, sizeof what, "delta %zu is malformed (kind, t_ns, index, text, id, name)",
                 i);
        malformed(resp, path, what);
        return -1;
    }
    out->tool_index = (size_t)index;
    *t_ns = (uint64_t)t;
    return 0;
}
