/* Polled 16550 UART: init, transmit, receive, flush. Used by the console (kernel/log.c); the
 * guest's emulated UART is a separate device model. */
#include "drivers/uart16550.h"

#include "kernel/cpu.h"

bool uart_init(uint16_t port, uint32_t baud)
{
    /* The scratch register holds what is written if a UART is present. */
    outb(port + UART_SCR, 0x5a);
    if (inb(port + UART_SCR) != 0x5a)
        return false;
    uint16_t divisor = (uint16_t)(UART_CLOCK_HZ / (baud ? baud : UART_CLOCK_HZ));
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, UART_LCR_DLAB);
    outb(port + UART_DLL, divisor & 0xff);
    outb(port + UART_DLM, divisor >> 8);
    outb(port + UART_LCR, UART_LCR_8N1);
    outb(port + UART_FCR, UART_FCR_FIFO);
    outb(port + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    return true;
}

void uart_putc(uint16_t port, char c)
{
    while (!(inb(port + UART_LSR) & UART_LSR_THRE))
        cpu_relax();
    outb(port + UART_THR, (uint8_t)c);
}

unsigned uart_write_nonblocking(uint16_t port, const char *bytes, unsigned len)
{
    if (!(inb(port + UART_LSR) & UART_LSR_THRE))
        return 0;
    unsigned n = len < UART_FIFO_SIZE ? len : UART_FIFO_SIZE; /* THRE: the FIFO is empty */
    for (unsigned i = 0; i < n; i++)
        outb(port + UART_THR, (uint8_t)bytes[i]);
    return n;
}

int uart_getc(uint16_t port)
{
    if (!(inb(port + UART_LSR) & UART_LSR_DR))
        return -1;
    return inb(port + UART_RBR);
}

void uart_flush(uint16_t port)
{
    while (!(inb(port + UART_LSR) & UART_LSR_TEMT))
        cpu_relax();
}
