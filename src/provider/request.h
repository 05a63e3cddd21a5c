/* The request object's representation. Owned by src/provider/request.c;
 * wire formats and wrappers read it directly (read-only) for speed. */
#ifndef LLMOPS_PROVIDER_REQUEST_H
#define LLMOPS_PROVIDER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "llmops/provider.h"

typedef struct llmops__text {
    char *data;    /* NUL-terminated copy */
    size_t len;
} llmops__text;

typedef struct llmops__req_tool_call {
    char *id;
    char *name;
    char *arguments;   /* JSON text, validated on input */
} llmops__req_tool_call;

typedef struct llmops__message {
    llmops_role role;
    llmops__text *parts;
    size_t nparts, cap_parts;
    char *tool_call_id;              /* LLMOPS_ROLE_TOOL */
    char *tool_name;                 /* LLMOPS_ROLE_TOOL, optional */
    llmops__req_tool_call *calls;    /* LLMOPS_ROLE_ASSISTANT */
    size_t ncalls, cap_calls;
} llmops__message;

typedef struct llmops__tool {
    char *name;
    char *description;               /* may be NULL */
    llmops_json_doc *parameters;     /* may be NULL */
} llmops__tool;

typedef struct llmops__kv {
    char *key;
    char *value;
} llmops__kv;

struct llmops_request {
    char *model;                     /* NULL: provider default */
    llmops__message *messages;
    size_t nmessages, cap_messages;

    int has_temperature, has_top_p, has_max_output_tokens, has_seed;
    double temperature, top_p;
    int64_t max_output_tokens, seed;
    char **stops;
    size_t nstops;

    llmops__tool *tools;
    size_t ntools, cap_tools;
    llmops_tool_choice tool_choice;
    char *tool_choice_name;

    llmops_response_format format;
    char *schema_name;               /* JSON_SCHEMA: default "response" */
    llmops_json_doc *schema;         /* JSON_SCHEMA */

    uint64_t timeout_ms;
    llmops__kv *metadata;
    size_t nmetadata, cap_metadata;

    char **labels;                   /* classify */
    size_t nlabels, cap_labels;
    llmops__text *inputs;            /* embed */
    size_t ninputs, cap_inputs;
    uint32_t dimensions;
    llmops_embed_encoding embed_encoding;

    int keep_raw;
    llmops_cancel *cancel;           /* holds a reference */
    char traceparent[56];            /* W3C traceparent to send, "" none */
};

/* Takes another reference on a cancel token (src/provider/cancel.c). */
llmops_cancel *llmops__cancel_ref(llmops_cancel *c);

/* The system prompt assembled from every system message's parts, joined by
 * "\n\n" (Anthropic and Gemini take one system text). Caller frees with
 * llmops__free; NULL with *len 0 when there is none; NULL with *len
 * SIZE_MAX on allocation failure. */
char *llmops__request_system_text(const llmops_request *req, size_t *len);

/* The text of message i: its parts concatenated. Same ownership rule. */
char *llmops__request_message_text(const llmops_request *req, size_t i, size_t *len);

#endif
