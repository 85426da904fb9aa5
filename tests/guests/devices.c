/* Test guest for the emulated PC devices (legacy interrupt path): programs the PIC and the PIT at
 * 1 kHz, takes 100 timer interrupts in sti;hlt loops and checks the count against the TSC, echoes
 * characters through the UART in loopback, reads the RTC, and reports exits per interrupt. */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIC_EOI     0x20
#define PIT_CH0     0x40
#define PIT_CMD     0x43
#define PIT_HZ      1193182u
#define TICK_HZ     1000u
#define TICKS       100u
#define IRQ0_VECTOR 0x20
#define COM1        0x3f8
#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71

volatile uint32_t ticks;

void irq0_handler(void);
void irq0_handler(void)
{
    ticks++;
    outb(PIC1_CMD, PIC_EOI);
}

/* The interrupt entry: save, count, EOI, IRET. */
void irq0_entry(void);
__asm__(".globl irq0_entry\n"
        "irq0_entry:\n"
        "  pushal\n"
        "  cld\n"
        "  call irq0_handler\n"
        "  popal\n"
        "  iret\n");

static void pic_init(void)
{
    outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, IRQ0_VECTOR);
    outb(PIC2_DATA, IRQ0_VECTOR + 8);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on IR2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xfe); /* only IRQ0 */
    outb(PIC2_DATA, 0xff);
}

#define PIT_CH2        0x42
#define PORT_B         0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

/* TSC ticks in 10 ms, timed by a PIT channel 2 one-shot (gate and OUT2 on port 0x61). */
static uint32_t tsc_per_10ms(void)
{
    uint16_t count = (uint16_t)(PIT_HZ / 100);
    uint8_t b = inb(PORT_B) & (uint8_t) ~(PORT_B_GATE2 | PORT_B_SPEAKER);
    outb(PORT_B, b);
    outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    outb(PORT_B, b | PORT_B_GATE2);
    uint64_t t0 = rdtsc();
    while (!(inb(PORT_B) & PORT_B_OUT2))
        ;
    uint64_t t1 = rdtsc();
    outb(PORT_B, b);
    return (uint32_t)(t1 - t0);
}

static void test_timer(void)
{
    uint32_t ten_ms = tsc_per_10ms();
    uint16_t divisor = (uint16_t)(PIT_HZ / TICK_HZ);
    outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
    outb(PIT_CH0, (uint8_t)divisor);
    outb(PIT_CH0, (uint8_t)(divisor >> 8));
    uint32_t e0 = mica_exit_count(MICA_EXIT_COUNT_ALL);
    uint32_t ext0 = mica_exit_count(1), win0 = mica_exit_count(7), io0 = mica_exit_count(30),
             hlt0 = mica_exit_count(12);
    uint64_t t0 = rdtsc();
    ticks = 0;
    while (ticks < TICKS)
        __asm__ volatile("sti; hlt; cli");
    uint64_t t1 = rdtsc();
    uint32_t e1 = mica_exit_count(MICA_EXIT_COUNT_ALL);
    uint32_t ext = mica_exit_count(1) - ext0, win = mica_exit_count(7) - win0,
             io = mica_exit_count(30) - io0, hlt = mica_exit_count(12) - hlt0;
    outb(PIT_CMD, 0x30); /* mode 0 with no count: stops the periodic interrupt */
    uint32_t elapsed_mtsc = (uint32_t)((t1 - t0) >> 10);
    /* 100 ticks at 1 kHz take 100 ms: ten times the channel 2 measurement, within 5%. */
    uint32_t expected_mtsc = (uint32_t)(((uint64_t)ten_ms * 10) >> 10);
    tap_ok(ticks == TICKS, "took %u timer interrupts with sti;hlt (expected %u)", ticks, TICKS);
    tap_diag("figures: %u interrupts in %u x1024 TSC ticks; exits in the loop: %u total, "
             "external-interrupt %u, HLT %u, I/O (EOI) %u, interrupt-window %u",
             ticks, elapsed_mtsc, e1 - e0 - 9, ext, hlt, io, win);
    tap_diag("figures: exits per timer interrupt %u.%02u", (e1 - e0 - 9) / TICKS,
             (e1 - e0 - 9) % TICKS);
    tap_ok(elapsed_mtsc > expected_mtsc - expected_mtsc / 20 &&
               elapsed_mtsc < expected_mtsc + expected_mtsc / 20,
           "100 ticks took %u x1024 TSC ticks; PIT channel 2 says 100 ms is %u (within 5%%)",
           elapsed_mtsc, expected_mtsc);
}

static void test_uart_loopback(void)
{
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 1);    /* 115200 */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFO */
    outb(COM1 + 4, 0x10); /* loopback */
    const char *msg = "echo!";
    char got[8] = {0};
    unsigned n = 0;
    for (const char *p = msg; *p; p++) {
        while (!(inb(COM1 + 5) & 0x20))
            ;
        outb(COM1, (uint8_t)*p);
    }
    while ((inb(COM1 + 5) & 0x01) && n < sizeof(got) - 1)
        got[n++] = (char)inb(COM1);
    tap_ok(n == 5 && got[0] == 'e' && got[4] == '!', "UART loopback echoes \"%s\" (got \"%s\")",
           msg, got);
    outb(COM1 + 4, 0x03); /* loopback off: output goes to the console */
    const char *line = "devices: this line went out through the virtual COM1\n";
    for (const char *p = line; *p; p++) {
        while (!(inb(COM1 + 5) & 0x20))
            ;
        outb(COM1, (uint8_t)*p);
    }
    tap_ok(true, "UART transmit (see the line above)");
}

static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static unsigned bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 0xf);
}

static void test_rtc(void)
{
    while (cmos(0x0a) & 0x80)
        ; /* update in progress */
    unsigned sec = bcd(cmos(0x00)), min = bcd(cmos(0x02)), hour = bcd(cmos(0x04));
    unsigned day = bcd(cmos(0x07)), month = bcd(cmos(0x08)), year = bcd(cmos(0x09));
    unsigned century = bcd(cmos(0x32));
    tap_diag("RTC: %u%02u-%02u-%02u %02u:%02u:%02u", century, year, month, day, hour, min, sec);
    tap_ok(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && min < 60 &&
               sec < 60 && century >= 20,
           "RTC date and time are valid BCD values");
    tap_ok(cmos(0x0d) & 0x80, "RTC status D reports valid RAM and time");
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("devices: PIC, PIT at 1 kHz, UART, RTC\n");
    tap_plan(6);
    idt_set_gate(IRQ0_VECTOR, (uint32_t)irq0_entry);
    pic_init();
    test_timer();
    test_uart_loopback();
    test_rtc();
    tap_done();
}
