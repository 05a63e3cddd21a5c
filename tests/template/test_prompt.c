/* Prompt mode, value rendering, partial lookup, names, reuse across threads. */
#include <pthread.h>
#include <stdio.h>

#include "tmpl_test.h"

Test(template_prompt, no_html_escaping)
{
    const char *data = "{\"x\":\"<b> & \\\"q\\\" 'a'\"}";
    tt_expect("{{x}}|{{{x}}}|{{&x}}", data, LLMOPS__TMPL_PROMPT,
              "<b> & \"q\" 'a'|<b> & \"q\" 'a'|<b> & \"q\" 'a'");
    tt_expect("{{x}}|{{{x}}}", data, LLMOPS__TMPL_SPEC,
              "&lt;b&gt; &amp; &quot;q&quot; &#39;a&#39;|<b> & \"q\" 'a'");
}

Test(template_prompt, missing_variable_is_an_error_with_position)
{
    char *out = NULL;
    llmops__tmpl_error err;
    llmops_status st = tt_render("Hello {{name}}!", "{}", NULL, LLMOPS__TMPL_PROMPT, &out, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
    cr_assert_null(out);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 7);
    cr_expect_eq(err.offset, 6);
    cr_expect(strstr(err.message, "'name'") != NULL, "message: %s", err.message);
    cr_expect(strstr(err.message, "1:7") != NULL, "message: %s", err.message);
    /* The same template in spec mode renders the miss as "". */
    tt_expect("Hello {{name}}!", "{}", LLMOPS__TMPL_SPEC, "Hello !");
}

