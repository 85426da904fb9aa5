/* EPT table management: argument checks, table allocation through struct ept_ops, mapping with
 * 2 MiB/4 KiB leaves, splitting large pages, unmapping with table reclamation, and walks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/checksum.h"
#include "kernel/string.h"
#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/ept.h"

#include "kernel/checksum.h"

#define TABLE_BYTES   4096u
#define INDEX_MASK    (EPT_ENTRIES_PER_TABLE - 1u)
#define MIN_PHYS_BITS 32u
#define MAX_PHYS_BITS 52u /* architectural MAXPHYADDR limit */
#define LEVEL_PML4    4u
#define LEVEL_PDPT    3u
#define LEVEL_PD      2u
#define LEVEL_PT      1u

/* Bytes one entry of a table at this level maps: 4 KiB at level 1, x512 per level above. */
static uint64_t level_span(unsigned level)
{
    return 1ull << (12u + 9u * (level - 1u));
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
    return (unsigned)((gpa >> (12u + 9u * (level - 1u))) & INDEX_MASK);
}

static bool entry_present(uint64_t entry)
{
    return (entry & EPT_RWX) != 0;
}

/* A present entry maps a page (rather than pointing to a table): every PTE, and PDPTEs and PDEs
 * with bit 7 set (§29.3.2). Bit 7 of a PML4E is reserved, so a PML4E is never a leaf. */
static bool entry_is_leaf(uint64_t entry, unsigned level)
{
    if (level == LEVEL_PT)
        return true;
    return level < LEVEL_PML4 && (entry & EPT_LARGE_PAGE) != 0;
}

static bool valid_memtype(unsigned memtype)
{
    switch (memtype) {
    case EPT_MEMORY_TYPE_UC:
    case EPT_MEMORY_TYPE_WC:
    case EPT_MEMORY_TYPE_WT:
    case EPT_MEMORY_TYPE_WP:
    case EPT_MEMORY_TYPE_WB:
        return true;
    default:
        return false; /* 2, 3, 7 are reserved: EPT misconfiguration (§29.3.3.1) */
    }
}

/* [base, base + size) lies below 2^bits without wrapping; size is non-zero. */
static bool range_fits(uint64_t base, uint64_t size, unsigned bits)
{
    uint64_t limit = 1ull << bits; /* bits <= 52 */
    return base <= UINT64_MAX - size && base + size <= limit;
}

static uint64_t *table_at(const struct ept *e, uint64_t phys)
{
    return e->ops.phys_to_ptr(e->ops.ctx, phys);
}

/* Allocates a zeroed table. */
static enum ept_status new_table(struct ept *e, uint64_t *phys_out, uint64_t **table_out)
{
    uint64_t phys;
    if (!e->ops.alloc_table(e->ops.ctx, &phys))
        return EPT_ERR_NO_MEMORY;

    uint64_t *table = NULL;
    if ((phys & (TABLE_BYTES - 1u)) == 0 && range_fits(phys, TABLE_BYTES, e->phys_bits))
        table = table_at(e, phys);
    if (table == NULL) {
        if (e->ops.free_table != NULL)
            e->ops.free_table(e->ops.ctx, phys);
        return EPT_ERR_BAD_TABLE;
    }
    memset(table, 0, TABLE_BYTES);
    e->table_count++;
    *phys_out = phys;
    *table_out = table;
    return EPT_OK;
}

/* Releases the table at phys, whose entries are at `level`, and every table below it. */
static void free_tree(struct ept *e, uint64_t phys, unsigned level)
{
    uint64_t *table = table_at(e, phys);
    if (table != NULL && level > LEVEL_PT) {
        for (unsigned i = 0; i < EPT_ENTRIES_PER_TABLE; i++) {
            uint64_t entry = table[i];
            if (entry_present(entry) && !entry_is_leaf(entry, level))
                free_tree(e, entry & EPT_ADDRESS_MASK, level - 1u);
        }
    }
    e->table_count--;
    if (e->ops.free_table != NULL)
        e->ops.free_table(e->ops.ctx, phys);
}

/* Replaces the large leaf *entry at level 3 or 2 by a table of 512 leaves one level down that
 * together map the same range with the same attributes. */
static enum ept_status split_leaf(struct ept *e, uint64_t *entry, unsigned level)
{
    uint64_t phys;
    uint64_t *table;
    enum ept_status st = new_table(e, &phys, &table);
    if (st != EPT_OK)
        return st;

    uint64_t span = level_span(level);
    uint64_t child_span = level_span(level - 1u);
    uint64_t base = *entry & EPT_ADDRESS_MASK & ~(span - 1u);
    uint64_t attributes = *entry & ~EPT_ADDRESS_MASK;
    if (level - 1u == LEVEL_PT)
        attributes &= ~EPT_LARGE_PAGE; /* bit 7 of a PTE is ignored; keep it clear */
    for (unsigned i = 0; i < EPT_ENTRIES_PER_TABLE; i++)
        table[i] = attributes | (base + i * child_span);

