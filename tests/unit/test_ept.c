/* Unit tests (cmocka) for vmm/vmx/ept.c: EPT tables built in malloc'ed pages at fake physical
 * addresses; large and small mappings, splits, unmapping, walks, EPTP, bad arguments, failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/ept.h"

/* ---- Fake physical memory for tables ----------------------------------------------------------
 * Table n lives at FAKE_BASE + n * 4096; its contents are an aligned_alloc'ed page filled with
 * garbage, so the code under test must zero it. Address bits 63:32 are ignored (aliases), so that
 * a table the allocator places above 4 GiB is usable unless the code under test refuses it. */

#define FAKE_BASE  0x7f000000ull
#define MAX_TABLES 64
#define PAGE       4096u

struct fake_mem {
    void *pages[MAX_TABLES];
    size_t allocated;
    size_t freed;
    size_t fail_after;    /* allocations allowed before alloc_table fails; SIZE_MAX: never */
    uint64_t phys_offset; /* added to the addresses handed out, to make them bad */
    uint64_t last_freed;
};

/* Index of the page holding phys, or MAX_TABLES if phys is outside the fake range. */
static uint64_t fake_index(uint64_t phys)
{
    uint64_t low = phys & 0xffffffffull;
    if (low < FAKE_BASE || (low - FAKE_BASE) / PAGE >= MAX_TABLES)
        return MAX_TABLES;
    return (low - FAKE_BASE) / PAGE;
}

static bool fake_alloc(void *ctx, uint64_t *phys_out)
{
    struct fake_mem *m = ctx;
    if (m->allocated >= m->fail_after || m->allocated >= MAX_TABLES)
        return false;
    void *page = aligned_alloc(PAGE, PAGE);
    assert_non_null(page);
    memset(page, 0xa5, PAGE);
    m->pages[m->allocated] = page;
    *phys_out = FAKE_BASE + m->allocated * PAGE + m->phys_offset;
    m->allocated++;
    return true;
}

static void *fake_phys_to_ptr(void *ctx, uint64_t phys)
{
    struct fake_mem *m = ctx;
    uint64_t n = fake_index(phys);
    if (n == MAX_TABLES || m->pages[n] == NULL) /* NULL once freed */
        return NULL;
    /* An unaligned address yields an unaligned pointer: using it as a table overruns the page. */
    return (char *)m->pages[n] + phys % PAGE;
}

static void fake_free(void *ctx, uint64_t phys)
{
    struct fake_mem *m = ctx;
    m->last_freed = phys;
    m->freed++;
    uint64_t n = fake_index(phys);
    if (n == MAX_TABLES)
        return; /* a bad address the test made the allocator hand out; teardown frees its page */
    assert_non_null(m->pages[n]); /* no double free */
    free(m->pages[n]);
    m->pages[n] = NULL;
}

struct fixture {
    struct fake_mem mem;
    struct ept_ops ops;
    struct ept ept;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    f->mem.fail_after = SIZE_MAX;
    f->ops.alloc_table = fake_alloc;
    f->ops.phys_to_ptr = fake_phys_to_ptr;
    f->ops.free_table = fake_free;
    f->ops.ctx = &f->mem;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < MAX_TABLES; i++)
        free(f->mem.pages[i]);
    free(f);
    return 0;
}

static struct fixture *init_fixture(void **state, unsigned phys_bits)
{
    struct fixture *f = *state;
    assert_int_equal(ept_init(&f->ept, &f->ops, phys_bits), EPT_OK);
    return f;
}

/* The table at fake physical address phys, for tests that inspect or plant entries. */
static uint64_t *table_of(struct fixture *f, uint64_t phys)
{
    uint64_t *t = fake_phys_to_ptr(&f->mem, phys);
    assert_non_null(t);
    return t;
}

#define MiB(n) ((uint64_t)(n) << 20)
#define GiB(n) ((uint64_t)(n) << 30)
#define RWX    7u
#define WB     6u
#define UC     0u

