/* Host unit tests of drivers/clock_math.c: the TSC frequency CPUID leaves 0x15/0x16 state, HPET
 * period checks and tick counts, rates and deviations, with the values real CPUs and emulators
 * give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/clock_math.h"

static void test_cpuid15(void **state)
{
    (void)state;
    /* Bochs corei7_icelake_u: 38.4 MHz crystal, ratio 78/2. */
    assert_int_equal(clock_tsc_hz_cpuid15(2, 78, 38400000), 1497600000ull);
    /* Skylake client: 24 MHz crystal, ratio 0xd8/2 = 2592 MHz. */
    assert_int_equal(clock_tsc_hz_cpuid15(2, 0xd8, 24000000), 2592000000ull);
    /* Any zero: the leaf does not give the frequency. */
    assert_int_equal(clock_tsc_hz_cpuid15(0, 78, 38400000), 0);
    assert_int_equal(clock_tsc_hz_cpuid15(2, 0, 38400000), 0);
    assert_int_equal(clock_tsc_hz_cpuid15(2, 78, 0), 0);
    /* The largest inputs do not overflow. */
    assert_int_equal(clock_tsc_hz_cpuid15(1, UINT32_MAX, UINT32_MAX),
                     (uint64_t)UINT32_MAX * UINT32_MAX);
}

static void test_cpuid16(void **state)
{
    (void)state;
    assert_int_equal(clock_tsc_hz_cpuid16(1500), 1500000000ull);
    assert_int_equal(clock_tsc_hz_cpuid16(0xabcd0000u | 2400), 2400000000ull); /* EAX[31:16] */
    assert_int_equal(clock_tsc_hz_cpuid16(0), 0);
}

static void test_hpet_period_and_ticks(void **state)
{
    (void)state;
    assert_false(clock_hpet_period_valid(0));
    assert_true(clock_hpet_period_valid(1));
    assert_true(clock_hpet_period_valid(10000000)); /* QEMU and Bochs: 100 MHz */
    assert_true(clock_hpet_period_valid(69841279)); /* Intel PCH: 14.318 MHz */
    assert_true(clock_hpet_period_valid(HPET_PERIOD_MAX_FS));
    assert_false(clock_hpet_period_valid(HPET_PERIOD_MAX_FS + 1));
    assert_false(clock_hpet_period_valid(UINT32_MAX));
    assert_int_equal(clock_hpet_ticks(10000000, 10000), 1000000); /* 10 ms at 100 MHz */
    assert_int_equal(clock_hpet_ticks(69841279, 10000), 143181);  /* 10 ms at 14.318 MHz */
    assert_int_equal(clock_hpet_ticks(0, 10000), 0);
    assert_int_equal(clock_hpet_ns(10000000, 1000000), 10000000);
    assert_int_equal(clock_hpet_ns(69841279, 143181), 9999944);
}

static void test_rates(void **state)
{
    (void)state;
    assert_int_equal(clock_rate_hz(2000000, 10000000), 200000000); /* 2 M in 10 ms */
    assert_int_equal(clock_rate_hz(0, 10000000), 0);
    assert_int_equal(clock_rate_hz(123, 0), 0);
    /* A 5 GHz TSC over 50 ms: no overflow in count * 10^9. */
    assert_int_equal(clock_rate_hz(250000000ull, 50000000ull), 5000000000ull);
    /* A PIT interval: 11931 ticks are 9999160 ns. */
    assert_int_equal(clock_rate_hz(1999936, 9999160), 200010400);
}

static void test_deviation(void **state)
{
    (void)state;
    assert_int_equal(clock_deviation_ppm(100, 100), 0);
    assert_int_equal(clock_deviation_ppm(101, 100), 10000);
    assert_int_equal(clock_deviation_ppm(99, 100), 10000);
    assert_int_equal(clock_deviation_ppm(200000000, 1497600000), 866452);
    assert_int_equal(clock_deviation_ppm(1497600000, 200000000), 6488000);
    assert_int_equal(clock_deviation_ppm(5, 0), UINT64_MAX);
    assert_int_equal(clock_deviation_ppm(UINT64_MAX, 1), UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpuid15),
        cmocka_unit_test(test_cpuid16),
        cmocka_unit_test(test_hpet_period_and_ticks),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_deviation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
