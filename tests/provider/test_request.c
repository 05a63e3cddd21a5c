/* The request object: validation, reading back, copies, fingerprints. */
#include <criterion/criterion.h>
#include <string.h>

#include "llmops.h"
#include "provider/fingerprint.h"

static llmops_request *req;

static void setup(void)
{
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
}

static void teardown(void)
{
    llmops_request_free(req);
}

TestSuite(request, .init = setup, .fini = teardown);

Test(request, messages_and_parts_read_back)
{
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "be brief", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "hello", 5), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_text_part(req, " world", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_message_count(req), 2);
    cr_assert_eq(llmops_request_message_role(req, 1), LLMOPS_ROLE_USER);
    cr_assert_eq(llmops_request_message_part_count(req, 1), 2);
    size_t len;
    cr_assert_str_eq(llmops_request_message_part(req, 1, 1, &len), " world");
    cr_assert_eq(len, 6);
    cr_assert_null(llmops_request_message_part(req, 1, 2, &len));
    cr_assert_eq(len, 0);
    cr_assert_null(llmops_request_message_part(req, 7, 0, NULL));
}

Test(request, rejects_invalid_utf8_and_bad_roles)
{
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "bad \xff", SIZE_MAX),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_TOOL, "x", 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_request_add_message(req, (llmops_role)9, "x", 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_request_add_text_part(req, "x", 1), LLMOPS_E_INVALID_ARGUMENT,
                 "a part needs a message to join");
    cr_assert_eq(llmops_request_message_count(req), 0);
}

Test(request, tool_calls_and_results)
{
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "weather?", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "c1", "get_weather", "{\"city\":\"Oslo\"}"),
                 LLMOPS_E_INVALID_ARGUMENT, "tool calls belong to assistant messages");
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "c1", "get_weather", "[1]"), LLMOPS_E_TYPE);
    cr_assert_eq(llmops_request_add_tool_call(req, "c1", "get_weather", "{oops"),
                 LLMOPS_E_PARSE);
    cr_assert_eq(llmops_request_add_tool_call(req, "c1", "get_weather", "{\"city\":\"Oslo\"}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "c2", "get_time", NULL), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_result(req, "c1", "get_weather", "sunny", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_message_tool_call_count(req, 1), 2);
    cr_assert_str_eq(llmops_request_message_tool_call_name(req, 1, 0), "get_weather");
    cr_assert_str_eq(llmops_request_message_tool_call_arguments(req, 1, 1), "{}");
    cr_assert_eq(llmops_request_message_role(req, 2), LLMOPS_ROLE_TOOL);
    cr_assert_str_eq(llmops_request_message_tool_call_id(req, 2), "c1");
    cr_assert_str_eq(llmops_request_message_tool_name(req, 2), "get_weather");
}

Test(request, parameters_are_range_checked)
{
    cr_assert_eq(llmops_request_temperature(req, NULL), 0);
    cr_assert_eq(llmops_request_set_temperature(req, 2.5), LLMOPS_E_RANGE);
    cr_assert_eq(llmops_request_set_temperature(req, -0.1), LLMOPS_E_RANGE);
    cr_assert_eq(llmops_request_set_top_p(req, 1.01), LLMOPS_E_RANGE);
    cr_assert_eq(llmops_request_set_max_output_tokens(req, 0), LLMOPS_E_RANGE);
    cr_assert_eq(llmops_request_set_temperature(req, 0.7), LLMOPS_OK);
    double t = 0;
    cr_assert_eq(llmops_request_temperature(req, &t), 1);
    cr_assert_float_eq(t, 0.7, 1e-12);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(llmops_request_add_stop(req, "END"), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_stop(req, "END"), LLMOPS_E_LIMIT);
    cr_assert_eq(llmops_request_stop_count(req), 16);
}

Test(request, tools_formats_and_choice)
{
    cr_assert_eq(llmops_request_add_tool(req, "f", "d", "{\"type\":\"object\"}"), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool(req, "f", NULL, NULL), LLMOPS_E_INVALID_ARGUMENT,
                 "tool names are unique");
    cr_assert_eq(llmops_request_add_tool(req, "g", NULL, "[]"), LLMOPS_E_SCHEMA);
    cr_assert_eq(llmops_request_add_tool(req, "g", NULL, "{"), LLMOPS_E_PARSE);
    cr_assert_eq(llmops_request_add_tool(req, "g", NULL, NULL), LLMOPS_OK);
    cr_assert_null(llmops_request_tool_parameters(req, 1));
    cr_assert_eq(llmops_json_type_of(llmops_request_tool_parameters(req, 0)),
                 LLMOPS_JSON_OBJECT);
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, "f"), LLMOPS_OK);
    const char *name;
    cr_assert_eq(llmops_request_tool_choice(req, &name), LLMOPS_TOOL_CHOICE_NAMED);
    cr_assert_str_eq(name, "f");
    cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, NULL, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, NULL,
                                                    "{\"type\":\"object\"}"),
                 LLMOPS_OK);
    const llmops_json *schema;
    cr_assert_eq(llmops_request_response_format(req, &name, &schema), LLMOPS_FORMAT_JSON_SCHEMA);
    cr_assert_str_eq(name, "response");
    cr_assert_not_null(schema);
}

