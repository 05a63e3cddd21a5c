/*
 * Mustache templates (spec v1.4: interpolation, sections, inverted sections,
 * comments, partials, set delimiters, and the optional inheritance and
 * dynamic-names modules; lambdas are not supported, data is plain JSON).
 *
 * A template is compiled once into an immutable op list and rendered any
 * number of times, from any number of threads at once. Partials are looked
 * up at render time through a callback that returns their source; each
 * partial is compiled at most once per render call.
 *
 * Modes:
 *   LLMOPS__TMPL_SPEC    the official spec: {{x}} is HTML-escaped, a missing
 *                        name or partial renders as "".
 *   LLMOPS__TMPL_PROMPT  for prompts: nothing is escaped ({{x}} and {{{x}}}
 *                        alike); interpolating a missing name, or a dotted
 *                        name with a missing part, is LLMOPS_E_NOT_FOUND
 *                        naming it and its line:column; a missing partial is
 *                        LLMOPS_E_NOT_FOUND too. Sections and inverted
 *                        sections over a missing name are simply falsey
 *                        (that is how a prompt says "optional").
 *
 * Spec mode escapes & < > " and ' (as &amp; &lt; &gt; &quot; &#39;).
 * Values: strings as they are; numbers as their JSON text; true/false as
 * "true"/"false"; null as ""; arrays and objects as compact JSON (the spec
 * says nothing; compact JSON is what a prompt wants to see).
 * Falsey for sections: a missing name, null, false, [] and "" (the spec
 * leaves "" to the language; an empty string means "nothing to show" in a
 * prompt). Everything else, 0 and {} included, is truthy.
 *
 * Names: "a.b.c" finds "a" by walking up the context stack, then b and c
 * inside it only; "." is the current context. A dynamic partial or parent
 * ({{>*x}}, {{<*x}}) takes its name from the string value of x; a parent is
 * closed by a tag with the same content ("/" then "*x"). Inheritance follows the spec's
 * whitespace notes, with one simplification: a block outside a parent whose
 * open tag stands alone on its line counts as a standalone block (its
 * intrinsic indentation applies) whatever follows its close tag.
 *
 * Limits: sections, blocks and parents nest at most LLMOPS__TMPL_MAX_DEPTH
 * deep in one template (deeper is LLMOPS_E_LIMIT at compile time); partials
 * and parents nest at most LLMOPS__TMPL_MAX_PARTIAL_DEPTH deep while
 * rendering, and everything together (sections, partials, parents, blocks)
 * at most 256 deep (deeper, e.g. unbounded recursion, is LLMOPS_E_LIMIT);
 * one render executes at most LLMOPS__TMPL_MAX_STEPS ops. A render fits in a
 * 64 KiB thread stack even at the nesting cap (measured at -O2).
 */
#ifndef LLMOPS_TEMPLATE_MUSTACHE_H
#define LLMOPS_TEMPLATE_MUSTACHE_H

#include <stddef.h>

#include "llmops/common.h"
#include "llmops/json.h"
#include "core/strbuf.h"

#define LLMOPS__TMPL_MAX_DEPTH 100
#define LLMOPS__TMPL_MAX_PARTIAL_DEPTH 64
/* Ops executed by one render at most (a guard against templates whose loops
 * or partials multiply without bound); beyond it render is LLMOPS_E_LIMIT. */
#define LLMOPS__TMPL_MAX_STEPS (1u << 25)

typedef struct llmops__tmpl llmops__tmpl; /* compiled template, immutable, shareable across threads */

/* Where and why compiling or rendering failed. offset is 0-based bytes,
 * line and column 1-based (column in bytes). When the problem is inside a
 * partial, the position is inside that partial and the message names it. */
typedef struct llmops__tmpl_error {
    size_t offset;
    unsigned line, column;
    char message[160];
} llmops__tmpl_error;

enum {
    LLMOPS__TMPL_SPEC = 0,   /* spec mode: {{x}} HTML-escaped, a missing name renders as "" */
    LLMOPS__TMPL_PROMPT = 1  /* prompt mode: no HTML escaping, a missing name is an error */
};

/* Partial lookup: set *src and *len to the partial's source (borrowed; it must
 * stay valid until the render call returns) and return 1, or return 0 when
 * there is no such partial. Called at most once per name per render. */
typedef int (*llmops__tmpl_partial_fn)(void *ud, const char *name, size_t name_len,
                                       const char **src, size_t *len);

/* Compile `len` bytes of `src` (copied; need not be NUL-terminated).
 * Errors: LLMOPS_E_PARSE with the position for unbalanced or unclosed
 * sections, a mismatched close, an unclosed tag, an empty or bad name, a bad
 * set-delimiter tag; LLMOPS_E_LIMIT (nesting deeper than
 * LLMOPS__TMPL_MAX_DEPTH); LLMOPS_E_INVALID_ARGUMENT; LLMOPS_E_NO_MEMORY.
 * `err` may be NULL. */
llmops_status llmops__tmpl_compile(llmops__tmpl **out, const char *src, size_t len,
                                   llmops__tmpl_error *err);

/* Render `t` against `data` (the context: any JSON value, usually an object;
 * NULL is an empty context) and append the text to `out`. On failure `out`
 * is left as it was on entry (its len is restored) and `err` says why.
 * `partials` may be NULL (no partials). Errors: LLMOPS_E_NOT_FOUND (prompt
 * mode, see above), LLMOPS_E_PARSE (a partial does not compile; the
 * position is inside the partial), LLMOPS_E_LIMIT (partials nested too
 * deep, or out->limit reached), LLMOPS_E_NO_MEMORY, LLMOPS_E_INVALID_ARGUMENT. */
llmops_status llmops__tmpl_render(const llmops__tmpl *t, const llmops_json *data, unsigned mode,
                                  llmops__tmpl_partial_fn partials, void *ud, llmops__buf *out,
                                  llmops__tmpl_error *err);

/* Partials compiled ahead of time: set *t to a compiled template (borrowed;
 * it must stay valid until the render call returns) and return 1, or return
 * 0 when there is no such partial. Called on every use, so it should be a
 * cheap lookup. */
typedef int (*llmops__tmpl_compiled_fn)(void *ud, const char *name, size_t name_len,
                                        const llmops__tmpl **t);

/* llmops__tmpl_render with precompiled partials: rendering then allocates
 * nothing but the growth of `out` (and the compact JSON of array or object
 * values it interpolates). Same errors, except that no partial is parsed. */
llmops_status llmops__tmpl_render_compiled(const llmops__tmpl *t, const llmops_json *data,
                                           unsigned mode, llmops__tmpl_compiled_fn partials,
                                           void *ud, llmops__buf *out, llmops__tmpl_error *err);

/* Every top-level variable/section name the template references, for input
 * checks and docs: the first part of each name used by a variable,
 * section, inverted section or dynamic partial that resolves against the
 * root context, i.e. one that is not inside a (non-inverted) section, which
 * may resolve it against the section's value instead. Block defaults and
 * parent overrides count (they render in the enclosing context). Partials
 * are not followed. "." is not a name. Each name once, in order of first
 * appearance. *names is NULL when *n is 0. */
llmops_status llmops__tmpl_names(const llmops__tmpl *t, char ***names, size_t *n);
void llmops__tmpl_names_free(char **names, size_t n);

void llmops__tmpl_free(llmops__tmpl *t);

#endif