static void expect_mapped(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t perms,
                          unsigned memtype, uint64_t page_size)
{
    struct ept_walk_result r;
    assert_int_equal(ept_walk(e, gpa, &r), EPT_OK);
    if (!r.mapped)
        fail_msg("gpa 0x%llx not mapped", (unsigned long long)gpa);
    assert_int_equal(r.hpa, hpa);
    assert_int_equal(r.perms, perms);
    assert_int_equal(r.memtype, memtype);
    assert_int_equal(r.page_size, page_size);
    assert_int_equal(r.level, page_size == 0x1000 ? 1 : page_size == 0x200000 ? 2 : 3);
}

static void expect_unmapped(const struct ept *e, uint64_t gpa, unsigned level)
{
    struct ept_walk_result r;
    assert_int_equal(ept_walk(e, gpa, &r), EPT_OK);
    if (r.mapped)
        fail_msg("gpa 0x%llx unexpectedly mapped", (unsigned long long)gpa);
    assert_int_equal(r.level, level);
    assert_int_equal(r.entry, 0);
    assert_int_equal(r.perms, 0);
}

/* ---- Tests ----------------------------------------------------------------------------------- */

/* The checksum sees any change of a mapping at any level, and ignores the accessed/dirty flags
 * the processor sets in entries it walks. */
static void test_checksum(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    uint64_t empty = ept_checksum(&f->ept, 1);
    assert_int_equal(ept_map_range(&f->ept, 0, MiB(64), MiB(4) + 0x3000, RWX, WB), EPT_OK);
    uint64_t mapped = ept_checksum(&f->ept, 1);
    assert_true(mapped != empty);
    assert_int_equal(ept_checksum(&f->ept, 1), mapped); /* deterministic */
    assert_true(ept_checksum(&f->ept, 2) != mapped);     /* folds into the hash given */

    struct ept_walk_result r;
    assert_int_equal(ept_walk(&f->ept, MiB(4) + 0x1000, &r), EPT_OK); /* a 4 KiB leaf */
    uint64_t pdpt_phys = table_of(f, f->ept.pml4_phys)[0] & ~0xfffull;
    uint64_t pd_phys = table_of(f, pdpt_phys)[0] & ~0xfffull;
    uint64_t *pt = table_of(f, table_of(f, pd_phys)[2] & ~0xfffull);
    pt[1] |= (1ull << 8) | (1ull << 9); /* accessed and dirty */
    assert_int_equal(ept_checksum(&f->ept, 1), mapped);
    pt[1] &= ~2ull; /* write permission removed in a leaf three levels down */
    assert_true(ept_checksum(&f->ept, 1) != mapped);
    pt[1] |= 2ull;
    assert_int_equal(ept_checksum(&f->ept, 1), mapped);
    assert_int_equal(ept_checksum(NULL, 7), 7);
}

static void test_init_and_eptp(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    assert_int_equal(f->ept.table_count, 1);
    assert_int_equal(f->ept.pml4_phys, FAKE_BASE);
    assert_int_equal(f->ept.gpa_bits, 39);
    assert_int_equal(f->ept.phys_bits, 39);

    uint64_t eptp = ept_eptp(&f->ept);
    assert_int_equal(eptp, FAKE_BASE | 0x1e);
    assert_int_equal(eptp & 7, 6);         /* WB */
    assert_int_equal((eptp >> 3) & 7, 3);  /* 4-level walk, minus one */
    assert_int_equal(eptp & (1u << 6), 0); /* accessed/dirty flags off */
    assert_int_equal(eptp & 0xf80, 0);     /* bits 11:7 reserved */

    /* The allocator's garbage was cleared: nothing is mapped. */
    expect_unmapped(&f->ept, 0, 4);
    expect_unmapped(&f->ept, 0x7fffffffffull, 4);
    assert_string_equal(ept_status_str(EPT_ERR_NO_MEMORY), "out of memory for EPT tables");
    assert_string_equal(ept_status_str(EPT_STATUS_COUNT), "unknown EPT status");
}

