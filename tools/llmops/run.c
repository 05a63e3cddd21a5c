/* llmops run TASK: one call of a task, its output on stdout and what
 * produced it (prompt version, fingerprint, model, usage, attempts, re-asks,
 * tool calls) on stderr or in one JSON object. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const cli_cmd cmd_run = {
    "run",
    "usage: llmops run TASK --input JSON|@FILE [--config FILE] [--stream] [--json]\n"
    "                  [--user ID] [--session ID] [--tenant ID] [--traceparent TP]\n"
    "                  [--deadline-ms N]\n"
    "\n"
    "Runs one call of TASK: checks the input, renders the task's prompt, calls the\n"
    "model through its route (retries, fallbacks), checks the output contract\n"
    "(re-asking the model when it fails) and prints the output on stdout.\n"
    "\n"
    "Then, on stderr: the prompt name@version, the task fingerprint, the model that\n"
    "answered, token usage, the provider attempts, re-asks and tool calls.\n"
    "\n"
    "options:\n"
    "  --input JSON|@FILE  the call's input: JSON text, or @FILE to read it from FILE\n"
    "                      (@- reads stdin)\n"
    "  --config FILE       the configuration (default: $LLMOPS_CONFIG, else ./llmops.yaml)\n"
    "  --stream            print the answer as it arrives (when a re-ask or a tool\n"
    "                      turn changes it, the final output follows)\n"
    "  --json              print one JSON object with the output and everything above\n"
    "                      on stdout instead (not with --stream)\n"
    "  --user ID           who the call is for (traces; sent to providers that take a\n"
    "                      user id)\n"
    "  --session ID, --tenant ID\n"
    "                      recorded with the call's trace\n"
    "  --traceparent TP    join an existing W3C trace (00-<32 hex>-<16 hex>-<2 hex>)\n"
    "  --deadline-ms N     the whole call's deadline in milliseconds (retries,\n"
    "                      fallbacks and tool steps included) instead of the task's\n"
    "  -h, --help          this text\n"
    "\n"
    "Ctrl-C cancels the call (it ends as a failed call, status cancelled).\n"
    "\n"
    "exit status: 0 ok, 1 the call failed, 2 usage error (also --input that is not\n"
    "JSON), 3 configuration missing or invalid\n",
};

/* What --stream has shown, so the final output is printed again only when a
 * re-ask or a later turn changed it. */
typedef struct streamed {
    char *text;
    size_t len, cap;
    int failed;
} streamed;

static int on_delta(const llmops_delta *d, void *user_data)
{
    streamed *s = user_data;
    if (d->kind != LLMOPS_DELTA_TEXT || d->len == 0)
        return 0;
    fwrite(d->text, 1, d->len, stdout);
    fflush(stdout);
    if (s->failed)
        return 0;
    if (s->len + d->len > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->len + d->len)
            cap *= 2;
        char *p = realloc(s->text, cap);
        if (!p) {
            s->failed = 1;
            return 0;
        }
        s->text = p;
        s->cap = cap;
    }
    memcpy(s->text + s->len, d->text, d->len);
    s->len += d->len;
    return 0;
}

