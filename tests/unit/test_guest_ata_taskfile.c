/* Host unit tests of guest/kernel/ata_taskfile.c: command choice (28- or 48-bit), register
 * order and values, count encoding at the limits, and refused ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/kernel/ata_taskfile.h"
#include "vmm/devices/ata_pio.h"

static struct ata_taskfile tf;

static void expect_writes(const struct ata_reg_write *want, unsigned n)
{
    assert_int_equal(tf.write_count, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(tf.writes[i].reg, want[i].reg);
        assert_int_equal(tf.writes[i].value, want[i].value);
    }
}

static void test_lba28_read(void **state)
{
    (void)state;
    assert_int_equal(ata_taskfile_encode(&tf, 0x0abcdef1, 8, false, false), ATA_TASKFILE_OK);
    assert_false(tf.ext);
    assert_int_equal(tf.command, ATA_CMD_READ_SECTORS);
    const struct ata_reg_write want[] = {
        {ATA_REG_FEATURES, 0},    {ATA_REG_COUNT, 8},
        {ATA_REG_LBA_LOW, 0xf1},  {ATA_REG_LBA_MID, 0xde},
        {ATA_REG_LBA_HIGH, 0xbc}, {ATA_REG_DEVICE, ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA | 0x0a},
    };
    expect_writes(want, sizeof(want) / sizeof(want[0]));
}

static void test_lba28_write_256_is_count_zero(void **state)
{
    (void)state;
    assert_int_equal(ata_taskfile_encode(&tf, 0, 256, true, false), ATA_TASKFILE_OK);
    assert_false(tf.ext);
    assert_int_equal(tf.command, ATA_CMD_WRITE_SECTORS);
    assert_int_equal(tf.writes[1].reg, ATA_REG_COUNT);
    assert_int_equal(tf.writes[1].value, 0);
}

static void test_ext_when_needed(void **state)
{
    (void)state;
    /* Ends exactly at 2^28: still LBA28. One sector more: EXT. */
    assert_int_equal(ata_taskfile_encode(&tf, (1u << 28) - 8, 8, false, false), ATA_TASKFILE_OK);
    assert_false(tf.ext);
    assert_int_equal(ata_taskfile_encode(&tf, (1u << 28) - 8, 9, false, false), ATA_TASKFILE_OK);
    assert_true(tf.ext);
    assert_int_equal(tf.command, ATA_CMD_READ_SECTORS_EXT);
    /* More than 256 sectors: EXT. */
    assert_int_equal(ata_taskfile_encode(&tf, 0, 257, true, false), ATA_TASKFILE_OK);
    assert_true(tf.ext);
    assert_int_equal(tf.command, ATA_CMD_WRITE_SECTORS_EXT);
}

static void test_ext_register_order(void **state)
{
    (void)state;
    assert_int_equal(ata_taskfile_encode(&tf, 0x123456789abcull, 0x1234, true, false),
                     ATA_TASKFILE_OK);
    assert_true(tf.ext);
    const struct ata_reg_write want[] = {
        {ATA_REG_FEATURES, 0},
        {ATA_REG_FEATURES, 0},
        {ATA_REG_COUNT, 0x12},
        {ATA_REG_COUNT, 0x34},
        {ATA_REG_LBA_LOW, 0x56},
        {ATA_REG_LBA_LOW, 0xbc},
        {ATA_REG_LBA_MID, 0x34},
        {ATA_REG_LBA_MID, 0x9a},
        {ATA_REG_LBA_HIGH, 0x12},
        {ATA_REG_LBA_HIGH, 0x78},
        {ATA_REG_DEVICE, ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA},
    };
    expect_writes(want, sizeof(want) / sizeof(want[0]));
}

static void test_forced_ext_and_max_count(void **state)
{
    (void)state;
    assert_int_equal(ata_taskfile_encode(&tf, 5, 1, false, true), ATA_TASKFILE_OK);
    assert_true(tf.ext);
    assert_int_equal(tf.command, ATA_CMD_READ_SECTORS_EXT);
    assert_int_equal(tf.writes[3].value, 1);
    assert_int_equal(ata_taskfile_encode(&tf, 0, 65536, false, false), ATA_TASKFILE_OK);
    assert_int_equal(tf.writes[2].value, 0);
    assert_int_equal(tf.writes[3].value, 0);
}

static void test_refused(void **state)
{
    (void)state;
    assert_int_equal(ata_taskfile_encode(&tf, 0, 0, false, false), ATA_TASKFILE_BAD_COUNT);
    assert_int_equal(ata_taskfile_encode(&tf, 0, 65537, false, false), ATA_TASKFILE_BAD_COUNT);
    assert_int_equal(ata_taskfile_encode(&tf, 1ull << 48, 1, false, false), ATA_TASKFILE_BAD_RANGE);
    assert_int_equal(ata_taskfile_encode(&tf, (1ull << 48) - 1, 2, true, false),
                     ATA_TASKFILE_BAD_RANGE);
    assert_int_equal(ata_taskfile_encode(&tf, (1ull << 48) - 1, 1, true, false), ATA_TASKFILE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lba28_read),
        cmocka_unit_test(test_lba28_write_256_is_count_zero),
        cmocka_unit_test(test_ext_when_needed),
        cmocka_unit_test(test_ext_register_order),
        cmocka_unit_test(test_forced_ext_and_max_count),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
