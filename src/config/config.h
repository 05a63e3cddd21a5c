/*
 * The llmops.yaml configuration model: parsed, validated and typed.
 *
 * docs/config.md documents every key. Everything here is read-only once
 * parsed: a configuration is an immutable snapshot that any number of threads
 * may read at once, freed with llmops__config_free when the last reader is
 * done.
 *
 * Strings are NUL-terminated and owned by the configuration. Optional
 * numbers come with a has_* flag; optional strings are NULL when absent.
 * Paths (provider ca_bundle, dir, record_to; prompts dir and lock) are
 * already resolved: absolute as written, else joined to base_dir. JSON
 * values (schemas, reserved sections) point into `doc`, which the
 * configuration owns.
 *
 * Validation reports every problem at once, one per line, sorted by place:
 *   FILE:LINE:COLUMN: key.path: message
 * (at most 500, then "FILE: N more problems not shown").
 * FILE is the path as given, or "<string>". Key paths join keys with dots
 * and list indexes in brackets (tasks.answer.route.fallbacks[1]); a name
 * that is not [A-Za-z0-9_-]+ is quoted (models["gpt-4.1"].id). Messages never
 * quote a value that looks like a credential.
 */
#ifndef LLMOPS_CONFIG_CONFIG_H
#define LLMOPS_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/yaml.h"
#include "core/arena.h"
#include "core/strbuf.h"
#include "llmops/json.h"
#include "llmops/provider.h"

/* The only configuration format version this library reads. */
#define LLMOPS__CONFIG_VERSION 1

typedef enum llmops__cfg_provider_type {
    LLMOPS__CFG_OPENAI,            /* "openai" (chat completions) */
    LLMOPS__CFG_OPENAI_RESPONSES,  /* "openai-responses" */
    LLMOPS__CFG_ANTHROPIC,         /* "anthropic" */
    LLMOPS__CFG_GEMINI,            /* "gemini" */
    LLMOPS__CFG_OLLAMA,            /* "ollama" */
    LLMOPS__CFG_REPLAY,            /* "replay": answers from cassettes in `dir` */
    LLMOPS__CFG_CUSTOM             /* "custom": the host registers it by name */
} llmops__cfg_provider_type;

/* Generation parameters (models.<m>.params and tasks.<t>.params). */
typedef struct llmops__cfg_params {
    int has_temperature, has_top_p, has_max_output_tokens, has_seed, has_stop;
    double temperature;            /* 0..2 */
    double top_p;                  /* 0..1 */
    int64_t max_output_tokens;     /* 1..10 000 000 */
    int64_t seed;                  /* any int64 */
    const char *const *stop;       /* n_stop non-empty strings (at most 16) */
    size_t n_stop;
} llmops__cfg_params;

typedef struct llmops__cfg_provider {
    const char *name;
    llmops__cfg_provider_type type;
    const char *type_name;         /* "openai", ..., "custom" (static) */
    const char *base_url;          /* http(s) URL, or NULL: the provider's default */
    const char *api_key_env;       /* environment variable name, or NULL: the usual one */
    const char *api_version;       /* NULL when absent */
    int azure;                     /* openai types only; 0 when absent */
    const char *ca_bundle;         /* resolved path, or NULL */
    /* Extra headers as "Name: value", NULL-terminated (NULL when none), in
     * the order written: ready for llmops_provider_options.headers. */
    const char *const *headers;
    size_t n_headers;
    int has_connect_ms, has_first_byte_ms, has_total_ms, has_idle_ms;
    uint32_t connect_ms, first_byte_ms, total_ms, idle_ms;  /* 1..86 400 000 */
    int has_max_request_bytes, has_max_response_bytes;
    size_t max_request_bytes, max_response_bytes;           /* 1 KiB..4 GiB */
    const char *dir;               /* replay: resolved cassette folder (required) */
    int timing;                    /* replay: replay recorded gaps; 0 when absent */
    const char *record_to;         /* resolved folder to record cassettes in, or NULL */
    llmops__yaml_pos pos;          /* where the provider's name is written */
} llmops__cfg_provider;

typedef struct llmops__cfg_model {
    const char *name;
    const char *provider;          /* provider name as written */
    const llmops__cfg_provider *provider_ref;  /* resolved */
    const char *id;                /* pinned model id sent to the provider */
    llmops__cfg_params params;
    llmops__yaml_pos pos;
} llmops__cfg_model;

typedef struct llmops__cfg_tool {
    const char *name;              /* [A-Za-z0-9_-]{1,64} */
    const char *description;       /* NULL when absent */
    const llmops_json *parameters; /* JSON Schema object, or NULL when absent */
    llmops__yaml_pos pos;
} llmops__cfg_tool;

typedef struct llmops__cfg_output {
    int json;                      /* format: 0 text (default), 1 json */
    const llmops_json *schema;     /* json only; NULL when absent */
    int extract_json;              /* json only; 0 when absent */
    int has_max_length;
    size_t max_length;             /* code points, 1..100 000 000 */
    const char *const *required;   /* regular expressions (PCRE2 syntax) */
    size_t n_required;
    const char *const *forbidden;
    size_t n_forbidden;
} llmops__cfg_output;

typedef struct llmops__cfg_retry {
    int has_max_attempts, has_base_delay_ms, has_max_delay_ms, has_breaker_threshold,
        has_breaker_cooldown_ms;
    unsigned max_attempts;         /* 1..20 */
    uint32_t base_delay_ms;        /* 0..600 000 */
    uint32_t max_delay_ms;         /* 0..3 600 000, not below base_delay_ms */
    unsigned breaker_threshold;    /* 1..1000 */
    uint32_t breaker_cooldown_ms;  /* 1..86 400 000 */
} llmops__cfg_retry;

