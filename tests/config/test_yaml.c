/* YAML → JSON mapping: core-schema scalars, nesting, anchors, limits,
 * errors with positions, and the position side table. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "config/yaml.h"
#include "core/alloc.h"
#include "llmops_config.h"

typedef struct parsed {
    llmops_status st;
    llmops_json_doc *doc;
    llmops__yaml_positions *pos;
    llmops__buf err;
} parsed;

static parsed parse(const char *text)
{
    parsed p;
    memset(&p, 0, sizeof p);
    p.st = llmops__yaml_parse(text, strlen(text), &p.doc, &p.pos, &p.err);
    return p;
}

static void done(parsed *p)
{
    llmops_json_doc_free(p->doc);
    llmops__yaml_positions_free(p->pos);
    llmops__buf_free(&p->err);
}

static const llmops_json *root(const parsed *p)
{
    return llmops_json_doc_root(p->doc);
}

/* Compact JSON of the parsed document; the caller frees it. */
static char *as_json(const char *yaml)
{
    parsed p = parse(yaml);
    cr_assert_eq(p.st, LLMOPS_OK, "parse failed (%d): %s\ninput:\n%s", p.st,
                 p.err.data ? p.err.data : "", yaml);
    char *out = NULL;
    cr_assert_eq(llmops_json_write(&out, NULL, root(&p), LLMOPS_JSON_WRITE_COMPACT), LLMOPS_OK);
    char *copy = strdup(out);
    llmops_free(out);
    done(&p);
    return copy;
}

static void expect_json(const char *yaml, const char *json)
{
    char *got = as_json(yaml);
    cr_expect_str_eq(got, json, "input:\n%s", yaml);
    free(got);
}

/* Asserts a failure with status `st` whose message is exactly `msg`. */
static void expect_error(const char *yaml, llmops_status st, const char *msg)
{
    parsed p = parse(yaml);
    cr_expect_eq(p.st, st, "status %d, want %d; message: %s\ninput:\n%s", p.st, st,
                 p.err.data ? p.err.data : "", yaml);
    cr_expect_null(p.doc);
    cr_expect_null(p.pos);
    cr_expect_str_eq(p.err.data ? p.err.data : "", msg, "input:\n%s", yaml);
    done(&p);
}

static void setup(void)
{
    if (!LLMOPS_HAVE_YAML)
        cr_skip_test("built without libyaml");
}

TestSuite(yaml, .init = setup);

Test(yaml, empty_input_is_null)
{
    expect_json("", "null");
    expect_json("# only a comment\n", "null");
    expect_json("---\n", "null");
}

Test(yaml, core_schema_null_and_bool)
{
    expect_json("[null, Null, NULL, ~, ]", "[null,null,null,null]");
    expect_json("a:\nb: ~\n", "{\"a\":null,\"b\":null}");
    expect_json("[true, True, TRUE, false, False, FALSE]", "[true,true,true,false,false,false]");
    /* YAML 1.1 booleans are strings in 1.2. */
    expect_json("[yes, no, on, off, nULL, tRUE]",
                "[\"yes\",\"no\",\"on\",\"off\",\"nULL\",\"tRUE\"]");
}

Test(yaml, core_schema_numbers)
{
    expect_json("[0, -7, +12, 007, 0x1F, 0o17, 9223372036854775807, -9223372036854775808]",
                "[0,-7,12,7,31,15,9223372036854775807,-9223372036854775808]");
    expect_json("[1.5, -0.25, .5, +.5, 1., 1e3, 2.5E-3, -1.0e+2]",
                "[1.5,-0.25,0.5,0.5,1,1000,0.0025,-100]");
    /* Beyond int64 a decimal becomes the nearest double. */
    expect_json("[18446744073709551616]", "[18446744073709552000]");
    /* Not numbers in the core schema: strings. */
    expect_json("[1_000, 0b101, 1:30, 0x, 0o8, 1e, '12', \"3.5\", 12abc, -0x10, 0xG]",
                "[\"1_000\",\"0b101\",\"1:30\",\"0x\",\"0o8\",\"1e\",\"12\",\"3.5\","
                "\"12abc\",\"-0x10\",\"0xG\"]");
}