static void test_map_64mib_large_pages(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    const uint64_t hpa = GiB(4);
    assert_int_equal(ept_map_range(&f->ept, 0, hpa, MiB(64), RWX, WB), EPT_OK);
    assert_int_equal(f->ept.table_count, 3); /* PML4, PDPT, PD: no page tables */

    for (uint64_t i = 0; i < 32; i++) {
        uint64_t gpa = i * MiB(2);
        expect_mapped(&f->ept, gpa, hpa + gpa, RWX, WB, MiB(2));
        expect_mapped(&f->ept, gpa + 0x12345, hpa + gpa + 0x12345, RWX, WB, MiB(2));
        expect_mapped(&f->ept, gpa + MiB(2) - 1, hpa + gpa + MiB(2) - 1, RWX, WB, MiB(2));

        struct ept_walk_result r;
        assert_int_equal(ept_walk(&f->ept, gpa, &r), EPT_OK);
        assert_int_equal(r.entry, (hpa + gpa) | 0xb7); /* RWX, WB << 3, large page */
    }
    expect_unmapped(&f->ept, MiB(64), 2);
    expect_unmapped(&f->ept, GiB(1), 3);
}

static void test_map_unaligned_uses_small_pages(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    /* gpa is only 4 KiB aligned although hpa is 2 MiB aligned: all 1024 pages are 4 KiB. */
    assert_int_equal(ept_map_range(&f->ept, 0x1000, MiB(2), MiB(4), EPT_READ | EPT_EXECUTE, WB),
                     EPT_OK);
    assert_int_equal(f->ept.table_count, 6); /* PML4, PDPT, PD and 3 page tables */
    for (uint64_t gpa = 0x1000; gpa < 0x401000; gpa += 0x1000)
        expect_mapped(&f->ept, gpa + 0x10, MiB(2) + gpa - 0x1000 + 0x10, 5, WB, 0x1000);
    expect_unmapped(&f->ept, 0, 1);
    expect_unmapped(&f->ept, 0x401000, 1);

    struct ept_walk_result r;
    assert_int_equal(ept_walk(&f->ept, 0x1000, &r), EPT_OK);
    assert_int_equal(r.entry, MiB(2) | 0x35); /* R and X, WB << 3, no large-page bit */
}

static void test_map_mixed_sizes(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    /* 4 KiB, then a 2 MiB page at the 2 MiB boundary, then 4 KiB again. */
    uint64_t size = 0x1000 + MiB(2) + 0x1000;
    assert_int_equal(ept_map_range(&f->ept, 0x1ff000, GiB(1) + 0x1ff000, size, RWX, UC), EPT_OK);
    expect_mapped(&f->ept, 0x1ff000, GiB(1) + 0x1ff000, RWX, UC, 0x1000);
    expect_mapped(&f->ept, 0x200000, GiB(1) + 0x200000, RWX, UC, MiB(2));
    expect_mapped(&f->ept, 0x3fffff, GiB(1) + 0x3fffff, RWX, UC, MiB(2));
    expect_mapped(&f->ept, 0x400000, GiB(1) + 0x400000, RWX, UC, 0x1000);
    expect_unmapped(&f->ept, 0x1fe000, 1);
    expect_unmapped(&f->ept, 0x401000, 1);
    assert_int_equal(f->ept.table_count, 5); /* two page tables */

    /* 2 MiB of gpa but hpa only 4 KiB aligned: small pages. */
    assert_int_equal(ept_map_range(&f->ept, MiB(8), GiB(2) + 0x1000, MiB(2), RWX, WB), EPT_OK);
    expect_mapped(&f->ept, MiB(8), GiB(2) + 0x1000, RWX, WB, 0x1000);
    expect_mapped(&f->ept, MiB(10) - 0x1000, GiB(2) + MiB(2), RWX, WB, 0x1000);
}

static void test_split_keeps_other_pages(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    const uint64_t hpa = 0x10000000;
    assert_int_equal(ept_map_range(&f->ept, 0, hpa, MiB(4), RWX, WB), EPT_OK);
    assert_int_equal(f->ept.table_count, 3);

    /* Remap one 4 KiB page inside the second 2 MiB page, read-only and uncached. */
    assert_int_equal(ept_map_range(&f->ept, 0x201000, 0x5000, 0x1000, EPT_READ, UC), EPT_OK);
    assert_int_equal(f->ept.table_count, 4);

    expect_mapped(&f->ept, 0x201abc, 0x5abc, EPT_READ, UC, 0x1000);
    for (uint64_t gpa = MiB(2); gpa < MiB(4); gpa += 0x1000) {
        if (gpa == 0x201000)
            continue;
        expect_mapped(&f->ept, gpa, hpa + gpa, RWX, WB, 0x1000);
        struct ept_walk_result r;
        assert_int_equal(ept_walk(&f->ept, gpa, &r), EPT_OK);
        assert_int_equal(r.entry, (hpa + gpa) | 0x37); /* same attributes, no large-page bit */
    }
    /* The first 2 MiB page is untouched. */
    expect_mapped(&f->ept, 0x1000, hpa + 0x1000, RWX, WB, MiB(2));

    /* Mapping the whole 2 MiB again makes it a large page and frees the page table. */
    assert_int_equal(ept_map_range(&f->ept, MiB(2), hpa + MiB(2), MiB(2), RWX, WB), EPT_OK);
    assert_int_equal(f->ept.table_count, 3);
    assert_int_equal(f->mem.freed, 1);
    assert_int_equal(f->mem.last_freed, FAKE_BASE + 3 * PAGE);
    expect_mapped(&f->ept, 0x201000, hpa + 0x201000, RWX, WB, MiB(2));
}

