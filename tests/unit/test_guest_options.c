/* Host unit tests of guest/kernel/options.c: defaults, every option's values, the program name
 * GRUB passes first, and a message naming the word for each kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "guest/kernel/options.h"

static struct guest_options o;
static char error[OPTIONS_ERROR_SIZE];

static bool parse(const char *s)
{
    return options_parse(&o, s, error, sizeof(error));
}

static void test_defaults(void **state)
{
    (void)state;
    assert_true(parse(NULL));
    assert_true(parse("  "));
    assert_int_equal(o.test, GUEST_TEST_BLK);
    assert_int_equal(o.size_bytes, 4u << 20);
    assert_int_equal(o.req_sectors, 8);
    assert_int_equal(o.plug, 32);
    assert_int_equal(o.sched, GUEST_SCHED_ELEVATOR);
    assert_int_equal(o.io, GUEST_IO_AUTO);
    assert_true(o.irq);
    assert_int_equal(o.lba48, GUEST_LBA48_AUTO);
    assert_string_equal(error, "");
}

static void test_blk_options(void **state)
{
    (void)state;
    assert_true(parse("/boot/guest.elf test=blk size=256K req=16 sched=direct io=batch irq=off "
                      "lba48=on seed=7 plug=4 max_sectors=64 lba=0x10000000"));
    assert_int_equal(o.size_bytes, 256u * 1024);
    assert_int_equal(o.req_sectors, 16);
    assert_int_equal(o.sched, GUEST_SCHED_DIRECT);
    assert_int_equal(o.io, GUEST_IO_BATCH);
    assert_false(o.irq);
    assert_int_equal(o.lba48, GUEST_LBA48_ON);
    assert_int_equal(o.seed, 7);
    assert_int_equal(o.plug, 4);
    assert_int_equal(o.max_sectors, 64);
    assert_int_equal(o.start_lba, 0x10000000u);
    assert_true(parse("io=trap size=4M"));
    assert_int_equal(o.io, GUEST_IO_TRAP);
    assert_int_equal(o.size_bytes, 4u << 20);
    assert_string_equal(options_io_name(o.io), "trap");
    assert_string_equal(options_sched_name(GUEST_SCHED_ELEVATOR), "elevator");
}

static void test_timer_options(void **state)
{
    (void)state;
    assert_true(parse("mica-guest test=timer timer=oneshot idle_ms=250"));
    assert_int_equal(o.test, GUEST_TEST_TIMER);
    assert_int_equal(o.timer, GUEST_TIMER_ONESHOT);
    assert_int_equal(o.idle_ms, 250);
    assert_true(parse("test=timer timer=100"));
    assert_int_equal(o.timer, GUEST_TIMER_100HZ);
    assert_string_equal(options_timer_name(o.timer), "100");
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_false(parse("test=blk frobnicate=1"));
    assert_string_equal(error, "unknown option: 'frobnicate=1'");
    assert_false(parse("sched=random"));
    assert_string_equal(error, "bad value: 'sched=random'");
    assert_false(parse("req=0"));
    assert_string_equal(error, "bad value: 'req=0'");
    assert_false(parse("req=257"));
    assert_false(parse("size=4G"));
    assert_false(parse("size=99999999999"));
    assert_false(parse("size=12x"));
    assert_false(parse("size="));
    assert_false(parse("size=1000"));
    assert_string_equal(error, "size=1000 is not a multiple of 512 bytes");
    assert_false(parse("req=16 max_sectors=8"));
    assert_false(parse("test=blk stray"));
    assert_string_equal(error, "not NAME=VALUE: 'stray'");
    assert_false(parse("irq=yes"));
    assert_false(parse("timer=50"));
    assert_false(parse("idle_ms=0"));
}

static void test_error_message_is_bounded(void **state)
{
    (void)state;
    char small[8];
    assert_false(options_parse(&o, "averyveryverylongunknownoption=1", small, sizeof(small)));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_blk_options),
        cmocka_unit_test(test_timer_options),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_error_message_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
