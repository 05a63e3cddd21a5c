/* The registry on disk: refs, promote, rollback, history, the store, list,
 * and every way a lock file can be wrong. */
#include <criterion/criterion.h>

#include <stdio.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "prompt/internal.h"

#define V1 "[system]\nYou help with {{product}}.\n[user]\n{{question}}\n"
#define V2 "[system]\nYou help with {{product}}. Be brief.\n[user]\n{{question}}\n"
#define V3 "[system]\nYou help with {{product}}. Be very brief.\n[user]\n{{question}}\n"

static llmops__registry *reg;
static llmops__buf err = LLMOPS__BUF_INIT;

static void setup(void)
{
    pf_mkdir();
}

static void teardown(void)
{
    llmops__registry_free(reg);
    reg = NULL;
    llmops__buf_free(&err);
    pf_cleanup();
}

static const char *msg(void)
{
    return err.data ? err.data : "(no message)";
}

static void open_reg(void)
{
    llmops__registry_free(reg);
    reg = NULL;
    llmops__buf_clear(&err);
    cr_assert_eq(llmops__registry_open(pf_path(""), NULL, &reg, &err), LLMOPS_OK, "%s", msg());
}

static void hash_of(const char *ref, char out[65])
{
    llmops__buf_clear(&err);
    llmops_status st = llmops__registry_hash(reg, ref, out, &err);
    cr_assert_eq(st, LLMOPS_OK, "hash %s: %s: %s", ref, llmops_status_str(st), msg());
    cr_assert_eq(strlen(out), 64);
}

static void promote(const char *name, const char *ref, const char *label)
{
    llmops__buf_clear(&err);
    llmops_status st = llmops__registry_promote(reg, name, ref, label, &err);
    cr_assert_eq(st, LLMOPS_OK, "promote %s %s %s: %s: %s", name, ref ? ref : "(working)", label,
                 llmops_status_str(st), msg());
}

/* `st` must be `want` and the message must contain `needle`. */
static void expect(llmops_status st, llmops_status want, const char *needle)
{
    cr_assert_eq(st, want, "want %s, got %s: %s", llmops_status_str(want),
                 llmops_status_str(st), msg());
    cr_assert_not_null(strstr(msg(), needle), "message '%s' lacks '%s'", msg(), needle);
    llmops__buf_clear(&err);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

TestSuite(registry, .init = setup, .fini = teardown);

Test(registry, open_errors)
{
    llmops__registry *r = NULL;
    llmops__buf e = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__registry_open(pf_path("nope"), NULL, &r, &e), LLMOPS_E_NOT_FOUND);
    cr_assert_not_null(strstr(e.data, "nope"), "%s", e.data);
    cr_assert_null(r);
    llmops__buf_free(&e);
    open_reg();
    cr_assert_str_eq(llmops__registry_lock_path(reg), pf_path("prompts.lock"));
}

Test(registry, load_working_file)
{
    pf_write("support.prompt", V1);
    open_reg();
    llmops__prompt *p = NULL;
    cr_assert_eq(llmops__registry_load(reg, "support", &p, &err), LLMOPS_OK, "%s", msg());
    cr_assert_str_eq(llmops__prompt_name(p), "support");
    cr_assert_str_eq(llmops__prompt_source(p, NULL), V1);
    /* Same bytes: the cached prompt itself. */
    llmops__prompt *q = NULL;
    cr_assert_eq(llmops__registry_load(reg, "support", &q, &err), LLMOPS_OK);
    cr_assert_eq(p, q);
    llmops__prompt_release(q);
    /* The working file as it is now. */
    pf_write("support.prompt", V2);
    cr_assert_eq(llmops__registry_load(reg, "support", &q, &err), LLMOPS_OK);
    cr_assert_str_eq(llmops__prompt_source(q, NULL), V2);
    cr_assert_str_neq(llmops__prompt_version(p), llmops__prompt_version(q));
    llmops__prompt_release(q);
    /* A prompt outlives its registry. */
    llmops__registry_free(reg);
    reg = NULL;
    cr_assert_str_eq(llmops__prompt_source(p, NULL), V1);
    llmops__prompt_release(p);
}