Test(yaml, numbers_read_back_exactly)
{
    parsed p = parse("i: 123456789012345\nd: 0.1\nh: 0x7fffffffffffffff\n");
    cr_assert_eq(p.st, LLMOPS_OK);
    int64_t i;
    double d;
    cr_assert_eq(llmops_json_get_int(llmops_json_get(root(&p), "i"), &i), LLMOPS_OK);
    cr_expect_eq(i, 123456789012345);
    cr_assert_eq(llmops_json_get_double(llmops_json_get(root(&p), "d"), &d), LLMOPS_OK);
    cr_expect_eq(d, 0.1);
    cr_assert_eq(llmops_json_get_int(llmops_json_get(root(&p), "h"), &i), LLMOPS_OK);
    cr_expect_eq(i, INT64_MAX);
    done(&p);
}

Test(yaml, inf_nan_and_range_are_errors)
{
    expect_error("x: .inf\n", LLMOPS_E_PARSE,
                 "1:4: '.inf' is not a JSON number (JSON has no infinity or NaN); quote it to "
                 "make it a string");
    expect_error("- 1\n- -.INF\n", LLMOPS_E_PARSE,
                 "2:3: '-.INF' is not a JSON number (JSON has no infinity or NaN); quote it to "
                 "make it a string");
    expect_error("[.NaN]", LLMOPS_E_PARSE,
                 "1:2: '.NaN' is not a JSON number (JSON has no infinity or NaN); quote it to "
                 "make it a string");
    expect_error("n: 1e999\n", LLMOPS_E_PARSE, "1:4: number '1e999' is out of range");
    expect_error("n: 0x10000000000000000\n", LLMOPS_E_PARSE,
                 "1:4: number '0x10000000000000000' is out of range");
    /* Quoted, they are strings. */
    expect_json("['.inf', \".nan\"]", "[\".inf\",\".nan\"]");
}

Test(yaml, quoted_and_block_scalars_are_strings)
{
    expect_json("a: 'true'\nb: \"null\"\nc: '1'\nd: |\n  12\n  x\ne: >\n  folded\n  text\n",
                "{\"a\":\"true\",\"b\":\"null\",\"c\":\"1\",\"d\":\"12\\nx\\n\","
                "\"e\":\"folded text\\n\"}");
    expect_json("s: \"tab\\there \\u00e9 \\U0001F600\"\n", "{\"s\":\"tab\\there é 😀\"}");
    expect_json("s: ''\n", "{\"s\":\"\"}");
}

Test(yaml, nesting_and_order)
{
    expect_json("z: 1\na:\n  - x\n  - {k: v, j: [1, [2, {}], []]}\nm: {}\n",
                "{\"z\":1,\"a\":[\"x\",{\"k\":\"v\",\"j\":[1,[2,{}],[]]}],\"m\":{}}");
    expect_json("- - - deep\n", "[[[\"deep\"]]]");
    expect_json("just a string", "\"just a string\"");
}

Test(yaml, keys_become_strings_as_written)
{
    expect_json("1: a\ntrue: b\n~: c\n0x10: d\n'q': e\n", "{\"1\":\"a\",\"true\":\"b\",\"~\":\"c\","
                                                       "\"0x10\":\"d\",\"q\":\"e\"}");
    expect_error("? [a, b]\n: c\n", LLMOPS_E_PARSE,
                 "1:3: a mapping key must be a scalar, not a sequence");
    expect_error("? {a: 1}\n: c\n", LLMOPS_E_PARSE,
                 "1:3: a mapping key must be a scalar, not a mapping");
}

Test(yaml, core_tags)
{
    expect_json("[!!str 12, !!str true, !!int '42', !!float 3, !!bool 'false', !!null '', ! 12]",
                "[\"12\",\"true\",42,3,false,null,\"12\"]");
    expect_json("!!map {a: !!seq [1]}", "{\"a\":[1]}");
    expect_error("x: !!int abc\n", LLMOPS_E_PARSE, "1:4: 'abc' is not a valid !!int");
    expect_error("x: !!int 1.5\n", LLMOPS_E_PARSE, "1:4: '1.5' is not a valid !!int");
    expect_error("x: !!bool yes\n", LLMOPS_E_PARSE, "1:4: 'yes' is not a valid !!bool");
}

