/* Platform wiring: debug console and exit, POST and port 0x92 on the port bus. (The interrupt
 * controller, timer, RTC and UART models join here.) */
#include "vmm/platform.h"

#include "kernel/panic.h"
#include "vmm/devices/debug_console.h"
#include "vmm/devices/debug_exit.h"
#include "vmm/devices/port92.h"
#include "vmm/devices/post.h"
#include "vmm/guest.h"
#include "vmm/vlog.h"

static void report_unclaimed_port(uint16_t port, unsigned size, enum io_direction dir)
{
    vlog("mica: guest %s of %u byte%s at unclaimed port 0x%x (reads give all ones; reported once "
         "per port)\n",
         dir == IO_IN ? "read" : "write", size, size == 1 ? "" : "s", port);
}

static void report_denied_port(uint16_t port, unsigned size, enum io_direction dir,
                               const char *owner)
{
    vlog("mica: guest %s of %u byte%s at port 0x%x refused: the port belongs to %s\n",
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

void platform_init(struct guest *g)
{
    iobus_init(&g->iobus);
    g->iobus.report_unclaimed = report_unclaimed_port;
    g->iobus.report_denied = report_denied_port;
    /* The host's PCI configuration mechanism stays the hypervisor's (no virtual PCI yet). */
    attach_or_panic(iobus_deny(&g->iobus, PCI_CONFIG_PORT, PCI_CONFIG_PORTS,
                               "the hypervisor (PCI configuration)"),
                    "the PCI configuration ports");
    attach_or_panic(debug_console_attach(&g->console, &g->iobus), "the debug console");
    attach_or_panic(debug_exit_attach(g), "the debug-exit port");
    attach_or_panic(post_port_attach(&g->post, &g->iobus), "the POST port");
    attach_or_panic(port92_attach(g), "port 0x92");
}

void platform_update(struct guest *g)
{
    (void)g;
}

bool platform_interrupt_pending(struct guest *g)
{
    (void)g;
    return false;
}

int platform_acknowledge_interrupt(struct guest *g)
{
    (void)g;
    return -1;
}

uint64_t platform_next_event_ns(struct guest *g)
{
    (void)g;
    return UINT64_MAX;
}

void platform_console_input(struct guest *g, uint8_t byte)
{
    (void)g;
    (void)byte;
}
