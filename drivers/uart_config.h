/* Where a 16550-compatible UART is and how to reach it (I/O port, or MMIO with a register width
 * and stride), from the command line or the ACPI SPCR table, and its divisor arithmetic. Pure
 * logic, unit-tested on the host; drivers/uart16550.c does the accesses. */
#ifndef MICA_DRIVERS_UART_CONFIG_H
#define MICA_DRIVERS_UART_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_spcr_info;

/* The PC UART clock: a 1.8432 MHz crystal; baud = clock / (16 * divisor) (PC16550D data sheet). */
#define UART_CLOCK_DEFAULT_HZ 1843200u
#define UART_OVERSAMPLING     16u
#define UART_DIVISOR_MAX      0xffffu
#define UART_IO_PORT_LAST     0xfff8u /* the 8 registers must fit below 0x10000 */
#define UART_REGISTER_COUNT   8u

enum uart_space { UART_SPACE_IO, UART_SPACE_MMIO };

struct uart_config {
    enum uart_space space;
    uint64_t base;        /* I/O port, or physical address of register 0 */
    uint8_t reg_shift;    /* register r is at base + (r << reg_shift) */
    uint8_t access_bytes; /* width of each access: 1 (I/O ports always), 2 or 4 (MMIO) */
    uint32_t baud;        /* 0: keep the divisor the firmware programmed */
    uint32_t clock_hz;    /* the UART's input clock */
};

/* A legacy I/O-port UART (COM1/COM2 style). */
void uart_config_io(struct uart_config *out, uint16_t port, uint32_t baud);
/* The address (port or physical) of register reg (0-7). */
uint64_t uart_reg_address(const struct uart_config *u, unsigned reg);
/* True when baud is non-zero and clock_hz / (16 * baud) is a whole divisor from 1 to 0xffff. */
bool uart_baud_valid(uint32_t clock_hz, uint32_t baud);
/* The divisor nearest to clock_hz / (16 * baud), clamped to 1..0xffff (baud non-zero). */
uint16_t uart_divisor(uint32_t clock_hz, uint32_t baud);
/* The UART an SPCR table names: interface type 16550 (0x0), 16450 (0x1) or 16550 with its
 * register layout in the GAS (0x12); system I/O (8-bit registers) or system memory (access size
 * from the GAS access size, or from the register bit width when that is 0 (legacy): 1, 2 or 4
 * bytes, registers that far apart). Returns false with why for anything else: another UART type,
 * a disabled redirection (address 0), PCI configuration space, a bit offset, 8-byte accesses. */
bool uart_config_from_spcr(const struct acpi_spcr_info *spcr, struct uart_config *out, char *why,
                           size_t why_len);

#endif
