/* Unit tests for kernel/pmm.c: the allocator never hands out reserved pages, detects bad frees,
 * allocates contiguous aligned runs and reports exhaustion. Build: test_pmm.c kernel/pmm.c
 * kernel/memmap.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/memmap.h"
#include "kernel/pmm.h"

#define PAGE           0x1000u
#define KERNEL_BASE    0x100000u
#define KERNEL_END     0x180000u
#define MODULE_BASE    0x300123u
#define MODULE_END     0x310456u
#define HIGH_RAM_END   0x1043000u /* not a multiple of 64 pages */
#define MAX_TEST_PAGES (HIGH_RAM_END / PAGE)

struct fixture {
    struct memmap map; /* usable map handed to pmm_init */
    uint64_t bitmap_phys;
    uint64_t bitmap[128];
    struct pmm pmm;
};

/* A small PC: low RAM, RAM from 1 MiB with kernel and a module in it, a high range. The first
 * MiB, kernel, module and the (pretend) physical home of the bitmap are reserved. */
static void setup_pc(struct fixture *f)
{
    const struct mb2_mmap_entry entries[] = {
        {0x0, 0x9fc00, MB2_MMAP_AVAILABLE, 0},
        {0xf0000, 0x10000, MB2_MMAP_RESERVED, 0},
        {0x100000, 0x700000, MB2_MMAP_AVAILABLE, 0},
        {0x1000000, HIGH_RAM_END - 0x1000000, MB2_MMAP_AVAILABLE, 0},
    };
    assert_int_equal(memmap_build(&f->map, entries, 4), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&f->map, 0, 0x100000), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&f->map, KERNEL_BASE, KERNEL_END), MEMMAP_OK);
    assert_int_equal(memmap_reserve(&f->map, MODULE_BASE, MODULE_END), MEMMAP_OK);
    size_t words = pmm_bitmap_words_for(memmap_highest_end(&f->map));
    assert_int_equal(words, 66);
    assert_int_equal(memmap_carve(&f->map, words * sizeof(uint64_t), PAGE, &f->bitmap_phys),
                     MEMMAP_OK);
    assert_int_equal(f->bitmap_phys, KERNEL_END);
    assert_int_equal(pmm_init(&f->pmm, f->bitmap, 128, &f->map), PMM_OK);
}

static bool in_reserved_region(uint64_t phys)
{
    return phys < 0x100000 || (phys >= KERNEL_BASE && phys < KERNEL_END) ||
           (phys >= (MODULE_BASE & ~0xfffu) && phys < ((MODULE_END + 0xfff) & ~0xfffu)) ||
           (phys >= 0x800000 && phys < 0x1000000) || phys >= HIGH_RAM_END;
}

static void test_never_returns_reserved_page(void **state)
{
    (void)state;
    static struct fixture f;
    static bool seen[MAX_TEST_PAGES];
    memset(seen, 0, sizeof seen);
    setup_pc(&f);

    /* 0x100000..0x800000 minus kernel (128 pages), module (17 pages), bitmap (1 page),
     * plus 0x43 high pages. */
    uint64_t expected_total = (0x700 - 0x80 - 17 - 1) + 0x43;
    assert_int_equal(pmm_total_count(&f.pmm), expected_total);
    assert_int_equal(pmm_free_count(&f.pmm), expected_total);

    uint64_t phys, allocated = 0;
    while (pmm_alloc_page(&f.pmm, &phys)) {
        assert_int_equal(phys % PAGE, 0);
        assert_true(phys < HIGH_RAM_END);
        assert_false(in_reserved_region(phys));
        assert_false(phys == f.bitmap_phys);
        assert_true(memmap_contains(&f.map, phys, phys + PAGE));
        assert_false(seen[phys / PAGE]);
        seen[phys / PAGE] = true;
        allocated++;
        assert_true(allocated <= expected_total);
    }
    assert_int_equal(allocated, expected_total);
    assert_int_equal(pmm_free_count(&f.pmm), 0);
    assert_true(seen[0x180000 / PAGE + 1]);
    assert_true(seen[(HIGH_RAM_END - PAGE) / PAGE]);
    assert_false(seen[0x300000 / PAGE]);
    assert_false(seen[0x310000 / PAGE]);
    assert_true(seen[0x311000 / PAGE]);
}

