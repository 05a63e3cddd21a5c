/* A strict reader of Prometheus text exposition format 0.0.4, used to check
 * what the registry writes independently of golden text. */
#ifndef LT_METRICS_PROM_CHECK_H
#define LT_METRICS_PROM_CHECK_H

#include <stddef.h>

typedef struct lt_prom_sample {
    char name[128];
    size_t nlabels;
    char keys[12][64];
    char values[12][1024];  /* unescaped */
    double value;
} lt_prom_sample;

/* Parses one sample line; 0 ok, -1 with *why set to a static message. */
int lt_prom_parse_sample(const char *line, lt_prom_sample *out, const char **why);

/* Checks a whole exposition: line grammar, HELP before TYPE once per family,
 * every sample in the family TYPE announced, histogram buckets ascending in
 * le with +Inf last, cumulative counts, _count equal to the +Inf bucket.
 * Returns 0, or -1 with a message naming the line in `err`. Counts samples
 * in *nsamples when not NULL. */
int lt_prom_check(const char *text, char *err, size_t errlen, size_t *nsamples);

#endif
