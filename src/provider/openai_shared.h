/* What the two OpenAI wire formats share (Chat Completions in openai.c,
 * Responses in openai_responses.c): JSON building with one sticky failure
 * flag, reading bodies, the error object, auth headers. Defined in
 * openai.c. */
#ifndef LLMOPS_PROVIDER_OPENAI_SHARED_H
#define LLMOPS_PROVIDER_OPENAI_SHARED_H

#include <stddef.h>

#include "llmops/json.h"
#include "provider/wire.h"

/* A request body being built. Every helper is a no-op once `failed` is set,
 * so builders check once at the end. */
typedef struct llmops__oa_json {
    llmops_json_doc *doc;
    int failed;
} llmops__oa_json;

llmops_json *llmops__oa_obj(llmops__oa_json *j);
llmops_json *llmops__oa_arr(llmops__oa_json *j);
llmops_json *llmops__oa_str(llmops__oa_json *j, const char *s, size_t len);
/* Sets obj[key] = v (v NULL marks the failure: a constructor ran out of
 * memory or got invalid input). */
void llmops__oa_set(llmops__oa_json *j, llmops_json *obj, const char *key, llmops_json *v);
void llmops__oa_set_str(llmops__oa_json *j, llmops_json *obj, const char *key, const char *s,
                        size_t len);
void llmops__oa_append(llmops__oa_json *j, llmops_json *arr, llmops_json *v);
/* {"key":"value",...} of the request's metadata, NULL when it has none. */
llmops_json *llmops__oa_metadata(llmops__oa_json *j, const llmops_request *req);
/* The schema JSON (a copy), or {"type":"object","properties":{}} when the
 * tool has none: OpenAI requires an object schema. */
llmops_json *llmops__oa_tool_parameters(llmops__oa_json *j, const llmops_json_doc *schema);

/* Writes root as compact JSON into body; LLMOPS_E_NO_MEMORY on resp when
 * building failed. */
llmops_status llmops__oa_write_body(llmops__oa_json *j, llmops_json *root, llmops__buf *body,
                                    const char *wire_name, llmops_response *resp);

/* Content-Type and the key: "Authorization: Bearer <key>", or "api-key" for
 * Azure. */
void llmops__oa_headers(const llmops__provider_cfg *cfg, const char *key, size_t key_len,
                        llmops__http_request *out);

/* Parses a body that must be a JSON object; LLMOPS_E_MALFORMED_RESPONSE on
 * resp naming `what` and the byte offset otherwise. */
llmops_status llmops__oa_parse_object(const char *wire_name, const char *what, const char *body,
                                      size_t len, llmops_json_doc **doc, llmops_response *resp);

/* An OpenAI error object {"message","type","code","param"} (or a bare
 * string) as a typed failure on resp: status from `http_status` (0: from a
 * numeric code, else LLMOPS_E_PROVIDER), refined by code/type and message;
 * error code kept; API-key-looking tokens in the message masked. */
llmops_status llmops__oa_fail_error_object(const char *wire_name, int http_status,
                                           const llmops_json *err, llmops_response *resp);

/* The non-2xx mapping both wires use: {"error":{...}}, {"message"},
 * {"detail"}, or plain text. */
void llmops__oa_parse_error(const char *wire_name, int http_status, const char *body,
                            size_t len, llmops_response *resp);

/* Copies s as the response's usage (marks it present). */
llmops_status llmops__oa_set_usage(llmops_response *resp, const llmops_usage *u);

/* Reads an integer member (0 when absent or not an integer). */
int64_t llmops__oa_int(const llmops_json *obj, const char *key);

#endif
