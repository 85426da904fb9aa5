/* The per-vCPU exit trace: a ring of the last N VM exits (reason, qualification, RIP, GPA, TSC at
 * exit, TSC spent in the handler) in caller-provided storage, and its table for the monitor. */
#ifndef MICA_VMM_EXIT_TRACE_H
#define MICA_VMM_EXIT_TRACE_H

#include <stdbool.h>
#include <stdint.h>

/* Pure code, vendor-neutral, no global state. Use from the exit path:
 *
 *     exit_trace_begin(&trace, exit_reason, qualification, rip, gpa_or_EXIT_TRACE_NO_GPA, tsc);
 *     ... handle the exit ...
 *     exit_trace_end(&trace, rdtsc());
 *
 * While disabled, begin and end return at their first test. Nothing here locks: one vCPU's trace
 * is written by the CPU that runs it, and read by the monitor on that same CPU. */

#define EXIT_TRACE_DEFAULT_CAPACITY  256u
/* The reason as begin takes it: the 32-bit exit-reason field (SDM 25.9.1). Bits 15:0 are the
 * basic reason, bit 31 says the VM entry failed; other bits are not kept. */
#define EXIT_TRACE_REASON_BASIC_MASK 0xffffu
#define EXIT_TRACE_REASON_ENTRY_FAIL (1u << 31)
#define EXIT_TRACE_NO_GPA            (~(uint64_t)0) /* gpa: no guest-physical address involved */
#define EXIT_TRACE_PENDING           (~(uint64_t)0) /* handler_tsc: exit_trace_end not yet seen */

struct exit_trace_record {
    uint64_t qualification;
    uint64_t guest_rip;
    uint64_t gpa;         /* EXIT_TRACE_NO_GPA when not relevant */
    uint64_t exit_tsc;    /* TSC at the exit */
    uint64_t handler_tsc; /* TSC ticks from the exit to exit_trace_end, or EXIT_TRACE_PENDING */
    uint16_t reason;      /* basic exit reason */
    bool entry_failed;    /* the VM entry failed (reason bit 31) */
};

struct exit_trace {
    struct exit_trace_record *storage;
    unsigned mask;                  /* capacity - 1 (capacity is a power of two) */
    uint64_t total;                 /* records begun since init or clear; the next slot is
                                       total & mask */
    struct exit_trace_record *open; /* last begun record still waiting for its end, or NULL */
    bool enabled;                   /* read through exit_trace_enabled() */
};

/* Takes storage for capacity records (a power of two, at least 1: EXIT_TRACE_DEFAULT_CAPACITY
 * unless there is a reason to differ). The trace starts empty and enabled. False, with the trace
 * empty and disabled (every call then harmless), if storage is NULL or capacity is not a power of
 * two. */
bool exit_trace_init(struct exit_trace *t, struct exit_trace_record *storage, unsigned capacity);

/* Recording on or off. Turning it off also drops the open record's pending end (its handler time
 * stays EXIT_TRACE_PENDING); records already held stay. */
void exit_trace_set_enabled(struct exit_trace *t, bool enabled);
static inline bool exit_trace_enabled(const struct exit_trace *t)
{
    return t->enabled;
}

/* Records an exit in the next slot, overwriting the oldest once the ring is full, and returns it
 * (the caller may fill in more); NULL when disabled. reason is the raw exit-reason field. */
struct exit_trace_record *exit_trace_begin(struct exit_trace *t, uint32_t reason,
                                           uint64_t qualification, uint64_t guest_rip, uint64_t gpa,
                                           uint64_t exit_tsc);
/* Sets the handler time of the last begun record: now_tsc - its exit_tsc (0 if the TSC went
 * backwards). Does nothing when disabled, or when that record already has its end. */
void exit_trace_end(struct exit_trace *t, uint64_t now_tsc);

/* Forgets every record (the enabled state is kept). */
void exit_trace_clear(struct exit_trace *t);

static inline unsigned exit_trace_capacity(const struct exit_trace *t)
{
    return t->storage ? t->mask + 1 : 0;
}
/* Records held: min(records begun, capacity). */
unsigned exit_trace_count(const struct exit_trace *t);
/* Records begun since init or clear, including those overwritten since. */
static inline uint64_t exit_trace_total(const struct exit_trace *t)
{
    return t->total;
}
/* Record i of those held, 0 the oldest, count - 1 the newest; NULL if i >= count. */
const struct exit_trace_record *exit_trace_get(const struct exit_trace *t, unsigned i);

/* Output goes through this (the monitor's console, or a test's buffer). */
typedef void (*exit_trace_printf_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a table of the newest last_n records held (all held if last_n is 0 or larger), oldest
 * first, newest last, each numbered by its position since init (# column). reason_name names a
 * basic reason (vendor_exit_reason_name); NULL or a NULL result prints the number only. */
void exit_trace_print(const struct exit_trace *t, unsigned last_n,
                      const char *(*reason_name)(unsigned reason), exit_trace_printf_fn print);

#endif
