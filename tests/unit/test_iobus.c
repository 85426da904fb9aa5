/* Host unit tests of vmm/iobus.c: registration and overlap refusal, dispatch by port (the lookup
 * tables against a plain search), unclaimed and denied ports, counters, string accesses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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

static unsigned denied_reports;
static void count_denied_report(uint16_t port, unsigned size, enum io_direction dir,
                                const char *owner)
{
    (void)port;
    (void)size;
    (void)dir;
    (void)owner;
    denied_reports++;
}

/* A guest hammering a refused port gets one log line per port and direction, every access
 * still counted. */
static void test_denied_ports_reported_once_per_direction(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    bus->report_denied = count_denied_report;
    denied_reports = 0;
    assert_int_equal(iobus_deny(bus, 0xcf8, 8, "hypervisor"), IOBUS_OK);
    uint32_t v = 0;
    for (int i = 0; i < 100; i++)
        assert_false(iobus_access(bus, 0xcf8, 4, IO_OUT, &v));
    assert_int_equal(denied_reports, 1);
    assert_false(iobus_access(bus, 0xcf8, 4, IO_IN, &v));
    assert_false(iobus_access(bus, 0xcf8, 1, IO_IN, &v));
    assert_int_equal(denied_reports, 2); /* the first read: a new direction */
    assert_false(iobus_access(bus, 0xcfc, 4, IO_IN, &v));
    assert_int_equal(denied_reports, 3); /* a new port */
    assert_int_equal(bus->denied_accesses, 103);
    assert_int_equal(bus->accesses[0xcf8], 102);
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

/* The per-port tables agree with the definitions: the region whose range holds the port, and an
 * access is refused when any of its bytes is in a denied range. */
static void test_lookup_tables_match_search(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct recorder a = {0};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < 200 && bus->region_count < IOBUS_MAX_REGIONS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        iobus_register(bus, (uint16_t)x, 1 + (unsigned)(x >> 16) % 64, record_io, &a, "r");
    }
    for (unsigned i = 0; i < IOBUS_MAX_DENIED; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        assert_int_equal(
            iobus_deny(bus, (uint16_t)(x % 0xff00), 1 + (unsigned)(x >> 32) % 40, "hv"), IOBUS_OK);
    }
    for (uint32_t port = 0; port < IOBUS_PORTS; port++) {
        const struct io_region *expect = NULL;
        for (unsigned i = 0; i < bus->region_count; i++) {
            if (port >= bus->regions[i].first && port <= bus->regions[i].last)
                expect = &bus->regions[i];
        }
        assert_ptr_equal(iobus_find(bus, (uint16_t)port), expect);
        for (unsigned size = 1; size <= 4; size *= 2) {
            bool denied = false;
            for (unsigned i = 0; i < bus->denied_count; i++) {
                if (port <= bus->denied[i].last && bus->denied[i].first <= port + size - 1)
                    denied = true;
            }
            assert_int_equal(iobus_port_allowed(bus, (uint16_t)port, size), !denied);
        }
    }
    free(bus);
}

static void test_string_without_handler_goes_element_by_element(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct recorder a = {0};
    assert_int_equal(iobus_register(bus, 0x60, 4, record_io, &a, "a"), IOBUS_OK);
    uint8_t buf[5 * 2];
    memset(buf, 0xcc, sizeof(buf));
    assert_int_equal(iobus_access_string(bus, 0x62, 2, IO_IN, buf, 5), 0);
    assert_int_equal(a.calls, 5);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(buf[2 * i], (0x1000 + 0x62) & 0xff);
        assert_int_equal(buf[2 * i + 1], (0x1000 + 0x62) >> 8);
    }
    const uint8_t out[] = {0x11, 0x22, 0x33};
    assert_int_equal(iobus_access_string(bus, 0x60, 1, IO_OUT, (uint8_t *)out, 3), 0);
    assert_int_equal(a.written, 0x33);
    assert_int_equal(a.size, 1);
    assert_int_equal(bus->accesses[0x62], 5);
    assert_int_equal(bus->accesses[0x60], 3);
    /* Unclaimed: all ones, counted per element, reported once. */
    bus->report_unclaimed = count_report;
    memset(buf, 0, sizeof(buf));
    assert_int_equal(iobus_access_string(bus, 0x2000, 2, IO_IN, buf, 5), 0);
    for (unsigned i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0xff);
    assert_int_equal(bus->unclaimed_accesses, 5);
    assert_int_equal(reports, 1);
    assert_int_equal(bus->accesses[0x2000], 5);
    free(bus);
}

/* A block device: 32-bit words at 0x100, a store the string handler fills or drains, at most
 * `limit` elements per call (then the element-by-element path, then the handler again). */
struct block_device {
    uint32_t store[64];
    unsigned next;
    unsigned limit;
    unsigned string_calls, element_calls;
};