Test(yaml, other_tags_are_errors)
{
    expect_error("x: !custom 1\n", LLMOPS_E_PARSE,
                 "1:4: unsupported tag '!custom' on a scalar (only the YAML 1.2 core tags !!str, "
                 "!!null, !!bool, !!int and !!float are allowed)");
    expect_error("x: !!binary aGk=\n", LLMOPS_E_PARSE,
                 "1:4: unsupported tag 'tag:yaml.org,2002:binary' on a scalar (only the YAML 1.2 "
                 "core tags !!str, !!null, !!bool, !!int and !!float are allowed)");
    expect_error("x: !!seq {a: 1}\n", LLMOPS_E_PARSE,
                 "1:4: unsupported tag 'tag:yaml.org,2002:seq' on a mapping (only !!map is "
                 "allowed)");
    expect_error("- !!python/object:os.system [ls]\n", LLMOPS_E_PARSE,
                 "1:3: unsupported tag 'tag:yaml.org,2002:python/object:os.system' on a "
                 "sequence (only !!seq is allowed)");
}

Test(yaml, duplicate_keys_name_both_positions)
{
    expect_error("a: 1\nb: 2\na: 3\n", LLMOPS_E_PARSE,
                 "3:1: duplicate key 'a' (first defined at 1:1)");
    expect_error("top:\n  x: 1\n  y: 2\n  'x': 3\n", LLMOPS_E_PARSE,
                 "4:3: duplicate key 'x' (first defined at 2:3)");
    /* Keys compare as written strings: 1 and '1' are the same key. */
    expect_error("{1: a, '1': b}", LLMOPS_E_PARSE, "1:8: duplicate key '1' (first defined at 1:2)");
}

Test(yaml, duplicate_detection_in_large_mappings)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    for (int i = 0; i < 5000; i++)
        llmops__buf_printf(&b, "key%d: %d\n", i, i);
    llmops__buf_puts(&b, "key4321: again\n");
    llmops_json_doc *doc = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__yaml_parse(b.data, b.len, &doc, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_str_eq(err.data, "5001:1: duplicate key 'key4321' (first defined at 4322:1)");
    llmops__buf_free(&err);
    /* Without the duplicate the 5000 members all arrive, in order. */
    b.len -= strlen("key4321: again\n");
    cr_assert_eq(llmops__yaml_parse(b.data, b.len, &doc, NULL, NULL), LLMOPS_OK);
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_assert_eq(llmops_json_size(r), 5000);
    cr_expect_str_eq(llmops_json_key_at(r, 4999, NULL), "key4999");
    int64_t v;
    cr_expect_eq(llmops_json_get_int(llmops_json_get(r, "key2500"), &v), LLMOPS_OK);
    cr_expect_eq(v, 2500);
    llmops_json_doc_free(doc);
    llmops__buf_free(&b);
}

Test(yaml, anchors_and_aliases_expand)
{
    expect_json("base: &b {x: 1, y: [a, b]}\ncopy: *b\nlist: [*b, *b]\ns: &s hi\nt: *s\n",
                "{\"base\":{\"x\":1,\"y\":[\"a\",\"b\"]},\"copy\":{\"x\":1,\"y\":[\"a\",\"b\"]},"
                "\"list\":[{\"x\":1,\"y\":[\"a\",\"b\"]},{\"x\":1,\"y\":[\"a\",\"b\"]}],"
                "\"s\":\"hi\",\"t\":\"hi\"}");
    /* An anchor may be redefined; later aliases see the newer node. */
    expect_json("- &a 1\n- *a\n- &a 2\n- *a\n", "[1,1,2,2]");
    /* An alias of a scalar may be a key. */
    expect_json("k: &k name\n*k : v\n", "{\"k\":\"name\",\"name\":\"v\"}");
    /* The merge key has no special meaning in YAML 1.2. */
    expect_json("d: &d {a: 1}\ne: {<<: *d}\n", "{\"d\":{\"a\":1},\"e\":{\"<<\":{\"a\":1}}}");
}

