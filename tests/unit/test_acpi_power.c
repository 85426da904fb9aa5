/* Unit tests for the power-related parsers of drivers/acpi.c: FADT, \_S5 in DSDT AML, SPCR and the
 * PM1 control value. Fixtures are raw bytes at the spec's offsets, built here in a fake arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi.h"

/* ---- Fake physical memory -------------------------------------------------------------------- */

#define BASE       0x7fe0000ull
#define ARENA_SIZE 0x8000u
#define FACP_PHYS  (BASE + 0x0000)
#define DSDT_PHYS  (BASE + 0x1000)
#define SPCR_PHYS  (BASE + 0x2000)
#define RSDT_PHYS  (BASE + 0x3000)
#define MAX_MAPS   64

struct fx {
    uint8_t *arena;
    /* Each map() returns a fresh heap copy of exactly len bytes: ASan catches any read past what
     * the parser asked for. */
    void *maps[MAX_MAPS];
    unsigned map_calls;
    struct acpi_mem mem;
};

static const void *fx_map(uint64_t phys, size_t len, void *ctx)
{
    struct fx *f = ctx;
    if (phys < BASE || len > ARENA_SIZE || phys - BASE > ARENA_SIZE - len)
        return NULL;
    assert_true(f->map_calls < MAX_MAPS);
    void *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, f->arena + (phys - BASE), len);
    f->maps[f->map_calls++] = copy;
    return copy;
}

