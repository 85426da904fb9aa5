/* Host interrupt lines given to the guest: unmasking at the machine's 8259, the host-side
 * handler (through the IDT while the host idles, or from the exit's vector) and the guest edge. */
#include "vmm/host_irq.h"

#include "drivers/pic8259.h"
#include "kernel/panic.h"
#include "kernel/trap.h"

#define PIC_LINES          16
#define PIC_LINES_PER_CHIP 8

static struct {
    bool forwarded;
    struct irq_line guest_line;
} lines[PIC_LINES];
static uint64_t forwarded_count;

static unsigned vector_of(unsigned irq)
{
    return irq < PIC_LINES_PER_CHIP ? PIC_MASTER_VECTOR_BASE + irq
                                    : PIC_SLAVE_VECTOR_BASE + irq - PIC_LINES_PER_CHIP;
}

static int irq_of(unsigned vector)
{
    for (unsigned irq = 0; irq < PIC_LINES; irq++) {
        if (lines[irq].forwarded && vector_of(irq) == vector)
            return (int)irq;
    }
    return -1;
}

static void forward(unsigned irq)
{
    pic_end_of_interrupt(irq);
    irq_line_pulse(&lines[irq].guest_line);
    forwarded_count++;
}

bool host_irq_handle_vector(unsigned vector)
{
    int irq = irq_of(vector);
    if (irq < 0)
        return false;
    forward((unsigned)irq);
    return true;
}

static void forwarded_irq_trap(struct trap_frame *frame)
{
    host_irq_handle_vector((unsigned)frame->vector);
}

void host_irq_forward(unsigned host_irq, const struct irq_line *guest_line)
{
    if (host_irq >= PIC_LINES)
        panic("host_irq_forward: IRQ %u is not an 8259 line", host_irq);
    lines[host_irq].forwarded = true;
    lines[host_irq].guest_line = *guest_line;
    trap_set_handler(vector_of(host_irq), forwarded_irq_trap);
    pic_unmask_irq(host_irq);
}

uint64_t host_irq_forwarded_count(void)
{
    return forwarded_count;
}
