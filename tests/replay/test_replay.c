/* Record through the recorder, answer through the replay provider: the
 * replayed answer and deltas must equal the recorded ones. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rich.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int file_exists(const char *dir, const char *name)
{
    char path[512];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

typedef struct fixture {
    char dir[64];
    lt_rich rich;
    llmops_provider *inner, *rec, *rep;
    llmops_request *req;
    llmops_response *a, *b;
    char fp[65];
} fixture;

static void setup_fx(fixture *f, unsigned replay_flags)
{
    memset(f, 0, sizeof *f);
    lt_tmpdir(f->dir);
    f->inner = lt_rich_provider(&f->rich, "rich");
    cr_assert_eq(llmops_provider_new_recorder(&f->rec, "rec", f->inner, f->dir), LLMOPS_OK);
    cr_assert_eq(llmops_provider_new_replay(&f->rep, "rep", f->dir, replay_flags), LLMOPS_OK);
    f->req = lt_rich_request();
    cr_assert_eq(llmops_request_fingerprint(f->req, f->fp), LLMOPS_OK);
    llmops_response_new(&f->a);
    llmops_response_new(&f->b);
}

static void teardown_fx(fixture *f)
{
    llmops_provider_free(f->rec);
    llmops_provider_free(f->rep);
    llmops_provider_free(f->inner);
    llmops_request_free(f->req);
    llmops_response_free(f->a);
    llmops_response_free(f->b);
    lt_rmdir(f->dir);
}

Test(replay, constructors_check_arguments)
{
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_replay(&p, "r", NULL, 0), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_new_replay(&p, "r", "", 0), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_new_replay(&p, "r", "/tmp", 1u << 7), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_new_recorder(&p, "r", NULL, "/tmp"), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(p);
    cr_assert_eq(llmops_provider_new_replay(&p, NULL, "/tmp/", LLMOPS_REPLAY_TIMING), LLMOPS_OK);
    cr_assert_str_eq(llmops_provider_type(p), "replay");
    llmops_provider_free(p);
}

Test(replay, streamed_round_trip_gives_identical_deltas_and_response)
{
    fixture f;
    setup_fx(&f, 0);
    lt_deltas rec = {.n = 0}, rep = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, lt_deltas_collect, &rec), LLMOPS_OK,
                 "%s", llmops_response_error(f.a));
    cr_assert_str_eq(llmops_response_error(f.a), "");
    cr_assert_str_eq(llmops_response_provider(f.a), "rich");
    char name[128];
    snprintf(name, sizeof name, "%s.json", f.fp);
    cr_assert(file_exists(f.dir, name), "cassette %s/%s", f.dir, name);
    /* reasoning, 2 text, 2 + 1 tool call fragments, 2 tool call done */
    cr_assert_eq(rec.n, 8);
    /* Call 1 starting closes call 0 with its whole arguments. */
    cr_assert_eq(rec.d[5].kind, LLMOPS_DELTA_TOOL_CALL_DONE);
    cr_assert_eq(rec.d[5].index, 0);
    cr_assert_str_eq(rec.d[5].text, "{\"city\":\"Paris\"}");
    cr_assert_eq(rec.d[6].kind, LLMOPS_DELTA_TOOL_CALL);
    cr_assert_eq(rec.d[6].index, 1);
    cr_assert_eq(rec.d[7].kind, LLMOPS_DELTA_TOOL_CALL_DONE);

    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep), LLMOPS_OK,
                 "%s", llmops_response_error(f.b));
    lt_deltas_assert_equal(&rec, &rep);
    lt_response_assert_same(f.a, f.b);
    cr_assert_str_eq(llmops_response_provider(f.b), "rep");
    cr_assert_str_eq(llmops_response_tool_call_arguments(f.b, 1), "{}");
    cr_assert_gt(llmops_response_ttft_ns(f.b), 0);

    /* Not streamed: the same answer, filled directly. */
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL), LLMOPS_OK);
    lt_response_assert_same(f.a, f.b);
    cr_assert_eq(atomic_load(&f.rich.calls), 1, "replay never calls the recorded provider");
    lt_deltas_free(&rec);
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, non_streamed_recording_replays_streamed_as_whole_pieces)
{
    fixture f;
    setup_fx(&f, 0);
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, NULL, NULL), LLMOPS_OK);
    lt_deltas rep = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep), LLMOPS_OK,
                 "%s", llmops_response_error(f.b));
    lt_response_assert_same(f.a, f.b);
    /* reasoning, text, 2 tool calls, 2 done */
    cr_assert_eq(rep.n, 6);
    cr_assert_eq(rep.d[1].kind, LLMOPS_DELTA_TEXT);
    cr_assert_str_eq(rep.d[1].text, "Bonjour, le monde \xe2\x9c\x93 \"quoted\"\n");
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, missing_cassette_names_the_fingerprint)
{
    fixture f;
    setup_fx(&f, 0);
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL), LLMOPS_E_NO_RECORDING);
    const char *err = llmops_response_error(f.b);
    cr_assert(strstr(err, f.fp), "%s", err);
    cr_assert(strstr(err, f.dir), "%s", err);
    cr_assert_eq(atomic_load(&f.rich.calls), 0);
    teardown_fx(&f);
}