static uint8_t *at(struct fx *f, uint64_t phys)
{
    assert_true(phys >= BASE && phys - BASE < ARENA_SIZE);
    return f->arena + (phys - BASE);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* Header with signature, length and revision; the checksum is set by sdt_fix(). */
static void sdt_header(struct fx *f, uint64_t phys, const char *sig, uint32_t length, uint8_t rev)
{
    uint8_t *p = at(f, phys);
    memcpy(p, sig, 4);
    put_le(p + 4, length, 4);
    p[8] = rev;
    p[9] = 0;
    memcpy(p + 10, "MICAOE", 6);
    memcpy(p + 16, "MICAPWR ", 8);
    put_le(p + 24, 1, 4);
    memcpy(p + 28, "MICA", 4);
    put_le(p + 32, 1, 4);
}

/* Checksum over the length field's bytes (clipped to the arena). */
static void sdt_fix(struct fx *f, uint64_t phys)
{
    uint8_t *p = at(f, phys);
    size_t len = (size_t)p[4] | (size_t)p[5] << 8 | (size_t)p[6] << 16 | (size_t)p[7] << 24;
    size_t room = ARENA_SIZE - (size_t)(phys - BASE);
    if (len > room)
        len = room;
    p[9] = 0;
    p[9] = (uint8_t)(0x100 - sum8(p, len));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->arena = calloc(1, ARENA_SIZE);
    assert_non_null(f->arena);
    f->mem.map = fx_map;
    f->mem.ctx = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (unsigned i = 0; i < f->map_calls; i++)
        free(f->maps[i]);
    free(f->arena);
    free(f);
    return 0;
}

/* ---- FADT fixtures: offsets from ACPI 6.5 table 5.9, independent of struct acpi_fadt ----------
 */

#define FADT_DSDT              40
#define FADT_SMI_CMD           48
#define FADT_ACPI_ENABLE       52
#define FADT_ACPI_DISABLE      53
#define FADT_PM1A_EVT_BLK      56
#define FADT_PM1B_EVT_BLK      60
#define FADT_PM1A_CNT_BLK      64
#define FADT_PM1B_CNT_BLK      68
#define FADT_PM1_EVT_LEN       88
#define FADT_PM1_CNT_LEN       89
#define FADT_IAPC_BOOT_ARCH    109
#define FADT_FLAGS             112
#define FADT_RESET_REG         116
#define FADT_RESET_VALUE       128
#define FADT_X_DSDT            140
#define FADT_X_PM1A_EVT_BLK    148
#define FADT_X_PM1B_EVT_BLK    160
#define FADT_X_PM1A_CNT_BLK    172
#define FADT_X_PM1B_CNT_BLK    184
#define FADT_SLEEP_CONTROL_REG 244

static void put_gas(uint8_t *p, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
    p[0] = space;
    p[1] = width;
    p[2] = 0;
    p[3] = access;
    put_le(p + 4, addr, 8);
}

/* Fills all 276 bytes of a FADT as an ACPI 6 firmware would (the 32-bit blocks and different X_
 * blocks, so that the tests can tell which one was used), then sets the header's length and
 * revision. Bytes past `length` stay in the arena but are not part of the table. */
static uint8_t *build_fadt(struct fx *f, uint32_t length, uint8_t rev)
{
    uint8_t *p = at(f, FACP_PHYS);
    memset(p, 0, 276);
    sdt_header(f, FACP_PHYS, "FACP", length, rev);
    put_le(p + FADT_DSDT, 0x7fe1000u, 4);
    put_le(p + FADT_SMI_CMD, 0xb2, 4);
    p[FADT_ACPI_ENABLE] = 0xf1;
    p[FADT_ACPI_DISABLE] = 0xf0;
    put_le(p + FADT_PM1A_EVT_BLK, 0x400, 4);
    put_le(p + FADT_PM1A_CNT_BLK, 0x404, 4);
    p[FADT_PM1_EVT_LEN] = 4;
    p[FADT_PM1_CNT_LEN] = 2;
    put_le(p + FADT_IAPC_BOOT_ARCH,
           ACPI_IAPC_BOOT_ARCH_8042 | ACPI_IAPC_BOOT_ARCH_LEGACY_DEVICES |
               ACPI_IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT,
           2);
    put_le(p + FADT_FLAGS, ACPI_FADT_RESET_REG_SUP | 0x1, 4);
    put_gas(p + FADT_RESET_REG, ACPI_GAS_SPACE_SYSTEM_IO, 8, 1, 0xcf9);
    p[FADT_RESET_VALUE] = 0x06;
    put_le(p + FADT_X_DSDT, 0x12345678000ull, 8);
    put_gas(p + FADT_X_PM1A_EVT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 32, 3, 0x1000);
    put_gas(p + FADT_X_PM1A_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 16, 2, 0x1004);
    put_gas(p + FADT_X_PM1B_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 16, 2, 0x2004);
    put_gas(p + FADT_SLEEP_CONTROL_REG, ACPI_GAS_SPACE_SYSTEM_IO, 8, 1, 0x3000);
    sdt_fix(f, FACP_PHYS);
    return p;
}

/* ---- FADT ------------------------------------------------------------------------------------ */

static void test_fadt_rev1_short(void **state)
{
    struct fx *f = *state;
    build_fadt(f, ACPI_FADT_V1_LEN, 1);
    struct acpi_fadt_info i;
    memset(&i, 0xa5, sizeof(i));
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_int_equal(i.revision, 1);
    assert_int_equal(i.length, 116);
    assert_int_equal(i.dsdt, 0x7fe1000u); /* X_DSDT lies past byte 116: not read */
    assert_int_equal(i.dsdt32, 0x7fe1000u);
    assert_int_equal(i.x_dsdt, 0);
    assert_int_equal(i.smi_cmd, 0xb2);
    assert_int_equal(i.acpi_enable, 0xf1);
    assert_int_equal(i.acpi_disable, 0xf0);
    assert_int_equal(i.pm1a_cnt.address, 0x404);
    assert_int_equal(i.pm1a_cnt.space, ACPI_GAS_SPACE_SYSTEM_IO);
    assert_int_equal(i.pm1a_cnt.bit_width, 16);
    assert_false(i.pm1a_cnt.from_gas);
    assert_int_equal(i.pm1b_cnt.address, 0);
    assert_int_equal(i.pm1a_evt.address, 0x400);
    assert_int_equal(i.pm1a_evt.bit_width, 32);
    assert_int_equal(i.pm1_cnt_len, 2);
    assert_int_equal(i.pm1_evt_len, 4);
    assert_true(i.pm1_cnt_supported);
    /* RESET_REG is past the end; the flag bit alone does not make it usable. */
    assert_int_equal(i.flags, ACPI_FADT_RESET_REG_SUP | 0x1);
    assert_false(i.reset_reg_sup);
    assert_int_equal(i.reset_reg.address, 0);
    assert_int_equal(i.reset_value, 0);
    assert_int_equal(i.sleep_control.address, 0);
    /* IAPC_BOOT_ARCH is reserved in revision 1. */
    assert_false(i.iapc_boot_arch_valid);
    assert_int_equal(i.iapc_boot_arch, 0);
    assert_false(i.has_8042);
    assert_false(i.hw_reduced);
}

static void test_fadt_rev6_x_fields(void **state)
{
    struct fx *f = *state;
    build_fadt(f, ACPI_FADT_V6_LEN, 6);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_int_equal(i.revision, 6);
    assert_int_equal(i.length, 276);
    assert_int_equal(i.dsdt, 0x12345678000ull); /* X_DSDT preferred */
    assert_int_equal(i.dsdt32, 0x7fe1000u);
    assert_int_equal(i.x_dsdt, 0x12345678000ull);
    assert_true(i.pm1a_cnt.from_gas);
    assert_int_equal(i.pm1a_cnt.address, 0x1004);
    assert_int_equal(i.pm1a_cnt.space, ACPI_GAS_SPACE_SYSTEM_IO);
    assert_int_equal(i.pm1a_cnt.bit_width, 16);
    assert_int_equal(i.pm1a_cnt.access_size, 2);
    assert_true(i.pm1b_cnt.from_gas);
    assert_int_equal(i.pm1b_cnt.address, 0x2004);
    assert_int_equal(i.pm1a_evt.address, 0x1000);
    assert_int_equal(i.pm1b_evt.address, 0); /* neither field set */
    assert_true(i.pm1_cnt_supported);
    assert_true(i.reset_reg_sup);
    assert_int_equal(i.reset_reg.space, ACPI_GAS_SPACE_SYSTEM_IO);
    assert_int_equal(i.reset_reg.address, 0xcf9);
    assert_int_equal(i.reset_reg.bit_width, 8);
    assert_true(acpi_reg_is_io_port(&i.reset_reg));
    assert_int_equal(i.reset_value, 0x06);
    assert_int_equal(i.sleep_control.address, 0x3000);
    assert_true(i.iapc_boot_arch_valid);
    assert_int_equal(i.iapc_boot_arch, ACPI_IAPC_BOOT_ARCH_8042 |
                                           ACPI_IAPC_BOOT_ARCH_LEGACY_DEVICES |
                                           ACPI_IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
    assert_true(i.has_8042);
    assert_true(i.legacy_devices);
    assert_false(i.vga_not_present);
    assert_true(i.cmos_rtc_not_present);
    assert_false(i.hw_reduced);
}

/* An X_ block with address 0 means "use the 32-bit field". */
static void test_fadt_x_zero_uses_32bit(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_fadt(f, ACPI_FADT_V6_LEN, 6);
    put_gas(p + FADT_X_PM1A_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 16, 2, 0);
    put_le(p + FADT_X_DSDT, 0, 8);
    sdt_fix(f, FACP_PHYS);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_false(i.pm1a_cnt.from_gas);
    assert_int_equal(i.pm1a_cnt.address, 0x404);
    assert_int_equal(i.pm1b_cnt.address, 0x2004);
    assert_int_equal(i.dsdt, 0x7fe1000u);
    assert_true(i.pm1_cnt_supported);
}

/* PM1 control in system memory: parsed and shown, but reported as unsupported. */
static void test_fadt_x_mmio_unsupported(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_fadt(f, ACPI_FADT_V6_LEN, 6);
    put_gas(p + FADT_X_PM1A_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_MEMORY, 16, 2, 0xfed80004ull);
    put_gas(p + FADT_RESET_REG, ACPI_GAS_SPACE_SYSTEM_MEMORY, 8, 1, 0xfed80100ull);
    sdt_fix(f, FACP_PHYS);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_int_equal(i.pm1a_cnt.space, ACPI_GAS_SPACE_SYSTEM_MEMORY);
    assert_int_equal(i.pm1a_cnt.address, 0xfed80004ull);
    assert_false(acpi_reg_is_io_port(&i.pm1a_cnt));
    assert_false(i.pm1_cnt_supported);
    assert_int_equal(i.reset_reg.space, ACPI_GAS_SPACE_SYSTEM_MEMORY);
    assert_int_equal(i.reset_reg.address, 0xfed80100ull);

    /* Only PM1b in MMIO: still unsupported. An I/O GAS beyond port 0xffff is not a port. */
    put_gas(p + FADT_X_PM1A_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 16, 2, 0x1004);
    put_gas(p + FADT_X_PM1B_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_MEMORY, 16, 2, 0xfed80008ull);
    sdt_fix(f, FACP_PHYS);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_false(i.pm1_cnt_supported);
    put_gas(p + FADT_X_PM1B_CNT_BLK, ACPI_GAS_SPACE_SYSTEM_IO, 16, 2, 0x10000);
    sdt_fix(f, FACP_PHYS);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_false(i.pm1_cnt_supported);
}

/* The length field, not the revision, decides which fields exist. */
static void test_fadt_length_limits_fields(void **state)
{
    struct fx *f = *state;
    struct acpi_fadt_info i;

    /* 180 bytes: X_DSDT (140..148) is in, X_PM1a_CNT_BLK (172..184) is not. */
    build_fadt(f, 180, 6);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_int_equal(i.dsdt, 0x12345678000ull);
    assert_false(i.pm1a_cnt.from_gas);
    assert_int_equal(i.pm1a_cnt.address, 0x404);
    assert_int_equal(i.pm1b_cnt.address, 0);
    assert_true(i.pm1a_evt.from_gas); /* X_PM1a_EVT_BLK (148..160) is in */
    assert_int_equal(i.pm1a_evt.address, 0x1000);
    assert_int_equal(i.sleep_control.address, 0);
    assert_true(i.reset_reg_sup);

    /* Revision 2, 129 bytes: RESET_REG and RESET_VALUE, no X_ fields. */
    build_fadt(f, ACPI_FADT_V2_LEN, 2);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_true(i.reset_reg_sup);
    assert_int_equal(i.reset_reg.address, 0xcf9);
    assert_int_equal(i.reset_value, 0x06);
    assert_int_equal(i.x_dsdt, 0);
    assert_int_equal(i.dsdt, 0x7fe1000u);
    assert_true(i.iapc_boot_arch_valid);

    /* 128 bytes: RESET_VALUE (byte 128) is cut off, so the reset register is not used. */
    build_fadt(f, 128, 2);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_false(i.reset_reg_sup);
    assert_int_equal(i.reset_reg.address, 0);
}

static void test_fadt_hw_reduced(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_fadt(f, ACPI_FADT_V6_LEN, 6);
    put_le(p + FADT_FLAGS, ACPI_FADT_HW_REDUCED_ACPI, 4);
    put_le(p + FADT_PM1A_CNT_BLK, 0, 4);
    put_gas(p + FADT_X_PM1A_CNT_BLK, 0, 0, 0, 0);
    put_gas(p + FADT_X_PM1B_CNT_BLK, 0, 0, 0, 0);
    sdt_fix(f, FACP_PHYS);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_OK);
    assert_true(i.hw_reduced);
    assert_false(i.reset_reg_sup);
    assert_int_equal(i.pm1a_cnt.address, 0);
    assert_false(i.pm1_cnt_supported);
    assert_int_equal(i.sleep_control.space, ACPI_GAS_SPACE_SYSTEM_IO);
    assert_int_equal(i.sleep_control.address, 0x3000);
}

static void test_fadt_bad_checksum(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_fadt(f, ACPI_FADT_V6_LEN, 6);
    p[FADT_PM1A_CNT_BLK] ^= 0x10;
    struct acpi_fadt_info i;
    memset(&i, 0xa5, sizeof(i));
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_CHECKSUM);
    assert_int_equal(i.pm1a_cnt.address, 0); /* zeroed on error */
    assert_int_equal(i.revision, 0);
}