Test(registry, not_found_and_bad_refs)
{
    pf_need_yaml();
    pf_write("support.prompt", V1);
    pf_write("broken.prompt", "---\nmodle: x\n---\n[user]\nx\n");
    open_reg();
    llmops__prompt *p = NULL;
    expect(llmops__registry_load(reg, "nope", &p, &err), LLMOPS_E_NOT_FOUND, "nope.prompt");
    expect(llmops__registry_load(reg, "support@production", &p, &err), LLMOPS_E_NOT_FOUND,
           "no label 'production'");
    expect(llmops__registry_load(reg, "broken", &p, &err), LLMOPS_E_PARSE,
           "broken.prompt:2:1: unknown front-matter key 'modle'");
    expect(llmops__registry_load(reg, "Support", &p, &err), LLMOPS_E_INVALID_ARGUMENT,
           "not a prompt name");
    expect(llmops__registry_load(reg, "support@", &p, &err), LLMOPS_E_INVALID_ARGUMENT, "label");
    expect(llmops__registry_load(reg, "support@Prod", &p, &err), LLMOPS_E_INVALID_ARGUMENT,
           "label");
    expect(llmops__registry_load(reg, "../x", &p, &err), LLMOPS_E_INVALID_ARGUMENT,
           "not a prompt name");
    expect(llmops__registry_load(reg, NULL, &p, &err), LLMOPS_E_INVALID_ARGUMENT, "ref");
    char hex65[80];
    memset(hex65, 'a', 65);
    hex65[65] = '\0';
    char ref[100];
    snprintf(ref, sizeof ref, "support@%s", hex65);
    expect(llmops__registry_load(reg, ref, &p, &err), LLMOPS_E_INVALID_ARGUMENT, "64 hex");
    cr_assert_null(p);
}

Test(registry, refs_by_hash_and_prefix)
{
    pf_write("support.prompt", V1);
    open_reg();
    char v1[65], got[65];
    hash_of("support", v1);
    char ref[100];
    snprintf(ref, sizeof ref, "support@%s", v1);
    hash_of(ref, got);
    cr_assert_str_eq(got, v1);
    snprintf(ref, sizeof ref, "support@%.8s", v1);
    hash_of(ref, got);
    cr_assert_str_eq(got, v1);
    /* Seven digits read as a label; none exists, and the message says why. */
    snprintf(ref, sizeof ref, "support@%.7s", v1);
    expect(llmops__registry_hash(reg, ref, got, &err), LLMOPS_E_INVALID_ARGUMENT,
           "at least 8 hex digits");
    expect(llmops__registry_hash(reg, "support@00000000", got, &err), LLMOPS_E_NOT_FOUND,
           "has no version 00000000");
}