static void test_exhaustion_returns_false(void **state)
{
    (void)state;
    static struct fixture f;
    setup_pc(&f);
    uint64_t phys, last = 0;
    while (pmm_alloc_page(&f.pmm, &phys)) {
        last = phys;
    }
    phys = 0xdead000;
    assert_false(pmm_alloc_page(&f.pmm, &phys));
    assert_false(pmm_alloc_pages(&f.pmm, 1, 1, &phys));
    assert_int_equal(phys, 0xdead000);
    assert_int_equal(pmm_free_count(&f.pmm), 0);

    /* Freeing one page makes exactly that page available again. */
    assert_int_equal(pmm_free_page(&f.pmm, last), PMM_OK);
    assert_int_equal(pmm_free_count(&f.pmm), 1);
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, last);
    assert_false(pmm_alloc_page(&f.pmm, &phys));
}

static void test_double_free_detected(void **state)
{
    (void)state;
    static struct fixture f;
    setup_pc(&f);
    uint64_t a, b;
    assert_true(pmm_alloc_page(&f.pmm, &a));
    assert_true(pmm_alloc_page(&f.pmm, &b));
    uint64_t free_before = pmm_free_count(&f.pmm);
    assert_int_equal(pmm_free_page(&f.pmm, a), PMM_OK);
    assert_int_equal(pmm_free_count(&f.pmm), free_before + 1);
    assert_int_equal(pmm_free_page(&f.pmm, a), PMM_ERR_DOUBLE_FREE);
    assert_int_equal(pmm_free_count(&f.pmm), free_before + 1);

    /* A never-allocated usable page is a double free too. */
    assert_int_equal(pmm_free_page(&f.pmm, 0x700000), PMM_ERR_DOUBLE_FREE);

    /* A run with one free page in it is rejected as a whole: b stays allocated. */
    assert_int_equal(b, a + PAGE);
    assert_int_equal(pmm_free_pages(&f.pmm, a, 2), PMM_ERR_DOUBLE_FREE);
    assert_int_equal(pmm_free_page(&f.pmm, b), PMM_OK);
    assert_int_equal(pmm_free_count(&f.pmm), pmm_total_count(&f.pmm));
}

static void test_free_of_reserved_page_detected(void **state)
{
    (void)state;
    static struct fixture f;
    setup_pc(&f);
    uint64_t total = pmm_free_count(&f.pmm);
    assert_int_equal(pmm_free_page(&f.pmm, 0x0), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, 0x9e000), PMM_ERR_NOT_USABLE); /* first MiB */
    assert_int_equal(pmm_free_page(&f.pmm, KERNEL_BASE), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, KERNEL_END - PAGE), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, 0x310000), PMM_ERR_NOT_USABLE); /* module tail */
    assert_int_equal(pmm_free_page(&f.pmm, f.bitmap_phys), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, 0x900000), PMM_ERR_NOT_USABLE); /* hole */
    assert_int_equal(pmm_free_page(&f.pmm, HIGH_RAM_END), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, 0x40000000), PMM_ERR_NOT_USABLE); /* untracked */
    assert_int_equal(pmm_free_page(&f.pmm, 0xfffffffffffff000), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_pages(&f.pmm, 0x7ff000, 2), PMM_ERR_NOT_USABLE); /* crosses end */
    assert_int_equal(pmm_free_pages(&f.pmm, 0x200000, UINT64_MAX), PMM_ERR_NOT_USABLE);
    assert_int_equal(pmm_free_page(&f.pmm, 0x200001), PMM_ERR_UNALIGNED);
    assert_int_equal(pmm_free_page(NULL, 0x200000), PMM_ERR_NULL_ARGUMENT);
    assert_int_equal(pmm_free_count(&f.pmm), total);
}

