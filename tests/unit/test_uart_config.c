/* Host unit tests of drivers/uart_config.c: register addresses of I/O-port and MMIO UARTs (width
 * and stride), baud-rate checks and divisors, and the UART an SPCR table names (valid and bad). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/acpi.h"
#include "drivers/uart_config.h"

static void test_io_addresses(void **state)
{
    (void)state;
    struct uart_config u;
    uart_config_io(&u, 0x3f8, 115200);
    assert_int_equal(u.space, UART_SPACE_IO);
    assert_int_equal(u.access_bytes, 1);
    assert_int_equal(u.clock_hz, UART_CLOCK_DEFAULT_HZ);
    assert_int_equal(uart_reg_address(&u, 0), 0x3f8);
    assert_int_equal(uart_reg_address(&u, 5), 0x3fd); /* LSR */
    assert_int_equal(uart_reg_address(&u, 7), 0x3ff); /* SCR */
}

static void test_mmio_addresses(void **state)
{
    (void)state;
    struct uart_config u = {
        .space = UART_SPACE_MMIO, .base = 0xfe032000, .reg_shift = 2, .access_bytes = 4};
    assert_int_equal(uart_reg_address(&u, 0), 0xfe032000);
    assert_int_equal(uart_reg_address(&u, 5), 0xfe032014);
    assert_int_equal(uart_reg_address(&u, 7), 0xfe03201c);
    u.reg_shift = 0;
    assert_int_equal(uart_reg_address(&u, 5), 0xfe032005);
    u.base = 0x4000000000ull; /* above 4 GiB */
    u.reg_shift = 1;
    assert_int_equal(uart_reg_address(&u, 3), 0x4000000006ull);
}

static void test_baud(void **state)
{
    (void)state;
    const uint32_t good[] = {115200, 57600, 38400, 19200, 9600, 2400, 300, 50};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(uart_baud_valid(UART_CLOCK_DEFAULT_HZ, good[i]));
    const uint32_t bad[] = {0, 1, 110, 56000, 230400, 12345, UINT32_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(uart_baud_valid(UART_CLOCK_DEFAULT_HZ, bad[i]));
    /* A faster clock (SPCR's UART clock frequency) allows faster rates. */
    assert_true(uart_baud_valid(48000000, 1500000));
    assert_int_equal(uart_divisor(UART_CLOCK_DEFAULT_HZ, 115200), 1);
    assert_int_equal(uart_divisor(UART_CLOCK_DEFAULT_HZ, 38400), 3);
    assert_int_equal(uart_divisor(UART_CLOCK_DEFAULT_HZ, 9600), 12);
    assert_int_equal(uart_divisor(48000000, 115200), 26);              /* 26.04: nearest */
    assert_int_equal(uart_divisor(UART_CLOCK_DEFAULT_HZ, 1000000), 1); /* clamped */
    assert_int_equal(uart_divisor(UART_CLOCK_DEFAULT_HZ, 1), 0xffff);  /* clamped */
}

static struct acpi_spcr_info spcr_io(void)
{
    struct acpi_spcr_info s;
    memset(&s, 0, sizeof(s));
    s.revision = 2;
    s.interface_type = ACPI_SPCR_16550;
    s.base.space = ACPI_GAS_SPACE_SYSTEM_IO;
    s.base.bit_width = 8;
    s.base.access_size = 1;
    s.base.address = 0x2f8;
    s.baud_rate = 115200;
    return s;
}

static void test_spcr_io_port(void **state)
{
    (void)state;
    struct acpi_spcr_info s = spcr_io();
    struct uart_config u;
    char why[160];
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.space, UART_SPACE_IO);
    assert_int_equal(u.base, 0x2f8);
    assert_int_equal(u.reg_shift, 0);
    assert_int_equal(u.access_bytes, 1);
    assert_int_equal(u.baud, 115200);
    assert_int_equal(u.clock_hz, UART_CLOCK_DEFAULT_HZ);
    /* Baud 0: as the firmware left it; a 16450 works the same way. */
    s.baud_rate = 0;
    s.interface_type = ACPI_SPCR_16550_SUBSET;
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.baud, 0);
    s.base.address = 0xfff9;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "out of range"));
}

static void test_spcr_mmio(void **state)
{
    (void)state;
    struct acpi_spcr_info s = spcr_io();
    struct uart_config u;
    char why[160];
    /* Intel LPSS-style: 32-bit registers 4 bytes apart, 1.8432 MHz x 16 clock. */
    s.interface_type = ACPI_SPCR_16550_WITH_GAS;
    s.base.space = ACPI_GAS_SPACE_SYSTEM_MEMORY;
    s.base.address = 0xfe032000;
    s.base.bit_width = 32;
    s.base.access_size = 3;
    s.uart_clock_freq = 29491200;
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.space, UART_SPACE_MMIO);
    assert_int_equal(u.base, 0xfe032000);
    assert_int_equal(u.access_bytes, 4);
    assert_int_equal(u.reg_shift, 2);
    assert_int_equal(u.clock_hz, 29491200);
    assert_int_equal(uart_reg_address(&u, 5), 0xfe032014);
    assert_int_equal(uart_divisor(u.clock_hz, u.baud), 16);
    /* Byte registers, 1 apart. */
    s.base.bit_width = 8;
    s.base.access_size = 1;
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.access_bytes, 1);
    assert_int_equal(u.reg_shift, 0);
    /* 16-bit registers, 2 apart. */
    s.base.access_size = 2;
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.access_bytes, 2);
    assert_int_equal(u.reg_shift, 1);
    /* Legacy access size 0: the register bit width decides. */
    s.base.access_size = 0;
    s.base.bit_width = 32;
    assert_true(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_int_equal(u.access_bytes, 4);
    assert_int_equal(u.reg_shift, 2);
}

static void test_spcr_rejected(void **state)
{
    (void)state;
    struct uart_config u;
    char why[160];
    struct acpi_spcr_info s = spcr_io();
    s.interface_type = ACPI_SPCR_ARM_PL011;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "PL011"));

    s = spcr_io();
    s.base.address = 0;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "disabled"));

    s = spcr_io();
    s.base.space = ACPI_GAS_SPACE_PCI_CONFIG;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "PCI configuration"));

    s = spcr_io();
    s.base.bit_offset = 8;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "bit offset"));

    s = spcr_io();
    s.base.space = ACPI_GAS_SPACE_SYSTEM_MEMORY;
    s.base.address = 0xfe032000;
    s.base.access_size = 4; /* qword */
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "not supported"));
    s.base.access_size = 0;
    s.base.bit_width = 24;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    s.base.bit_width = 0;
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));

    s.base.access_size = 1;
    s.base.address = UINT64_MAX - 4; /* the 8 registers would wrap */
    assert_false(uart_config_from_spcr(&s, &u, why, sizeof(why)));
    assert_non_null(strstr(why, "wraps"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_addresses), cmocka_unit_test(test_mmio_addresses),
        cmocka_unit_test(test_baud),         cmocka_unit_test(test_spcr_io_port),
        cmocka_unit_test(test_spcr_mmio),    cmocka_unit_test(test_spcr_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
