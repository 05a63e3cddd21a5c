/* Error taxonomy: HTTP status mapping, refinement from provider error
 * codes/messages, and retry hints read from response headers. */
#include "provider/errors.h"

#include <string.h>

/* Longest wait any hint may ask for. A server asking for more than a day is
 * either broken or describing a quota window; either way a retry loop should
 * not sleep on it, so hints saturate here instead of failing. */
#define HINT_CAP_MS UINT64_C(86400000)
#define HINT_CAP_NS (HINT_CAP_MS * UINT64_C(1000000))

/* ---- HTTP status -------------------------------------------------------- */

llmops_status llmops__http_status_map(int http_status)
{
    if (http_status >= 200 && http_status <= 299)
        return LLMOPS_OK;
    switch (http_status) {
    case 400:
    case 422:
        return LLMOPS_E_BAD_REQUEST;
    case 401:
        return LLMOPS_E_AUTH;
    case 403:
        return LLMOPS_E_PERMISSION;
    case 404:
        return LLMOPS_E_MODEL_NOT_FOUND;
    case 408:
        return LLMOPS_E_TIMEOUT;
    case 413:
        return LLMOPS_E_CONTEXT_LENGTH;
    case 429:
        return LLMOPS_E_RATE_LIMITED;
    case 503:
    case 529:
        return LLMOPS_E_OVERLOADED;
    default:
        return LLMOPS_E_PROVIDER;
    }
}

int llmops__status_retryable(llmops_status status)
{
    switch (status) {
    case LLMOPS_E_RATE_LIMITED:
    case LLMOPS_E_OVERLOADED:
    case LLMOPS_E_PROVIDER:
    case LLMOPS_E_TIMEOUT:
    case LLMOPS_E_TRANSPORT:
        return 1;
    default:
        return 0;
    }
}

/* ---- refinement --------------------------------------------------------- */

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive substring search; `pat` is lower-case ASCII. Error
 * messages are short, so a plain scan is enough. */
