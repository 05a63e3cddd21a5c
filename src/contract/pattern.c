/* Required and forbidden patterns of a contract, compiled once with PCRE2
 * (UTF and Unicode properties, JIT when available). Compiled code and the
 * match context are read-only after compile, so checks from many threads
 * share them; each check brings its own match data. */
#include "contract/internal.h"

#include "core/alloc.h"
#include "llmops_config.h"

#include <string.h>

#if LLMOPS_HAVE_PCRE2

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Backtracking budget per match: a pathological pattern on a long answer
 * reports a violation within milliseconds instead of hanging the call. */
#define CT_MATCH_LIMIT 1000000u

typedef struct ct_pattern {
    char *source;
    pcre2_code *code;
} ct_pattern;

struct llmops__ct_patterns {
    size_t n;
    ct_pattern *pat;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_match_context *mctx;
};

static void *ct_pcre_malloc(PCRE2_SIZE size, void *ud)
{
    (void)ud;
    return llmops__malloc(size);
}

static void ct_pcre_free(void *p, void *ud)
{
    (void)ud;
    llmops__free(p);
}

void llmops__ct_patterns_free(llmops__ct_patterns *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        pcre2_code_free(p->pat[i].code);
        llmops__free(p->pat[i].source);
    }
    llmops__free(p->pat);
    pcre2_match_context_free(p->mctx);
    pcre2_compile_context_free(p->cctx);
    pcre2_general_context_free(p->gctx);
    llmops__free(p);
}

static llmops_status compile_one(llmops__ct_patterns *p, ct_pattern *out, const char *list,
                                 size_t index, const char *src, llmops__buf *err)
{
    int code = 0;
    PCRE2_SIZE where = 0;
    out->source = llmops__strdup(src);
    if (!out->source)
        return LLMOPS_E_NO_MEMORY;
    out->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                              &code, &where, p->cctx);
    if (!out->code) {
        if (code == PCRE2_ERROR_NOMEMORY || code == PCRE2_ERROR_HEAP_FAILED)
            return LLMOPS_E_NO_MEMORY;
        PCRE2_UCHAR why[160];
        if (pcre2_get_error_message(code, why, sizeof why) < 0)
            strcpy((char *)why, "unknown error");
        if (err) {
            llmops__buf_printf(err, "%s pattern %zu ", list, index);
            llmops__ct_put_excerpt(err, src, strlen(src), 120);
            llmops__buf_printf(err, " does not compile: %s at offset %zu", (const char *)why,
                               (size_t)where);
        }
        return LLMOPS_E_PARSE;
    }
    /* Without JIT (not built in, or no executable memory) the interpreter
     * gives the same answers, only slower. */
    (void)pcre2_jit_compile(out->code, PCRE2_JIT_COMPLETE);
    return LLMOPS_OK;
}

llmops_status llmops__ct_patterns_new(llmops__ct_patterns **out,
                                      const char *const *required, size_t nrequired,
                                      const char *const *forbidden, size_t nforbidden,
                                      llmops__buf *err)
{
    *out = NULL;
    size_t n = nrequired + nforbidden;
    if (n == 0)
        return LLMOPS_OK;
    llmops__ct_patterns *p = llmops__calloc(1, sizeof *p);
    if (!p)
        return LLMOPS_E_NO_MEMORY;
    p->pat = llmops__calloc(n, sizeof *p->pat);
    p->gctx = pcre2_general_context_create(ct_pcre_malloc, ct_pcre_free, NULL);
    if (p->gctx) {
        p->cctx = pcre2_compile_context_create(p->gctx);
        p->mctx = pcre2_match_context_create(p->gctx);
    }
    if (!p->pat || !p->cctx || !p->mctx) {
        llmops__ct_patterns_free(p);
        return LLMOPS_E_NO_MEMORY;
    }
    pcre2_set_match_limit(p->mctx, CT_MATCH_LIMIT);
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < n && st == LLMOPS_OK; i++) {
        int req = i < nrequired;
        st = compile_one(p, &p->pat[i], req ? "required" : "forbidden", req ? i : i - nrequired,
                         req ? required[i] : forbidden[i - nrequired], err);
        p->n = i + 1;
    }
    if (st != LLMOPS_OK) {
        llmops__ct_patterns_free(p);
        return st;
    }
    *out = p;
    return LLMOPS_OK;
}

size_t llmops__ct_patterns_count(const llmops__ct_patterns *p)
{
    return p ? p->n : 0;
}

const char *llmops__ct_pattern_source(const llmops__ct_patterns *p, size_t i)
{
    return p && i < p->n ? p->pat[i].source : NULL;
}

