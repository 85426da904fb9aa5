/* Debug console on port 0xe9 (Bochs' and QEMU's "debugcon" convention): bytes written are
 * collected into lines and logged through the deferred log; reads return 0xe9. */
#include "vmm/devices/debug_console.h"

#include "include/mica/abi.h"
#include "vmm/iobus.h"
#include "vmm/vlog.h"

void debug_console_flush(struct debug_console *dev)
{
    if (dev->len == 0)
        return;
    dev->line[dev->len] = '\0';
    vlog("guest| %s\n", dev->line);
    dev->len = 0;
}

void debug_console_put(struct debug_console *dev, uint8_t byte)
{
    char c = (char)byte;
    dev->bytes++;
    if (c == '\n') {
        debug_console_flush(dev);
        return;
    }
    if (c == '\r')
        return;
    /* Control characters other than tab, DEL and all bytes above ASCII (C1 controls such as
     * 0x9b, an 8-bit CSI) are shown as '.', so a guest cannot drive the operator's terminal. */
    unsigned char u = (unsigned char)c;
    if ((u < 0x20 && c != '\t') || u >= 0x7f)
        c = '.';
    dev->line[dev->len++] = c;
    if (dev->len == DEBUG_CONSOLE_LINE_MAX)
        debug_console_flush(dev);
}

static void debug_console_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                             uint32_t *value)
{
    struct debug_console *dev = device;
    (void)port;
    if (dir == IO_IN) {
        *value = MICA_PORT_DEBUG_CONSOLE;
        return;
    }
    /* A wider OUT writes its bytes in order, as consecutive OUTB would. */
    for (unsigned i = 0; i < size; i++)
        debug_console_put(dev, (uint8_t)(*value >> (8 * i)));
}

int debug_console_attach(struct debug_console *dev, struct iobus *bus)
{
    dev->len = 0;
    dev->bytes = 0;
    return iobus_register(bus, MICA_PORT_DEBUG_CONSOLE, 1, debug_console_io, dev, "debug-console");
}