static void test_fadt_truncated_length(void **state)
{
    struct fx *f = *state;
    struct acpi_fadt_info i;
    /* Checksum valid, but shorter than the ACPI 1.0 FADT. */
    build_fadt(f, ACPI_FADT_V1_LEN - 1, 1);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_LENGTH);
    assert_int_equal(i.pm1a_cnt.address, 0);
    build_fadt(f, 70, 1);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_LENGTH);
    build_fadt(f, 20, 1); /* shorter than the header */
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_LENGTH);
    /* Longer than the arena: the mapper refuses. */
    build_fadt(f, ARENA_SIZE + 1, 6);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_UNMAPPED);
}

static void test_fadt_wrong_signature(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_fadt(f, ACPI_FADT_V6_LEN, 6);
    memcpy(p, "FADT", 4); /* the FADT's signature is "FACP" */
    sdt_fix(f, FACP_PHYS);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_SIGNATURE);
    assert_int_equal(acpi_fadt_parse(&f->mem, FACP_PHYS, NULL), ACPI_ERR_INVALID_ARG);
}

/* Through the RSDT, as the kernel finds it. */
static void test_fadt_found_from_rsdt(void **state)
{
    struct fx *f = *state;
    build_fadt(f, ACPI_FADT_V3_LEN, 3);
    sdt_header(f, RSDT_PHYS, "RSDT", 40, 1);
    put_le(at(f, RSDT_PHYS) + 36, (uint32_t)FACP_PHYS, 4);
    sdt_fix(f, RSDT_PHYS);
    struct acpi_rsdp_info rsdp = {.revision = 0, .rsdt_address = (uint32_t)RSDT_PHYS};
    uint64_t phys;
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "FACP", 0, &phys), ACPI_OK);
    assert_int_equal(phys, FACP_PHYS);
    struct acpi_fadt_info i;
    assert_int_equal(acpi_fadt_parse(&f->mem, phys, &i), ACPI_OK);
    assert_int_equal(i.length, 244);
    assert_int_equal(i.pm1a_cnt.address, 0x1004);
    assert_int_equal(i.sleep_control.address, 0); /* ACPI 5.0 field, past 244 */
}

