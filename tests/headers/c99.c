/* Compiled with -std=c99 -Wall -Wextra -pedantic -Werror: the public headers
 * must stay plain C99 for hosts that are not on C11. */
#include <llmops.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    llmops_json_error e = LLMOPS_JSON_ERROR_INIT;
    (void)o;
    (void)e;
    if (strcmp(llmops_version(), LLMOPS_VERSION_STRING) != 0)
        return 1;
    printf("c99 header check: %s\n", llmops_version());
    return 0;
}
