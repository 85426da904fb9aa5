/* Polled 16550 UART: init, transmit, receive, flush, through I/O ports or MMIO registers of 1, 2
 * or 4 bytes (drivers/uart_config.h). Used by the console (kernel/log.c) and the GDB stub; the
 * guest's emulated UART is a separate device model. */
#include "drivers/uart16550.h"

#include "kernel/cpu.h"

#define UART_SCRATCH_PATTERN 0x5a
#define BYTE_MASK            0xffu
#define BITS_PER_BYTE        8u

static uint8_t reg_in(const struct uart_config *u, unsigned reg)
{
    uint64_t a = uart_reg_address(u, reg);
    if (u->space == UART_SPACE_IO)
        return inb((uint16_t)a);
    switch (u->access_bytes) {
    case 4:
        return (uint8_t) * (volatile uint32_t *)(uintptr_t)a;
    case 2:
        return (uint8_t) * (volatile uint16_t *)(uintptr_t)a;
    }
    return *(volatile uint8_t *)(uintptr_t)a;
}

static void reg_out(const struct uart_config *u, unsigned reg, uint8_t value)
{
    uint64_t a = uart_reg_address(u, reg);
    if (u->space == UART_SPACE_IO) {
        outb((uint16_t)a, value);
        return;
    }
    switch (u->access_bytes) {
    case 4:
        *(volatile uint32_t *)(uintptr_t)a = value;
        return;
    case 2:
        *(volatile uint16_t *)(uintptr_t)a = value;
        return;
    }
    *(volatile uint8_t *)(uintptr_t)a = value;
}

bool uart_dev_init(const struct uart_config *u)
{
    /* The scratch register holds what is written if a UART is present. */
    reg_out(u, UART_SCR, UART_SCRATCH_PATTERN);
    if (reg_in(u, UART_SCR) != UART_SCRATCH_PATTERN)
        return false;
    reg_out(u, UART_IER, 0);
    if (u->baud) {
        uint16_t divisor = uart_divisor(u->clock_hz, u->baud);
        reg_out(u, UART_LCR, UART_LCR_DLAB);
        reg_out(u, UART_DLL, divisor & BYTE_MASK);
        reg_out(u, UART_DLM, divisor >> BITS_PER_BYTE);
    }
    reg_out(u, UART_LCR, UART_LCR_8N1);
    reg_out(u, UART_FCR, UART_FCR_FIFO);
    reg_out(u, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    return true;
}

void uart_dev_putc(const struct uart_config *u, char c)
{
    while (!(reg_in(u, UART_LSR) & UART_LSR_THRE))
        cpu_relax();
    reg_out(u, UART_THR, (uint8_t)c);
}

unsigned uart_dev_write_nonblocking(const struct uart_config *u, const char *bytes, unsigned len)
{
    if (!(reg_in(u, UART_LSR) & UART_LSR_THRE))
        return 0;
    unsigned n = len < UART_FIFO_SIZE ? len : UART_FIFO_SIZE; /* THRE: the FIFO is empty */
    for (unsigned i = 0; i < n; i++)
        reg_out(u, UART_THR, (uint8_t)bytes[i]);
    return n;
}

int uart_dev_getc(const struct uart_config *u)
{
    if (!(reg_in(u, UART_LSR) & UART_LSR_DR))
        return -1;
    return reg_in(u, UART_RBR);
}

void uart_dev_flush(const struct uart_config *u)
{
    while (!(reg_in(u, UART_LSR) & UART_LSR_TEMT))
        cpu_relax();
}

bool uart_init(uint16_t port, uint32_t baud)
{
    struct uart_config u;
    uart_config_io(&u, port, baud);
    return uart_dev_init(&u);
}

void uart_putc(uint16_t port, char c)
{
    struct uart_config u;
    uart_config_io(&u, port, 0);
    uart_dev_putc(&u, c);
}

unsigned uart_write_nonblocking(uint16_t port, const char *bytes, unsigned len)
{
    struct uart_config u;
    uart_config_io(&u, port, 0);
    return uart_dev_write_nonblocking(&u, bytes, len);
}

int uart_getc(uint16_t port)
{
    if (port == 0)
        return -1;
    struct uart_config u;
    uart_config_io(&u, port, 0);
    return uart_dev_getc(&u);
}

void uart_flush(uint16_t port)
{
    struct uart_config u;
    uart_config_io(&u, port, 0);
    uart_dev_flush(&u);
}
