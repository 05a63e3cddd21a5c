/* Version and build features of the linked library. */
#include "llmops/common.h"
#include "llmops_config.h"

const char *llmops_version(void)
{
    return LLMOPS_VERSION_STRING;
}

unsigned llmops_version_number(void)
{
    return LLMOPS_VERSION_NUMBER;
}

/* A flag is reported only once the module behind it is built in: finding a
 * dependency at configure time is not the same as offering the feature. */
unsigned llmops_features(void)
{
    unsigned f = 0;
#if defined(LLMOPS_HAVE_HTTP) && LLMOPS_HAVE_HTTP && defined(LLMOPS_TRANSPORT_BUILT)
    f |= LLMOPS_FEATURE_HTTP | LLMOPS_FEATURE_STREAMING;
#endif
    return f;
}