static int contains(const char *s, size_t len, const char *pat)
{
    size_t m = strlen(pat);
    if (!s || m > len)
        return 0;
    for (size_t i = 0; i + m <= len; i++) {
        if (lower((unsigned char)s[i]) != (unsigned char)pat[0])
            continue;
        size_t k = 1;
        while (k < m && lower((unsigned char)s[i + k]) == (unsigned char)pat[k])
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

static int equals(const char *s, size_t len, const char *pat)
{
    return s && strlen(pat) == len && contains(s, len, pat);
}

enum {
    IN_CODE = 1,    /* match against the code/type */
    IN_MSG = 2,     /* match against the message */
    EXACT = 4,      /* the whole code must equal the pattern */
    GENERIC = 8     /* a catch-all type: only refines an unspecific status */
};

typedef struct rule {
    const char *pat;
    const char *also;   /* a second substring that must be present too */
    unsigned flags;
    llmops_status to;
} rule;

/* First match wins, so specific causes come before the generic types that
 * usually accompany them: Anthropic reports "prompt is too long" with type
 * invalid_request_error, Gemini reports a bad key as INVALID_ARGUMENT with
 * "API key not valid". Message patterns are deliberately longer phrases:
 * a bare "safety" or "timeout" also appears in parameter names. */
static const rule rules[] = {
    /* context window */
    { "context_length_exceeded", NULL, IN_CODE | IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "maximum context length", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "context length", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "context window", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "exceed context limit", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "prompt is too long", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "input is too long", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "exceeds the maximum number of tokens", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "token count", "exceeds", IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    { "reduce the length of the messages", NULL, IN_MSG, LLMOPS_E_CONTEXT_LENGTH },
    /* content refused or filtered */
    { "content_filter", NULL, IN_CODE | IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    { "content_policy", NULL, IN_CODE | IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    { "safety", NULL, IN_CODE, LLMOPS_E_CONTENT_FILTERED },
    { "prohibited_content", NULL, IN_CODE, LLMOPS_E_CONTENT_FILTERED },
    { "blocklist", NULL, IN_CODE, LLMOPS_E_CONTENT_FILTERED },
    { "recitation", NULL, IN_CODE, LLMOPS_E_CONTENT_FILTERED },
    { "content filter", NULL, IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    { "content policy", NULL, IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    { "content management policy", NULL, IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    { "our safety system", NULL, IN_MSG, LLMOPS_E_CONTENT_FILTERED },
    /* credentials */
    { "invalid_api_key", NULL, IN_CODE | IN_MSG, LLMOPS_E_AUTH },
    { "api_key_invalid", NULL, IN_CODE | IN_MSG, LLMOPS_E_AUTH },
    { "authentication_error", NULL, IN_CODE, LLMOPS_E_AUTH },
    { "invalid_authentication", NULL, IN_CODE, LLMOPS_E_AUTH },
    { "unauthenticated", NULL, IN_CODE, LLMOPS_E_AUTH },
    { "incorrect api key", NULL, IN_MSG, LLMOPS_E_AUTH },
    { "invalid api key", NULL, IN_MSG, LLMOPS_E_AUTH },
    { "api key not valid", NULL, IN_MSG, LLMOPS_E_AUTH },
    { "invalid x-api-key", NULL, IN_MSG, LLMOPS_E_AUTH },
    { "api key expired", NULL, IN_MSG, LLMOPS_E_AUTH },
    /* access */
    { "permission_error", NULL, IN_CODE, LLMOPS_E_PERMISSION },
    { "permission_denied", NULL, IN_CODE, LLMOPS_E_PERMISSION },
    { "unsupported_country_region_territory", NULL, IN_CODE, LLMOPS_E_PERMISSION },
    { "permission denied", NULL, IN_MSG, LLMOPS_E_PERMISSION },
    /* unknown model */
    { "model_not_found", NULL, IN_CODE, LLMOPS_E_MODEL_NOT_FOUND },
    { "not_found_error", NULL, IN_CODE | EXACT, LLMOPS_E_MODEL_NOT_FOUND },
    { "not_found", NULL, IN_CODE | EXACT, LLMOPS_E_MODEL_NOT_FOUND },
    { "model", "not found", IN_MSG, LLMOPS_E_MODEL_NOT_FOUND },
    { "model", "does not exist", IN_MSG, LLMOPS_E_MODEL_NOT_FOUND },
    /* quota and rate limits (an exhausted quota stays "rate limited") */
    { "insufficient_quota", NULL, IN_CODE | IN_MSG, LLMOPS_E_RATE_LIMITED },
    { "resource_exhausted", NULL, IN_CODE, LLMOPS_E_RATE_LIMITED },
    { "rate_limit", NULL, IN_CODE, LLMOPS_E_RATE_LIMITED },
    { "too_many_requests", NULL, IN_CODE, LLMOPS_E_RATE_LIMITED },
    { "exceeded your current quota", NULL, IN_MSG, LLMOPS_E_RATE_LIMITED },
    { "rate limit", NULL, IN_MSG, LLMOPS_E_RATE_LIMITED },
    { "rate-limited", NULL, IN_MSG, LLMOPS_E_RATE_LIMITED },
    { "too many requests", NULL, IN_MSG, LLMOPS_E_RATE_LIMITED },
    /* capacity */
    { "overloaded", NULL, IN_CODE | IN_MSG, LLMOPS_E_OVERLOADED },
    { "unavailable", NULL, IN_CODE, LLMOPS_E_OVERLOADED },
    { "service unavailable", NULL, IN_MSG, LLMOPS_E_OVERLOADED },
    { "temporarily unavailable", NULL, IN_MSG, LLMOPS_E_OVERLOADED },
    /* deadlines */
    { "deadline_exceeded", NULL, IN_CODE, LLMOPS_E_TIMEOUT },
    { "timeout", NULL, IN_CODE, LLMOPS_E_TIMEOUT },
    { "deadline exceeded", NULL, IN_MSG, LLMOPS_E_TIMEOUT },
    { "timed out", NULL, IN_MSG, LLMOPS_E_TIMEOUT },
    /* catch-all types: they say whose fault it is, nothing more */
    { "invalid_request_error", NULL, IN_CODE | GENERIC, LLMOPS_E_BAD_REQUEST },
    { "invalid_argument", NULL, IN_CODE | GENERIC, LLMOPS_E_BAD_REQUEST },
    { "failed_precondition", NULL, IN_CODE | GENERIC, LLMOPS_E_BAD_REQUEST },
    { "out_of_range", NULL, IN_CODE | GENERIC, LLMOPS_E_BAD_REQUEST },
    { "api_error", NULL, IN_CODE | GENERIC, LLMOPS_E_PROVIDER },
    { "internal", NULL, IN_CODE | GENERIC | EXACT, LLMOPS_E_PROVIDER },
    { "server_error", NULL, IN_CODE | GENERIC, LLMOPS_E_PROVIDER },
};

/* Only failures the provider answered are refined; success, local errors
 * (memory, cancellation, transport) keep their status. */
static int refinable(llmops_status s)
{
    switch (s) {
    case LLMOPS_E_BAD_REQUEST:
    case LLMOPS_E_AUTH:
    case LLMOPS_E_PERMISSION:
    case LLMOPS_E_MODEL_NOT_FOUND:
    case LLMOPS_E_CONTEXT_LENGTH:
    case LLMOPS_E_CONTENT_FILTERED:
    case LLMOPS_E_RATE_LIMITED:
    case LLMOPS_E_OVERLOADED:
    case LLMOPS_E_PROVIDER:
    case LLMOPS_E_TIMEOUT:
        return 1;
    default:
        return 0;
    }
}

static int rule_matches(const rule *r, const char *code, size_t code_len, const char *message,
                        size_t message_len)
{
    if (r->flags & IN_CODE) {
        int hit = (r->flags & EXACT) ? equals(code, code_len, r->pat)
                                     : contains(code, code_len, r->pat);
        if (hit && (!r->also || contains(code, code_len, r->also)))
            return 1;
    }
    if (r->flags & IN_MSG) {
        if (contains(message, message_len, r->pat) &&
            (!r->also || contains(message, message_len, r->also)))
            return 1;
    }
    return 0;
}

llmops_status llmops__error_refine(llmops_status status, const char *code, size_t code_len,
                                   const char *message, size_t message_len)
{
    if (!refinable(status))
        return status;
    if (!code)
        code_len = 0;
    if (!message)
        message_len = 0;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const rule *r = &rules[i];
        /* A generic type must not undo what the HTTP status already said
         * precisely (a 404 with type invalid_request_error is still an
         * unknown model); it only names an otherwise unspecific failure,
         * such as an error event inside a 200 stream. */
        if ((r->flags & GENERIC) && status != LLMOPS_E_PROVIDER)
            continue;
        if (rule_matches(r, code, code_len, message, message_len))
            return r->to;
    }
    return status;
}

/* ---- small parsers for retry hints ---------------------------------------- */

typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
} cursor;

static int at_end(const cursor *c)
{
    return c->pos >= c->len;
}

static int peek(const cursor *c)
{
    return at_end(c) ? -1 : (unsigned char)c->s[c->pos];
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int eat(cursor *c, char ch)
{
    if (peek(c) != (unsigned char)ch)
        return 0;
    c->pos++;
    return 1;
}

/* Exactly n digits. */
static int digits_n(cursor *c, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        int ch = peek(c);
        if (!is_digit(ch))
            return 0;
        v = v * 10 + (ch - '0');
        c->pos++;
    }
    *out = v;
    return 1;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (b && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

/* A decimal number "12", "2.5", ".5" scaled by `unit` (so 2.5 with unit
 * 1e9 gives 2500000000), saturating. Fraction digits beyond what the unit
 * resolves are dropped. Returns 0 when no digit was read. */
static int decimal_scaled(cursor *c, uint64_t unit, uint64_t *out)
{
    uint64_t whole = 0;
    int any = 0;
    while (is_digit(peek(c))) {
        whole = sat_add(sat_mul(whole, 10), (uint64_t)(peek(c) - '0'));
        c->pos++;
        any = 1;
    }
    uint64_t v = sat_mul(whole, unit);
    if (eat(c, '.')) {
        uint64_t scale = unit;
        int frac = 0;
        while (is_digit(peek(c))) {
            scale /= 10;
            v = sat_add(v, sat_mul((uint64_t)(peek(c) - '0'), scale));
            c->pos++;
            frac = 1;
        }
        if (!frac)
            return 0;
        any = 1;
    }
    *out = v;
    return any;
}

static uint64_t ns_to_ms_capped(uint64_t ns)
{
    if (ns >= HINT_CAP_NS)
        return HINT_CAP_MS;
    return (ns + 999999) / 1000000;   /* never wake up before the hint */
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Go-style duration as OpenAI and Groq send it: one or more number+unit
 * pairs, units h, m, s, ms, us/µs, ns ("6m0s", "1h2m3s", "2m59.56s"), or
 * a bare "0". Result in nanoseconds, saturating. */
static int parse_go_duration(const char *s, size_t len, uint64_t *ns_out)
{
    cursor c = { s, len, 0 };
    if (len == 1 && s[0] == '0') {
        *ns_out = 0;
        return 1;
    }
    uint64_t total = 0;
    int parts = 0;
    while (!at_end(&c)) {
        /* Find the number's extent first: its scale depends on the unit
         * that follows it. */
        size_t start = c.pos;
        uint64_t ignored;
        if (!decimal_scaled(&c, 1, &ignored))
            return 0;
        cursor num = { s, c.pos, start };
        uint64_t unit;
        const char *u = s + c.pos;
        size_t rest = len - c.pos;
        if (rest >= 2 && u[0] == 'm' && u[1] == 's') {
            unit = UINT64_C(1000000);
            c.pos += 2;
        } else if (rest >= 2 && u[0] == 'u' && u[1] == 's') {
            unit = UINT64_C(1000);
            c.pos += 2;
        } else if (rest >= 3 && (unsigned char)u[0] == 0xC2 && (unsigned char)u[1] == 0xB5 &&
                   u[2] == 's') {
            unit = UINT64_C(1000);
            c.pos += 3;
        } else if (rest >= 2 && u[0] == 'n' && u[1] == 's') {
            unit = 1;
            c.pos += 2;
        } else if (rest >= 1 && u[0] == 'h') {
            unit = UINT64_C(3600000000000);
            c.pos += 1;
        } else if (rest >= 1 && u[0] == 'm') {
            unit = UINT64_C(60000000000);
            c.pos += 1;
        } else if (rest >= 1 && u[0] == 's') {
            unit = UINT64_C(1000000000);
            c.pos += 1;
        } else {
            return 0;
        }
        uint64_t part;
        decimal_scaled(&num, unit, &part);
        total = sat_add(total, part);
        parts++;
    }
    if (!parts)
        return 0;
    *ns_out = total;
    return 1;
}

uint64_t llmops__retry_hint_duration(const char *s, size_t len)
{
    if (!s)
        return 0;
    trim(&s, &len);
    uint64_t ns;
    if (!parse_go_duration(s, len, &ns))
        return 0;
    return ns_to_ms_capped(ns);
}

/* ---- dates ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no locale- or TZ-dependent libc call is involved. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

typedef struct civil {
    int year, month, day, hour, min, sec;
    uint32_t nanos;
    int offset_min;   /* east of UTC */
} civil;

static int civil_valid(const civil *t)
{
    return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= days_in_month(t->year, t->month) && t->hour <= 23 && t->min <= 59 &&
           t->sec <= 60;
}

/* Seconds since the epoch (a leap second 60 counts as the next second). */
static int64_t civil_epoch(const civil *t)
{
    return days_from_civil(t->year, t->month, t->day) * 86400 + t->hour * 3600 + t->min * 60 +
           t->sec - (int64_t)t->offset_min * 60;
}

/* Milliseconds from now until t (0 if t is not in the future), capped. */
static uint64_t until_ms(const civil *t, int64_t now_wall_ns)
{
    int64_t now_s = now_wall_ns / 1000000000;
    int64_t now_frac = now_wall_ns % 1000000000;
    if (now_frac < 0) {
        now_frac += 1000000000;
        now_s--;
    }
    int64_t ds = civil_epoch(t) - now_s;
    if (ds > (int64_t)(HINT_CAP_MS / 1000))
        return HINT_CAP_MS;
    if (ds < -1)   /* also keeps ds * 1e9 below from overflowing */
        return 0;
    int64_t dns = ds * 1000000000 + (int64_t)t->nanos - now_frac;
    if (dns <= 0)
        return 0;
    return ns_to_ms_capped((uint64_t)dns);
}

static int month_from_name(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(s, names + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

/* A weekday name, short ("Sun") or, for RFC 850, long ("Sunday"). Its value
 * is not checked against the date: the date is what counts. */
static int day_name(cursor *c, int long_form)
{
    static const char *const names[7] = { "Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday" };
    for (int i = 0; i < 7; i++) {
        size_t n = long_form ? strlen(names[i]) : 3;
        if (c->len - c->pos >= n && memcmp(c->s + c->pos, names[i], n) == 0) {
            c->pos += n;
            return 1;
        }
    }
    return 0;
}

static int month_name(cursor *c, int *m)
{
    if (c->len - c->pos < 3)
        return 0;
    *m = month_from_name(c->s + c->pos);
    c->pos += 3;
    return *m != 0;
}

static int hms(cursor *c, civil *t)
{
    return digits_n(c, 2, &t->hour) && eat(c, ':') && digits_n(c, 2, &t->min) && eat(c, ':') &&
           digits_n(c, 2, &t->sec);
}

static int64_t civil_year_of(int64_t wall_ns)
{
    /* Good enough for the RFC 850 century rule: a year of 365.2425 days. */
    return 1970 + (wall_ns / 1000000000) / 31556952;
}

/* RFC 9110 HTTP-date: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the
 * obsolete forms a recipient must still accept: RFC 850 "Sunday,
 * 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994". */
static int parse_http_date(const char *s, size_t len, int64_t now_wall_ns, civil *t)
{
    memset(t, 0, sizeof *t);
    cursor c = { s, len, 0 };
    if (day_name(&c, 0) && eat(&c, ',')) {   /* IMF-fixdate */
        if (!(eat(&c, ' ') && digits_n(&c, 2, &t->day) && eat(&c, ' ') &&
              month_name(&c, &t->month) && eat(&c, ' ') && digits_n(&c, 4, &t->year) &&
              eat(&c, ' ') && hms(&c, t) && eat(&c, ' ') && eat(&c, 'G') && eat(&c, 'M') &&
              eat(&c, 'T')))
            return 0;
        return at_end(&c) && civil_valid(t);
    }
    c.pos = 0;
    if (day_name(&c, 1) && eat(&c, ',')) {   /* RFC 850 */
        int yy;
        if (!(eat(&c, ' ') && digits_n(&c, 2, &t->day) && eat(&c, '-') &&
              month_name(&c, &t->month) && eat(&c, '-') && digits_n(&c, 2, &yy) &&
              eat(&c, ' ') && hms(&c, t) && eat(&c, ' ') && eat(&c, 'G') && eat(&c, 'M') &&
              eat(&c, 'T')))
            return 0;
        /* RFC 9110: a two-digit year more than 50 years in the future is
         * in the past century. */
        int64_t y = 2000 + yy;
        if (y > civil_year_of(now_wall_ns) + 50)
            y -= 100;
        t->year = (int)y;
        return at_end(&c) && civil_valid(t);
    }
    c.pos = 0;
    if (day_name(&c, 0) && eat(&c, ' ')) {   /* asctime */
        if (!month_name(&c, &t->month) || !eat(&c, ' '))
            return 0;
        if (eat(&c, ' ')) {
            if (!digits_n(&c, 1, &t->day))
                return 0;
        } else if (!digits_n(&c, 2, &t->day)) {
            return 0;
        }
        if (!(eat(&c, ' ') && hms(&c, t) && eat(&c, ' ') && digits_n(&c, 4, &t->year)))
            return 0;
        return at_end(&c) && civil_valid(t);
    }
    return 0;
}

/* RFC 3339 date-time: "2024-11-22T09:01:14Z", "...14.5+01:00". */
static int parse_rfc3339(const char *s, size_t len, civil *t)
{
    memset(t, 0, sizeof *t);
    cursor c = { s, len, 0 };
    if (!(digits_n(&c, 4, &t->year) && eat(&c, '-') && digits_n(&c, 2, &t->month) &&
          eat(&c, '-') && digits_n(&c, 2, &t->day)))
        return 0;
    if (!(eat(&c, 'T') || eat(&c, 't') || eat(&c, ' ')))
        return 0;
    if (!hms(&c, t))
        return 0;
    if (eat(&c, '.')) {
        uint32_t scale = 100000000;
        int any = 0;
        while (is_digit(peek(&c))) {
            t->nanos += (uint32_t)(peek(&c) - '0') * scale;
            scale /= 10;
            c.pos++;
            any = 1;
        }
        if (!any)
            return 0;
    }
    if (eat(&c, 'Z') || eat(&c, 'z')) {
        t->offset_min = 0;
    } else {
        int sign = peek(&c) == '+' ? 1 : peek(&c) == '-' ? -1 : 0;
        int oh, om;
        if (!sign)
            return 0;
        c.pos++;
        if (!(digits_n(&c, 2, &oh) && eat(&c, ':') && digits_n(&c, 2, &om)) || oh > 23 ||
            om > 59)
            return 0;
        t->offset_min = sign * (oh * 60 + om);
    }
    return at_end(&c) && civil_valid(t);
}

/* ---- headers -------------------------------------------------------------- */

static uint64_t retry_after(const char *v, size_t len, int64_t now_wall_ns)
{
    if (len && is_digit((unsigned char)v[0])) {
        /* delta-seconds = 1*DIGIT */
        uint64_t secs = 0;
        for (size_t i = 0; i < len; i++) {
            if (!is_digit((unsigned char)v[i]))
                return 0;
            secs = sat_add(sat_mul(secs, 10), (uint64_t)(v[i] - '0'));
        }
        return ns_to_ms_capped(sat_mul(secs, UINT64_C(1000000000)));
    }
    civil t;
    if (!parse_http_date(v, len, now_wall_ns, &t))
        return 0;
    return until_ms(&t, now_wall_ns);
}

/* retry-after-ms: milliseconds, possibly fractional ("150.5"). */
static uint64_t retry_after_ms(const char *v, size_t len)
{
    cursor c = { v, len, 0 };
    uint64_t us;
    if (!decimal_scaled(&c, 1000, &us) || !at_end(&c))
        return 0;
    return ns_to_ms_capped(sat_mul(us, 1000));
}

uint64_t llmops__retry_hint_header(const char *name, size_t name_len, const char *value,
                                   size_t value_len, int64_t now_wall_ns)
{
    if (!name || !value)
        return 0;
    trim(&value, &value_len);
    if (equals(name, name_len, "retry-after"))
        return retry_after(value, value_len, now_wall_ns);
    if (equals(name, name_len, "retry-after-ms"))
        return retry_after_ms(value, value_len);
    if (equals(name, name_len, "x-ratelimit-reset-requests") ||
        equals(name, name_len, "x-ratelimit-reset-tokens"))
        return llmops__retry_hint_duration(value, value_len);
    if (equals(name, name_len, "anthropic-ratelimit-requests-reset") ||
        equals(name, name_len, "anthropic-ratelimit-tokens-reset") ||
        equals(name, name_len, "anthropic-ratelimit-input-tokens-reset") ||
        equals(name, name_len, "anthropic-ratelimit-output-tokens-reset")) {
        civil t;
        if (!parse_rfc3339(value, value_len, &t))
            return 0;
        return until_ms(&t, now_wall_ns);
    }
    return 0;
}
