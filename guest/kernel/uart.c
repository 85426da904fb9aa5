/* COM1 16550 driver: divisor latch for 115200 baud, 8N1, FIFOs on, transmit by polling
 * LSR.THRE (Bochs' UART is timed: bytes written while it is busy are lost). */
#include "guest/kernel/uart.h"

#include "tests/guests/lib/x86.h"

#define COM1_BASE     0x3f8
#define UART_THR      0 /* transmit holding register (DLAB = 0) */
#define UART_DLL      0 /* divisor latch low (DLAB = 1) */
#define UART_IER      1 /* interrupt enable (DLAB = 0) */
#define UART_DLM      1 /* divisor latch high (DLAB = 1) */
#define UART_FCR      2 /* FIFO control */
#define UART_LCR      3 /* line control */
#define UART_MCR      4 /* modem control */
#define UART_LSR      5 /* line status */
#define LCR_8N1       0x03
#define LCR_DLAB      0x80
#define FCR_ENABLE    0x01
#define FCR_CLEAR_RX  0x02
#define FCR_CLEAR_TX  0x04
#define MCR_DTR       0x01
#define MCR_RTS       0x02
#define LSR_THRE      0x20 /* transmit holding register empty */
#define LSR_TEMT      0x40 /* transmitter empty */
#define UART_CLOCK_HZ 115200u
#define CONSOLE_BAUD  115200u
#define UART_SPIN_MAX 1000000u /* a UART that never gets ready is absent: drop the byte */

void uart_init(void)
{
    uint16_t divisor = UART_CLOCK_HZ / CONSOLE_BAUD;
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DLL, (uint8_t)divisor);
    outb(COM1_BASE + UART_DLM, (uint8_t)(divisor >> 8));
    outb(COM1_BASE + UART_LCR, LCR_8N1);
    outb(COM1_BASE + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
    outb(COM1_BASE + UART_MCR, MCR_DTR | MCR_RTS);
}

static void wait_lsr(uint8_t bit)
{
    for (uint32_t i = 0; i < UART_SPIN_MAX && !(inb(COM1_BASE + UART_LSR) & bit); i++)
        __asm__ volatile("pause");
}

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    wait_lsr(LSR_THRE);
    outb(COM1_BASE + UART_THR, (uint8_t)c);
}

void uart_drain(void)
{
    wait_lsr(LSR_TEMT);
}