Test(request, metadata_replaces_by_key)
{
    cr_assert_eq(llmops_request_set_metadata(req, "user_id", "a"), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_metadata(req, "team", "x"), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_metadata(req, "user_id", "b"), LLMOPS_OK);
    cr_assert_eq(llmops_request_metadata_count(req), 2);
    cr_assert_str_eq(llmops_request_metadata(req, "user_id"), "b");
    cr_assert_null(llmops_request_metadata(req, "nope"));
}

static void fill(llmops_request *r)
{
    llmops_request_set_model(r, "m1");
    llmops_request_add_message(r, LLMOPS_ROLE_SYSTEM, "sys", SIZE_MAX);
    llmops_request_add_message(r, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_add_message(r, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(r, "c1", "f", "{\"a\": 1}");
    llmops_request_add_tool_result(r, "c1", "f", "ok", SIZE_MAX);
    llmops_request_set_temperature(r, 0.25);
    llmops_request_add_stop(r, "STOP");
    llmops_request_add_tool(r, "f", "does f", "{\"type\":\"object\"}");
    llmops_request_set_response_format(r, LLMOPS_FORMAT_JSON_SCHEMA, "out", "{\"type\":\"object\"}");
    llmops_request_add_label(r, "yes");
    llmops_request_add_label(r, "no");
    llmops_request_add_input(r, "embed me", SIZE_MAX);
    llmops_request_set_dimensions(r, 64);
}

Test(request, copy_is_deep_and_fingerprints_equal)
{
    fill(req);
    llmops_request *copy = NULL;
    cr_assert_eq(llmops_request_copy(&copy, req), LLMOPS_OK);
    char a[65], b[65];
    cr_assert_eq(llmops_request_fingerprint(req, a), LLMOPS_OK);
    cr_assert_eq(llmops_request_fingerprint(copy, b), LLMOPS_OK);
    cr_assert_str_eq(a, b);
    cr_assert_eq(strlen(a), 64);
    /* The copy owns its memory: changing it leaves the original alone. */
    llmops_request_set_model(copy, "m2");
    cr_assert_str_eq(llmops_request_model(req), "m1");
    cr_assert_eq(llmops_request_fingerprint(copy, b), LLMOPS_OK);
    cr_assert_str_neq(a, b);
    llmops_request_free(copy);
}

Test(request, fingerprint_ignores_metadata_timeout_and_argument_spacing)
{
    fill(req);
    char a[65], b[65];
    llmops_request_fingerprint(req, a);
    llmops_request_set_metadata(req, "trace", "123");
    llmops_request_set_timeout_ms(req, 5000);
    llmops_request_fingerprint(req, b);
    cr_assert_str_eq(a, b);

    llmops_request *other = NULL;
    llmops_request_new(&other);
    fill(other);
    /* Same arguments with other spacing: the same request. */
    llmops_request_free(other);
    llmops_request_new(&other);
    llmops_request_set_model(other, "m1");
    llmops_request_add_message(other, LLMOPS_ROLE_SYSTEM, "sys", SIZE_MAX);
    llmops_request_add_message(other, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_add_message(other, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(other, "c1", "f", "{ \"a\" : 1 }");
    llmops_request_add_tool_result(other, "c1", "f", "ok", SIZE_MAX);
    llmops_request_set_temperature(other, 0.25);
    llmops_request_add_stop(other, "STOP");
    llmops_request_add_tool(other, "f", "does f", "{ \"type\": \"object\" }");
    llmops_request_set_response_format(other, LLMOPS_FORMAT_JSON_SCHEMA, "out",
                                       "{\"type\":\"object\"}");
    llmops_request_add_label(other, "yes");
    llmops_request_add_label(other, "no");
    llmops_request_add_input(other, "embed me", SIZE_MAX);
    llmops_request_set_dimensions(other, 64);
    llmops_request_fingerprint(other, b);
    cr_assert_str_eq(a, b);
    /* Any answer-deciding change moves it. */
    llmops_request_set_temperature(other, 0.3);
    llmops_request_fingerprint(other, b);
    cr_assert_str_neq(a, b);
    llmops_request_free(other);
}

Test(request, fingerprint_with_model_override)
{
    fill(req);
    char a[65], b[65], c[65];
    llmops__request_fingerprint_model(req, NULL, a);
    llmops__request_fingerprint_model(req, "m1", b);
    llmops__request_fingerprint_model(req, "m9", c);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    char *json = NULL;
    size_t len = 0;
    cr_assert_eq(llmops__request_canonical_json(req, NULL, &json, &len), LLMOPS_OK);
    cr_assert_not_null(strstr(json, "\"model\":\"m1\""));
    cr_assert_null(strstr(json, "metadata"));
    llmops_free(json);
}

Test(request, cancel_token_is_shared_and_survives_the_host_reference)
{
    llmops_cancel *c = NULL;
    cr_assert_eq(llmops_cancel_new(&c), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_cancel(req, c), LLMOPS_OK);
    llmops_request *copy = NULL;
    cr_assert_eq(llmops_request_copy(&copy, req), LLMOPS_OK);
    cr_assert_eq(llmops_request_cancelled(copy), 0);
    llmops_cancel_trigger(c);
    llmops_cancel_free(c); /* the requests keep it alive */
    cr_assert_eq(llmops_request_cancelled(req), 1);
    cr_assert_eq(llmops_request_cancelled(copy), 1);
    llmops_request_free(copy);
}