static void test_unmap(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    const uint64_t hpa = GiB(2);
    assert_int_equal(ept_map_range(&f->ept, 0, hpa, MiB(8), RWX, WB), EPT_OK);

    /* One 4 KiB page out of a large page: split, the neighbours stay. */
    assert_int_equal(ept_unmap_range(&f->ept, 0x201000, 0x1000), EPT_OK);
    expect_unmapped(&f->ept, 0x201000, 1);
    expect_mapped(&f->ept, 0x200000, hpa + 0x200000, RWX, WB, 0x1000);
    expect_mapped(&f->ept, 0x202000, hpa + 0x202000, RWX, WB, 0x1000);
    assert_int_equal(f->ept.table_count, 4);

    /* A whole large page. */
    assert_int_equal(ept_unmap_range(&f->ept, MiB(4), MiB(2)), EPT_OK);
    expect_unmapped(&f->ept, MiB(4), 2);
    expect_unmapped(&f->ept, MiB(6) - 1, 2);
    expect_mapped(&f->ept, MiB(6), hpa + MiB(6), RWX, WB, MiB(2));

    /* A range starting inside a large page splits it; the rest of the range is a hole. */
    assert_int_equal(ept_unmap_range(&f->ept, MiB(6) + 0x1000, MiB(2)), EPT_OK);
    expect_mapped(&f->ept, MiB(6), hpa + MiB(6), RWX, WB, 0x1000);
    expect_unmapped(&f->ept, MiB(6) + 0x1000, 1);
    expect_unmapped(&f->ept, MiB(8), 2);
    assert_int_equal(ept_map_range(&f->ept, MiB(6), hpa + MiB(6), MiB(2), RWX, WB), EPT_OK);
    assert_int_equal(f->mem.freed, 1);

    /* Holes are skipped; unmapping them again is fine. */
    assert_int_equal(ept_unmap_range(&f->ept, GiB(1), GiB(1)), EPT_OK);
    assert_int_equal(ept_unmap_range(&f->ept, MiB(4), MiB(2)), EPT_OK);
    assert_int_equal(ept_unmap_range(&f->ept, GiB(256), GiB(1)), EPT_OK);

    /* The whole first 8 MiB: the split page table goes. */
    assert_int_equal(ept_unmap_range(&f->ept, 0, MiB(8)), EPT_OK);
    for (uint64_t gpa = 0; gpa < MiB(8); gpa += MiB(1))
        expect_unmapped(&f->ept, gpa, 2);
    assert_int_equal(f->ept.table_count, 3);
    assert_int_equal(f->mem.freed, 2);

    /* The whole first GiB: the page directory goes too. */
    assert_int_equal(ept_map_range(&f->ept, 0x3000, 0x3000, 0x1000, RWX, WB), EPT_OK);
    assert_int_equal(f->ept.table_count, 4);
    assert_int_equal(ept_unmap_range(&f->ept, 0, GiB(1)), EPT_OK);
    assert_int_equal(f->ept.table_count, 2);
    assert_int_equal(f->mem.freed, 4);
    expect_unmapped(&f->ept, 0x3000, 3);
}

