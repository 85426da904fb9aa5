/* 8254 PIT: the one-shot wait on channel 2 that the TSC and local APIC timer calibrations use,
 * and quiescing channel 0. */
#include "drivers/pit.h"

#include "kernel/cpu.h"

/* Control word bits (8254 data sheet): channel, access mode, operating mode. */
#define PIT_CW_CHANNEL0 (0u << 6)
#define PIT_CW_CHANNEL2 (2u << 6)
#define PIT_CW_LOHI     (3u << 4)
#define PIT_CW_MODE0    (0u << 1)

#define PIT_MAX_POLLS 100000000u

bool pit_wait_ticks(uint16_t ticks, void (*on_start)(void *), void *arg)
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
    for (uint32_t i = 0; i < PIT_MAX_POLLS; i++) {
        if (inb(PIT_PORT_B) & PIT_PORT_B_OUT2) {
            outb(PIT_PORT_B, port_b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPEAKER));
            return true;
        }
    }
    outb(PIT_PORT_B, port_b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPEAKER));
    return false;
}

void pit_quiesce(void)
{
    outb(PIT_COMMAND, PIT_CW_CHANNEL0 | PIT_CW_LOHI | PIT_CW_MODE0);
    outb(PIT_CHANNEL0, 0);
    outb(PIT_CHANNEL0, 0);
}