/* ---- PM1 control value ----------------------------------------------------------------------- */

static void test_pm1_cnt_sleep_value(void **state)
{
    (void)state;
    /* SCI_EN kept, a stale SLP_TYP replaced. */
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x1c01, 5, false), 0x1401);
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x1c01, 5, true), 0x3401);
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x2001, 0, false), 0x0001);
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x0000, 7, true), 0x3c00);
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x0206, 0, true), 0x2206);
    /* Only three bits of SLP_TYP exist. */
    assert_int_equal(acpi_pm1_cnt_sleep_value(0x0001, 8, false), 0x0001);
}

/* ---- \_S5 ------------------------------------------------------------------------------------ */

/* Runs acpi_aml_find_s5 on an exact-size heap copy, so that ASan sees any read past the end. */
static enum acpi_status find_s5(const uint8_t *aml, size_t len, struct acpi_s5_info *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, aml, len);
    memset(out, 0xa5, sizeof(*out));
    enum acpi_status st = acpi_aml_find_s5(copy, len, out);
    free(copy);
    return st;
}

/* Scope (\_SB) { Name (_S3, ...) }-like bytes before the interesting part. */
#define AML_PREFIX 0x10, 0x05, 0x5c, '_', 'S', 'B', '_', 0x08, '_', 'S', '3', '_', 0x0a, 0x03

