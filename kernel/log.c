/* Console output (serial, with \n -> \r\n) and the leveled logger on top of it. Lines are
 * formatted into a bounded buffer first, so one call is one uninterrupted line. */
#include "kernel/log.h"

#include <stdarg.h>
#include <stdbool.h>

#include "drivers/uart16550.h"
#include "kernel/format.h"

#define LOG_LINE_MAX 512

static struct uart_config console_uart = {
    .space = UART_SPACE_IO,
    .base = UART_COM1_PORT,
    .access_bytes = 1,
    .clock_hz = UART_CLOCK_DEFAULT_HZ,
};
static bool console_present;
static enum log_level current_level = LOG_LEVEL_DEFAULT;

static const char *const level_names[] = {
    [LOG_ERROR] = "error",
    [LOG_WARN] = "warn",
    [LOG_INFO] = "info",
    [LOG_DEBUG] = "debug",
};

void console_init(uint16_t uart_port)
{
    struct uart_config u;
    uart_config_io(&u, uart_port, CONSOLE_BAUD_DEFAULT);
    console_init_uart(&u);
}

bool console_init_uart(const struct uart_config *uart)
{
    console_uart = *uart;
    console_present = uart_dev_init(uart);
    return console_present;
}

const struct uart_config *console_uart_config(void)
{
    return &console_uart;
}

uint16_t console_port(void)
{
    return console_uart.space == UART_SPACE_IO ? (uint16_t)console_uart.base : 0;
}

int console_getc(void)
{
    return console_present ? uart_dev_getc(&console_uart) : -1;
}

void console_write(const char *s, unsigned long len)
{
    if (!console_present)
        return;
    for (unsigned long i = 0; i < len; i++) {
        if (s[i] == '\n')
            uart_dev_putc(&console_uart, '\r');
        uart_dev_putc(&console_uart, s[i]);
    }
}

unsigned long console_write_nonblocking(const char *s, unsigned long len)
{
    if (!console_present)
        return len;
    char chunk[UART_FIFO_SIZE];
    unsigned n = 0;
    unsigned long used = 0;
    while (used < len && n < UART_FIFO_SIZE) {
        if (s[used] == '\n') {
            if (n + 2 > UART_FIFO_SIZE)
                break;
            chunk[n++] = '\r';
        }
        chunk[n++] = s[used++];
    }
    if (uart_dev_write_nonblocking(&console_uart, chunk, n) == 0)
        return 0;
    return used;
}

void console_flush(void)
{
    if (console_present)
        uart_dev_flush(&console_uart);
}

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    int n = 0;
    if (prefix)
        n = ksnprintf(line, sizeof(line), "%s", prefix);
    int m = kvsnprintf(line + n, sizeof(line) - (unsigned)n, fmt, ap);
    unsigned long len = (unsigned long)n + (unsigned long)m;
    if (len >= sizeof(line)) {
        len = sizeof(line) - 1;
        line[len - 1] = '\n'; /* keep truncated lines line-terminated */
    }
    console_write(line, len);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(NULL, fmt, ap);
    va_end(ap);
    return 0;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    char prefix[16];
    ksnprintf(prefix, sizeof(prefix), "[%s] ", level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    vprint(prefix, fmt, ap);
    va_end(ap);
}
