/* The 8254 PIT: channel 0 as the periodic tick or a one-shot (mode 0) timer on IRQ0, and
 * channel 2 (gated through port 0x61) to calibrate the TSC (guest/kernel/pit.c). */
#ifndef MICA_GUEST_PIT_H
#define MICA_GUEST_PIT_H

#include <stdint.h>

#define PIT_HZ        1193182u
#define PIT_COUNT_MAX 65535u /* about 54.9 ms */

void pit_periodic(uint32_t hz);
/* Mode 0: IRQ0 once after `count` input clocks (1..PIT_COUNT_MAX). */
void pit_oneshot(uint32_t count);
void pit_stop(void);
uint32_t pit_calibrate_tsc_per_ms(void);

#endif
