/* Host unit tests of kernel/cmdline.c: defaults, each option's values, the boot loader's image
 * path, and a message for every kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "drivers/clocksource.h"
#include "kernel/cmdline.h"

static struct kernel_config cfg;
static struct cmdline_errors errors;

static int setup(void **state)
{
    (void)state;
    cmdline_defaults(&cfg);
    memset(&errors, 0, sizeof(errors));
    return 0;
}

static void test_defaults_and_empty(void **state)
{
    (void)state;
    assert_true(cmdline_parse(NULL, &cfg, &errors));
    assert_true(cmdline_parse("", &cfg, &errors));
    assert_true(cmdline_parse("   \t ", &cfg, &errors));
    assert_int_equal(cfg.loglevel, 2);
    assert_int_equal(cfg.console, 1);
    assert_int_equal(cfg.on_fatal, FATAL_HALT);
    assert_string_equal(cfg.tests, "");
}

static void test_all_options(void **state)
{
    (void)state;
    assert_true(
        cmdline_parse("loglevel=debug console=com2 test=pmm,paging fatal=poweroff", &cfg, &errors));
    assert_int_equal(errors.count, 0);
    assert_int_equal(cfg.loglevel, 3);
    assert_int_equal(cfg.console, 2);
    assert_string_equal(cfg.tests, "pmm,paging");
    assert_int_equal(cfg.on_fatal, FATAL_POWEROFF);
    assert_true(cmdline_parse("loglevel=0 console=ttyS0", &cfg, &errors));
    assert_int_equal(cfg.loglevel, 0);
    assert_int_equal(cfg.console, 1);
}

static void test_image_path_first_word_skipped(void **state)
{
    (void)state;
    assert_true(cmdline_parse("/boot/mica.elf loglevel=warn", &cfg, &errors));
    assert_int_equal(cfg.loglevel, 1);
    /* Only in first position. */
    assert_false(cmdline_parse("loglevel=warn /boot/mica.elf", &cfg, &errors));
    assert_int_equal(errors.count, 1);
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_false(cmdline_parse("loglevel=loud", &cfg, &errors));
    assert_int_equal(errors.count, 1);
    assert_non_null(strstr(errors.msg[0], "'loglevel=loud'"));
    assert_non_null(strstr(errors.msg[0], "expected error, warn, info, debug"));
    assert_int_equal(cfg.loglevel, 2); /* unchanged */

    assert_false(cmdline_parse("console=com3 fatal=explode test=Bad-Name", &cfg, &errors));
    assert_int_equal(errors.count, 3);
    assert_non_null(strstr(errors.msg[0], "expected com1, com2 or spcr"));
    assert_non_null(strstr(errors.msg[1], "expected halt or poweroff"));
    assert_non_null(strstr(errors.msg[2], "test names"));
}

static void test_unknown_and_missing_value(void **state)
{
    (void)state;
    assert_false(cmdline_parse("frobnicate=1 console console= loglevel", &cfg, &errors));
    assert_int_equal(errors.count, 4);
    assert_non_null(strstr(errors.msg[0], "'frobnicate=1': unknown option"));
    assert_non_null(strstr(errors.msg[1], "'console': needs a value"));
    assert_non_null(strstr(errors.msg[2], "'console=': needs a value"));
    assert_non_null(strstr(errors.msg[3], "'loglevel': needs a value"));
    /* Regression (found by fuzz_cmdline): a long unknown word kept its reason cut off. */
    assert_false(cmdline_parse("this_option_does_not_exist_and_has_a_long_name=1", &cfg, &errors));
    size_t n = strlen(errors.msg[0]);
    assert_true(n >= strlen("unknown option"));
    assert_string_equal(errors.msg[0] + n - strlen("unknown option"), "unknown option");
    /* A prefix of a known name is not that option. */
    assert_false(cmdline_parse("log=info loglevelx=info", &cfg, &errors));
    assert_int_equal(errors.count, 2);
}

static void test_valid_options_still_apply_around_errors(void **state)
{
    (void)state;
    assert_false(cmdline_parse("fatal=poweroff bogus console=com2", &cfg, &errors));
    assert_int_equal(cfg.on_fatal, FATAL_POWEROFF);
    assert_int_equal(cfg.console, 2);
}

static void test_many_errors_and_long_words_are_bounded(void **state)
{
    (void)state;
    char line[4096];
    size_t n = 0;
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "bad%d ", i);
    assert_false(cmdline_parse(line, &cfg, &errors));
    assert_int_equal(errors.count, 20);
    assert_non_null(strstr(errors.msg[CMDLINE_ERRORS_MAX - 1], "bad7"));

    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_false(cmdline_parse(line, &cfg, &errors));
    assert_int_equal(errors.count, 1);
    assert_true(strlen(errors.msg[0]) < CMDLINE_ERROR_LEN);

    char tests[CMDLINE_TESTS_MAX + 16] = "test=";
    memset(tests + 5, 'a', CMDLINE_TESTS_MAX);
    tests[5 + CMDLINE_TESTS_MAX] = '\0';
    assert_false(cmdline_parse(tests, &cfg, &errors));
    assert_non_null(strstr(errors.msg[0], "list longer than"));
}

