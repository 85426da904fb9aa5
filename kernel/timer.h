/* Host time and the host's one-shot timer: nanoseconds from the TSC (calibrated at boot), and a
 * local APIC timer deadline that raises HOST_TIMER_VECTOR. The hypervisor arms it for the next
 * device event; it fires as a VM exit while a guest runs, or wakes an idle CPU. */
#ifndef MICA_KERNEL_TIMER_H
#define MICA_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define HOST_TIMER_VECTOR 0xf0

/* Nanoseconds since timer_init(). */
uint64_t host_time_ns(void);
uint64_t host_ns_to_tsc(uint64_t ns);
void timer_init(void);
/* Arms the one-shot timer to fire at host_time_ns() >= deadline (replacing any earlier one);
 * UINT64_MAX disarms it. */
void host_timer_arm(uint64_t deadline_ns);
/* Set by the timer interrupt (through the IDT or a VM exit); cleared by the caller. */
bool host_timer_take_expired(void);
/* The armed deadline in TSC ticks (UINT64_MAX: none), for a VMX-preemption timer. */
uint64_t host_timer_deadline_tsc(void);
/* Marks the timer expired if its deadline has passed (after a VMX-preemption timer exit). */
void host_timer_check_deadline(void);
/* Called for HOST_TIMER_VECTOR delivered by a VM exit (acknowledged on exit): marks it expired
 * and completes it at the local APIC. */
void host_timer_interrupt(void);
/* Waits with interrupts enabled until the host timer (or another interrupt) fires. */
void host_idle(void);

#endif
