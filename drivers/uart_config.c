/* UART location and divisor arithmetic: I/O-port and MMIO register addresses, baud-rate checks and
 * the translation of an ACPI SPCR table into a UART configuration. Pure logic. */
#include "drivers/uart_config.h"

#include "drivers/acpi.h"
#include "kernel/format.h"
#include "kernel/string.h"

/* GAS access size codes (ACPI 6.5, 5.2.3.2) */
#define GAS_ACCESS_UNDEFINED 0
#define GAS_ACCESS_BYTE      1
#define GAS_ACCESS_WORD      2
#define GAS_ACCESS_DWORD     3
#define BITS_PER_BYTE        8u

void uart_config_io(struct uart_config *out, uint16_t port, uint32_t baud)
{
    memset(out, 0, sizeof(*out));
    out->space = UART_SPACE_IO;
    out->base = port;
    out->access_bytes = 1;
    out->baud = baud;
    out->clock_hz = UART_CLOCK_DEFAULT_HZ;
}

uint64_t uart_reg_address(const struct uart_config *u, unsigned reg)
{
    return u->base + ((uint64_t)reg << u->reg_shift);
}

bool uart_baud_valid(uint32_t clock_hz, uint32_t baud)
{
    if (baud == 0)
        return false;
    uint64_t per_divisor = (uint64_t)UART_OVERSAMPLING * baud;
    if (clock_hz % per_divisor)
        return false;
    uint64_t divisor = clock_hz / per_divisor;
    return divisor >= 1 && divisor <= UART_DIVISOR_MAX;
}

uint16_t uart_divisor(uint32_t clock_hz, uint32_t baud)
{
    uint64_t per_divisor = (uint64_t)UART_OVERSAMPLING * baud;
    uint64_t divisor = ((uint64_t)clock_hz + per_divisor / 2) / per_divisor;
    if (divisor < 1)
        divisor = 1;
    if (divisor > UART_DIVISOR_MAX)
        divisor = UART_DIVISOR_MAX;
    return (uint16_t)divisor;
}

static unsigned log2_bytes(unsigned bytes)
{
    return bytes == 4 ? 2 : bytes == 2 ? 1 : 0;
}

bool uart_config_from_spcr(const struct acpi_spcr_info *spcr, struct uart_config *out, char *why,
                           size_t why_len)
{
    memset(out, 0, sizeof(*out));
    uint8_t type = spcr->interface_type;
    if (type != ACPI_SPCR_16550 && type != ACPI_SPCR_16550_SUBSET &&
        type != ACPI_SPCR_16550_WITH_GAS) {
        ksnprintf(why, why_len, "SPCR names a %s UART (interface type 0x%x), not a 16550",
                  acpi_spcr_interface_str(type), type);
        return false;
    }
    const struct acpi_reg *r = &spcr->base;
    if (r->address == 0) {
        ksnprintf(why, why_len, "SPCR base address is 0 (console redirection disabled)");
        return false;
    }
    if (r->bit_offset != 0) {
        ksnprintf(why, why_len, "SPCR register bit offset %u is not supported", r->bit_offset);
        return false;
    }
    out->baud = spcr->baud_rate;
    out->clock_hz = spcr->uart_clock_freq ? spcr->uart_clock_freq : UART_CLOCK_DEFAULT_HZ;
    if (r->space == ACPI_GAS_SPACE_SYSTEM_IO) {
        if (r->address > UART_IO_PORT_LAST) {
            ksnprintf(why, why_len, "SPCR I/O port 0x%lx is out of range", r->address);
            return false;
        }
        out->space = UART_SPACE_IO;
        out->base = r->address;
        out->access_bytes = 1;
        return true;
    }
    if (r->space != ACPI_GAS_SPACE_SYSTEM_MEMORY) {
        ksnprintf(why, why_len, "SPCR UART in %s space is not supported",
                  acpi_gas_space_str(r->space));
        return false;
    }
    unsigned bytes;
    switch (r->access_size) {
    case GAS_ACCESS_BYTE:
        bytes = 1;
        break;
    case GAS_ACCESS_WORD:
        bytes = 2;
        break;
    case GAS_ACCESS_DWORD:
        bytes = 4;
        break;
    case GAS_ACCESS_UNDEFINED:
        bytes = r->bit_width / BITS_PER_BYTE;
        if (r->bit_width % BITS_PER_BYTE == 0 && (bytes == 1 || bytes == 2 || bytes == 4))
            break;
        /* fall through */
    default:
        ksnprintf(why, why_len,
                  "SPCR MMIO UART with access size %u and register width %u bits is not "
                  "supported (1, 2 or 4 bytes)",
                  r->access_size, r->bit_width);
        return false;
    }
    uint64_t span = (uint64_t)UART_REGISTER_COUNT << log2_bytes(bytes);
    if (r->address + span < r->address) {
        ksnprintf(why, why_len, "SPCR MMIO address 0x%lx wraps around", r->address);
        return false;
    }
    out->space = UART_SPACE_MMIO;
    out->base = r->address;
    out->access_bytes = (uint8_t)bytes;
    out->reg_shift = (uint8_t)log2_bytes(bytes);
    return true;
}
