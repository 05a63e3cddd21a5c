/* Prompt files: front-matter, sections, every parse error with its place,
 * and the content-hash version. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sha256.h"
#include "fixture.h"
#include "llmops_config.h"
#include "template/mustache.h"

static const char *SUPPORT =
    "---\n"
    "description: Answers a support question\n"
    "model: fast                 # a model name from llmops.yaml\n"
    "params: {temperature: 0.2}\n"
    "input_schema: {type: object, required: [question], properties: {question: {type: string}}}\n"
    "output: {format: json, schema: {type: object}}\n"
    "tools: [lookup_order]\n"
    "---\n"
    "[system]\n"
    "You are a support agent for {{product}}.\n"
    "[user]\n"
    "{{question}}\n";

static llmops__prompt *must_parse(const char *src)
{
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = pf_parse(src, &p, &err);
    cr_assert_eq(st, LLMOPS_OK, "parse failed (%s): %s", llmops_status_str(st),
                 err.data ? err.data : "");
    llmops__buf_free(&err);
    return p;
}

/* Parse must fail with `want`; the message must contain `needle`. */
static void must_fail(const char *src, llmops_status want, const char *needle)
{
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = pf_parse(src, &p, &err);
    cr_assert_eq(st, want, "want %s, got %s (%s) for:\n%s", llmops_status_str(want),
                 llmops_status_str(st), err.data ? err.data : "", src);
    cr_assert_null(p);
    cr_assert_not_null(err.data, "no message for:\n%s", src);
    cr_assert_not_null(strstr(err.data, needle), "message '%s' lacks '%s'", err.data, needle);
    llmops__buf_free(&err);
}

static void section_is(const llmops__prompt *p, size_t i, llmops_role role, const char *text,
                       unsigned line)
{
    llmops_role r;
    const char *t;
    size_t n;
    unsigned l;
    cr_assert_eq(llmops__prompt_section(p, i, &r, &t, &n, &l), 0, "no section %zu", i);
    cr_assert_eq(r, role, "section %zu role %d, want %d", i, (int)r, (int)role);
    cr_assert_eq(n, strlen(text), "section %zu length %zu, want %zu ('%s')", i, n, strlen(text),
                 t);
    cr_assert_str_eq(t, text);
    cr_assert_eq(l, line, "section %zu starts on line %u, want %u", i, l, line);
}

Test(parse, full_front_matter)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse(SUPPORT);
    cr_assert_str_eq(llmops__prompt_name(p), "t");
    cr_assert_str_eq(llmops__prompt_description(p), "Answers a support question");
    cr_assert_str_eq(llmops__prompt_model(p), "fast");
    double t = 0;
    cr_assert_eq(llmops_json_get_double(llmops_json_get(llmops__prompt_params(p), "temperature"),
                                        &t), LLMOPS_OK);
    cr_assert_float_eq(t, 0.2, 1e-12);
    const llmops_json *req = llmops_json_get(llmops__prompt_input_schema(p), "required");
    cr_assert_str_eq(llmops_json_string(llmops_json_at(req, 0), NULL), "question");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(llmops__prompt_output(p), "format"), NULL),
                     "json");
    cr_assert_eq(llmops_json_size(llmops__prompt_tools(p)), 1);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(llmops__prompt_tools(p), 0), NULL),
                     "lookup_order");
    cr_assert_eq(llmops__prompt_section_count(p), 2);
    section_is(p, 0, LLMOPS_ROLE_SYSTEM, "You are a support agent for {{product}}.", 10);
    section_is(p, 1, LLMOPS_ROLE_USER, "{{question}}", 12);
    size_t len;
    cr_assert_str_eq(llmops__prompt_source(p, &len), SUPPORT);
    cr_assert_eq(len, strlen(SUPPORT));
    cr_assert_eq(strlen(llmops__prompt_version(p)), 64);
    llmops__prompt_release(p);
}

Test(parse, without_front_matter)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("[user]\nHello {{name}}\n");
    cr_assert_eq(llmops_json_type_of(llmops__prompt_front(p)), LLMOPS_JSON_OBJECT);
    cr_assert_eq(llmops_json_size(llmops__prompt_front(p)), 0);
    cr_assert_null(llmops__prompt_model(p));
    cr_assert_null(llmops__prompt_description(p));
    cr_assert_null(llmops__prompt_params(p));
    cr_assert_null(llmops__prompt_input_schema(p));
    cr_assert_null(llmops__prompt_output(p));
    cr_assert_null(llmops__prompt_tools(p));
    section_is(p, 0, LLMOPS_ROLE_USER, "Hello {{name}}", 2);

    /* An empty front-matter is the same prompt as none. */
    llmops__prompt *q = must_parse("---\n---\n[user]\nHello {{name}}\n");
    cr_assert_str_eq(llmops__prompt_version(p), llmops__prompt_version(q));
    llmops__prompt *c = must_parse("---\n# only a comment\n---\n[user]\nHello {{name}}\n");
    cr_assert_str_eq(llmops__prompt_version(p), llmops__prompt_version(c));
    llmops__prompt_release(p);
    llmops__prompt_release(q);
    llmops__prompt_release(c);
}

