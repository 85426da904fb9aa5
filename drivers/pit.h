/* Intel 8254 programmable interval timer on the host: used to calibrate the TSC and the local
 * APIC timer (channel 2, gated through port 0x61). */
#ifndef MICA_DRIVERS_PIT_H
#define MICA_DRIVERS_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_FREQUENCY_HZ 1193182u
#define PIT_CHANNEL0     0x40
#define PIT_CHANNEL2     0x42
#define PIT_COMMAND      0x43
#define PIT_PORT_B       0x61 /* system control port B: bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */

#define PIT_PORT_B_GATE2   0x01
#define PIT_PORT_B_SPEAKER 0x02
#define PIT_PORT_B_OUT2    0x20

struct pit_interval {
    uint64_t tsc_start, tsc_end; /* TSC right after the count started and when it was read back */
    uint32_t ticks;              /* PIT ticks between them: the count plus any overshoot */
};

/* Runs channel 2 in mode 0 (interrupt on terminal count) for `ticks` PIT ticks and busy-waits for
 * OUT2 to rise, then reads back how far the counter went past 0. Calls `on_start` right after the
 * count starts (may be NULL). Returns false if OUT2 is high before the count starts or never
 * rises (no PIT), after a bounded number of polls. */
bool pit_wait_ticks(uint16_t ticks, void (*on_start)(void *), void *arg, struct pit_interval *out);
/* Puts channel 0 in a harmless state (mode 0, never fires again) so it raises no IRQ0. */
void pit_quiesce(void);

#endif
