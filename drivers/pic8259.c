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
