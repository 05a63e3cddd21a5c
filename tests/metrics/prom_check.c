/* Strict Prometheus text format reader for the metrics tests. */
#include "prom_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static int name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

static const char *read_name(const char *p, char *out, size_t cap, int colon_ok)
{
    size_t n = 0;
    if (!name_start(*p) || (!colon_ok && *p == ':'))
        return NULL;
    while (name_char(*p) && (colon_ok || *p != ':')) {
        if (n + 1 >= cap)
            return NULL;
        out[n++] = *p++;
    }
    out[n] = '\0';
    return p;
}

static int read_value(const char *p, double *v)
{
    if (strcmp(p, "+Inf") == 0) {
        *v = INFINITY;
        return 0;
    }
    if (strcmp(p, "-Inf") == 0) {
        *v = -INFINITY;
        return 0;
    }
    if (strcmp(p, "NaN") == 0) {
        *v = NAN;
        return 0;
    }
    char *end;
    if (!*p || *p == ' ')
        return -1;
    *v = strtod(p, &end);
    return *end == '\0' ? 0 : -1;
}

int lt_prom_parse_sample(const char *line, lt_prom_sample *out, const char **why)
{
    memset(out, 0, sizeof *out);
    const char *p = read_name(line, out->name, sizeof out->name, 1);
    if (!p) {
        *why = "bad metric name";
        return -1;
    }
    if (*p == '{') {
        p++;
        for (;;) {
            if (out->nlabels == 12) {
                *why = "too many labels";
                return -1;
            }
            char *key = out->keys[out->nlabels];
            p = read_name(p, key, 64, 0);
            if (!p || (key[0] == '_' && key[1] == '_')) {
                *why = "bad label name";
                return -1;
            }
            for (size_t i = 0; i < out->nlabels; i++)
                if (strcmp(out->keys[i], key) == 0) {
                    *why = "duplicate label";
                    return -1;
                }
            if (p[0] != '=' || p[1] != '"') {
                *why = "expected =\" after a label name";
                return -1;
            }
            p += 2;
            char *val = out->values[out->nlabels];
            size_t n = 0;
            while (*p != '"') {
                char c = *p++;
                if (c == '\0' || c == '\n') {
                    *why = "unterminated label value";
                    return -1;
                }
                if (c == '\\') {
                    c = *p++;
                    if (c == 'n')
                        c = '\n';
                    else if (c != '\\' && c != '"') {
                        *why = "bad escape in a label value";
                        return -1;
                    }
                }
                if (n + 1 >= sizeof out->values[0]) {
                    *why = "label value too long";
                    return -1;
                }
                val[n++] = c;
            }
            val[n] = '\0';
            p++;
            out->nlabels++;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '}') {
                p++;
                break;
            }
            *why = "expected , or } after a label";
            return -1;
        }
    }
    if (*p != ' ') {
        *why = "expected one space before the value";
        return -1;
    }
    if (read_value(p + 1, &out->value) != 0) {
        *why = "bad value";
        return -1;
    }
    return 0;
}

/* The label set of a sample without le, as text, to group histogram lines. */
static void series_key(const lt_prom_sample *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->nlabels; i++) {
        if (strcmp(s->keys[i], "le") == 0)
            continue;
        int k = snprintf(out + n, cap - n, "%s=%s\x1f", s->keys[i], s->values[i]);
        if (k < 0 || (size_t)k >= cap - n)
            return;
        n += (size_t)k;
    }
}

