/* The public prompt registry (include/llmops/prompt.h): a thin layer over
 * src/prompt/registry.h that turns its results into text a host or the CLI
 * can print, and its error buffers into `why` messages. */
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "llmops/prompt.h"
#include "prompt/registry.h"
#include "provider/json_out.h"

struct llmops_prompts {
    llmops__registry *reg;
};

/* Hands an error buffer to the caller as *why (or drops it). */
static llmops_status give_why(llmops_status st, llmops__buf *err, char **why)
{
    if (why) {
        *why = NULL;
        if (st != LLMOPS_OK) {
            if (!err->len)
                llmops__buf_puts(err, llmops_status_str(st));
            *why = llmops__buf_detach(err, NULL);
        }
    }
    llmops__buf_free(err);
    return st;
}

static int bad_args(char **why, const void *a, const void *b)
{
    if (why)
        *why = NULL;
    return !a || !b;
}

llmops_status llmops_prompts_open(llmops_prompts **out, const char *dir, const char *lock_path,
                                  char **why)
{
    if (bad_args(why, out, dir))
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops_prompts *p = llmops__calloc(1, sizeof *p);
    if (!p)
        return LLMOPS_E_NO_MEMORY;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__registry_open(dir, lock_path, &p->reg, &err);
    if (st != LLMOPS_OK) {
        llmops__free(p);
        return give_why(st, &err, why);
    }
    *out = p;
    return give_why(st, &err, why);
}

void llmops_prompts_free(llmops_prompts *p)
{
    if (!p)
        return;
    llmops__registry_free(p->reg);
    llmops__free(p);
}

llmops_status llmops_prompts_list(llmops_prompts *p, char **json, char **why)
{
    if (bad_args(why, p, json))
        return LLMOPS_E_INVALID_ARGUMENT;
    *json = NULL;
    llmops__buf err = LLMOPS__BUF_INIT, out = LLMOPS__BUF_INIT;
    llmops__prompt_list list = {NULL, 0};
    llmops_status st = llmops__registry_list(p->reg, &list, &err);
    if (st == LLMOPS_OK) {
        llmops__buf_putc(&out, '[');
        for (size_t i = 0; i < list.count; i++) {
            const llmops__prompt_entry *e = &list.items[i];
            llmops__buf_puts(&out, i ? ",{\"name\":" : "{\"name\":");
            llmops__jo_str(&out, e->name);
            llmops__buf_puts(&out, ",\"version\":");
            if (e->has_file && e->version[0])
                llmops__jo_str(&out, e->version);
            else
                llmops__buf_puts(&out, "null");
            llmops__buf_puts(&out, ",\"labels\":{");
            for (size_t j = 0; j < e->label_count; j++) {
                if (j)
                    llmops__buf_putc(&out, ',');
                llmops__jo_str(&out, e->labels[j].label);
                llmops__buf_putc(&out, ':');
                llmops__jo_str(&out, e->labels[j].version);
            }
            llmops__buf_puts(&out, "}}");
        }
        llmops__buf_putc(&out, ']');
        llmops__prompt_list_free(&list);
        if (out.failed)
            st = LLMOPS_E_NO_MEMORY;
        else
            *json = llmops__buf_detach(&out, NULL);
    }
    llmops__buf_free(&out);
    return give_why(st, &err, why);
}

llmops_status llmops_prompts_show(llmops_prompts *p, const char *ref, char **source,
                                  char version[65], char **why)
{
    if (bad_args(why, p, ref) || !source)
        return LLMOPS_E_INVALID_ARGUMENT;
    *source = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops__prompt *pr = NULL;
    llmops_status st = llmops__registry_load(p->reg, ref, &pr, &err);
    if (st == LLMOPS_OK) {
        size_t len;
        const char *src = llmops__prompt_source(pr, &len);
        if (!(*source = llmops__strndup(src, len)))
            st = LLMOPS_E_NO_MEMORY;
        if (version)
            memcpy(version, llmops__prompt_version(pr), 65);
        llmops__prompt_release(pr);
    }
    return give_why(st, &err, why);
}

