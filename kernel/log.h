/* The kernel console and leveled logger: every line goes to the serial console chosen on the
 * command line (console=, com1=, com2=) or by SPCR. kprintf writes unconditionally; log_* filter
 * by loglevel=. */
#ifndef MICA_KERNEL_LOG_H
#define MICA_KERNEL_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/uart_config.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
#define LOG_LEVEL_DEFAULT LOG_INFO

#define CONSOLE_BAUD_DEFAULT 115200u

/* The console on the I/O-port UART at uart_port, 115200 8N1. */
void console_init(uint16_t uart_port);
/* The console on any UART; false when none answers there (output is then dropped). */
bool console_init_uart(const struct uart_config *uart);
const struct uart_config *console_uart_config(void);
/* The console's I/O port; 0 when the console is an MMIO UART (uart_getc(0) returns -1). */
uint16_t console_port(void);
/* A received byte, or -1 when none is waiting. */
int console_getc(void);
void console_write(const char *s, unsigned long len);
void console_flush(void);
/* Writes what the UART takes without waiting (\n becomes \r\n); returns the bytes of s used. */
unsigned long console_write_nonblocking(const char *s, unsigned long len);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
