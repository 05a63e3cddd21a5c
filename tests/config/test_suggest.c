/* Edit distance and "did you mean" picks. */
#include <criterion/criterion.h>

#include <string.h>

#include "config/suggest.h"

static size_t dist(const char *a, const char *b)
{
    return llmops__edit_distance(a, strlen(a), b, strlen(b), 100);
}

Test(suggest, distance)
{
    cr_expect_eq(dist("", ""), 0);
    cr_expect_eq(dist("abc", ""), 3);
    cr_expect_eq(dist("base_ur", "base_url"), 1);
    cr_expect_eq(dist("kitten", "sitting"), 3);
    cr_expect_eq(dist("tpye", "type"), 1);          /* adjacent swap counts once */
    cr_expect_eq(dist("Base_URL", "base_url"), 0);  /* letter case is free */
    cr_expect_eq(dist("flaw", "lawn"), 2);
}

Test(suggest, distance_cap_stops_early)
{
    cr_expect_eq(llmops__edit_distance("aaaaaaaa", 8, "bbbbbbbb", 8, 2), 3);
    cr_expect_eq(llmops__edit_distance("a", 1, "abcdef", 6, 2), 3);
    char longw[100];
    memset(longw, 'x', sizeof longw);
    cr_expect_eq(llmops__edit_distance(longw, sizeof longw, longw, sizeof longw, 5), 6);
}

Test(suggest, picks_the_closest_plausible_word)
{
    static const char *const keys[] = { "type", "base_url", "api_key_env", "api_version",
                                        "timeouts", "max_request_bytes", "max_response_bytes" };
    size_t n = sizeof keys / sizeof keys[0];
    cr_expect_str_eq(llmops__suggest("base_ur", keys, n), "base_url");
    cr_expect_str_eq(llmops__suggest("tpye", keys, n), "type");
    cr_expect_str_eq(llmops__suggest("api_key_envv", keys, n), "api_key_env");
    cr_expect_str_eq(llmops__suggest("max_reponse_bytes", keys, n), "max_response_bytes");
    cr_expect_str_eq(llmops__suggest("TIMEOUTS", keys, n), "timeouts");
    cr_expect_null(llmops__suggest("colour", keys, n));
    cr_expect_null(llmops__suggest("x", keys, n));
    cr_expect_null(llmops__suggest("type", keys, n));  /* equal is no typo */
    cr_expect_null(llmops__suggest("zzzz", NULL, 0));
}