Test(registry, promote_moves_label_and_keeps_old_version)
{
    pf_write("support.prompt", V1);
    open_reg();
    char v1[65], v2[65], got[65];
    hash_of("support", v1);
    promote("support", NULL, "production");

    /* The store holds the exact bytes; the lock file names the version. */
    char store[100];
    snprintf(store, sizeof store, ".versions/%s.prompt", v1);
    char *stored = pf_read(store);
    cr_assert_not_null(stored, "%s missing", store);
    cr_assert_str_eq(stored, V1);
    free(stored);
    hash_of("support@production", got);
    cr_assert_str_eq(got, v1);

    /* The working file changes; the label still loads the old version. */
    pf_write("support.prompt", V2);
    hash_of("support", v2);
    cr_assert_str_neq(v1, v2);
    llmops__prompt *p = NULL;
    cr_assert_eq(llmops__registry_load(reg, "support@production", &p, &err), LLMOPS_OK, "%s",
                 msg());
    cr_assert_str_eq(llmops__prompt_version(p), v1);
    cr_assert_str_eq(llmops__prompt_source(p, NULL), V1);
    llmops__prompt_release(p);

    /* Promote the new working file to canary, then canary to production. */
    promote("support", "support", "canary");
    promote("support", "support@canary", "production");
    hash_of("support@production", got);
    cr_assert_str_eq(got, v2);
    /* Both versions stay loadable by hash, even with the working file gone. */
    remove(pf_path("support.prompt"));
    char ref[100];
    snprintf(ref, sizeof ref, "support@%.10s", v1);
    hash_of(ref, got);
    cr_assert_str_eq(got, v1);
    snprintf(ref, sizeof ref, "support@%s", v2);
    hash_of(ref, got);
    cr_assert_str_eq(got, v2);
    /* Promote by a bare hash prefix. */
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%.12s", v1);
    promote("support", prefix, "production");
    hash_of("support@production", got);
    cr_assert_str_eq(got, v1);

    char *lock = pf_read("prompts.lock");
    cr_assert_eq(count(lock, "\"action\": \"promote\""), 4, "%s", lock);
    llmops__pr_lockfile lf;
    cr_assert_eq(llmops__pr_lock_parse(&lf, lock, strlen(lock), "prompts.lock", &err), LLMOPS_OK);
    const llmops__pr_entry *e = llmops__pr_lock_find(&lf, "support");
    cr_assert_not_null(e);
    cr_assert_eq(e->history_count, 4);
    cr_assert_str_eq(e->history[0].label, "production");
    cr_assert_str_eq(e->history[0].version, v1);
    cr_assert_str_eq(e->history[0].previous, "");
    cr_assert_str_eq(e->history[1].label, "canary");
    cr_assert_str_eq(e->history[2].version, v2);
    cr_assert_str_eq(e->history[2].previous, v1);
    cr_assert_str_eq(e->history[3].previous, v2);
    regex_t rx;
    const char *rfc3339 = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$";
    cr_assert_eq(regcomp(&rx, rfc3339, REG_EXTENDED | REG_NOSUB), 0);
    for (size_t i = 0; i < e->history_count; i++)
        cr_assert_eq(regexec(&rx, e->history[i].at, 0, NULL, 0), 0, "at '%s'", e->history[i].at);
    regfree(&rx);
    llmops__pr_lock_free(&lf);
    free(lock);
}

Test(registry, lock_file_is_pretty_sorted_and_reviewable)
{
    pf_write("b.prompt", V1);
    pf_write("a.prompt", V2);
    open_reg();
    promote("b", NULL, "production");
    promote("a", NULL, "production");
    promote("a", NULL, "canary");
    char *lock = pf_read("prompts.lock");
    cr_assert_not_null(lock);
    size_t n = strlen(lock);
    cr_assert(n > 2 && lock[n - 1] == '\n' && lock[n - 2] == '}', "%s", lock);
    const char *head = "{\n  \"prompts\": {\n    \"a\": {\n      \"history\": [\n";
    cr_assert_eq(strncmp(lock, head, strlen(head)), 0, "%s", lock);
    /* Sorted keys at every level: a before b, canary before production,
     * prompts before version, history before labels. */
    cr_assert_lt(strstr(lock, "\"a\": {"), strstr(lock, "\"b\": {"));
    cr_assert_lt(strstr(lock, "\"canary\": \""), strstr(lock, "\"production\": \""));
    cr_assert_lt(strstr(lock, "\"prompts\""), strstr(lock, "\"version\": 1"));
    cr_assert_lt(strstr(lock, "\"history\""), strstr(lock, "\"labels\""));
    cr_assert_not_null(strstr(lock, "\"previous\": null"));
    /* Promoting the version a label already has changes nothing. */
    promote("a", NULL, "canary");
    char *again = pf_read("prompts.lock");
    cr_assert_str_eq(again, lock);
    free(again);
    free(lock);
}

