/* JSON number semantics. The text of a number is always kept; the value is
 * derived from it: an exact int64 when the decimal value is an integer in
 * range, otherwise the nearest double. Doubles come from strtod_l with the
 * "C" locale (or an exact fast path), never from the process locale, because
 * a host that calls setlocale() must not change what "1.5" means. */
#include "json/number.h"
#include "core/alloc.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __APPLE__
#  include <xlocale.h>
#endif

/* ---- decomposition ------------------------------------------------------ */

/* A number as sign × D × 10^exp10, where D is the run of significant digits
 * with leading and trailing zeros removed (nd digits; nd == 0 means zero). */
typedef struct num_parts {
    int neg;
    const char *first;  /* first significant digit in the text */
    size_t nd;
    int64_t exp10;
    uint64_t m;         /* D itself when nd <= 19 */
} num_parts;


static const uint64_t pow10_u64[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull
};

static void decompose(const char *s, size_t len, num_parts *np)
{
    const char *p = s, *end = s + len;
    np->neg = (p < end && *p == '-');
    if (np->neg)
        p++;
    np->first = NULL;
    size_t seen = 0, last_nz = 0, frac_digits = 0;
    uint64_t m = 0;
    int in_frac = 0;
    for (; p < end; p++) {
        char c = *p;
        if (c == '.') {
            in_frac = 1;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        if (in_frac)
            frac_digits++;
        if (!np->first && c == '0')
            continue;
        if (!np->first)
            np->first = p;
        seen++;
        if (seen <= 19)
            m = m * 10 + (uint64_t)(c - '0');
        if (c != '0')
            last_nz = seen;
    }
    int64_t e = 0;
    int eneg = 0, saturated = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (e < JSON_EXP_LIMIT)
                e = e * 10 + (*p - '0');
        }
        saturated = e >= JSON_EXP_LIMIT;
        if (eneg)
            e = -e;
    }
    np->nd = last_nz;
    if (last_nz == 0) {
        np->exp10 = 0;
        np->m = 0;
        return;
    }
    /* The scientific exponent X of d.ddd; trailing zeros of the digit run
     * then move into exp10 (value = D × 10^exp10). */
    int64_t x;
    if (saturated)
        x = eneg ? -JSON_EXP_LIMIT : JSON_EXP_LIMIT;
    else
        x = e - (int64_t)frac_digits + (int64_t)seen - 1;
    if (x > JSON_EXP_LIMIT)
        x = JSON_EXP_LIMIT;
    if (x < -JSON_EXP_LIMIT)
        x = -JSON_EXP_LIMIT;
    np->exp10 = x - (int64_t)last_nz + 1;
    if (last_nz <= 19)
        np->m = m / pow10_u64[(seen < 19 ? seen : 19) - last_nz];
    else
        np->m = 0;
}

/* The next significant digit after *p (skipping a '.'), for walking D. */
static char next_digit(const char **p)
{
    if (**p == '.')
        (*p)++;
    return *(*p)++;
}

/* ---- locale-independent strtod ------------------------------------------ */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double llmops__json_strtod(const char *s)
{
    pthread_once(&c_locale_once, make_c_locale);
    if (c_locale)
        return strtod_l(s, NULL, c_locale);
    /* No "C" locale object: rewrite the '.' into whatever the current
     * locale uses, so plain strtod reads the intended value. */
    const char *dp = localeconv()->decimal_point;
    size_t n = strlen(s), dl = strlen(dp);
    char small[128];
    char *tmp = n + dl < sizeof small ? small : llmops__malloc(n + dl + 1);
    if (!tmp)
        return strtod(s, NULL);
    char *o = tmp;
    for (const char *q = s; *q; q++) {
        if (*q == '.') {
            memcpy(o, dp, dl);
            o += dl;
        } else {
            *o++ = *q;
        }
    }
    *o = '\0';
    double d = strtod(tmp, NULL);
    if (tmp != small)
        llmops__free(tmp);
    return d;
}

/* ---- classification ----------------------------------------------------- */