/* Usable pages 1..8 and 16..31: the low run is not 8-aligned. */
static void setup_fragmented(struct fixture *f)
{
    memmap_init(&f->map);
    assert_int_equal(memmap_add_usable(&f->map, 0x1000, 0x9000), MEMMAP_OK);
    assert_int_equal(memmap_add_usable(&f->map, 0x10000, 0x20000), MEMMAP_OK);
    assert_int_equal(pmm_init(&f->pmm, f->bitmap, 1, &f->map), PMM_OK);
    assert_int_equal(pmm_total_count(&f->pmm), 24);
}

static void test_contiguous_aligned_allocation(void **state)
{
    (void)state;
    static struct fixture f;
    setup_fragmented(&f);
    uint64_t phys;

    assert_true(pmm_alloc_pages(&f.pmm, 8, 8, &phys));
    assert_int_equal(phys, 0x10000);
    assert_int_equal(pmm_free_count(&f.pmm), 16);

    assert_true(pmm_alloc_pages(&f.pmm, 4, 4, &phys));
    assert_int_equal(phys, 0x18000);

    /* Next fit from page 28 finds only 4 pages, so the search wraps to pages 1..8. */
    assert_true(pmm_alloc_pages(&f.pmm, 8, 1, &phys));
    assert_int_equal(phys, 0x1000);

    assert_true(pmm_alloc_pages(&f.pmm, 2, 2, &phys));
    assert_int_equal(phys, 0x1c000);
    assert_int_equal(pmm_free_count(&f.pmm), 2);

    /* Two pages left (30, 31): no run of 4, and not 4-aligned for 2 either. */
    phys = 0xdead000;
    assert_false(pmm_alloc_pages(&f.pmm, 4, 1, &phys));
    assert_false(pmm_alloc_pages(&f.pmm, 2, 4, &phys));
    assert_false(pmm_alloc_pages(&f.pmm, 1, 3, &phys)); /* alignment not a power of two */
    assert_false(pmm_alloc_pages(&f.pmm, 0, 1, &phys));
    assert_int_equal(phys, 0xdead000);
    assert_int_equal(pmm_free_count(&f.pmm), 2);

    /* Free the first run and take it back as one aligned run of 8. */
    assert_int_equal(pmm_free_pages(&f.pmm, 0x10000, 8), PMM_OK);
    assert_int_equal(pmm_free_pages(&f.pmm, 0x10000, 8), PMM_ERR_DOUBLE_FREE);
    assert_true(pmm_alloc_pages(&f.pmm, 8, 8, &phys));
    assert_int_equal(phys, 0x10000);

    /* The single-page allocator never hands out pages of a run. */
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, 0x1e000);
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, 0x1f000);
    assert_false(pmm_alloc_page(&f.pmm, &phys));
}

static void test_contiguous_large_alignment(void **state)
{
    (void)state;
    static struct fixture f;
    setup_pc(&f);
    uint64_t phys;
    /* 2 MiB aligned 2 MiB: [0x200000, 0x400000) holds the module, so 0x400000 comes first. */
    assert_true(pmm_alloc_pages(&f.pmm, 512, 512, &phys));
    assert_int_equal(phys, 0x400000);
    assert_true(pmm_alloc_pages(&f.pmm, 512, 512, &phys));
    assert_int_equal(phys, 0x600000);
    /* No aligned 2 MiB left, nor any 512-page run (383 and 239 pages below 0x400000). */
    assert_false(pmm_alloc_pages(&f.pmm, 512, 512, &phys));
    assert_false(pmm_alloc_pages(&f.pmm, 512, 1, &phys));
    /* After freeing the first run, an unaligned run of 512 fits from the end of the module. */
    assert_int_equal(pmm_free_pages(&f.pmm, 0x400000, 512), PMM_OK);
    assert_true(pmm_alloc_pages(&f.pmm, 512, 0, &phys));
    assert_int_equal(phys, 0x311000);
    assert_false(pmm_alloc_pages(&f.pmm, 1, (uint64_t)1 << 63, &phys));
}

