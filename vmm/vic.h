/* Virtual interrupt controller for soft interrupt masking: the hypervisor's side of the shared
 * page (struct mica_vcpu_shared, include/mica/abi.h). Pure code, vendor-neutral. */

/* The shared page is guest memory: the guest may write anything into it at any moment (from
 * another vCPU, or between two of our reads). It is trusted for one thing only, "which vector to
 * inject next", and even that is filtered: vectors below 32 found in the bitmap are cleared and
 * counted, never injected. soft_interrupt_enable is read once per decision. pending_count
 * (atomically) and the statistics fields are written, never read. The counters that matter live
 * here.
 *
 * The caller, before every VM entry of a vCPU in paravirtual mode:
 *
 *     int vec = vic_take_for_injection(vic, rflags_if, sti_or_movss_blocking);
 *     if (vec >= 0)
 *         inject external interrupt vec;
 *     set interrupt-window exiting = vic_wants_interrupt_window(vic, rflags_if, blocking);
 *
 * Why the window: the guest's return_from_interrupt dispatches what is pending in software, then
 * IRETs. A vector that arrives after its last "queue empty" check and before the IRET finds
 * soft_interrupt_enable = 1 but IF = 0 (the handler runs behind an interrupt gate): it cannot be
 * injected now, and the guest will not look at the queue again. Interrupt-window exiting makes
 * the CPU exit at the first instruction boundary where IF = 1 and nothing blocks, i.e. right
 * after that IRET, and the vector is injected there. The same holds for an STI or MOV SS shadow
 * (IF = 1 but blocked for one instruction). When soft_interrupt_enable = 0 no window is asked
 * for: the guest's soft_sti() will notice the pending bit and make MICA_HC_INTERRUPT_NOTIFY,
 * whose VM exit leads back here. The cost: a handler during which a vector arrives ends with
 * a window exit even when its drain dispatched that vector before the IRET (the exit then finds
 * nothing pending); the hypervisor cannot tell which side of the last check the arrival fell. */
#ifndef MICA_VMM_VIC_H
#define MICA_VMM_VIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/mica/abi.h"

_Static_assert(sizeof(struct mica_vcpu_shared) == MICA_VCPU_SHARED_SIZE, "ABI shared page layout");
_Static_assert(offsetof(struct mica_vcpu_shared, pending) == 8, "ABI shared page layout");

#define VIC_FIRST_VECTOR 32u /* vectors 0-31 are exceptions: never raised nor injected */
#define VIC_VECTORS      256u

struct vic {
    struct mica_vcpu_shared *shared; /* NULL: legacy delivery (the vic is not used) */
    uint64_t raised;                 /* vic_raise() calls accepted (coalesced ones included) */
    uint64_t injected;               /* vectors handed out by vic_take_for_injection() */
    uint64_t coalesced;              /* raised while already pending */
    uint64_t ignored_bad_vector;     /* raises of a vector < 32 or > 255, and bits for vectors
                                        < 32 found in the shared bitmap (one per bit) */
};

/* No shared page, counters zero. */
void vic_init(struct vic *v);
/* Switches to paravirtual delivery with the page (already validated and mapped by the caller:
 * MICA_HC_SHARED_PAGE). False if a page is already attached or shared is NULL. The guest's fields
 * are left as the guest wrote them, except that bits for vectors < 32 are cleared and counted. */
bool vic_attach_shared(struct vic *v, struct mica_vcpu_shared *shared);
static inline bool vic_active(const struct vic *v)
{
    return v->shared != NULL;
}
/* An interrupt for the vCPU: sets its pending bit (atomic OR). A vector already pending
 * coalesces. A vector < 32 or > 255 is refused and counted. Without a shared page: ignored (in
 * legacy mode interrupts go through the virtual PIC, not here). Whoever raises for a vCPU that is
 * running on another CPU must then make it exit (the decision to inject is taken only before
 * that vCPU's own VM entry). */
void vic_raise(struct vic *v, unsigned vector);
/* Before a VM entry: the highest pending vector, its bit atomically cleared, if the guest takes
 * interrupts now (soft_interrupt_enable != 0, read once; guest_if = RFLAGS.IF; guest_blocked =
 * blocking by STI or MOV SS). Otherwise -1. Always clears (and counts) bits for vectors < 32. */
int vic_take_for_injection(struct vic *v, bool guest_if, bool guest_blocked);
/* True if a vector is pending, soft_interrupt_enable != 0, but the guest cannot take it now
 * (IF = 0, or an STI/MOV SS shadow): the caller asks for an interrupt-window exit. */
bool vic_wants_interrupt_window(const struct vic *v, bool guest_if, bool guest_blocked);
/* Any vector 32-255 pending (e.g. to wake a vCPU halted with soft_interrupt_enable = 1). */
bool vic_any_pending(const struct vic *v);

#endif