static void block_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                     uint32_t *value)
{
    (void)port;
    (void)size;
    struct block_device *d = device;
    d->element_calls++;
    if (dir == IO_IN)
        *value = d->next < 64 ? d->store[d->next] : 0xffffffffu;
    else if (d->next < 64)
        d->store[d->next] = *value;
    d->next++;
}

static uint32_t block_string(void *device, uint16_t port, unsigned size, enum io_direction dir,
                             uint8_t *buffer, uint32_t count)
{
    (void)port;
    struct block_device *d = device;
    d->string_calls++;
    if (size != 4 || d->next >= 64)
        return 0;
    uint32_t n = count < d->limit ? count : d->limit;
    if (n > 64 - d->next)
        n = 64 - d->next;
    if (dir == IO_IN)
        memcpy(buffer, &d->store[d->next], n * 4);
    else
        memcpy(&d->store[d->next], buffer, n * 4);
    d->next += n;
    return n;
}

static void test_string_handler_and_fallback(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct block_device d = {.limit = 5};
    for (unsigned i = 0; i < 64; i++)
        d.store[i] = 0xa0000000u + i;
    assert_false(iobus_set_string_handler(bus, 0x100, block_string)); /* nothing there yet */
    assert_int_equal(iobus_register(bus, 0x100, 4, block_io, &d, "block"), IOBUS_OK);
    assert_true(iobus_set_string_handler(bus, 0x102, block_string)); /* any port of the region */
    uint32_t words[70];
    /* 12 elements: 5 by the handler, 1 alone, 5 by the handler, 1 alone. */
    assert_int_equal(iobus_access_string(bus, 0x100, 4, IO_IN, (uint8_t *)words, 12), 10);
    assert_int_equal(d.element_calls, 2);
    for (unsigned i = 0; i < 12; i++)
        assert_int_equal(words[i], 0xa0000000u + i);
    assert_int_equal(bus->accesses[0x100], 12);
    /* Past the end of the store the handler stops; the elements go one by one. */
    d.limit = 64;
    assert_int_equal(iobus_access_string(bus, 0x100, 4, IO_IN, (uint8_t *)words, 60), 52);
    assert_int_equal(words[51], 0xa0000000u + 63);
    assert_int_equal(words[52], 0xffffffffu);
    assert_int_equal(bus->accesses[0x100], 72);
    /* Sizes the handler declines: every element through the io_handler. */
    d.next = 0;
    d.element_calls = 0;
    uint16_t halves[3] = {1, 2, 3};
    assert_int_equal(iobus_access_string(bus, 0x100, 2, IO_OUT, (uint8_t *)halves, 3), 0);
    assert_int_equal(d.element_calls, 3);
    assert_int_equal(d.store[2], 3);
    /* An access that runs past the region never reaches the string handler. */
    unsigned calls = d.string_calls;
    assert_int_equal(iobus_access_string(bus, 0x102, 4, IO_IN, (uint8_t *)words, 2), 0);
    assert_int_equal(d.string_calls, calls);
    /* The per-port counter saturates. */
    bus->accesses[0x100] = UINT32_MAX - 2;
    d.next = 0;
    assert_int_equal(iobus_access_string(bus, 0x100, 4, IO_OUT, (uint8_t *)words, 5), 5);
    assert_int_equal(bus->accesses[0x100], UINT32_MAX);
    free(bus);
}

static void test_string_to_denied_port(void **state)
{
    (void)state;
    struct iobus *bus = new_bus();
    struct block_device d = {.limit = 64};
    assert_int_equal(iobus_register(bus, 0x100, 8, block_io, &d, "block"), IOBUS_OK);
    assert_true(iobus_set_string_handler(bus, 0x100, block_string));
    assert_int_equal(iobus_deny(bus, 0x104, 1, "hypervisor"), IOBUS_OK);
    uint32_t words[4] = {1, 2, 3, 4};
    assert_int_equal(iobus_access_string(bus, 0x101, 4, IO_IN, (uint8_t *)words, 4), 0);
    assert_int_equal(d.string_calls + d.element_calls, 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(words[i], 0xffffffffu);
    assert_int_equal(bus->denied_accesses, 4);
    assert_int_equal(bus->accesses[0x101], 4);
    assert_int_equal(iobus_access_string(bus, 0x100, 4, IO_IN, (uint8_t *)words, 4), 4);
    free(bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_dispatch),
        cmocka_unit_test(test_overlaps_and_bad_ranges_refused),
        cmocka_unit_test(test_unclaimed_ports),
        cmocka_unit_test(test_denied_ports),
        cmocka_unit_test(test_denied_ports_reported_once_per_direction),
        cmocka_unit_test(test_passthrough_regions),
        cmocka_unit_test(test_lookup_tables_match_search),
        cmocka_unit_test(test_string_without_handler_goes_element_by_element),
        cmocka_unit_test(test_string_handler_and_fallback),
        cmocka_unit_test(test_string_to_denied_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
