/* The compiled form of a JSON Schema, shared by the compiler (compile.c) and
 * the evaluator (validate.c): one node per schema object, keywords resolved
 * to direct pointers, references to the node they name. */
#ifndef LLMOPS_SCHEMA_INTERNAL_H
#define LLMOPS_SCHEMA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/strbuf.h"
#include "schema/schema.h"

typedef struct llmops__sch_node llmops__sch_node;

/* A schema resource (a document root or a subschema with $id): the unit of
 * the dynamic scope that $dynamicRef searches. */
typedef struct llmops__sch_resource {
    const char *uri;
    size_t ndyn;
    const char **dyn_names;        /* $dynamicAnchor names declared in it */
    const llmops_json **dyn_values;/* compile-time only */
    llmops__sch_node **dyn_nodes;
    size_t dyn_cap;
} llmops__sch_resource;

typedef struct llmops__sch_num {
    double d;
    int64_t i;
    int is_int;
} llmops__sch_num;

typedef struct llmops__sch_prop {
    const char *key;
    size_t len;
    llmops__sch_node *node;
} llmops__sch_prop;

typedef struct llmops__sch_pattern {
    void *re;               /* pcre2_code_8 */
    llmops__sch_node *node;
} llmops__sch_pattern;

typedef struct llmops__sch_depreq {
    const char *key;
    size_t len;
    size_t n;
    const char **names;
    size_t *lens;
} llmops__sch_depreq;

/* Keyword presence bits. */
enum {
    SCH_TYPE = 1u << 0, SCH_CONST = 1u << 1, SCH_ENUM = 1u << 2,
    SCH_MULT = 1u << 3, SCH_MAX = 1u << 4, SCH_XMAX = 1u << 5, SCH_MIN = 1u << 6,
    SCH_XMIN = 1u << 7, SCH_MAXLEN = 1u << 8, SCH_MINLEN = 1u << 9,
    SCH_PATTERN = 1u << 10, SCH_FORMAT = 1u << 11, SCH_MAXITEMS = 1u << 12,
    SCH_MINITEMS = 1u << 13, SCH_UNIQUE = 1u << 14, SCH_MAXCONT = 1u << 15,
    SCH_MINCONT = 1u << 16, SCH_MAXPROPS = 1u << 17, SCH_MINPROPS = 1u << 18
};

/* Keyword families of a node (llmops__sch_node.groups). */
enum {
    SCH_G_STRING = 1u << 0, SCH_G_NUMBER = 1u << 1, SCH_G_ARRAY = 1u << 2,
    SCH_G_OBJECT = 1u << 3, SCH_G_APPLY = 1u << 4, SCH_G_VALUE = 1u << 5 /* type/const/enum */
};

/* Type bits of the "type" keyword. */
enum {
    SCH_T_NULL = 1u << 0, SCH_T_BOOLEAN = 1u << 1, SCH_T_OBJECT = 1u << 2,
    SCH_T_ARRAY = 1u << 3, SCH_T_NUMBER = 1u << 4, SCH_T_STRING = 1u << 5,
    SCH_T_INTEGER = 1u << 6
};

enum { SCH_NODE_SCHEMA = 0, SCH_NODE_TRUE = 1, SCH_NODE_FALSE = 2 };

struct llmops__sch_node {
    int kind;
    unsigned has;
    const char *loc;                /* schema path of this node */
    llmops__sch_resource *res;
    unsigned types;
    const llmops_json *const_v;
    const llmops_json *enum_v;
    const char **enum_str;          /* the enum's string members, for a string instance */
    size_t *enum_str_len, nenum_str;
    llmops__sch_num mult, max, xmax, min, xmin;
    uint64_t max_len, min_len, max_items, min_items, max_cont, min_cont;
    uint64_t max_props, min_props;
    void *pattern;                  /* pcre2_code_8 */
    const char *pattern_src;
    int format;                     /* llmops__sch_format id, asserted */
    const char *format_name;

    llmops__sch_node **prefix;
    size_t nprefix;
    llmops__sch_node *items, *contains, *uneval_items, *uneval_props;

    llmops__sch_prop *props;        /* sorted by (len, bytes) */
    size_t nprops;
    llmops__sch_pattern *pprops;
    size_t npprops;
    llmops__sch_node *addl, *prop_names;
    const char **required;
    size_t *required_len;
    size_t nrequired;
    llmops__sch_depreq *dep_req;
    size_t ndep_req;
    llmops__sch_prop *dep_schemas;
    size_t ndep_schemas;

    llmops__sch_node **all_of, **any_of, **one_of;
    size_t nall_of, nany_of, none_of;
    llmops__sch_node *not_, *if_, *then_, *else_;
    llmops__sch_node *ref;
    llmops__sch_node *dyn_ref;      /* static target of $dynamicRef */
    const char *dyn_name;           /* set when the target is dynamic */
    unsigned groups;                /* SCH_G_*: keyword families present, to skip the rest */
};

struct llmops__schema {
    llmops__arena arena;            /* nodes, strings, tables */
    llmops_json_doc *values;        /* copies of const/enum values */
    llmops__sch_node *root;
    void **regexes;                 /* pcre2 codes to free */
    size_t nregexes, cap_regexes;
    llmops_json_doc **docs;         /* built-in meta-schemas parsed */
    size_t ndocs, cap_docs;
    unsigned max_depth;
    unsigned long max_steps;
};

/* ---- URIs (uri.c) ---------------------------------------------------------- */

/* Resolve `ref` against `base` (RFC 3986 section 5.2, with dot segment
 * removal). Either may be relative; the result is appended to `out`. */
void llmops__uri_resolve(llmops__buf *out, const char *base, const char *ref);

/* Length of `uri` without its fragment ('#' and after). */
size_t llmops__uri_doc_len(const char *uri);

/* Percent-decode `len` bytes into `out`. 0 ok, -1 for a bad escape. */
int llmops__uri_pct_decode(llmops__buf *out, const char *s, size_t len);

/* Follow the JSON Pointer `ptr` (already percent-decoded, ~0 ~1 escapes
 * still in) from `root`; NULL when a step does not exist or is malformed. */
const llmops_json *llmops__json_pointer_get(const llmops_json *root, const char *ptr,
                                            size_t len);

/* Append `s` as one JSON Pointer reference token (~ as ~0, / as ~1). */
void llmops__pointer_append_token(llmops__buf *b, const char *s, size_t len);

/* ---- formats (format.c) ------------------------------------------------------ */

/* Format id for a name this validator can assert, or 0 (then only annotated). */
int llmops__sch_format_id(const char *name);

/* 1 if `s` is valid for format `id`, 0 if not. */
int llmops__sch_format_check(int id, const char *s, size_t len);

/* ---- regular expressions (regex.c) -------------------------------------------- */

/* Compile an ECMA-262 pattern; NULL with the reason appended to `why` when it
 * is not a valid pattern (or the build has no PCRE2). */
void *llmops__sch_regex_compile(const char *src, size_t len, llmops__buf *why);
void llmops__sch_regex_free(void *re);

/* ---- built-in meta-schemas (meta.c) ------------------------------------------ */

/* Text of the draft 2020-12 meta-schema document at `uri` (no fragment), or NULL. */
const char *llmops__sch_builtin(const char *uri, size_t len);

#endif
