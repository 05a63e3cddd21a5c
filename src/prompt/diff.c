/* Unified line diff: Myers' O(ND) greedy algorithm over the lines left after
 * the common prefix and suffix, with the number of edits capped so a diff of
 * two unrelated large files stays bounded in time and memory. */
#include "prompt/internal.h"

#include "core/alloc.h"
#include "core/hash.h"

#include <stdint.h>
#include <string.h>

#define CONTEXT 3

typedef struct line {
    const char *p;
    size_t len;       /* including the '\n', when there is one */
    uint64_t h;
} line;

typedef struct lines {
    line *v;
    size_t n;
} lines;

static int split(const char *s, size_t len, lines *out)
{
    size_t n = 0;
    for (const char *q = s, *end = s + len; q < end; n++) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        q = nl ? nl + 1 : end;
    }
    out->n = n;
    out->v = n ? llmops__malloc(n * sizeof *out->v) : NULL;
    if (n && !out->v)
        return -1;
    size_t i = 0;
    for (const char *q = s, *end = s + len; q < end; i++) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *next = nl ? nl + 1 : end;
        out->v[i].p = q;
        out->v[i].len = (size_t)(next - q);
        out->v[i].h = llmops__hash_bytes(q, out->v[i].len, 0x9e3779b97f4a7c15ull);
        q = next;
    }
    return 0;
}

