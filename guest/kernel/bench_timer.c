/* test=timer: idles (HLT) for idle_ms of guest time with the PIT periodic at 1000 or 100 Hz, or
 * tickless (one-shot mode 0, re-armed for what is left, at most PIT_COUNT_MAX clocks at a time),
 * and prints "timer: mode=... guest_ms=N exits=E interrupts=I". */
#include "guest/kernel/bench.h"
#include "guest/kernel/pit.h"
#include "guest/kernel/platform.h"
#include "tests/guests/lib/guest.h"

#define MS_PER_S 1000u

static uint32_t timer_hz(enum guest_timer t)
{
    return t == GUEST_TIMER_100HZ ? 100u : 1000u;
}

bool bench_timer(const struct guest_options *o)
{
    uint64_t exits0 = platform_exit_count();
    uint32_t irqs0 = irq_counts[IRQ_TIMER];
    uint64_t tsc0 = rdtsc();
    uint64_t guest_pit_clocks = 0; /* idle time as the PIT counted it */
    pic_unmask(IRQ_TIMER);
    if (o->timer == GUEST_TIMER_ONESHOT) {
        uint64_t left = (uint64_t)o->idle_ms * PIT_HZ / MS_PER_S;
        while (left > 0) {
            uint32_t count = left > PIT_COUNT_MAX ? PIT_COUNT_MAX : (uint32_t)left;
            uint32_t seen = irq_counts[IRQ_TIMER];
            pit_oneshot(count);
            while (irq_counts[IRQ_TIMER] == seen)
                idle_until_changed(&irq_counts[IRQ_TIMER], seen);
            left -= count;
            guest_pit_clocks += count;
        }
    } else {
        uint32_t hz = timer_hz(o->timer);
        uint32_t ticks = (uint32_t)((uint64_t)o->idle_ms * hz / MS_PER_S);
        pit_periodic(hz);
        uint32_t start = irq_counts[IRQ_TIMER];
        for (uint32_t now = start; now - start < ticks; now = irq_counts[IRQ_TIMER])
            idle_until_changed(&irq_counts[IRQ_TIMER], now);
        guest_pit_clocks = (uint64_t)ticks * PIT_HZ / hz;
    }
    pit_stop();
    pic_mask(IRQ_TIMER);
    uint64_t tsc = rdtsc() - tsc0;
    uint64_t exits = platform_exit_count() - exits0;
    uint32_t interrupts = irq_counts[IRQ_TIMER] - irqs0;
    uint32_t guest_ms = (uint32_t)((guest_pit_clocks * MS_PER_S + PIT_HZ / 2) / PIT_HZ);
    printf("timer: mode=%s guest_ms=%u exits=%llu interrupts=%u tsc=%llu tsc_ms=%u\n",
           options_timer_name(o->timer), guest_ms, (unsigned long long)exits, interrupts,
           (unsigned long long)tsc, (uint32_t)(tsc / tsc_per_ms));
    uint32_t expected = o->timer == GUEST_TIMER_ONESHOT
                            ? (uint32_t)(guest_pit_clocks / PIT_COUNT_MAX) + 1
                            : (uint32_t)((uint64_t)o->idle_ms * timer_hz(o->timer) / MS_PER_S);
    if (interrupts < expected) {
        printf("timer: FAILED: %u interrupts, expected at least %u\n", interrupts, expected);
        return false;
    }
    return true;
}
