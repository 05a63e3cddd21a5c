#include "cost_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/recordings.h"
#include "testdata.h"

llmops__prices *ct_real_table(void)
{
    const char *path = lt_testdata_path(PRICE_TABLE_REL);
    if (!path)
        cr_skip_test("shared test data missing: %s/%s (set LLMOPS_TESTDATA)", lt_testdata_dir(),
                     PRICE_TABLE_REL);
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prices_load(path, &p, &err);
    cr_assert_eq(st, LLMOPS_OK, "loading %s: %s", path, err.data ? err.data : "");
    llmops__buf_free(&err);
    return p;
}

llmops__prices *ct_table(const char *json)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prices_parse(json, strlen(json), &p, &err);
    cr_assert_eq(st, LLMOPS_OK, "parsing a test table: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    return p;
}

llmops__price ct_unset_price(void)
{
    return (llmops__price){ NAN, NAN, NAN, NAN, NAN };
}

llmops_usage ct_recorded_usage(const llmops__wire *wire, const char *file, char *model,
                               size_t model_cap)
{
    char rel[512];
    snprintf(rel, sizeof rel, "providers/%s", file);
    if (!lt_testdata_path(rel))
        cr_skip_test("shared test data missing: %s/%s (set LLMOPS_TESTDATA)", lt_testdata_dir(),
                     rel);
    lt_recording r = { 0 };
    r.file = (char *)file;
    llmops_response *resp = NULL;
    cr_assert_eq(llmops_response_new(&resp), LLMOPS_OK);
    size_t len = 0;
    llmops_status st;
    if (lt_recording_is_stream(&r)) {
        char *bytes = lt_recording_stream_bytes(&r, &len);
        cr_assert_not_null(bytes, "reading %s", file);
        st = lt_feed_stream(wire, bytes, len, NULL, 0, resp);
        free(bytes);
    } else {
        char *body = lt_recording_body(&r, &len);
        cr_assert_not_null(body, "reading %s", file);
        st = wire->parse(LLMOPS__OP_GENERATE, body, len, resp);
        free(body);
    }
    cr_assert_eq(st, LLMOPS_OK, "%s did not parse with the %s wire: %s", file, wire->type,
                 llmops_response_error(resp));
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(resp, &u), LLMOPS_OK);
    if (model && model_cap) {
        const char *m = llmops_response_model(resp);
        snprintf(model, model_cap, "%s", m ? m : "");
    }
    llmops_response_free(resp);
    return u;
}