Test(parse, section_text_boundaries)
{
    /* Text runs to the next header without the line end before it; the last
     * section loses only the file's final line end. */
    llmops__prompt *p = must_parse("\n  \n[system]\nA\n\n[user]  \nB\n  indented\n\n"
                                   "[assistant]\t\n[user]\nlast");
    cr_assert_eq(llmops__prompt_section_count(p), 4);
    section_is(p, 0, LLMOPS_ROLE_SYSTEM, "A\n", 4);
    section_is(p, 1, LLMOPS_ROLE_USER, "B\n  indented\n", 7);
    section_is(p, 2, LLMOPS_ROLE_ASSISTANT, "", 11);
    section_is(p, 3, LLMOPS_ROLE_USER, "last", 12);
    llmops__prompt_release(p);

    /* Lines that only look like headers are text. */
    p = must_parse("[user]\n[user] says\n [system]\n[tool]\n[User]\n");
    cr_assert_eq(llmops__prompt_section_count(p), 1);
    section_is(p, 0, LLMOPS_ROLE_USER, "[user] says\n [system]\n[tool]\n[User]", 2);
    llmops__prompt_release(p);

    /* A header as the very last line, with no line end, opens an empty section. */
    p = must_parse("[user]\nq\n[assistant]");
    section_is(p, 0, LLMOPS_ROLE_USER, "q", 2);
    section_is(p, 1, LLMOPS_ROLE_ASSISTANT, "", 4);
    llmops__prompt_release(p);

    /* Only one final line end goes. */
    p = must_parse("[user]\nq\n\n");
    section_is(p, 0, LLMOPS_ROLE_USER, "q\n", 2);
    llmops__prompt_release(p);
}

Test(parse, byte_order_mark_is_not_content)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("\xEF\xBB\xBF---\nmodel: fast\n---\n[user]\nhi\n");
    llmops__prompt *q = must_parse("---\nmodel: fast\n---\n[user]\nhi\n");
    cr_assert_str_eq(llmops__prompt_model(p), "fast");
    cr_assert_str_eq(llmops__prompt_version(p), llmops__prompt_version(q));
    llmops__prompt_release(p);
    llmops__prompt_release(q);
}

Test(parse, crlf_line_ends)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("---\r\nmodel: fast\r\n---\r\n[system]\r\nbe brief\r\n"
                                   "[user]\r\nhi\r\nthere\r\n");
    cr_assert_str_eq(llmops__prompt_model(p), "fast");
    section_is(p, 0, LLMOPS_ROLE_SYSTEM, "be brief", 5);
    section_is(p, 1, LLMOPS_ROLE_USER, "hi\r\nthere", 7);
    llmops__prompt_release(p);
}

