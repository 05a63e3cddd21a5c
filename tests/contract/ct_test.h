/* Helpers for the contract suite: building contracts from JSON text and
 * finding violations in a result. */
#ifndef LLMOPS_TEST_CT_TEST_H
#define LLMOPS_TEST_CT_TEST_H

#include <criterion/criterion.h>
#include <stddef.h>

#include "contract/contract.h"
#include "llmops_config.h"

/* Pattern rules need PCRE2; without it such tests say so and skip. */
#define CT_NEED_PCRE2()                                                               \
    do {                                                                              \
        if (!LLMOPS_HAVE_PCRE2)                                                       \
            cr_skip_test("this build has no PCRE2, so pattern rules cannot be tested"); \
    } while (0)

typedef struct ct_spec {
    int json;
    const char *schema;  /* JSON text or NULL */
    int extract;
    size_t max_length;
    const char *const *required;
    size_t nrequired;
    const char *const *forbidden;
    size_t nforbidden;
} ct_spec;

/* Compile, asserting success; the schema document is freed before return,
 * so every test also checks that a contract does not keep it. */
llmops__contract *ct_make(const ct_spec *s);

/* Compile expecting failure: returns the status, *msg gets the error text
 * (free with free()). */
llmops_status ct_make_fail(const ct_spec *s, char **msg);

/* Check `text` (strlen), asserting the check ran. */
void ct_check(const llmops__contract *c, const char *text, llmops__contract_result *res);

/* The nth (0-based) violation of `kind`, or NULL. */
const llmops__violation *ct_find(const llmops__contract_result *r, const char *kind, size_t nth);
size_t ct_count(const llmops__contract_result *r, const char *kind);

/* A compiled schema from JSON text (asserting it compiles). */
llmops__schema *ct_schema(const char *json);

/* A parsed document (asserting it parses). */
llmops_json_doc *ct_doc(const char *json);

#endif
