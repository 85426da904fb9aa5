/* The machine the guest kernel runs on: mica or bare (emulated) hardware, interrupt masking
 * (soft under mica, CLI/STI natively), interrupt counts, idling, TSC calibration, power-off and
 * the hypervisor's counters (guest/kernel/platform.c, irq_entry.asm). */
#ifndef MICA_GUEST_PLATFORM_H
#define MICA_GUEST_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_TIMER 0  /* PIT channel 0 */
#define IRQ_ATA   14 /* primary ATA channel */
#define IRQ_LINES 16

/* Detects mica (CPUID) and, under it, registers the shared page for soft interrupt masking;
 * remaps and masks the PICs and installs the IRQ gates. Interrupts stay disabled. */
void platform_init(void);
bool platform_on_mica(void);

/* Interrupt masking for critical sections: soft_cli/soft_sti under mica (no VM exit), CLI/STI
 * natively. Sections do not nest. */
void irq_disable(void);
void irq_enable(void);
/* Sleeps until an interrupt has been handled if *counter still equals `seen` (checked with real
 * interrupts off, then STI;HLT: no lost wake-up, under mica too, since the hypervisor injects a
 * vector that became pending meanwhile at the HLT). */
void idle_until_changed(const volatile uint32_t *counter, uint32_t seen);

/* Interrupts handled per IRQ line (incremented by the handlers). */
extern volatile uint32_t irq_counts[IRQ_LINES];
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);

/* TSC ticks per millisecond, measured against PIT channel 2 (platform_init does it). */
extern uint32_t tsc_per_ms;

/* VM exits (MICA_HC_EXIT_COUNT, all reasons) and hypervisor TSC ticks (MICA_HC_HOST_TIME) so
 * far; 0 natively. */
uint64_t platform_exit_count(void);
uint64_t platform_host_time(void);

/* Native only: ACPI-less power-off of Bochs ("Shutdown" to port 0x8900). */
void platform_power_off(void);

#endif