Test(template_prompt, missing_dotted_part_names_the_part)
{
    char *out = NULL;
    llmops__tmpl_error err;
    const char *tmpl = "System:\nYou help {{user.profile.name}} today.";
    llmops_status st =
        tt_render(tmpl, "{\"user\":{\"profile\":{\"age\":3}}}", NULL, LLMOPS__TMPL_PROMPT, &out, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
    cr_expect_eq(err.line, 2);
    cr_expect_eq(err.column, 10);
    cr_expect(strstr(err.message, "'user.profile.name'") != NULL, "message: %s", err.message);
    cr_expect(strstr(err.message, "no 'name'") != NULL, "message: %s", err.message);
    cr_expect(strstr(err.message, "2:10") != NULL, "message: %s", err.message);

    /* First part missing: no "(no ...)" detail, just the name. */
    st = tt_render("{{user.name}}", "{}", NULL, LLMOPS__TMPL_PROMPT, &out, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'user.name'") != NULL, "message: %s", err.message);
    /* A part that exists but is not an object is a miss too. */
    st = tt_render("{{user.name}}", "{\"user\":\"bob\"}", NULL, LLMOPS__TMPL_PROMPT, &out, &err);
    cr_assert_eq(st, LLMOPS_E_NOT_FOUND);
}

Test(template_prompt, sections_over_missing_names_are_falsey)
{
    tt_expect("{{#ctx}}Context: {{ctx}}\n{{/ctx}}Q: {{q}}", "{\"q\":\"why\"}",
              LLMOPS__TMPL_PROMPT, "Q: why");
    tt_expect("{{^ctx}}no context{{/ctx}}", "{}", LLMOPS__TMPL_PROMPT, "no context");
    tt_expect("{{#ctx}}Context: {{ctx}}\n{{/ctx}}Q", "{\"ctx\":\"doc\"}", LLMOPS__TMPL_PROMPT,
              "Context: doc\nQ");
    /* Inside a section a miss is still an error. */
    char *out = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(tt_render("{{#items}}{{title}}\n{{/items}}", "{\"items\":[{\"title\":\"a\"},{}]}",
                           NULL, LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'title'") != NULL, "message: %s", err.message);
}

Test(template_prompt, value_rendering)
{
    const char *data = "{\"i\":42,\"d\":1.50,\"e\":1e3,\"t\":true,\"f\":false,\"n\":null,"
                       "\"a\":[1,\"x\",{\"k\":null}],\"o\":{\"k\":\"v\"},\"s\":\"\",\"z\":0,"
                       "\"eo\":{},\"ea\":[]}";
    tt_expect("{{i}} {{d}} {{e}} {{t}} {{f}} [{{n}}] {{a}} {{o}}", data, LLMOPS__TMPL_PROMPT,
              "42 1.50 1e3 true false [] [1,\"x\",{\"k\":null}] {\"k\":\"v\"}");
    tt_expect("{{o}}", data, LLMOPS__TMPL_SPEC, "{&quot;k&quot;:&quot;v&quot;}");
    /* Truthiness: "" is falsey, 0 and {} are truthy, [] is falsey. */
    tt_expect("{{#s}}S{{/s}}{{^s}}!s{{/s}} {{#z}}Z{{/z}} {{#eo}}EO{{/eo}} {{#ea}}EA{{/ea}}{{^ea}}!ea{{/ea}}",
              data, LLMOPS__TMPL_PROMPT, "!s Z EO !ea");
    /* Implicit iterator over scalars and a section on a scalar. */
    tt_expect("{{#a}}<{{.}}>{{/a}} {{#i}}{{.}}{{/i}}", data, LLMOPS__TMPL_PROMPT,
              "<1><x><{\"k\":null}> 42");
}

Test(template_prompt, context_stack_lookup)
{
    const char *data = "{\"name\":\"root\",\"items\":[{\"name\":\"a\"},{\"v\":1}],"
                       "\"outer\":{\"inner\":{\"x\":\"deep\"},\"y\":\"mid\"}}";
    tt_expect("{{#items}}{{name}};{{/items}}", data, LLMOPS__TMPL_PROMPT, "a;root;");
    tt_expect("{{#outer}}{{#inner}}{{x}} {{y}} {{name}}{{/inner}}{{/outer}}", data,
              LLMOPS__TMPL_PROMPT, "deep mid root");
    tt_expect("{{outer.inner.x}}", data, LLMOPS__TMPL_PROMPT, "deep");
}

Test(template_prompt, null_data_is_an_empty_context)
{
    llmops__tmpl *t = NULL;
    const char *src = "a{{x}}b{{#s}}S{{/s}}{{^s}}N{{/s}}";
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__tmpl_render(t, NULL, LLMOPS__TMPL_SPEC, NULL, NULL, &b, NULL), LLMOPS_OK);
    cr_expect_str_eq(b.data, "abN");
    llmops__tmpl_error err;
    llmops__buf_clear(&b);
    cr_expect_eq(llmops__tmpl_render(t, NULL, LLMOPS__TMPL_PROMPT, NULL, NULL, &b, &err),
                 LLMOPS_E_NOT_FOUND);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
}

Test(template_prompt, partials_in_prompt_mode)
{
    const char *partials = "{\"sig\":\"-- {{who}}\\n\",\"bad\":\"{{#open}}\",\"uses\":\"x {{nope}}\"}";
    char *out = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(tt_render("Hi\n  {{>sig}}", "{\"who\":\"<bot>\"}", partials, LLMOPS__TMPL_PROMPT,
                           &out, &err),
                 LLMOPS_OK, "%s", err.message);
    cr_expect_str_eq(out, "Hi\n  -- <bot>\n");
    llmops__free(out);

    cr_assert_eq(tt_render("a{{>missing}}b", "{}", partials, LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'missing'") != NULL, "message: %s", err.message);
    cr_assert_eq(tt_render("a{{>missing}}b", "{}", partials, LLMOPS__TMPL_SPEC, &out, &err),
                 LLMOPS_OK);
    cr_expect_str_eq(out, "ab");
    llmops__free(out);

    /* A partial that does not compile: its name and the position inside it. */
    cr_assert_eq(tt_render("x{{>bad}}", "{}", partials, LLMOPS__TMPL_SPEC, &out, &err),
                 LLMOPS_E_PARSE);
    cr_expect(strstr(err.message, "partial 'bad'") != NULL, "message: %s", err.message);
    cr_expect(strstr(err.message, "'open'") != NULL, "message: %s", err.message);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 1);

    /* A miss inside a partial names the partial. */
    cr_assert_eq(tt_render("x{{>uses}}", "{}", partials, LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'nope'") != NULL, "message: %s", err.message);
    cr_expect(strstr(err.message, "partial 'uses'") != NULL, "message: %s", err.message);
    cr_expect_eq(err.column, 3);
}

static int calls;
static int count_partials(void *ud, const char *name, size_t len, const char **src, size_t *slen)
{
    calls++;
    return tt_partials(ud, name, len, src, slen);
}

Test(template_prompt, each_partial_is_looked_up_once_per_render)
{
    llmops_json_doc *data = NULL, *parts = NULL;
    const char *dj = "{\"items\":[1,2,3,4,5,6,7,8,9,10]}";
    const char *pj = "{\"item\":\"[{{.}}]\"}";
    cr_assert_eq(llmops_json_parse(&data, dj, strlen(dj), NULL, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_json_parse(&parts, pj, strlen(pj), NULL, NULL), LLMOPS_OK);
    llmops__tmpl *t = NULL;
    const char *src = "{{#items}}{{>item}}{{>none}}{{/items}}";
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    calls = 0;
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(data), LLMOPS__TMPL_SPEC,
                                     count_partials, (void *)llmops_json_doc_root(parts), &b, NULL),
                 LLMOPS_OK);
    cr_expect_str_eq(b.data, "[1][2][3][4][5][6][7][8][9][10]");
    cr_expect_eq(calls, 2);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    llmops_json_doc_free(data);
    llmops_json_doc_free(parts);
}

Test(template_prompt, render_appends_and_restores_on_failure)
{
    llmops__tmpl *t = NULL;
    const char *src = "one {{a}} two {{b}}";
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK);
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"a\":1}", 7, NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "prefix:");
    llmops__tmpl_error err;
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), LLMOPS__TMPL_PROMPT, NULL, NULL,
                                     &b, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect_eq(b.len, 7);
    cr_expect_str_eq(b.data, "prefix:");
    cr_expect_eq(b.failed, 0);
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), LLMOPS__TMPL_SPEC, NULL, NULL,
                                     &b, &err),
                 LLMOPS_OK);
    cr_expect_str_eq(b.data, "prefix:one 1 two ");
    llmops__buf_free(&b);
    llmops_json_doc_free(d);
    llmops__tmpl_free(t);
}