static int same(const line *a, const line *b)
{
    return a->h == b->h && a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Comparisons a diff may spend before it gives up on minimality. */
#define WORK_LIMIT 50000000u

/* Edit script for a[0..n) against b[0..m): '=', '-', '+' per step, written
 * to ops (room for n + m), count in *nops. Returns 0, or -1 out of memory. */
static int myers(const line *a, size_t n, const line *b, size_t m, size_t max_edits, char *ops,
                 size_t *nops)
{
    *nops = 0;
    if (n > INT32_MAX / 2 || m > INT32_MAX / 2)
        max_edits = 0;
    size_t maxd = n + m < max_edits ? n + m : max_edits;
    /* V[k] for k in [-d, d] of each round d is kept for the walk back:
     * sum(2d + 1) = (D + 1)^2 entries for D edits, grown as rounds run. */
    size_t off = maxd + 1;
    ptrdiff_t *v = llmops__calloc(2 * off + 1, sizeof *v);
    int32_t *trace = NULL;
    size_t tcap = 0, tpos = 0;
    if (!v)
        return -1;
    ptrdiff_t N = (ptrdiff_t)n, M = (ptrdiff_t)m;
    ptrdiff_t found = -1;
    size_t work = 0;
    for (ptrdiff_t d = 0; d <= (ptrdiff_t)maxd && found < 0 && work < WORK_LIMIT; d++) {
        for (ptrdiff_t k = -d; k <= d; k += 2) {
            ptrdiff_t x;
            if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                x = v[off + k + 1];          /* down: an insertion */
            else
                x = v[off + k - 1] + 1;      /* right: a deletion */
            ptrdiff_t y = x - k, x0 = x;
            while (x < N && y < M && same(&a[x], &b[y])) {
                x++;
                y++;
            }
            work += (size_t)(x - x0) + 1;
            v[off + k] = x;
            if (x >= N && y >= M) {
                found = d;
                break;
            }
        }
        size_t need = tpos + (size_t)(2 * d + 1);
        if (need > tcap) {
            size_t ncap = llmops__grow_cap(tcap, need, sizeof *trace);
            int32_t *nt = ncap ? llmops__realloc(trace, ncap * sizeof *nt) : NULL;
            if (!nt) {
                llmops__free(v);
                llmops__free(trace);
                return -1;
            }
            trace = nt;
            tcap = ncap;
        }
        for (ptrdiff_t k = -d; k <= d; k++)
            trace[tpos++] = (int32_t)v[off + k];
    }
    if (found < 0) {
        /* Too many edits: the whole middle becomes one replaced block. */
        memset(ops, '-', n);
        memset(ops + n, '+', m);
        *nops = n + m;
        llmops__free(v);
        llmops__free(trace);
        return 0;
    }
    /* Walk back from (N, M), writing the script from its end. */
    size_t w = n + m;   /* upper bound of the script's length; fill downwards */
    ptrdiff_t x = N, y = M;
    for (ptrdiff_t d = found; d >= 0; d--) {
        tpos -= (size_t)(2 * d + 1);
        ptrdiff_t k = x - y;
        if (d == 0) {
            while (x > 0 && y > 0) {
                ops[--w] = '=';
                x--;
                y--;
            }
            break;
        }
        const int32_t *vp = trace + tpos - (size_t)(2 * d - 1) + (d - 1); /* round d-1 */
        int down = k == -d || (k != d && vp[k - 1] < vp[k + 1]);
        ptrdiff_t pk = down ? k + 1 : k - 1;
        ptrdiff_t px = vp[pk], py = px - pk;
        ptrdiff_t sx = down ? px : px + 1;   /* where the snake of round d starts */
        while (x > sx) {
            ops[--w] = '=';
            x--;
            y--;
        }
        ops[--w] = down ? '+' : '-';
        x = px;
        y = py;
    }
    *nops = n + m - w;
    memmove(ops, ops + w, *nops);
    llmops__free(v);
    llmops__free(trace);
    return 0;
}

static void put_line(llmops__buf *out, char mark, const line *l)
{
    llmops__buf_putc(out, mark);
    llmops__buf_append(out, l->p, l->len);
    if (!l->len || l->p[l->len - 1] != '\n')
        llmops__buf_puts(out, "\n\\ No newline at end of file\n");
}

static void put_range(llmops__buf *out, size_t start, size_t count)
{
    /* GNU style: an empty range names the line before it. */
    if (count == 1)
        llmops__buf_printf(out, "%zu", start + 1);
    else
        llmops__buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

static void emit(const lines *a, const lines *b, const char *ops, size_t nops, llmops__buf *out)
{
    size_t k = 0, ai = 0, bi = 0;   /* ops[k] is at line ai of a, bi of b */
    for (;;) {
        size_t c = k;
        size_t ca = ai, cb = bi;
        while (c < nops && ops[c] == '=') {
            c++;
            ca++;
            cb++;
        }
        if (c == nops)
            return;
        size_t back = c - k < CONTEXT ? c - k : CONTEXT;
        size_t start = c - back, sa = ca - back, sb = cb - back;
        /* The hunk runs past each change while the next one is close. */
        size_t e = c;
        for (;;) {
            while (e < nops && ops[e] != '=')
                e++;
            size_t run = e;
            while (run < nops && ops[run] == '=')
                run++;
            if (run == nops || run - e > 2 * CONTEXT) {
                e = e + CONTEXT < nops ? e + CONTEXT : nops;
                break;
            }
            e = run;
        }
        size_t na = 0, nb = 0;
        for (size_t i = start; i < e; i++) {
            na += ops[i] != '+';
            nb += ops[i] != '-';
        }
        llmops__buf_puts(out, "@@ -");
        put_range(out, sa, na);
        llmops__buf_puts(out, " +");
        put_range(out, sb, nb);
        llmops__buf_puts(out, " @@\n");
        size_t x = sa, y = sb;
        for (size_t i = start; i < e; i++) {
            if (ops[i] == '=') {
                put_line(out, ' ', &a->v[x++]);
                y++;
            } else if (ops[i] == '-') {
                put_line(out, '-', &a->v[x++]);
            } else {
                put_line(out, '+', &b->v[y++]);
            }
        }
        k = e;
        ai = x;
        bi = y;
    }
}

llmops_status llmops__pr_line_diff(const char *a, size_t alen, const char *b, size_t blen,
                                   size_t max_edits, llmops__buf *out)
{
    lines la = { NULL, 0 }, lb = { NULL, 0 };
    char *ops = NULL;
    llmops_status st = LLMOPS_E_NO_MEMORY;
    if (split(a, alen, &la) || split(b, blen, &lb))
        goto out;
    size_t pre = 0;
    while (pre < la.n && pre < lb.n && same(&la.v[pre], &lb.v[pre]))
        pre++;
    size_t suf = 0;
    while (suf < la.n - pre && suf < lb.n - pre &&
           same(&la.v[la.n - 1 - suf], &lb.v[lb.n - 1 - suf]))
        suf++;
    size_t total = la.n + lb.n - pre - suf;
    ops = llmops__malloc(total + pre + suf + 1);
    if (!ops)
        goto out;
    memset(ops, '=', pre);
    size_t mid = 0;
    /* An empty side has no line array at all: no offset into NULL (UBSan). */
    if (myers(la.v ? la.v + pre : NULL, la.n - pre - suf, lb.v ? lb.v + pre : NULL,
              lb.n - pre - suf, max_edits, ops + pre, &mid))
        goto out;
    memset(ops + pre + mid, '=', suf);
    emit(&la, &lb, ops, pre + mid + suf, out);
    st = LLMOPS_OK;
out:
    llmops__free(ops);
    llmops__free(la.v);
    llmops__free(lb.v);
    return st;
}