static void test_s5_byteconst(void **state)
{
    (void)state;
    /* Name (_S5, Package (0x04) { 0x05, 0x06, Zero, Zero }) as iasl writes it. */
    const uint8_t aml[] = {AML_PREFIX, 0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                           0x04,       0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00};
    struct acpi_s5_info s;
    assert_int_equal(find_s5(aml, sizeof(aml), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 5);
    assert_int_equal(s.slp_typb, 6);
    assert_int_equal(s.element_count, 4);
    assert_int_equal(s.offset, 15); /* the "_S5_" name, after the prefix and NameOp */
}

static void test_s5_zero_one(void **state)
{
    (void)state;
    /* Name (\_S5, Package (0x04) { Zero, One, Zero, Zero }) with a root prefix. */
    const uint8_t aml[] = {AML_PREFIX, 0x08, '\\', '_',  'S',  '5',  '_',
                           0x12,       0x06, 0x04, 0x00, 0x01, 0x00, 0x00};
    struct acpi_s5_info s;
    assert_int_equal(find_s5(aml, sizeof(aml), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 0);
    assert_int_equal(s.slp_typb, 1);
    assert_int_equal(s.offset, 16);

    /* Package (0x02) { One, Zero } with nothing after it. */
    const uint8_t aml2[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00};
    assert_int_equal(find_s5(aml2, sizeof(aml2), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 1);
    assert_int_equal(s.slp_typb, 0);
    assert_int_equal(s.element_count, 2);
    assert_int_equal(s.offset, 1);
}

static void test_s5_bare_bytes_and_wide_constants(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    /* Hand-written tables: bare numbers. */
    const uint8_t bare[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x07, 0x03, 0x00, 0x00};
    assert_int_equal(find_s5(bare, sizeof(bare), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 7);
    assert_int_equal(s.slp_typb, 3);

    /* WordConst and DWordConst elements. */
    const uint8_t wide[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x0a, 0x02,
                            0x0b, 0x02, 0x00, 0x0c, 0x04, 0x00, 0x00, 0x00};
    assert_int_equal(find_s5(wide, sizeof(wide), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 2);
    assert_int_equal(s.slp_typb, 4);

    /* ACPI 1.0 packed form: one WordConst, SLP_TYPa in the low byte, SLP_TYPb in the high one. */
    const uint8_t packed[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05, 0x07};
    assert_int_equal(find_s5(packed, sizeof(packed), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 5);
    assert_int_equal(s.slp_typb, 7);
    assert_int_equal(s.element_count, 1);
}

/* A PkgLength with one following byte (packages of 64 bytes or more). */
static void test_s5_two_byte_pkglength(void **state)
{
    (void)state;
    uint8_t aml[80];
    memset(aml, 0, sizeof(aml));
    const uint8_t head[] = {0x08, '_', 'S', '5', '_', 0x12, 0x46, 0x04, 0x04, 0x04, 0x0a, 0x05};
    memcpy(aml, head, sizeof(head));
    /* PkgLength 0x46 | 0x04 << 4 = 70 bytes from the lead byte at 6: ends at 76 <= 80. */
    struct acpi_s5_info s;
    assert_int_equal(find_s5(aml, sizeof(aml), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 4);
    assert_int_equal(s.slp_typb, 5);
    /* One byte short of the package: runs past the end. */
    assert_int_equal(find_s5(aml, 75, &s), ACPI_ERR_LENGTH);
    assert_int_equal(s.slp_typa, 0);
}

static void test_s5_not_found(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    const uint8_t none[] = {AML_PREFIX, 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
    assert_int_equal(find_s5(none, sizeof(none), &s), ACPI_ERR_NOT_FOUND);
    assert_int_equal(s.slp_typa, 0);
    assert_int_equal(find_s5(none, 0, &s), ACPI_ERR_NOT_FOUND);
    assert_int_equal(find_s5((const uint8_t *)"_S5", 3, &s), ACPI_ERR_NOT_FOUND);
    assert_int_equal(acpi_aml_find_s5(NULL, 4, &s), ACPI_ERR_INVALID_ARG);
    assert_int_equal(acpi_aml_find_s5(none, sizeof(none), NULL), ACPI_ERR_INVALID_ARG);
}

/* "_S5_" that is not Name (_S5, Package): skipped; a later good one is used. */
static void test_s5_not_a_name(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    /* Method (_S5_) { Return (Zero) }: its PkgLength (8) looks like NameOp, no PackageOp follows.
     */
    const uint8_t method[] = {0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00};
    assert_int_equal(find_s5(method, sizeof(method), &s), ACPI_ERR_UNSUPPORTED);
    /* Name (_S5, 5): a NameOp but no package. */
    const uint8_t integer[] = {0x08, '_', 'S', '5', '_', 0x0a, 0x05};
    assert_int_equal(find_s5(integer, sizeof(integer), &s), ACPI_ERR_UNSUPPORTED);
    /* "_S5_" as the very last bytes. */
    const uint8_t tail[] = {0x08, '_', 'S', '5', '_'};
    assert_int_equal(find_s5(tail, sizeof(tail), &s), ACPI_ERR_UNSUPPORTED);
    /* A reference first, then the definition. */
    const uint8_t both[] = {0x70, '_', 'S',  '5',  '_',  0x60, 0x08, '_', 'S',
                            '5',  '_', 0x12, 0x04, 0x02, 0x0a, 0x03, 0x01};
    assert_int_equal(find_s5(both, sizeof(both), &s), ACPI_ERR_LENGTH); /* 0x01 not covered */
    const uint8_t both_ok[] = {0x70, '_', 'S',  '5',  '_',  0x60, 0x08, '_', 'S',
                               '5',  '_', 0x12, 0x05, 0x02, 0x0a, 0x03, 0x01};
    assert_int_equal(find_s5(both_ok, sizeof(both_ok), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 3);
    assert_int_equal(s.slp_typb, 1);
    assert_int_equal(s.offset, 7);
    /* Not preceded by NameOp, though a package-like byte sequence follows: skipped. */
    const uint8_t lookalike[] = {0x70, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x06, 0x06, 0x08,
                                 '^',  '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x02, 0x01};
    assert_int_equal(find_s5(lookalike, sizeof(lookalike), &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 2);
    assert_int_equal(s.slp_typb, 1);
    assert_int_equal(s.offset, 12);
}

static void test_s5_truncated_package(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    /* Package (2) whose PkgLength (4) ends after the first element. */
    const uint8_t short_pkg[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x04,
                                 0x02, 0x0a, 0x05, 0x0a, 0x05, 0x00};
    assert_int_equal(find_s5(short_pkg, sizeof(short_pkg), &s), ACPI_ERR_LENGTH);
    /* The second element's BytePrefix is inside the package, its value is not. */
    const uint8_t split[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x05,
                             0x02, 0x0a, 0x05, 0x0a, 0x05, 0x00};
    assert_int_equal(find_s5(split, sizeof(split), &s), ACPI_ERR_LENGTH);
    /* The buffer ends inside the package. */
    const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a};
    assert_int_equal(find_s5(cut, sizeof(cut), &s), ACPI_ERR_LENGTH);
    /* PackageOp is the last byte. */
    const uint8_t no_len[] = {0x08, '_', 'S', '5', '_', 0x12};
    assert_int_equal(find_s5(no_len, sizeof(no_len), &s), ACPI_ERR_LENGTH);
    /* PkgLength too small to hold NumElements. */
    const uint8_t tiny[] = {0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00};
    assert_int_equal(find_s5(tiny, sizeof(tiny), &s), ACPI_ERR_LENGTH);
    assert_int_equal(s.element_count, 0);
}

static void test_s5_pkglength_past_end(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    /* One-byte PkgLength of 63 in a 12-byte buffer. */
    const uint8_t big[] = {0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(find_s5(big, sizeof(big), &s), ACPI_ERR_LENGTH);
    /* Three following bytes claimed (0xc0), only two present. */
    const uint8_t lead[] = {0x08, '_', 'S', '5', '_', 0x12, 0xc0, 0x00, 0x00};
    assert_int_equal(find_s5(lead, sizeof(lead), &s), ACPI_ERR_LENGTH);
    /* A four-byte PkgLength of ~256 MiB. */
    const uint8_t huge[] = {0x08, '_', 'S', '5', '_', 0x12, 0xcf, 0xff, 0xff, 0xff, 0x02, 0x00};
    assert_int_equal(find_s5(huge, sizeof(huge), &s), ACPI_ERR_LENGTH);
}

static void test_s5_bad_elements(void **state)
{
    (void)state;
    struct acpi_s5_info s;
    /* SLP_TYP is three bits: ByteConst 8 is out of range. */
    const uint8_t eight[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x08, 0x0a, 0x00};
    assert_int_equal(find_s5(eight, sizeof(eight), &s), ACPI_ERR_AML);
    /* NumElements 0. */
    const uint8_t empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00};
    assert_int_equal(find_s5(empty, sizeof(empty), &s), ACPI_ERR_AML);
    /* A string element (StringPrefix 0x0d). */
    const uint8_t str[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 'x', 0x00};
    assert_int_equal(find_s5(str, sizeof(str), &s), ACPI_ERR_AML);
    /* OnesOp. */
    const uint8_t ones[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00};
    assert_int_equal(find_s5(ones, sizeof(ones), &s), ACPI_ERR_AML);
    /* Packed form whose high byte is out of range. */
    const uint8_t packed[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05, 0x09};
    assert_int_equal(find_s5(packed, sizeof(packed), &s), ACPI_ERR_AML);
}

static void build_dsdt(struct fx *f, const uint8_t *aml, size_t len)
{
    sdt_header(f, DSDT_PHYS, "DSDT", (uint32_t)(36 + len), 2);
    memcpy(at(f, DSDT_PHYS) + 36, aml, len);
    sdt_fix(f, DSDT_PHYS);
}

static void test_s5_in_table(void **state)
{
    struct fx *f = *state;
    struct acpi_s5_info s;
    const uint8_t aml[] = {AML_PREFIX, 0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                           0x04,       0x0a, 0x07, 0x0a, 0x00, 0x00, 0x00};
    build_dsdt(f, aml, sizeof(aml));
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "DSDT", &s), ACPI_OK);
    assert_int_equal(s.slp_typa, 7);
    assert_int_equal(s.slp_typb, 0);
    assert_int_equal(s.offset, 36 + 15);

    /* The same bytes in an SSDT: found when asked for an SSDT only. */
    memcpy(at(f, DSDT_PHYS), "SSDT", 4);
    sdt_fix(f, DSDT_PHYS);
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "DSDT", &s), ACPI_ERR_SIGNATURE);
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "SSDT", &s), ACPI_OK);

    /* The package's last byte is past the table's length: the bytes after it do not count. */
    build_dsdt(f, aml, sizeof(aml));
    put_le(at(f, DSDT_PHYS) + 4, 36 + sizeof(aml) - 1, 4);
    sdt_fix(f, DSDT_PHYS);
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "DSDT", &s), ACPI_ERR_LENGTH);

    /* A DSDT with only a header. */
    build_dsdt(f, aml, 0);
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "DSDT", &s), ACPI_ERR_NOT_FOUND);

    /* Bad checksum. */
    build_dsdt(f, aml, sizeof(aml));
    at(f, DSDT_PHYS)[40] ^= 1;
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, "DSDT", &s), ACPI_ERR_CHECKSUM);
    assert_int_equal(acpi_table_find_s5(&f->mem, DSDT_PHYS, NULL, &s), ACPI_ERR_INVALID_ARG);
}