static void test_disk_option(void **state)
{
    (void)state;
    assert_int_equal(cfg.disk, DISK_NONE);
    assert_true(cmdline_parse("disk=8M", &cfg, &errors));
    assert_int_equal(cfg.disk, DISK_MEMORY);
    assert_int_equal(cfg.disk_size, 8u << 20);
    assert_true(cmdline_parse("disk=512", &cfg, &errors));
    assert_int_equal(cfg.disk_size, 512);
    assert_true(cmdline_parse("disk=module", &cfg, &errors));
    assert_int_equal(cfg.disk, DISK_MODULE);
    assert_true(cmdline_parse("disk=passthrough", &cfg, &errors));
    assert_int_equal(cfg.disk, DISK_PASSTHROUGH);
    const char *bad[] = {"disk=0", "disk=1000", "disk=2G", "disk=cdrom", "disk="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(cmdline_parse(bad[i], &cfg, &errors));
        assert_int_equal(errors.count, 1);
    }
    assert_int_equal(cfg.disk, DISK_PASSTHROUGH); /* unchanged by the bad ones */
    assert_false(cmdline_parse("disk=1000", &cfg, &errors));
    assert_non_null(strstr(errors.msg[0], "multiple of 512"));
    assert_true(cmdline_parse("disk=none", &cfg, &errors));
    assert_int_equal(cfg.disk, DISK_NONE);
}

static void test_gdb_option(void **state)
{
    (void)state;
    assert_false(cfg.gdb_com2);
    assert_true(cmdline_parse("gdb=com2", &cfg, &errors));
    assert_true(cfg.gdb_com2);
    assert_true(cmdline_parse("gdb=off", &cfg, &errors));
    assert_false(cfg.gdb_com2);
    assert_true(cmdline_parse("gdb=ttyS1 com2=0x2e8,9600", &cfg, &errors));
    assert_true(cfg.gdb_com2); /* the stub follows COM2 wherever com2= puts it */
    assert_int_equal(cfg.com_port[1], 0x2e8);
    assert_int_equal(cfg.com_baud[1], 9600);
    assert_false(cmdline_parse("gdb=com1", &cfg, &errors));
    assert_non_null(strstr(errors.msg[0], "com2 or off"));
}

static void test_guest_memory_sizes(void **state)
{
    (void)state;
    assert_int_equal(cfg.guest_mem, 64u << 20);
    assert_true(cmdline_parse("guest_mem=128M", &cfg, &errors));
    assert_int_equal(cfg.guest_mem, 128u << 20);
    assert_true(cmdline_parse("guest_mem=1G", &cfg, &errors));
    assert_int_equal(cfg.guest_mem, 1u << 30);
    assert_true(cmdline_parse("guest_mem=0x400000", &cfg, &errors));
    assert_int_equal(cfg.guest_mem, 4u << 20);
    assert_true(cmdline_parse("guest_mem=2048k", &cfg, &errors));
    assert_int_equal(cfg.guest_mem, 2u << 20);
    const char *bad[] = {"guest_mem=1M",          "guest_mem=3M",
                         "guest_mem=8G",          "guest_mem=64X",
                         "guest_mem=M",           "guest_mem=99999999999999999999999",
                         "guest_mem=17179869184G"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(cmdline_parse(bad[i], &cfg, &errors));
        assert_int_equal(errors.count, 1);
    }
    assert_int_equal(cfg.guest_mem, 2u << 20); /* unchanged by the bad ones */
    assert_true(cmdline_parse("guest_flat=0x7c00", &cfg, &errors));
    assert_int_equal(cfg.guest_flat_load, 0x7c00);
    assert_false(cmdline_parse("guest_flat=0x100000", &cfg, &errors));
    assert_false(cmdline_parse("guest_flat=0", &cfg, &errors));
    assert_true(cmdline_parse("rt_task=1000", &cfg, &errors));
    assert_int_equal(cfg.rt_task_hz, 1000);
    assert_false(cmdline_parse("rt_task=10001", &cfg, &errors));
    assert_false(cmdline_parse("rt_task=fast", &cfg, &errors));
    assert_true(cfg.exit_trace);
    assert_true(cmdline_parse("exit_trace=off", &cfg, &errors));
    assert_false(cfg.exit_trace);
    assert_false(cmdline_parse("exit_trace=maybe", &cfg, &errors));
}

