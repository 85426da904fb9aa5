/* Hostile test guest: a level-triggered line held high under paravirtual delivery. COM1's THRE
 * interrupt stays asserted on IRQ 4 (set to level in the ELCR) while the handler leaves it be;
 * once this looped the hypervisor forever (each auto-EOI saw the line still high). Now one vector
 * is taken per VM entry, so the guest runs its handler each time and finally silences the UART. */
#include "guest/lib/soft_irq.h"
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_ICW1_INIT   0x11 /* ICW1: initialisation, ICW4 follows */
#define PIC_ICW4_8086   0x01
#define PIC_VECTOR_BASE 0x20
#define ELCR1_PORT      0x4d0
#define COM1_IRQ        4
#define COM1_VECTOR     (PIC_VECTOR_BASE + COM1_IRQ)
#define COM1_IER        0x3f9
#define COM1_MCR        0x3fc
#define UART_IER_THRE   0x02 /* ETBEI: interrupt while the transmit holding register is empty */
#define UART_MCR_OUT2   0x08 /* gates the UART's interrupt line on a PC */
#define POST_PORT       0x80 /* a trapped port: each write is a VM exit, and so a new entry */
#define HELD_DELIVERIES 50   /* deliveries with the line left high before the handler clears it */
#define SETTLE_SPINS    200000

static struct mica_vcpu_shared shared_page __attribute__((aligned(4096)));
static struct mica_vcpu_shared *const shared = &shared_page;
static volatile uint32_t deliveries;

static void com1_interrupt(void)
{
    deliveries++;
    if (deliveries < HELD_DELIVERIES)
        outb(POST_PORT, (uint8_t)deliveries); /* the line stays high: exit, entry, again */
    else
        outb(COM1_IER, 0); /* THRE interrupt off: the line drops */
}

static void dispatch(unsigned vector)
{
    if (vector == COM1_VECTOR)
        com1_interrupt();
}

void com1_entry(void);
void com1_entry_c(void);
void com1_entry_c(void)
{
    com1_interrupt();
}

void return_from_interrupt_c(void);
void return_from_interrupt_c(void)
{
    soft_irq_drain(shared, dispatch);
}

__asm__(".globl com1_entry\n"
        "com1_entry:\n"
        "  pushal\n"
        "  cld\n"
        "  call com1_entry_c\n"
        "  call return_from_interrupt_c\n"
        "  popal\n"
        "  iret\n");

static void pic_init_com1_level(void)
{
    outb(PIC1_CMD, PIC_ICW1_INIT);
    outb(PIC2_CMD, PIC_ICW1_INIT);
    outb(PIC1_DATA, PIC_VECTOR_BASE);
    outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC1_DATA, 1u << 2); /* slave on IRQ 2 */
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, PIC_ICW4_8086);
    outb(PIC2_DATA, PIC_ICW4_8086);
    outb(ELCR1_PORT, 1u << COM1_IRQ);
    outb(PIC1_DATA, (uint8_t) ~(1u << COM1_IRQ));
    outb(PIC2_DATA, 0xff);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(4);
    idt_set_gate(COM1_VECTOR, (uint32_t)com1_entry);
    uint32_t ebx;
    shared->soft_interrupt_enable = 1;
    uint32_t st = vmcall(MICA_HC_SHARED_PAGE, (uint32_t)shared, 0, 0, 0, &ebx);
    tap_ok(st == MICA_HC_OK, "shared page registered: paravirtual delivery (status %u)", st);
    pic_init_com1_level();
    tap_ok(inb(ELCR1_PORT) & (1u << COM1_IRQ), "IRQ 4 is level-triggered in the ELCR");
    __asm__ volatile("sti");
    outb(COM1_MCR, UART_MCR_OUT2);
    outb(COM1_IER, UART_IER_THRE); /* THR is empty: IRQ 4 goes high and stays high */
    for (uint32_t i = 0; i < SETTLE_SPINS && deliveries < HELD_DELIVERIES; i++)
        __asm__ volatile("pause");
    uint32_t seen = deliveries;
    tap_ok(seen >= HELD_DELIVERIES,
           "the guest ran its handler %u times while the line was held high (want %u)", seen,
           HELD_DELIVERIES);
    for (uint32_t i = 0; i < SETTLE_SPINS; i++)
        __asm__ volatile("pause");
    outb(POST_PORT, 0); /* one more entry with the line low */
    tap_ok(deliveries == seen, "no delivery after the UART was silenced (%u, then %u)", seen,
           deliveries);
    tap_done();
}
