/* The client and its configuration snapshots. Owned by src/client/client.c
 * and snapshot.c; the call pipeline (src/call/call.c) reads a snapshot.
 *
 * A snapshot is everything a configuration decides, built once and
 * immutable: the parsed configuration, the prompt registry, a provider per
 * configured provider, and per task the loaded prompt, the route (a
 * fallback chain over the task's models), the compiled input schema,
 * output contract and tool schemas, and the task fingerprint. Calls hold a
 * reference to the snapshot they started on, so a reload never changes a
 * call in flight. */
#ifndef LLMOPS_CLIENT_CLIENT_H
#define LLMOPS_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>

#include "config/config.h"
#include "contract/contract.h"
#include "cost/prices.h"
#include "metrics/metrics.h"
#include "core/strbuf.h"
#include "llmops/call.h"
#include "llmops/client.h"
#include "prompt/registry.h"
#include "schema/schema.h"

/* Merged generation parameters for one model of a route. */
typedef struct llmops__params {
    int has_temperature, has_top_p, has_max_output_tokens, has_seed;
    double temperature, top_p;
    int64_t max_output_tokens, seed;
    const char *const *stop;
    size_t n_stop;
} llmops__params;

typedef struct llmops__task_tool {
    const llmops__cfg_tool *cfg;
    llmops__schema *schema;          /* NULL: any arguments object */
} llmops__task_tool;

typedef struct llmops__task_rt {
    const llmops__cfg_task *cfg;
    llmops__prompt *prompt;
    const llmops__cfg_model *model;  /* primary model */
    llmops__params params;           /* model < prompt front-matter < task */
    llmops_provider *route;          /* fallback chain over primary + fallbacks */
    llmops__schema *input_schema;    /* NULL: no input check */
    llmops__contract *contract;      /* NULL: no output contract */
    int json_output;
    const llmops_json *output_schema; /* for native structured output, or NULL */
    llmops__task_tool *tools;
    size_t ntools;
    char fingerprint[65];
    char *fingerprint_parts;         /* canonical JSON that was hashed */
} llmops__task_rt;

typedef struct llmops__snapshot {
    atomic_uint refs;
    llmops__config *cfg;
    llmops__registry *registry;
    llmops_provider **providers;     /* parallel to cfg->providers */
    llmops__task_rt *tasks;          /* parallel to cfg->tasks */
} llmops__snapshot;

typedef struct llmops__host_provider {
    char *name;
    llmops_provider *p;
} llmops__host_provider;

typedef struct llmops__host_tool {
    char *name;
    llmops_tool_fn fn;
    void *user_data;
} llmops__host_tool;

struct llmops_client {
    pthread_mutex_t lock;            /* guards snap and the host tables */
    llmops__snapshot *snap;
    char *path;                      /* config file, or NULL */
    char *base_dir;                  /* for a config given as text */
    llmops__host_provider *hosts;
    size_t nhosts, cap_hosts;
    llmops__host_tool *tools;
    size_t ntools, cap_tools;
    llmops__metrics *metrics;        /* one registry per client */
    llmops_span_fn span_start, span_end;  /* host hooks (under lock) */
    void *span_ud;
    llmops__prices *prices;          /* current price table, or NULL */
    llmops__prices **old_prices;     /* replaced tables, freed with the client
                                        (calls in flight may still read them) */
    size_t nold_prices, cap_old_prices;
};

struct llmops_tool_output {
    llmops__buf text;
};

/* Builds a snapshot from a parsed configuration (which it takes over, also
 * on failure). Every problem goes to `errors`, one per line. */
llmops_status llmops__snapshot_build(llmops_client *client, llmops__config *cfg,
                                     llmops__snapshot **out, llmops__buf *errors);
/* The current snapshot with a reference the caller releases. */
llmops__snapshot *llmops__client_acquire(llmops_client *client);
void llmops__snapshot_release(llmops__snapshot *s);

/* The current price table (NULL: none), valid until the client is freed. */
const llmops__prices *llmops__client_prices(llmops_client *client);

/* The task's runtime, or NULL. */
const llmops__task_rt *llmops__snapshot_task(const llmops__snapshot *s, const char *name);

/* A host tool's callback (found under the client's lock). 0 when none. */
int llmops__client_tool(llmops_client *client, const char *name, llmops_tool_fn *fn,
                        void **user_data);

#endif