Test(registry, rollback_walks_back_through_promotions)
{
    open_reg();
    char v[3][65], got[65];
    const char *texts[3] = { V1, V2, V3 };
    for (int i = 0; i < 3; i++) {
        pf_write("support.prompt", texts[i]);
        hash_of("support", v[i]);
        promote("support", NULL, "production");
    }
    pf_write("support.prompt", V1);
    promote("support", NULL, "canary");

    cr_assert_eq(llmops__registry_rollback(reg, "support", "production", &err), LLMOPS_OK, "%s",
                 msg());
    hash_of("support@production", got);
    cr_assert_str_eq(got, v[1]);
    cr_assert_eq(llmops__registry_rollback(reg, "support", "production", &err), LLMOPS_OK, "%s",
                 msg());
    hash_of("support@production", got);
    cr_assert_str_eq(got, v[0]);
    expect(llmops__registry_rollback(reg, "support", "production", &err), LLMOPS_E_NOT_FOUND,
           "no earlier version");
    /* canary has a single promotion: nothing to go back to. */
    expect(llmops__registry_rollback(reg, "support", "canary", &err), LLMOPS_E_NOT_FOUND,
           "support@canary has no earlier version");
    expect(llmops__registry_rollback(reg, "support", "staging", &err), LLMOPS_E_NOT_FOUND,
           "no label 'staging'");
    expect(llmops__registry_rollback(reg, "other", "production", &err), LLMOPS_E_NOT_FOUND,
           "no label 'production'");

    /* A promotion after rollbacks pushes again; a rollback returns to v1. */
    pf_write("support.prompt", V3);
    promote("support", NULL, "production");
    cr_assert_eq(llmops__registry_rollback(reg, "support", "production", &err), LLMOPS_OK);
    hash_of("support@production", got);
    cr_assert_str_eq(got, v[0]);

    char *lock = pf_read("prompts.lock");
    cr_assert_eq(count(lock, "\"action\": \"rollback\""), 3, "%s", lock);
    cr_assert_eq(count(lock, "\"action\": \"promote\""), 5, "%s", lock);
    free(lock);
}

Test(registry, rollback_after_hand_edit_returns_to_recorded_version)
{
    pf_write("x.prompt", V1);
    open_reg();
    char v1[65];
    hash_of("x", v1);
    promote("x", NULL, "production");
    pf_write("x.prompt", V2);
    char v2[65];
    hash_of("x", v2);
    promote("x", NULL, "staging");
    /* Someone points production at v2 by editing the file. */
    char *lock = pf_read("prompts.lock");
    char *at = strstr(lock, "\"production\": \"");
    cr_assert_not_null(at);
    memcpy(at + 15, v2, 64);
    pf_write("prompts.lock", lock);
    free(lock);
    char got[65];
    hash_of("x@production", got);
    cr_assert_str_eq(got, v2);
    cr_assert_eq(llmops__registry_rollback(reg, "x", "production", &err), LLMOPS_OK, "%s", msg());
    hash_of("x@production", got);
    cr_assert_str_eq(got, v1);
}

Test(registry, labels_checked)
{
    pf_write("x.prompt", V1);
    open_reg();
    expect(llmops__registry_promote(reg, "x", NULL, "Prod", &err), LLMOPS_E_INVALID_ARGUMENT,
           "not a label name");
    expect(llmops__registry_promote(reg, "x", NULL, "deadbeef00", &err),
           LLMOPS_E_INVALID_ARGUMENT, "would read as a version hash");
    expect(llmops__registry_promote(reg, "x", NULL, NULL, &err), LLMOPS_E_INVALID_ARGUMENT,
           "not a label name");
    expect(llmops__registry_promote(reg, "x", "y@production", "prod", &err),
           LLMOPS_E_INVALID_ARGUMENT, "cannot promote 'y@production'");
    expect(llmops__registry_promote(reg, "x", "zz", "prod", &err), LLMOPS_E_INVALID_ARGUMENT,
           "neither prompt 'x'");
    expect(llmops__registry_promote(reg, "nope", NULL, "prod", &err), LLMOPS_E_NOT_FOUND,
           "nope.prompt");
    /* Short all-hex labels are fine. */
    promote("x", NULL, "cafe");
    char got[65];
    hash_of("x@cafe", got);
    cr_assert_eq(pf_exists("prompts.lock"), 1);
}

Test(registry, promote_refuses_a_broken_working_file)
{
    pf_write("x.prompt", "[user]\n{{#open}}\n");
    open_reg();
    expect(llmops__registry_promote(reg, "x", NULL, "production", &err), LLMOPS_E_PARSE,
           "x.prompt:2:");
    cr_assert_eq(pf_exists("prompts.lock"), 0);
    cr_assert_eq(pf_exists(".versions"), 0);
}

static void corrupt(const char *text, llmops_status want, const char *needle)
{
    pf_write("prompts.lock", text);
    llmops__registry *r = NULL;
    llmops__buf_clear(&err);
    llmops_status st = llmops__registry_open(pf_path(""), NULL, &r, &err);
    cr_assert_null(r);
    expect(st, want, needle);
}

