/*
 * libFuzzer target for the stream framing: the SSE parser and the NDJSON
 * reader.
 *
 * Build and run with fuzz/build.sh and fuzz/run.sh (target sse_fuzz). For
 * every input, both readers run over it whole and cut into pieces at
 * positions derived from the input (a hash seeds the cut points, the event
 * limit and an early stop), and must agree exactly:
 *   - the same events (name, data, id) or lines, in the same order;
 *   - the same result code (0, the callback's stop value, LIMIT);
 * and every event must respect the framing: no CR or LF in a name or id, no
 * CR in data, no NUL in an id; no LF in an NDJSON line, and no blank line.
 * Short inputs are also fed one byte at a time. Every read is a separate
 * heap copy freed after its feed, so AddressSanitizer reports any pointer
 * the parser kept into a past read. Any violation calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ndjson.h"
#include "stream/sse.h"

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "sse_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                      \
            abort();                                                             \
        }                                                                        \
    } while (0)

#define STOP_RC 77
#define MAX_CUTS 8

/* A log of what a reader delivered: length-prefixed fields, so two runs
 * compare with one memcmp. */
typedef struct log {
    unsigned char *s;
    size_t len, cap;
    size_t count;
    size_t stop_after;   /* 0: never stop */
} log_t;

static void put(log_t *l, const void *p, size_t n)
{
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + n)
            cap *= 2;
        l->s = realloc(l->s, cap);
        CHECK(l->s != NULL);
        l->cap = cap;
    }
    if (n)
        memcpy(l->s + l->len, p, n);
    l->len += n;
}

static void put_field(log_t *l, const char *p, size_t n)
{
    uint64_t len = n;
    put(l, &len, sizeof len);
    put(l, p, n);
}

static int on_event(const char *event, size_t elen, const char *data, size_t dlen, const char *id,
                    size_t idlen, void *ud)
{
    log_t *l = ud;
    CHECK(event && data && id);
    CHECK(!memchr(event, '\r', elen) && !memchr(event, '\n', elen));
    CHECK(!memchr(id, '\r', idlen) && !memchr(id, '\n', idlen) && !memchr(id, '\0', idlen));
    CHECK(!memchr(data, '\r', dlen));
    put_field(l, event, elen);
    put_field(l, data, dlen);
    put_field(l, id, idlen);
    l->count++;
    return (l->stop_after && l->count == l->stop_after) ? STOP_RC : 0;
}

static int on_line(const char *line, size_t n, void *ud)
{
    log_t *l = ud;
    CHECK(line != NULL && n > 0);
    CHECK(!memchr(line, '\n', n));
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
    CHECK(!blank);
    put_field(l, line, n);
    l->count++;
    return (l->stop_after && l->count == l->stop_after) ? STOP_RC : 0;
}

typedef struct params {
    size_t cuts[MAX_CUTS];
    size_t ncuts;
    size_t max;          /* event / line limit, 0: none */
    size_t stop_after;
} params;

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static params derive(const uint8_t *data, size_t size)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * UINT64_C(1099511628211);
    uint64_t s = h | 1;
    params p;
    memset(&p, 0, sizeof p);
    p.ncuts = (size_t)(next_rand(&s) % (MAX_CUTS + 1));
    for (size_t i = 0; i < p.ncuts; i++)
        p.cuts[i] = size ? (size_t)(next_rand(&s) % (size + 1)) : 0;
    qsort(p.cuts, p.ncuts, sizeof p.cuts[0], cmp_size);
    uint64_t r = next_rand(&s);
    /* a quarter of the runs with a small limit, so LIMIT paths are hit */
    p.max = (r & 3) == 0 ? (size_t)((r >> 8) % 64 + 1) : 0;
    r = next_rand(&s);
    p.stop_after = (r & 7) == 0 ? (size_t)((r >> 8) % 4 + 1) : 0;
    return p;
}

/* Each read gets its own heap block, freed right after the feed: a parser
 * that kept a pointer into a past read is caught by AddressSanitizer. */
static char *own_copy(const char *p, size_t n)
{
    char *c = malloc(n ? n : 1);
    CHECK(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

static int sse_run(const char *in, size_t size, const size_t *cuts, size_t ncuts,
                   const params *pr, log_t *out)
{
    llmops__sse p;
    llmops__sse_init(&p, pr->max);
    out->stop_after = pr->stop_after;
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : size;
        char *piece = own_copy(in + pos, end - pos);
        rc = llmops__sse_feed(&p, piece, end - pos, on_event, out);
        free(piece);
        pos = end;
    }
    if (rc == 0)
        rc = llmops__sse_finish(&p, on_event, out);
    llmops__sse_free(&p);
    CHECK(rc == 0 || rc == STOP_RC || rc == LLMOPS__SSE_LIMIT);
    return rc;
}

static int nd_run(const char *in, size_t size, const size_t *cuts, size_t ncuts,
                  const params *pr, log_t *out)
{
    llmops__ndjson p;
    llmops__ndjson_init(&p, pr->max);
    out->stop_after = pr->stop_after;
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : size;
        char *piece = own_copy(in + pos, end - pos);
        rc = llmops__ndjson_feed(&p, piece, end - pos, on_line, out);
        free(piece);
        pos = end;
    }
    if (rc == 0)
        rc = llmops__ndjson_finish(&p, on_line, out);
    llmops__ndjson_free(&p);
    CHECK(rc == 0 || rc == STOP_RC || rc == LLMOPS__NDJSON_LIMIT);
    return rc;
}

typedef int (*runner)(const char *, size_t, const size_t *, size_t, const params *, log_t *);

static void same(const log_t *a, int rca, const log_t *b, int rcb)
{
    CHECK(rca == rcb);
    CHECK(a->count == b->count);
    CHECK(a->len == b->len);
    CHECK(a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static void check_reader(runner run, const char *in, size_t size, const params *pr)
{
    log_t whole = { 0 }, split = { 0 };
    int rc = run(in, size, NULL, 0, pr, &whole);
    int rc2 = run(in, size, pr->cuts, pr->ncuts, pr, &split);
    same(&whole, rc, &split, rc2);
    free(split.s);
    if (size <= 1024) {
        size_t *all = malloc((size + 1) * sizeof *all);
        CHECK(all != NULL);
        for (size_t i = 0; i < size; i++)
            all[i] = i + 1;
        log_t bytes = { 0 };
        int rc3 = run(in, size, all, size ? size - 1 : 0, pr, &bytes);
        same(&whole, rc, &bytes, rc3);
        free(bytes.s);
        free(all);
    }
    free(whole.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    params pr = derive(data, size);
    check_reader(sse_run, in, size, &pr);
    check_reader(nd_run, in, size, &pr);
    return 0;
}
