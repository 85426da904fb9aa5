/* The host's legacy 8259A PIC pair: remapped away from the exception vectors and fully masked,
 * since the hypervisor uses the local APIC (and, later, the IOAPIC). */
#ifndef MICA_DRIVERS_PIC8259_H
#define MICA_DRIVERS_PIC8259_H

#include <stdint.h>

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1

#define PIC_MASTER_VECTOR_BASE 0x20
#define PIC_SLAVE_VECTOR_BASE  0x28

/* Remaps IRQ 0-15 to vectors 0x20-0x2f and masks every line. */
void pic_remap_and_mask(void);
/* Reads back the interrupt mask registers (master in the low byte). */
uint16_t pic_read_masks(void);
/* For a line the hypervisor forwards to its guest (vmm/host_irq.c): unmask it, and end each of
 * its interrupts with a non-specific EOI (slave, then master for a slave line). */
void pic_unmask_irq(unsigned irq);
void pic_end_of_interrupt(unsigned irq);

#endif