Test(yaml, alias_errors)
{
    expect_error("a: *nope\n", LLMOPS_E_PARSE,
                 "1:4: alias '*nope' names no anchor defined before it");
    expect_error("a: &r [1, *r]\n", LLMOPS_E_PARSE,
                 "1:11: alias '*r' refers to a node that contains it");
    expect_error("a: &m {x: *m}\n", LLMOPS_E_PARSE,
                 "1:11: alias '*m' refers to a node that contains it");
}

Test(yaml, billion_laughs_is_bounded)
{
    const char *lol =
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    parsed p = parse(lol);
    cr_expect_eq(p.st, LLMOPS_E_LIMIT);
    cr_expect_null(p.doc);
    cr_expect(strstr(p.err.data, "expands to more than 1000000 nodes") != NULL, "%s", p.err.data);
    /* The failing alias is named by position: f alone would expand to
     * 1,111,111 nodes; its ninth alias crosses the million. */
    cr_expect_str_eq(p.err.data,
                     "6:36: the document expands to more than 1000000 nodes (aliases included)");
    done(&p);

    /* A few levels are fine and fully expanded. */
    char *small = as_json("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n");
    cr_expect_str_eq(small, "{\"a\":[\"x\",\"x\"],\"b\":[[\"x\",\"x\"],[\"x\",\"x\"]],"
                            "\"c\":[[[\"x\",\"x\"],[\"x\",\"x\"]],[[\"x\",\"x\"],[\"x\",\"x\"]]]}");
    free(small);
}

Test(yaml, depth_is_limited)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    for (unsigned i = 0; i < LLMOPS__YAML_MAX_DEPTH; i++)
        llmops__buf_putc(&b, '[');
    for (unsigned i = 0; i < LLMOPS__YAML_MAX_DEPTH; i++)
        llmops__buf_putc(&b, ']');
    llmops_json_doc *doc = NULL;
    cr_expect_eq(llmops__yaml_parse(b.data, b.len, &doc, NULL, NULL), LLMOPS_OK);
    llmops_json_doc_free(doc);
    llmops__buf_clear(&b);
    for (unsigned i = 0; i <= LLMOPS__YAML_MAX_DEPTH; i++)
        llmops__buf_putc(&b, '[');
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__yaml_parse(b.data, b.len, &doc, NULL, &err), LLMOPS_E_LIMIT);
    cr_expect_str_eq(err.data, "1:129: nesting deeper than 128 levels");
    llmops__buf_free(&err);
    llmops__buf_free(&b);

    /* Aliases cannot get around it: 100 levels used twice nest 200 deep. */
    llmops__buf d = LLMOPS__BUF_INIT;
    llmops__buf_puts(&d, "a: &x ");
    for (int i = 0; i < 100; i++)
        llmops__buf_putc(&d, '[');
    for (int i = 0; i < 100; i++)
        llmops__buf_putc(&d, ']');
    llmops__buf_puts(&d, "\nb: ");
    for (int i = 0; i < 50; i++)
        llmops__buf_putc(&d, '[');
    llmops__buf_puts(&d, "*x");
    for (int i = 0; i < 50; i++)
        llmops__buf_putc(&d, ']');
    llmops__buf_putc(&d, '\n');
    cr_expect_eq(llmops__yaml_parse(d.data, d.len, &doc, NULL, &err), LLMOPS_E_LIMIT);
    cr_expect(strstr(err.data, "nesting deeper than 128 levels (aliases included)") != NULL,
              "%s", err.data);
    llmops__buf_free(&err);
    llmops__buf_free(&d);
}

Test(yaml, multiple_documents_are_an_error)
{
    expect_error("a: 1\n---\nb: 2\n", LLMOPS_E_PARSE,
                 "2:1: a second YAML document starts here; only one is allowed");
    expect_error("--- 1\n--- 2\n", LLMOPS_E_PARSE,
                 "2:1: a second YAML document starts here; only one is allowed");
    /* An explicit end marker alone is still one document. */
    expect_json("a: 1\n...\n", "{\"a\":1}");
}

