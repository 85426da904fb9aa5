/* The kernel's own page tables: all RAM (and the 4 GiB below for MMIO) identity-mapped, with NX
 * on everything but kernel text, text and rodata read-only, page 0 unmapped, and CR0.WP on. */
#ifndef MICA_KERNEL_PAGING_H
#define MICA_KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE      4096ul
#define LARGE_PAGE_SIZE (2ul << 20)

#define PTE_PRESENT  (1ul << 0)
#define PTE_WRITABLE (1ul << 1)
#define PTE_PWT      (1ul << 3)
#define PTE_PCD      (1ul << 4)
#define PTE_LARGE    (1ul << 7)
#define PTE_NX       (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

/* Builds and loads the tables; panics if page-table memory runs out. */
void paging_init(void);
/* Looks up the leaf entry mapping addr; false if not present. */
bool paging_lookup(uint64_t addr, uint64_t *entry, uint64_t *page_size);
uint64_t paging_mapped_end(void);
/* Folds the host page tables (every level, Accessed/Dirty ignored) into an FNV-1a hash. */
uint64_t paging_tables_checksum(uint64_t hash);

#endif