    *entry = phys | EPT_RWX; /* fully built before it becomes reachable */
    return EPT_OK;
}

/* The table whose entries are at target_level and cover gpa, creating missing tables and splitting
 * large leaves on the way down. */
static enum ept_status table_for(struct ept *e, uint64_t gpa, unsigned target_level,
                                 uint64_t **table_out)
{
    uint64_t *table = table_at(e, e->pml4_phys);
    if (table == NULL)
        return EPT_ERR_BAD_TABLE;

    for (unsigned level = LEVEL_PML4; level > target_level; level--) {
        uint64_t *entry = &table[level_index(gpa, level)];
        enum ept_status st = EPT_OK;
        if (!entry_present(*entry)) {
            uint64_t phys;
            uint64_t *child;
            st = new_table(e, &phys, &child);
            if (st == EPT_OK)
                *entry = phys | EPT_RWX;
        } else if (entry_is_leaf(*entry, level)) {
            st = split_leaf(e, entry, level);
        }
        if (st != EPT_OK)
            return st;
        table = table_at(e, *entry & EPT_ADDRESS_MASK);
        if (table == NULL)
            return EPT_ERR_BAD_TABLE;
    }
    *table_out = table;
    return EPT_OK;
}

static bool valid_perms(uint64_t perms)
{
    /* Not none, nothing but R/W/X, and never write without read (§29.3.3.1). */
    return perms != 0 && (perms & ~EPT_RWX) == 0 &&
           !((perms & EPT_WRITE) != 0 && (perms & EPT_READ) == 0);
}

static bool is_4k_aligned(uint64_t value)
{
    return (value & (EPT_PAGE_SIZE_4K - 1u)) == 0;
}

const char *ept_status_str(enum ept_status status)
{
    switch (status) {
    case EPT_OK:
        return "ok";
    case EPT_ERR_INVALID_ARG:
        return "invalid argument";
    case EPT_ERR_UNALIGNED:
        return "address or size not 4 KiB aligned";
    case EPT_ERR_OUT_OF_RANGE:
        return "address range outside the supported width";
    case EPT_ERR_NO_MEMORY:
        return "out of memory for EPT tables";
    case EPT_ERR_BAD_TABLE:
        return "table allocator returned an unusable page";
    default:
        return "unknown EPT status";
    }
}

enum ept_status ept_init(struct ept *e, const struct ept_ops *ops, unsigned max_phys_bits)
{
    if (e == NULL)
        return EPT_ERR_INVALID_ARG;
    memset(e, 0, sizeof(*e));
    if (ops == NULL || ops->alloc_table == NULL || ops->phys_to_ptr == NULL ||
        max_phys_bits < MIN_PHYS_BITS || max_phys_bits > MAX_PHYS_BITS)
        return EPT_ERR_INVALID_ARG;

    e->ops = *ops;
    e->phys_bits = max_phys_bits;
    e->gpa_bits = max_phys_bits < EPT_4LEVEL_GPA_BITS ? max_phys_bits : EPT_4LEVEL_GPA_BITS;

    uint64_t *pml4;
    enum ept_status st = new_table(e, &e->pml4_phys, &pml4);
    if (st != EPT_OK)
        memset(e, 0, sizeof(*e));
    return st;
}

enum ept_status ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                              uint64_t perms, unsigned memtype)
{
    if (e == NULL || e->table_count == 0 || size == 0 || !valid_perms(perms) ||
        !valid_memtype(memtype))
        return EPT_ERR_INVALID_ARG;
    if (!is_4k_aligned(gpa) || !is_4k_aligned(hpa) || !is_4k_aligned(size))
        return EPT_ERR_UNALIGNED;
    if (!range_fits(gpa, size, e->gpa_bits) || !range_fits(hpa, size, e->phys_bits))
        return EPT_ERR_OUT_OF_RANGE;

    enum ept_status st;
    uint64_t leaf_bits = perms | EPT_MEMORY_TYPE(memtype);
    while (size != 0) {
        bool large = ((gpa | hpa) & (EPT_PAGE_SIZE_2M - 1u)) == 0 && size >= EPT_PAGE_SIZE_2M;
        uint64_t *table;
        st = table_for(e, gpa, large ? LEVEL_PD : LEVEL_PT, &table);
        if (st != EPT_OK)
            return st;

        uint64_t step;
        if (large) {
            uint64_t *pde = &table[level_index(gpa, LEVEL_PD)];
            uint64_t old = *pde;
            *pde = hpa | leaf_bits | EPT_LARGE_PAGE;
            if (entry_present(old) && !entry_is_leaf(old, LEVEL_PD))
                free_tree(e, old & EPT_ADDRESS_MASK, LEVEL_PT);
            step = EPT_PAGE_SIZE_2M;
        } else {
            table[level_index(gpa, LEVEL_PT)] = hpa | leaf_bits;
            step = EPT_PAGE_SIZE_4K;
        }
        gpa += step;
        hpa += step;
        size -= step;
    }
    return EPT_OK;
}