#define AT "\"at\": \"2026-01-01T00:00:00Z\""
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test(registry, corrupt_lock_files)
{
    corrupt("{\"version\": 1, \"prompts\": {\n  \"x\": }", LLMOPS_E_CONFIG, "prompts.lock:2:");
    corrupt("", LLMOPS_E_CONFIG, "prompts.lock:1:");
    corrupt("[]", LLMOPS_E_CONFIG, "top level is not an object");
    corrupt("{\"version\": 2, \"prompts\": {}}", LLMOPS_E_CONFIG, "version is not 1");
    corrupt("{\"prompts\": {}}", LLMOPS_E_CONFIG, "version is not 1");
    corrupt("{\"version\": 1, \"prompts\": []}", LLMOPS_E_CONFIG, "prompts is not an object");
    corrupt("{\"version\": 1, \"extra\": 0}", LLMOPS_E_CONFIG, "extra is an unknown top-level key");
    corrupt("{\"version\": 1, \"prompts\": {\"Bad\": {}}}", LLMOPS_E_CONFIG,
            "prompts.Bad is not a valid prompt name");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"labels\": {\"production\": \"abc\"}}}}",
            LLMOPS_E_CONFIG, "prompts.x.labels.production is not 64 lowercase hex digits");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"labels\": {\"production\": \"" H64
            "\"}, \"colour\": 1}}}",
            LLMOPS_E_CONFIG, "prompts.x.colour is an unknown key");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"history\": [{\"label\": \"p\", "
            "\"version\": \"" H64 "\"}]}}}",
            LLMOPS_E_CONFIG, "prompts.x.history[0].at is missing");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"history\": [{\"label\": \"p\", "
            AT ", \"version\": \"" H64 "\", \"previous\": 3}]}}}",
            LLMOPS_E_CONFIG, "prompts.x.history[0].previous is neither null");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"history\": [{\"label\": \"p\", "
            AT ", \"version\": \"" H64 "\", \"action\": \"undo\"}]}}}",
            LLMOPS_E_CONFIG, "prompts.x.history[0].action is neither");
    corrupt("{\"version\": 1, \"version\": 1}", LLMOPS_E_CONFIG, "prompts.lock:1:");
    corrupt("{\"version\": 1, \"prompts\": {\"x\": {\"history\": [{\"label\": \"p\", "
            "\"at\": \"yesterday\", \"version\": \"" H64 "\"}]}}}",
            LLMOPS_E_CONFIG, "prompts.x.history[0].at is not an RFC 3339 time");

    /* A registry opened before the corruption reports it on the next lookup. */
    pf_write("prompts.lock", "{\"version\": 1, \"prompts\": {}}\n");
    pf_write("x.prompt", V1);
    open_reg();
    promote("x", NULL, "production");
    pf_write("prompts.lock", "{\"version\": 1, \"prompts\": {\"x\": 7}}");
    char got[65];
    expect(llmops__registry_hash(reg, "x@production", got, &err), LLMOPS_E_CONFIG,
           "prompts.x is not an object");
    expect(llmops__registry_promote(reg, "x", NULL, "canary", &err), LLMOPS_E_CONFIG,
           "prompts.x is not an object");
}

Test(registry, label_pointing_nowhere)
{
    pf_write("x.prompt", V1);
    pf_write("prompts.lock", "{\"version\": 1, \"prompts\": {\"x\": {\"labels\": "
                             "{\"production\": \"" H64 "\"}}}}");
    open_reg();
    llmops__prompt *p = NULL;
    expect(llmops__registry_load(reg, "x@production", &p, &err), LLMOPS_E_NOT_FOUND,
           "prompts.lock: label x@production points at version " H64
           ", which is missing from the store");
    llmops__buf_clear(&err);
    llmops__registry_load(reg, "x@production", &p, &err);
    cr_assert_not_null(strstr(msg(), ".versions/" H64 ".prompt"), "%s", msg());
    /* The prefix names a known version that cannot be loaded. */
    expect(llmops__registry_load(reg, "x@01234567", &p, &err), LLMOPS_E_NOT_FOUND,
           "neither its working file nor in the store");
    cr_assert_null(p);
}