static void test_walk_1g_page_and_permission_and(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    assert_int_equal(ept_map_range(&f->ept, 0, 0, MiB(2), RWX, WB), EPT_OK);

    /* Plant a 1 GiB leaf in PDPT entry 1 (mica never creates one, but walks it). */
    uint64_t *pml4 = table_of(f, f->ept.pml4_phys);
    uint64_t *pdpt = table_of(f, pml4[0] & EPT_ADDRESS_MASK);
    pdpt[1] = GiB(3) | 0x80 | (WB << 3) | EPT_READ | EPT_WRITE;
    expect_mapped(&f->ept, GiB(1) + 0x12345678, GiB(3) + 0x12345678, 3, WB, GiB(1));

    /* Unmapping part of it splits it into 2 MiB pages, then one of those into 4 KiB pages. */
    assert_int_equal(ept_unmap_range(&f->ept, GiB(1), 0x1000), EPT_OK);
    expect_unmapped(&f->ept, GiB(1), 1);
    expect_mapped(&f->ept, GiB(1) + 0x1000, GiB(3) + 0x1000, 3, WB, 0x1000);
    expect_mapped(&f->ept, GiB(1) + MiB(2), GiB(3) + MiB(2), 3, WB, MiB(2));
    expect_mapped(&f->ept, GiB(2) - 1, GiB(4) - 1, 3, WB, MiB(2));

    /* Permissions are the AND over the walk: a read-only PML4E restricts everything below. */
    pml4[0] = (pml4[0] & ~(uint64_t)RWX) | EPT_READ;
    expect_mapped(&f->ept, 0x1000, 0x1000, EPT_READ, WB, MiB(2));
    expect_mapped(&f->ept, GiB(1) + MiB(2), GiB(3) + MiB(2), EPT_READ, WB, MiB(2));
}

