/* "format" checks for when a schema asks formats to be asserted: RFC 3339
 * dates and times, ISO 8601 durations, RFC 5321 e-mail addresses, RFC 1123
 * host names, IP addresses, RFC 3986 URIs, UUIDs, JSON Pointers and regular
 * expressions. Unknown formats are annotations only. */
#include <arpa/inet.h>
#include <string.h>

#include "llmops_config.h"
#include "schema/internal.h"


enum {
    F_DATE_TIME = 1, F_DATE, F_TIME, F_DURATION, F_EMAIL, F_HOSTNAME, F_IPV4, F_IPV6, F_URI,
    F_URI_REF, F_UUID, F_REGEX, F_JSON_POINTER, F_REL_JSON_POINTER, F_IRI, F_IRI_REF,
    F_IDN_EMAIL, F_URI_TEMPLATE, F_IDN_HOSTNAME
};

static const struct {
    const char *name;
    int id;
} formats[] = {
    { "date-time", F_DATE_TIME }, { "date", F_DATE },
    { "time", F_TIME },           { "duration", F_DURATION },
    { "email", F_EMAIL },         { "hostname", F_HOSTNAME },
    { "ipv4", F_IPV4 },           { "ipv6", F_IPV6 },
    { "uri", F_URI },             { "uri-reference", F_URI_REF },
    { "uuid", F_UUID },           { "regex", F_REGEX },
    { "json-pointer", F_JSON_POINTER }, { "relative-json-pointer", F_REL_JSON_POINTER },
    { "iri", F_IRI },             { "iri-reference", F_IRI_REF },
    { "idn-email", F_IDN_EMAIL }, { "uri-template", F_URI_TEMPLATE },
    { "idn-hostname", F_IDN_HOSTNAME },
};

int llmops__sch_format_id(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(formats[i].name, name))
            return formats[i].id;
    return 0;
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex(char c)
{
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* `n` digits at s as a number, or -1. */
static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int check_date(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1)
        return 0;
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static int check_time(const char *s, size_t len)
{
    if (len < 9 || s[2] != ':' || s[5] != ':')
        return 0;
    int h = num(s, 2), mi = num(s + 3, 2), se = num(s + 6, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return 0;
    size_t i = 8;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && digit(s[i]))
            i++;
        if (i == start)
            return 0;
    }
    if (i >= len)
        return 0;
    int off = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        if (i + 1 != len)
            return 0;
    } else if (s[i] == '+' || s[i] == '-') {
        if (len - i != 6 || s[i + 3] != ':')
            return 0;
        int oh = num(s + i + 1, 2), om = num(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return 0;
        off = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
    } else {
        return 0;
    }
    if (se == 60) {
        /* a leap second is 23:59:60 in UTC */
        int utc = ((h * 60 + mi - off) % 1440 + 1440) % 1440;
        return utc == 23 * 60 + 59;
    }
    return 1;
}

static int check_date_time(const char *s, size_t len)
{
    if (len < 20 || (s[10] != 'T' && s[10] != 't'))
        return 0;
    return check_date(s, 10) && check_time(s + 11, len - 11);
}

/* ISO 8601 duration as RFC 3339 appendix A spells it. */
static int check_duration(const char *s, size_t len)
{
    if (len < 3 || s[0] != 'P')
        return 0;
    size_t i = 1;
    static const char date_units[] = "YMD", time_units[] = "HMS";
    int in_time = 0, any = 0, weeks = 0;
    size_t next = 0;
    while (i < len) {
        if (s[i] == 'T') {
            if (in_time || weeks)
                return 0;
            in_time = 1;
            next = 0;
            i++;
            if (i == len)
                return 0;
            continue;
        }
        size_t start = i;
        while (i < len && digit(s[i]))
            i++;
        if (i == start || i == len)
            return 0;
        char u = s[i++];
        if (u == 'W') {
            if (any || in_time || i != len)
                return 0;
            weeks = 1;
        } else {
            const char *units = in_time ? time_units : date_units;
            const char *p = strchr(units + next, u);
            /* after the first element units run on without gaps: Y M D, H M S */
            if (!p || !u || (next && (size_t)(p - units) != next))
                return 0;
            next = (size_t)(p - units) + 1;
        }
        any = 1;
    }
    return any && s[len - 1] != 'T';
}

/* `idn`: labels may hold non-ASCII characters (U-labels); their IDNA rules
 * are not checked. */
static int check_hostname(const char *s, size_t len, int idn)
{
    if (len == 0 || len > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!(digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
              (idn && (unsigned char)c >= 0x80)))
            return 0;
        if (c == '-' && label == 0)
            return 0;
        if (++label > 63)
            return 0;
    }
    return label > 0 && s[len - 1] != '-';
}

/* Internationalised host names, structurally: labels split at '.' and the
 * ideographic full stops, 1-63 characters, no hyphen at either end or in
 * positions 3-4 of a U-label, at most 253 characters. The IDNA2008 code point
 * and context rules (which need Unicode tables) are not checked. */
