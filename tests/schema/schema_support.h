/* Helpers for the schema suite: parsing JSON text, a resolver that serves
 * the official suite's remotes from disk, and running suite files. */
#ifndef LLMOPS_TEST_SCHEMA_SUPPORT_H
#define LLMOPS_TEST_SCHEMA_SUPPORT_H

#include <stddef.h>

#include "core/strbuf.h"
#include "llmops/json.h"
#include "schema/schema.h"

/* Parse NUL-terminated JSON text; aborts the test on a parse error. */
llmops_json_doc *st_parse(const char *text);

/* Resolver for http://localhost:1234/<path> -> <testdata>/jsonschema/remotes/<path>.
 * Documents stay loaded until st_remotes_free. */
typedef struct st_remotes {
    llmops_json_doc **docs;
    size_t n, cap;
    size_t calls;
} st_remotes;

const llmops_json *st_resolve(void *ud, const char *uri);
void st_remotes_free(st_remotes *r);

typedef struct st_counts {
    size_t passed, failed, compile_errors;
    size_t skipped; /* cases whose schema needs PCRE2 in a build without it */
} st_counts;

/* Run one suite file; failures are printed to stderr with their
 * descriptions. Returns 0, or -1 when the file cannot be read or parsed. */
int st_run_file(const char *path, int format_assert, st_counts *out);

#endif
