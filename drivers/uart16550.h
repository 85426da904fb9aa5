/* Polled 16550 UART driver for the hypervisor's own console (COM1/COM2). Transmit waits for
 * LSR.THRE before each byte (the emulated UARTs are timed and drop bytes otherwise). */
#ifndef MICA_DRIVERS_UART16550_H
#define MICA_DRIVERS_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_PORT 0x3f8
#define UART_COM2_PORT 0x2f8

/* Register offsets and bits (PC16550D data sheet). */
#define UART_RBR       0 /* receive buffer (read, DLAB=0) */
#define UART_THR       0 /* transmit holding (write, DLAB=0) */
#define UART_DLL       0 /* divisor latch low (DLAB=1) */
#define UART_IER       1
#define UART_DLM       1 /* divisor latch high (DLAB=1) */
#define UART_FCR       2
#define UART_LCR       3
#define UART_MCR       4
#define UART_LSR       5
#define UART_SCR       7
#define UART_LCR_8N1   0x03
#define UART_LCR_DLAB  0x80
#define UART_FCR_FIFO  0xc7 /* enable, clear both FIFOs, 14-byte trigger */
#define UART_MCR_DTR   0x01
#define UART_MCR_RTS   0x02
#define UART_MCR_OUT2  0x08
#define UART_LSR_DR    0x01 /* data ready */
#define UART_LSR_THRE  0x20 /* transmit holding register empty */
#define UART_LSR_TEMT  0x40 /* transmitter empty (shift register too) */
#define UART_CLOCK_HZ  115200

/* Programs the UART at `port` for `baud` 8N1 with FIFOs. Returns false when no UART answers
 * there (scratch register check), in which case nothing is written later. */
bool uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);
/* Returns -1 when no byte is waiting. */
int uart_getc(uint16_t port);
/* Writes up to UART_FIFO_SIZE bytes without waiting when the transmitter is empty; returns how
 * many were written (0 while it is busy). */
#define UART_FIFO_SIZE 16
unsigned uart_write_nonblocking(uint16_t port, const char *bytes, unsigned len);
/* Waits until every byte has left the shift register (before a power-off). */
void uart_flush(uint16_t port);

#endif