static int check_idn_hostname(const char *s, size_t len)
{
    size_t label = 0, total = 0, i = 0;
    const char *start = s;
    int ascii_label = 1;
    while (i <= len) {
        size_t sep = 0;
        if (i == len)
            sep = 1;
        else if (s[i] == '.')
            sep = 1;
        else if (len - i >= 3 && ((!memcmp(s + i, "\xe3\x80\x82", 3)) ||
                                  (!memcmp(s + i, "\xef\xbc\x8e", 3)) ||
                                  (!memcmp(s + i, "\xef\xbd\xa1", 3))))
            sep = 3;
        if (sep) {
            const char *end = s + i;
            if (label == 0 || label > 63 || start[0] == '-' || end[-1] == '-')
                return 0;
            if (!ascii_label && end - start >= 4 && start[2] == '-' && start[3] == '-')
                return 0;
            if (i == len)
                break;
            total++;
            i += sep;
            start = s + i;
            label = 0;
            ascii_label = 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (!(digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
                return 0;
            i++;
        } else {
            ascii_label = 0;
            i++;
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        }
        label++;
        total++;
    }
    return total <= 253;
}

static int check_ipv4(const char *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        int v = 0;
        while (i < len && digit(s[i]) && i - start < 3)
            v = v * 10 + (s[i++] - '0');
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
    }
    return i == len;
}

static int check_ipv6(const char *s, size_t len)
{
    char buf[64];
    unsigned char out[16];
    if (len == 0 || len >= sizeof buf || memchr(s, '%', len))
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (strlen(buf) != len)
        return 0;
    /* an embedded IPv4 part follows the ipv4 rules (no leading zeros) */
    const char *colon = strrchr(buf, ':');
    if (colon && strchr(colon, '.') && !check_ipv4(colon + 1, strlen(colon + 1)))
        return 0;
    return inet_pton(AF_INET6, buf, out) == 1;
}

/* `iri`: characters beyond ASCII are allowed as themselves (RFC 3987). */
static int uri_char(unsigned char c, int iri)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit((char)c) ||
           (c && strchr("-._~:/?#[]@!$&'()*+,;=", c)) || (iri && c >= 0x80);
}

static int uri_chars(const char *s, size_t len, int iri)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len || !hex(s[i + 1]) || !hex(s[i + 2]))
                return 0;
            i += 2;
        } else if (!uri_char((unsigned char)s[i], iri)) {
            return 0;
        }
    }
    return 1;
}

static int check_authority(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (at) {
        /* userinfo: unreserved, escapes, sub-delims and ':' only */
        for (const char *p = s; p < at; p++)
            if (*p == '[' || *p == ']' || *p == '@')
                return 0;
        len -= (size_t)(at + 1 - s);
        s = at + 1;
        if (memchr(s, '@', len))
            return 0;
    }
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close)
            return 0;
        if (close - s > 1 && s[1] != 'v' && s[1] != 'V' &&
            !check_ipv6(s + 1, (size_t)(close - s - 1)))
            return 0;
        size_t rest = len - (size_t)(close + 1 - s);
        if (rest && close[1] != ':')
            return 0;
        for (size_t i = 1; i < rest; i++)
            if (!digit(close[1 + i]))
                return 0;
        return 1;
    }
    const char *colon = memchr(s, ':', len);
    if (colon) {
        for (const char *p = colon + 1; p < s + len; p++)
            if (!digit(*p))
                return 0;
        len = (size_t)(colon - s);
    }
    for (size_t i = 0; i < len; i++)
        if (s[i] == '[' || s[i] == ']')
            return 0;
    return 1;
}

static int check_uri_ref(const char *s, size_t len, int need_scheme, int iri)
{
    if (!uri_chars(s, len, iri))
        return 0;
    size_t i = 0;
    int scheme = 0;
    if (len && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
        while (i < len && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        if (i < len && s[i] == ':') {
            for (size_t k = 1; k < i; k++) {
                char c = s[k];
                if (!(digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
                      c == '-' || c == '.'))
                    return 0;
            }
            scheme = 1;
            i++;
        } else {
            i = 0;
        }
    }
    if (need_scheme && !scheme)
        return 0;
    if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2, e = a;
        while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
            e++;
        if (!check_authority(s + a, e - a))
            return 0;
        i = e;
    } else if (!scheme) {
        /* a relative path's first segment cannot hold a colon */
        size_t e = i;
        while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
            if (s[e++] == ':')
                return 0;
    }
    const char *hash = memchr(s + i, '#', len - i);
    if (hash && memchr(hash + 1, '#', len - (size_t)(hash + 1 - s)))
        return 0;
    for (size_t k = i; k < (hash ? (size_t)(hash - s) : len); k++)
        if (s[k] == '[' || s[k] == ']')
            return 0;
    return 1;
}

static int check_uuid(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!hex(s[i])) {
            return 0;
        }
    }
    return 1;
}

static int check_json_pointer(const char *s, size_t len)
{
    if (len && s[0] != '/')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '~' && (i + 1 >= len || (s[i + 1] != '0' && s[i + 1] != '1')))
            return 0;
    return 1;
}

