/* Physical memory map sanitation: union of available firmware ranges minus everything reserved,
 * page-aligned inward, with reservation and aligned carving of free ranges. */
#include "kernel/memmap.h"

#include "kernel/string.h"

#define PAGE_MASK ((uint64_t)MEMMAP_PAGE_SIZE - 1)

void memmap_init(struct memmap *map)
{
    memset(map, 0, sizeof *map);
}

/* Exclusive end of [base, base + length), clipped to UINT64_MAX if it would pass 2^64. */
static uint64_t clipped_end(uint64_t base, uint64_t length)
{
    return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

static void remove_range(struct memmap *map, unsigned i)
{
    memmove(&map->r[i], &map->r[i + 1], (map->count - i - 1) * sizeof map->r[0]);
    map->count--;
}

/* Adds [base, end) (base < end, any alignment), merging with ranges it overlaps or touches. */
static enum memmap_status insert_merged(struct memmap *map, uint64_t base, uint64_t end)
{
    unsigned first = 0;
    while (first < map->count && map->r[first].end < base) {
        first++;
    }
    unsigned past = first; /* r[first..past) overlap or touch [base, end) */
    while (past < map->count && map->r[past].base <= end) {
        past++;
    }
    if (past > first) {
        if (map->r[first].base < base) {
            base = map->r[first].base;
        }
        if (map->r[past - 1].end > end) {
            end = map->r[past - 1].end;
        }
        map->r[first].base = base;
        map->r[first].end = end;
        memmove(&map->r[first + 1], &map->r[past], (map->count - past) * sizeof map->r[0]);
        map->count -= past - first - 1;
        return MEMMAP_OK;
    }
    if (map->count == MEMMAP_MAX) {
        map->overflow = true;
        return MEMMAP_ERR_FULL;
    }
    memmove(&map->r[first + 1], &map->r[first], (map->count - first) * sizeof map->r[0]);
    map->r[first].base = base;
    map->r[first].end = end;
    map->count++;
    return MEMMAP_OK;
}

/* Shrinks [*base, *end) to whole pages; false if no whole page remains. */
static bool align_inward(uint64_t *base, uint64_t *end)
{
    if (*base > UINT64_MAX - PAGE_MASK) {
        return false;
    }
    uint64_t aligned_base = (*base + PAGE_MASK) & ~PAGE_MASK;
    uint64_t aligned_end = *end & ~PAGE_MASK;
    if (aligned_base >= aligned_end) {
        return false;
    }
    *base = aligned_base;
    *end = aligned_end;
    return true;
}

static void align_all_inward(struct memmap *map)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < map->count; i++) {
        struct mem_range range = map->r[i];
        if (align_inward(&range.base, &range.end)) {
            map->r[kept++] = range;
        }
    }
    map->count = kept;
}

enum memmap_status memmap_build(struct memmap *map, const struct mb2_mmap_entry *entries,
                                size_t count)
{
    if (map == NULL || (entries == NULL && count > 0)) {
        return MEMMAP_ERR_NULL_ARGUMENT;
    }
    memmap_init(map);
    enum memmap_status status = MEMMAP_OK;

    /* Union of available entries first, unaligned, so that adjacent entries split at a
     * non-page boundary still yield the pages they cover together. */
    for (size_t i = 0; i < count; i++) {
        const struct mb2_mmap_entry *e = &entries[i];
        if (e->type != MB2_MMAP_AVAILABLE || e->length == 0) {
            continue;
        }
        if (insert_merged(map, e->base_addr, clipped_end(e->base_addr, e->length)) != MEMMAP_OK) {
            status = MEMMAP_ERR_FULL;
        }
    }
    align_all_inward(map);

    /* Every other type wins over available memory. */
    for (size_t i = 0; i < count; i++) {
        const struct mb2_mmap_entry *e = &entries[i];
        if (e->type == MB2_MMAP_AVAILABLE || e->length == 0) {
            continue;
        }
        if (memmap_reserve(map, e->base_addr, clipped_end(e->base_addr, e->length)) != MEMMAP_OK) {
            status = MEMMAP_ERR_FULL;
        }
    }
    return status;
}

enum memmap_status memmap_add_usable(struct memmap *map, uint64_t base, uint64_t end)
{
    if (map == NULL) {
        return MEMMAP_ERR_NULL_ARGUMENT;
    }
    if (end < base) {
        return MEMMAP_ERR_INVERTED_RANGE;
    }
    if (!align_inward(&base, &end)) {
        return MEMMAP_OK; /* no whole page: nothing usable */
    }
    return insert_merged(map, base, end);
}