static void expect_names(const char *src, const char *const *want, size_t nwant)
{
    llmops__tmpl *t = NULL;
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK, "%s", src);
    char **names = NULL;
    size_t n = 99;
    cr_assert_eq(llmops__tmpl_names(t, &names, &n), LLMOPS_OK);
    cr_assert_eq(n, nwant, "template %s: %zu names, want %zu", src, n, nwant);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(names[i], want[i], "template %s name %zu", src, i);
    if (!nwant)
        cr_expect_null(names);
    llmops__tmpl_names_free(names, n);
    llmops__tmpl_free(t);
}

Test(template_prompt, names)
{
    const char *const w1[] = { "a", "b", "s", "inv", "x", "dyn", "par", "blk" };
    expect_names("{{a}} {{b.c}} {{#s}}{{inner}}{{#deeper}}{{y}}{{/deeper}}{{/s}} "
                 "{{^inv}}{{x}}{{/inv}} {{>p}} {{>*dyn}} {{a}} {{.}} {{b.d}}"
                 "{{<*par}}{{ignored}}{{$arg}}{{blk}}{{/arg}}{{/*par}}",
                 w1, 8);
    expect_names("plain text", NULL, 0);
    const char *const w2[] = { "x", "y" };
    expect_names("{{=<% %>=}}<% x %> {{not}} <%{y}%><%! c %>", w2, 2);
}

