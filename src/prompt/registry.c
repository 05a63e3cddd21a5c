/* The registry: resolving refs against the folder, the lock file and the
 * content-addressed store; a cache of parsed prompts; promote and rollback
 * under the cross-process lock. */
#include "prompt/registry.h"
#include "prompt/internal.h"

#include "core/alloc.h"
#include "core/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parsed prompts by a 32-byte key: SHA-256 of "file\0<name>\0<bytes>" for a
 * working file, of "store\0<name>\0<version>" for a store file (store files
 * never change, so those hits need no I/O at all). */
typedef struct cache_slot {
    uint8_t key[32];
    llmops__prompt *prompt;   /* NULL: empty slot */
} cache_slot;

struct llmops__registry {
    char *dir;
    char *lock_path;
    char *lk_path;            /* <lock>.lk, the flock target */
    char *store_dir;          /* <dir>/.versions */
    pthread_mutex_t mu;       /* guards the cache and the lock-file snapshot */
    cache_slot *slots;
    size_t slot_cap, slot_used;
    /* The lock file as last read, and what identified that read: every
     * write replaces the file by rename, so a new inode, size or mtime
     * means new content. */
    llmops__pr_lockfile lock;
    int lock_valid;
    dev_t lock_dev;
    ino_t lock_ino;
    off_t lock_size;
    struct timespec lock_mtime;
};

/* ---- cache ---------------------------------------------------------------- */

static size_t slot_of(const uint8_t key[32], size_t cap)
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)(h & (cap - 1));
}

static llmops__prompt *cache_get(llmops__registry *reg, const uint8_t key[32])
{
    if (!reg->slot_cap)
        return NULL;
    for (size_t i = slot_of(key, reg->slot_cap);; i = (i + 1) & (reg->slot_cap - 1)) {
        cache_slot *s = &reg->slots[i];
        if (!s->prompt)
            return NULL;
        if (memcmp(s->key, key, 32) == 0)
            return s->prompt;
    }
}

/* Drop every cached prompt (callers holding one keep it: prompts are
 * reference-counted). Bounds the cache of a long-running process whose
 * working files keep changing. */
static void cache_flush(llmops__registry *reg)
{
    for (size_t i = 0; i < reg->slot_cap; i++) {
        llmops__prompt_release(reg->slots[i].prompt);
        reg->slots[i].prompt = NULL;
    }
    reg->slot_used = 0;
}

static int cache_put(llmops__registry *reg, const uint8_t key[32], llmops__prompt *p)
{
    if (reg->slot_used >= LLMOPS__PROMPT_CACHE_MAX)
        cache_flush(reg);
    if ((reg->slot_used + 1) * 10 > reg->slot_cap * 7) {
        size_t ncap = reg->slot_cap ? reg->slot_cap * 2 : 16;
        cache_slot *ns = llmops__calloc(ncap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < reg->slot_cap; i++) {
            if (!reg->slots[i].prompt)
                continue;
            size_t j = slot_of(reg->slots[i].key, ncap);
            while (ns[j].prompt)
                j = (j + 1) & (ncap - 1);
            ns[j] = reg->slots[i];
        }
        llmops__free(reg->slots);
        reg->slots = ns;
        reg->slot_cap = ncap;
    }
    size_t i = slot_of(key, reg->slot_cap);
    while (reg->slots[i].prompt)
        i = (i + 1) & (reg->slot_cap - 1);
    memcpy(reg->slots[i].key, key, 32);
    reg->slots[i].prompt = p;
    reg->slot_used++;
    return 0;
}

static void cache_key(const char *kind, const char *name, const void *data, size_t len,
                      uint8_t out[32])
{
    llmops__sha256_ctx c;
    llmops__sha256_init(&c);
    llmops__sha256_update(&c, kind, strlen(kind) + 1);
    llmops__sha256_update(&c, name, strlen(name) + 1);
    llmops__sha256_update(&c, data, len);
    llmops__sha256_final(&c, out);
}

/* Return the cached prompt for `key` (a new reference), or insert `fresh`
 * (taking its reference for the cache and returning another). */
