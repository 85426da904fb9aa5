/* The guest kernel's console on COM1 and its exit: the printf family of tests/guests/lib/guest.h
 * (formatted by kernel/format.c) and guest_exit(), which ends the run under mica through the
 * debug-exit port and natively by powering Bochs off. */
#include "guest/kernel/platform.h"
#include "guest/kernel/uart.h"
#include "kernel/format.h"
#include "tests/guests/lib/guest.h"

#define PRINTF_BUFFER 256

void console_putc(char c)
{
    uart_putc(c);
}

void console_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[PRINTF_BUFFER];
    int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
    console_puts(buf);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void guest_exit(uint8_t status)
{
    printf("mica-guest: done, status %s\n", status == MICA_GUEST_PASS ? "pass" : "fail");
    uart_drain(); /* Bochs loses the last bytes if the machine stops right after them */
    if (platform_on_mica())
        outb(MICA_PORT_DEBUG_EXIT, status);
    else
        platform_power_off();
    halt_forever();
}
