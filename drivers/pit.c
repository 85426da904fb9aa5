/* 8254 PIT: the one-shot wait on channel 2 that the TSC and local APIC timer calibrations use,
 * and quiescing channel 0. */
#include "drivers/pit.h"

#include "kernel/cpu.h"

/* Control word bits (8254 data sheet): channel, access mode, operating mode. */
#define PIT_CW_CHANNEL0  (0u << 6)
#define PIT_CW_CHANNEL2  (2u << 6)
#define PIT_CW_LOHI      (3u << 4)
#define PIT_CW_MODE0     (0u << 1)
#define PIT_CW_LATCH     (0u << 4) /* counter latch command */
#define PIT_COUNTER_SPAN 0x10000u

#define PIT_MAX_POLLS 100000000u

/* The count after terminal count: mode 0 keeps counting down through 0 to 0xffff. */
static uint32_t overshoot_ticks(void)
{
    outb(PIT_COMMAND, PIT_CW_CHANNEL2 | PIT_CW_LATCH);
    uint16_t lo = inb(PIT_CHANNEL2);
    uint16_t count = (uint16_t)(lo | (uint16_t)inb(PIT_CHANNEL2) << 8);
    return count == 0 ? 0 : PIT_COUNTER_SPAN - count;
}

bool pit_wait_ticks(uint16_t ticks, void (*on_start)(void *), void *arg, struct pit_interval *out)
{
    uint8_t port_b = inb(PIT_PORT_B);
    /* Gate low and speaker off while programming; the count starts when the gate rises. */
    outb(PIT_PORT_B, (port_b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPEAKER)));
    outb(PIT_COMMAND, PIT_CW_CHANNEL2 | PIT_CW_LOHI | PIT_CW_MODE0);
    outb(PIT_CHANNEL2, ticks & 0xff);
    outb(PIT_CHANNEL2, ticks >> 8);
    /* Mode 0 drives OUT low once the mode is set: high here means nothing answers at port 0x61
     * (it reads all ones) or the PIT does not count. */
    if (inb(PIT_PORT_B) & PIT_PORT_B_OUT2)
        return false;
    outb(PIT_PORT_B, (port_b & ~PIT_PORT_B_SPEAKER) | PIT_PORT_B_GATE2);
    if (on_start)
        on_start(arg);
    out->tsc_start = rdtsc();
    bool done = false;
    for (uint32_t i = 0; i < PIT_MAX_POLLS && !done; i++)
        done = inb(PIT_PORT_B) & PIT_PORT_B_OUT2;
    if (done) {
        /* OUT2 may be seen late (an SMI, or an emulator's thread descheduled): the counter says
         * by how much, and the end TSC is read next to it. */
        out->tsc_end = rdtsc();
        out->ticks = ticks + overshoot_ticks();
    }
    outb(PIT_PORT_B, port_b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPEAKER));
    return done;
}

void pit_quiesce(void)
{
    outb(PIT_COMMAND, PIT_CW_CHANNEL0 | PIT_CW_LOHI | PIT_CW_MODE0);
    outb(PIT_CHANNEL0, 0);
    outb(PIT_CHANNEL0, 0);
}
