/* Request fingerprints: the canonical JSON form of everything that decides
 * a provider's answer, and its SHA-256. Owned by src/provider/fingerprint.c. */
#ifndef LLMOPS_PROVIDER_FINGERPRINT_H
#define LLMOPS_PROVIDER_FINGERPRINT_H

#include <stddef.h>

#include "llmops/provider.h"

/* The canonical JSON text (sorted keys, no whitespace) of req with its
 * model replaced by `model` when non-NULL. *out is freed with llmops__free.
 * LLMOPS_E_NO_MEMORY. */
llmops_status llmops__request_canonical_json(const llmops_request *req, const char *model,
                                             char **out, size_t *len);

/* Lowercase hex SHA-256 of that text. */
llmops_status llmops__request_fingerprint_model(const llmops_request *req, const char *model,
                                                char out[65]);

#endif