static void print_usage_line(FILE *f, const llmops_usage *u)
{
    fprintf(f, "%lld input, %lld output, %lld total tokens", (long long)u->input_tokens,
            (long long)u->output_tokens, (long long)u->total_tokens);
    if (u->cached_input_tokens)
        fprintf(f, " (%lld cached)", (long long)u->cached_input_tokens);
    if (u->reasoning_tokens)
        fprintf(f, ", %lld reasoning", (long long)u->reasoning_tokens);
    if (u->cost_usd > 0)
        fprintf(f, ", $%.6f", u->cost_usd);
    fputc('\n', f);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* After a failure the model line is left out: no model answered, and the
 * attempts say who was tried. */
static void print_summary(FILE *f, llmops_call *call, int ok)
{
    const char *pname = llmops_call_prompt_name(call);
    const char *pver = llmops_call_prompt_version(call);
    if (pname && *pname)
        fprintf(f, "prompt:      %s@%s\n", pname, or_dash(pver));
    fprintf(f, "fingerprint: %s\n", or_dash(llmops_call_task_fingerprint(call)));
    const char *model = llmops_call_model(call);
    const llmops_response *resp = llmops_call_response(call);
    if (ok && model && *model)
        fprintf(f, "model:       %s (model %s, provider %s)\n", model,
                or_dash(llmops_call_model_name(call)),
                or_dash(resp ? llmops_response_provider(resp) : NULL));
    llmops_usage u = LLMOPS_USAGE_INIT;
    if (llmops_call_usage(call, &u) == LLMOPS_OK) {
        fputs("usage:       ", f);
        print_usage_line(f, &u);
    }
    size_t na = resp ? llmops_response_attempt_count(resp) : 0;
    for (size_t i = 0; i < na; i++) {
        llmops_attempt a = LLMOPS_ATTEMPT_INIT;
        if (llmops_response_attempt(resp, i, &a) != LLMOPS_OK)
            continue;
        fprintf(f, "attempt %zu:   %s %s: %s", i + 1, or_dash(a.target), or_dash(a.model),
                llmops_status_str(a.status));
        if (a.http_status)
            fprintf(f, " (HTTP %d)", a.http_status);
        fprintf(f, ", %.1f ms\n", (double)a.latency_ns / 1e6);
    }
    fprintf(f, "turns:       %u\n", llmops_call_turn_count(call));
    fprintf(f, "re-asks:     %u\n", llmops_call_reask_count(call));
    size_t nt = llmops_call_tool_count(call);
    fprintf(f, "tool calls:  %zu\n", nt);
    for (size_t i = 0; i < nt; i++) {
        llmops_tool_record t = LLMOPS_TOOL_RECORD_INIT;
        if (llmops_call_tool(call, i, &t) != LLMOPS_OK)
            continue;
        fprintf(f, "  %s(%s): %s, %.1f ms\n", or_dash(t.name), t.arguments ? t.arguments : "",
                llmops_status_str(t.status), (double)t.duration_ns / 1e6);
    }
    const char *trace = llmops_call_trace_id(call);
    if (trace && *trace)
        fprintf(f, "trace:       %s\n", trace);
}

/* ---- --json ------------------------------------------------------------- */

static llmops_json *str_or_null(llmops_json_doc *doc, const char *s)
{
    return s && *s ? llmops_json_new_string(doc, s, strlen(s)) : llmops_json_new_null(doc);
}

/* Failures of the builders are sticky in *st so the object is built in one
 * straight pass and checked once. */
static void put(llmops_json_doc *doc, llmops_json *obj, const char *key, llmops_json *v,
                llmops_status *st)
{
    if (*st != LLMOPS_OK)
        return;
    *st = v ? llmops_json_object_set(doc, obj, key, strlen(key), v) : LLMOPS_E_NO_MEMORY;
}

static void append(llmops_json_doc *doc, llmops_json *arr, llmops_json *v, llmops_status *st)
{
    if (*st != LLMOPS_OK)
        return;
    *st = v ? llmops_json_array_append(doc, arr, v) : LLMOPS_E_NO_MEMORY;
}

static llmops_json *usage_json(llmops_json_doc *doc, llmops_call *call, llmops_status *st)
{
    llmops_usage u = LLMOPS_USAGE_INIT;
    if (llmops_call_usage(call, &u) != LLMOPS_OK)
        return llmops_json_new_null(doc);
    llmops_json *o = llmops_json_new_object(doc);
    if (!o)
        return NULL;
    put(doc, o, "input_tokens", llmops_json_new_int(doc, u.input_tokens), st);
    put(doc, o, "output_tokens", llmops_json_new_int(doc, u.output_tokens), st);
    put(doc, o, "total_tokens", llmops_json_new_int(doc, u.total_tokens), st);
    put(doc, o, "cached_input_tokens", llmops_json_new_int(doc, u.cached_input_tokens), st);
    put(doc, o, "cache_creation_tokens", llmops_json_new_int(doc, u.cache_creation_tokens), st);
    put(doc, o, "reasoning_tokens", llmops_json_new_int(doc, u.reasoning_tokens), st);
    put(doc, o, "cost_usd", llmops_json_new_double(doc, u.cost_usd), st);
    return o;
}

static llmops_json *attempts_json(llmops_json_doc *doc, llmops_call *call, llmops_status *st)
{
    llmops_json *arr = llmops_json_new_array(doc);
    const llmops_response *resp = llmops_call_response(call);
    size_t n = resp ? llmops_response_attempt_count(resp) : 0;
    for (size_t i = 0; arr && i < n; i++) {
        llmops_attempt a = LLMOPS_ATTEMPT_INIT;
        if (llmops_response_attempt(resp, i, &a) != LLMOPS_OK)
            continue;
        llmops_json *o = llmops_json_new_object(doc);
        if (!o)
            return NULL;
        put(doc, o, "provider", str_or_null(doc, a.target), st);
        put(doc, o, "model", str_or_null(doc, a.model), st);
        put(doc, o, "status", str_or_null(doc, llmops_status_str(a.status)), st);
        put(doc, o, "http_status",
            a.http_status ? llmops_json_new_int(doc, a.http_status) : llmops_json_new_null(doc),
            st);
        put(doc, o, "latency_ms", llmops_json_new_double(doc, (double)a.latency_ns / 1e6), st);
        append(doc, arr, o, st);
    }
    return arr;
}

/* A tool's arguments as JSON when they parse, else as the text they are. */
static llmops_json *json_or_text(llmops_json_doc *doc, const char *text)
{
    if (!text)
        return llmops_json_new_null(doc);
    llmops_json_doc *parsed = NULL;
    llmops_json *v;
    if (llmops_json_parse(&parsed, text, strlen(text), NULL, NULL) == LLMOPS_OK)
        v = llmops_json_copy(doc, llmops_json_doc_root(parsed));
    else
        v = llmops_json_new_string(doc, text, strlen(text));
    llmops_json_doc_free(parsed);
    return v;
}

static llmops_json *tools_json(llmops_json_doc *doc, llmops_call *call, llmops_status *st)
{
    llmops_json *arr = llmops_json_new_array(doc);
    size_t n = llmops_call_tool_count(call);
    for (size_t i = 0; arr && i < n; i++) {
        llmops_tool_record t = LLMOPS_TOOL_RECORD_INIT;
        if (llmops_call_tool(call, i, &t) != LLMOPS_OK)
            continue;
        llmops_json *o = llmops_json_new_object(doc);
        if (!o)
            return NULL;
        put(doc, o, "id", str_or_null(doc, t.id), st);
        put(doc, o, "name", str_or_null(doc, t.name), st);
        put(doc, o, "arguments", json_or_text(doc, t.arguments), st);
        put(doc, o, "result", t.result ? llmops_json_new_string(doc, t.result, strlen(t.result))
                                       : llmops_json_new_null(doc), st);
        put(doc, o, "status", str_or_null(doc, llmops_status_str(t.status)), st);
        put(doc, o, "duration_ms", llmops_json_new_double(doc, (double)t.duration_ns / 1e6), st);
        append(doc, arr, o, st);
    }
    return arr;
}

static int print_json_result(const char *task, llmops_call *call, llmops_status run_st)
{
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_doc_new(&doc);
    llmops_json *o = st == LLMOPS_OK ? llmops_json_new_object(doc) : NULL;
    if (!o)
        st = LLMOPS_E_NO_MEMORY;
    put(doc, o, "task", llmops_json_new_string(doc, task, strlen(task)), &st);
    put(doc, o, "ok", llmops_json_new_bool(doc, run_st == LLMOPS_OK), &st);
    put(doc, o, "status", str_or_null(doc, llmops_status_str(run_st)), &st);
    put(doc, o, "error", str_or_null(doc, run_st == LLMOPS_OK ? NULL : llmops_call_error(call)),
        &st);
    size_t tlen = 0;
    const char *text = run_st == LLMOPS_OK ? llmops_call_output_text(call, &tlen) : NULL;
    const llmops_json *out = run_st == LLMOPS_OK ? llmops_call_output_json(call) : NULL;
    put(doc, o, "output",
        out ? llmops_json_copy(doc, out)
            : text ? llmops_json_new_string(doc, text, tlen) : llmops_json_new_null(doc),
        &st);
    put(doc, o, "output_text",
        text ? llmops_json_new_string(doc, text, tlen) : llmops_json_new_null(doc), &st);
    llmops_json *prompt = llmops_json_new_object(doc);
    put(doc, prompt, "name", str_or_null(doc, llmops_call_prompt_name(call)), &st);
    put(doc, prompt, "version", str_or_null(doc, llmops_call_prompt_version(call)), &st);
    put(doc, o, "prompt", prompt, &st);
    put(doc, o, "fingerprint", str_or_null(doc, llmops_call_task_fingerprint(call)), &st);
    put(doc, o, "model", str_or_null(doc, llmops_call_model(call)), &st);
    put(doc, o, "model_name", str_or_null(doc, llmops_call_model_name(call)), &st);
    const llmops_response *resp = llmops_call_response(call);
    put(doc, o, "provider", str_or_null(doc, resp ? llmops_response_provider(resp) : NULL), &st);
    put(doc, o, "usage", usage_json(doc, call, &st), &st);
    put(doc, o, "attempts", attempts_json(doc, call, &st), &st);
    put(doc, o, "turns", llmops_json_new_int(doc, llmops_call_turn_count(call)), &st);
    put(doc, o, "reasks", llmops_json_new_int(doc, llmops_call_reask_count(call)), &st);
    put(doc, o, "tool_calls", tools_json(doc, call, &st), &st);
    llmops_json *viol = llmops_json_new_array(doc);
    size_t nv = llmops_call_violation_count(call);
    for (size_t i = 0; viol && i < nv; i++)
        append(doc, viol, str_or_null(doc, llmops_call_violation(call, i)), &st);
    put(doc, o, "violations", viol, &st);
    put(doc, o, "trace_id", str_or_null(doc, llmops_call_trace_id(call)), &st);
    char *json = NULL;
    if (st == LLMOPS_OK)
        st = llmops_json_write(&json, NULL, o, LLMOPS_JSON_WRITE_COMPACT);
    llmops_json_doc_free(doc);
    if (st != LLMOPS_OK)
        return cli_fail(&cmd_run, "writing the JSON result", st, NULL);
    printf("%s\n", json);
    llmops_free(json);
    return run_st == LLMOPS_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* ---- the command -------------------------------------------------------- */

/* Ctrl-C (or SIGTERM) cancels the call in flight, which then ends promptly
 * with LLMOPS_E_CANCELLED and the usual failure report; a second one kills
 * the process (SA_RESETHAND). llmops_cancel_trigger is async-signal-safe. */
static llmops_cancel *interrupt_token;

static void on_interrupt(int sig)
{
    (void)sig;
    llmops_cancel_trigger(interrupt_token);
}

static void catch_interrupts(int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on ? on_interrupt : SIG_DFL;
    sa.sa_flags = on ? SA_RESETHAND : 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void print_failure(const char *task, llmops_call *call, llmops_status st)
{
    fprintf(stderr, "llmops run: task %s failed: %s: %s\n", task, llmops_status_str(st),
            or_dash(llmops_call_error(call)));
    size_t nv = llmops_call_violation_count(call);
    for (size_t i = 0; i < nv; i++)
        fprintf(stderr, "  violation: %s\n", or_dash(llmops_call_violation(call, i)));
}

static int run_call(const char *task, llmops_call *call, int stream, int json)
{
    streamed s = { NULL, 0, 0, 0 };
    llmops_status st = LLMOPS_OK;
    if (stream)
        st = llmops_call_set_stream(call, on_delta, &s);
    if (st == LLMOPS_OK)
        st = llmops_call_run(call);
    if (json) {
        free(s.text);
        return print_json_result(task, call, st);
    }
    if (st != LLMOPS_OK) {
        if (s.len)
            fputc('\n', stdout);
        fflush(stdout);
        print_failure(task, call, st);
        print_summary(stderr, call, 0);
        free(s.text);
        return CLI_EXIT_FAILED;
    }
    size_t len = 0;
    const char *text = llmops_call_output_text(call, &len);
    if (!text)
        text = "";
    int shown = stream && !s.failed && s.len == len && memcmp(s.text ? s.text : "", text, len) == 0;
    if (!shown) {
        if (s.len) {
            fputc('\n', stdout);
            fflush(stdout);
            fprintf(stderr, "llmops run: the streamed answer was not the final output "
                            "(%u re-asks, %u turns); the final output:\n",
                    llmops_call_reask_count(call), llmops_call_turn_count(call));
        }
        fwrite(text, 1, len, stdout);
    }
    if (len == 0 || text[len - 1] != '\n')
        fputc('\n', stdout);
    fflush(stdout);
    free(s.text);
    print_summary(stderr, call, 1);
    return CLI_EXIT_OK;
}

/* The call's optional settings from the command line. */
typedef struct call_opts {
    const char *user, *session, *tenant, *traceparent, *deadline;
    uint64_t deadline_ms;   /* 0: the task's */
} call_opts;

/* --deadline-ms is checked before anything is opened, like every usage error. */
static int parse_deadline(call_opts *o)
{
    if (!o->deadline)
        return CLI_EXIT_OK;
    char *end = NULL;
    errno = 0;
    unsigned long long ms = strtoull(o->deadline, &end, 10);
    if (o->deadline[0] < '0' || o->deadline[0] > '9' || *end || ms == 0 || errno == ERANGE)
        return cli_misuse(&cmd_run, "--deadline-ms takes a whole number of milliseconds above 0");
    o->deadline_ms = ms;
    return CLI_EXIT_OK;
}

/* Applies them; a malformed value is a usage error (the library's words). */
static int apply_opts(llmops_call *call, const call_opts *o)
{
    llmops_status st = LLMOPS_OK;
    const char *what = NULL;
    if (o->user && (st = llmops_call_set_user(call, o->user)) != LLMOPS_OK)
        what = "--user";
    else if (o->session && (st = llmops_call_set_session(call, o->session)) != LLMOPS_OK)
        what = "--session";
    else if (o->tenant && (st = llmops_call_set_tenant(call, o->tenant)) != LLMOPS_OK)
        what = "--tenant";
    else if (o->traceparent &&
             (st = llmops_call_set_traceparent(call, o->traceparent)) != LLMOPS_OK)
        what = "--traceparent";
    if (!what && o->deadline_ms &&
        (st = llmops_call_set_deadline_ms(call, o->deadline_ms)) != LLMOPS_OK)
        what = "--deadline-ms";
    if (!what)
        return CLI_EXIT_OK;
    if (st == LLMOPS_E_NO_MEMORY)
        return cli_fail(&cmd_run, what, st, NULL);
    char why[512];
    const char *err = llmops_call_error(call);
    snprintf(why, sizeof why, "bad %s: %s%s", what, err && *err ? err : llmops_status_str(st),
             o->traceparent && strcmp(what, "--traceparent") == 0
                 ? " (want 00-<32 hex>-<16 hex>-<2 hex>)" : "");
    return cli_misuse(&cmd_run, why);
}

int cli_run(int argc, char **argv)
{
    call_opts co = { NULL, NULL, NULL, NULL, NULL, 0 };
    const char *input = NULL, *config = NULL, *pos[1];
    int stream = 0, json = 0, help = 0;
    size_t npos;
    const cli_opt opts[] = {
        { "input", &input, NULL },
        { "config", &config, NULL },
        { "stream", NULL, &stream },
        { "json", NULL, &json },
        { "user", &co.user, NULL },
        { "session", &co.session, NULL },
        { "tenant", &co.tenant, NULL },
        { "traceparent", &co.traceparent, NULL },
        { "deadline-ms", &co.deadline, NULL },
    };
    int rc = cli_parse(&cmd_run, argc, argv, opts, sizeof opts / sizeof *opts, pos, 1, &npos,
                       &help);
    if (rc != CLI_EXIT_OK || help)
        return help ? cli_help(&cmd_run) : rc;
    if (npos != 1)
        return cli_misuse(&cmd_run, "which task? (llmops run TASK --input JSON)");
    if (!input)
        return cli_misuse(&cmd_run, "--input is required (JSON text or @FILE)");
    if (stream && json)
        return cli_misuse(&cmd_run, "--stream and --json cannot be combined");
    if ((rc = parse_deadline(&co)) != CLI_EXIT_OK)
        return rc;
    const char *task = pos[0];
    char *text = NULL;
    size_t len = 0;
    if ((rc = cli_read_input(&cmd_run, input, &text, &len)) != CLI_EXIT_OK)
        return rc;
    const char *path = cli_config_path(config);
    llmops_client *client = NULL;
    if ((rc = cli_open_client(&cmd_run, path, &client)) != CLI_EXIT_OK) {
        free(text);
        return rc;
    }
    llmops_call *call = NULL;
    llmops_status st = llmops_call_new(&call, client, task);
    if (st == LLMOPS_E_NOT_FOUND) {
        fprintf(stderr, "llmops run: %s has no task '%s'\n", path, task);
        rc = CLI_EXIT_FAILED;
    } else if (st != LLMOPS_OK) {
        rc = cli_fail(&cmd_run, "creating the call", st, NULL);
    } else if ((st = llmops_call_set_input(call, text, len)) != LLMOPS_OK) {
        rc = cli_fail(&cmd_run, "setting the input", st, llmops_call_error(call));
    } else if ((rc = apply_opts(call, &co)) != CLI_EXIT_OK) {
        /* apply_opts said what was wrong */
    } else if ((st = llmops_cancel_new(&interrupt_token)) != LLMOPS_OK ||
               (st = llmops_call_set_cancel(call, interrupt_token)) != LLMOPS_OK) {
        rc = cli_fail(&cmd_run, "setting up cancellation", st, NULL);
    } else {
        catch_interrupts(1);
        rc = run_call(task, call, stream, json);
        catch_interrupts(0);
    }
    llmops_call_free(call);
    llmops_cancel_free(interrupt_token);
    interrupt_token = NULL;
    llmops_client_free(client);
    free(text);
    return rc;
}