typedef struct llmops__cfg_task {
    const char *name;
    const char *description;       /* for people; NULL when absent */
    const char *prompt;            /* the reference as written */
    const char *prompt_name;       /* its parts: name, and at most one of */
    const char *prompt_label;      /*   a label ("production") or */
    const char *prompt_version;    /*   a version hash or prefix (8..64 hex) */
    const char *model;             /* model name, or NULL: the prompt's front-matter */
    const llmops__cfg_model *model_ref;  /* resolved, NULL when model is NULL */
    llmops__cfg_params params;     /* overrides of the model's parameters */
    const llmops_json *input_schema;  /* NULL: the prompt's */
    int has_output;                /* the output mapping was written */
    llmops__cfg_output output;
    unsigned reask;                /* 0..5, default 1 */
    const char *const *tools;      /* tool names, no repeats */
    const llmops__cfg_tool *const *tool_refs;  /* resolved, n_tools of them */
    size_t n_tools;
    unsigned max_tool_steps;       /* 1..100, default 8 */
    const char *const *fallbacks;  /* route.fallbacks: model names, in order */
    const llmops__cfg_model *const *fallback_refs;  /* resolved */
    size_t n_fallbacks;
    llmops__cfg_retry retry;       /* route.retry */
    int has_deadline_ms;
    uint64_t deadline_ms;          /* 1..86 400 000 */
    llmops__yaml_pos pos;
} llmops__cfg_task;

typedef struct llmops__cfg_index llmops__cfg_index;

typedef struct llmops__config {
    const char *path;              /* as given, or "<string>" */
    const char *base_dir;          /* absolute folder relative paths start from */
    int version;                   /* LLMOPS__CONFIG_VERSION */
    llmops__cfg_provider *providers;
    size_t n_providers;
    llmops__cfg_model *models;
    size_t n_models;
    llmops__cfg_tool *tools;
    size_t n_tools;
    llmops__cfg_task *tasks;
    size_t n_tasks;
    const char *prompts_dir;       /* resolved; default base_dir/prompts */
    const char *prompts_lock;      /* resolved; default prompts_dir/prompts.lock */
    /* Reserved sections for later issues: any mapping, kept as JSON; NULL
     * when absent. */
    const llmops_json *policies, *tracing, *evals;
    llmops_json_doc *doc;          /* the whole file as JSON; owns the values above */
    llmops__yaml_positions *positions;  /* where each value of doc is written */
    llmops__arena arena;           /* owns the strings and arrays */
    llmops__cfg_index *index;      /* name lookups */
} llmops__config;

/* Parse and validate `len` bytes of llmops.yaml text. `path` names the file
 * in messages and gives the base folder (NULL: "<string>" and the current
 * folder). Messages are appended to `errors` (may be NULL), one per line,
 * each ending in '\n'.
 * Errors: LLMOPS_E_CONFIG (validation: every problem listed),
 * LLMOPS_E_PARSE (broken YAML: "FILE:LINE:COLUMN: problem"), LLMOPS_E_LIMIT
 * (a YAML limit, see yaml.h), LLMOPS_E_UNSUPPORTED (built without libyaml),
 * LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_NO_MEMORY, LLMOPS_E_IO (the current
 * folder cannot be read to resolve relative paths). *out is NULL on failure. */
llmops_status llmops__config_parse(const char *text, size_t len, const char *path,
                                   llmops__config **out, llmops__buf *errors);

/* The same with an explicit base folder for relative paths (NULL: the
 * current folder) and `name` for messages (NULL: "<string>"). */
llmops_status llmops__config_parse_in(const char *text, size_t len, const char *name,
                                      const char *base_dir, llmops__config **out,
                                      llmops__buf *errors);

/* Read the file at `path` and parse it. LLMOPS_E_IO names the file and the
 * system's reason when it cannot be read. */
llmops_status llmops__config_load(const char *path, llmops__config **out, llmops__buf *errors);

void llmops__config_free(llmops__config *c);

/* Lookups by exact name; NULL when there is none. O(1). */
const llmops__cfg_provider *llmops__config_provider(const llmops__config *c, const char *name);
const llmops__cfg_model *llmops__config_model(const llmops__config *c, const char *name);
const llmops__cfg_tool *llmops__config_tool(const llmops__config *c, const char *name);
const llmops__cfg_task *llmops__config_task(const llmops__config *c, const char *name);

/* Options for llmops_provider_new from an HTTP provider's entry (base URL,
 * key variable, API version, azure, CA bundle, headers, timeouts, size
 * limits; absent values stay 0/NULL, the provider's defaults). `o` is
 * initialised first. The strings are borrowed from the configuration. */
void llmops__cfg_provider_options(const llmops__cfg_provider *p, llmops_provider_options *o);

/* Retry and breaker options for a task's fallback chain (route.retry and
 * deadline_ms; absent values stay 0, the defaults). `o` is initialised first. */
void llmops__cfg_retry_options(const llmops__cfg_task *t, llmops_retry_options *o);

/* A string value that looks like a credential (an API key or an
 * Authorization value): known key prefixes (sk-, sk-ant-, AIza, gsk_, xai-,
 * hf_, ghp_, github_pat_, AKIA, ...) followed by a long token, or
 * "Bearer "/"Basic " and a token. Shared with the prompt front-matter. */
int llmops__config_looks_like_secret(const char *s, size_t len);

#endif
