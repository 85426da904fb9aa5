/* Host unit tests of vmm/mmio.c: registration refuses overlaps, overflow and a full bus; lookup
 * finds the region holding an address and nothing at the edges outside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/mmio.h"

static void noop(void *device, uint64_t offset, unsigned size, enum mmio_access access,
                 uint64_t *value)
{
    (void)device;
    (void)offset;
    (void)size;
    (void)access;
    (void)value;
}

static void test_register_and_find(void **state)
{
    (void)state;
    struct mmio_bus bus;
    memset(&bus, 0, sizeof(bus));
    assert_true(mmio_register(&bus, 0xfee00000, 0x1000, noop, NULL, "lapic"));
    assert_true(mmio_register(&bus, 0xfec00000, 0x20, noop, NULL, "ioapic"));
    assert_string_equal(mmio_find(&bus, 0xfee00000)->name, "lapic");
    assert_string_equal(mmio_find(&bus, 0xfee00fff)->name, "lapic");
    assert_null(mmio_find(&bus, 0xfee01000));
    assert_null(mmio_find(&bus, 0xfedfffff));
    assert_string_equal(mmio_find(&bus, 0xfec0001f)->name, "ioapic");
}

static void test_refusals(void **state)
{
    (void)state;
    struct mmio_bus bus;
    memset(&bus, 0, sizeof(bus));
    assert_true(mmio_register(&bus, 0x1000, 0x1000, noop, NULL, "a"));
    assert_false(mmio_register(&bus, 0x1fff, 1, noop, NULL, "overlap end"));
    assert_false(mmio_register(&bus, 0x0800, 0x1000, noop, NULL, "overlap start"));
    assert_false(mmio_register(&bus, 0x3000, 0, noop, NULL, "empty"));
    assert_false(mmio_register(&bus, UINT64_MAX - 10, 100, noop, NULL, "wraps"));
    assert_true(mmio_register(&bus, 0x2000, 0x1000, noop, NULL, "adjacent"));
    for (unsigned i = bus.region_count; i < MMIO_MAX_REGIONS; i++)
        assert_true(mmio_register(&bus, 0x100000 * (i + 1), 0x1000, noop, NULL, "f"));
    assert_false(mmio_register(&bus, 0x90000000, 0x1000, noop, NULL, "full"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_find),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
