/* Platform wiring: the PC devices a guest expects (two 8259A PICs, 8254 PIT, CMOS RTC, COM1
 * 16550A) plus the debug console and exit, POST and port 0x92, their IRQ lines into the PIC, and
 * device time from the host TSC. */
#include "vmm/platform.h"

#include "drivers/cmos_clock.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/timer.h"
#include "vmm/devices/debug_console.h"
#include "vmm/devices/debug_exit.h"
#include "vmm/devices/port92.h"
#include "vmm/devices/post.h"
#include "vmm/guest.h"
#include "vmm/vlog.h"

/* A guest probing the whole port space (a fuzzer, a driver scanning for hardware) would
 * otherwise log a line for each of thousands of ports; past this many the exit report sums up. */
#define UNCLAIMED_PORT_REPORTS_MAX 64

static void report_unclaimed_port(uint16_t port, unsigned size, enum io_direction dir)
{
    static unsigned reports;
    if (reports > UNCLAIMED_PORT_REPORTS_MAX)
        return;
    if (reports++ == UNCLAIMED_PORT_REPORTS_MAX) {
        vlog("mica: more than %u unclaimed ports used; no more are reported one by one (the exit "
             "report sums them up)\n",
             UNCLAIMED_PORT_REPORTS_MAX);
        return;
    }
    vlog("mica: guest %s of %u byte%s at unclaimed port 0x%x (reads give all ones; reported once "
         "per port)\n",
         dir == IO_IN ? "read" : "write", size, size == 1 ? "" : "s", port);
}

static void report_denied_port(uint16_t port, unsigned size, enum io_direction dir,
                               const char *owner)
{
    vlog("mica: guest %s of %u byte%s at port 0x%x refused: the port belongs to %s (reported "
         "once per port and direction)\n",
         dir == IO_IN ? "read" : "write", size, size == 1 ? "" : "s", port, owner);
}

#define PCI_CONFIG_PORT  0xcf8
#define PCI_CONFIG_PORTS 8

static void attach_or_panic(int status, const char *what)
{
    if (status != IOBUS_OK)
        panic("cannot register %s on the port bus: %s", what,
              iobus_strerror((enum iobus_status)status));
}

static uint64_t guest_clock_now(void *ctx)
{
    (void)ctx;
    return host_time_ns();
}

static void uart_transmit(void *ctx, uint8_t byte)
{
    struct guest *g = ctx;
    debug_console_put(&g->console, byte); /* the same marked, sanitized "guest|" lines */
}

static struct irq_line pic_line(struct guest *g, unsigned irq)
{
    return (struct irq_line){.set = pic8259_set_irq, .ctx = &g->pic, .irq = irq};
}

static struct rtc_datetime host_date(void)
{
    struct host_datetime h;
    if (!host_rtc_read(&h)) {
        log_warn("platform: the host RTC could not be read; the guest's clock starts at "
                 "2000-01-01\n");
        return (struct rtc_datetime){.year = 2000, .month = 1, .day = 1};
    }
    return (struct rtc_datetime){.year = h.year, .month = h.month, .day = h.day,
                                 .hour = h.hour, .minute = h.minute, .second = h.second};
}

#define PIT_IRQ  0
#define UART_IRQ 4

void platform_init(struct guest *g)
{
    iobus_init(&g->iobus);
    g->iobus.report_unclaimed = report_unclaimed_port;
    g->iobus.report_denied = report_denied_port;
    /* The host's PCI configuration mechanism stays the hypervisor's (no virtual PCI yet). */
    attach_or_panic(iobus_deny(&g->iobus, PCI_CONFIG_PORT, PCI_CONFIG_PORTS,
                               "the hypervisor (PCI configuration)"),
                    "the PCI configuration ports");
    g->clock = (struct device_clock){.now_ns = guest_clock_now};
    attach_or_panic(debug_console_attach(&g->console, &g->iobus), "the debug console");
    attach_or_panic(debug_exit_attach(g), "the debug-exit port");
    attach_or_panic(post_port_attach(&g->post, &g->iobus), "the POST port");
    attach_or_panic(port92_attach(g), "port 0x92");

    pic8259_init(&g->pic);
    attach_or_panic(pic8259_attach(&g->pic, &g->iobus), "the 8259A PICs");
    struct irq_line irq0 = pic_line(g, PIT_IRQ);
    pit8254_init(&g->pit, &g->clock, &irq0);
    attach_or_panic(pit8254_attach(&g->pit, &g->iobus), "the 8254 PIT");
    struct irq_line irq8 = pic_line(g, CMOS_RTC_IRQ);
    struct rtc_datetime now = host_date();
    cmos_rtc_init(&g->rtc, &g->clock, &irq8, &now);
    attach_or_panic(cmos_rtc_attach(&g->rtc, &g->iobus), "the CMOS RTC");
    struct irq_line irq4 = pic_line(g, UART_IRQ);
    vuart_init(&g->uart, VUART_COM1_PORT, &irq4, uart_transmit, g);
    attach_or_panic(vuart_attach(&g->uart, &g->iobus), "the COM1 UART");
}

void platform_note_port_access(struct guest *g, uint16_t port)
{
    const struct io_region *r = iobus_find(&g->iobus, port);
    if (r && (r->device == &g->pit || r->device == &g->rtc))
        g->devices_touched = true;
}

void platform_update(struct guest *g)
{
    pit8254_update(&g->pit);
    cmos_rtc_update(&g->rtc);
}

bool platform_interrupt_pending(struct guest *g)
{
    return pic8259_has_interrupt(&g->pic);
}

int platform_acknowledge_interrupt(struct guest *g)
{
    return pic8259_acknowledge(&g->pic);
}

#define PIC_OCW2_NON_SPECIFIC_EOI 0x20

int platform_take_interrupt_auto_eoi(struct guest *g)
{
    if (!pic8259_has_interrupt(&g->pic))
        return -1;
    int vector = pic8259_acknowledge(&g->pic);
    uint32_t eoi = PIC_OCW2_NON_SPECIFIC_EOI;
    if (g->pic.chip[PIC8259_SLAVE].isr)
        pic8259_io(&g->pic, PIC8259_SLAVE_PORT, 1, IO_OUT, &eoi);
    eoi = PIC_OCW2_NON_SPECIFIC_EOI;
    pic8259_io(&g->pic, PIC8259_MASTER_PORT, 1, IO_OUT, &eoi);
    return vector;
}

uint64_t platform_next_event_ns(struct guest *g)
{
    uint64_t pit = pit8254_next_irq_ns(&g->pit);
    uint64_t rtc = cmos_rtc_next_irq_ns(&g->rtc);
    return pit < rtc ? pit : rtc;
}

void platform_console_input(struct guest *g, uint8_t byte)
{
    vuart_receive(&g->uart, byte);
}
