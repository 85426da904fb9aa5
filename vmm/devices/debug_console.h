/* Debug console device (port 0xe9): the guest's simplest output channel; each line is printed on
 * the hypervisor console as "guest| <line>". */
#ifndef MICA_VMM_DEVICES_DEBUG_CONSOLE_H
#define MICA_VMM_DEVICES_DEBUG_CONSOLE_H

#include <stdint.h>

#define DEBUG_CONSOLE_LINE_MAX 200

struct debug_console {
    char line[DEBUG_CONSOLE_LINE_MAX + 1];
    unsigned len;
    uint64_t bytes;
};

struct iobus;
/* Registers on the bus; returns an iobus_status (IOBUS_OK or why not). */
int debug_console_attach(struct debug_console *dev, struct iobus *bus);
/* One byte of guest console output (also used by the virtual UART's transmitter). */
void debug_console_put(struct debug_console *dev, uint8_t byte);
/* Prints a partial last line, e.g. when the guest ends. */
void debug_console_flush(struct debug_console *dev);

#endif