static llmops__prompt *cache_intern(llmops__registry *reg, const uint8_t key[32],
                                    llmops__prompt *fresh)
{
    pthread_mutex_lock(&reg->mu);
    llmops__prompt *p = cache_get(reg, key);
    if (p) {
        llmops__prompt_retain(p);
        pthread_mutex_unlock(&reg->mu);
        llmops__prompt_release(fresh);
        return p;
    }
    if (cache_put(reg, key, fresh) == 0)
        llmops__prompt_retain(fresh);   /* one for the cache, one for the caller */
    pthread_mutex_unlock(&reg->mu);
    return fresh;
}

static llmops__prompt *cache_lookup(llmops__registry *reg, const uint8_t key[32])
{
    pthread_mutex_lock(&reg->mu);
    llmops__prompt *p = cache_get(reg, key);
    llmops__prompt_retain(p);
    pthread_mutex_unlock(&reg->mu);
    return p;
}

static llmops_status lock_refresh(llmops__registry *reg, llmops__buf *err);

/* ---- open / free ---------------------------------------------------------- */

llmops_status llmops__registry_open(const char *dir, const char *lock_path,
                                    llmops__registry **out, llmops__buf *err)
{
    if (!out || !dir || !*dir)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        llmops__pr_errf(err, "%s: prompt folder %s", dir,
                        errno == ENOENT ? "does not exist" : "is not a readable folder");
        return errno == ENOENT ? LLMOPS_E_NOT_FOUND : LLMOPS_E_IO;
    }
    llmops__registry *reg = llmops__calloc(1, sizeof *reg);
    if (!reg)
        return LLMOPS_E_NO_MEMORY;
    reg->dir = llmops__strdup(dir);
    reg->lock_path = lock_path ? llmops__strdup(lock_path) : llmops__pr_join(dir, "prompts.lock");
    reg->store_dir = llmops__pr_join(dir, ".versions");
    if (reg->lock_path) {
        size_t n = strlen(reg->lock_path);
        reg->lk_path = llmops__malloc(n + 4);
        if (reg->lk_path) {
            memcpy(reg->lk_path, reg->lock_path, n);
            memcpy(reg->lk_path + n, ".lk", 4);
        }
    }
    if (!reg->dir || !reg->lock_path || !reg->store_dir || !reg->lk_path ||
        pthread_mutex_init(&reg->mu, NULL) != 0) {
        llmops__free(reg->dir);
        llmops__free(reg->lock_path);
        llmops__free(reg->store_dir);
        llmops__free(reg->lk_path);
        llmops__free(reg);
        return LLMOPS_E_NO_MEMORY;
    }
    /* A corrupt lock file is reported now, not at the first label lookup. */
    pthread_mutex_lock(&reg->mu);
    llmops_status ls = lock_refresh(reg, err);
    pthread_mutex_unlock(&reg->mu);
    if (ls) {
        llmops__registry_free(reg);
        return ls;
    }
    *out = reg;
    return LLMOPS_OK;
}

void llmops__registry_free(llmops__registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->slot_cap; i++)
        llmops__prompt_release(reg->slots[i].prompt);
    llmops__free(reg->slots);
    llmops__pr_lock_free(&reg->lock);
    pthread_mutex_destroy(&reg->mu);
    llmops__free(reg->dir);
    llmops__free(reg->lock_path);
    llmops__free(reg->lk_path);
    llmops__free(reg->store_dir);
    llmops__free(reg);
}

const char *llmops__registry_dir(const llmops__registry *reg)
{
    return reg->dir;
}

const char *llmops__registry_lock_path(const llmops__registry *reg)
{
    return reg->lock_path;
}

/* ---- lock-file snapshot --------------------------------------------------- */

/* Bring reg->lock up to date with the file. Call with reg->mu held. */
static llmops_status lock_refresh(llmops__registry *reg, llmops__buf *err)
{
    struct stat st;
    if (stat(reg->lock_path, &st) != 0) {
        if (errno != ENOENT) {
            llmops__pr_errf(err, "%s: cannot read: %s", reg->lock_path, strerror(errno));
            return LLMOPS_E_IO;
        }
        llmops__pr_lock_free(&reg->lock);
        reg->lock_valid = 1;
        reg->lock_ino = 0;
        reg->lock_dev = 0;
        reg->lock_size = -1;
        return LLMOPS_OK;
    }
    if (reg->lock_valid && reg->lock_dev == st.st_dev && reg->lock_ino == st.st_ino &&
        reg->lock_size == st.st_size && reg->lock_mtime.tv_sec == st.st_mtim.tv_sec &&
        reg->lock_mtime.tv_nsec == st.st_mtim.tv_nsec)
        return LLMOPS_OK;
    llmops__pr_lockfile lf;
    llmops_status s = llmops__pr_lock_load(&lf, reg->lock_path, err);
    if (s) {
        reg->lock_valid = 0;
        return s;
    }
    llmops__pr_lock_free(&reg->lock);
    reg->lock = lf;
    reg->lock_valid = 1;
    reg->lock_dev = st.st_dev;
    reg->lock_ino = st.st_ino;
    reg->lock_size = st.st_size;
    reg->lock_mtime = st.st_mtim;
    return LLMOPS_OK;
}

