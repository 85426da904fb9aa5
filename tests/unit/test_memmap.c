/* Unit tests for kernel/memmap.c: building the usable list from firmware entries, reserving and
 * carving. Build: test_memmap.c kernel/memmap.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/memmap.h"

#define AVAIL        MB2_MMAP_AVAILABLE
#define RESERVED     MB2_MMAP_RESERVED
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void expect_ranges(const struct memmap *map, const struct mem_range *expected, unsigned n)
{
    assert_int_equal(map->count, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(map->r[i].base, expected[i].base);
        assert_int_equal(map->r[i].end, expected[i].end);
    }
}

/* A PC-like map: low memory, BIOS area, RAM with a reserved hole in it and a reserved region
 * overlapping its end, plus an available entry duplicating part of the RAM. */
static const struct mb2_mmap_entry pc_entries[] = {
    {0x0, 0x9fc00, AVAIL, 0},
    {0x9fc00, 0x400, RESERVED, 0},
    {0xe0000, 0x20000, RESERVED, 0},
    {0x100000, 0x7f00000, AVAIL, 0},                  /* [1 MiB, 128 MiB) */
    {0x7ff0000, 0x20000, MB2_MMAP_ACPI_NVS, 0},       /* overlaps the end of RAM */
    {0x4000000, 0x1000000, AVAIL, 0},                 /* duplicate inside RAM */
    {0x2000800, 0x800, MB2_MMAP_ACPI_RECLAIMABLE, 0}, /* unaligned hole */
};

static const struct mem_range pc_expected[] = {
    {0x0, 0x9f000},
    {0x100000, 0x2000000},
    {0x2001000, 0x7ff0000},
};

static void test_overlapping_available_and_reserved(void **state)
{
    (void)state;
    static struct memmap map;
    assert_int_equal(memmap_build(&map, pc_entries, ARRAY_LEN(pc_entries)), MEMMAP_OK);
    expect_ranges(&map, pc_expected, ARRAY_LEN(pc_expected));
    assert_false(map.overflow);
    assert_int_equal(memmap_total(&map), 0x9f000 + 0x1f00000 + 0x5fef000);
    assert_int_equal(memmap_highest_end(&map), 0x7ff0000);
}

static void test_unsorted_entries(void **state)
{
    (void)state;
    static struct memmap map;
    /* Reversed and with reserved entries before the available ones they cut. */
    const struct mb2_mmap_entry reversed[] = {
        pc_entries[6], pc_entries[5], pc_entries[4], pc_entries[3],
        pc_entries[2], pc_entries[1], pc_entries[0],
    };
    assert_int_equal(memmap_build(&map, reversed, ARRAY_LEN(reversed)), MEMMAP_OK);
    expect_ranges(&map, pc_expected, ARRAY_LEN(pc_expected));

    const struct mb2_mmap_entry shuffled[] = {
        pc_entries[4], pc_entries[0], pc_entries[6], pc_entries[2],
        pc_entries[5], pc_entries[1], pc_entries[3],
    };
    assert_int_equal(memmap_build(&map, shuffled, ARRAY_LEN(shuffled)), MEMMAP_OK);
    expect_ranges(&map, pc_expected, ARRAY_LEN(pc_expected));
}

static void test_wrap_around_is_clipped(void **state)
{
    (void)state;
    static struct memmap map;
    const struct mb2_mmap_entry entries[] = {
        {0xffffffffffff0000, 0x20000, AVAIL, 0},    /* wraps past 2^64 */
        {0xffffffffffff8000, 0x10000, RESERVED, 0}, /* wraps too */
        {0x100000, 0x100000, AVAIL, 0},
    };
    assert_int_equal(memmap_build(&map, entries, ARRAY_LEN(entries)), MEMMAP_OK);
    const struct mem_range expected[] = {
        {0x100000, 0x200000},
        {0xffffffffffff0000, 0xffffffffffff8000},
    };
    expect_ranges(&map, expected, ARRAY_LEN(expected));

    const struct mb2_mmap_entry huge[] = {{0x1000, UINT64_MAX, AVAIL, 0}};
    assert_int_equal(memmap_build(&map, huge, 1), MEMMAP_OK);
    const struct mem_range huge_expected[] = {{0x1000, 0xfffffffffffff000}};
    expect_ranges(&map, huge_expected, 1);
    assert_int_equal(memmap_total(&map), 0xffffffffffffe000);
}