static const double pow10_dbl[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* D (nd <= 19 significant digits, no trailing zeros) × 10^exp10. */
static void set_value(llmops_json *v, int neg, uint64_t d_digits, size_t nd, int64_t exp10)
{
    v->flags &= (uint8_t)~(JSON_F_INT | JSON_F_DBL);
    if (nd == 0) {
        v->flags |= JSON_F_INT;
        v->num.i = 0;
        return;
    }
    if (exp10 >= 0 && nd + (uint64_t)exp10 <= 19) {
        /* At most 19 digits: the product fits uint64 without overflow. */
        uint64_t u = d_digits * pow10_u64[exp10];
        if (!neg && u <= (uint64_t)INT64_MAX) {
            v->flags |= JSON_F_INT;
            v->num.i = (int64_t)u;
            return;
        }
        if (neg && u <= (uint64_t)INT64_MAX + 1) {
            v->flags |= JSON_F_INT;
            v->num.i = (int64_t)(0 - u);
            return;
        }
    }
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    /* Clinger's fast path: D and 10^|e| are both exact doubles, so one
     * correctly rounded multiply or divide gives the correctly rounded value. */
    if (nd <= 15 && exp10 >= -22 && exp10 <= 22 + 15 - (int64_t)nd) {
        double d = (double)d_digits;
        if (exp10 < 0)
            d /= pow10_dbl[-exp10];
        else if (exp10 <= 22)
            d *= pow10_dbl[exp10];
        else
            d = (d * pow10_dbl[exp10 - 22]) * 1e22;
        v->flags |= JSON_F_DBL;
        v->num.d = neg ? -d : d;
    }
#endif
}

void llmops__json_num_classify(llmops_json *v)
{
    num_parts np;
    decompose(v->p.s, v->len, &np);
    set_value(v, np.neg, np.m, np.nd, np.exp10);
}

void llmops__json_num_from_parts(llmops_json *v, int neg, uint64_t m, size_t sig, size_t tz,
                                 int64_t exp10)
{
    if (sig > 19) {
        llmops__json_num_classify(v);
        return;
    }
    if (m == 0) {
        set_value(v, neg, 0, 0, 0);
        return;
    }
    /* Drop trailing zeros into the exponent, as decompose() does. The loop
     * runs only for digits like "1.50" or "100", and at most 18 times. */
    while (tz--) {
        m /= 10;
        sig--;
        exp10++;
    }
    set_value(v, neg, m, sig, exp10);
}

llmops_status llmops__json_num_double(const llmops_json *v, double *out)
{
    if (v->flags & JSON_F_INT) {
        /* "-0" is the integer 0 but the double -0.0. */
        *out = (v->num.i == 0 && v->p.s[0] == '-') ? -0.0 : (double)v->num.i;
        return LLMOPS_OK;
    }
    if (v->flags & JSON_F_DBL) {
        *out = v->num.d;
        return LLMOPS_OK;
    }
    double d = llmops__json_strtod(v->p.s);
    if (isinf(d))
        return LLMOPS_E_RANGE;
    *out = d;
    return LLMOPS_OK;
}

/* ---- formatting --------------------------------------------------------- */

size_t llmops__json_fmt_i64(int64_t v, char *out)
{
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    memcpy(out, tmp + i, sizeof tmp - i);
    return sizeof tmp - i;
}

/* Lay out `k` digits with value 0.digits × 10^n the way ECMAScript does. */
static size_t layout(int neg, const char *dig, size_t k, int64_t n, char *out, size_t cap)
{
    size_t o = 0;
#define PUT(c) do { if (o < cap) out[o] = (c); o++; } while (0)
    if (neg)
        PUT('-');
    if ((int64_t)k <= n && n <= 21) {
        for (size_t i = 0; i < k; i++)
            PUT(dig[i]);
        for (int64_t i = (int64_t)k; i < n; i++)
            PUT('0');
    } else if (0 < n && n <= 21) {
        for (size_t i = 0; i < k; i++) {
            if ((int64_t)i == n)
                PUT('.');
            PUT(dig[i]);
        }
    } else if (-6 < n && n <= 0) {
        PUT('0');
        PUT('.');
        for (int64_t i = n; i < 0; i++)
            PUT('0');
        for (size_t i = 0; i < k; i++)
            PUT(dig[i]);
    } else {
        PUT(dig[0]);
        if (k > 1) {
            PUT('.');
            for (size_t i = 1; i < k; i++)
                PUT(dig[i]);
        }
        PUT('e');
        PUT(n - 1 < 0 ? '-' : '+');
        char eb[24];
        int64_t e = n - 1 < 0 ? -(n - 1) : n - 1;
        size_t el = llmops__json_fmt_i64(e, eb);
        for (size_t i = 0; i < el; i++)
            PUT(eb[i]);
    }
#undef PUT
    return o;
}

size_t llmops__json_fmt_double(double d, char out[JSON_DOUBLE_BUF])
{
    if (d == 0) {
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        size_t n = llmops__json_fmt_i64((int64_t)d, out);
        out[n] = '\0';
        return n;
    }
    /* Shortest digits: the first precision whose correctly rounded decimal
     * reads back to d. printf's own decimal point may be locale-specific, so
     * only the digits and the exponent are taken from its output. */
    char dig[20] = { '0' };
    size_t k = 1;
    int exp = 0;
    for (int prec = 1; prec <= 17; prec++) {
        char tmp[48];
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        const char *q = tmp;
        if (*q == '-')
            q++;
        k = 0;
        for (; *q && *q != 'e' && k < sizeof dig; q++)
            if (*q >= '0' && *q <= '9')
                dig[k++] = *q;
        if (k == 0)
            continue;
        exp = *q == 'e' ? atoi(q + 1) : 0;
        char cand[48];
        size_t c = 0;
        if (d < 0)
            cand[c++] = '-';
        cand[c++] = dig[0];
        cand[c++] = '.';
        for (size_t i = 1; i < k; i++)
            cand[c++] = dig[i];
        if (k == 1)
            cand[c++] = '0';
        snprintf(cand + c, sizeof cand - c, "e%d", exp);
        if (llmops__json_strtod(cand) == d)
            break;
    }
    while (k > 1 && dig[k - 1] == '0')
        k--;
    size_t n = layout(d < 0, dig, k, (int64_t)exp + 1, out, JSON_DOUBLE_BUF - 1);
    out[n] = '\0';
    return n;
}

/* ---- canonical value ---------------------------------------------------- */

enum { KEY_INT, KEY_DBL, KEY_BIG };

typedef struct num_key {
    int kind;
    int64_t i;
    double d;
} num_key;

static void num_key_of(const llmops_json *v, num_key *k)
{
    if (v->flags & JSON_F_INT) {
        k->kind = KEY_INT;
        k->i = v->num.i;
        return;
    }
    double d;
    if (llmops__json_num_double(v, &d) != LLMOPS_OK) {
        k->kind = KEY_BIG;
        return;
    }
    if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        k->kind = KEY_INT;
        k->i = (int64_t)d;
        return;
    }
    k->kind = KEY_DBL;
    k->d = d;
}

