/* ECMA-262 regular expressions (what JSON Schema's "pattern" means) on top of
 * PCRE2. Patterns are rewritten where the two dialects differ: \d \w \s and
 * their negations get ECMA's fixed sets (ASCII digits and word characters,
 * ECMA white space), \uXXXX and \u{X} become code points, long Unicode
 * property names (\p{Letter}, \p{Script=Greek}) become PCRE2's short ones,
 * and syntax ECMA does not have (\a, \z, Python groups, global inline flags)
 * is rejected. */
#include <string.h>

#include "llmops_config.h"
#include "schema/internal.h"

#if LLMOPS_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define ECMA_WS "\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}" \
                "\\x{202f}\\x{205f}\\x{3000}\\x{feff}"
#define NOT_DIGIT "\\x{0}-\\x{2f}\\x{3a}-\\x{10ffff}"
#define NOT_WORD "\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{10ffff}"

static const struct {
    const char *lng, *shrt;
} gc_names[] = {
    { "Letter", "L" }, { "Cased_Letter", "LC" }, { "Uppercase_Letter", "Lu" },
    { "Lowercase_Letter", "Ll" }, { "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
    { "Other_Letter", "Lo" }, { "Mark", "M" }, { "Combining_Mark", "M" },
    { "Nonspacing_Mark", "Mn" }, { "Spacing_Mark", "Mc" }, { "Enclosing_Mark", "Me" },
    { "Number", "N" }, { "Decimal_Number", "Nd" }, { "digit", "Nd" }, { "Letter_Number", "Nl" },
    { "Other_Number", "No" }, { "Punctuation", "P" }, { "punct", "P" },
    { "Connector_Punctuation", "Pc" }, { "Dash_Punctuation", "Pd" },
    { "Open_Punctuation", "Ps" }, { "Close_Punctuation", "Pe" },
    { "Initial_Punctuation", "Pi" }, { "Final_Punctuation", "Pf" },
    { "Other_Punctuation", "Po" }, { "Symbol", "S" }, { "Math_Symbol", "Sm" },
    { "Currency_Symbol", "Sc" }, { "Modifier_Symbol", "Sk" }, { "Other_Symbol", "So" },
    { "Separator", "Z" }, { "Space_Separator", "Zs" }, { "Line_Separator", "Zl" },
    { "Paragraph_Separator", "Zp" }, { "Other", "C" }, { "Control", "Cc" }, { "cntrl", "Cc" },
    { "Format", "Cf" }, { "Surrogate", "Cs" }, { "Private_Use", "Co" }, { "Unassigned", "Cn" },
};

static int hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \p{...} body: strip "Script=", "sc=", "gc=" ... and shorten category names. */
static void put_property(llmops__buf *out, const char *name, size_t len)
{
    const char *eq = memchr(name, '=', len);
    if (eq) {
        len -= (size_t)(eq + 1 - name);
        name = eq + 1;
    }
    for (size_t i = 0; i < sizeof gc_names / sizeof gc_names[0]; i++)
        if (strlen(gc_names[i].lng) == len && !memcmp(gc_names[i].lng, name, len)) {
            llmops__buf_puts(out, gc_names[i].shrt);
            return;
        }
    llmops__buf_append(out, name, len);
}

/* Read \uXXXX at s (after the 'u'); returns digits consumed or 0. */
static size_t read_u4(const char *s, size_t left, unsigned *cp)
{
    if (left < 4)
        return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexdig(s[i]);
        if (h < 0)
            return 0;
        v = v * 16 + (unsigned)h;
    }
    *cp = v;
    return 4;
}