static void test_alignment_inward_and_zero_length(void **state)
{
    (void)state;
    static struct memmap map;
    const struct mb2_mmap_entry entries[] = {
        {0x1234, 0x5678 - 0x1234, AVAIL, 0},
        {0x10010, 0xfe0, AVAIL, 0},  /* no whole page: dropped */
        {0x20800, 0x1000, AVAIL, 0}, /* [0x20800, 0x21800) and ... */
        {0x21800, 0x1c00, AVAIL, 0}, /* [0x21800, 0x23400) together cover [0x21000, 0x23000) */
        {0x50000, 0, AVAIL, 0},      /* zero length */
        {0x22000, 0, RESERVED, 0},   /* zero length: reserves nothing */
    };
    assert_int_equal(memmap_build(&map, entries, ARRAY_LEN(entries)), MEMMAP_OK);
    const struct mem_range expected[] = {{0x2000, 0x5000}, {0x21000, 0x23000}};
    expect_ranges(&map, expected, ARRAY_LEN(expected));

    /* memmap_add_usable shrinks inward too and merges with touching ranges. */
    assert_int_equal(memmap_add_usable(&map, 0x5000, 0x6fff), MEMMAP_OK);
    assert_int_equal(memmap_add_usable(&map, 0x7001, 0x7fff), MEMMAP_OK); /* nothing */
    assert_int_equal(memmap_add_usable(&map, 0x9000, 0x8000), MEMMAP_ERR_INVERTED_RANGE);
    const struct mem_range added[] = {{0x2000, 0x6000}, {0x21000, 0x23000}};
    expect_ranges(&map, added, ARRAY_LEN(added));
}

static void test_build_arguments(void **state)
{
    (void)state;
    static struct memmap map;
    map.count = 7;
    assert_int_equal(memmap_build(&map, NULL, 0), MEMMAP_OK);
    assert_int_equal(map.count, 0);
    assert_int_equal(memmap_highest_end(&map), 0);
    assert_int_equal(memmap_total(&map), 0);
    assert_int_equal(memmap_build(&map, NULL, 1), MEMMAP_ERR_NULL_ARGUMENT);
    assert_int_equal(memmap_build(NULL, pc_entries, 1), MEMMAP_ERR_NULL_ARGUMENT);
}

static void make_three_ranges(struct memmap *map)
{
    memmap_init(map);
    assert_int_equal(memmap_add_usable(map, 0x1000000, 0x2000000), MEMMAP_OK);
    assert_int_equal(memmap_add_usable(map, 0x100000, 0x400000), MEMMAP_OK);
    assert_int_equal(memmap_add_usable(map, 0x800000, 0xc00000), MEMMAP_OK);
}

