/* The per-vCPU exit trace (vmm/exit_trace.h): ring bookkeeping and the monitor's table. Pure C,
 * no global state; output only through the caller's printf-like callback. */
#include "vmm/exit_trace.h"

#include <stddef.h>

#include "kernel/format.h"
#include "kernel/string.h"

bool exit_trace_init(struct exit_trace *t, struct exit_trace_record *storage, unsigned capacity)
{
    memset(t, 0, sizeof(*t));
    if (!storage || capacity == 0 || (capacity & (capacity - 1)) != 0)
        return false;
    t->storage = storage;
    t->mask = capacity - 1;
    t->enabled = true;
    return true;
}

void exit_trace_set_enabled(struct exit_trace *t, bool enabled)
{
    t->enabled = enabled && t->storage != NULL;
    t->open = NULL;
}

struct exit_trace_record *exit_trace_begin(struct exit_trace *t, uint32_t reason,
                                           uint64_t qualification, uint64_t guest_rip, uint64_t gpa,
                                           uint64_t exit_tsc)
{
    if (!t->enabled)
        return NULL;
    struct exit_trace_record *r = &t->storage[t->total & t->mask];
    t->total++;
    r->reason = (uint16_t)(reason & EXIT_TRACE_REASON_BASIC_MASK);
    r->entry_failed = (reason & EXIT_TRACE_REASON_ENTRY_FAIL) != 0;
    r->qualification = qualification;
    r->guest_rip = guest_rip;
    r->gpa = gpa;
    r->exit_tsc = exit_tsc;
    r->handler_tsc = EXIT_TRACE_PENDING;
    t->open = r;
    return r;
}

void exit_trace_end(struct exit_trace *t, uint64_t now_tsc)
{
    if (!t->enabled || !t->open)
        return;
    struct exit_trace_record *r = t->open;
    r->handler_tsc = now_tsc >= r->exit_tsc ? now_tsc - r->exit_tsc : 0;
    if (r->handler_tsc == EXIT_TRACE_PENDING) /* a TSC that ran all the way: keep it distinct */
        r->handler_tsc--;
    t->open = NULL;
}

void exit_trace_clear(struct exit_trace *t)
{
    t->total = 0;
    t->open = NULL;
}

unsigned exit_trace_count(const struct exit_trace *t)
{
    uint64_t capacity = exit_trace_capacity(t);
    return (unsigned)(t->total < capacity ? t->total : capacity);
}

const struct exit_trace_record *exit_trace_get(const struct exit_trace *t, unsigned i)
{
    unsigned count = exit_trace_count(t);
    if (i >= count)
        return NULL;
    return &t->storage[(t->total - count + i) & t->mask];
}

void exit_trace_print(const struct exit_trace *t, unsigned last_n,
                      const char *(*reason_name)(unsigned reason), exit_trace_printf_fn print)
{
    unsigned count = exit_trace_count(t);
    unsigned shown = last_n == 0 || last_n > count ? count : last_n;
    print("exit trace: last %u of %lu exits (%u held, capacity %u%s)\n", shown,
          (unsigned long)t->total, count, exit_trace_capacity(t),
          t->enabled ? "" : ", recording off");
    if (shown == 0)
        return;
    print("%10s %16s %16s %16s %16s %12s  %s\n", "#", "qualification", "guest RIP", "GPA",
          "TSC at exit", "handler", "reason");
    uint64_t first = t->total - shown;
    for (unsigned k = 0; k < shown; k++) {
        const struct exit_trace_record *r = exit_trace_get(t, count - shown + k);
        const char *name = reason_name ? reason_name(r->reason) : NULL;
        char gpa[17] = "-", handler[21] = "-";
        if (r->gpa != EXIT_TRACE_NO_GPA)
            ksnprintf(gpa, sizeof(gpa), "%lx", (unsigned long)r->gpa);
        if (r->handler_tsc != EXIT_TRACE_PENDING)
            ksnprintf(handler, sizeof(handler), "%lu", (unsigned long)r->handler_tsc);
        print("%10lu %16lx %16lx %16s %16lx %12s  %u%s%s%s\n", (unsigned long)(first + k),
              (unsigned long)r->qualification, (unsigned long)r->guest_rip, gpa,
              (unsigned long)r->exit_tsc, handler, r->reason, name ? " " : "", name ? name : "",
              r->entry_failed ? " (VM entry failed)" : "");
    }
}
