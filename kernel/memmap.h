/* Physical memory map sanitation (kernel/memmap.c): turns the firmware memory map into a sorted
 * list of disjoint, page-aligned usable RAM ranges and carves reserved regions out of it. */
#ifndef MICA_KERNEL_MEMMAP_H
#define MICA_KERNEL_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/multiboot2.h"

#define MEMMAP_MAX       256
#define MEMMAP_PAGE_SIZE 4096u

enum memmap_status {
    MEMMAP_OK = 0,
    MEMMAP_ERR_NULL_ARGUMENT,
    MEMMAP_ERR_FULL,
    MEMMAP_ERR_INVERTED_RANGE,
    MEMMAP_ERR_ZERO_SIZE,
    MEMMAP_ERR_BAD_ALIGNMENT,
    MEMMAP_ERR_NO_SPACE,
};

struct mem_range {
    uint64_t base;
    uint64_t end; /* exclusive */
};

/* Usable RAM. Invariant: r[0..count) sorted by base, non-empty, page-aligned, disjoint and not
 * touching each other. overflow: some usable memory was dropped because r[] was full (reserved
 * memory is never kept in that case; the map only ever loses usable memory). */
struct memmap {
    struct mem_range r[MEMMAP_MAX];
    unsigned count;
    bool overflow;
};

void memmap_init(struct memmap *map);

/* Builds the usable list from boot loader entries: type MB2_MMAP_AVAILABLE is usable, any other
 * type wins over it where they overlap. Entries may be unsorted and overlapping; zero-length
 * entries are skipped and a base + length past 2^64 is clipped. Usable ranges are shrunk inward
 * to whole pages. Returns MEMMAP_ERR_FULL (and sets overflow) if usable memory had to be dropped.
 */
enum memmap_status memmap_build(struct memmap *map, const struct mb2_mmap_entry *entries,
                                size_t count);

/* Adds usable RAM [base, end), shrunk inward to whole pages and merged with its neighbours. */
enum memmap_status memmap_add_usable(struct memmap *map, uint64_t base, uint64_t end);

/* Removes [base, end), widened outward to whole pages, splitting ranges as needed. If a split
 * finds r[] full, the part above the hole is dropped (overflow, MEMMAP_ERR_FULL). */
enum memmap_status memmap_reserve(struct memmap *map, uint64_t base, uint64_t end);

/* Total usable bytes. */
uint64_t memmap_total(const struct memmap *map);

/* Exclusive end of the highest usable range, 0 if the map is empty. */
uint64_t memmap_highest_end(const struct memmap *map);

/* True if [base, end) lies entirely inside one usable range (an empty range: always). */
bool memmap_contains(const struct memmap *map, uint64_t base, uint64_t end);

/* Finds the lowest free range of size bytes (rounded up to whole pages) starting at a multiple of
 * align (a power of two; below a page means page alignment), removes it from the map and stores
 * its base in *base_out. */
enum memmap_status memmap_carve(struct memmap *map, uint64_t size, uint64_t align,
                                uint64_t *base_out);

/* Human-readable description of a status; never NULL. */
const char *memmap_strerror(enum memmap_status status);

#endif
