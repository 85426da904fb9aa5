/* Host unit tests of guest/kernel/pattern.c: the pattern is a function of LBA and seed only,
 * differs between sectors and seeds, and the checksum notices a single flipped bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "guest/kernel/pattern.h"

static uint32_t a[PATTERN_SECTOR_WORDS], b[PATTERN_SECTOR_WORDS];

static void test_deterministic(void **state)
{
    (void)state;
    pattern_fill(a, 1234, 7);
    pattern_fill(b, 1234, 7);
    assert_memory_equal(a, b, sizeof(a));
    assert_int_equal(pattern_checksum(a), pattern_checksum(b));
}

static void test_sectors_and_seeds_differ(void **state)
{
    (void)state;
    for (uint64_t lba = 0; lba < 2048; lba++) {
        pattern_fill(a, lba, 1);
        pattern_fill(b, lba + 1, 1);
        assert_int_not_equal(pattern_checksum(a), pattern_checksum(b));
        pattern_fill(b, lba, 2);
        assert_int_not_equal(pattern_checksum(a), pattern_checksum(b));
        pattern_fill(b, lba | (1ull << 32), 1);
        assert_int_not_equal(pattern_checksum(a), pattern_checksum(b));
    }
}

static void test_checksum_sees_one_bit(void **state)
{
    (void)state;
    pattern_fill(a, 42, 3);
    uint32_t sum = pattern_checksum(a);
    for (unsigned bit = 0; bit < PATTERN_SECTOR_SIZE * 8; bit += 37) {
        memcpy(b, a, sizeof(a));
        b[bit / 32] ^= 1u << (bit % 32);
        assert_int_not_equal(pattern_checksum(b), sum);
    }
    memset(b, 0, sizeof(b));
    assert_int_not_equal(pattern_checksum(b), sum); /* a zero-filled (never written) sector */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_sectors_and_seeds_differ),
        cmocka_unit_test(test_checksum_sees_one_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
