/* Host interrupt lines given to the guest (device pass-through): the machine's 8259 line is
 * unmasked, and each of its interrupts is ended at the host PIC and raised on the guest's. */
#ifndef MICA_VMM_HOST_IRQ_H
#define MICA_VMM_HOST_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"

/* Forwards host IRQ host_irq (0-15, legacy 8259) to the guest's line: an edge on the guest's
 * interrupt controller per host interrupt. */
void host_irq_forward(unsigned host_irq, const struct irq_line *guest_line);
/* For the vendor's external-interrupt exit (acknowledged on exit): true if vector belongs to a
 * forwarded line, which has then been handled. */
bool host_irq_handle_vector(unsigned vector);
/* Host interrupts forwarded so far. */
uint64_t host_irq_forwarded_count(void);

#endif