Test(yaml, syntax_errors_carry_libyaml_words_and_position)
{
    expect_error("a: b: c\n", LLMOPS_E_PARSE,
                 "1:5: mapping values are not allowed in this context");
    expect_error("key: [1, 2\nother: 3\n", LLMOPS_E_PARSE,
                 "2:6: did not find expected ',' or ']' (while parsing a flow sequence at 1:6)");
    expect_error("a:\n  - 1\n - 2\n", LLMOPS_E_PARSE,
                 "3:2: did not find expected key (while parsing a block mapping at 1:1)");
    expect_error("s: \"unterminated\n", LLMOPS_E_PARSE,
                 "2:1: found unexpected end of stream (while scanning a quoted scalar at 1:4)");
    expect_error("\tx: 1\n", LLMOPS_E_PARSE,
                 "1:1: found character that cannot start any token (while scanning for the next "
                 "token at 1:1)");
}

Test(yaml, bad_bytes_are_errors_not_crashes)
{
    static const char nul[] = "a: b\0c\n";
    llmops_json_doc *doc = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__yaml_parse(nul, sizeof nul - 1, &doc, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_null(doc);
    cr_expect(err.len > 0);
    llmops__buf_clear(&err);
    static const char bad_utf8[] = "a: \xff\xfe\n";
    cr_expect_eq(llmops__yaml_parse(bad_utf8, sizeof bad_utf8 - 1, &doc, NULL, &err),
                 LLMOPS_E_PARSE);
    llmops__buf_clear(&err);
    /* libyaml itself refuses an escaped lone surrogate. */
    cr_expect_eq(llmops__yaml_parse("s: \"\\ud800\"", 11, &doc, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_str_eq(err.data, "1:7: found invalid Unicode character escape code (while "
                               "parsing a quoted scalar at 1:4)");
    llmops__buf_free(&err);
    cr_expect_eq(llmops__yaml_parse(NULL, 3, &doc, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__yaml_parse("x", 1, NULL, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
}

Test(yaml, positions_of_values_and_keys)
{
    parsed p = parse("# header\nname: demo\nlist:\n  - one\n  -   two\nmap: {a: 1,  b: [x]}\n"
                     "s: &s text\nt: *s\n");
    cr_assert_eq(p.st, LLMOPS_OK, "%s", p.err.data);
    const llmops_json *r = root(&p);
    const llmops__yaml_pos *q = llmops__yaml_pos_of(p.pos, r);
    cr_assert_not_null(q);
    cr_expect_eq(q->line, 2);
    cr_expect_eq(q->column, 1);
    cr_expect_null(llmops__yaml_key_pos_of(p.pos, r));

    const llmops_json *name = llmops_json_get(r, "name");
    q = llmops__yaml_pos_of(p.pos, name);
    cr_assert_not_null(q);
    cr_expect(q->line == 2 && q->column == 7, "%u:%u", q->line, q->column);
    q = llmops__yaml_key_pos_of(p.pos, name);
    cr_assert_not_null(q);
    cr_expect(q->line == 2 && q->column == 1, "%u:%u", q->line, q->column);

    const llmops_json *list = llmops_json_get(r, "list");
    q = llmops__yaml_pos_of(p.pos, list);
    cr_expect(q && q->line == 4 && q->column == 3);
    q = llmops__yaml_pos_of(p.pos, llmops_json_at(list, 1));
    cr_expect(q && q->line == 5 && q->column == 7);
    cr_expect_null(llmops__yaml_key_pos_of(p.pos, llmops_json_at(list, 1)));

    const llmops_json *map = llmops_json_get(r, "map");
    q = llmops__yaml_pos_of(p.pos, map);
    cr_expect(q && q->line == 6 && q->column == 6);
    const llmops_json *b = llmops_json_get(map, "b");
    q = llmops__yaml_pos_of(p.pos, b);
    cr_expect(q && q->line == 6 && q->column == 17, "%u:%u", q ? q->line : 0, q ? q->column : 0);
    q = llmops__yaml_key_pos_of(p.pos, b);
    cr_expect(q && q->line == 6 && q->column == 14);
    q = llmops__yaml_pos_of(p.pos, llmops_json_at(b, 0));
    cr_expect(q && q->line == 6 && q->column == 18);

    /* An alias copy's root is placed at the alias. */
    q = llmops__yaml_pos_of(p.pos, llmops_json_get(r, "t"));
    cr_expect(q && q->line == 8 && q->column == 4);

    /* A value from another document is unknown. */
    llmops_json_doc *other = NULL;
    cr_assert_eq(llmops_json_doc_new(&other), LLMOPS_OK);
    cr_expect_null(llmops__yaml_pos_of(p.pos, llmops_json_new_null(other)));
    cr_expect_null(llmops__yaml_pos_of(NULL, r));
    llmops_json_doc_free(other);
    done(&p);
}

Test(yaml, positions_count_characters)
{
    parsed p = parse("é: [ü, x]\n");
    cr_assert_eq(p.st, LLMOPS_OK);
    const llmops_json *arr = llmops_json_get(root(&p), "é");
    const llmops__yaml_pos *q = llmops__yaml_pos_of(p.pos, llmops_json_at(arr, 1));
    cr_expect(q && q->line == 1 && q->column == 8, "%u:%u", q ? q->line : 0, q ? q->column : 0);
    done(&p);
}

Test(yaml, positions_cover_every_value_of_an_expansion)
{
    parsed p = parse("a: &a {k: [1, 2, {z: 3}]}\nb: [*a, *a]\n");
    cr_assert_eq(p.st, LLMOPS_OK);
    const llmops_json *b = llmops_json_get(root(&p), "b");
    const llmops_json *second = llmops_json_at(b, 1);
    const llmops__yaml_pos *q = llmops__yaml_pos_of(p.pos, second);
    cr_expect(q && q->line == 2 && q->column == 9);
    /* Inside the copy, values carry the anchored nodes' positions. */
    const llmops_json *z = llmops_json_get(llmops_json_at(llmops_json_get(second, "k"), 2), "z");
    q = llmops__yaml_pos_of(p.pos, z);
    cr_expect(q && q->line == 1 && q->column == 22, "%u:%u", q ? q->line : 0, q ? q->column : 0);
    done(&p);
}

Test(yaml, windows_line_ends_bom_and_utf16)
{
    static const char crlf[] = "\xef\xbb\xbf# saved on Windows\r\na: 1\r\nb:\r\n  - x\r\n";
    llmops_json_doc *doc = NULL;
    llmops__yaml_positions *pos = NULL;
    cr_assert_eq(llmops__yaml_parse(crlf, sizeof crlf - 1, &doc, &pos, NULL), LLMOPS_OK);
    char *out = NULL;
    cr_assert_eq(llmops_json_write(&out, NULL, llmops_json_doc_root(doc), 0), LLMOPS_OK);
    cr_expect_str_eq(out, "{\"a\":1,\"b\":[\"x\"]}");
    llmops_free(out);
    const llmops_json *b = llmops_json_get(llmops_json_doc_root(doc), "b");
    const llmops__yaml_pos *q = llmops__yaml_pos_of(pos, llmops_json_at(b, 0));
    cr_expect(q && q->line == 4 && q->column == 5, "%u:%u", q ? q->line : 0, q ? q->column : 0);
    llmops__yaml_positions_free(pos);
    llmops_json_doc_free(doc);

    /* UTF-16LE with a byte order mark: "k: é\n". */
    static const char utf16[] = "\xff\xfe" "k\0:\0 \0\xe9\0\n\0";
    cr_assert_eq(llmops__yaml_parse(utf16, sizeof utf16 - 1, &doc, NULL, NULL), LLMOPS_OK);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_doc_root(doc), "k"), NULL),
                     "\xc3\xa9");
    llmops_json_doc_free(doc);
}

Test(yaml, same_input_same_document)
{
    static const char text[] = "z: [1, {y: &a [2.5, 'q']}]\nx: *a\nw: !!str 7\n";
    char *first = as_json(text);
    for (int i = 0; i < 20; i++) {
        char *again = as_json(text);
        cr_assert_str_eq(again, first);
        free(again);
    }
    cr_expect_str_eq(first, "{\"z\":[1,{\"y\":[2.5,\"q\"]}],\"x\":[2.5,\"q\"],\"w\":\"7\"}");
    free(first);
}
