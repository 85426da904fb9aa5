/* Polled 16550 UART driver for the hypervisor's own console: I/O-port or MMIO registers
 * (struct uart_config). Transmit waits for LSR.THRE before each byte (emulated UARTs drop bytes
 * otherwise). The port-number functions are shorthands for an I/O-port UART. */
#ifndef MICA_DRIVERS_UART16550_H
#define MICA_DRIVERS_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/uart_config.h"

#define UART_COM1_PORT 0x3f8
#define UART_COM2_PORT 0x2f8

/* Register offsets and bits (PC16550D data sheet). */
#define UART_RBR      0 /* receive buffer (read, DLAB=0) */
#define UART_THR      0 /* transmit holding (write, DLAB=0) */
#define UART_DLL      0 /* divisor latch low (DLAB=1) */
#define UART_IER      1
#define UART_DLM      1 /* divisor latch high (DLAB=1) */
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_SCR      7
#define UART_LCR_8N1  0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_FIFO 0xc7 /* enable, clear both FIFOs, 14-byte trigger */
#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT2 0x08
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty (shift register too) */

/* Programs the UART for its baud rate (unchanged when cfg->baud is 0) 8N1 with FIFOs. Returns
 * false when no UART answers there (scratch register check). */
bool uart_dev_init(const struct uart_config *cfg);
void uart_dev_putc(const struct uart_config *cfg, char c);
/* Returns -1 when no byte is waiting. */
int uart_dev_getc(const struct uart_config *cfg);
/* Writes up to UART_FIFO_SIZE bytes without waiting when the transmitter is empty; returns how
 * many were written (0 while it is busy). */
#define UART_FIFO_SIZE 16
unsigned uart_dev_write_nonblocking(const struct uart_config *cfg, const char *bytes, unsigned len);
/* Waits until every byte has left the shift register (before a power-off). */
void uart_dev_flush(const struct uart_config *cfg);

/* The same for the I/O-port UART at `port`. Port 0 means "no UART": uart_getc() returns -1. */
bool uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);
int uart_getc(uint16_t port);
unsigned uart_write_nonblocking(uint16_t port, const char *bytes, unsigned len);
void uart_flush(uint16_t port);

#endif