enum ept_status ept_unmap_range(struct ept *e, uint64_t gpa, uint64_t size)
{
    if (e == NULL || e->table_count == 0 || size == 0)
        return EPT_ERR_INVALID_ARG;
    if (!is_4k_aligned(gpa) || !is_4k_aligned(size))
        return EPT_ERR_UNALIGNED;
    if (!range_fits(gpa, size, e->gpa_bits))
        return EPT_ERR_OUT_OF_RANGE;

    enum ept_status st;
    while (size != 0) {
        uint64_t *table = table_at(e, e->pml4_phys);
        if (table == NULL)
            return EPT_ERR_BAD_TABLE;

        /* Descend until an entry is absent or lies wholly inside the range, splitting a large
         * leaf that sticks out of it. */
        uint64_t step = 0;
        for (unsigned level = LEVEL_PML4; step == 0; level--) {
            uint64_t *entry = &table[level_index(gpa, level)];
            uint64_t span = level_span(level);
            uint64_t to_boundary = span - (gpa & (span - 1u));
            bool covered = to_boundary == span && size >= span;

            if (!entry_present(*entry)) {
                step = to_boundary < size ? to_boundary : size;
            } else if (covered) {
                uint64_t old = *entry;
                *entry = 0;
                if (!entry_is_leaf(old, level))
                    free_tree(e, old & EPT_ADDRESS_MASK, level - 1u);
                step = span;
            } else {
                if (entry_is_leaf(*entry, level)) {
                    st = split_leaf(e, entry, level); /* level > 1: a PTE is always covered */
                    if (st != EPT_OK)
                        return st;
                }
                table = table_at(e, *entry & EPT_ADDRESS_MASK);
                if (table == NULL)
                    return EPT_ERR_BAD_TABLE;
            }
        }
        gpa += step;
        size -= step;
    }
    return EPT_OK;
}

enum ept_status ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk_result *r)
{
    if (r == NULL)
        return EPT_ERR_INVALID_ARG;
    memset(r, 0, sizeof(*r));
    if (e == NULL || e->table_count == 0)
        return EPT_ERR_INVALID_ARG;
    if (gpa >> e->gpa_bits != 0)
        return EPT_ERR_OUT_OF_RANGE;

    uint64_t perms = EPT_RWX;
    uint64_t table_phys = e->pml4_phys;
    for (unsigned level = LEVEL_PML4; level >= LEVEL_PT; level--) {
        const uint64_t *table = table_at(e, table_phys);
        if (table == NULL)
            return EPT_ERR_BAD_TABLE;
        uint64_t entry = table[level_index(gpa, level)];
        r->level = level;
        r->entry = entry;
        if (!entry_present(entry))
            return EPT_OK;
        perms &= entry;
        if (entry_is_leaf(entry, level)) {
            uint64_t span = level_span(level);
            r->mapped = true;
            r->hpa = (entry & EPT_ADDRESS_MASK & ~(span - 1u)) | (gpa & (span - 1u));
            r->perms = perms & EPT_RWX;
            r->memtype = (unsigned)((entry & EPT_MEMORY_TYPE_MASK) >> EPT_MEMORY_TYPE_SHIFT);
            r->page_size = span;
            return EPT_OK;
        }
        table_phys = entry & EPT_ADDRESS_MASK;
    }
    return EPT_OK; /* not reached: level 1 entries are leaves */
}

/* Bits 8 and 9 of EPT entries are the accessed and dirty flags when the EPTP enables them
 * (SDM 29.3.5): the processor writes them, so they are not part of the mapping. */
#define EPT_ACCESSED_FLAG (1ull << 8)
#define EPT_DIRTY_FLAG    (1ull << 9)

static uint64_t hash_tables(const struct ept *e, uint64_t hash, uint64_t table_phys, unsigned level)
{
    const uint64_t *table = table_at(e, table_phys);
    if (table == NULL)
        return fnv1a64_u64(hash, table_phys);
    for (unsigned i = 0; i < EPT_ENTRIES_PER_TABLE; i++) {
        uint64_t entry = table[i];
        hash = fnv1a64_u64(hash, entry & ~(EPT_ACCESSED_FLAG | EPT_DIRTY_FLAG));
        if (entry_present(entry) && !entry_is_leaf(entry, level))
            hash = hash_tables(e, hash, entry & EPT_ADDRESS_MASK, level - 1);
    }
    return hash;
}

uint64_t ept_checksum(const struct ept *e, uint64_t hash)
{
    if (e == NULL || e->table_count == 0)
        return hash;
    return hash_tables(e, hash, e->pml4_phys, LEVEL_PML4);
}

uint64_t ept_eptp(const struct ept *e)
{
    return EPTP_MEMORY_TYPE_WB | EPTP_PAGE_WALK_4 | (e->pml4_phys & EPTP_ADDRESS_MASK);
}

void ept_destroy(struct ept *e)
{
    if (e == NULL || e->table_count == 0)
        return;
    free_tree(e, e->pml4_phys, LEVEL_PML4);
    memset(e, 0, sizeof(*e));
}
