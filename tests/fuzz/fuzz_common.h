/* Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): invariant checks that abort with
 * a message, a reader consuming the fuzz input as little-endian fields, and a text sink. */
#ifndef MICA_TESTS_FUZZ_COMMON_H
#define MICA_TESTS_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a crash for libFuzzer: it prints the message, saves the input and stops. */
__attribute__((noreturn, format(printf, 4, 5))) static inline void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n%s:%d: invariant broken: %s\n  ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

/* The input as a stream of fields; reads past the end give zeros. */
struct fuzz_reader {
    const uint8_t *p;
    size_t left;
};

static inline bool fuzz_more(const struct fuzz_reader *r)
{
    return r->left > 0;
}

static inline uint8_t fuzz_u8(struct fuzz_reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_reader *r)
{
    uint16_t lo = fuzz_u8(r);
    return (uint16_t)(lo | fuzz_u8(r) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_reader *r)
{
    uint32_t lo = fuzz_u16(r);
    return lo | (uint32_t)fuzz_u16(r) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_reader *r)
{
    uint64_t lo = fuzz_u32(r);
    return lo | (uint64_t)fuzz_u32(r) << 32;
}

/* Little-endian loads from a byte array (the layouts under test are little-endian). */
static inline uint16_t fuzz_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fuzz_le32(const uint8_t *p)
{
    return (uint32_t)fuzz_le16(p) | (uint32_t)fuzz_le16(p + 2) << 16;
}

static inline uint64_t fuzz_le64(const uint8_t *p)
{
    return (uint64_t)fuzz_le32(p) | (uint64_t)fuzz_le32(p + 4) << 32;
}

/* A text sink for the device dumps (device_printf_fn has no context argument). */
#define FUZZ_TEXT_MAX 8192

struct fuzz_text {
    char buf[FUZZ_TEXT_MAX];
    size_t len;
};

extern struct fuzz_text *fuzz_text_sink;

__attribute__((format(printf, 1, 2))) static inline void fuzz_text_printf(const char *fmt, ...)
{
    struct fuzz_text *t = fuzz_text_sink;
    FUZZ_CHECK(t != NULL, "a dump printed with no sink");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    FUZZ_CHECK(n >= 0, "vsnprintf failed on format \"%s\"", fmt);
    t->len += (size_t)n;
    if (t->len >= sizeof(t->buf))
        t->len = sizeof(t->buf) - 1;
}

/* FNV-1a style mixing, for comparing long access sequences without storing them. */
static inline uint64_t fuzz_mix(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

#define FUZZ_HASH_INIT 0xcbf29ce484222325ull

#endif