enum memmap_status memmap_reserve(struct memmap *map, uint64_t base, uint64_t end)
{
    if (map == NULL) {
        return MEMMAP_ERR_NULL_ARGUMENT;
    }
    if (end < base) {
        return MEMMAP_ERR_INVERTED_RANGE;
    }
    if (end == base) {
        return MEMMAP_OK;
    }
    /* Widen outward to whole pages. Usable ends never exceed 2^64 - 4096, so clipping the
     * rounded-up end to UINT64_MAX still covers every usable page. */
    uint64_t hole_base = base & ~PAGE_MASK;
    uint64_t hole_end = end > UINT64_MAX - PAGE_MASK ? UINT64_MAX : (end + PAGE_MASK) & ~PAGE_MASK;

    unsigned i = 0;
    while (i < map->count) {
        struct mem_range *r = &map->r[i];
        if (r->end <= hole_base) {
            i++;
            continue;
        }
        if (r->base >= hole_end) {
            break;
        }
        bool keeps_low = r->base < hole_base;
        bool keeps_high = r->end > hole_end;
        if (keeps_low && keeps_high) {
            if (map->count == MEMMAP_MAX) {
                /* No slot for the upper piece: drop it rather than keep the hole. */
                r->end = hole_base;
                map->overflow = true;
                return MEMMAP_ERR_FULL;
            }
            memmove(&map->r[i + 2], &map->r[i + 1], (map->count - i - 1) * sizeof map->r[0]);
            map->r[i + 1].base = hole_end;
            map->r[i + 1].end = r->end;
            r->end = hole_base;
            map->count++;
            return MEMMAP_OK;
        }
        if (keeps_low) {
            r->end = hole_base;
            i++;
        } else if (keeps_high) {
            r->base = hole_end;
            return MEMMAP_OK;
        } else {
            remove_range(map, i);
        }
    }
    return MEMMAP_OK;
}

uint64_t memmap_total(const struct memmap *map)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < map->count; i++) {
        total += map->r[i].end - map->r[i].base;
    }
    return total;
}

uint64_t memmap_highest_end(const struct memmap *map)
{
    return map->count == 0 ? 0 : map->r[map->count - 1].end;
}

bool memmap_contains(const struct memmap *map, uint64_t base, uint64_t end)
{
    if (end < base) {
        return false;
    }
    if (end == base) {
        return true; /* empty: trivially contained */
    }
    for (unsigned i = 0; i < map->count; i++) {
        if (map->r[i].base > base) {
            break;
        }
        if (end <= map->r[i].end) {
            return true;
        }
    }
    return false;
}

enum memmap_status memmap_carve(struct memmap *map, uint64_t size, uint64_t align,
                                uint64_t *base_out)
{
    if (map == NULL || base_out == NULL) {
        return MEMMAP_ERR_NULL_ARGUMENT;
    }
    if (size == 0) {
        return MEMMAP_ERR_ZERO_SIZE;
    }
    if ((align & (align - 1)) != 0) {
        return MEMMAP_ERR_BAD_ALIGNMENT;
    }
    if (align < MEMMAP_PAGE_SIZE) {
        align = MEMMAP_PAGE_SIZE;
    }
    if (size > UINT64_MAX - PAGE_MASK) {
        return MEMMAP_ERR_NO_SPACE;
    }
    size = (size + PAGE_MASK) & ~PAGE_MASK;

    for (unsigned i = 0; i < map->count; i++) {
        const struct mem_range *r = &map->r[i];
        if (r->base > UINT64_MAX - (align - 1)) {
            break;
        }
        uint64_t base = (r->base + align - 1) & ~(align - 1);
        if (base >= r->end || r->end - base < size) {
            continue;
        }
        /* A split that finds r[] full only drops usable memory (map->overflow); the carved
         * range is removed either way. */
        (void)memmap_reserve(map, base, base + size);
        *base_out = base;
        return MEMMAP_OK;
    }
    return MEMMAP_ERR_NO_SPACE;
}

const char *memmap_strerror(enum memmap_status status)
{
    switch (status) {
    case MEMMAP_OK:
        return "success";
    case MEMMAP_ERR_NULL_ARGUMENT:
        return "NULL memory map or argument";
    case MEMMAP_ERR_FULL:
        return "memory range table full: some usable memory was dropped";
    case MEMMAP_ERR_INVERTED_RANGE:
        return "range end is below its base";
    case MEMMAP_ERR_ZERO_SIZE:
        return "requested size is zero";
    case MEMMAP_ERR_BAD_ALIGNMENT:
        return "alignment is not a power of two";
    case MEMMAP_ERR_NO_SPACE:
        return "no usable range holds the requested size at the requested alignment";
    }
    return "unknown memory map status";
}