static int translate(llmops__buf *out, const char *s, size_t len, const char **why)
{
    int in_class = 0;
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 >= len) {
                *why = "pattern ends with a lone backslash";
                return -1;
            }
            char e = s[++i];
            i++;
            switch (e) {
            case 'd': llmops__buf_puts(out, in_class ? "0-9" : "[0-9]"); continue;
            case 'D': llmops__buf_puts(out, in_class ? NOT_DIGIT : "[^0-9]"); continue;
            case 'w': llmops__buf_puts(out, in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]"); continue;
            case 'W': llmops__buf_puts(out, in_class ? NOT_WORD : "[^A-Za-z0-9_]"); continue;
            case 's': llmops__buf_puts(out, in_class ? ECMA_WS : "[" ECMA_WS "]"); continue;
            case 'S':
                llmops__buf_puts(out, in_class ? "\\S" : "[^" ECMA_WS "]");
                continue;
            case 'p':
            case 'P': {
                const char *close = i < len && s[i] == '{' ? memchr(s + i, '}', len - i) : NULL;
                if (!close) {
                    *why = "\\p needs a {property}";
                    return -1;
                }
                llmops__buf_putc(out, '\\');
                llmops__buf_putc(out, e);
                llmops__buf_putc(out, '{');
                put_property(out, s + i + 1, (size_t)(close - (s + i + 1)));
                llmops__buf_putc(out, '}');
                i = (size_t)(close - s) + 1;
                continue;
            }
            case 'u': {
                unsigned cp = 0;
                if (i < len && s[i] == '{') {
                    size_t k = i + 1;
                    while (k < len && hexdig(s[k]) >= 0 && cp <= 0x10FFFF)
                        cp = cp * 16 + (unsigned)hexdig(s[k++]);
                    if (k == i + 1 || k >= len || s[k] != '}' || cp > 0x10FFFF) {
                        *why = "bad \\u{...} escape";
                        return -1;
                    }
                    i = k + 1;
                } else {
                    size_t n = read_u4(s + i, len - i, &cp);
                    if (!n) {
                        *why = "bad \\u escape";
                        return -1;
                    }
                    i += n;
                    unsigned lo;
                    /* a surrogate pair spelled as two escapes is one code point */
                    if (cp >= 0xD800 && cp <= 0xDBFF && len - i >= 6 && s[i] == '\\' &&
                        s[i + 1] == 'u' && read_u4(s + i + 2, len - i - 2, &lo) && lo >= 0xDC00 &&
                        lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                llmops__buf_printf(out, "\\x{%x}", cp);
                continue;
            }
            default:
                break;
            }
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
                if (!strchr("bBfnrtvckx", e)) {
                    *why = "escape is not ECMA-262 (\\a, \\z, \\A, \\Z, ...)";
                    return -1;
                }
            }
            llmops__buf_putc(out, '\\');
            llmops__buf_putc(out, e);
            continue;
        }
        if (in_class) {
            if (c == ']')
                in_class = 0;
            llmops__buf_putc(out, c);
            i++;
            continue;
        }
        if (c == '[') {
            in_class = 1;
            llmops__buf_putc(out, c);
            i++;
            /* "[]" and "[^]" are ECMA classes (PCRE2_ALLOW_EMPTY_CLASS), and a
             * ']' right after them closes the class */
            if (i < len && s[i] == '^') {
                llmops__buf_putc(out, '^');
                i++;
            }
            continue;
        }
        if (c == '(' && i + 1 < len && s[i + 1] == '?') {
            size_t k = i + 2;
            if (k < len && (s[k] == 'P' || s[k] == '#')) {
                *why = "group syntax is not ECMA-262 ((?P...) or (?#...))";
                return -1;
            }
            while (k < len && ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '-'))
                k++;
            if (k > i + 2 && k < len && s[k] == ')') {
                *why = "inline flag groups such as (?i) are not ECMA-262";
                return -1;
            }
        }
        llmops__buf_putc(out, c);
        i++;
    }
    return 0;
}

void *llmops__sch_regex_compile(const char *src, size_t len, llmops__buf *why)
{
    llmops__buf pat = LLMOPS__BUF_INIT;
    const char *bad = NULL;
    if (translate(&pat, src, len, &bad)) {
        llmops__buf_puts(why, bad);
        llmops__buf_free(&pat);
        return NULL;
    }
    if (pat.failed) {
        llmops__buf_puts(why, "out of memory");
        llmops__buf_free(&pat);
        return NULL;
    }
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(pat.data ? pat.data : ""), pat.len,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS,
                                   &code, &off, NULL);
    llmops__buf_free(&pat);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        llmops__buf_puts(why, (const char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return re;
}

void llmops__sch_regex_free(void *re)
{
    pcre2_code_free(re);
}

#else

void *llmops__sch_regex_compile(const char *src, size_t len, llmops__buf *why)
{
    (void)src;
    (void)len;
    llmops__buf_puts(why, "regular expressions need PCRE2, which this build does not have");
    return NULL;
}

void llmops__sch_regex_free(void *re)
{
    (void)re;
}

#endif
