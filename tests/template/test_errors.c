/* Compile errors: status, position and message. */
#include <stdio.h>

#include "tmpl_test.h"

static llmops__tmpl_error compile_fails(const char *src, llmops_status want)
{
    llmops__tmpl *t = (llmops__tmpl *)1;
    llmops__tmpl_error err;
    llmops_status st = llmops__tmpl_compile(&t, src, strlen(src), &err);
    cr_assert_eq(st, want, "\"%s\": got %s (%s), want %s", src, llmops_status_str(st),
                 st ? err.message : "", llmops_status_str(want));
    cr_assert_null(t);
    cr_assert(err.message[0], "\"%s\": empty message", src);
    cr_assert(err.offset <= strlen(src));
    return err;
}

static void expect_at(llmops__tmpl_error err, unsigned line, unsigned col, const char *needle)
{
    cr_expect_eq(err.line, line, "line %u, want %u (%s)", err.line, line, err.message);
    cr_expect_eq(err.column, col, "column %u, want %u (%s)", err.column, col, err.message);
    cr_expect(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message,
              needle);
}

Test(template_errors, unclosed_section)
{
    llmops__tmpl_error e = compile_fails("intro\n  {{#items}}\n{{name}}\n", LLMOPS_E_PARSE);
    expect_at(e, 2, 3, "'items' is never closed");
    cr_expect_eq(e.offset, 8);
    e = compile_fails("{{#a}}{{^b}}x{{/b}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "'a'");
    e = compile_fails("{{<parent}}{{$blk}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 12, "'blk'");
}

Test(template_errors, mismatched_close)
{
    llmops__tmpl_error e = compile_fails("{{#a}}\n x {{/b}}", LLMOPS_E_PARSE);
    expect_at(e, 2, 4, "'a' opened at 1:1 is closed by 'b'");
    e = compile_fails("text {{/a}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 6, "without an open section");
    e = compile_fails("{{/}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "without a name");
}

Test(template_errors, unclosed_tag)
{
    llmops__tmpl_error e = compile_fails("ab\ncd {{name", LLMOPS_E_PARSE);
    expect_at(e, 2, 4, "unclosed tag");
    e = compile_fails("{{{name}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "'}}}'");
    e = compile_fails("{{=<% %>=}} <%name", LLMOPS_E_PARSE);
    expect_at(e, 1, 13, "'%>'");
    e = compile_fails("{{! comment never ends", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "unclosed tag");
}

Test(template_errors, bad_delimiters)
{
    llmops__tmpl_error e = compile_fails("x {{=<%=}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 3, "two delimiters");
    e = compile_fails("{{= <% %> extra =}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "two delimiters");
    e = compile_fails("{{= a=b c =}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "'='");
    e = compile_fails("{{==}}", LLMOPS_E_PARSE);
    expect_at(e, 1, 1, "two delimiters");
}

Test(template_errors, bad_names)
{
    expect_at(compile_fails("{{}}", LLMOPS_E_PARSE), 1, 1, "empty tag");
    expect_at(compile_fails("{{  }}", LLMOPS_E_PARSE), 1, 1, "empty tag");
    expect_at(compile_fails("a {{first last}}", LLMOPS_E_PARSE), 1, 3, "whitespace");
    expect_at(compile_fails("{{a..b}}", LLMOPS_E_PARSE), 1, 1, "empty part");
    expect_at(compile_fails("{{#.x}}{{/.x}}", LLMOPS_E_PARSE), 1, 1, "empty part");
    expect_at(compile_fails("{{#}}{{/}}", LLMOPS_E_PARSE), 1, 1, "without a name");
    expect_at(compile_fails("{{>}}", LLMOPS_E_PARSE), 1, 1, "partial tag without a name");
    expect_at(compile_fails("{{>*}}", LLMOPS_E_PARSE), 1, 1, "without a name");
    expect_at(compile_fails("{{> a b}}", LLMOPS_E_PARSE), 1, 1, "whitespace");
    expect_at(compile_fails("{{$ }}{{/ }}", LLMOPS_E_PARSE), 1, 1, "block tag without a name");
}

Test(template_errors, error_messages_are_printable)
{
    /* Names with control bytes are shown as '?', never verbatim. */
    const char src[] = "{{#a\x01\x02}}x{{/b\x7f}}";
    llmops__tmpl_error e = compile_fails(src, LLMOPS_E_PARSE);
    for (const char *m = e.message; *m; m++)
        cr_expect((unsigned char)*m >= 0x20 && (unsigned char)*m < 0x7f, "byte %02x in message",
                  (unsigned char)*m);
    cr_expect(strstr(e.message, "'a?" "?'") != NULL, "%s", e.message);
}

Test(template_errors, invalid_arguments)
{
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    cr_expect_eq(llmops__tmpl_compile(NULL, "x", 1, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__tmpl_compile(&t, NULL, 3, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__tmpl_compile(&t, NULL, 0, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__tmpl_render(t, NULL, 7, NULL, NULL, &b, &err),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__tmpl_render(NULL, NULL, 0, NULL, NULL, &b, &err),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__tmpl_render(t, NULL, 0, NULL, NULL, NULL, &err),
                 LLMOPS_E_INVALID_ARGUMENT);
    /* An empty template renders nothing, successfully. */
    cr_expect_eq(llmops__tmpl_render(t, NULL, 0, NULL, NULL, &b, NULL), LLMOPS_OK);
    cr_expect_eq(b.len, 0);
    char **names = NULL;
    size_t n = 0;
    cr_expect_eq(llmops__tmpl_names(t, NULL, &n), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__tmpl_names(t, &names, &n), LLMOPS_OK);
    cr_expect_eq(n, 0);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    llmops__tmpl_free(NULL);
    llmops__tmpl_names_free(NULL, 0);
}

Test(template_errors, source_need_not_be_terminated)
{
    /* Only `len` bytes count: a tag cut by the length is unclosed. */
    const char src[] = "abc {{x}} tail";
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(llmops__tmpl_compile(&t, src, 7, &err), LLMOPS_E_PARSE);
    cr_assert_eq(llmops__tmpl_compile(&t, src, 9, &err), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"x\":\"X\"}", 9, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 1, NULL, NULL, &b, NULL), LLMOPS_OK);
    cr_expect_str_eq(b.data, "abc X");
    llmops__buf_free(&b);
    llmops_json_doc_free(d);
    llmops__tmpl_free(t);
}
