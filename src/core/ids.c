/* Random identifiers. Trace and span ids come from a per-thread PRNG seeded
 * from the kernel: ids need uniqueness, not secrecy, and a getrandom syscall
 * per span would cost more than the rest of span creation. */
#include "core/ids.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int llmops__random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static _Thread_local uint64_t rng_state[4];
static _Thread_local int rng_seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* A forked child must not repeat its parent's ids. */
static void rng_after_fork(void)
{
    rng_seeded = 0;
}

static void rng_register_atfork(void)
{
    pthread_atfork(NULL, NULL, rng_after_fork);
}

static void rng_seed(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, rng_register_atfork);
    if (llmops__random_bytes(rng_state, sizeof rng_state) != 0) {
        /* No kernel entropy: fall back to time and address mixing, still unique enough. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&ts ^
                     (uint64_t)getpid();
        for (int i = 0; i < 4; i++) {
            x += 0x9e3779b97f4a7c15ull;
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            rng_state[i] = z ^ (z >> 31);
        }
    }
    if (!(rng_state[0] | rng_state[1] | rng_state[2] | rng_state[3]))
        rng_state[0] = 1;
    rng_seeded = 1;
}

uint64_t llmops__rand_u64(void)
{
    if (!rng_seeded)
        rng_seed();
    uint64_t *s = rng_state;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double llmops__rand_unit(void)
{
    return (double)(llmops__rand_u64() >> 11) * 0x1.0p-53;
}

void llmops__hex(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

static void random_id(uint8_t *bytes, size_t len)
{
    for (;;) {
        for (size_t i = 0; i < len; i += 8) {
            uint64_t r = llmops__rand_u64();
            size_t n = len - i < 8 ? len - i : 8;
            memcpy(bytes + i, &r, n);
        }
        for (size_t i = 0; i < len; i++)
            if (bytes[i])
                return;
    }
}

void llmops__trace_id(char out[33])
{
    uint8_t b[16];
    random_id(b, sizeof b);
    llmops__hex(b, sizeof b, out);
}

void llmops__span_id(char out[17])
{
    uint8_t b[8];
    random_id(b, sizeof b);
    llmops__hex(b, sizeof b, out);
}
