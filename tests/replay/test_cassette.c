/* The cassette file itself: what is stored and what never is. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops/json.h"
#include "rich.h"
#include "testdata.h"

static llmops_json_doc *load(const char *dir, const char *name, char **text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    *text = lt_read_file(path, &len);
    cr_assert_not_null(*text, "read %s", path);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, *text, len, NULL, NULL), LLMOPS_OK);
    return doc;
}

Test(cassette, holds_the_documented_fields)
{
    char dir[64];
    lt_tmpdir(dir);
    lt_rich rich = {0};
    llmops_provider *inner = lt_rich_provider(&rich, "rich"), *rec = NULL;
    cr_assert_eq(llmops_provider_new_recorder(&rec, "rec", inner, dir), LLMOPS_OK);
    llmops_request *req = lt_rich_request();
    llmops_request_set_metadata(req, "user_id", "u-42");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_deltas ds = {.n = 0};
    cr_assert_eq(llmops_provider_generate(rec, req, resp, lt_deltas_collect, &ds), LLMOPS_OK);

    char fp[65], name[128];
    llmops_request_fingerprint(req, fp);
    snprintf(name, sizeof name, "%s.json", fp);
    char *text = NULL;
    llmops_json_doc *doc = load(dir, name, &text);
    const llmops_json *root = llmops_json_doc_root(doc);
    int64_t v = 0;
    cr_assert_eq(llmops_json_get_int(llmops_json_get(root, "version"), &v), LLMOPS_OK);
    cr_assert_eq(v, 1);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(root, "fingerprint"), NULL), fp);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(root, "op"), NULL), "generate");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(root, "model"), NULL), "rich-model");
    const llmops_json *request = llmops_json_get(root, "request");
    cr_assert_eq(llmops_json_type_of(request), LLMOPS_JSON_OBJECT);
    cr_assert_null(llmops_json_get(request, "metadata"), "metadata is not part of it");
    const llmops_json *r = llmops_json_get(root, "response");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(r, "finish_reason"), NULL), "tool_calls");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(r, "finish_reason_raw"), NULL),
                     "tool_use");
    cr_assert_eq(llmops_json_size(llmops_json_get(r, "tool_calls")), 2);
    cr_assert_eq(llmops_json_get_int(llmops_json_get(llmops_json_get(r, "usage"), "total_tokens"),
                                     &v),
                 LLMOPS_OK);
    cr_assert_eq(v, 59);
    const llmops_json *deltas = llmops_json_get(root, "deltas");
    cr_assert_eq(llmops_json_size(deltas), ds.n);
    int64_t prev = -1;
    for (size_t i = 0; i < llmops_json_size(deltas); i++) {
        const llmops_json *d = llmops_json_at(deltas, i);
        int64_t t;
        cr_assert_eq(llmops_json_get_int(llmops_json_get(d, "t_ns"), &t), LLMOPS_OK);
        cr_assert_geq(t, prev, "delta times are in order");
        prev = t;
    }
    cr_assert_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(deltas, 0), "kind"), NULL),
                     "reasoning");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(deltas, 7), "kind"), NULL),
                     "tool_call_done");
    cr_assert_null(strstr(text, "u-42"));
    int64_t lat = 0;
    cr_assert_eq(llmops_json_get_int(llmops_json_get(root, "latency_ns"), &lat), LLMOPS_OK);
    cr_assert_gt(lat, 0);

    llmops_json_doc_free(doc);
    free(text);
    lt_deltas_free(&ds);
    llmops_response_free(resp);
    llmops_request_free(req);
    llmops_provider_free(rec);
    llmops_provider_free(inner);
    lt_rmdir(dir);
}

Test(cassette, rerecording_replaces_the_file_whole)
{
    char dir[64];
    lt_tmpdir(dir);
    lt_rich rich = {0};
    llmops_provider *inner = lt_rich_provider(&rich, "rich"), *rec = NULL;
    cr_assert_eq(llmops_provider_new_recorder(&rec, "rec", inner, dir), LLMOPS_OK);
    llmops_request *req = lt_rich_request();
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(llmops_provider_generate(rec, req, resp, NULL, NULL), LLMOPS_OK);
    char fp[65], name[128];
    llmops_request_fingerprint(req, fp);
    snprintf(name, sizeof name, "%s.json", fp);
    char *text = NULL;
    llmops_json_doc *doc = load(dir, name, &text);
    llmops_json_doc_free(doc);
    free(text);
    /* Nothing but the cassette is left behind (no temp files). */
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        files += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(files, 1);
    lt_rmdir(dir);
    llmops_response_free(resp);
    llmops_request_free(req);
    llmops_provider_free(rec);
    llmops_provider_free(inner);
}

static llmops_status nan_embed(void *self, const llmops_request *req, llmops_response *resp)
{
    (void)self;
    (void)req;
    float v[2] = {1.0f, __builtin_nanf("")};
    return llmops_response_add_embedding(resp, v, 2);
}

Test(cassette, a_value_json_cannot_hold_is_reported_not_fatal)
{
    char dir[64];
    lt_tmpdir(dir);
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, NULL, NULL, nan_embed, NULL};
    llmops_provider *inner = NULL, *rec = NULL;
    cr_assert_eq(llmops_provider_new_custom(&inner, "nan", &vt, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_provider_new_recorder(&rec, "rec", inner, dir), LLMOPS_OK);
    llmops_request *req = NULL;
    llmops_request_new(&req);
    llmops_request_add_input(req, "x", SIZE_MAX);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    cr_assert_eq(llmops_provider_embed(rec, req, resp), LLMOPS_OK);
    cr_assert_eq(llmops_response_embedding_count(resp), 1);
    const char *err = llmops_response_error(resp);
    cr_assert(strstr(err, "cassette not written") && strstr(err, "embeddings"), "%s", err);
    DIR *d = opendir(dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        files += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(files, 0, "nothing half-written");
    llmops_response_free(resp);
    llmops_request_free(req);
    llmops_provider_free(rec);
    llmops_provider_free(inner);
    lt_rmdir(dir);
}