Test(parse, errors_with_places)
{
    pf_need_yaml();
    must_fail("\n  hello\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:3: text before the first [system], [user] or [assistant] section");
    must_fail("---\nmodel: fast\n---\n", LLMOPS_E_PARSE,
              "t.prompt:3:1: no [system], [user] or [assistant] section");
    must_fail("", LLMOPS_E_PARSE, "no [system], [user] or [assistant] section");
    must_fail("---\nmodel: fast\n[user]\nhi\n", LLMOPS_E_PARSE,
              "t.prompt:1:1: front-matter opened here is never closed");
    must_fail("---\ndescription: d\nmodle: fast\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:3:1: unknown front-matter key 'modle'");
    must_fail("---\ndescription: d\nparams: 3\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:3:9: front-matter key 'params' must be a mapping, not number");
    must_fail("---\nmodel: ''\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:8: front-matter key 'model' must be a non-empty string");
    must_fail("---\ntools: [a, 3]\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:12: front-matter entry of 'tools' must be a non-empty string");
    must_fail("---\ntools: a\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:8: front-matter key 'tools' must be a list of strings");
    must_fail("---\noutput:\n  format: xml\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:3:11: front-matter key 'output.format' must be \"text\" or \"json\"");
    must_fail("---\noutput:\n  format: json\n  strict: true\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:4:3: front-matter has an unknown key 'output.strict'");
    must_fail("---\noutput: {max_length: -1}\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "front-matter key 'output.max_length' must be a non-negative integer");
    must_fail("---\ninput_schema: 1\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:15: front-matter key 'input_schema' must be a schema");
    must_fail("---\n- a\n- b\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:2:1: front-matter is not a mapping:");
    /* Broken YAML: the parser's own position, moved to the file's lines. */
    must_fail("---\ndescription: d\nmodel: [a\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "t.prompt:");
    must_fail("---\ndescription: d\nmodel: [a\n---\n[user]\nx\n", LLMOPS_E_PARSE,
              "front-matter:");
    must_fail("---\nmodel: a\nmodel: b\n---\n[user]\nx\n", LLMOPS_E_PARSE, "t.prompt:3:");
    /* Other places a message mentions are file places too. */
    must_fail("---\nmodel: a\nmodel: b\n---\n[user]\nx\n", LLMOPS_E_PARSE, "at 2:1");
    must_fail("[user]\nab\xff\n", LLMOPS_E_PARSE, "t.prompt:2:3: not valid UTF-8");
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prompt_parse(&p, "t", "t.prompt", "[user]\nx\n\0y", 11, &err),
                 LLMOPS_E_PARSE);
    cr_assert_not_null(strstr(err.data, "t.prompt:3:1: a NUL byte"), "%s", err.data);
    llmops__buf_free(&err);
}

Test(parse, template_errors_name_file_line_column)
{
    pf_need_yaml();
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    /* The [user] text starts on line 4; the unclosed tag is on its second
     * line (file line 5), at column 7. */
    llmops_status st = pf_parse("[system]\nok\n[user]\nfirst\nHello {{name\n", &p, &err);
    cr_assert_eq(st, LLMOPS_E_PARSE, "got %s", llmops_status_str(st));
    cr_assert_not_null(strstr(err.data, "t.prompt:5:7: [user] section:"), "%s", err.data);
    llmops__buf_free(&err);

    st = pf_parse("[system]\n{{#open}}\nx\n", &p, &err);
    cr_assert_eq(st, LLMOPS_E_PARSE);
    cr_assert_not_null(strstr(err.data, "t.prompt:2:"), "%s", err.data);
    cr_assert_not_null(strstr(err.data, "[system] section"), "%s", err.data);
    llmops__buf_free(&err);

    st = pf_parse("---\nmodel: m\n---\n[user]\n{{#a}}\n{{/b}}\n", &p, &err);
    cr_assert_eq(st, LLMOPS_E_PARSE);
    cr_assert_not_null(strstr(err.data, "t.prompt:6:1: [user] section"), "%s", err.data);
    cr_assert_not_null(strstr(err.data, "at 5:1"), "%s", err.data);   /* where 'a' opened */
    llmops__buf_free(&err);
}

Test(parse, size_limit)
{
    size_t n = LLMOPS__PROMPT_MAX_BYTES + 1;
    char *big = malloc(n + 1);
    memcpy(big, "[user]\n", 7);
    memset(big + 7, 'x', n - 7);
    big[n] = '\0';
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prompt_parse(&p, "t", "t.prompt", big, n, &err), LLMOPS_E_LIMIT);
    cr_assert_not_null(strstr(err.data, "t.prompt:"), "%s", err.data);
    llmops__buf_free(&err);
    free(big);
}

Test(version, is_sha256_of_canonical_json)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse("[system]\nBe \"brief\".\n[user]\n{{q}}\n");
    const char *canon = "{\"front\":{},\"sections\":[{\"role\":\"system\",\"text\":"
                        "\"Be \\\"brief\\\".\"},{\"role\":\"user\",\"text\":\"{{q}}\"}]}";
    char want[65];
    llmops__sha256_hex(canon, strlen(canon), want);
    cr_assert_str_eq(llmops__prompt_version(p), want);
    llmops__prompt_release(p);

    p = must_parse("---\nmodel: fast\nparams: {temperature: 0.5, max_output_tokens: 10}\n---\n"
                   "[user]\nhi\n");
    canon = "{\"front\":{\"model\":\"fast\",\"params\":{\"max_output_tokens\":10,"
            "\"temperature\":0.5}},\"sections\":[{\"role\":\"user\",\"text\":\"hi\"}]}";
    llmops__sha256_hex(canon, strlen(canon), want);
    cr_assert_str_eq(llmops__prompt_version(p), want);
    llmops__prompt_release(p);
}

static void same_version(const char *a, const char *b, int want_same)
{
    llmops__prompt *pa = must_parse(a), *pb = must_parse(b);
    if (want_same)
        cr_assert_str_eq(llmops__prompt_version(pa), llmops__prompt_version(pb),
                         "versions differ:\n%s\n---- vs ----\n%s", a, b);
    else
        cr_assert_str_neq(llmops__prompt_version(pa), llmops__prompt_version(pb),
                          "versions equal:\n%s\n---- vs ----\n%s", a, b);
    llmops__prompt_release(pa);
    llmops__prompt_release(pb);
}

