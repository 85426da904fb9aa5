/* The guest watchdog: notices an exit storm (far more VM exits per second than a guest doing
 * useful work causes) and a guest that sits on pending interrupts without taking them, and
 * reports each once with a crash-style dump. The guest keeps running. */
#ifndef MICA_VMM_WATCHDOG_H
#define MICA_VMM_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#define WATCHDOG_WINDOW_NS        1000000000ull /* 1 s windows of host time */
#define WATCHDOG_STORM_EXITS      200000ull    /* exits in one window that count as a storm */
#define WATCHDOG_STARVED_WINDOWS  2            /* windows with interrupts pending, none taken */

struct vcpu;

struct watchdog {
    uint64_t window_start_ns;
    uint64_t exits_at_window_start;
    uint64_t injected_at_window_start;
    unsigned starved_windows;
    bool storm_reported, starvation_reported;
};

/* Called when the host timer fires; interrupt_pending: the guest has something to take. */
void watchdog_check(struct watchdog *w, struct vcpu *vcpu, uint64_t now_ns, bool interrupt_pending);

#endif
