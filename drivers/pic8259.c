/* Legacy PIC initialisation (ICW1-ICW4 per the 8259A data sheet), leaving all lines masked. */
#include "drivers/pic8259.h"

#include "kernel/cpu.h"

#define ICW1_INIT      0x10
#define ICW1_ICW4      0x01
#define ICW3_MASTER_SLAVE_ON_IRQ2 0x04
#define ICW3_SLAVE_ID  0x02
#define ICW4_8086      0x01
#define OCW1_MASK_ALL  0xff

static void io_delay(void)
{
    outb(0x80, 0); /* POST port: a write here takes about a microsecond on real hardware */
}

void pic_remap_and_mask(void)
{
    outb(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
    io_delay();
    outb(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
    io_delay();
    outb(PIC_MASTER_DATA, PIC_MASTER_VECTOR_BASE);
    io_delay();
    outb(PIC_SLAVE_DATA, PIC_SLAVE_VECTOR_BASE);
    io_delay();
    outb(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_ON_IRQ2);
    io_delay();
    outb(PIC_SLAVE_DATA, ICW3_SLAVE_ID);
    io_delay();
    outb(PIC_MASTER_DATA, ICW4_8086);
    io_delay();
    outb(PIC_SLAVE_DATA, ICW4_8086);
    io_delay();
    outb(PIC_MASTER_DATA, OCW1_MASK_ALL);
    outb(PIC_SLAVE_DATA, OCW1_MASK_ALL);
}

uint16_t pic_read_masks(void)
{
    return (uint16_t)(inb(PIC_MASTER_DATA) | (inb(PIC_SLAVE_DATA) << 8));
}

#define PIC_LINES_PER_CHIP 8
#define PIC_CASCADE_IRQ    2
#define OCW2_NON_SPECIFIC_EOI 0x20

/* Unmasks one line; a slave line also needs the cascade input of the master. */
void pic_unmask_irq(unsigned irq)
{
    if (irq >= PIC_LINES_PER_CHIP) {
        outb(PIC_SLAVE_DATA, inb(PIC_SLAVE_DATA) & ~(1u << (irq - PIC_LINES_PER_CHIP)));
        irq = PIC_CASCADE_IRQ;
    }
    outb(PIC_MASTER_DATA, inb(PIC_MASTER_DATA) & ~(1u << irq));
}

void pic_end_of_interrupt(unsigned irq)
{
    if (irq >= PIC_LINES_PER_CHIP)
        outb(PIC_SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    outb(PIC_MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
}
