/* Label history: RFC 3339 times, the events of a prompt, and which version a
 * label pointed at a given moment ("which prompt was live"). */
#include "prompt/registry.h"
#include "prompt/internal.h"

#include "core/alloc.h"

#include <string.h>

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int llmops__pr_parse_time(const char *s, int64_t *ns)
{
    int y, mo, d, h, mi, sec;
    if (!s || strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &sec))
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || sec > 60)
        return -1;
    const char *q = s + 19;
    int64_t frac = 0;
    if (*q == '.') {
        int n = 0;
        for (q++; *q >= '0' && *q <= '9'; q++, n++)
            if (n < 9)
                frac = frac * 10 + (*q - '0');
        if (n == 0)
            return -1;
        for (; n < 9; n++)
            frac *= 10;
    }
    int64_t offset = 0;
    if (*q == 'Z' || *q == 'z') {
        q++;
    } else if (*q == '+' || *q == '-') {
        int oh, om;
        if (digits(q + 1, 2, &oh) || q[3] != ':' || digits(q + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (int64_t)(oh * 60 + om) * 60 * (*q == '+' ? 1 : -1);
        q += 6;
    } else {
        return -1;
    }
    if (*q)
        return -1;
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                   sec - offset;
    /* Nanoseconds in int64 reach from 1677 to 2262; outside is no time a
     * lock file can have recorded. */
    if (secs < -9223372035LL || secs > 9223372035LL)
        return -1;
    *ns = secs * 1000000000 + frac;
    return 0;
}

void llmops__prompt_history_free(llmops__prompt_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->count; i++)
        llmops__free(h->items[i].label);
    llmops__free(h->items);
    h->items = NULL;
    h->count = 0;
}

static llmops_status copy_history(const llmops__pr_entry *e, const char *label,
                                  llmops__prompt_history *out)
{
    size_t n = 0;
    for (size_t i = 0; e && i < e->history_count; i++)
        n += !label || strcmp(e->history[i].label, label) == 0;
    if (n == 0)
        return LLMOPS_OK;
    out->items = llmops__calloc(n, sizeof *out->items);
    if (!out->items)
        return LLMOPS_E_NO_MEMORY;
    for (size_t i = 0; i < e->history_count; i++) {
        const llmops__pr_event *ev = &e->history[i];
        if (label && strcmp(ev->label, label) != 0)
            continue;
        llmops__prompt_event *o = &out->items[out->count];
        o->label = llmops__strdup(ev->label);
        if (!o->label)
            return LLMOPS_E_NO_MEMORY;
        out->count++;
        memcpy(o->version, ev->version, 65);
        memcpy(o->previous, ev->previous, 65);
        memcpy(o->at, ev->at, 32);
        o->rollback = ev->action == LLMOPS__PR_ROLLBACK;
    }
    return LLMOPS_OK;
}

llmops_status llmops__registry_history(llmops__registry *reg, const char *name, const char *label,
                                       llmops__prompt_history *out, llmops__buf *err)
{
    if (!reg || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    out->items = NULL;
    out->count = 0;
    if (!name || !llmops__prompt_name_ok(name, strlen(name))) {
        llmops__pr_errf(err, "'%.140s' is not a prompt name", name ? name : "");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops__pr_lockfile lf;
    llmops_status st = llmops__pr_lock_load(&lf, llmops__registry_lock_path(reg), err);
    if (st)
        return st;
    st = copy_history(llmops__pr_lock_find(&lf, name), label, out);
    llmops__pr_lock_free(&lf);
    if (st) {
        llmops__pr_errf(err, "%s: out of memory while reading history",
                        llmops__registry_lock_path(reg));
        llmops__prompt_history_free(out);
    }
    return st;
}

llmops_status llmops__registry_live_at(llmops__registry *reg, const char *name, const char *label,
                                       const char *at, char out[65], llmops__buf *err)
{
    if (!reg || !out || !label)
        return LLMOPS_E_INVALID_ARGUMENT;
    out[0] = '\0';
    int64_t when;
    if (llmops__pr_parse_time(at, &when) != 0) {
        llmops__pr_errf(err, "'%.64s' is not an RFC 3339 time (e.g. 2026-11-23T18:00:00Z)",
                        at ? at : "");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops__prompt_history h;
    llmops_status st = llmops__registry_history(reg, name, label, &h, err);
    if (st)
        return st;
    /* History is in the order things happened; the last event at or before
     * the moment is the one in force. Times were checked when the lock file
     * was read, so every event has one. */
    const llmops__prompt_event *live = NULL;
    for (size_t i = 0; i < h.count; i++) {
        int64_t t;
        if (llmops__pr_parse_time(h.items[i].at, &t) == 0 && t <= when)
            live = &h.items[i];
    }
    if (live) {
        memcpy(out, live->version, 65);
    } else {
        llmops__pr_errf(err, "label %s@%s pointed at no version at %s (%s)", name, label, at,
                        h.count ? "its history starts later" : "it has no history");
        st = LLMOPS_E_NOT_FOUND;
    }
    llmops__prompt_history_free(&h);
    return st;
}