Test(registry, tampered_store_file)
{
    pf_write("x.prompt", V1);
    open_reg();
    char v1[65];
    hash_of("x", v1);
    promote("x", NULL, "production");
    char store[100];
    snprintf(store, sizeof store, ".versions/%s.prompt", v1);
    pf_write(store, V2);
    llmops__registry_free(reg);
    reg = NULL;
    open_reg();   /* a fresh cache */
    llmops__prompt *p = NULL;
    expect(llmops__registry_load(reg, "x@production", &p, &err), LLMOPS_E_CONFIG,
           "edited by hand?");
}

Test(registry, ambiguous_prefix)
{
    /* Two recorded versions that share their first 10 digits. */
    pf_write("prompts.lock",
             "{\"version\": 1, \"prompts\": {\"x\": {\"history\": ["
             "{\"label\": \"a\", " AT ", \"version\": \"aaaaaaaaaa" H64 "\"},"
             "{\"label\": \"b\", " AT ", \"version\": \"aaaaaaaaab" H64 "\"}]}}}");
    /* (The versions above are 74 digits: rewrite them to 64.) */
    char *lock = pf_read("prompts.lock");
    char *q;
    while ((q = strstr(lock, H64 "\"")) != NULL)
        memmove(q + 54, q + 64, strlen(q + 64) + 1);
    pf_write("prompts.lock", lock);
    free(lock);
    open_reg();
    char got[65];
    expect(llmops__registry_hash(reg, "x@aaaaaaaa", got, &err), LLMOPS_E_INVALID_ARGUMENT,
           "ambiguous (2 versions");
    /* One more digit settles it (and the store lacks it: not found). */
    expect(llmops__registry_hash(reg, "x@aaaaaaaaab", got, &err), LLMOPS_E_NOT_FOUND,
           "aaaaaaaaab");
}

Test(registry, list_files_and_lock_only_names)
{
    pf_write("b.prompt", V1);
    pf_write("a.prompt", V2);
    pf_write("broken.prompt", "no section here\n");
    pf_write("Upper.prompt", V1);
    pf_write("notes.txt", "x");
    open_reg();
    promote("a", NULL, "production");
    promote("a", NULL, "canary");
    /* "gone" is only in the lock file once its working file is removed. */
    pf_write("gone.prompt", V3);
    promote("gone", NULL, "production");
    remove(pf_path("gone.prompt"));

    llmops__prompt_list l;
    cr_assert_eq(llmops__registry_list(reg, &l, &err), LLMOPS_OK, "%s", msg());
    cr_assert_eq(l.count, 4, "got %zu names", l.count);
    const char *names[] = { "a", "b", "broken", "gone" };
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(l.items[i].name, names[i]);
    char va[65];
    hash_of("a", va);
    cr_assert_eq(l.items[0].has_file, 1);
    cr_assert_str_eq(l.items[0].version, va);
    cr_assert_eq(l.items[0].label_count, 2);
    cr_assert_str_eq(l.items[0].labels[0].label, "canary");
    cr_assert_str_eq(l.items[0].labels[1].label, "production");
    cr_assert_str_eq(l.items[0].labels[1].version, va);
    cr_assert_eq(l.items[1].label_count, 0);
    cr_assert_eq(l.items[2].has_file, 1);
    cr_assert_str_eq(l.items[2].version, "");   /* does not parse */
    cr_assert_eq(l.items[3].has_file, 0);
    cr_assert_str_eq(l.items[3].version, "");
    cr_assert_eq(l.items[3].label_count, 1);
    llmops__prompt_list_free(&l);
    llmops__prompt_list_free(&l);
}

Test(registry, custom_lock_path)
{
    pf_write("x.prompt", V1);
    llmops__registry *r = NULL;
    cr_assert_eq(llmops__registry_open(pf_path(""), pf_path("elsewhere.json"), &r, &err),
                 LLMOPS_OK, "%s", msg());
    cr_assert_eq(llmops__registry_promote(r, "x", NULL, "production", &err), LLMOPS_OK, "%s",
                 msg());
    cr_assert_eq(pf_exists("elsewhere.json"), 1);
    cr_assert_eq(pf_exists("elsewhere.json.lk"), 1);
    cr_assert_eq(pf_exists("prompts.lock"), 0);
    llmops__registry_free(r);
}