static int check_rel_json_pointer(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && digit(s[i]))
        i++;
    if (i == 0 || (s[0] == '0' && i > 1))
        return 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        size_t st = ++i;
        while (i < len && digit(s[i]))
            i++;
        if (i == st || (s[st] == '0' && i - st > 1) || (s[st] == '0' && s[st - 1] == '-'))
            return 0;
    }
    if (i == len)
        return 1;
    if (s[i] == '#')
        return i + 1 == len;
    return check_json_pointer(s + i, len - i);
}

static int check_email(const char *s, size_t len, int idn)
{
    const char *at = NULL;
    if (len && s[0] == '"') {
        /* quoted local part */
        size_t i = 1;
        while (i < len && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        if (i >= len || i + 1 >= len || s[i + 1] != '@')
            return 0;
        at = s + i + 1;
    } else {
        at = memrchr(s, '@', len);
        if (!at || at == s)
            return 0;
        size_t ll = (size_t)(at - s);
        if (s[0] == '.' || s[ll - 1] == '.')
            return 0;
        for (size_t i = 0; i < ll; i++) {
            char c = s[i];
            if (c == '.' && s[i + 1] == '.')
                return 0;
            if (!(digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (idn && (unsigned char)c >= 0x80) || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c))))
                return 0;
        }
    }
    const char *dom = at + 1;
    size_t dl = len - (size_t)(dom - s);
    if (dl >= 2 && dom[0] == '[' && dom[dl - 1] == ']') {
        if (dl > 7 && !memcmp(dom + 1, "IPv6:", 5))
            return check_ipv6(dom + 6, dl - 7);
        return check_ipv4(dom + 1, dl - 2);
    }
    return check_hostname(dom, dl, idn);
}

/* RFC 6570 level 4 templates. */
static int check_uri_template(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= len || !hex(s[i + 1]) || !hex(s[i + 2]))
                return 0;
            i += 2;
            continue;
        }
        if (c == '{') {
            size_t k = i + 1;
            if (k < len && strchr("+#./;?&", s[k]) && s[k])
                k++;
            for (;;) {
                /* varname: varchars with single dots between them */
                size_t start = k;
                while (k < len) {
                    if (s[k] == '%' && k + 2 < len && hex(s[k + 1]) && hex(s[k + 2]))
                        k += 3;
                    else if (digit(s[k]) || (s[k] >= 'a' && s[k] <= 'z') ||
                             (s[k] >= 'A' && s[k] <= 'Z') || s[k] == '_')
                        k++;
                    else if (s[k] == '.' && k > start && k + 1 < len && s[k + 1] != '.' &&
                             s[k + 1] != '}' && s[k + 1] != ',' && s[k + 1] != ':' &&
                             s[k + 1] != '*')
                        k++;
                    else
                        break;
                }
                if (k == start || k >= len)
                    return 0;
                if (s[k] == ':') {
                    size_t d = ++k;
                    while (k < len && digit(s[k]))
                        k++;
                    if (k == d || k - d > 4 || s[d] == '0')
                        return 0;
                } else if (s[k] == '*') {
                    k++;
                }
                if (k >= len)
                    return 0;
                if (s[k] == ',') {
                    k++;
                    continue;
                }
                if (s[k] != '}')
                    return 0;
                break;
            }
            i = k;
            continue;
        }
        if (c < 0x21 || c == 0x7f || strchr("\"<>\\^`{|}", c))
            return 0;
    }
    return 1;
}

static int check_regex(const char *s, size_t len)
{
    if (!LLMOPS_HAVE_PCRE2)
        return 1; /* cannot tell without a regex engine: an annotation only */
    llmops__buf why = LLMOPS__BUF_INIT;
    void *re = llmops__sch_regex_compile(s, len, &why);
    llmops__buf_free(&why);
    llmops__sch_regex_free(re);
    return re != NULL;
}

int llmops__sch_format_check(int id, const char *s, size_t len)
{
    switch (id) {
    case F_DATE_TIME: return check_date_time(s, len);
    case F_DATE: return check_date(s, len);
    case F_TIME: return check_time(s, len);
    case F_DURATION: return check_duration(s, len);
    case F_EMAIL: return check_email(s, len, 0);
    case F_IDN_EMAIL: return check_email(s, len, 1);
    case F_HOSTNAME: return check_hostname(s, len, 0);
    case F_IDN_HOSTNAME: return check_idn_hostname(s, len);
    case F_IPV4: return check_ipv4(s, len);
    case F_IPV6: return check_ipv6(s, len);
    case F_URI: return check_uri_ref(s, len, 1, 0);
    case F_URI_REF: return check_uri_ref(s, len, 0, 0);
    case F_IRI: return check_uri_ref(s, len, 1, 1);
    case F_IRI_REF: return check_uri_ref(s, len, 0, 1);
    case F_URI_TEMPLATE: return check_uri_template(s, len);
    case F_UUID: return check_uuid(s, len);
    case F_REGEX: return check_regex(s, len);
    case F_JSON_POINTER: return check_json_pointer(s, len);
    case F_REL_JSON_POINTER: return check_rel_json_pointer(s, len);
    }
    return 1;
}