static void test_serial_ports(void **state)
{
    (void)state;
    assert_int_equal(cfg.com_port[0], 0x3f8);
    assert_int_equal(cfg.com_port[1], 0x2f8);
    assert_int_equal(cfg.com_baud[0], 115200);
    assert_int_equal(cfg.com_baud[1], 115200);
    assert_false(cfg.console_given);
    assert_true(cmdline_parse("com1=0x3f8,38400", &cfg, &errors));
    assert_int_equal(cfg.com_port[0], 0x3f8);
    assert_int_equal(cfg.com_baud[0], 38400);
    assert_true(cmdline_parse("com2=0x2e8 console=com2", &cfg, &errors));
    assert_int_equal(cfg.com_port[1], 0x2e8);
    assert_int_equal(cfg.com_baud[1], 115200);
    assert_int_equal(cfg.console, CONSOLE_COM2);
    assert_true(cfg.console_given);
    assert_true(cmdline_parse("com2=760,9600", &cfg, &errors)); /* decimal port */
    assert_int_equal(cfg.com_port[1], 760);
    assert_int_equal(cfg.com_baud[1], 9600);
    assert_true(cmdline_parse("console=spcr", &cfg, &errors));
    assert_int_equal(cfg.console, CONSOLE_SPCR);

    const char *bad_port[] = {"com1=",       "com1=0",       "com1=0xfff9", "com1=0x10000,115200",
                              "com1=serial", "com1=,115200", "com1=1k"};
    for (size_t i = 0; i < sizeof(bad_port) / sizeof(bad_port[0]); i++) {
        assert_false(cmdline_parse(bad_port[i], &cfg, &errors));
        assert_int_equal(errors.count, 1);
        if (bad_port[i][5] != '\0')
            assert_non_null(strstr(errors.msg[0], "I/O port"));
    }
    const char *bad_baud[] = {"com1=0x3f8,",       "com1=0x3f8,0",          "com1=0x3f8,56000",
                              "com1=0x3f8,230400", "com1=0x3f8,fast",       "com1=0x3f8,9600,8n1",
                              "com1=0x3f8,1k",     "com2=0x2f8,99999999999"};
    for (size_t i = 0; i < sizeof(bad_baud) / sizeof(bad_baud[0]); i++) {
        assert_false(cmdline_parse(bad_baud[i], &cfg, &errors));
        assert_int_equal(errors.count, 1);
        assert_non_null(strstr(errors.msg[0], "baud rate must divide 115200"));
    }
    /* The bad values changed nothing. */
    assert_int_equal(cfg.com_port[0], 0x3f8);
    assert_int_equal(cfg.com_baud[0], 38400);
    assert_int_equal(cfg.com_port[1], 760);
}

static void test_x2apic_and_clocksource(void **state)
{
    (void)state;
    assert_false(cfg.x2apic_off);
    assert_int_equal(cfg.clocksource, CLOCKSOURCE_AUTO);
    assert_true(cmdline_parse("x2apic=off clocksource=hpet", &cfg, &errors));
    assert_true(cfg.x2apic_off);
    assert_int_equal(cfg.clocksource, CLOCKSOURCE_HPET);
    assert_true(cmdline_parse("x2apic=auto clocksource=pit", &cfg, &errors));
    assert_false(cfg.x2apic_off);
    assert_int_equal(cfg.clocksource, CLOCKSOURCE_PIT);
    assert_true(cmdline_parse("clocksource=cpuid", &cfg, &errors));
    assert_int_equal(cfg.clocksource, CLOCKSOURCE_CPUID);
    assert_true(cmdline_parse("clocksource=auto", &cfg, &errors));
    assert_int_equal(cfg.clocksource, CLOCKSOURCE_AUTO);
    assert_false(cmdline_parse("x2apic=on clocksource=tsc", &cfg, &errors));
    assert_int_equal(errors.count, 2);
    assert_non_null(strstr(errors.msg[0], "expected auto or off"));
    assert_non_null(strstr(errors.msg[1], "expected auto, pit, hpet or cpuid"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_and_empty, setup),
        cmocka_unit_test_setup(test_serial_ports, setup),
        cmocka_unit_test_setup(test_x2apic_and_clocksource, setup),
        cmocka_unit_test_setup(test_all_options, setup),
        cmocka_unit_test_setup(test_image_path_first_word_skipped, setup),
        cmocka_unit_test_setup(test_bad_values, setup),
        cmocka_unit_test_setup(test_unknown_and_missing_value, setup),
        cmocka_unit_test_setup(test_valid_options_still_apply_around_errors, setup),
        cmocka_unit_test_setup(test_many_errors_and_long_words_are_bounded, setup),
        cmocka_unit_test_setup(test_disk_option, setup),
        cmocka_unit_test_setup(test_gdb_option, setup),
        cmocka_unit_test_setup(test_guest_memory_sizes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