Test(registry, diff_of_two_versions)
{
    pf_write("x.prompt", V1);
    open_reg();
    char v1[65], v2[65];
    hash_of("x", v1);
    promote("x", NULL, "production");
    pf_write("x.prompt", V2);
    hash_of("x", v2);
    llmops__buf out = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__registry_diff(reg, "x@production", "x", &out, &err), LLMOPS_OK, "%s",
                 msg());
    char want[1024];
    snprintf(want, sizeof want,
             "--- x@production %s\n+++ x %s\n"
             "@@ -1,4 +1,4 @@\n"
             " [system]\n"
             "-You help with {{product}}.\n"
             "+You help with {{product}}. Be brief.\n"
             " [user]\n"
             " {{question}}\n",
             v1, v2);
    cr_assert_str_eq(out.data, want);
    llmops__buf_clear(&out);
    cr_assert_eq(llmops__registry_diff(reg, "x", "x", &out, &err), LLMOPS_OK);
    snprintf(want, sizeof want, "--- x %s\n+++ x %s\n", v2, v2);
    cr_assert_str_eq(out.data, want);
    llmops__buf_clear(&out);
    expect(llmops__registry_diff(reg, "x", "x@canary", &out, &err), LLMOPS_E_NOT_FOUND,
           "no label 'canary'");
    cr_assert_eq(out.len, 0);
    llmops__buf_free(&out);
}

Test(registry, cache_is_bounded_and_held_prompts_survive_a_flush)
{
    pf_write("x.prompt", "[user]\nfirst {{q}}\n");
    open_reg();
    llmops__prompt *first = NULL;
    cr_assert_eq(llmops__registry_load(reg, "x", &first, &err), LLMOPS_OK);
    char text[64];
    for (int i = 0; i < LLMOPS__PROMPT_CACHE_MAX + 50; i++) {
        snprintf(text, sizeof text, "[user]\nedit %d {{q}}\n", i);
        pf_write("x.prompt", text);
        llmops__prompt *p = NULL;
        cr_assert_eq(llmops__registry_load(reg, "x", &p, &err), LLMOPS_OK, "%s", msg());
        cr_assert_str_eq(llmops__prompt_source(p, NULL), text);
        llmops__prompt_release(p);
    }
    cr_assert_str_eq(llmops__prompt_source(first, NULL), "[user]\nfirst {{q}}\n");
    llmops__prompt_release(first);
}

