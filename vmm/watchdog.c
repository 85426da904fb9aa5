/* Watchdog windows: at the end of each second, compare the exits and injections counted in it
 * against the thresholds and report (once per kind) through the vendor's guest dump. */
#include "vmm/watchdog.h"

#include "kernel/log.h"
#include "vmm/vcpu.h"
#include "vmm/vlog.h"
#include "vmm/vmm.h"

void watchdog_check(struct watchdog *w, struct vcpu *vcpu, uint64_t now_ns, bool interrupt_pending)
{
    if (w->window_start_ns == 0) {
        w->window_start_ns = now_ns;
        w->exits_at_window_start = vcpu->exits_total;
        w->injected_at_window_start = vcpu->interrupts_injected;
        return;
    }
    if (now_ns - w->window_start_ns < WATCHDOG_WINDOW_NS)
        return;
    uint64_t exits = vcpu->exits_total - w->exits_at_window_start;
    uint64_t injected = vcpu->interrupts_injected - w->injected_at_window_start;
    if (exits >= WATCHDOG_STORM_EXITS && !w->storm_reported) {
        w->storm_reported = true;
        vlog_drain();
        kprintf("mica: watchdog: exit storm: %lu VM exits in one second; the guest's state:\n",
                exits);
        vendor_dump_guest_state(vcpu);
    }
    w->starved_windows = interrupt_pending && injected == 0 ? w->starved_windows + 1 : 0;
    if (w->starved_windows >= WATCHDOG_STARVED_WINDOWS && !w->starvation_reported) {
        w->starvation_reported = true;
        vlog_drain();
        kprintf("mica: watchdog: the guest has not taken a pending interrupt for %u s (interrupts "
                "masked, or stuck); its state:\n",
                w->starved_windows);
        vendor_dump_guest_state(vcpu);
    }
    w->window_start_ns = now_ns;
    w->exits_at_window_start = vcpu->exits_total;
    w->injected_at_window_start = vcpu->interrupts_injected;
}