/* ---- SPCR ------------------------------------------------------------------------------------ */

static uint8_t *build_spcr(struct fx *f, uint32_t length, uint8_t rev)
{
    uint8_t *p = at(f, SPCR_PHYS);
    memset(p, 0, 96);
    sdt_header(f, SPCR_PHYS, "SPCR", length, rev);
    p[36] = ACPI_SPCR_16550;
    put_gas(p + 40, ACPI_GAS_SPACE_SYSTEM_IO, 8, 1, 0x3f8);
    p[52] = 0x01; /* PC-AT 8259 interrupt */
    p[53] = 4;
    put_le(p + 54, 4, 4);
    p[58] = 7; /* 115200 */
    p[59] = 0;
    p[60] = 1;
    p[61] = 0;
    p[62] = 3; /* ANSI */
    put_le(p + 64, 0xffff, 2);
    put_le(p + 66, 0xffff, 2);
    put_le(p + 76, 1843200, 4);
    put_le(p + 80, 1500000, 4);
    sdt_fix(f, SPCR_PHYS);
    return p;
}

static void test_spcr_valid(void **state)
{
    struct fx *f = *state;
    build_spcr(f, ACPI_SPCR_MIN_LEN, 2);
    struct acpi_spcr_info i;
    memset(&i, 0xa5, sizeof(i));
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_OK);
    assert_int_equal(i.revision, 2);
    assert_int_equal(i.interface_type, ACPI_SPCR_16550);
    assert_string_equal(acpi_spcr_interface_str(i.interface_type), "16550");
    assert_int_equal(i.base.space, ACPI_GAS_SPACE_SYSTEM_IO);
    assert_int_equal(i.base.address, 0x3f8);
    assert_int_equal(i.base.bit_width, 8);
    assert_true(acpi_reg_is_io_port(&i.base));
    assert_int_equal(i.interrupt_type, 1);
    assert_int_equal(i.irq, 4);
    assert_int_equal(i.gsi, 4);
    assert_int_equal(i.baud_code, 7);
    assert_int_equal(i.baud_rate, 115200);
    assert_int_equal(i.stop_bits, 1);
    assert_int_equal(i.terminal_type, 3);
    assert_int_equal(i.pci_device_id, 0xffff);
    assert_int_equal(i.pci_vendor_id, 0xffff);
    assert_int_equal(i.uart_clock_freq, 0); /* revision 2: reserved */
}

