/* Temporary prompt folders for the registry tests. */
#ifndef LLMOPS_TEST_PROMPT_FIXTURE_H
#define LLMOPS_TEST_PROMPT_FIXTURE_H

#include <stddef.h>

#include "core/strbuf.h"
#include "prompt/registry.h"

/* A new empty folder under /tmp (static buffer, valid until pf_cleanup). */
const char *pf_mkdir(void);
/* Remove the folder made by pf_mkdir and everything in it. */
void pf_cleanup(void);
/* "<pf dir>/<rel>" in a rotating static buffer. */
const char *pf_path(const char *rel);
/* Write `text` to <pf dir>/<rel>. */
void pf_write(const char *rel, const char *text);
/* Read <pf dir>/<rel> (malloc'd, NUL-terminated), NULL when missing. */
char *pf_read(const char *rel);
/* 1 if <pf dir>/<rel> exists. */
int pf_exists(const char *rel);

/* Skip the calling test, saying why, when the library has no YAML support
 * (front-matter needs it). */
void pf_need_yaml(void);

/* Parse `src` as prompt "t" (file "t.prompt"); on failure *err has the message. */
llmops_status pf_parse(const char *src, llmops__prompt **out, llmops__buf *err);

#endif