/* Bump allocation from the scratch's own bytes, the heap beyond them. */
static void *scratch_malloc(PCRE2_SIZE size, void *ud)
{
    llmops__ct_scratch *s = ud;
    size_t need = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (need <= sizeof s->mem.bytes - s->used) {
        void *p = s->mem.bytes + s->used;
        s->used += need;
        return p;
    }
    return llmops__malloc(size);
}

static void scratch_free(void *p, void *ud)
{
    llmops__ct_scratch *s = ud;
    unsigned char *b = p;
    if (b >= s->mem.bytes && b < s->mem.bytes + sizeof s->mem.bytes)
        return;
    llmops__free(p);
}

llmops_status llmops__ct_scratch_init(llmops__ct_scratch *s, const llmops__ct_patterns *p)
{
    (void)p;
    s->used = 0;
    s->md = NULL;
    s->gctx = pcre2_general_context_create(scratch_malloc, scratch_free, s);
    /* One pair of offsets is all a yes/no answer with a position needs. */
    if (s->gctx)
        s->md = pcre2_match_data_create(1, s->gctx);
    return s->md ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

void llmops__ct_scratch_done(llmops__ct_scratch *s)
{
    pcre2_match_data_free(s->md);
    pcre2_general_context_free(s->gctx);
    s->md = NULL;
    s->gctx = NULL;
}

int llmops__ct_pattern_match(const llmops__ct_patterns *p, size_t i, llmops__ct_scratch *s,
                             const char *text, size_t len, size_t *start, size_t *end,
                             char *why, size_t why_size)
{
    pcre2_match_data *md = s->md;
    /* The caller has checked the UTF-8 once for every pattern. */
    uint32_t opts = PCRE2_NO_UTF_CHECK;
    int rc = pcre2_match(p->pat[i].code, (PCRE2_SPTR)text, len, 0, opts, md, p->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(p->pat[i].code, (PCRE2_SPTR)text, len, 0, opts | PCRE2_NO_JIT, md,
                         p->mctx);
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *start = (size_t)ov[0];
        *end = (size_t)ov[1] >= (size_t)ov[0] ? (size_t)ov[1] : (size_t)ov[0];
        return LLMOPS__CT_MATCH;
    }
    if (rc == PCRE2_ERROR_NOMATCH)
        return LLMOPS__CT_NOMATCH;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return LLMOPS__CT_MATCH_NOMEM;
    if (why_size) {
        if (pcre2_get_error_message(rc, (PCRE2_UCHAR *)why, why_size) < 0)
            why[0] = '\0';
    }
    return LLMOPS__CT_MATCH_ERROR;
}

#else /* !LLMOPS_HAVE_PCRE2 */

struct llmops__ct_patterns {
    size_t n;
};

llmops_status llmops__ct_patterns_new(llmops__ct_patterns **out,
                                      const char *const *required, size_t nrequired,
                                      const char *const *forbidden, size_t nforbidden,
                                      llmops__buf *err)
{
    *out = NULL;
    if (nrequired + nforbidden == 0)
        return LLMOPS_OK;
    int req = nrequired > 0;
    const char *src = req ? required[0] : forbidden[0];
    if (err) {
        llmops__buf_printf(err, "%s pattern 0 ", req ? "required" : "forbidden");
        llmops__ct_put_excerpt(err, src, strlen(src), 120);
        llmops__buf_puts(err, " needs PCRE2, and this build of libllmops has none");
    }
    return LLMOPS_E_UNSUPPORTED;
}

void llmops__ct_patterns_free(llmops__ct_patterns *p)
{
    (void)p;
}

size_t llmops__ct_patterns_count(const llmops__ct_patterns *p)
{
    (void)p;
    return 0;
}

const char *llmops__ct_pattern_source(const llmops__ct_patterns *p, size_t i)
{
    (void)p;
    (void)i;
    return NULL;
}

/* Never reached: without PCRE2 no contract has patterns to match. */
llmops_status llmops__ct_scratch_init(llmops__ct_scratch *s, const llmops__ct_patterns *p)
{
    (void)p;
    s->used = 0;
    s->gctx = NULL;
    s->md = NULL;
    return LLMOPS_E_UNSUPPORTED;
}

void llmops__ct_scratch_done(llmops__ct_scratch *s)
{
    (void)s;
}

int llmops__ct_pattern_match(const llmops__ct_patterns *p, size_t i, llmops__ct_scratch *s,
                             const char *text, size_t len, size_t *start, size_t *end,
                             char *why, size_t why_size)
{
    (void)p;
    (void)i;
    (void)s;
    (void)text;
    (void)len;
    (void)start;
    (void)end;
    if (why_size)
        why[0] = '\0';
    return LLMOPS__CT_MATCH_ERROR;
}

#endif