static void test_spcr_mmio_rev4(void **state)
{
    struct fx *f = *state;
    uint8_t *p = build_spcr(f, 88, 4);
    p[36] = ACPI_SPCR_16550_WITH_GAS;
    put_gas(p + 40, ACPI_GAS_SPACE_SYSTEM_MEMORY, 32, 3, 0xfe032000ull);
    sdt_fix(f, SPCR_PHYS);
    struct acpi_spcr_info i;
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_OK);
    assert_int_equal(i.base.space, ACPI_GAS_SPACE_SYSTEM_MEMORY);
    assert_int_equal(i.base.address, 0xfe032000ull);
    assert_int_equal(i.base.access_size, 3);
    assert_false(acpi_reg_is_io_port(&i.base));
    assert_string_equal(acpi_spcr_interface_str(i.interface_type), "16550 (GAS)");
    assert_int_equal(i.baud_rate, 1500000); /* the precise baud rate wins */
    assert_int_equal(i.uart_clock_freq, 1843200);

    /* Revision 4 but only 80 bytes: no precise baud rate. */
    build_spcr(f, 80, 4);
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_OK);
    assert_int_equal(i.baud_rate, 115200);

    /* Baud codes. */
    p = build_spcr(f, 80, 2);
    const struct {
        uint8_t code;
        uint32_t rate;
    } codes[] = {{0, 0}, {3, 9600}, {4, 19200}, {5, 0}, {6, 57600}, {7, 115200}, {8, 0}};
    for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
        p[58] = codes[k].code;
        sdt_fix(f, SPCR_PHYS);
        assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_OK);
        assert_int_equal(i.baud_code, codes[k].code);
        assert_int_equal(i.baud_rate, codes[k].rate);
    }
}