Test(replay, corrupt_cassette_is_a_typed_error_naming_the_file)
{
    fixture f;
    setup_fx(&f, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", f.dir, f.fp);
    const char *bodies[] = {
        "{\"version\": 1, \"response\": {\"text\": ",             /* not JSON */
        "[1, 2]",                                                  /* not an object */
        "{\"version\": 2, \"response\": {}}",                      /* unknown version */
        "{\"version\": 1, \"response\": {\"text\": 5}}",           /* wrong type */
        "{\"version\": 1, \"response\": {\"finish_reason\": \"x\"}}",
        "{\"version\": 1, \"op\": \"embed\", \"response\": {}}",   /* wrong op */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        FILE *fh = fopen(path, "w");
        cr_assert_not_null(fh);
        fputs(bodies[i], fh);
        fclose(fh);
        cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL),
                     LLMOPS_E_MALFORMED_RESPONSE, "body %zu: %s", i,
                     llmops_response_error(f.b));
        cr_assert(strstr(llmops_response_error(f.b), path), "body %zu: %s", i,
                  llmops_response_error(f.b));
    }
    teardown_fx(&f);
}

Test(replay, deltas_that_do_not_add_up_are_caught)
{
    fixture f;
    setup_fx(&f, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", f.dir, f.fp);
    FILE *fh = fopen(path, "w");
    cr_assert_not_null(fh);
    fputs("{\"version\":1,\"response\":{\"text\":\"abc\"},"
          "\"deltas\":[{\"t_ns\":0,\"kind\":\"text\",\"text\":\"abX\"}]}",
          fh);
    fclose(fh);
    lt_deltas rep = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep),
                 LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert(strstr(llmops_response_error(f.b), "do not add up"), "%s",
              llmops_response_error(f.b));
    /* Not streamed, the recorded response is used as is. */
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_text(f.b, NULL), "abc");
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, timing_flag_replays_the_recorded_gaps)
{
    fixture f;
    setup_fx(&f, LLMOPS_REPLAY_TIMING);
    f.rich.gap_ms = 300;
    lt_deltas rec = {.n = 0}, rep = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, lt_deltas_collect, &rec), LLMOPS_OK);

    uint64_t t0 = now_ns();
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep), LLMOPS_OK);
    uint64_t timed = now_ns() - t0;
    cr_assert_geq(timed, 290000000ull, "timed replay took %llu ns", (unsigned long long)timed);
    lt_deltas_assert_equal(&rec, &rep);

    llmops_provider *fast = NULL;
    cr_assert_eq(llmops_provider_new_replay(&fast, "fast", f.dir, 0), LLMOPS_OK);
    t0 = now_ns();
    cr_assert_eq(llmops_provider_generate(fast, f.req, f.b, NULL, NULL), LLMOPS_OK);
    uint64_t untimed = now_ns() - t0;
    cr_assert_lt(untimed, 290000000ull, "untimed replay took %llu ns",
                 (unsigned long long)untimed);
    llmops_provider_free(fast);
    lt_deltas_free(&rec);
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, timed_replay_stops_at_the_deadline)
{
    fixture f;
    setup_fx(&f, LLMOPS_REPLAY_TIMING);
    f.rich.gap_ms = 1500;
    lt_deltas rec = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, lt_deltas_collect, &rec),
                 LLMOPS_OK);
    lt_deltas_free(&rec);
    llmops_request_set_timeout_ms(f.req, 100); /* not part of the fingerprint */
    lt_deltas rep = {.n = 0};
    uint64_t t0 = now_ns();
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep),
                 LLMOPS_E_TIMEOUT, "%s", llmops_response_error(f.b));
    cr_assert_lt(now_ns() - t0, 1400000000ull, "did not wait out the recorded gap");
    cr_assert_geq(rep.n, 1, "pieces before the gap were delivered");
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, host_can_stop_a_replayed_stream)
{
    fixture f;
    setup_fx(&f, 0);
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, NULL, NULL), LLMOPS_OK);
    lt_deltas rec = {.n = 0};
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, lt_deltas_collect, &rec),
                 LLMOPS_OK);
    lt_deltas_free(&rec);
    lt_deltas rep = {.n = 0, .stop_after = 2};
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, lt_deltas_collect, &rep),
                 LLMOPS_E_ABORTED);
    cr_assert_eq(rep.n, 2);
    lt_deltas_free(&rep);
    teardown_fx(&f);
}

