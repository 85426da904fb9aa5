/* 4-level EPT paging structures (vmm/vmx/ept.c): building, splitting, unmapping and walking the
 * guest-physical to host-physical translation, and the EPT pointer. Pure code over callbacks. */
#ifndef MICA_VMM_VMX_EPT_H
#define MICA_VMM_VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SDM vol. 3C §29.3 "The Extended Page Table Mechanism (EPT)" and §25.6.11 (EPTP). A 4-level walk
 * translates guest-physical bits 47:0: PML4 (bits 47:39) -> PDPT (38:30) -> PD (29:21) -> PT
 * (20:12). mica maps with 2 MiB PDEs wherever it can and 4 KiB PTEs elsewhere; it never creates
 * 1 GiB PDPTEs but walks them. Non-leaf entries grant read, write and execute, so a leaf's R/W/X
 * bits alone decide the access (permissions are the AND over the walk, §29.3.3.2).
 *
 * The tables change in memory only: after changing a live mapping the caller runs INVEPT (§29.4)
 * before the guest may rely on the change. Nothing here is safe against concurrent use.
 */

#define EPT_PAGE_SIZE_4K 0x1000ull
#define EPT_PAGE_SIZE_2M 0x200000ull
#define EPT_PAGE_SIZE_1G 0x40000000ull

/* Widest guest-physical address a 4-level walk translates. */
#define EPT_4LEVEL_GPA_BITS 48u

/*
 * Table pages. alloc_table stores the host-physical address of a free 4 KiB-aligned page at
 * *phys_out and returns true, or returns false when memory is exhausted; the page need not be
 * zeroed. phys_to_ptr returns a pointer through which that page (4096 bytes) is read and written,
 * or NULL if it cannot. free_table may be NULL: tables are then never given back.
 *
 * free_table is called as soon as a table leaves the structure (ept_map_range putting a 2 MiB page
 * over a page table, ept_unmap_range, ept_destroy). While a processor uses the EPT it may still
 * hold cached paging-structure entries pointing into that page (§29.4), so the page must not be
 * reused before the caller's next INVEPT: defer such frees, or pass free_table = NULL.
 */
struct ept_ops {
    bool (*alloc_table)(void *ctx, uint64_t *phys_out);
    void *(*phys_to_ptr)(void *ctx, uint64_t phys);
    void (*free_table)(void *ctx, uint64_t phys);
    void *ctx;
};

struct ept {
    struct ept_ops ops; /* copied at init */
    uint64_t pml4_phys; /* host-physical address of the PML4 table */
    unsigned phys_bits; /* host MAXPHYADDR: every HPA in the tables is below 2^phys_bits */
    unsigned gpa_bits;  /* guest-physical addresses mapped are below 2^gpa_bits (<= 48) */
    size_t table_count; /* tables allocated and not freed, including the PML4 */
};

enum ept_status {
    EPT_OK = 0,
    EPT_ERR_INVALID_ARG,  /* NULL, missing callback, size 0, bad permissions or memory type */
    EPT_ERR_UNALIGNED,    /* address or size not a multiple of 4 KiB */
    EPT_ERR_OUT_OF_RANGE, /* range wraps past 2^64 or leaves the supported address width */
    EPT_ERR_NO_MEMORY,    /* alloc_table failed */
    EPT_ERR_BAD_TABLE,    /* alloc_table gave an unaligned or too-high address, or phys_to_ptr
                             returned NULL */
    EPT_STATUS_COUNT
};

/* Short human-readable description ("out of memory", ...); never NULL. */
const char *ept_status_str(enum ept_status status);

/*
 * Sets up e with an empty PML4. max_phys_bits is the processor's physical-address width
 * (MAXPHYADDR, CPUID.80000008H:EAX[7:0]), 32..52: host-physical addresses must lie below it
 * (higher address bits in an entry are reserved: EPT misconfiguration, §29.3.3.1), and so must
 * guest-physical ones, which a 4-level walk further limits to 48 bits.
 */
enum ept_status ept_init(struct ept *e, const struct ept_ops *ops, unsigned max_phys_bits);

/*
 * Maps guest-physical [gpa, gpa + size) to host-physical [hpa, hpa + size), replacing any mapping
 * there. Uses a 2 MiB page wherever gpa and hpa are both 2 MiB aligned and at least 2 MiB remain,
 * else 4 KiB pages; a 2 MiB page that a 4 KiB mapping falls into is first split into 512 pages
 * with its old attributes. gpa, hpa and size must be 4 KiB multiples and size non-zero.
 *
 * perms: EPT_READ, EPT_WRITE, EPT_EXECUTE (vmx_defs.h), not 0 and not write without read (both
 * would be EPT misconfigurations; execute-only additionally needs IA32_VMX_EPT_VPID_CAP[0], which
 * the caller checks). memtype: EPT_MEMORY_TYPE_UC, WC, WT, WP or WB; the guest's PAT still
 * combines with it (ignore-PAT is left 0, §29.3.7).
 *
 * Arguments are checked before any change. On EPT_ERR_NO_MEMORY or EPT_ERR_BAD_TABLE the pages
 * below the failing address carry the new mapping and the others are unchanged; the tables stay
 * consistent either way.
 */
enum ept_status ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                              uint64_t perms, unsigned memtype);

/*
 * Removes the translation of [gpa, gpa + size) (same alignment and range rules as ept_map_range);
 * holes are skipped. An entry whose whole span (512 GiB, 1 GiB, 2 MiB, 4 KiB) lies inside the range
 * is cleared and the tables below it freed; tables emptied piece by piece are kept. A large page
 * only partly inside the range is split first, which needs a table and can fail like
 * ept_map_range, leaving the part below the failing address unmapped.
 */
enum ept_status ept_unmap_range(struct ept *e, uint64_t gpa, uint64_t size);

struct ept_walk_result {
    bool mapped;        /* a leaf entry with any of R/W/X set translates gpa */
    uint64_t hpa;       /* translated address, page offset included (if mapped) */
    uint64_t perms;     /* EPT_READ | EPT_WRITE | EPT_EXECUTE granted by every level */
    unsigned memtype;   /* leaf bits 5:3 (if mapped) */
    uint64_t page_size; /* EPT_PAGE_SIZE_4K, _2M or _1G (if mapped) */
    unsigned level;     /* level of the last entry read: 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE */
    uint64_t entry;     /* that entry's raw value (0 if the walk could not read it) */
};

/* Translates gpa as the processor would. EPT_OK with r->mapped false for a hole;
 * EPT_ERR_OUT_OF_RANGE (and r->mapped false) for gpa at or above 2^gpa_bits. */
enum ept_status ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk_result *r);

/* EPT pointer for the VMCS (§25.6.11): memory type WB (bits 2:0 = 6), page-walk length 4 (bits 5:3
 * = 3), accessed/dirty flags off (bit 6 = 0), PML4 address in bits 51:12. */
/* Folds every table reachable from the PML4 (accessed/dirty flags ignored) into an FNV-1a hash. */
uint64_t ept_checksum(const struct ept *e, uint64_t hash);
uint64_t ept_eptp(const struct ept *e);

/* Frees every table through free_table (nothing if it is NULL) and clears e. */
void ept_destroy(struct ept *e);

#endif
