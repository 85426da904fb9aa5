/* The guest kernel's command-line parser: NAME=VALUE words into struct guest_options, with a
 * message naming the first bad word. Pure C (host-tested). */
#include "guest/kernel/options.h"

#include <stddef.h>

#include "kernel/format.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

struct choice {
    const char *name;
    int value;
};

static const struct choice test_choices[] = {{"blk", GUEST_TEST_BLK}, {"timer", GUEST_TEST_TIMER}};
static const struct choice sched_choices[] = {{"elevator", GUEST_SCHED_ELEVATOR},
                                              {"direct", GUEST_SCHED_DIRECT}};
static const struct choice io_choices[] = {
    {"auto", GUEST_IO_AUTO}, {"trap", GUEST_IO_TRAP}, {"batch", GUEST_IO_BATCH}};
static const struct choice on_off_choices[] = {{"off", 0}, {"on", 1}};
static const struct choice lba48_choices[] = {{"auto", GUEST_LBA48_AUTO}, {"on", GUEST_LBA48_ON}};
static const struct choice timer_choices[] = {
    {"1000", GUEST_TIMER_1000HZ}, {"100", GUEST_TIMER_100HZ}, {"oneshot", GUEST_TIMER_ONESHOT}};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

void options_defaults(struct guest_options *o)
{
    *o = (struct guest_options){
        .test = GUEST_TEST_BLK,
        .size_bytes = 4 * MIB,
        .req_sectors = 8,
        .plug = 32,
        .max_sectors = OPTIONS_MAX_REQ_SECTORS,
        .start_lba = 0,
        .seed = 1,
        .sched = GUEST_SCHED_ELEVATOR,
        .io = GUEST_IO_AUTO,
        .irq = true,
        .lba48 = GUEST_LBA48_AUTO,
        .timer = GUEST_TIMER_1000HZ,
        .idle_ms = 1000,
    };
}

/* A word of the command line: [start, start + len). */
struct word {
    const char *start;
    size_t len;
};

static bool word_is(struct word w, const char *s)
{
    size_t i = 0;
    for (; i < w.len; i++)
        if (s[i] != w.start[i])
            return false;
    return s[i] == '\0';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decimal or 0x hex, with an optional K or M suffix when `sizes`; false on overflow. */
static bool parse_number(struct word w, bool sizes, uint32_t *out)
{
    uint64_t v = 0, multiplier = 1;
    size_t i = 0, end = w.len;
    unsigned base = 10;

    if (sizes && end > 0 && (w.start[end - 1] == 'K' || w.start[end - 1] == 'k')) {
        multiplier = KIB;
        end--;
    } else if (sizes && end > 0 && (w.start[end - 1] == 'M' || w.start[end - 1] == 'm')) {
        multiplier = MIB;
        end--;
    }
    if (end > 2 && w.start[0] == '0' && (w.start[1] == 'x' || w.start[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == end)
        return false;
    for (; i < end; i++) {
        char c = w.start[i];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v * base + digit;
        if (v > UINT32_MAX)
            return false;
    }
    v *= multiplier;
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_choice(struct word w, const struct choice *choices, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (word_is(w, choices[i].name)) {
            *out = choices[i].value;
            return true;
        }
    }
    return false;
}

static bool fail(char *error, unsigned error_size, const char *what, struct word w)
{
    ksnprintf(error, error_size, "%s: '%.*s'", what, (int)w.len, w.start);
    return false;
}

static bool in_range(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi;
}

/* One NAME=VALUE word. */
static bool parse_option(struct guest_options *o, struct word name, struct word value, char *error,
                         unsigned error_size)
{
    int choice = 0;
    uint32_t n = 0;
    struct word whole = {name.start, (size_t)(value.start + value.len - name.start)};

#define CHOICE(option, table, field, type)                                                         \
    if (word_is(name, option)) {                                                                   \
        if (!parse_choice(value, table, COUNT_OF(table), &choice))                                 \
            return fail(error, error_size, "bad value", whole);                                    \
        o->field = (type)choice;                                                                   \
        return true;                                                                               \
    }
#define NUMBER(option, sizes, lo, hi, field)                                                       \
    if (word_is(name, option)) {                                                                   \
        if (!parse_number(value, sizes, &n) || !in_range(n, lo, hi))                               \
            return fail(error, error_size, "bad value", whole);                                    \
        o->field = n;                                                                              \
        return true;                                                                               \
    }
    CHOICE("test", test_choices, test, enum guest_test)
    CHOICE("sched", sched_choices, sched, enum guest_sched)
    CHOICE("io", io_choices, io, enum guest_io)
    CHOICE("irq", on_off_choices, irq, bool)
    CHOICE("lba48", lba48_choices, lba48, enum guest_lba48)
    CHOICE("timer", timer_choices, timer, enum guest_timer)
    NUMBER("size", true, OPTIONS_SECTOR_SIZE, OPTIONS_MAX_SIZE_BYTES, size_bytes)
    NUMBER("req", false, 1, OPTIONS_MAX_REQ_SECTORS, req_sectors)
    NUMBER("plug", false, 1, OPTIONS_MAX_PLUG_REQUESTS, plug)
    NUMBER("max_sectors", false, 1, OPTIONS_MAX_CMD_SECTORS, max_sectors)
    NUMBER("lba", false, 0, UINT32_MAX, start_lba)
    NUMBER("seed", false, 0, UINT32_MAX, seed)
    NUMBER("idle_ms", false, 1, OPTIONS_MAX_IDLE_MS, idle_ms)
#undef CHOICE
#undef NUMBER
    return fail(error, error_size, "unknown option", whole);
}

bool options_parse(struct guest_options *o, const char *cmdline, char *error, unsigned error_size)
{
    options_defaults(o);
    if (error_size > 0)
        error[0] = '\0';
    const char *p = cmdline ? cmdline : "";
    for (bool first = true;; first = false) {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        struct word w = {p, 0};
        while (p[w.len] != '\0' && !is_space(p[w.len]))
            w.len++;
        p += w.len;
        size_t eq = 0;
        while (eq < w.len && w.start[eq] != '=')
            eq++;
        if (eq == w.len) {
            if (first)
                continue; /* the program's name */
            return fail(error, error_size, "not NAME=VALUE", w);
        }
        struct word name = {w.start, eq}, value = {w.start + eq + 1, w.len - eq - 1};
        if (!parse_option(o, name, value, error, error_size))
            return false;
    }
    if (o->size_bytes % OPTIONS_SECTOR_SIZE != 0) {
        ksnprintf(error, error_size, "size=%u is not a multiple of %u bytes", o->size_bytes,
                  OPTIONS_SECTOR_SIZE);
        return false;
    }
    if (o->max_sectors < o->req_sectors) {
        ksnprintf(error, error_size, "max_sectors=%u is below req=%u", o->max_sectors,
                  o->req_sectors);
        return false;
    }
    return true;
}

static const char *choice_name(const struct choice *choices, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if (choices[i].value == value)
            return choices[i].name;
    return "?";
}

const char *options_sched_name(enum guest_sched s)
{
    return choice_name(sched_choices, COUNT_OF(sched_choices), (int)s);
}

const char *options_io_name(enum guest_io io)
{
    return choice_name(io_choices, COUNT_OF(io_choices), (int)io);
}

const char *options_timer_name(enum guest_timer t)
{
    return choice_name(timer_choices, COUNT_OF(timer_choices), (int)t);
}
