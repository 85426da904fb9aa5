/* Host unit tests of vmm/iobus.c: registration and overlap refusal, dispatch by port, all-ones
 * reads and the once-per-port report for unclaimed ports, counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "vmm/iobus.h"

struct recorder {
    unsigned calls;
    uint16_t port;
    unsigned size;
    enum io_direction dir;
    uint32_t written;
};

static void record_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                      uint32_t *value)
{
    struct recorder *r = device;
    r->calls++;
    r->port = port;
    r->size = size;
    r->dir = dir;
    if (dir == IO_OUT)
        r->written = *value;
    else
        *value = 0x1000u + port;
}

static unsigned reports;
static uint16_t last_reported;
static void count_report(uint16_t port, unsigned size, enum io_direction dir)
{
    (void)size;
    (void)dir;
    reports++;
    last_reported = port;
}

static struct iobus *new_bus(void)
{
    struct iobus *bus = malloc(sizeof(*bus));
    assert_non_null(bus);
    iobus_init(bus);
    reports = 0;
    return bus;
}

static void test_register_and_dispatch(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct recorder a = {0}, b = {0};
    assert_int_equal(iobus_register(bus, 0x40, 4, record_io, &a, "a"), IOBUS_OK);
    assert_int_equal(iobus_register(bus, 0x3f8, 8, record_io, &b, "b"), IOBUS_OK);
    uint32_t v = 0xab;
    assert_true(iobus_access(bus, 0x43, 1, IO_OUT, &v));
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.port, 0x43);
    assert_int_equal(a.written, 0xab);
    assert_true(iobus_access(bus, 0x3ff, 2, IO_IN, &v));
    assert_int_equal(v, 0x1000 + 0x3ff);
    assert_int_equal(b.size, 2);
    assert_int_equal(bus->accesses[0x43], 1);
    assert_string_equal(iobus_find(bus, 0x3f8)->name, "b");
    assert_null(iobus_find(bus, 0x3f7));
    free(bus);
}

static void test_overlaps_and_bad_ranges_refused(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct recorder a = {0};
    assert_int_equal(iobus_register(bus, 0x20, 2, record_io, &a, "pic"), IOBUS_OK);
    assert_int_equal(iobus_register(bus, 0x21, 1, record_io, &a, "x"), IOBUS_ERR_OVERLAP);
    assert_int_equal(iobus_register(bus, 0x1f, 2, record_io, &a, "x"), IOBUS_ERR_OVERLAP);
    assert_int_equal(iobus_register(bus, 0x10, 0x20, record_io, &a, "x"), IOBUS_ERR_OVERLAP);
    assert_int_equal(iobus_register(bus, 0x22, 1, record_io, &a, "next"), IOBUS_OK);
    assert_int_equal(iobus_register(bus, 0x50, 0, record_io, &a, "x"), IOBUS_ERR_RANGE);
    assert_int_equal(iobus_register(bus, 0xffff, 2, record_io, &a, "x"), IOBUS_ERR_RANGE);
    assert_int_equal(iobus_register(bus, 0xffff, 1, record_io, &a, "last"), IOBUS_OK);
    for (unsigned i = bus->region_count; i < IOBUS_MAX_REGIONS; i++)
        assert_int_equal(iobus_register(bus, (uint16_t)(0x1000 + i), 1, record_io, &a, "f"),
                         IOBUS_OK);
    assert_int_equal(iobus_register(bus, 0x2000, 1, record_io, &a, "x"), IOBUS_ERR_FULL);
    free(bus);
}

static void test_unclaimed_ports(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    bus->report_unclaimed = count_report;
    uint32_t v = 0;
    assert_false(iobus_access(bus, 0x1234, 2, IO_IN, &v));
    assert_int_equal(v, 0xffffffffu);
    v = 5;
    assert_false(iobus_access(bus, 0x1234, 1, IO_OUT, &v));
    assert_false(iobus_access(bus, 0x1235, 1, IO_OUT, &v));
    assert_int_equal(reports, 2); /* once per port */
    assert_int_equal(last_reported, 0x1235);
    assert_int_equal(bus->unclaimed_accesses, 3);
    assert_int_equal(bus->accesses[0x1234], 2);
    free(bus);
}

static void test_denied_ports(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct recorder a = {0};
    assert_int_equal(iobus_register(bus, 0xcf8, 8, record_io, &a, "pci"), IOBUS_OK);
    assert_int_equal(iobus_deny(bus, 0xcf8, 4, "hypervisor"), IOBUS_OK);
    assert_false(iobus_port_allowed(bus, 0xcf8, 4));
    assert_false(iobus_port_allowed(bus, 0xcf6, 4)); /* overlaps 0xcf8 */
    assert_true(iobus_port_allowed(bus, 0xcf4, 4));
    assert_true(iobus_port_allowed(bus, 0xcfc, 4));
    uint32_t v = 0x1234;
    assert_false(iobus_access(bus, 0xcf8, 4, IO_OUT, &v));
    assert_false(iobus_access(bus, 0xcfa, 1, IO_IN, &v));
    assert_int_equal(v, 0xffffffffu);
    assert_int_equal(a.calls, 0); /* the device never saw them */
    assert_int_equal(bus->denied_accesses, 2);
    assert_true(iobus_access(bus, 0xcfc, 4, IO_IN, &v));
    assert_int_equal(a.calls, 1);
    assert_int_equal(iobus_deny(bus, 0xffff, 2, "x"), IOBUS_ERR_RANGE);
    free(bus);
}

struct range_list {
    unsigned count;
    uint16_t first[4], last[4];
};

static void collect_range(void *ctx, uint16_t first, uint16_t last)
{
    struct range_list *l = ctx;
    assert_true(l->count < 4);
    l->first[l->count] = first;
    l->last[l->count++] = last;
}

/* Pass-through regions dispatch like any other (batched replay reaches them) and are listed for
 * the vendor, which leaves them untrapped; ordinary regions are not listed. */
static void test_passthrough_regions(void **state)
{
    (void)state;
    struct iobus *bus = calloc(1, sizeof(*bus));
    assert_non_null(bus);
    iobus_init(bus);
    struct recorder emulated = {0}, real = {0};
    assert_int_equal(iobus_register(bus, 0x60, 1, record_io, &emulated, "emulated"), IOBUS_OK);
    assert_int_equal(iobus_register_passthrough(bus, 0x1f0, 8, record_io, &real, "ata"), IOBUS_OK);
    assert_int_equal(iobus_register_passthrough(bus, 0x3f6, 1, record_io, &real, "ata ctl"),
                     IOBUS_OK);
    assert_int_equal(iobus_register_passthrough(bus, 0x1f4, 1, record_io, &real, "overlap"),
                     IOBUS_ERR_OVERLAP);
    struct range_list l = {0};
    iobus_for_each_passthrough(bus, collect_range, &l);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.first[0], 0x1f0);
    assert_int_equal(l.last[0], 0x1f7);
    assert_int_equal(l.first[1], 0x3f6);
    assert_int_equal(l.last[1], 0x3f6);
    uint32_t v = 0;
    assert_true(iobus_access(bus, 0x1f7, 1, IO_IN, &v));
    assert_int_equal(real.calls, 1);
    assert_int_equal(v, 0x1000u + 0x1f7);
    assert_int_equal(emulated.calls, 0);
    free(bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_dispatch),
        cmocka_unit_test(test_overlaps_and_bad_ranges_refused),
        cmocka_unit_test(test_unclaimed_ports),
        cmocka_unit_test(test_denied_ports),
        cmocka_unit_test(test_passthrough_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
