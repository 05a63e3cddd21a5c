/* The compiled form of a Mustache template, shared by the compiler
 * (compile.c), the renderer (render.c) and the name lister (names.c).
 * Private to src/template/. */
#ifndef LLMOPS_TEMPLATE_OPS_H
#define LLMOPS_TEMPLATE_OPS_H

#include <stdint.h>

#include "template/mustache.h"

enum {
    LLMOPS__OP_TEXT = 0,     /* src[off, off+len) */
    LLMOPS__OP_VAR,          /* name; flag ESCAPE for {{x}} */
    LLMOPS__OP_SECTION,      /* name; body ops (i, end) */
    LLMOPS__OP_INVERTED,     /* name; body ops (i, end) */
    LLMOPS__OP_PARTIAL,      /* off/len = partial name (or name index if DYNAMIC) */
    LLMOPS__OP_PARENT,       /* like PARTIAL; body (i, end) holds argument blocks */
    LLMOPS__OP_BLOCK         /* off/len = block name; body (i, end) = content */
};

enum {
    LLMOPS__OPF_BOL = 1u << 0,       /* first op of a source line: indentation goes here */
    LLMOPS__OPF_ESCAPE = 1u << 1,    /* HTML-escape in spec mode */
    LLMOPS__OPF_DYNAMIC = 1u << 2,   /* partial/parent name is looked up ({{>*x}}) */
    LLMOPS__OPF_INDENT = 1u << 3,    /* partial/parent: ind is prepended to each line */
    LLMOPS__OPF_INTRINSIC = 1u << 4, /* block: content lines carry ind, stripped at compile */
    LLMOPS__OPF_LEADING = 1u << 5    /* block: ind is the removed whitespace before the tag */
};

typedef struct llmops__tmpl_op {
    uint8_t kind;
    uint8_t flags;
    uint32_t off, len;        /* TEXT bytes; PARTIAL/PARENT/BLOCK name bytes */
    uint32_t name;            /* index into names (VAR, SECTION, INVERTED, DYNAMIC) */
    uint32_t end;             /* SECTION..BLOCK: index of the first op after the body */
    uint32_t ind_off, ind_len;/* indentation bytes in src (PARTIAL, PARENT, BLOCK) */
    uint32_t pos;             /* source offset of the tag, for messages */
    uint32_t hash;            /* BLOCK: hash of its name, to match overrides quickly */
} llmops__tmpl_op;

/* A (dotted) name. Parts are parts[first .. first+nparts); "." has none. */
typedef struct llmops__tmpl_name {
    uint32_t off, len;        /* the whole name in src */
    uint32_t first;
    uint32_t nparts;
} llmops__tmpl_name;

typedef struct llmops__tmpl_part {
    uint32_t off, len;
} llmops__tmpl_part;

struct llmops__tmpl {
    char *src;                /* private NUL-terminated copy of the source */
    size_t src_len;
    llmops__tmpl_op *ops;
    uint32_t nops;
    llmops__tmpl_name *names;
    uint32_t nnames;
    llmops__tmpl_part *parts;
    uint32_t nparts;
};

/* 1-based line and column of byte `offset` of `src`. */
void llmops__tmpl_position(const char *src, size_t len, size_t offset, unsigned *line,
                           unsigned *column);

uint32_t llmops__tmpl_hash(const char *s, size_t len);

#endif
