/*
 * YAML text → JSON tree (llmops_json_doc), with a side table of positions.
 *
 * libyaml does the parsing; this module decides what each node means.
 * Mapping rules:
 *   - One document. A second document is an error; empty input (or only
 *     comments) gives a document whose root is a JSON null.
 *   - Plain (unquoted) scalars follow the YAML 1.2 core schema:
 *       null, Null, NULL, ~ and the empty scalar      → null
 *       true/True/TRUE, false/False/FALSE              → boolean
 *       [-+]?[0-9]+, 0x[0-9a-fA-F]+, 0o[0-7]+          → integer (an int64;
 *           a decimal beyond int64 becomes the nearest double, a hex or
 *           octal one beyond it is an error)
 *       [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? → number (the
 *           nearest double; a value beyond double range is an error)
 *       .inf/.Inf/.INF (signed) and .nan/.NaN/.NAN     → error: JSON has
 *           neither infinities nor NaN
 *       anything else                                   → string
 *     Everything else (yes/no/on/off, 1_000, 0b1, sexagesimal) is a string,
 *     as YAML 1.2 says.
 *   - Quoted ('...', "...") and block (|, >) scalars are always strings.
 *   - Tags: only the core ones are accepted: !!str, !!null, !!bool, !!int,
 *     !!float, !!map, !!seq (tag:yaml.org,2002:...), and the non-specific
 *     "!" (a string). !!int etc. on a scalar that is not of that kind is an
 *     error; any other tag is an error.
 *   - Mapping keys must be scalars (or aliases of scalars) and become
 *     strings spelled as written (`1: x` has the key "1", `true: x` the key
 *     "true"). A duplicate key is an error naming both positions. The merge
 *     key `<<` has no special meaning (it is not part of YAML 1.2).
 *   - Anchors and aliases are expanded: the alias becomes a copy of the
 *     anchored node. An alias to an anchor that is not defined yet, or to
 *     the node that contains it, is an error. The whole expanded tree may
 *     hold at most LLMOPS__YAML_MAX_NODES nodes (a "billion laughs" input
 *     fails with LLMOPS_E_LIMIT before anything large is built), and may be
 *     at most LLMOPS__YAML_MAX_DEPTH collections deep (LLMOPS_E_LIMIT).
 *   - Input larger than LLMOPS__YAML_MAX_BYTES is LLMOPS_E_LIMIT.
 *
 * Positions are 1-based; the column counts characters (not bytes), as
 * libyaml does. A value's position is where its node starts (for an alias
 * copy: the alias for the copy's root, the anchored nodes inside it).
 *
 * Errors: LLMOPS_E_PARSE (broken YAML or a rule above; the message is
 * "line:column: problem", with libyaml's own words and context for syntax
 * errors), LLMOPS_E_LIMIT, LLMOPS_E_NO_MEMORY, LLMOPS_E_INVALID_ARGUMENT,
 * and LLMOPS_E_UNSUPPORTED when the library was built without libyaml.
 * The message is appended to `err` (if given) without a trailing newline.
 *
 * Thread-safety: independent calls may run in parallel; a finished
 * document and positions table may be read from many threads.
 */
#ifndef LLMOPS_CONFIG_YAML_H
#define LLMOPS_CONFIG_YAML_H

#include "llmops/json.h"
#include "core/strbuf.h"

#include <stddef.h>

#define LLMOPS__YAML_MAX_NODES 1000000u
#define LLMOPS__YAML_MAX_DEPTH 128u
#define LLMOPS__YAML_MAX_BYTES ((size_t)64 << 20)

typedef struct llmops__yaml_pos {
    unsigned line, column;   /* 1-based */
} llmops__yaml_pos;

/* Value → position side table; valid for the lifetime of its document. */
typedef struct llmops__yaml_positions llmops__yaml_positions;

/* Parse `len` bytes of `text` into a new document (*out, freed with
 * llmops_json_doc_free). `pos` may be NULL; else *pos receives the positions
 * table (freed with llmops__yaml_positions_free). On failure *out and *pos
 * are NULL. */
llmops_status llmops__yaml_parse(const char *text, size_t len, llmops_json_doc **out,
                                 llmops__yaml_positions **pos, llmops__buf *err);

/* Where `value` (a pointer obtained by reading the parsed document) starts;
 * NULL if unknown (NULL table, or a value of another document). */
const llmops__yaml_pos *llmops__yaml_pos_of(const llmops__yaml_positions *p,
                                            const llmops_json *value);

/* Where the key naming `value` is written, when `value` is a member of an
 * object; else NULL. Error messages about a key (unknown, misspelt) point
 * here rather than at the value. */
const llmops__yaml_pos *llmops__yaml_key_pos_of(const llmops__yaml_positions *p,
                                                const llmops_json *value);

void llmops__yaml_positions_free(llmops__yaml_positions *p);

#endif