static void test_bad_arguments(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    struct ept *e = &f->ept;

    /* Alignment */
    assert_int_equal(ept_map_range(e, 0x800, 0, 0x1000, RWX, WB), EPT_ERR_UNALIGNED);
    assert_int_equal(ept_map_range(e, 0, 0x10, 0x1000, RWX, WB), EPT_ERR_UNALIGNED);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1800, RWX, WB), EPT_ERR_UNALIGNED);
    assert_int_equal(ept_unmap_range(e, 0x1, 0x1000), EPT_ERR_UNALIGNED);
    assert_int_equal(ept_unmap_range(e, 0, 0xfff), EPT_ERR_UNALIGNED);

    /* Size, permissions, memory type */
    assert_int_equal(ept_map_range(e, 0, 0, 0, RWX, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_unmap_range(e, 0, 0), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1000, 0, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1000, EPT_WRITE, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1000, EPT_WRITE | EPT_EXECUTE, WB),
                     EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1000, RWX | 0x8, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(e, 0, 0, 0x1000, RWX | EPT_LARGE_PAGE, WB), EPT_ERR_INVALID_ARG);
    for (unsigned type = 0; type < 9; type++) {
        bool valid = type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
        enum ept_status st = ept_map_range(e, 0, 0, 0x1000, RWX, type);
        assert_int_equal(st, valid ? EPT_OK : EPT_ERR_INVALID_ARG);
    }
    assert_int_equal(ept_unmap_range(e, 0, 0x1000), EPT_OK);
    /* An unaligned call with a bad memory type reports the bad argument. */
    assert_int_equal(ept_map_range(e, 1, 0, 0x1000, RWX, 2), EPT_ERR_INVALID_ARG);

    /* Wrap-around and the 39-bit width */
    const uint64_t top = 1ull << 39;
    assert_int_equal(ept_map_range(e, 0xfffffffffffff000ull, 0, 0x2000, RWX, WB),
                     EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_map_range(e, 0, 0xfffffffffffff000ull, 0x2000, RWX, WB),
                     EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_map_range(e, top - 0x1000, 0, 0x2000, RWX, WB), EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_map_range(e, top, 0, 0x1000, RWX, WB), EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_map_range(e, 0, top, 0x1000, RWX, WB), EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_unmap_range(e, top - 0x1000, 0x2000), EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(f->ept.table_count, 4); /* nothing allocated by rejected calls */

    struct ept_walk_result r;
    assert_int_equal(ept_walk(e, top, &r), EPT_ERR_OUT_OF_RANGE);
    assert_false(r.mapped);

    /* The last page below the width is fine. */
    assert_int_equal(ept_map_range(e, top - 0x1000, top - 0x1000, 0x1000, RWX, WB), EPT_OK);
    expect_mapped(e, top - 1, top - 1, RWX, WB, 0x1000);

    /* NULL and uninitialized */
    struct ept blank;
    memset(&blank, 0, sizeof(blank));
    assert_int_equal(ept_map_range(NULL, 0, 0, 0x1000, RWX, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_map_range(&blank, 0, 0, 0x1000, RWX, WB), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_unmap_range(NULL, 0, 0x1000), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_walk(NULL, 0, &r), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_walk(e, 0, NULL), EPT_ERR_INVALID_ARG);
}

static void test_init_arguments(void **state)
{
    struct fixture *f = *state;
    struct ept e;
    assert_int_equal(ept_init(NULL, &f->ops, 39), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_init(&e, NULL, 39), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_init(&e, &f->ops, 31), EPT_ERR_INVALID_ARG);
    assert_int_equal(ept_init(&e, &f->ops, 53), EPT_ERR_INVALID_ARG);
    struct ept_ops no_alloc = f->ops;
    no_alloc.alloc_table = NULL;
    assert_int_equal(ept_init(&e, &no_alloc, 39), EPT_ERR_INVALID_ARG);
    struct ept_ops no_map = f->ops;
    no_map.phys_to_ptr = NULL;
    assert_int_equal(ept_init(&e, &no_map, 39), EPT_ERR_INVALID_ARG);
    assert_int_equal(f->mem.allocated, 0);

    /* 52 physical bits: guest-physical addresses still stop at 48 bits, host ones at 52. */
    assert_int_equal(ept_init(&e, &f->ops, 52), EPT_OK);
    assert_int_equal(e.gpa_bits, 48);
    assert_int_equal(ept_map_range(&e, 1ull << 48, 0, 0x1000, RWX, WB), EPT_ERR_OUT_OF_RANGE);
    assert_int_equal(ept_map_range(&e, (1ull << 48) - MiB(2), 1ull << 51, MiB(2), RWX, WB), EPT_OK);
    expect_mapped(&e, (1ull << 48) - 1, (1ull << 51) + MiB(2) - 1, RWX, WB, MiB(2));
    assert_int_equal(ept_map_range(&e, 0, 1ull << 52, 0x1000, RWX, WB), EPT_ERR_OUT_OF_RANGE);
    ept_destroy(&e);
}

static void test_allocator_failure(void **state)
{
    struct fixture *f = *state;

    /* No memory for the PML4. */
    f->mem.fail_after = 0;
    assert_int_equal(ept_init(&f->ept, &f->ops, 39), EPT_ERR_NO_MEMORY);
    assert_int_equal(f->ept.table_count, 0);
    assert_int_equal(ept_map_range(&f->ept, 0, 0, 0x1000, RWX, WB), EPT_ERR_INVALID_ARG);

    /* Room for PML4 and PDPT only. */
    f->mem.fail_after = 2;
    assert_int_equal(ept_init(&f->ept, &f->ops, 39), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, 0, 0, MiB(4), RWX, WB), EPT_ERR_NO_MEMORY);
    assert_int_equal(f->ept.table_count, 2);
    expect_unmapped(&f->ept, 0, 3);

    /* With the PD: large pages work, but no page table for a split. */
    f->mem.fail_after = 3;
    assert_int_equal(ept_map_range(&f->ept, 0, 0, MiB(4), RWX, WB), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, 0x1000, GiB(1), 0x1000, EPT_READ, UC),
                     EPT_ERR_NO_MEMORY);
    expect_mapped(&f->ept, 0x1000, 0x1000, RWX, WB, MiB(2)); /* unchanged */
    assert_int_equal(ept_unmap_range(&f->ept, 0x1000, 0x1000), EPT_ERR_NO_MEMORY);
    expect_mapped(&f->ept, 0x1000, 0x1000, RWX, WB, MiB(2));

    /* Partial: the first page table is allocated, the second is not. */
    f->mem.fail_after = 4;
    assert_int_equal(ept_map_range(&f->ept, MiB(8) - 0x1000, GiB(1), 0x2000, RWX, WB),
                     EPT_ERR_NO_MEMORY);
    expect_mapped(&f->ept, MiB(8) - 0x1000, GiB(1), RWX, WB, 0x1000);
    expect_unmapped(&f->ept, MiB(8), 2);
    assert_int_equal(f->ept.table_count, 4);

    f->mem.fail_after = SIZE_MAX;
    assert_int_equal(ept_map_range(&f->ept, MiB(8) - 0x1000, GiB(1), 0x2000, RWX, WB), EPT_OK);
    expect_mapped(&f->ept, MiB(8), GiB(1) + 0x1000, RWX, WB, 0x1000);
}

