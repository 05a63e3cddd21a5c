/* Rendering a prompt into role messages in prompt mode. */
#include <criterion/criterion.h>

#include <stdio.h>

#include <string.h>

#include "fixture.h"

static llmops__prompt *must_parse(const char *src)
{
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = pf_parse(src, &p, &err);
    cr_assert_eq(st, LLMOPS_OK, "parse failed: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    return p;
}

static llmops_json_doc *json(const char *text)
{
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, text, strlen(text), NULL, NULL), LLMOPS_OK, "%s", text);
    return d;
}

Test(render, support_prompt)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("---\nmodel: fast\n---\n[system]\n"
                                   "You are a support agent for {{product}}.\n"
                                   "[user]\n{{question}}\n");
    llmops_json_doc *in = json("{\"product\":\"Acme\",\"question\":\"Where is my order?\"}");
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err), LLMOPS_OK, "%s",
                 err.data ? err.data : "");
    cr_assert_eq(m.count, 2);
    cr_assert_eq(m.items[0].role, LLMOPS_ROLE_SYSTEM);
    cr_assert_str_eq(m.items[0].text, "You are a support agent for Acme.");
    cr_assert_eq(m.items[0].len, strlen("You are a support agent for Acme."));
    cr_assert_eq(m.items[1].role, LLMOPS_ROLE_USER);
    cr_assert_str_eq(m.items[1].text, "Where is my order?");
    cr_assert_eq(m.items[1].len, 18);
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    llmops__prompt_release(p);
}

Test(render, no_escaping_and_json_values)
{
    llmops__prompt *p = must_parse("[user]\nhtml={{h}} n={{n}} f={{f}} b={{b}} z={{z}} "
                                   "o={{o}} a={{a}} deep={{o.k}}\n"
                                   "{{#items}}- {{name}}\n{{/items}}{{^none}}empty{{/none}}");
    llmops_json_doc *in = json("{\"h\":\"<b>&'\\\"</b>\",\"n\":42,\"f\":1.50,\"b\":true,"
                               "\"z\":null,\"o\":{\"k\":\"v\",\"x\":[1,2]},\"a\":[1,\"two\"],"
                               "\"items\":[{\"name\":\"x\"},{\"name\":\"y\"}],\"none\":[]}");
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err), LLMOPS_OK, "%s",
                 err.data ? err.data : "");
    cr_assert_eq(m.count, 1);
    cr_assert_str_eq(m.items[0].text,
                     "html=<b>&'\"</b> n=42 f=1.50 b=true z= o={\"k\":\"v\",\"x\":[1,2]} "
                     "a=[1,\"two\"] deep=v\n- x\n- y\nempty");
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    llmops__prompt_release(p);
}

Test(render, missing_variable_names_it_and_its_place)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("---\nmodel: fast\n---\n[system]\nHi {{product}}\n"
                                   "[user]\nfirst line\nQ: {{question}}\n");
    llmops_json_doc *in = json("{\"product\":\"Acme\"}");
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND, "got %s", llmops_status_str(st));
    cr_assert_eq(m.count, 0);
    cr_assert_not_null(strstr(err.data, "question"), "%s", err.data);
    /* The [user] text starts on line 7; the tag is on line 8, column 4. */
    cr_assert_not_null(strstr(err.data, "t.prompt:8:4: [user] section"), "%s", err.data);
    llmops__buf_free(&err);

    /* A dotted name with a missing part, and a NULL context. */
    llmops__prompt *d = must_parse("[user]\n{{order.id}}");
    llmops_json_doc *in2 = json("{\"order\":{}}");
    st = llmops__prompt_render(d, llmops_json_doc_root(in2), &m, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
    cr_assert_not_null(strstr(err.data, "order.id"), "%s", err.data);
    llmops__buf_free(&err);
    st = llmops__prompt_render(d, NULL, &m, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
    cr_assert_not_null(strstr(err.data, "t.prompt:2:1: [user] section"), "%s", err.data);
    llmops__buf_free(&err);

    /* Sections over missing names are optional, not errors. */
    llmops__prompt *o = must_parse("[user]\n{{#extra}}x{{/extra}}{{^extra}}none{{/extra}}");
    cr_assert_eq(llmops__prompt_render(o, NULL, &m, NULL), LLMOPS_OK);
    cr_assert_str_eq(m.items[0].text, "none");

    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    llmops_json_doc_free(in2);
    llmops__prompt_release(p);
    llmops__prompt_release(d);
    llmops__prompt_release(o);
}

Test(render, reuse_keeps_memory_and_pointers_valid)
{
    llmops__prompt *p = must_parse("[system]\n{{a}}\n[user]\n{{b}}\n[assistant]\nok\n");
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (int round = 0; round < 3; round++) {
        llmops_json_doc *d = NULL;
        cr_assert_eq(llmops_json_doc_new(&d), LLMOPS_OK);
        llmops_json *o = llmops_json_new_object(d);
        llmops_json_doc_set_root(d, o);
        const char *a = round == 1 ? big : "short";
        llmops_json_object_set(d, o, "a", 1, llmops_json_new_string(d, a, strlen(a)));
        llmops_json_object_set(d, o, "b", 1, llmops_json_new_int(d, round));
        cr_assert_eq(llmops__prompt_render(p, o, &m, NULL), LLMOPS_OK);
        cr_assert_eq(m.count, 3);
        cr_assert_str_eq(m.items[0].text, a);
        char want[8];
        snprintf(want, sizeof want, "%d", round);
        cr_assert_str_eq(m.items[1].text, want);
        cr_assert_str_eq(m.items[2].text, "ok");
        cr_assert_eq(m.items[2].role, LLMOPS_ROLE_ASSISTANT);
        llmops_json_doc_free(d);
    }
    size_t cap = m.text.cap;
    cr_assert_geq(cap, sizeof big);
    /* A failed render leaves no messages. */
    llmops__prompt *q = must_parse("[user]\n{{missing}}");
    cr_assert_eq(llmops__prompt_render(q, NULL, &m, NULL), LLMOPS_E_NOT_FOUND);
    cr_assert_eq(m.count, 0);
    llmops__prompt_messages_free(&m);
    llmops__prompt_messages_free(&m);   /* twice is harmless */
    llmops__prompt_release(p);
    llmops__prompt_release(q);
}

Test(render, output_limit_is_reported)
{
    llmops__prompt *p = must_parse("[user]\n{{a}}{{a}}{{a}}");
    llmops_json_doc *in = json("{\"a\":\"0123456789\"}");
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    m.text.limit = 16;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err);
    cr_assert_eq(st, LLMOPS_E_LIMIT, "got %s", llmops_status_str(st));
    cr_assert_eq(m.count, 0);
    cr_assert_not_null(strstr(err.data, "t.prompt"), "%s", err.data);
    llmops__buf_free(&err);
    m.text.limit = 0;
    cr_assert_eq(llmops__prompt_render(p, llmops_json_doc_root(in), &m, NULL), LLMOPS_OK);
    cr_assert_eq(m.items[0].len, 30);
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    llmops__prompt_release(p);
}