/* ---- refs ----------------------------------------------------------------- */

typedef enum ref_kind { REF_WORKING, REF_LABEL, REF_HASH } ref_kind;

typedef struct ref {
    char name[LLMOPS__PROMPT_NAME_MAX + 1];
    ref_kind kind;
    char arg[LLMOPS__PROMPT_NAME_MAX + 1];   /* label, or hex digits */
} ref;

static int all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return n > 0;
}

static llmops_status parse_ref(const char *s, ref *r, llmops__buf *err)
{
    if (!s) {
        llmops__pr_errf(err, "no prompt ref given");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    const char *at = strchr(s, '@');
    size_t nl = at ? (size_t)(at - s) : strlen(s);
    if (!llmops__prompt_name_ok(s, nl)) {
        llmops__pr_errf(err, "'%.*s' is not a prompt name ([a-z0-9][a-z0-9._-]*, at most %d "
                        "bytes)", (int)(nl > 140 ? 140 : nl), s, LLMOPS__PROMPT_NAME_MAX);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    memcpy(r->name, s, nl);
    r->name[nl] = '\0';
    r->kind = REF_WORKING;
    r->arg[0] = '\0';
    if (!at)
        return LLMOPS_OK;
    const char *a = at + 1;
    size_t al = strlen(a);
    if (al >= LLMOPS__PROMPT_MIN_PREFIX && all_hex(a, al)) {
        if (al > 64) {
            llmops__pr_errf(err, "ref '%s@...': a version has 64 hex digits, not %zu", r->name,
                            al);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        r->kind = REF_HASH;
    } else if (llmops__prompt_name_ok(a, al)) {
        r->kind = REF_LABEL;
    } else {
        llmops__pr_errf(err, "ref '%s@%.*s': after '@' comes a label ([a-z0-9][a-z0-9._-]*) "
                        "or a version (at least %d hex digits)", r->name,
                        (int)(al > 140 ? 140 : al), a, LLMOPS__PROMPT_MIN_PREFIX);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    memcpy(r->arg, a, al + 1);
    return LLMOPS_OK;
}

/* ---- loading files -------------------------------------------------------- */

static char *working_path(const llmops__registry *reg, const char *name)
{
    size_t n = strlen(name);
    char file[LLMOPS__PROMPT_NAME_MAX + 8];
    memcpy(file, name, n);
    memcpy(file + n, ".prompt", 8);
    return llmops__pr_join(reg->dir, file);
}

static char *store_path(const llmops__registry *reg, const char *version)
{
    char file[64 + 8];
    memcpy(file, version, 64);
    memcpy(file + 64, ".prompt", 8);
    return llmops__pr_join(reg->store_dir, file);
}

/* Load the working file; LLMOPS_E_NOT_FOUND (no message) when it is absent. */
static llmops_status load_working(llmops__registry *reg, const char *name, llmops__prompt **out,
                                  llmops__buf *err)
{
    *out = NULL;
    char *path = working_path(reg, name);
    if (!path)
        return LLMOPS_E_NO_MEMORY;
    char *src = NULL;
    size_t len = 0;
    llmops_status st = llmops__pr_read_file(path, LLMOPS__PROMPT_MAX_BYTES, &src, &len, err);
    if (st) {
        llmops__free(path);
        return st;
    }
    uint8_t key[32];
    cache_key("file", name, src, len, key);
    llmops__prompt *p = cache_lookup(reg, key);
    if (!p) {
        st = llmops__prompt_parse(&p, name, path, src, len, err);
        if (!st)
            p = cache_intern(reg, key, p);
    }
    llmops__free(src);
    llmops__free(path);
    *out = p;
    return st;
}

/* Load version `version` of `name` from the store. `why` names the lock
 * entry that pointed there (for the message when it is missing). */
static llmops_status load_store(llmops__registry *reg, const char *name, const char *version,
                                const char *why, llmops__prompt **out, llmops__buf *err)
{
    *out = NULL;
    uint8_t key[32];
    cache_key("store", name, version, 64, key);
    llmops__prompt *p = cache_lookup(reg, key);
    if (p) {
        *out = p;
        return LLMOPS_OK;
    }
    char *path = store_path(reg, version);
    if (!path)
        return LLMOPS_E_NO_MEMORY;
    char *src = NULL;
    size_t len = 0;
    llmops_status st = llmops__pr_read_file(path, LLMOPS__PROMPT_MAX_BYTES, &src, &len, err);
    if (st == LLMOPS_E_NOT_FOUND) {
        if (why)
            llmops__pr_errf(err, "%s: %s points at version %s, which is missing from the store "
                            "(%s)", reg->lock_path, why, version, path);
        else
            llmops__pr_errf(err, "prompt '%s': version %s is neither its working file nor in "
                            "the store (%s)", name, version, path);
    }
    if (!st) {
        st = llmops__prompt_parse(&p, name, path, src, len, err);
        if (!st && strcmp(llmops__prompt_version(p), version) != 0) {
            llmops__pr_errf(err, "%s: the store file holds version %s, not the %s its name "
                            "says (edited by hand?)", path, llmops__prompt_version(p), version);
            llmops__prompt_release(p);
            p = NULL;
            st = LLMOPS_E_CONFIG;
        }
        if (!st)
            p = cache_intern(reg, key, p);
    }
    llmops__free(src);
    llmops__free(path);
    *out = p;
    return st;
}

/* ---- resolving ------------------------------------------------------------ */

/* Keep `v` when it starts with the prefix. */
static void add_candidate(char (*cands)[65], size_t *n, size_t cap, const char *v,
                          const char *prefix, size_t pl)
{
    if (*n < cap && strncmp(v, prefix, pl) == 0)
        memcpy(cands[(*n)++], v, 65);
}

static int cmp_hash(const void *x, const void *y)
{
    return memcmp(x, y, 64);
}

/* Resolve a hash prefix of `name` to one version: candidates are the
 * versions in its lock entry (labels and history) and its working file's. */
static llmops_status resolve_prefix(llmops__registry *reg, const ref *r, const char *working,
                                    char out[65], llmops__buf *err)
{
    size_t pl = strlen(r->arg);
    llmops_status st = LLMOPS_OK;
    pthread_mutex_lock(&reg->mu);
    st = lock_refresh(reg, err);
    const llmops__pr_entry *e = st ? NULL : llmops__pr_lock_find(&reg->lock, r->name);
    size_t cap = 1 + (e ? e->label_count + 2 * e->history_count : 0), n = 0;
    char(*cands)[65] = st ? NULL : llmops__malloc(cap * sizeof *cands);
    if (!st && !cands)
        st = LLMOPS_E_NO_MEMORY;
    if (!st) {
        if (working)
            add_candidate(cands, &n, cap, working, r->arg, pl);
        for (size_t i = 0; e && i < e->label_count; i++)
            add_candidate(cands, &n, cap, e->labels[i].version, r->arg, pl);
        for (size_t i = 0; e && i < e->history_count; i++) {
            add_candidate(cands, &n, cap, e->history[i].version, r->arg, pl);
            if (e->history[i].previous[0])
                add_candidate(cands, &n, cap, e->history[i].previous, r->arg, pl);
        }
    }
    pthread_mutex_unlock(&reg->mu);
    if (st) {
        llmops__free(cands);
        return st;
    }
    /* The same version shows up once per label and event: count it once. */
    qsort(cands, n, sizeof *cands, cmp_hash);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || memcmp(cands[i], cands[distinct - 1], 64) != 0) {
            if (distinct != i)
                memcpy(cands[distinct], cands[i], 65);
            distinct++;
        }
    n = distinct;
    size_t hits = n;
    if (hits == 1) {
        memcpy(out, cands[0], 65);
    } else if (hits == 0) {
        llmops__pr_errf(err, "prompt '%s' has no version %s (neither its working file nor in "
                        "its history in %s)", r->name, r->arg, reg->lock_path);
        st = LLMOPS_E_NOT_FOUND;
    } else {
        llmops__buf list = LLMOPS__BUF_INIT;
        for (size_t i = 0; i < n && i < 5; i++) {
            llmops__buf_puts(&list, i ? ", " : "");
            llmops__buf_append(&list, cands[i], 16);
        }
        llmops__pr_errf(err, "prompt '%s': version prefix %s is ambiguous (%zu versions: "
                        "%s...); give more digits", r->name, r->arg, hits,
                        list.data ? list.data : "");
        llmops__buf_free(&list);
        st = LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops__free(cands);
    return st;
}

/* Load what `r` names. */
static llmops_status load_ref(llmops__registry *reg, const ref *r, llmops__prompt **out,
                              llmops__buf *err)
{
    *out = NULL;
    llmops_status st;
    if (r->kind == REF_WORKING) {
        st = load_working(reg, r->name, out, err);
        if (st == LLMOPS_E_NOT_FOUND) {
            char *path = working_path(reg, r->name);
            llmops__pr_errf(err, "no prompt '%s': %s does not exist", r->name,
                            path ? path : r->name);
            llmops__free(path);
        }
        return st;
    }
    if (r->kind == REF_LABEL) {
        char version[65];
        pthread_mutex_lock(&reg->mu);
        st = lock_refresh(reg, err);
        const llmops__pr_entry *e = st ? NULL : llmops__pr_lock_find(&reg->lock, r->name);
        const char *v = e ? llmops__pr_lock_label(e, r->arg) : NULL;
        if (v)
            memcpy(version, v, 65);
        pthread_mutex_unlock(&reg->mu);
        if (st)
            return st;
        if (!v) {
            if (all_hex(r->arg, strlen(r->arg)))
                llmops__pr_errf(err, "prompt '%s' has no label '%s' in %s, and a version "
                                "prefix needs at least %d hex digits", r->name, r->arg,
                                reg->lock_path, LLMOPS__PROMPT_MIN_PREFIX);
            else
                llmops__pr_errf(err, "prompt '%s' has no label '%s' in %s", r->name, r->arg,
                                reg->lock_path);
            return all_hex(r->arg, strlen(r->arg)) ? LLMOPS_E_INVALID_ARGUMENT
                                                   : LLMOPS_E_NOT_FOUND;
        }
        char why[LLMOPS__PROMPT_NAME_MAX * 2 + 16];
        snprintf(why, sizeof why, "label %s@%s", r->name, r->arg);
        return load_store(reg, r->name, version, why, out, err);
    }
    /* By hash: the working file when it is that version, else the store. */
    llmops__prompt *w = NULL;
    llmops__buf ignored = LLMOPS__BUF_INIT;
    st = load_working(reg, r->name, &w, &ignored);
    llmops__buf_free(&ignored);
    if (st == LLMOPS_E_NO_MEMORY)
        return st;
    char version[65];
    st = resolve_prefix(reg, r, w ? llmops__prompt_version(w) : NULL, version, err);
    if (st) {
        llmops__prompt_release(w);
        return st;
    }
    if (w && strcmp(llmops__prompt_version(w), version) == 0) {
        *out = w;
        return LLMOPS_OK;
    }
    llmops__prompt_release(w);
    return load_store(reg, r->name, version, NULL, out, err);
}

llmops_status llmops__registry_load(llmops__registry *reg, const char *refstr,
                                    llmops__prompt **out, llmops__buf *err)
{
    if (!reg || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    ref r;
    llmops_status st = parse_ref(refstr, &r, err);
    if (st)
        return st;
    return load_ref(reg, &r, out, err);
}

llmops_status llmops__registry_hash(llmops__registry *reg, const char *refstr, char out[65],
                                    llmops__buf *err)
{
    out[0] = '\0';
    llmops__prompt *p = NULL;
    llmops_status st = llmops__registry_load(reg, refstr, &p, err);
    if (st)
        return st;
    memcpy(out, llmops__prompt_version(p), 65);
    llmops__prompt_release(p);
    return LLMOPS_OK;
}

/* ---- diff ----------------------------------------------------------------- */

llmops_status llmops__registry_diff(llmops__registry *reg, const char *ref_a, const char *ref_b,
                                    llmops__buf *out, llmops__buf *err)
{
    if (!reg || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__prompt *a = NULL, *b = NULL;
    llmops_status st = llmops__registry_load(reg, ref_a, &a, err);
    if (!st)
        st = llmops__registry_load(reg, ref_b, &b, err);
    if (!st) {
        size_t la, lb;
        const char *sa = llmops__prompt_source(a, &la), *sb = llmops__prompt_source(b, &lb);
        size_t mark = out->len;
        llmops__buf_printf(out, "--- %s %s\n+++ %s %s\n", ref_a, llmops__prompt_version(a),
                           ref_b, llmops__prompt_version(b));
        st = llmops__pr_line_diff(sa, la, sb, lb, LLMOPS__DIFF_MAX_EDITS, out);
        if (!st && out->failed)
            st = out->failed == 2 ? LLMOPS_E_LIMIT : LLMOPS_E_NO_MEMORY;
        if (st) {
            llmops__pr_errf(err, "diff of %s and %s does not fit in the output (%s)", ref_a,
                            ref_b, llmops_status_str(st));
            if (!out->failed) {
                out->len = mark;
                if (out->data)
                    out->data[mark] = '\0';
            }
        }
    }
    llmops__prompt_release(a);
    llmops__prompt_release(b);
    return st;
}

/* ---- list ----------------------------------------------------------------- */

static int cmp_entry(const void *x, const void *y)
{
    return strcmp(((const llmops__prompt_entry *)x)->name, ((const llmops__prompt_entry *)y)->name);
}

void llmops__prompt_list_free(llmops__prompt_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        llmops__prompt_entry *e = &list->items[i];
        for (size_t j = 0; j < e->label_count; j++)
            llmops__free(e->labels[j].label);
        llmops__free(e->labels);
        llmops__free(e->name);
    }
    llmops__free(list->items);
    list->items = NULL;
    list->count = 0;
}

static llmops_status list_push(llmops__prompt_list *l, size_t *cap, const char *name,
                               size_t len, int has_file)
{
    if (l->count == *cap) {
        size_t ncap = llmops__grow_cap(*cap, l->count + 1, sizeof *l->items);
        llmops__prompt_entry *ni = ncap ? llmops__realloc(l->items, ncap * sizeof *ni) : NULL;
        if (!ni)
            return LLMOPS_E_NO_MEMORY;
        l->items = ni;
        *cap = ncap;
    }
    llmops__prompt_entry *e = &l->items[l->count];
    memset(e, 0, sizeof *e);
    e->name = llmops__strndup(name, len);
    if (!e->name)
        return LLMOPS_E_NO_MEMORY;
    e->has_file = has_file;
    l->count++;
    return LLMOPS_OK;
}

static llmops_status list_files(llmops__registry *reg, llmops__prompt_list *out, size_t *cap,
                                llmops__buf *err)
{
    DIR *d = opendir(reg->dir);
    if (!d) {
        llmops__pr_errf(err, "%s: cannot list the prompt folder: %s", reg->dir,
                        strerror(errno));
        return LLMOPS_E_IO;
    }
    llmops_status st = LLMOPS_OK;
    struct dirent *de;
    while (!st && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= 7 || memcmp(de->d_name + n - 7, ".prompt", 7) != 0 ||
            !llmops__prompt_name_ok(de->d_name, n - 7))
            continue;
        if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
            continue;
        st = list_push(out, cap, de->d_name, n - 7, 1);
    }
    closedir(d);
    return st;
}

llmops_status llmops__registry_list(llmops__registry *reg, llmops__prompt_list *out,
                                    llmops__buf *err)
{
    if (!reg || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    out->items = NULL;
    out->count = 0;
    size_t cap = 0;
    llmops_status st = list_files(reg, out, &cap, err);
    if (!st)
        qsort(out->items, out->count, sizeof *out->items, cmp_entry);
    size_t files = out->count;
    pthread_mutex_lock(&reg->mu);
    if (!st)
        st = lock_refresh(reg, err);
    /* Merge the lock file's names (sorted) into the sorted file names. */
    for (size_t i = 0; !st && i < reg->lock.count; i++) {
        const llmops__pr_entry *le = &reg->lock.entries[i];
        llmops__prompt_entry key = { le->name, 0, "", NULL, 0 };
        llmops__prompt_entry *e = files ? bsearch(&key, out->items, files, sizeof key, cmp_entry)
                                        : NULL;
        if (!e) {
            st = list_push(out, &cap, le->name, strlen(le->name), 0);
            if (st)
                break;
            e = &out->items[out->count - 1];
        }
        if (le->label_count) {
            e->labels = llmops__calloc(le->label_count, sizeof *e->labels);
            if (!e->labels) {
                st = LLMOPS_E_NO_MEMORY;
                break;
            }
            for (size_t j = 0; j < le->label_count; j++) {
                e->labels[j].label = llmops__strdup(le->labels[j].label);
                memcpy(e->labels[j].version, le->labels[j].version, 65);
                e->label_count = j + 1;
                if (!e->labels[j].label) {
                    st = LLMOPS_E_NO_MEMORY;
                    break;
                }
            }
        }
    }
    pthread_mutex_unlock(&reg->mu);
    if (st) {
        if (st == LLMOPS_E_NO_MEMORY)
            llmops__pr_errf(err, "%s: out of memory while listing prompts", reg->dir);
        llmops__prompt_list_free(out);
        return st;
    }
    qsort(out->items, out->count, sizeof *out->items, cmp_entry);
    for (size_t i = 0; i < out->count; i++) {
        llmops__prompt_entry *e = &out->items[i];
        if (!e->has_file)
            continue;
        /* A file that does not parse is still listed, without a version:
         * listing is how one finds the broken file. */
        llmops__prompt *p = NULL;
        llmops__buf ignored = LLMOPS__BUF_INIT;
        llmops_status ls = load_working(reg, e->name, &p, &ignored);
        llmops__buf_free(&ignored);
        if (ls == LLMOPS_E_NO_MEMORY) {
            llmops__prompt_list_free(out);
            return ls;
        }
        if (p)
            memcpy(e->version, llmops__prompt_version(p), 65);
        llmops__prompt_release(p);
    }
    return LLMOPS_OK;
}

/* ---- promote / rollback --------------------------------------------------- */

static llmops_status check_label(const char *label, llmops__buf *err)
{
    size_t n = label ? strlen(label) : 0;
    if (!llmops__prompt_name_ok(label, n)) {
        llmops__pr_errf(err, "'%.*s' is not a label name ([a-z0-9][a-z0-9._-]*)",
                        (int)(n > 140 ? 140 : n), label ? label : "");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (n >= LLMOPS__PROMPT_MIN_PREFIX && all_hex(label, n)) {
        llmops__pr_errf(err, "label '%s' would read as a version hash; choose a name that is "
                        "not only hex digits", label);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    return LLMOPS_OK;
}

/* Copy the prompt's bytes into the store unless a file of that version is
 * already there (store files are content-addressed and never rewritten). */
static llmops_status store_put(llmops__registry *reg, const llmops__prompt *p, llmops__buf *err)
{
    char *path = store_path(reg, llmops__prompt_version(p));
    if (!path)
        return LLMOPS_E_NO_MEMORY;
    llmops_status st = LLMOPS_OK;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (mkdir(reg->store_dir, 0777) != 0 && errno != EEXIST) {
            llmops__pr_errf(err, "%s: cannot create the version store: %s", reg->store_dir,
                            strerror(errno));
            st = LLMOPS_E_IO;
        } else {
            size_t len;
            const char *src = llmops__prompt_source(p, &len);
            st = llmops__pr_write_atomic(path, src, len, err);
        }
    }
    llmops__free(path);
    return st;
}

/* Read the lock file fresh (under the flock), move `label` to `version`
 * and write it back; a promotion to the version the label already has
 * changes nothing. */
static llmops_status lock_update(llmops__registry *reg, const char *name, const char *label,
                                 const char *version, int action, llmops__buf *err)
{
    llmops__pr_lockfile lf;
    llmops_status st = llmops__pr_lock_load(&lf, reg->lock_path, err);
    if (st)
        return st;
    const llmops__pr_entry *e = llmops__pr_lock_find(&lf, name);
    const char *cur = e ? llmops__pr_lock_label(e, label) : NULL;
    if (action == LLMOPS__PR_PROMOTE && cur && strcmp(cur, version) == 0) {
        llmops__pr_lock_free(&lf);
        return LLMOPS_OK;
    }
    st = llmops__pr_lock_set(&lf, name, label, version, action);
    char *text = NULL;
    size_t len = 0;
    if (!st)
        st = llmops__pr_lock_write(&lf, &text, &len);
    if (!st)
        st = llmops__pr_write_atomic(reg->lock_path, text, len, err);
    else if (st == LLMOPS_E_NO_MEMORY)
        llmops__pr_errf(err, "%s: out of memory while updating", reg->lock_path);
    llmops__free(text);
    llmops__pr_lock_free(&lf);
    return st;
}

static llmops_status check_name_label(const char *name, const char *label, llmops__buf *err)
{
    if (!llmops__prompt_name_ok(name, strlen(name))) {
        llmops__pr_errf(err, "'%.140s' is not a prompt name", name);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    return check_label(label, err);
}

llmops_status llmops__registry_promote(llmops__registry *reg, const char *name, const char *refstr,
                                       const char *label, llmops__buf *err)
{
    if (!reg || !name)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_status st = check_name_label(name, label, err);
    if (st)
        return st;
    ref r;
    if (!refstr || strcmp(refstr, name) == 0) {
        st = parse_ref(name, &r, err);
    } else if (strchr(refstr, '@')) {
        st = parse_ref(refstr, &r, err);
        if (!st && strcmp(r.name, name) != 0) {
            llmops__pr_errf(err, "cannot promote '%s' to a label of prompt '%s'", refstr, name);
            st = LLMOPS_E_INVALID_ARGUMENT;
        }
    } else if (strlen(refstr) >= LLMOPS__PROMPT_MIN_PREFIX && strlen(refstr) <= 64 &&
               all_hex(refstr, strlen(refstr))) {
        st = parse_ref(name, &r, err);
        r.kind = REF_HASH;
        memcpy(r.arg, refstr, strlen(refstr) + 1);
    } else {
        llmops__pr_errf(err, "'%.140s' is neither prompt '%s', a ref to it, nor a version "
                        "(at least %d hex digits)", refstr, name, LLMOPS__PROMPT_MIN_PREFIX);
        st = LLMOPS_E_INVALID_ARGUMENT;
    }
    if (st)
        return st;

    int fd = llmops__pr_lock(reg->lk_path, err);
    if (fd < 0)
        return LLMOPS_E_IO;
    llmops__prompt *p = NULL;
    st = load_ref(reg, &r, &p, err);
    if (!st)
        st = store_put(reg, p, err);
    if (!st)
        st = lock_update(reg, name, label, llmops__prompt_version(p), LLMOPS__PR_PROMOTE, err);
    llmops__pr_unlock(fd);
    llmops__prompt_release(p);
    return st;
}

llmops_status llmops__registry_rollback(llmops__registry *reg, const char *name,
                                        const char *label, llmops__buf *err)
{
    if (!reg || !name)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_status st = check_name_label(name, label, err);
    if (st)
        return st;
    int fd = llmops__pr_lock(reg->lk_path, err);
    if (fd < 0)
        return LLMOPS_E_IO;
    llmops__pr_lockfile lf;
    st = llmops__pr_lock_load(&lf, reg->lock_path, err);
    char target[65];
    int rc;
    if (!st) {
        const llmops__pr_entry *e = llmops__pr_lock_find(&lf, name);
        if (!e || !llmops__pr_lock_label(e, label)) {
            llmops__pr_errf(err, "prompt '%s' has no label '%s' in %s", name, label,
                            reg->lock_path);
            st = LLMOPS_E_NOT_FOUND;
        } else if ((rc = llmops__pr_lock_rollback_target(e, label, target)) == -2) {
            st = LLMOPS_E_NO_MEMORY;
        } else if (rc != 0) {
            llmops__pr_errf(err, "label %s@%s has no earlier version in its history in %s to "
                            "roll back to", name, label, reg->lock_path);
            st = LLMOPS_E_NOT_FOUND;
        }
        llmops__pr_lock_free(&lf);
    }
    if (!st) {
        /* The target must still be loadable, or the label would point nowhere. */
        llmops__prompt *p = NULL;
        char why[LLMOPS__PROMPT_NAME_MAX * 2 + 32];
        snprintf(why, sizeof why, "the history of %s@%s", name, label);
        st = load_store(reg, name, target, why, &p, err);
        llmops__prompt_release(p);
    }
    if (!st)
        st = lock_update(reg, name, label, target, LLMOPS__PR_ROLLBACK, err);
    llmops__pr_unlock(fd);
    return st;
}
