/*
 * JSON parse and serialize throughput: libllmops against cJSON and jansson on
 * the recorded provider payloads (every .json body and every line of every
 * .chunks.jsonl stream under $LLMOPS_TESTDATA/providers).
 *
 *   meson setup build-bench -Dbench=true -Dbuildtype=release
 *   meson compile -C build-bench && ./build-bench/bench/json_bench [rounds]
 *
 * Each round runs every library over the same workload, interleaved so that
 * frequency drift hits all three alike; the table shows the median round.
 * Throughput is input bytes per second for both parse and serialize (the
 * libraries print numbers differently, so output sizes differ slightly).
 * Parse times include freeing the tree; serialize times include freeing the
 * output string. cJSON and jansson are used here only, never by the library.
 */
#include <cJSON.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "llmops.h"

#ifndef LLMOPS_TESTDATA_DEFAULT
#  define LLMOPS_TESTDATA_DEFAULT "../shared/testdata"
#endif

typedef struct doc {
    char *text;
    size_t len;
} doc;

typedef struct corpus {
    const char *name;
    doc *docs;
    size_t n, cap, bytes;
} corpus;

static void add(corpus *c, const char *text, size_t len)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->docs = realloc(c->docs, c->cap * sizeof *c->docs);
        if (!c->docs)
            abort();
    }
    char *t = malloc(len + 1);
    if (!t)
        abort();
    memcpy(t, text, len);
    t[len] = '\0'; /* cJSON and jansson do not need it; harmless for all */
    c->docs[c->n].text = t;
    c->docs[c->n].len = len;
    c->n++;
    c->bytes += len;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *len = (size_t)n;
    return buf;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), sl = strlen(suffix);
    return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

static void load(const char *dir, corpus *bodies, corpus *chunks)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            load(path, bodies, chunks);
            continue;
        }
        int is_chunks = ends_with(e->d_name, ".chunks.jsonl");
        if (!is_chunks && !ends_with(e->d_name, ".json"))
            continue;
        size_t len;
        char *data = slurp(path, &len);
        if (!data)
            continue;
        if (!is_chunks) {
            add(bodies, data, len);
        } else {
            for (char *p = data, *end = data + len; p < end;) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
                if (n)
                    add(chunks, p, n);
                p += n + 1;
            }
        }
        free(data);
    }
    closedir(d);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Keeps results observable so the work cannot be optimised away. */
static volatile size_t sink;

/* ---- the three libraries -------------------------------------------------- */

enum { LIB_LLMOPS, LIB_CJSON, LIB_JANSSON, NLIBS };
static const char *const lib_names[NLIBS] = { "llmops", "cJSON", "jansson" };

static size_t parse_all(int lib, const corpus *c, int reps)
{
    size_t ok = 0;
    for (int r = 0; r < reps; r++) {
        for (size_t i = 0; i < c->n; i++) {
            const doc *d = &c->docs[i];
            if (lib == LIB_LLMOPS) {
                llmops_json_doc *j;
                if (llmops_json_parse(&j, d->text, d->len, NULL, NULL) == LLMOPS_OK) {
                    ok++;
                    llmops_json_doc_free(j);
                }
            } else if (lib == LIB_CJSON) {
                cJSON *j = cJSON_ParseWithLength(d->text, d->len);
                if (j) {
                    ok++;
                    cJSON_Delete(j);
                }
            } else {
                json_error_t err;
                json_t *j = json_loadb(d->text, d->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
                if (j) {
                    ok++;
                    json_decref(j);
                }
            }
        }
    }
    sink += ok;
    return ok;
}

typedef struct trees {
    void **t[NLIBS];
} trees;

static void build_trees(const corpus *c, trees *tr)
{
    for (int lib = 0; lib < NLIBS; lib++)
        tr->t[lib] = calloc(c->n, sizeof(void *));
    for (size_t i = 0; i < c->n; i++) {
        const doc *d = &c->docs[i];
        llmops_json_doc *j = NULL;
        llmops_json_parse(&j, d->text, d->len, NULL, NULL);
        json_error_t err;
        tr->t[LIB_LLMOPS][i] = j;
        tr->t[LIB_CJSON][i] = cJSON_ParseWithLength(d->text, d->len);
        tr->t[LIB_JANSSON][i] = json_loadb(d->text, d->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    }
}

static void free_trees(const corpus *c, trees *tr)
{
    for (size_t i = 0; i < c->n; i++) {
        llmops_json_doc_free(tr->t[LIB_LLMOPS][i]);
        cJSON_Delete(tr->t[LIB_CJSON][i]);
        json_decref(tr->t[LIB_JANSSON][i]);
    }
    for (int lib = 0; lib < NLIBS; lib++)
        free(tr->t[lib]);
}

static size_t write_all(int lib, const corpus *c, const trees *tr, int reps)
{
    size_t out = 0;
    for (int r = 0; r < reps; r++) {
        for (size_t i = 0; i < c->n; i++) {
            void *t = tr->t[lib][i];
            if (!t)
                continue;
            if (lib == LIB_LLMOPS) {
                char *s;
                size_t n;
                if (llmops_json_write(&s, &n, llmops_json_doc_root(t), LLMOPS_JSON_WRITE_COMPACT) ==
                    LLMOPS_OK) {
                    out += n;
                    llmops_free(s);
                }
            } else if (lib == LIB_CJSON) {
                char *s = cJSON_PrintUnformatted(t);
                if (s) {
                    out += strlen(s);
                    cJSON_free(s);
                }
            } else {
                char *s = json_dumps(t, JSON_COMPACT | JSON_ENCODE_ANY);
                if (s) {
                    out += strlen(s);
                    free(s);
                }
            }
        }
    }
    sink += out;
    return out;
}

/* ---- measurement ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct result {
    double parse[NLIBS], write[NLIBS]; /* MB/s */
    size_t parsed[NLIBS];
} result;

static void measure(const corpus *c, int rounds, result *res)
{
    /* Enough repetitions that one round of one library takes a few ms. */
    int reps = c->bytes ? (int)(4e6 / (double)c->bytes) + 1 : 1;
    double *tp[NLIBS], *tw[NLIBS];
    for (int lib = 0; lib < NLIBS; lib++) {
        tp[lib] = calloc((size_t)rounds, sizeof(double));
        tw[lib] = calloc((size_t)rounds, sizeof(double));
        res->parsed[lib] = parse_all(lib, c, 1); /* warm-up and acceptance count */
    }
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < NLIBS; k++) {
            int lib = (r + k) % NLIBS; /* rotate who goes first */
            double t0 = now();
            parse_all(lib, c, reps);
            tp[lib][r] = now() - t0;
        }
    }
    trees tr;
    build_trees(c, &tr);
    for (int lib = 0; lib < NLIBS; lib++)
        write_all(lib, c, &tr, 1);
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < NLIBS; k++) {
            int lib = (r + k) % NLIBS;
            double t0 = now();
            write_all(lib, c, &tr, reps);
            tw[lib][r] = now() - t0;
        }
    }
    free_trees(c, &tr);
    double mb = (double)c->bytes * reps / 1e6;
    for (int lib = 0; lib < NLIBS; lib++) {
        res->parse[lib] = mb / median(tp[lib], rounds);
        res->write[lib] = mb / median(tw[lib], rounds);
        free(tp[lib]);
        free(tw[lib]);
    }
}

