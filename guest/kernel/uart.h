/* COM1 (16550 UART at 0x3f8) as the guest kernel's console: 115200 8N1, polled transmit. Under
 * mica it is the emulated 16550, whose lines the hypervisor prints as "guest| ...". */
#ifndef MICA_GUEST_UART_H
#define MICA_GUEST_UART_H

void uart_init(void);
void uart_putc(char c);
/* Waits until the transmitter is empty (the last byte has left the shift register). */
void uart_drain(void);

#endif