static void test_next_fit(void **state)
{
    (void)state;
    static struct fixture f;
    memmap_init(&f.map);
    assert_int_equal(memmap_add_usable(&f.map, 0x10000, 0x20000), MEMMAP_OK);
    assert_int_equal(pmm_init(&f.pmm, f.bitmap, 1, &f.map), PMM_OK);
    uint64_t phys;
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, 0x10000);
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, 0x11000);
    assert_int_equal(pmm_free_page(&f.pmm, 0x10000), PMM_OK);
    /* The search continues after the last allocation, then wraps. */
    for (uint64_t expect = 0x12000; expect < 0x20000; expect += PAGE) {
        assert_true(pmm_alloc_page(&f.pmm, &phys));
        assert_int_equal(phys, expect);
    }
    assert_true(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(phys, 0x10000);
    assert_false(pmm_alloc_page(&f.pmm, &phys));
}

static void test_init_checks(void **state)
{
    (void)state;
    static struct fixture f;
    memmap_init(&f.map);
    assert_int_equal(memmap_add_usable(&f.map, 0x100000, HIGH_RAM_END), MEMMAP_OK);
    assert_int_equal(pmm_init(&f.pmm, f.bitmap, 65, &f.map), PMM_ERR_BITMAP_TOO_SMALL);
    assert_int_equal(pmm_init(&f.pmm, NULL, 66, &f.map), PMM_ERR_NULL_ARGUMENT);
    assert_int_equal(pmm_init(&f.pmm, f.bitmap, 66, NULL), PMM_ERR_NULL_ARGUMENT);
    assert_int_equal(pmm_init(&f.pmm, f.bitmap, 66, &f.map), PMM_OK);
    assert_int_equal(pmm_total_count(&f.pmm), (HIGH_RAM_END - 0x100000) / PAGE);

    /* An empty map needs no storage and allocates nothing. */
    memmap_init(&f.map);
    assert_int_equal(pmm_init(&f.pmm, NULL, 0, &f.map), PMM_OK);
    uint64_t phys;
    assert_false(pmm_alloc_page(&f.pmm, &phys));
    assert_int_equal(pmm_total_count(&f.pmm), 0);
}

static void test_bitmap_words_for(void **state)
{
    (void)state;
    assert_int_equal(pmm_bitmap_words_for(0), 0);
    assert_int_equal(pmm_bitmap_words_for(1), 1);
    assert_int_equal(pmm_bitmap_words_for(PAGE), 1);
    assert_int_equal(pmm_bitmap_words_for(64 * PAGE), 1);
    assert_int_equal(pmm_bitmap_words_for(64 * PAGE + 1), 2);
    assert_int_equal(pmm_bitmap_words_for(0x100000000), 16384);
    assert_int_equal(pmm_bitmap_words_for(UINT64_MAX), (size_t)1 << 46);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(pmm_strerror(PMM_OK), "success");
    assert_string_equal(pmm_strerror(PMM_ERR_DOUBLE_FREE), "page is already free (double free)");
    for (int s = PMM_ERR_NULL_ARGUMENT; s <= PMM_ERR_DOUBLE_FREE; s++) {
        assert_string_not_equal(pmm_strerror((enum pmm_status)s), "unknown page allocator status");
    }
    assert_string_equal(pmm_strerror((enum pmm_status)999), "unknown page allocator status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_never_returns_reserved_page),
        cmocka_unit_test(test_exhaustion_returns_false),
        cmocka_unit_test(test_double_free_detected),
        cmocka_unit_test(test_free_of_reserved_page_detected),
        cmocka_unit_test(test_contiguous_aligned_allocation),
        cmocka_unit_test(test_contiguous_large_alignment),
        cmocka_unit_test(test_next_fit),
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_bitmap_words_for),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