llmops_status llmops_prompts_hash(llmops_prompts *p, const char *ref, char version[65],
                                  char **why)
{
    if (bad_args(why, p, ref) || !version)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__buf err = LLMOPS__BUF_INIT;
    return give_why(llmops__registry_hash(p->reg, ref, version, &err), &err, why);
}

llmops_status llmops_prompts_diff(llmops_prompts *p, const char *a, const char *b, char **diff,
                                  char **why)
{
    if (bad_args(why, p, a) || !b || !diff)
        return LLMOPS_E_INVALID_ARGUMENT;
    *diff = NULL;
    llmops__buf err = LLMOPS__BUF_INIT, out = LLMOPS__BUF_INIT;
    llmops_status st = llmops__registry_diff(p->reg, a, b, &out, &err);
    if (st == LLMOPS_OK && !(*diff = llmops__buf_detach(&out, NULL)))
        st = LLMOPS_E_NO_MEMORY;
    llmops__buf_free(&out);
    return give_why(st, &err, why);
}

llmops_status llmops_prompts_promote(llmops_prompts *p, const char *name, const char *ref,
                                     const char *label, char **why)
{
    if (bad_args(why, p, name) || !ref || !label)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__buf err = LLMOPS__BUF_INIT;
    return give_why(llmops__registry_promote(p->reg, name, ref, label, &err), &err, why);
}

llmops_status llmops_prompts_rollback(llmops_prompts *p, const char *name, const char *label,
                                      char **why)
{
    if (bad_args(why, p, name) || !label)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__buf err = LLMOPS__BUF_INIT;
    return give_why(llmops__registry_rollback(p->reg, name, label, &err), &err, why);
}

static const char *role_name(llmops_role r)
{
    switch (r) {
    case LLMOPS_ROLE_SYSTEM:
        return "system";
    case LLMOPS_ROLE_ASSISTANT:
        return "assistant";
    case LLMOPS_ROLE_TOOL:
        return "tool";
    default:
        return "user";
    }
}

llmops_status llmops_prompts_render(llmops_prompts *p, const char *ref, const char *input_json,
                                    size_t len, char **messages_json, char **why)
{
    if (bad_args(why, p, ref) || !messages_json || (!input_json && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    *messages_json = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_json_doc *input = NULL;
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    const char *text = input_json ? input_json : "{}";
    size_t tlen = input_json ? (len == SIZE_MAX ? strlen(input_json) : len) : 2;
    llmops_status st = llmops_json_parse(&input, text, tlen, NULL, &jerr);
    if (st != LLMOPS_OK) {
        llmops__buf_printf(&err, "input is not JSON: line %u, column %u: %s", jerr.line,
                           jerr.column, jerr.message);
        return give_why(st, &err, why);
    }
    llmops__prompt *pr = NULL;
    st = llmops__registry_load(p->reg, ref, &pr, &err);
    if (st == LLMOPS_OK) {
        llmops__prompt_messages msgs = LLMOPS__PROMPT_MESSAGES_INIT;
        st = llmops__prompt_render(pr, llmops_json_doc_root(input), &msgs, &err);
        if (st == LLMOPS_OK) {
            llmops__buf out = LLMOPS__BUF_INIT;
            llmops__buf_putc(&out, '[');
            for (size_t i = 0; i < msgs.count; i++) {
                llmops__buf_puts(&out, i ? ",{\"role\":" : "{\"role\":");
                llmops__jo_str(&out, role_name(msgs.items[i].role));
                llmops__buf_puts(&out, ",\"text\":");
                llmops__jo_str(&out, msgs.items[i].text);
                llmops__buf_putc(&out, '}');
            }
            llmops__buf_putc(&out, ']');
            if (out.failed || !(*messages_json = llmops__buf_detach(&out, NULL)))
                st = LLMOPS_E_NO_MEMORY;
            llmops__buf_free(&out);
        }
        llmops__prompt_messages_free(&msgs);
        llmops__prompt_release(pr);
    }
    llmops_json_doc_free(input);
    return give_why(st, &err, why);
}