static void test_reserve_middle_edges_spanning(void **state)
{
    (void)state;
    static struct memmap map;
    make_three_ranges(&map);
    const struct mem_range start[] = {
        {0x100000, 0x400000}, {0x800000, 0xc00000}, {0x1000000, 0x2000000}};
    expect_ranges(&map, start, 3);

    /* Middle: splits, widened outward to pages. */
    assert_int_equal(memmap_reserve(&map, 0x200000, 0x201234), MEMMAP_OK);
    const struct mem_range middle[] = {
        {0x100000, 0x200000}, {0x202000, 0x400000}, {0x800000, 0xc00000}, {0x1000000, 0x2000000}};
    expect_ranges(&map, middle, 4);

    /* Edges: trims. */
    assert_int_equal(memmap_reserve(&map, 0x7ff000, 0x900000), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&map, 0xbff001, 0xc00000), MEMMAP_OK);
    const struct mem_range edges[] = {
        {0x100000, 0x200000}, {0x202000, 0x400000}, {0x900000, 0xbff000}, {0x1000000, 0x2000000}};
    expect_ranges(&map, edges, 4);

    /* Spanning: trims one, removes one, trims another. */
    assert_int_equal(memmap_reserve(&map, 0x300000, 0x1100000), MEMMAP_OK);
    const struct mem_range spanning[] = {
        {0x100000, 0x200000}, {0x202000, 0x300000}, {0x1100000, 0x2000000}};
    expect_ranges(&map, spanning, 3);

    /* Unaligned both ends: every touched page goes. */
    assert_int_equal(memmap_reserve(&map, 0x100fff, 0x101001), MEMMAP_OK);
    const struct mem_range after_unaligned[] = {
        {0x102000, 0x200000}, {0x202000, 0x300000}, {0x1100000, 0x2000000}};
    /* Widened to [0x100000, 0x102000): the first range loses its first two pages. */
    expect_ranges(&map, after_unaligned, 3);

    /* Empty, outside and inverted. */
    assert_int_equal(memmap_reserve(&map, 0x150000, 0x150000), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&map, 0x3000000, 0x4000000), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&map, 0x180000, 0x170000), MEMMAP_ERR_INVERTED_RANGE);
    expect_ranges(&map, after_unaligned, 3);

    /* Everything up to 2^64. */
    assert_int_equal(memmap_reserve(&map, 0x1f00000, UINT64_MAX), MEMMAP_OK);
    assert_int_equal(memmap_highest_end(&map), 0x1f00000);
    assert_int_equal(memmap_reserve(&map, 0, UINT64_MAX), MEMMAP_OK);
    assert_int_equal(map.count, 0);
    assert_false(map.overflow);
}

static void test_reserve_when_full_drops_usable_only(void **state)
{
    (void)state;
    static struct memmap map;
    memmap_init(&map);
    for (uint64_t i = 0; i < MEMMAP_MAX; i++) {
        assert_int_equal(memmap_add_usable(&map, i * 0x4000, i * 0x4000 + 0x3000), MEMMAP_OK);
    }
    assert_int_equal(map.count, MEMMAP_MAX);
    assert_int_equal(memmap_add_usable(&map, 0x10000000, 0x10001000), MEMMAP_ERR_FULL);
    assert_true(map.overflow);
    assert_int_equal(map.count, MEMMAP_MAX);

    map.overflow = false;
    /* Middle page of range 5: the split has no slot, the part above the hole is dropped. */
    assert_int_equal(memmap_reserve(&map, 5 * 0x4000 + 0x1000, 5 * 0x4000 + 0x2000),
                     MEMMAP_ERR_FULL);
    assert_true(map.overflow);
    assert_int_equal(map.count, MEMMAP_MAX);
    assert_int_equal(map.r[5].base, 5 * 0x4000);
    assert_int_equal(map.r[5].end, 5 * 0x4000 + 0x1000);
    assert_int_equal(map.r[6].base, 6 * 0x4000);
    assert_false(memmap_contains(&map, 5 * 0x4000 + 0x1000, 5 * 0x4000 + 0x2000));

    /* Trimming and removing need no slot. */
    assert_int_equal(memmap_reserve(&map, 7 * 0x4000, 7 * 0x4000 + 0x1000), MEMMAP_OK);
    assert_int_equal(map.r[7].base, 7 * 0x4000 + 0x1000);
}

