/* Cancellation tokens: an atomic flag plus a reference count, so a request
 * that holds a token keeps it alive while another thread triggers it. */
#include <stdatomic.h>

#include "core/alloc.h"
#include "llmops/provider.h"
#include "provider/request.h"

struct llmops_cancel {
    atomic_uint refs;
    atomic_int flag;
};

llmops_status llmops_cancel_new(llmops_cancel **out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops_cancel *c = llmops__calloc(1, sizeof *c);
    if (!c)
        return LLMOPS_E_NO_MEMORY;
    atomic_init(&c->refs, 1);
    atomic_init(&c->flag, 0);
    *out = c;
    return LLMOPS_OK;
}

llmops_cancel *llmops__cancel_ref(llmops_cancel *c)
{
    if (c)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void llmops_cancel_free(llmops_cancel *c)
{
    if (c && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
        llmops__free(c);
}

void llmops_cancel_trigger(llmops_cancel *c)
{
    /* A lock-free atomic store is async-signal-safe. */
    if (c)
        atomic_store_explicit(&c->flag, 1, memory_order_release);
}

void llmops_cancel_reset(llmops_cancel *c)
{
    if (c)
        atomic_store_explicit(&c->flag, 0, memory_order_release);
}

int llmops_cancel_is_set(const llmops_cancel *c)
{
    if (!c)
        return 0;
    return atomic_load_explicit(&((llmops_cancel *)c)->flag, memory_order_acquire) != 0;
}
