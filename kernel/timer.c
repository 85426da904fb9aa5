/* TSC-based host time and the local APIC one-shot timer. The APIC timer counts at
 * boot.lapic.timer_hz (divide by 16); a deadline further away than its 32-bit counter reaches is
 * armed as the longest count and re-armed when it fires. */
#include "kernel/timer.h"

#include "drivers/lapic.h"
#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/trap.h"

#define NS_PER_SECOND 1000000000ull

static uint64_t tsc_start;
static uint64_t deadline = UINT64_MAX;
static uint64_t deadline_tsc = UINT64_MAX;
static volatile bool expired;

/* a * b / c without overflowing 64 bits for the magnitudes used here (c up to a few GHz). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t q = a / c, r = a % c;
    return q * b + r * b / c;
}

uint64_t host_time_ns(void)
{
    return mul_div(rdtsc() - tsc_start, NS_PER_SECOND, boot.lapic.tsc_hz);
}

uint64_t host_ns_to_tsc(uint64_t ns)
{
    return mul_div(ns, boot.lapic.tsc_hz, NS_PER_SECOND);
}

static void program_timer(void)
{
    if (deadline == UINT64_MAX) {
        lapic_write(LAPIC_REG_TIMER_INITIAL, 0);
        return;
    }
    uint64_t now = host_time_ns();
    uint64_t ns = deadline > now ? deadline - now : 0;
    uint64_t count = mul_div(ns, boot.lapic.timer_hz, NS_PER_SECOND);
    if (count == 0)
        count = 1;
    if (count > UINT32_MAX)
        count = UINT32_MAX;
    lapic_write(LAPIC_REG_TIMER_INITIAL, (uint32_t)count);
}

static void expire(void)
{
    deadline = UINT64_MAX;
    deadline_tsc = UINT64_MAX;
    expired = true;
}

void host_timer_interrupt(void)
{
    lapic_eoi();
    if (deadline != UINT64_MAX && host_time_ns() < deadline) {
        program_timer(); /* a long deadline in several counter spans */
        return;
    }
    expire();
}

uint64_t host_timer_deadline_tsc(void)
{
    return deadline_tsc;
}

void host_timer_check_deadline(void)
{
    if (deadline != UINT64_MAX && rdtsc() >= deadline_tsc) {
        lapic_write(LAPIC_REG_TIMER_INITIAL, 0);
        expire();
    }
}

static void timer_trap(struct trap_frame *frame)
{
    (void)frame;
    host_timer_interrupt();
}

void timer_init(void)
{
    tsc_start = rdtsc();
    lapic_write(LAPIC_REG_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_16);
    lapic_write(LAPIC_REG_LVT_TIMER, HOST_TIMER_VECTOR); /* one-shot, unmasked */
    trap_set_handler(HOST_TIMER_VECTOR, timer_trap);
}

void host_timer_arm(uint64_t deadline_ns)
{
    if (deadline_ns == deadline)
        return; /* already counting towards it: restarting the count would only delay it */
    deadline = deadline_ns;
    deadline_tsc = deadline_ns == UINT64_MAX ? UINT64_MAX : tsc_start + host_ns_to_tsc(deadline_ns);
    program_timer();
}

bool host_timer_take_expired(void)
{
    bool was = expired;
    expired = false;
    return was;
}

void host_idle(void)
{
    /* STI's one-instruction shadow makes "sti; hlt" atomic: no wake-up is lost in between. */
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
