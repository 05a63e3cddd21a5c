/* record: writes the support-bot demo's cassettes.
 *
 * The demo runs offline by answering the task's model call from a cassette
 * named by the request's fingerprint. This program makes that exact request:
 * it opens the client from record.yaml (the same prompt, model id,
 * parameters and contract as llmops.yaml, but the model's provider is
 * "scripted", a host provider with record_to: cassettes), registers a host
 * provider under that name, and runs the `answer` task once for the demo
 * input. The library records the provider's answer into cassettes/.
 *
 * The scripted provider stands in for the real model: it checks that the
 * request is the one the demo makes (model id, a system and a user message,
 * the product named in the system prompt) and answers with a canned support
 * answer in the task's JSON contract, with realistic usage figures. Record
 * again after changing the production prompt, the model or the contract.
 *
 *   record [RECORD_YAML [INPUT_JSON]]   defaults: record.yaml input.json
 *
 * Build: cc record.c $(pkg-config --cflags --libs llmops) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llmops.h>

static const char canned_answer[] =
    "{\"answer\": \"Frequent reboots usually come from overheating, an unstable power supply "
    "or old firmware. Stand the router upright with its vents clear, plug its original "
    "adapter straight into a wall socket instead of a power strip, and update the firmware "
    "from the admin page (Settings > System > Firmware update). If it still reboots after "
    "that, reset it to factory settings by holding the reset button for 10 seconds and set "
    "it up again.\", \"confidence\": 0.82, \"needs_human\": false}";

/* The demo's request: a system message that names the product and a user
 * message with the question. Anything else means record.yaml and the prompt
 * no longer describe the demo, and recording it would be wrong. */
static llmops_status scripted_generate(void *self, const llmops_request *req,
                                       llmops_response *resp, llmops_stream *stream)
{
    (void)self;
    (void)stream; /* filled text reaches a streaming host as one delta */
    const char *model = llmops_request_model(req);
    if (!model || strcmp(model, "gpt-4o-mini") != 0) {
        llmops_response_set_error(resp, LLMOPS_E_MODEL_NOT_FOUND,
                                  "scripted: only gpt-4o-mini is scripted");
        return LLMOPS_E_MODEL_NOT_FOUND;
    }
    size_t n = llmops_request_message_count(req);
    const char *system = n ? llmops_request_message_part(req, 0, 0, NULL) : NULL;
    if (n != 2 || llmops_request_message_role(req, 0) != LLMOPS_ROLE_SYSTEM ||
        llmops_request_message_role(req, 1) != LLMOPS_ROLE_USER || !system ||
        !strstr(system, "Acme Router")) {
        llmops_response_set_error(resp, LLMOPS_E_BAD_REQUEST,
                                  "scripted: not the demo request (a system message about "
                                  "the Acme Router, then the question)");
        return LLMOPS_E_BAD_REQUEST;
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 131;
    u.output_tokens = 96;
    u.total_tokens = u.input_tokens + u.output_tokens;
    llmops_status st = llmops_response_set_text(resp, canned_answer, sizeof canned_answer - 1);
    if (st == LLMOPS_OK)
        st = llmops_response_set_usage(resp, &u);
    if (st == LLMOPS_OK)
        st = llmops_response_set_model(resp, "gpt-4o-mini-2024-07-18");
    if (st == LLMOPS_OK)
        st = llmops_response_set_request_id(resp, "chatcmpl-support-bot-demo");
    if (st == LLMOPS_OK)
        st = llmops_response_set_finish_reason(resp, LLMOPS_FINISH_STOP, "stop");
    return st;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
            *len = fread(buf, 1, (size_t)n, f);
            buf[*len] = '\0';
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    const char *config = argc > 1 ? argv[1] : "record.yaml";
    const char *input_path = argc > 2 ? argv[2] : "input.json";
    if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: %s [RECORD_YAML [INPUT_JSON]]\n", argv[0]);
        return 2;
    }
    size_t input_len = 0;
    char *input = read_file(input_path, &input_len);
    if (!input) {
        fprintf(stderr, "record: cannot read %s\n", input_path);
        return 1;
    }

    llmops_client *client = NULL;
    char *errors = NULL;
    llmops_status st = llmops_client_open(&client, config, &errors);
    if (st != LLMOPS_OK) {
        fprintf(stderr, "%s\nrecord: cannot open %s: %s\n", errors ? errors : "", config,
                llmops_status_str(st));
        llmops_free(errors);
        free(input);
        return 3;
    }

    llmops_provider_vtable vt = { LLMOPS_PROVIDER_VTABLE_VERSION, scripted_generate, NULL, NULL,
                                  NULL };
    llmops_provider *scripted = NULL;
    st = llmops_provider_new_custom(&scripted, "scripted", &vt, NULL);
    if (st == LLMOPS_OK)
        st = llmops_client_register_provider(client, "scripted", scripted);
    llmops_provider_free(scripted); /* the client holds its own reference */
    if (st != LLMOPS_OK) {
        fprintf(stderr, "record: registering the scripted provider: %s\n",
                llmops_status_str(st));
        llmops_client_free(client);
        free(input);
        return 1;
    }

    llmops_call *call = NULL;
    int rc = 1;
    st = llmops_call_new(&call, client, "answer");
    if (st == LLMOPS_OK)
        st = llmops_call_set_input(call, input, input_len);
    if (st == LLMOPS_OK)
        st = llmops_call_run(call);
    if (st == LLMOPS_OK) {
        size_t len = 0;
        const char *text = llmops_call_output_text(call, &len);
        printf("%.*s\n", (int)len, text);
        fprintf(stderr, "recorded: prompt %s@%s\n          fingerprint %s\n",
                llmops_call_prompt_name(call), llmops_call_prompt_version(call),
                llmops_call_task_fingerprint(call));
        rc = 0;
    } else {
        fprintf(stderr, "record: the answer task failed: %s: %s\n", llmops_status_str(st),
                call ? llmops_call_error(call) : "no such task in the configuration");
    }
    llmops_call_free(call);
    llmops_client_free(client);
    free(input);
    return rc;
}