static void print_row(const char *what, const corpus *c, const double *v)
{
    printf("%-9s %-8s %6zu %9.1f KB | %8.0f %8.0f %8.0f | %6.2fx %6.2fx\n", what, c->name, c->n,
           (double)c->bytes / 1024, v[LIB_LLMOPS], v[LIB_CJSON], v[LIB_JANSSON],
           v[LIB_LLMOPS] / v[LIB_CJSON], v[LIB_LLMOPS] / v[LIB_JANSSON]);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    if (rounds < 1)
        rounds = 1;
    const char *env = getenv("LLMOPS_TESTDATA");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/providers", env && *env ? env : LLMOPS_TESTDATA_DEFAULT);

    corpus bodies = { "bodies", NULL, 0, 0, 0 }, chunks = { "chunks", NULL, 0, 0, 0 };
    load(dir, &bodies, &chunks);
    if (!bodies.n && !chunks.n) {
        fprintf(stderr, "json_bench: no provider payloads under %s (set LLMOPS_TESTDATA)\n", dir);
        return 77; /* meson's "skipped" */
    }
    corpus all = { "all", NULL, 0, 0, 0 };
    for (size_t i = 0; i < bodies.n; i++)
        add(&all, bodies.docs[i].text, bodies.docs[i].len);
    for (size_t i = 0; i < chunks.n; i++)
        add(&all, chunks.docs[i].text, chunks.docs[i].len);

    printf("libllmops %s, cJSON %d.%d.%d, jansson %s; %s; %d rounds, median\n", llmops_version(),
           CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH, JANSSON_VERSION, dir,
           rounds);
    printf("%-9s %-8s %6s %12s | %8s %8s %8s | %7s %7s\n", "MB/s", "workload", "docs", "input",
           lib_names[0], lib_names[1], lib_names[2], "/cJSON", "/jansson");
    const corpus *sets[3] = { &bodies, &chunks, &all };
    result res[3];
    for (int s = 0; s < 3; s++)
        measure(sets[s], rounds, &res[s]);
    for (int s = 0; s < 3; s++)
        print_row("parse", sets[s], res[s].parse);
    for (int s = 0; s < 3; s++)
        print_row("serialize", sets[s], res[s].write);
    printf("accepted (all): llmops %zu, cJSON %zu, jansson %zu of %zu\n",
           res[2].parsed[LIB_LLMOPS], res[2].parsed[LIB_CJSON], res[2].parsed[LIB_JANSSON], all.n);

    corpus *own[3] = { &bodies, &chunks, &all };
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < own[s]->n; i++)
            free(own[s]->docs[i].text);
        free(own[s]->docs);
    }
    return 0;
}