static const char *label(const lt_prom_sample *s, const char *key)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->keys[i], key) == 0)
            return s->values[i];
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int lt_prom_check(const char *text, char *err, size_t errlen, size_t *nsamples)
{
    char family[128] = "", type[32] = "", help_for[128] = "";
    char cur_series[8192] = "";
    double last_le = -INFINITY, last_count = 0;
    int in_buckets = 0, saw_inf = 0;
    double inf_count = -1;
    size_t lineno = 0, samples = 0;
    char seen[256][128];
    size_t nseen = 0;
    const char *p = text;
    char **ids = NULL;
    size_t nids = 0, idcap = 0;
#define FAIL(...) do { snprintf(err, errlen, "line %zu: ", lineno); \
        snprintf(err + strlen(err), errlen - strlen(err), __VA_ARGS__); \
        free_ids(ids, nids); return -1; } while (0)
    while (*p) {
        const char *nl = strchr(p, '\n');
        lineno++;
        if (!nl)
            FAIL("no newline at the end");
        char line[16384];
        size_t len = (size_t)(nl - p);
        if (len >= sizeof line)
            FAIL("line too long");
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl + 1;
        if (strncmp(line, "# HELP ", 7) == 0) {
            char name[128];
            const char *q = read_name(line + 7, name, sizeof name, 1);
            if (!q || *q != ' ')
                FAIL("bad HELP line");
            for (const char *h = q + 1; *h; h++)
                if (*h == '\\' && h[1] != '\\' && h[1] != 'n')
                    FAIL("bad escape in HELP");
                else if (*h == '\\')
                    h++;
            for (size_t i = 0; i < nseen; i++)
                if (strcmp(seen[i], name) == 0)
                    FAIL("family %s appears twice", name);
            if (nseen < 256)
                strcpy(seen[nseen++], name);
            strcpy(help_for, name);
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128];
            const char *q = read_name(line + 7, name, sizeof name, 1);
            if (!q || *q != ' ')
                FAIL("bad TYPE line");
            if (strcmp(name, help_for) != 0)
                FAIL("TYPE %s without its HELP line just before", name);
            if (strcmp(q + 1, "counter") && strcmp(q + 1, "histogram") &&
                strcmp(q + 1, "gauge") && strcmp(q + 1, "summary") && strcmp(q + 1, "untyped"))
                FAIL("unknown type %s", q + 1);
            if (in_buckets)
                FAIL("histogram series ended without _sum/_count");
            strcpy(family, name);
            strcpy(type, q + 1);
            help_for[0] = '\0';
            continue;
        }
        if (line[0] == '#')
            FAIL("unexpected comment");
        lt_prom_sample s;
        const char *why;
        if (lt_prom_parse_sample(line, &s, &why) != 0)
            FAIL("%s: %s", why, line);
        samples++;
        /* the series' identity is the line up to the value */
        if (nids == idcap) {
            idcap = idcap ? idcap * 2 : 256;
            ids = realloc(ids, idcap * sizeof *ids);
        }
        ids[nids++] = strndup(line, (size_t)(strrchr(line, ' ') - line));
        if (!family[0])
            FAIL("sample before any TYPE line");
        size_t fl = strlen(family);
        const char *sfx = strncmp(s.name, family, fl) == 0 ? s.name + fl : NULL;
        char key[8192];
        series_key(&s, key, sizeof key);
        if (strcmp(type, "counter") == 0) {
            if (!sfx || *sfx)
                FAIL("sample %s outside its family %s", s.name, family);
            if (!(s.value >= 0))
                FAIL("negative or NaN counter");
            continue;
        }
        if (!sfx)
            FAIL("sample %s outside its family %s", s.name, family);
        if (strcmp(sfx, "_bucket") == 0) {
            const char *le = label(&s, "le");
            double lv;
            if (!le || read_value(le, &lv) != 0)
                FAIL("bucket without a numeric le");
            if (!in_buckets) {
                in_buckets = 1;
                saw_inf = 0;
                last_le = -INFINITY;
                last_count = 0;
                strcpy(cur_series, key);
            } else if (strcmp(cur_series, key) != 0) {
                FAIL("buckets of two series interleaved");
            }
            if (saw_inf)
                FAIL("bucket after +Inf");
            if (!(lv > last_le))
                FAIL("le %s not ascending", le);
            if (s.value < last_count)
                FAIL("bucket counts not cumulative");
            last_le = lv;
            last_count = s.value;
            if (isinf(lv) && lv > 0) {
                saw_inf = 1;
                inf_count = s.value;
            }
        } else if (strcmp(sfx, "_sum") == 0) {
            if (!in_buckets || !saw_inf || strcmp(cur_series, key) != 0)
                FAIL("_sum without its buckets ending in +Inf");
        } else if (strcmp(sfx, "_count") == 0) {
            if (!in_buckets || !saw_inf || strcmp(cur_series, key) != 0)
                FAIL("_count without its buckets");
            if (s.value != inf_count)
                FAIL("_count %g differs from the +Inf bucket %g", s.value, inf_count);
            in_buckets = 0;
        } else {
            FAIL("sample %s outside its family %s", s.name, family);
        }
    }
    if (in_buckets)
        FAIL("histogram series ended without _count");
    if (nids)
        qsort(ids, nids, sizeof *ids, cmp_str);
    for (size_t i = 1; i < nids; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            FAIL("series %s appears twice", ids[i]);
#undef FAIL
    free_ids(ids, nids);
    if (nsamples)
        *nsamples = samples;
    return 0;
}
