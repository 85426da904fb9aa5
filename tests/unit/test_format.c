/* Host unit tests of kernel/format.c: each conversion, flags, widths, precision, length modifiers,
 * truncation and the return value, checked against known strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/format.h"

/* Deliberately bad format strings and NULL arguments are part of what is tested. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

#define CHECK(expected, ...)                                                                       \
    do {                                                                                           \
        char buf[128];                                                                             \
        int n = ksnprintf(buf, sizeof(buf), __VA_ARGS__);                                          \
        assert_string_equal(buf, expected);                                                        \
        assert_int_equal(n, strlen(expected));                                                     \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    CHECK("0", "%d", 0);
    CHECK("-2147483648", "%d", INT32_MIN);
    CHECK("4294967295", "%u", UINT32_MAX);
    CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
    CHECK("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
    CHECK("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
    CHECK("DEADBEEF", "%X", 0xdeadbeefu);
    CHECK("17", "%o", 15);
    CHECK("123456789012", "%llu", 123456789012ull);
    CHECK("42", "%zu", (size_t)42);
    CHECK("-1 255", "%hhd %hhu", -1, 255);
    CHECK("-1", "%hd", 0xffff);
}

static void test_width_and_flags(void **state)
{
    (void)state;
    CHECK("   42", "%5d", 42);
    CHECK("42   |", "%-5d|", 42);
    CHECK("00042", "%05d", 42);
    CHECK("-0042", "%05d", -42);
    CHECK("+42", "%+d", 42);
    CHECK(" 42", "% d", 42);
    CHECK("0000beef", "%08x", 0xbeef);
    CHECK("   ab", "%*s", 5, "ab");
    CHECK("ab   |", "%*s|", -5, "ab");
    CHECK("  007", "%5.3d", 7);
    CHECK("", "%.0d", 0);
}

static void test_strings_chars_pointers(void **state)
{
    (void)state;
    CHECK("hello", "%s", "hello");
    CHECK("hel", "%.3s", "hello");
    CHECK("(null)", "%s", (char *)NULL);
    CHECK("x|  y", "%c|%3c", 'x', 'y');
    CHECK("0x1000", "%p", (void *)0x1000);
    CHECK("100%", "%d%%", 100);
}

static void test_unknown_conversion_is_visible(void **state)
{
    (void)state;
    CHECK("a %q b", "a %q b");
    CHECK("trailing %", "trailing %");
}

static void test_truncation(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    int n = ksnprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
    assert_int_equal(n, 12);
    assert_string_equal(buf, "abcdef-");
    char one[1] = {'Z'};
    assert_int_equal(ksnprintf(one, 1, "xyz"), 3);
    assert_int_equal(one[0], '\0');
    assert_int_equal(ksnprintf(NULL, 0, "%d", 1234), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_width_and_flags),
        cmocka_unit_test(test_strings_chars_pointers),
        cmocka_unit_test(test_unknown_conversion_is_visible),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
