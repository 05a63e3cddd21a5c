/*
 * libllmops — umbrella header. Include this one; it pulls in every public
 * header of the library. See each header for ownership, thread-safety and
 * error rules of its functions.
 */
#ifndef LLMOPS_H
#define LLMOPS_H

#include "llmops/common.h"
#include "llmops/json.h"
#include "llmops/provider.h"
#include "llmops/client.h"
#include "llmops/call.h"
#include "llmops/prompt.h"

#endif /* LLMOPS_H */