Test(replay, recorder_passes_a_host_stop_through)
{
    fixture f;
    setup_fx(&f, 0);
    lt_deltas rec = {.n = 0, .stop_after = 1};
    cr_assert_eq(llmops_provider_generate(f.rec, f.req, f.a, lt_deltas_collect, &rec),
                 LLMOPS_E_ABORTED);
    cr_assert_eq(rec.n, 1);
    char name[128];
    snprintf(name, sizeof name, "%s.json", f.fp);
    cr_assert(!file_exists(f.dir, name), "no cassette for a failed call");
    lt_deltas_free(&rec);
    teardown_fx(&f);
}

Test(replay, embed_and_classify_round_trip_without_colliding)
{
    fixture f;
    setup_fx(&f, 0);
    llmops_request_add_input(f.req, "first", SIZE_MAX);
    llmops_request_add_input(f.req, "second", SIZE_MAX);
    llmops_request_add_label(f.req, "ham");
    llmops_request_add_label(f.req, "spam");
    char fp[65];
    cr_assert_eq(llmops_request_fingerprint(f.req, fp), LLMOPS_OK);

    cr_assert_eq(llmops_provider_embed(f.rec, f.req, f.a), LLMOPS_OK);
    cr_assert_eq(llmops_provider_embed(f.rep, f.req, f.b), LLMOPS_OK, "%s",
                 llmops_response_error(f.b));
    cr_assert_eq(llmops_response_embedding_count(f.b), 2);
    lt_response_assert_same(f.a, f.b);

    cr_assert_eq(llmops_provider_classify(f.rec, f.req, f.a), LLMOPS_OK);
    cr_assert_eq(llmops_provider_classify(f.rep, f.req, f.b), LLMOPS_OK, "%s",
                 llmops_response_error(f.b));
    double score;
    cr_assert_str_eq(llmops_response_label(f.b, 0, &score), "spam");
    cr_assert_eq(score, 0.875);
    lt_response_assert_same(f.a, f.b);

    /* One request, three operations, three cassettes. */
    char name[128];
    snprintf(name, sizeof name, "%s.embed.json", fp);
    cr_assert(file_exists(f.dir, name));
    snprintf(name, sizeof name, "%s.classify.json", fp);
    cr_assert(file_exists(f.dir, name));
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL), LLMOPS_E_NO_RECORDING);
    teardown_fx(&f);
}

Test(replay, write_failure_is_reported_but_the_call_succeeds)
{
    fixture f;
    setup_fx(&f, 0);
    char file[128];
    snprintf(file, sizeof file, "%s/plainfile", f.dir);
    FILE *fh = fopen(file, "w");
    cr_assert_not_null(fh);
    fclose(fh);
    llmops_provider *bad = NULL;
    char dir[160];
    snprintf(dir, sizeof dir, "%s/sub", file); /* a directory inside a file */
    cr_assert_eq(llmops_provider_new_recorder(&bad, "rec", f.inner, dir), LLMOPS_OK);
    cr_assert_eq(llmops_provider_generate(bad, f.req, f.a, NULL, NULL), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_text(f.a, NULL),
                     "Bonjour, le monde \xe2\x9c\x93 \"quoted\"\n");
    const char *err = llmops_response_error(f.a);
    cr_assert(strstr(err, "cassette not written"), "%s", err);
    cr_assert(strstr(err, dir), "%s", err);
    llmops_provider_free(bad);
    teardown_fx(&f);
}

Test(replay, fallback_model_override_is_part_of_the_recording)
{
    fixture f;
    setup_fx(&f, 0);
    const char *models[] = {"override-model"};
    llmops_provider *chain = NULL;
    cr_assert_eq(llmops_provider_new_fallback(&chain, "chain", &f.rec, models, 1, NULL),
                 LLMOPS_OK);
    cr_assert_eq(llmops_provider_generate(chain, f.req, f.a, NULL, NULL), LLMOPS_OK);
    llmops_provider_free(chain);

    /* The request as sent names the override, so the plain request has no
     * recording ... */
    cr_assert_eq(llmops_provider_generate(f.rep, f.req, f.b, NULL, NULL), LLMOPS_E_NO_RECORDING);
    /* ... but the same chain over the replay provider finds it. */
    cr_assert_eq(llmops_provider_new_fallback(&chain, "chain", &f.rep, models, 1, NULL),
                 LLMOPS_OK);
    cr_assert_eq(llmops_provider_generate(chain, f.req, f.b, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(f.b));
    lt_response_assert_same(f.a, f.b);
    llmops_provider_free(chain);
    teardown_fx(&f);
}