static void test_bad_table_from_allocator(void **state)
{
    struct fixture *f = *state;

    /* An unaligned table address is refused and handed back. */
    f->mem.phys_offset = 0x800;
    assert_int_equal(ept_init(&f->ept, &f->ops, 39), EPT_ERR_BAD_TABLE);
    assert_int_equal(f->mem.freed, 1);
    assert_int_equal(f->mem.last_freed, FAKE_BASE + 0x800);
    assert_int_equal(f->ept.table_count, 0);

    /* A table at or above 2^32 with a 32-bit physical-address width. */
    f->mem.phys_offset = 0;
    assert_int_equal(ept_init(&f->ept, &f->ops, 32), EPT_OK);
    f->mem.phys_offset = 1ull << 32;
    assert_int_equal(ept_map_range(&f->ept, 0, 0, 0x1000, RWX, WB), EPT_ERR_BAD_TABLE);
    assert_int_equal(f->mem.freed, 2);
    assert_int_equal(f->mem.last_freed, (1ull << 32) + FAKE_BASE + 2 * PAGE);
    assert_int_equal(f->ept.table_count, 1);
    expect_unmapped(&f->ept, 0, 4);

    /* phys_to_ptr returning NULL for a new table. */
    f->mem.phys_offset = PAGE * MAX_TABLES; /* aligned, but outside the fake range */
    assert_int_equal(ept_map_range(&f->ept, 0, 0, 0x1000, RWX, WB), EPT_ERR_BAD_TABLE);
    assert_int_equal(f->mem.freed, 3);
    assert_int_equal(f->ept.table_count, 1);
    expect_unmapped(&f->ept, 0, 4);

    /* A good allocator again: the same EPT works. */
    f->mem.phys_offset = 0;
    assert_int_equal(ept_map_range(&f->ept, 0, 0, 0x1000, RWX, WB), EPT_OK);
    expect_mapped(&f->ept, 0, 0, RWX, WB, 0x1000);
}

static void test_destroy_frees_everything(void **state)
{
    struct fixture *f = init_fixture(state, 39);
    assert_int_equal(ept_map_range(&f->ept, 0x1000, 0x1000, MiB(6), RWX, WB), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, GiB(5), 0, MiB(2), RWX, WB), EPT_OK);
    /* PML4, PDPT, PDs for GiB 0 and 5, PTs for the 4 KiB pages at both ends of the first range */
    assert_int_equal(f->ept.table_count, 6);
    expect_mapped(&f->ept, 0x200000, 0x200000, RWX, WB, MiB(2));
    size_t allocated = f->mem.allocated;
    ept_destroy(&f->ept);
    assert_int_equal(f->mem.freed, allocated);
    assert_int_equal(f->ept.table_count, 0);
    assert_int_equal(f->ept.pml4_phys, 0);
    ept_destroy(&f->ept); /* harmless twice */
    assert_int_equal(f->mem.freed, allocated);
}

static void test_destroy_without_free_callback(void **state)
{
    struct fixture *f = *state;
    f->ops.free_table = NULL;
    assert_int_equal(ept_init(&f->ept, &f->ops, 39), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, 0, 0, MiB(2), RWX, WB), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, 0x1000, 0x1000, 0x1000, RWX, WB), EPT_OK);
    assert_int_equal(ept_map_range(&f->ept, 0, 0, MiB(2), RWX, WB), EPT_OK); /* drops the PT */
    assert_int_equal(f->ept.table_count, 3);
    ept_destroy(&f->ept);
    assert_int_equal(f->mem.freed, 0);
    assert_int_equal(f->ept.table_count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_and_eptp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_64mib_large_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_unaligned_uses_small_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_mixed_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_keeps_other_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_1g_page_and_permission_and, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocator_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_table_from_allocator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_frees_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_without_free_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
