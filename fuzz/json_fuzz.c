/*
 * libFuzzer target for the JSON parser and writer.
 *
 * Build and run with fuzz/build.sh and fuzz/run.sh. For every input:
 *   - parse with small limits; a failure must carry a sane position and a
 *     printable message;
 *   - write compact, pretty, canonical, ASCII and canonical+ASCII; each must
 *     parse back to an equal value;
 *   - canonical output must be a fixed point (write(parse(c)) == c), and
 *     compact output too (it keeps number texts);
 *   - a deep copy must be equal and write the same bytes;
 *   - every member must be found by its key; numbers read consistently;
 *   - REJECT mode accepts only what LAST_WINS accepts, with an equal result.
 * Any violation calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops.h"

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "json_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                       \
            abort();                                                              \
        }                                                                         \
    } while (0)

static llmops_json_doc *parse(const char *text, size_t len, unsigned dupkeys,
                              llmops_status *st)
{
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.max_depth = 64;
    o.max_size = 1 << 20;
    o.duplicate_keys = dupkeys;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_json_doc *doc = NULL;
    *st = llmops_json_parse(&doc, text, len, &o, &err);
    if (*st != LLMOPS_OK) {
        CHECK(doc == NULL);
        CHECK(*st == LLMOPS_E_PARSE || *st == LLMOPS_E_LIMIT);
        CHECK(err.offset <= len);
        CHECK(err.line >= 1 && err.column >= 1);
        CHECK(err.message[0] != '\0');
        for (const char *m = err.message; *m; m++)
            CHECK((unsigned char)*m >= 0x20 && (unsigned char)*m < 0x7f);
    } else {
        CHECK(doc != NULL && llmops_json_doc_root(doc) != NULL);
    }
    return doc;
}

/* Walk the tree: lookups by key find the member, numbers are coherent. */
static void walk(const llmops_json *v, int depth)
{
    CHECK(depth <= 64);
    switch (llmops_json_type_of(v)) {
    case LLMOPS_JSON_NUMBER: {
        size_t len;
        const char *text = llmops_json_number_text(v, &len);
        CHECK(text && len > 0 && strlen(text) == len);
        int64_t i;
        double d;
        llmops_status si = llmops_json_get_int(v, &i);
        CHECK((si == LLMOPS_OK) == (llmops_json_is_int(v) != 0));
        CHECK(si == LLMOPS_OK || si == LLMOPS_E_RANGE);
        llmops_status sd = llmops_json_get_double(v, &d);
        CHECK(sd == LLMOPS_OK || sd == LLMOPS_E_RANGE);
        if (si == LLMOPS_OK)
            CHECK(sd == LLMOPS_OK && d == (double)i);
        break;
    }
    case LLMOPS_JSON_STRING: {
        size_t len;
        const char *s = llmops_json_string(v, &len);
        CHECK(s && s[len] == '\0');
        break;
    }
    case LLMOPS_JSON_ARRAY:
        for (size_t i = 0; i < llmops_json_size(v); i++)
            walk(llmops_json_at(v, i), depth + 1);
        CHECK(llmops_json_at(v, llmops_json_size(v)) == NULL);
        break;
    case LLMOPS_JSON_OBJECT:
        for (size_t i = 0; i < llmops_json_size(v); i++) {
            size_t klen;
            const char *k = llmops_json_key_at(v, i, &klen);
            CHECK(k != NULL);
            CHECK(llmops_json_getn(v, k, klen) == llmops_json_at(v, i));
            walk(llmops_json_at(v, i), depth + 1);
        }
        break;
    default:
        break;
    }
}

static char *write_form(const llmops_json *v, unsigned flags, size_t *len)
{
    char *out = NULL;
    CHECK(llmops_json_write(&out, len, v, flags) == LLMOPS_OK);
    CHECK(out && strlen(out) <= *len && out[*len] == '\0');
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    llmops_status st, st_reject;
    llmops_json_doc *doc = parse(text, size, LLMOPS_JSON_DUPKEYS_LAST_WINS, &st);
    llmops_json_doc *strict = parse(text, size, LLMOPS_JSON_DUPKEYS_REJECT, &st_reject);
    if (st_reject == LLMOPS_OK) {
        CHECK(st == LLMOPS_OK);
        CHECK(llmops_json_equal(llmops_json_doc_root(doc), llmops_json_doc_root(strict)));
    }
    llmops_json_doc_free(strict);
    if (!doc)
        return 0;
    const llmops_json *root = llmops_json_doc_root(doc);
    walk(root, 0);

    static const unsigned modes[] = {
        LLMOPS_JSON_WRITE_COMPACT, LLMOPS_JSON_WRITE_PRETTY, LLMOPS_JSON_WRITE_CANONICAL,
        LLMOPS_JSON_WRITE_ASCII, LLMOPS_JSON_WRITE_CANONICAL | LLMOPS_JSON_WRITE_ASCII,
        LLMOPS_JSON_WRITE_CANONICAL | LLMOPS_JSON_WRITE_PRETTY,
    };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        size_t len;
        char *out = write_form(root, modes[m], &len);
        llmops_status s2;
        llmops_json_doc *again = parse(out, len, LLMOPS_JSON_DUPKEYS_REJECT, &s2);
        CHECK(s2 == LLMOPS_OK);
        CHECK(llmops_json_equal(root, llmops_json_doc_root(again)));
        CHECK(llmops_json_equal(llmops_json_doc_root(again), root));
        if (modes[m] == LLMOPS_JSON_WRITE_COMPACT || (modes[m] & LLMOPS_JSON_WRITE_CANONICAL)) {
            size_t len2;
            char *twice = write_form(llmops_json_doc_root(again), modes[m], &len2);
            CHECK(len2 == len && memcmp(twice, out, len) == 0);
            llmops_free(twice);
        }
        if (modes[m] & LLMOPS_JSON_WRITE_ASCII)
            for (size_t i = 0; i < len; i++)
                CHECK((unsigned char)out[i] < 0x80);
        llmops_json_doc_free(again);
        llmops_free(out);
    }

    llmops_json_doc *copy_doc = NULL;
    CHECK(llmops_json_doc_new(&copy_doc) == LLMOPS_OK);
    llmops_json *copy = llmops_json_copy(copy_doc, root);
    CHECK(copy != NULL);
    CHECK(llmops_json_equal(copy, root));
    size_t a_len, b_len;
    char *a = write_form(root, LLMOPS_JSON_WRITE_COMPACT, &a_len);
    char *b = write_form(copy, LLMOPS_JSON_WRITE_COMPACT, &b_len);
    CHECK(a_len == b_len && memcmp(a, b, a_len) == 0);
    llmops_free(a);
    llmops_free(b);
    llmops_json_doc_free(copy_doc);
    llmops_json_doc_free(doc);
    return 0;
}
