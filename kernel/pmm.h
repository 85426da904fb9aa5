/* Physical page allocator (kernel/pmm.c): one bit per 4 KiB page in caller-provided storage,
 * handing out only pages inside the usable memory map, with next-fit search and checked frees. */
#ifndef MICA_KERNEL_PMM_H
#define MICA_KERNEL_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/memmap.h"

#define PMM_PAGE_SIZE      4096u
#define PMM_PAGES_PER_WORD 64u

enum pmm_status {
    PMM_OK = 0,
    PMM_ERR_NULL_ARGUMENT,
    PMM_ERR_BITMAP_TOO_SMALL,
    PMM_ERR_UNALIGNED,
    PMM_ERR_NOT_USABLE,
    PMM_ERR_DOUBLE_FREE,
};

struct pmm {
    uint64_t *bitmap;       /* bit set: page allocated or never usable */
    size_t nwords;          /* words of storage at bitmap */
    uint64_t page_limit;    /* pages [0, page_limit) are tracked; all above are never usable */
    uint64_t total_pages;   /* usable pages at init */
    uint64_t free_pages;    /* usable pages not allocated now */
    uint64_t next_fit_page; /* the next search starts here */
    struct memmap usable;   /* copy of the map, to tell never-usable pages from double frees */
};

/* Words of bitmap storage needed to track physical memory below highest_end. */
size_t pmm_bitmap_words_for(uint64_t highest_end);

/* Sets up p over nwords words at bitmap_words (at least
 * pmm_bitmap_words_for(memmap_highest_end(usable))). Only pages inside usable become free; the
 * caller must already have reserved the kernel, modules, boot information and the bitmap storage
 * itself in usable. usable is copied. */
enum pmm_status pmm_init(struct pmm *p, uint64_t *bitmap_words, size_t nwords,
                         const struct memmap *usable);

/* Allocates one page; false when none is free. */
bool pmm_alloc_page(struct pmm *p, uint64_t *phys_out);

/* Allocates count physically contiguous pages whose first page number is a multiple of
 * align_pages (a power of two; 0 means 1). False if no such run is free or arguments are bad. */
bool pmm_alloc_pages(struct pmm *p, uint64_t count, uint64_t align_pages, uint64_t *phys_out);

/* Frees one page. Nothing changes on error: PMM_ERR_UNALIGNED, PMM_ERR_NOT_USABLE (the page was
 * never usable RAM) or PMM_ERR_DOUBLE_FREE (the page is already free). */
enum pmm_status pmm_free_page(struct pmm *p, uint64_t phys);

/* Frees count contiguous pages from phys; all or nothing, same errors as pmm_free_page. */
enum pmm_status pmm_free_pages(struct pmm *p, uint64_t phys, uint64_t count);

uint64_t pmm_free_count(const struct pmm *p);
uint64_t pmm_total_count(const struct pmm *p);

/* Human-readable description of a status; never NULL. */
const char *pmm_strerror(enum pmm_status status);

#endif
