/* Guest side of soft interrupt masking (include/mica/abi.h): soft_cli/soft_sti on the shared page
 * and software dispatch of pending vectors for return_from_interrupt. Pure C, no VMCALL, no IDT. */
/* Freestanding, 32- or 64-bit, and for the host tests: the caller passes the hypercall in. */
#ifndef MICA_GUEST_SOFT_IRQ_H
#define MICA_GUEST_SOFT_IRQ_H

#include <stdbool.h>

#include "include/mica/abi.h"

/* Makes the MICA_HC_INTERRUPT_NOTIFY hypercall (a VMCALL; its VM exit lets the hypervisor inject
 * what is pending). */
typedef void (*soft_irq_notify_fn)(void);
/* Runs the handler of one vector (called with RFLAGS.IF = 0, soft_interrupt_enable = 1). */
typedef void (*soft_irq_dispatch_fn)(unsigned vector);

/* "cli": interrupts arriving from now on wait in the pending bitmap. Sections do not nest. */
void soft_cli(struct mica_vcpu_shared *s);
/* "sti": sets soft_interrupt_enable first, then looks at the bitmap and, if a vector is pending,
 * calls notify so that the hypervisor injects it. A vector arriving after the flag is set is
 * injected by the hypervisor directly; one that arrived before is seen by the check. So with
 * nothing pending, soft_cli()/soft_sti() cause no VM exit at all. */
void soft_sti(struct mica_vcpu_shared *s, soft_irq_notify_fn notify);
/* True if a vector 32-255 is pending (bits for 0-31 are not vectors and are ignored). */
bool soft_irq_pending(const struct mica_vcpu_shared *s);
/* Atomically clears the highest pending vector's bit (32-255) and returns the vector; -1 if none.
 * A vector returned here is the caller's to dispatch: nobody else will deliver it. */
int soft_irq_take_highest(struct mica_vcpu_shared *s);
/* For return_from_interrupt, with IF = 0: while soft_interrupt_enable is 1, takes the highest
 * pending vector and dispatches it, until none is left. Stops (leaving the rest pending) if the
 * flag is 0, e.g. when an exception taken inside a soft_cli section returns this way. A vector
 * arriving after the last (empty) check is injected by the hypervisor right after the IRET
 * (interrupt-window exit; see vmm/vic.h). */
void soft_irq_drain(struct mica_vcpu_shared *s, soft_irq_dispatch_fn dispatch);

#endif