Test(version, yaml_formatting_keeps_it)
{
    pf_need_yaml();
    const char *base = "---\nparams: {temperature: 0.2}\nmodel: fast\ntools: [a, b]\n---\n"
                       "[user]\n{{q}}\n";
    same_version(base,
                 "---\n# reformatted\nmodel:   \"fast\"   # comment\nparams:\n"
                 "  temperature: 0.20\ntools:\n  - a\n  - 'b'\n---   \n[user]\n{{q}}\n",
                 1);
    same_version(base, "---\nmodel: fast\nparams: {temperature: 2e-1}\ntools: [a, b]\n---\n"
                       "[user]\n{{q}}",
                 1);
    /* CRLF around the front-matter changes nothing either. */
    same_version(base, "---\r\nparams: {temperature: 0.2}\r\nmodel: fast\r\ntools: [a, b]\r\n"
                       "---\r\n[user]\n{{q}}\n",
                 1);
}

Test(version, any_content_change_moves_it)
{
    pf_need_yaml();
    const char *base = "---\nmodel: fast\n---\n[system]\nS\n[user]\n{{q}}\n";
    same_version(base, "---\nmodel: fast\n---\n[system]\nS\n[user]\n{{q}} \n", 0);
    same_version(base, "---\nmodel: fast\n---\n[system]\nS\n[user]\n{{ q }}\n", 0);
    same_version(base, "---\nmodel: fast\n---\n[system]\nS\n[assistant]\n{{q}}\n", 0);
    same_version(base, "---\nmodel: slow\n---\n[system]\nS\n[user]\n{{q}}\n", 0);
    same_version(base, "---\nmodel: fast\nparams: {}\n---\n[system]\nS\n[user]\n{{q}}\n", 0);
    same_version(base, "---\nmodel: fast\n---\n[user]\nS\n[user]\n{{q}}\n", 0);
    same_version(base, "---\nmodel: fast\n---\n[system]\nS\n\n[user]\n{{q}}\n", 0);
    same_version(base, "---\nmodel: fast\n---\n[system]\nS\n[user]\n{{q}}\n[user]\n", 0);
}

Test(parse, names_across_sections)
{
    llmops__prompt *p = must_parse("[system]\n{{a}} {{#b}}{{c}}{{/b}}\n[user]\n{{d.e}} {{a}}\n");
    char **names = NULL;
    size_t n = 0;
    cr_assert_eq(llmops__prompt_names(p, &names, &n), LLMOPS_OK);
    cr_assert_eq(n, 3, "got %zu names", n);
    cr_assert_str_eq(names[0], "a");
    cr_assert_str_eq(names[1], "b");
    cr_assert_str_eq(names[2], "d");
    llmops__tmpl_names_free(names, n);
    llmops__prompt_release(p);
}

Test(parse, names_ok)
{
    cr_assert(llmops__prompt_name_ok("support.answer_v2-x", 19));
    cr_assert(llmops__prompt_name_ok("0abc", 4));
    cr_assert_not(llmops__prompt_name_ok("", 0));
    cr_assert_not(llmops__prompt_name_ok("-x", 2));
    cr_assert_not(llmops__prompt_name_ok(".x", 2));
    cr_assert_not(llmops__prompt_name_ok("Upper", 5));
    cr_assert_not(llmops__prompt_name_ok("a/b", 3));
    cr_assert_not(llmops__prompt_name_ok("a@b", 3));
    char longname[LLMOPS__PROMPT_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname);
    cr_assert(llmops__prompt_name_ok(longname, LLMOPS__PROMPT_NAME_MAX));
    cr_assert_not(llmops__prompt_name_ok(longname, LLMOPS__PROMPT_NAME_MAX + 1));
}

Test(parse, retain_release)
{
    pf_need_yaml();
    llmops__prompt *p = must_parse(SUPPORT);
    llmops__prompt_retain(p);
    llmops__prompt_release(p);
    cr_assert_eq(llmops__prompt_section_count(p), 2);   /* still alive */
    llmops__prompt_release(p);
    llmops__prompt_release(NULL);
}

Test(parse, front_matter_needs_yaml_support)
{
    llmops__prompt *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = pf_parse("---\nmodel: a\n---\n[user]\nx\n", &p, &err);
#if LLMOPS_HAVE_YAML
    cr_assert_eq(st, LLMOPS_OK, "%s", err.data ? err.data : "");
    cr_assert_str_eq(llmops__prompt_model(p), "a");
#else
    cr_assert_eq(st, LLMOPS_E_UNSUPPORTED, "got %s", llmops_status_str(st));
    cr_assert_not_null(strstr(err.data, "t.prompt:1:1: front-matter needs YAML support"), "%s",
                       err.data);
#endif
    llmops__prompt_release(p);
    llmops__buf_free(&err);
    /* Without front-matter, YAML is never needed. */
    cr_assert_eq(pf_parse("[user]\nx\n", &p, NULL), LLMOPS_OK);
    llmops__prompt_release(p);
}