Test(registry, rfc3339_times)
{
    int64_t ns;
    cr_assert_eq(llmops__pr_parse_time("1970-01-01T00:00:00Z", &ns), 0);
    cr_assert_eq(ns, 0);
    cr_assert_eq(llmops__pr_parse_time("2026-11-23T18:00:00Z", &ns), 0);
    cr_assert_eq(ns, 1795456800LL * 1000000000LL);
    cr_assert_eq(llmops__pr_parse_time("2026-11-23T20:00:00.25+02:00", &ns), 0);
    cr_assert_eq(ns, 1795456800LL * 1000000000LL + 250000000LL);
    cr_assert_eq(llmops__pr_parse_time("2026-11-23T17:00:00.123456789-01:00", &ns), 0);
    cr_assert_eq(ns, 1795456800LL * 1000000000LL + 123456789LL);
    cr_assert_eq(llmops__pr_parse_time("2024-02-29T00:00:00Z", &ns), 0);
    cr_assert_eq(llmops__pr_parse_time("1969-12-31T23:59:59Z", &ns), 0);
    cr_assert_eq(ns, -1000000000LL);
    const char *bad[] = { "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23 18:00:00Z",
                          "2026-11-23T18:00:00", "2026-11-23T18:00:00.Z", "2026-11-23T24:00:00Z",
                          "2026-11-23T18:00:00Zjunk", "2026-11-23T18:00:00+2:00", "", "t",
                          "1026-11-23T18:00:00Z", "9999-12-31T23:59:59Z" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(llmops__pr_parse_time(bad[i], &ns), -1, "accepted '%s'", bad[i]);
}

Test(registry, history_of_a_prompt)
{
    pf_write("x.prompt", V1);
    open_reg();
    char v1[65], v2[65];
    hash_of("x", v1);
    promote("x", NULL, "production");
    promote("x", NULL, "canary");
    pf_write("x.prompt", V2);
    hash_of("x", v2);
    promote("x", NULL, "production");
    cr_assert_eq(llmops__registry_rollback(reg, "x", "production", &err), LLMOPS_OK, "%s", msg());

    llmops__prompt_history h;
    cr_assert_eq(llmops__registry_history(reg, "x", NULL, &h, &err), LLMOPS_OK, "%s", msg());
    cr_assert_eq(h.count, 4);
    cr_assert_str_eq(h.items[1].label, "canary");
    llmops__prompt_history_free(&h);
    cr_assert_eq(llmops__registry_history(reg, "x", "production", &h, &err), LLMOPS_OK);
    cr_assert_eq(h.count, 3);
    cr_assert_str_eq(h.items[0].version, v1);
    cr_assert_str_eq(h.items[0].previous, "");
    cr_assert_eq(h.items[0].rollback, 0);
    cr_assert_str_eq(h.items[1].version, v2);
    cr_assert_str_eq(h.items[1].previous, v1);
    cr_assert_str_eq(h.items[2].version, v1);
    cr_assert_str_eq(h.items[2].previous, v2);
    cr_assert_eq(h.items[2].rollback, 1);
    int64_t t0, t2;
    cr_assert_eq(llmops__pr_parse_time(h.items[0].at, &t0), 0);
    cr_assert_eq(llmops__pr_parse_time(h.items[2].at, &t2), 0);
    cr_assert_leq(t0, t2);
    llmops__prompt_history_free(&h);
    cr_assert_eq(llmops__registry_history(reg, "other", NULL, &h, &err), LLMOPS_OK);
    cr_assert_eq(h.count, 0);
    expect(llmops__registry_history(reg, "Bad", NULL, &h, &err), LLMOPS_E_INVALID_ARGUMENT,
           "not a prompt name");
}

Test(registry, which_version_was_live)
{
    /* A history written by hand, with times in two offsets. */
    pf_write("prompts.lock",
             "{\"version\": 1, \"prompts\": {\"x\": {\"labels\": {\"production\": \"" H64 "\"},"
             "\"history\": ["
             "{\"label\": \"production\", \"at\": \"2026-01-01T00:00:00Z\", \"version\": \""
             H64 "\"},"
             "{\"label\": \"production\", \"at\": \"2026-02-01T00:00:00Z\", \"version\": \""
             "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\", "
             "\"previous\": \"" H64 "\"},"
             "{\"label\": \"production\", \"at\": \"2026-03-01T00:00:00.5+01:00\", "
             "\"action\": \"rollback\", \"version\": \"" H64 "\"}]}}}");
    open_reg();
    char v[65];
    const char *ff = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    expect(llmops__registry_live_at(reg, "x", "production", "2025-12-31T23:59:59Z", v, &err),
           LLMOPS_E_NOT_FOUND, "its history starts later");
    cr_assert_eq(llmops__registry_live_at(reg, "x", "production", "2026-01-15T12:00:00Z", v,
                                          &err), LLMOPS_OK, "%s", msg());
    cr_assert_str_eq(v, H64);
    cr_assert_eq(llmops__registry_live_at(reg, "x", "production", "2026-02-01T00:00:00Z", v,
                                          &err), LLMOPS_OK);
    cr_assert_str_eq(v, ff);
    cr_assert_eq(llmops__registry_live_at(reg, "x", "production", "2026-02-28T23:00:00Z", v,
                                          &err), LLMOPS_OK);
    cr_assert_str_eq(v, ff);
    cr_assert_eq(llmops__registry_live_at(reg, "x", "production", "2026-02-28T23:00:01Z", v,
                                          &err), LLMOPS_OK);
    cr_assert_str_eq(v, H64);
    expect(llmops__registry_live_at(reg, "x", "canary", "2026-02-28T23:00:01Z", v, &err),
           LLMOPS_E_NOT_FOUND, "it has no history");
    expect(llmops__registry_live_at(reg, "x", "production", "last tuesday", v, &err),
           LLMOPS_E_INVALID_ARGUMENT, "not an RFC 3339 time");
}
