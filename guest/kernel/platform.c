/* The guest kernel's platform layer: mica detection and the shared page, interrupt masking
 * (soft or real), the 8259A pair, IRQ dispatch with return_from_interrupt under mica, idling,
 * TSC calibration with PIT channel 2, hypervisor counters and the native power-off. */
#include "guest/kernel/platform.h"

#include "guest/kernel/pit.h"
#include "guest/lib/io_batch.h"
#include "guest/lib/soft_irq.h"
#include "tests/guests/lib/guest.h"

/* 8259A ports and ICW/OCW bits (Intel 8259A data sheet). */
#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_ICW1_INIT   0x10
#define PIC_ICW1_ICW4   0x01
#define PIC_ICW4_8086   0x01
#define PIC_OCW2_EOI    0x20 /* non-specific end of interrupt */
#define PIC_CASCADE_IRQ 2
#define PIC_LINES       8
#define PIC_ALL_MASKED  0xff
#define IRQ_VECTOR_BASE 0x20 /* master 0x20-0x27, slave 0x28-0x2f */

/* Bochs' "Shutdown" port: writing the ASCII string ends the simulation. */
#define BOCHS_SHUTDOWN_PORT 0x8900

volatile uint32_t irq_counts[IRQ_LINES];
uint32_t tsc_per_ms;

static bool on_mica;
static struct mica_vcpu_shared shared_page __attribute__((aligned(4096)));
static uint8_t pic_masks[2] = {PIC_ALL_MASKED, PIC_ALL_MASKED};

extern const uint32_t irq_stubs[IRQ_LINES];

bool platform_on_mica(void)
{
    return on_mica;
}

static void notify(void)
{
    vmcall(MICA_HC_INTERRUPT_NOTIFY, 0, 0, 0, 0, NULL);
}

void irq_disable(void)
{
    if (on_mica)
        soft_cli(&shared_page);
    else
        __asm__ volatile("cli" ::: "memory");
}

void irq_enable(void)
{
    if (on_mica)
        soft_sti(&shared_page, notify);
    else
        __asm__ volatile("sti" ::: "memory");
}

void idle_until_changed(const volatile uint32_t *counter, uint32_t seen)
{
    __asm__ volatile("cli" ::: "memory");
    if (*counter == seen)
        __asm__ volatile("sti; hlt" ::: "memory");
    else
        __asm__ volatile("sti" ::: "memory");
}

static void pic_write_masks(void)
{
    outb(PIC1_DATA, pic_masks[0]);
    outb(PIC2_DATA, pic_masks[1]);
}

void pic_unmask(unsigned irq)
{
    pic_masks[irq / PIC_LINES] &= (uint8_t) ~(1u << (irq % PIC_LINES));
    if (irq >= PIC_LINES)
        pic_masks[0] &= (uint8_t) ~(1u << PIC_CASCADE_IRQ);
    pic_write_masks();
}

void pic_mask(unsigned irq)
{
    pic_masks[irq / PIC_LINES] |= (uint8_t)(1u << (irq % PIC_LINES));
    pic_write_masks();
}

static void pic_init(void)
{
    outb(PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    outb(PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    outb(PIC1_DATA, IRQ_VECTOR_BASE);
    outb(PIC2_DATA, IRQ_VECTOR_BASE + PIC_LINES);
    outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ); /* slave on IR2 */
    outb(PIC2_DATA, PIC_CASCADE_IRQ);       /* slave identity */
    outb(PIC1_DATA, PIC_ICW4_8086);
    outb(PIC2_DATA, PIC_ICW4_8086);
    pic_write_masks();
}

static void count_irq(unsigned line)
{
    irq_counts[line % IRQ_LINES]++;
}

/* Software dispatch of a vector found pending at return_from_interrupt (mica). */
static void dispatch_pending(unsigned vector)
{
    if (vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + IRQ_LINES)
        count_irq(vector - IRQ_VECTOR_BASE);
}

void irq_handle(unsigned line);
void irq_handle(unsigned line)
{
    count_irq(line);
    if (on_mica) {
        /* The hypervisor acknowledges and ends PIC interrupts in paravirtual mode; before IRET,
         * deliver what became pending meanwhile (return_from_interrupt). */
        soft_irq_drain(&shared_page, dispatch_pending);
        return;
    }
    if (line >= PIC_LINES)
        outb(PIC2_CMD, PIC_OCW2_EOI);
    outb(PIC1_CMD, PIC_OCW2_EOI);
}

void platform_init(void)
{
    on_mica = mica_present();
    if (on_mica) {
        shared_page.soft_interrupt_enable = 1;
        uint32_t status = vmcall(MICA_HC_SHARED_PAGE, (uint32_t)&shared_page, 0, 0, 0, NULL);
        if (status != MICA_HC_OK) {
            printf("mica-guest: MICA_HC_SHARED_PAGE failed with status %u\n", status);
            guest_exit(MICA_GUEST_FAIL);
        }
    }
    for (unsigned line = 0; line < IRQ_LINES; line++)
        idt_set_gate(IRQ_VECTOR_BASE + line, irq_stubs[line]);
    pic_init();
    tsc_per_ms = pit_calibrate_tsc_per_ms();
}

static uint64_t hypercall64(uint32_t nr, uint32_t arg)
{
    uint32_t a = nr, b = arg, c = 0;
    __asm__ volatile("vmcall" : "+a"(a), "+b"(b), "+c"(c) : : "memory");
    return a == MICA_HC_OK ? ((uint64_t)c << 32 | b) : 0;
}

uint64_t platform_exit_count(void)
{
    return on_mica ? hypercall64(MICA_HC_EXIT_COUNT, MICA_EXIT_COUNT_ALL) : 0;
}

uint64_t platform_host_time(void)
{
    return on_mica ? hypercall64(MICA_HC_HOST_TIME, 0) : 0;
}

void platform_power_off(void)
{
    static const char shutdown[] = "Shutdown";
    for (const char *p = shutdown; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
}