void llmops__json_num_canonical(llmops__buf *b, const llmops_json *v)
{
    num_key k = { 0, 0, 0 };
    num_key_of(v, &k);
    char tmp[JSON_DOUBLE_BUF];
    if (k.kind == KEY_INT) {
        llmops__buf_append(b, tmp, llmops__json_fmt_i64(k.i, tmp));
    } else if (k.kind == KEY_DBL) {
        llmops__buf_append(b, tmp, llmops__json_fmt_double(k.d, tmp));
    } else {
        /* Beyond double range there is no double to print: the exact
         * decimal value, normalised, in the same exponent layout. */
        num_parts np;
        decompose(v->p.s, v->len, &np);
        if (np.neg)
            llmops__buf_putc(b, '-');
        const char *p = np.first;
        llmops__buf_putc(b, next_digit(&p));
        if (np.nd > 1) {
            llmops__buf_putc(b, '.');
            for (size_t i = 1; i < np.nd; i++)
                llmops__buf_putc(b, next_digit(&p));
        }
        llmops__buf_append(b, "e+", 2);
        char eb[24];
        llmops__buf_append(b, eb, llmops__json_fmt_i64(np.exp10 + (int64_t)np.nd - 1, eb));
    }
}

int llmops__json_num_equal(const llmops_json *a, const llmops_json *b)
{
    if ((a->flags & b->flags & JSON_F_INT))
        return a->num.i == b->num.i;
    num_key ka = { 0, 0, 0 }, kb = { 0, 0, 0 };
    num_key_of(a, &ka);
    num_key_of(b, &kb);
    if (ka.kind != kb.kind)
        return 0;
    if (ka.kind == KEY_INT)
        return ka.i == kb.i;
    if (ka.kind == KEY_DBL)
        return ka.d == kb.d;
    num_parts pa, pb;
    decompose(a->p.s, a->len, &pa);
    decompose(b->p.s, b->len, &pb);
    if (pa.neg != pb.neg || pa.nd != pb.nd || pa.exp10 != pb.exp10)
        return 0;
    const char *qa = pa.first, *qb = pb.first;
    for (size_t i = 0; i < pa.nd; i++)
        if (next_digit(&qa) != next_digit(&qb))
            return 0;
    return 1;
}
