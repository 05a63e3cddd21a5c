/* Monotonic and wall clocks. */
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t llmops__mono_ns(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

uint64_t llmops__wall_ns(void)
{
    return read_clock(CLOCK_REALTIME);
}

void llmops__format_rfc3339(uint64_t wall_ns, char out[32])
{
    time_t secs = (time_t)(wall_ns / 1000000000u);
    unsigned micros = (unsigned)((wall_ns % 1000000000u) / 1000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* Years beyond 9999 cannot occur for a uint64 of nanoseconds (max 2554),
     * but the compiler cannot know that; format into a roomy buffer. */
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    memcpy(out, tmp, 31);
    out[31] = '\0';
}

void llmops__sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
