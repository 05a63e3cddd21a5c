/* Test helpers shared by every suite: where the shared test data lives and
 * small file utilities. */
#ifndef LLMOPS_TEST_TESTDATA_H
#define LLMOPS_TEST_TESTDATA_H

#include <stddef.h>

/* $LLMOPS_TESTDATA, or ../shared/testdata beside the checkout. Static buffer. */
const char *lt_testdata_dir(void);
/* Path under the test data dir (static rotating buffer); NULL if the data dir
 * or the path does not exist. */
const char *lt_testdata_path(const char *rel);
/* Read a whole file; caller frees with free(). NULL on error. */
char *lt_read_file(const char *path, size_t *len);

#endif
