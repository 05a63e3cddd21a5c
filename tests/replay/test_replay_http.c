/* Recording a real built-in provider (OpenAI wire over libcurl, against the
 * mock server on 127.0.0.1) whose key comes from a host callback: the key
 * reaches the server but never the cassette, and the recording replays. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mock/mock_server.h"
#include "provider/wire.h"
#include "rich.h"
#include "testdata.h"

/* The wire registry refers to the wire formats weakly (while they land in
 * parallel), and a weak reference does not pull an object out of the static
 * archive tests link: this strong one does. */
const llmops__wire *const lt_force_openai_wire = &llmops__wire_openai;

#define SECRET "sk-test-SECRET-0123456789abcdef"

static long key_fn(char *buf, size_t cap, void *user)
{
    (void)user;
    size_t n = strlen(SECRET);
    if (n > cap)
        return -1;
    memcpy(buf, SECRET, n);
    return (long)n;
}

static char *read_cassette(const char *dir, const char *fp)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, fp);
    size_t len;
    char *text = lt_read_file(path, &len);
    cr_assert_not_null(text, "no cassette %s", path);
    return text;
}

Test(replay_http, key_reaches_the_server_but_never_the_cassette)
{
    lt_mock *m = lt_mock_start();
    cr_assert_not_null(m);
    char base[128], dir[64];
    snprintf(base, sizeof base, "%s/v1", lt_mock_url(m));
    lt_tmpdir(dir);

    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = base;
    o.key_fn = key_fn;
    llmops_provider *http = NULL, *rec = NULL, *rep = NULL;
    char *why = NULL;
    llmops_status st = llmops_provider_new(&http, "openai", "oai", &o, &why);
    if (st == LLMOPS_E_NOT_FOUND || st == LLMOPS_E_UNSUPPORTED) {
        /* The OpenAI wire or the HTTP transport is not in this build. */
        lt_mock_stop(m);
        lt_rmdir(dir);
        cr_skip_test("no \"openai\" provider in this build: %s", why ? why : "");
    }
    cr_assert_eq(st, LLMOPS_OK, "%s", why ? why : "");
    cr_assert_eq(llmops_provider_new_recorder(&rec, "rec", http, dir), LLMOPS_OK);
    cr_assert_eq(llmops_provider_new_replay(&rep, "rep", dir, 0), LLMOPS_OK);

    llmops_request *req = NULL;
    llmops_request_new(&req);
    llmops_request_set_model(req, "gpt-test");
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hello there mock", SIZE_MAX);
    llmops_response *a = NULL, *b = NULL;
    llmops_response_new(&a);
    llmops_response_new(&b);

    /* Streamed recording. */
    lt_deltas rec_d = {.n = 0}, rep_d = {.n = 0};
    cr_assert_eq(llmops_provider_generate(rec, req, a, lt_deltas_collect, &rec_d), LLMOPS_OK,
                 "%s", llmops_response_error(a));
    cr_assert_str_eq(llmops_response_text(a, NULL), "echo: hello there mock");
    cr_assert_gt(rec_d.n, 1, "the mock streams several pieces");
    lt_mock_request got;
    cr_assert_eq(lt_mock_request_last(m, &got), 0);
    char auth[128];
    cr_assert(lt_mock_request_header(&got, "Authorization", auth, sizeof auth));
    cr_assert_str_eq(auth, "Bearer " SECRET, "the key was used");
    lt_mock_request_free(&got);

    char fp[65];
    llmops_request_fingerprint(req, fp);
    char *text = read_cassette(dir, fp);
    cr_assert_null(strstr(text, "SECRET"), "key in cassette:\n%s", text);
    cr_assert_null(strstr(text, "Bearer"), "auth header in cassette");
    cr_assert_null(strstr(text, "Authorization"), "headers in cassette");
    free(text);

    cr_assert_eq(llmops_provider_generate(rep, req, b, lt_deltas_collect, &rep_d), LLMOPS_OK,
                 "%s", llmops_response_error(b));
    lt_deltas_assert_equal(&rec_d, &rep_d);
    lt_response_assert_same(a, b);

    /* Not streamed, raw body kept: the raw body is not recorded either. */
    llmops_request_set_keep_raw(req, 1);
    cr_assert_eq(llmops_provider_generate(rec, req, a, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(a));
    text = read_cassette(dir, fp);
    cr_assert_null(strstr(text, "SECRET"));
    cr_assert_null(strstr(text, "chat.completion"), "raw body in cassette");
    free(text);
    cr_assert_eq(llmops_provider_generate(rep, req, b, NULL, NULL), LLMOPS_OK);
    lt_response_assert_same(a, b);
    cr_assert_eq(llmops_response_http_status(b), 200);
    size_t before = lt_mock_request_count(m);
    cr_assert_eq(llmops_provider_generate(rep, req, b, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), before, "replay makes no request");

    lt_deltas_free(&rec_d);
    lt_deltas_free(&rep_d);
    llmops_response_free(a);
    llmops_response_free(b);
    llmops_request_free(req);
    llmops_provider_free(rec);
    llmops_provider_free(rep);
    llmops_provider_free(http);
    lt_mock_stop(m);
    lt_rmdir(dir);
}