static void test_spcr_truncated(void **state)
{
    struct fx *f = *state;
    struct acpi_spcr_info i;
    build_spcr(f, ACPI_SPCR_MIN_LEN - 1, 2);
    memset(&i, 0xa5, sizeof(i));
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_ERR_LENGTH);
    assert_int_equal(i.base.address, 0);
    build_spcr(f, 59, 1); /* cuts the base address and baud rate */
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_ERR_LENGTH);
    uint8_t *p = build_spcr(f, ACPI_SPCR_MIN_LEN, 2);
    p[58] ^= 1;
    assert_int_equal(acpi_spcr_parse(&f->mem, SPCR_PHYS, &i), ACPI_ERR_CHECKSUM);
    assert_int_equal(acpi_spcr_parse(&f->mem, FACP_PHYS, &i), ACPI_ERR_SIGNATURE);
}

/* ---- Names ----------------------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(acpi_gas_space_str(ACPI_GAS_SPACE_SYSTEM_IO), "system I/O");
    assert_string_equal(acpi_gas_space_str(ACPI_GAS_SPACE_SYSTEM_MEMORY), "system memory");
    assert_string_equal(acpi_gas_space_str(0x42), "other");
    assert_string_equal(acpi_spcr_interface_str(ACPI_SPCR_16550_SUBSET), "16450");
    assert_string_equal(acpi_spcr_interface_str(0x99), "other");
    assert_string_equal(acpi_status_str(ACPI_ERR_UNSUPPORTED), "not supported");
    assert_string_equal(acpi_status_str(ACPI_ERR_AML), "malformed AML");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fadt_rev1_short),
        T(test_fadt_rev6_x_fields),
        T(test_fadt_x_zero_uses_32bit),
        T(test_fadt_x_mmio_unsupported),
        T(test_fadt_length_limits_fields),
        T(test_fadt_hw_reduced),
        T(test_fadt_bad_checksum),
        T(test_fadt_truncated_length),
        T(test_fadt_wrong_signature),
        T(test_fadt_found_from_rsdt),
        T(test_pm1_cnt_sleep_value),
        T(test_s5_byteconst),
        T(test_s5_zero_one),
        T(test_s5_bare_bytes_and_wide_constants),
        T(test_s5_two_byte_pkglength),
        T(test_s5_not_found),
        T(test_s5_not_a_name),
        T(test_s5_truncated_package),
        T(test_s5_pkglength_past_end),
        T(test_s5_bad_elements),
        T(test_s5_in_table),
        T(test_spcr_valid),
        T(test_spcr_mmio_rev4),
        T(test_spcr_truncated),
        T(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
