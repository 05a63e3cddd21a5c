#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "llmops.h"
#include "llmops_config.h"

Test(status, every_code_has_a_distinct_name)
{
    for (int i = 0; i < LLMOPS_STATUS__COUNT; i++) {
        const char *a = llmops_status_str((llmops_status)i);
        cr_assert_str_neq(a, "unknown", "status %d has no name", i);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(a, llmops_status_str((llmops_status)j), "codes %d and %d share a name", i, j);
    }
}

Test(status, known_names_and_unknown_codes)
{
    cr_assert_str_eq(llmops_status_str(LLMOPS_OK), "ok");
    cr_assert_str_eq(llmops_status_str(LLMOPS_E_RATE_LIMITED), "rate_limited");
    cr_assert_str_eq(llmops_status_str(LLMOPS_E_CONTRACT_VIOLATION), "contract_violation");
    cr_assert_str_eq(llmops_status_str((llmops_status)LLMOPS_STATUS__COUNT), "unknown");
    cr_assert_str_eq(llmops_status_str((llmops_status)-1), "unknown");
}

Test(status, codes_are_stable)
{
    /* Codes are ABI: these numbers must never change. */
    cr_assert_eq(LLMOPS_E_INVALID_ARGUMENT, 1);
    cr_assert_eq(LLMOPS_E_RATE_LIMITED, 18);
    cr_assert_eq(LLMOPS_E_TIMEOUT, 21);
    cr_assert_eq(LLMOPS_E_INTERNAL, 33);
}

Test(version, matches_header)
{
    cr_assert_str_eq(llmops_version(), LLMOPS_VERSION_STRING);
    cr_assert_eq(llmops_version_number(), LLMOPS_VERSION_NUMBER);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", LLMOPS_VERSION_MAJOR, LLMOPS_VERSION_MINOR,
             LLMOPS_VERSION_PATCH);
    cr_assert_str_eq(llmops_version(), expect);
}

/* Regression: features stayed 0 after the HTTP, YAML and PCRE2 modules
 * landed. */
Test(features, report_what_this_build_offers)
{
    unsigned f = llmops_features();
    cr_assert(f & LLMOPS_FEATURE_STREAMING);
    cr_assert_eq(!!(f & LLMOPS_FEATURE_HTTP), LLMOPS_HAVE_HTTP);
    cr_assert_eq(!!(f & LLMOPS_FEATURE_YAML), LLMOPS_HAVE_YAML);
    cr_assert_eq(!!(f & LLMOPS_FEATURE_PCRE2), LLMOPS_HAVE_PCRE2);
    cr_assert_eq(f & (LLMOPS_FEATURE_SQLITE | LLMOPS_FEATURE_REDIS | LLMOPS_FEATURE_OTLP), 0u,
                 "not built yet");
}
