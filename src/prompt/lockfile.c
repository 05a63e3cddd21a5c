/* The lock file: labels of each prompt and their history, read strictly
 * (a corrupt file is an error naming the key path) and written as pretty
 * JSON with sorted keys so a promotion reads well in review. */
#include "prompt/internal.h"
#include "prompt/registry.h"

#include "core/alloc.h"
#include "core/clock.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int llmops__pr_is_hash(const char *s, size_t len)
{
    if (!s || len != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- lookup and growth -------------------------------------------------- */

/* Binary search over an array of structs whose first member is the name
 * they are sorted by: the index of `key`, or where it would go. */
static size_t find_sorted(const void *base, size_t n, size_t stride, const char *key, int *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *name = *(const char *const *)(const void *)((const char *)base + mid * stride);
        int c = strcmp(name, key);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

_Static_assert(offsetof(llmops__pr_entry, name) == 0, "entries are searched by name");
_Static_assert(offsetof(llmops__pr_label, label) == 0, "labels are searched by label");

static size_t entry_index(const llmops__pr_lockfile *lf, const char *name, int *found)
{
    return find_sorted(lf->entries, lf->count, sizeof *lf->entries, name, found);
}

const llmops__pr_entry *llmops__pr_lock_find(const llmops__pr_lockfile *lf, const char *name)
{
    int found;
    size_t i = entry_index(lf, name, &found);
    return found ? &lf->entries[i] : NULL;
}

static size_t label_index(const llmops__pr_entry *e, const char *label, int *found)
{
    return find_sorted(e->labels, e->label_count, sizeof *e->labels, label, found);
}

const char *llmops__pr_lock_label(const llmops__pr_entry *e, const char *label)
{
    int found;
    size_t i = label_index(e, label, &found);
    return found ? e->labels[i].version : NULL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = llmops__grow_cap(*cap, need, elem);
    void *p = ncap ? llmops__realloc(*arr, ncap * elem) : NULL;
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static llmops__pr_entry *entry_get(llmops__pr_lockfile *lf, const char *name)
{
    int found;
    size_t i = entry_index(lf, name, &found);
    if (found)
        return &lf->entries[i];
    if (grow((void **)&lf->entries, &lf->cap, lf->count + 1, sizeof *lf->entries))
        return NULL;
    char *copy = llmops__strdup(name);
    if (!copy)
        return NULL;
    memmove(&lf->entries[i + 1], &lf->entries[i], (lf->count - i) * sizeof *lf->entries);
    memset(&lf->entries[i], 0, sizeof *lf->entries);
    lf->entries[i].name = copy;
    lf->count++;
    return &lf->entries[i];
}

static int label_set(llmops__pr_entry *e, const char *label, const char *version)
{
    int found;
    size_t i = label_index(e, label, &found);
    if (!found) {
        if (grow((void **)&e->labels, &e->label_cap, e->label_count + 1, sizeof *e->labels))
            return -1;
        char *copy = llmops__strdup(label);
        if (!copy)
            return -1;
        memmove(&e->labels[i + 1], &e->labels[i], (e->label_count - i) * sizeof *e->labels);
        e->labels[i].label = copy;
        e->label_count++;
    }
    memcpy(e->labels[i].version, version, 65);
    return 0;
}

static int event_add(llmops__pr_entry *e, const char *label, const char *version,
                     const char *previous, const char *at, int action)
{
    if (grow((void **)&e->history, &e->history_cap, e->history_count + 1, sizeof *e->history))
        return -1;
    llmops__pr_event *ev = &e->history[e->history_count];
    memset(ev, 0, sizeof *ev);
    ev->label = llmops__strdup(label);
    if (!ev->label)
        return -1;
    memcpy(ev->version, version, 65);
    snprintf(ev->previous, sizeof ev->previous, "%s", previous ? previous : "");
    snprintf(ev->at, sizeof ev->at, "%s", at);
    ev->action = action;
    e->history_count++;
    return 0;
}

void llmops__pr_lock_free(llmops__pr_lockfile *lf)
{
    if (!lf)
        return;
    for (size_t i = 0; i < lf->count; i++) {
        llmops__pr_entry *e = &lf->entries[i];
        for (size_t j = 0; j < e->label_count; j++)
            llmops__free(e->labels[j].label);
        for (size_t j = 0; j < e->history_count; j++)
            llmops__free(e->history[j].label);
        llmops__free(e->labels);
        llmops__free(e->history);
        llmops__free(e->name);
    }
    llmops__free(lf->entries);
    memset(lf, 0, sizeof *lf);
}

/* ---- parse -------------------------------------------------------------- */

static int label_ok(const char *s, size_t n)
{
    return llmops__prompt_name_ok(s, n) && strlen(s) == n;
}

static llmops_status bad(llmops__buf *err, const char *file, const char *path, const char *what)
{
    llmops__pr_errf(err, "%s: corrupt lock file: %s %s", file, path, what);
    return LLMOPS_E_CONFIG;
}

static llmops_status parse_event(llmops__pr_entry *e, const llmops_json *ev, const char *file,
                                 const char *path, llmops__buf *err)
{
    char p[400];
    if (llmops_json_type_of(ev) != LLMOPS_JSON_OBJECT)
        return bad(err, file, path, "is not an object");
    const char *label = NULL, *at = NULL, *version = NULL, *previous = NULL;
    int action = LLMOPS__PR_PROMOTE;
    for (size_t i = 0; i < llmops_json_size(ev); i++) {
        size_t kl, n;
        const char *k = llmops_json_key_at(ev, i, &kl);
        const llmops_json *v = llmops_json_at(ev, i);
        const char *s = llmops_json_string(v, &n);
        snprintf(p, sizeof p, "%.340s.%.40s", path, k);
        if (strcmp(k, "label") == 0) {
            if (!s || !label_ok(s, n))
                return bad(err, file, p, "is not a label name");
            label = s;
        } else if (strcmp(k, "version") == 0) {
            if (!llmops__pr_is_hash(s, s ? n : 0))
                return bad(err, file, p, "is not 64 lowercase hex digits");
            version = s;
        } else if (strcmp(k, "previous") == 0) {
            if (llmops_json_type_of(v) == LLMOPS_JSON_NULL)
                continue;
            if (!llmops__pr_is_hash(s, s ? n : 0))
                return bad(err, file, p, "is neither null nor 64 lowercase hex digits");
            previous = s;
        } else if (strcmp(k, "at") == 0) {
            int64_t t;
            if (!s || n >= 32 || strlen(s) != n || llmops__pr_parse_time(s, &t) != 0)
                return bad(err, file, p, "is not an RFC 3339 time");
            at = s;
        } else if (strcmp(k, "action") == 0) {
            if (s && strcmp(s, "promote") == 0)
                action = LLMOPS__PR_PROMOTE;
            else if (s && strcmp(s, "rollback") == 0)
                action = LLMOPS__PR_ROLLBACK;
            else
                return bad(err, file, p, "is neither \"promote\" nor \"rollback\"");
        } else {
            return bad(err, file, p, "is an unknown key");
        }
    }
    if (!label || !version || !at) {
        snprintf(p, sizeof p, "%.340s.%s", path,
                 !label ? "label" : !version ? "version" : "at");
        return bad(err, file, p, "is missing");
    }
    if (event_add(e, label, version, previous, at, action))
        return LLMOPS_E_NO_MEMORY;
    return LLMOPS_OK;
}

static llmops_status parse_entry(llmops__pr_lockfile *lf, const char *name, size_t name_len,
                                 const llmops_json *v, const char *file, llmops__buf *err)
{
    char path[160];
    snprintf(path, sizeof path, "prompts.%.*s", (int)(name_len > 128 ? 128 : name_len), name);
    if (!label_ok(name, name_len))
        return bad(err, file, path, "is not a valid prompt name");
    if (llmops_json_type_of(v) != LLMOPS_JSON_OBJECT)
        return bad(err, file, path, "is not an object");
    llmops__pr_entry *e = entry_get(lf, name);
    if (!e)
        return LLMOPS_E_NO_MEMORY;
    for (size_t i = 0; i < llmops_json_size(v); i++) {
        const char *k = llmops_json_key_at(v, i, NULL);
        const llmops_json *m = llmops_json_at(v, i);
        char p[300];
        snprintf(p, sizeof p, "%.160s.%.40s", path, k);
        if (strcmp(k, "labels") == 0) {
            if (llmops_json_type_of(m) != LLMOPS_JSON_OBJECT)
                return bad(err, file, p, "is not an object");
            for (size_t j = 0; j < llmops_json_size(m); j++) {
                size_t ll, hl;
                const char *l = llmops_json_key_at(m, j, &ll);
                const char *h = llmops_json_string(llmops_json_at(m, j), &hl);
                char lp[448];
                snprintf(lp, sizeof lp, "%.300s.%.*s", p, (int)(ll > 128 ? 128 : ll), l);
                if (!label_ok(l, ll))
                    return bad(err, file, lp, "is not a valid label name");
                if (!llmops__pr_is_hash(h, h ? hl : 0))
                    return bad(err, file, lp, "is not 64 lowercase hex digits");
                if (label_set(e, l, h))
                    return LLMOPS_E_NO_MEMORY;
            }
        } else if (strcmp(k, "history") == 0) {
            if (llmops_json_type_of(m) != LLMOPS_JSON_ARRAY)
                return bad(err, file, p, "is not an array");
            for (size_t j = 0; j < llmops_json_size(m); j++) {
                char ep[336];
                snprintf(ep, sizeof ep, "%.300s[%zu]", p, j);
                llmops_status st = parse_event(e, llmops_json_at(m, j), file, ep, err);
                if (st)
                    return st;
            }
        } else {
            return bad(err, file, p, "is an unknown key");
        }
    }
    return LLMOPS_OK;
}

llmops_status llmops__pr_lock_parse(llmops__pr_lockfile *out, const char *text, size_t len,
                                    const char *file, llmops__buf *err)
{
    memset(out, 0, sizeof *out);
    llmops_json_doc *doc = NULL;
    llmops_json_error je = LLMOPS_JSON_ERROR_INIT;
    llmops_json_parse_options opts = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    opts.duplicate_keys = LLMOPS_JSON_DUPKEYS_REJECT;
    llmops_status st = llmops_json_parse(&doc, text, len, &opts, &je);
    if (st == LLMOPS_E_NO_MEMORY)
        return st;
    if (st) {
        llmops__pr_errf(err, "%s:%u:%u: corrupt lock file: %s", file, je.line, je.column,
                        je.message);
        return LLMOPS_E_CONFIG;
    }
    const llmops_json *root = llmops_json_doc_root(doc);
    const llmops_json *ver = llmops_json_get(root, "version");
    const llmops_json *prompts = llmops_json_get(root, "prompts");
    int64_t v = 0;
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT)
        st = bad(err, file, "the top level", "is not an object");
    else if (!ver || llmops_json_get_int(ver, &v) || v != 1)
        st = bad(err, file, "version", "is not 1 (a lock file of another format?)");
    else if (prompts && llmops_json_type_of(prompts) != LLMOPS_JSON_OBJECT)
        st = bad(err, file, "prompts", "is not an object");
    for (size_t i = 0; !st && i < llmops_json_size(root); i++) {
        const char *k = llmops_json_key_at(root, i, NULL);
        if (strcmp(k, "version") != 0 && strcmp(k, "prompts") != 0) {
            char p[64];
            snprintf(p, sizeof p, "%.40s", k);
            st = bad(err, file, p, "is an unknown top-level key");
        }
    }
    for (size_t i = 0; !st && i < llmops_json_size(prompts); i++) {
        size_t nl;
        const char *name = llmops_json_key_at(prompts, i, &nl);
        st = parse_entry(out, name, nl, llmops_json_at(prompts, i), file, err);
    }
    llmops_json_doc_free(doc);
    if (st)
        llmops__pr_lock_free(out);
    return st;
}

llmops_status llmops__pr_lock_load(llmops__pr_lockfile *out, const char *path,
                                   llmops__buf *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    llmops_status st = llmops__pr_read_file(path, (size_t)64 << 20, &text, &len, err);
    if (st == LLMOPS_E_NOT_FOUND)
        return LLMOPS_OK;
    if (st)
        return st;
    st = llmops__pr_lock_parse(out, text, len, path, err);
    llmops__free(text);
    return st;
}

/* ---- write -------------------------------------------------------------- */

static int set_str(llmops_json_doc *d, llmops_json *o, const char *k, const char *s)
{
    llmops_json *v = s ? llmops_json_new_string(d, s, strlen(s)) : llmops_json_new_null(d);
    return !v || llmops_json_object_set(d, o, k, strlen(k), v);
}

static int build_entry(llmops_json_doc *d, llmops_json *prompts, const llmops__pr_entry *e)
{
    llmops_json *o = llmops_json_new_object(d);
    llmops_json *labels = llmops_json_new_object(d);
    llmops_json *hist = llmops_json_new_array(d);
    if (!o || !labels || !hist || llmops_json_object_set(d, prompts, e->name, strlen(e->name), o) ||
        llmops_json_object_set(d, o, "labels", 6, labels) ||
        llmops_json_object_set(d, o, "history", 7, hist))
        return -1;
    for (size_t i = 0; i < e->label_count; i++)
        if (set_str(d, labels, e->labels[i].label, e->labels[i].version))
            return -1;
    for (size_t i = 0; i < e->history_count; i++) {
        const llmops__pr_event *ev = &e->history[i];
        llmops_json *h = llmops_json_new_object(d);
        if (!h || llmops_json_array_append(d, hist, h) ||
            set_str(d, h, "action", ev->action == LLMOPS__PR_ROLLBACK ? "rollback" : "promote") ||
            set_str(d, h, "at", ev->at) || set_str(d, h, "label", ev->label) ||
            set_str(d, h, "previous", ev->previous[0] ? ev->previous : NULL) ||
            set_str(d, h, "version", ev->version))
            return -1;
    }
    return 0;
}

llmops_status llmops__pr_lock_write(const llmops__pr_lockfile *lf, char **out, size_t *len)
{
    *out = NULL;
    llmops_json_doc *d = NULL;
    if (llmops_json_doc_new(&d))
        return LLMOPS_E_NO_MEMORY;
    llmops_status st = LLMOPS_E_NO_MEMORY;
    llmops_json *root = llmops_json_new_object(d);
    llmops_json *prompts = llmops_json_new_object(d);
    llmops_json *ver = llmops_json_new_int(d, 1);
    if (!root || !prompts || !ver || llmops_json_doc_set_root(d, root) ||
        llmops_json_object_set(d, root, "version", 7, ver) ||
        llmops_json_object_set(d, root, "prompts", 7, prompts))
        goto out;
    for (size_t i = 0; i < lf->count; i++)
        if (build_entry(d, prompts, &lf->entries[i]))
            goto out;
    char *text = NULL;
    size_t n = 0;
    if (llmops_json_write(&text, &n, root, LLMOPS_JSON_WRITE_PRETTY | LLMOPS_JSON_WRITE_CANONICAL))
        goto out;
    char *withnl = llmops__malloc(n + 2);
    if (withnl) {
        memcpy(withnl, text, n);
        withnl[n] = '\n';
        withnl[n + 1] = '\0';
        *out = withnl;
        *len = n + 1;
        st = LLMOPS_OK;
    }
    llmops_free(text);
out:
    llmops_json_doc_free(d);
    return st;
}

/* ---- changes ------------------------------------------------------------ */

llmops_status llmops__pr_lock_set(llmops__pr_lockfile *lf, const char *name, const char *label,
                                  const char *version, int action)
{
    llmops__pr_entry *e = entry_get(lf, name);
    if (!e)
        return LLMOPS_E_NO_MEMORY;
    const char *cur = llmops__pr_lock_label(e, label);
    char previous[65] = "";
    if (cur)
        memcpy(previous, cur, 65);
    char at[32];
    llmops__format_rfc3339(llmops__wall_ns(), at);
    if (event_add(e, label, version, previous, at, action) || label_set(e, label, version))
        return LLMOPS_E_NO_MEMORY;
    return LLMOPS_OK;
}

int llmops__pr_lock_rollback_target(const llmops__pr_entry *e, const char *label, char out[65])
{
    const char *cur = llmops__pr_lock_label(e, label);
    if (!cur)
        return -1;
    /* The stack never holds more entries than the label has events; one
     * pass over the history, one allocation. */
    size_t n = 0;
    for (size_t i = 0; i < e->history_count; i++)
        n += strcmp(e->history[i].label, label) == 0;
    if (n == 0)
        return -1;
    const char **stack = llmops__malloc(n * sizeof *stack);
    if (!stack)
        return -2;
    size_t top = 0;
    for (size_t i = 0; i < e->history_count; i++) {
        const llmops__pr_event *ev = &e->history[i];
        if (strcmp(ev->label, label) != 0)
            continue;
        if (ev->action == LLMOPS__PR_ROLLBACK) {
            if (top)
                top--;
            /* A rollback lands on its version; if a hand-edited history has
             * emptied the stack, that version is where the label now is. */
            if (top == 0 || strcmp(stack[top - 1], ev->version) != 0)
                stack[top++] = ev->version;
        } else {
            stack[top++] = ev->version;
        }
    }
    int rc = -1;
    if (top && strcmp(stack[top - 1], cur) != 0) {
        memcpy(out, stack[top - 1], 65);
        rc = 0;
    } else if (top >= 2) {
        memcpy(out, stack[top - 2], 65);
        rc = 0;
    }
    llmops__free(stack);
    return rc;
}
