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
 * dependency at configure time is not the same as offering the feature.
 * SQLite, Redis and OTLP join when their modules land. */
unsigned llmops_features(void)
{
    unsigned f = LLMOPS_FEATURE_STREAMING;
#if LLMOPS_HAVE_HTTP
    f |= LLMOPS_FEATURE_HTTP;
#endif
#if LLMOPS_HAVE_YAML
    f |= LLMOPS_FEATURE_YAML;
#endif
#if LLMOPS_HAVE_PCRE2
    f |= LLMOPS_FEATURE_PCRE2;
#endif
    return f;
}