typedef struct job {
    const llmops__tmpl *t;
    const llmops_json *data;
    int ok;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int i = 0; i < 2000 && j->ok; i++) {
        llmops__buf b = LLMOPS__BUF_INIT;
        llmops_status st = llmops__tmpl_render(j->t, j->data, i & 1, NULL, NULL, &b, NULL);
        if (st != LLMOPS_OK || strcmp(b.data, "Dear Ann, items: a b c.") != 0)
            j->ok = 0;
        llmops__buf_free(&b);
    }
    return NULL;
}

Test(template_prompt, one_template_many_threads)
{
    const char *src = "Dear {{name}}, items:{{#items}} {{.}}{{/items}}.";
    const char *dj = "{\"name\":\"Ann\",\"items\":[\"a\",\"b\",\"c\"]}";
    llmops__tmpl *t = NULL;
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK);
    cr_assert_eq(llmops_json_parse(&d, dj, strlen(dj), NULL, NULL), LLMOPS_OK);
    pthread_t th[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){ t, llmops_json_doc_root(d), 0 };
        cr_assert_eq(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_expect(jobs[i].ok, "thread %d rendered something else", i);
    }
    llmops_json_doc_free(d);
    llmops__tmpl_free(t);
}

Test(template_prompt, standalone_lines_in_a_prompt)
{
    const char *tmpl = "System:\n"
                       "  {{! rules come from the task }}\n"
                       "{{#rules}}\n"
                       "- {{.}}\n"
                       "{{/rules}}\n"
                       "{{^rules}}\n"
                       "(no rules)\n"
                       "{{/rules}}\r\n"
                       "User: {{q}}\n";
    tt_expect(tmpl, "{\"rules\":[\"be brief\",\"cite\"],\"q\":\"why?\"}", LLMOPS__TMPL_PROMPT,
              "System:\n- be brief\n- cite\nUser: why?\n");
    tt_expect(tmpl, "{\"rules\":[],\"q\":\"why?\"}", LLMOPS__TMPL_PROMPT,
              "System:\n(no rules)\nUser: why?\n");
}

Test(template_prompt, nested_partial_indentation)
{
    const char *partials = "{\"outer\":\"<o>\\n  {{>inner}}\\n</o>\\n\",\"inner\":\"i1 {{v}}\\ni2\\n\"}";
    char *out = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(tt_render("top\n    {{>outer}}\nend", "{\"v\":\"a\\nb\"}", partials,
                           LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_OK, "%s", err.message);
    /* Template lines are indented at each level; interpolated data is not. */
    cr_expect_str_eq(out, "top\n    <o>\n      i1 a\nb\n      i2\n    </o>\nend");
    llmops__free(out);
}

Test(template_prompt, prompt_layout_by_inheritance)
{
    const char *partials =
        "{\"layout\":\"You are {{bot}}.\\n"
        "Rules:\\n"
        "  {{$rules}}\\n"
        "  - be kind\\n"
        "  {{/rules}}\\n"
        "{{$task}}Answer the question.{{/task}}\\n\"}";
    const char *child = "{{<layout}}\n"
                        "{{$rules}}\n"
                        "- cite sources\n"
                        "- answer in {{lang}}\n"
                        "{{/rules}}\n"
                        "{{/layout}}\n"
                        "Q: {{q}}";
    char *out = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(tt_render(child, "{\"bot\":\"Ada\",\"lang\":\"French\",\"q\":\"why?\"}", partials,
                           LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_OK, "%s", err.message);
    cr_expect_str_eq(out, "You are Ada.\nRules:\n  - cite sources\n  - answer in French\n"
                          "Answer the question.\nQ: why?");
    llmops__free(out);
    /* The layout alone renders its defaults; a miss inside an override is
     * reported where the override is written. */
    cr_assert_eq(tt_render(child, "{\"bot\":\"Ada\",\"q\":\"why?\"}", partials,
                           LLMOPS__TMPL_PROMPT, &out, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'lang'") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "partial") == NULL, "%s", err.message);
    cr_expect_eq(err.line, 4);
    cr_expect_eq(err.column, 13);
}