static void test_carve_with_alignment(void **state)
{
    (void)state;
    static struct memmap map;
    memmap_init(&map);
    assert_int_equal(memmap_add_usable(&map, 0x1000, 0x200000), MEMMAP_OK);
    assert_int_equal(memmap_add_usable(&map, 0x400000, 0x800000), MEMMAP_OK);
    uint64_t total = memmap_total(&map);
    uint64_t base = 0;

    /* 2 MiB alignment does not fit in the first range. */
    assert_int_equal(memmap_carve(&map, 0x3000, 0x200000, &base), MEMMAP_OK);
    assert_int_equal(base, 0x400000);
    const struct mem_range after_first[] = {{0x1000, 0x200000}, {0x403000, 0x800000}};
    expect_ranges(&map, after_first, 2);
    assert_int_equal(memmap_total(&map), total - 0x3000);

    /* Size rounds up to a page; aligned start inside a range splits it. */
    assert_int_equal(memmap_carve(&map, 0x1800, 0x10000, &base), MEMMAP_OK);
    assert_int_equal(base, 0x10000);
    const struct mem_range after_second[] = {
        {0x1000, 0x10000}, {0x12000, 0x200000}, {0x403000, 0x800000}};
    expect_ranges(&map, after_second, 3);
    assert_false(memmap_contains(&map, base, base + 0x2000));

    /* Alignment 0 or below a page means page alignment: lowest free page. */
    assert_int_equal(memmap_carve(&map, 1, 0, &base), MEMMAP_OK);
    assert_int_equal(base, 0x1000);
    assert_int_equal(memmap_carve(&map, 0x1000, 8, &base), MEMMAP_OK);
    assert_int_equal(base, 0x2000);
    assert_int_equal(map.r[0].base, 0x3000);

    /* Fits only in the last range. */
    assert_int_equal(memmap_carve(&map, 0x300000, 0x1000, &base), MEMMAP_OK);
    assert_int_equal(base, 0x403000);

    base = 0xdead;
    assert_int_equal(memmap_carve(&map, 0x400000, 0x1000, &base), MEMMAP_ERR_NO_SPACE);
    assert_int_equal(memmap_carve(&map, UINT64_MAX, 0x1000, &base), MEMMAP_ERR_NO_SPACE);
    assert_int_equal(memmap_carve(&map, 0x1000, 0x3000, &base), MEMMAP_ERR_BAD_ALIGNMENT);
    assert_int_equal(memmap_carve(&map, 0, 0x1000, &base), MEMMAP_ERR_ZERO_SIZE);
    assert_int_equal(memmap_carve(&map, 0x1000, 0x1000, NULL), MEMMAP_ERR_NULL_ARGUMENT);
    assert_int_equal(memmap_carve(&map, 0x1000, (uint64_t)1 << 63, &base), MEMMAP_ERR_NO_SPACE);
    assert_int_equal(base, 0xdead);
}

static void test_contains(void **state)
{
    (void)state;
    static struct memmap map;
    make_three_ranges(&map);
    assert_true(memmap_contains(&map, 0x100000, 0x400000));
    assert_true(memmap_contains(&map, 0x3ff000, 0x400000));
    assert_false(memmap_contains(&map, 0x3ff000, 0x401000));
    assert_false(memmap_contains(&map, 0x400000, 0x401000));
    assert_false(memmap_contains(&map, 0x300000, 0x900000)); /* spans a gap */
    assert_false(memmap_contains(&map, 0x0, 0x1000));
    assert_false(memmap_contains(&map, 0x2000000, 0x2001000));
    assert_false(memmap_contains(&map, 0x200000, 0x100000));
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(memmap_strerror(MEMMAP_OK), "success");
    assert_string_equal(memmap_strerror(MEMMAP_ERR_BAD_ALIGNMENT),
                        "alignment is not a power of two");
    for (int s = MEMMAP_ERR_NULL_ARGUMENT; s <= MEMMAP_ERR_NO_SPACE; s++) {
        assert_string_not_equal(memmap_strerror((enum memmap_status)s),
                                "unknown memory map status");
    }
    assert_string_equal(memmap_strerror((enum memmap_status)999), "unknown memory map status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlapping_available_and_reserved),
        cmocka_unit_test(test_unsorted_entries),
        cmocka_unit_test(test_wrap_around_is_clipped),
        cmocka_unit_test(test_alignment_inward_and_zero_length),
        cmocka_unit_test(test_build_arguments),
        cmocka_unit_test(test_reserve_middle_edges_spanning),
        cmocka_unit_test(test_reserve_when_full_drops_usable_only),
        cmocka_unit_test(test_carve_with_alignment),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
