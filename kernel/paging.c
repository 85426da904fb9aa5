/* Builds the kernel's identity map with 2 MiB pages, and 4 KiB pages for the first 2 MiB (page 0
 * left unmapped) and for the kernel image (per-section permissions). Ranges with no RAM are UC. */
#include "kernel/paging.h"

#include "kernel/checksum.h"

#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/string.h"

#define ENTRIES_PER_TABLE 512
#define GIB               (1ul << 30)

static uint64_t *pml4;
static uint64_t mapped_end;
static uint64_t nx_bit;

static uint64_t *alloc_table(void)
{
    uint64_t phys;
    if (!pmm_alloc_page(&boot.pmm, &phys))
        panic("out of memory for the kernel page tables");
    memset((void *)phys, 0, PAGE_SIZE);
    return (uint64_t *)phys;
}

/* Does the boot loader's map put any RAM (available, ACPI) in [base, end)? */
static bool range_has_ram(uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < boot.mb2.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &boot.mb2.mmap[i];
        bool ram = e->type == MB2_MMAP_AVAILABLE || e->type == MB2_MMAP_ACPI_RECLAIMABLE ||
                   e->type == MB2_MMAP_ACPI_NVS;
        if (ram && e->base_addr < end && e->base_addr + e->length > base)
            return true;
    }
    return false;
}

static uint64_t small_page_flags(uint64_t addr)
{
    uint64_t text = (uint64_t)__kernel_start, text_end = (uint64_t)__text_end;
    uint64_t rodata_end = (uint64_t)__rodata_end;
    if (addr == 0)
        return 0; /* NULL dereferences fault */
    if (addr >= text && addr < text_end)
        return PTE_PRESENT; /* read-only, executable */
    if (addr >= text_end && addr < rodata_end)
        return PTE_PRESENT | nx_bit;
    return PTE_PRESENT | PTE_WRITABLE | nx_bit;
}

static bool needs_small_pages(uint64_t base)
{
    uint64_t end = base + LARGE_PAGE_SIZE;
    return base == 0 ||
           ((uint64_t)__kernel_start < end && (uint64_t)__kernel_end > base);
}

static void map_2mib(uint64_t *pd, unsigned index, uint64_t base)
{
    uint64_t cache = range_has_ram(base, base + LARGE_PAGE_SIZE) ? 0 : PTE_PCD | PTE_PWT;
    if (!needs_small_pages(base)) {
        pd[index] = base | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE | nx_bit | cache;
        return;
    }
    uint64_t *pt = alloc_table();
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++) {
        uint64_t addr = base + i * PAGE_SIZE;
        uint64_t flags = small_page_flags(addr);
        pt[i] = flags ? addr | flags | cache : 0;
    }
    pd[index] = (uint64_t)pt | PTE_PRESENT | PTE_WRITABLE;
}

void paging_init(void)
{
    struct cpuid_regs ext = cpuid(0x80000001, 0);
    if (ext.edx & (1u << 20)) { /* CPUID.80000001H:EDX.NX */
        wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
        nx_bit = PTE_NX;
    }
    /* Map whole GiBs up to the end of RAM, and at least 4 GiB (local APIC, IOAPIC, firmware). */
    uint64_t end = memmap_highest_end(&boot.usable);
    for (unsigned i = 0; i < boot.mb2.mmap_count; i++) {
        uint64_t e = boot.mb2.mmap[i].base_addr + boot.mb2.mmap[i].length;
        if (boot.mb2.mmap[i].type == MB2_MMAP_AVAILABLE && e > end)
            end = e;
    }
    if (end < 4 * GIB)
        end = 4 * GIB;
    end = (end + GIB - 1) & ~(GIB - 1);
    if (end > 512 * GIB) {
        log_warn("paging: RAM above 512 GiB is not mapped\n");
        end = 512 * GIB;
    }

    pml4 = alloc_table();
    uint64_t *pdpt = alloc_table();
    pml4[0] = (uint64_t)pdpt | PTE_PRESENT | PTE_WRITABLE;
    for (uint64_t gib = 0; gib < end / GIB; gib++) {
        uint64_t *pd = alloc_table();
        pdpt[gib] = (uint64_t)pd | PTE_PRESENT | PTE_WRITABLE;
        for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
            map_2mib(pd, i, gib * GIB + i * LARGE_PAGE_SIZE);
    }
    mapped_end = end;
    write_cr3((uint64_t)pml4);
    write_cr0(read_cr0() | CR0_WP);
    log_info("paging: identity map of %lu GiB, NX %s, kernel text read-only, page 0 unmapped\n",
             end / GIB, nx_bit ? "on" : "not supported");
}

/* The processor sets Accessed and Dirty in the entries it walks: not a change of the mapping. */
#define PTE_ACCESSED (1ul << 5)
#define PTE_DIRTY    (1ul << 6)

static uint64_t hash_table(uint64_t hash, const uint64_t *table, unsigned level)
{
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++) {
        uint64_t e = table[i];
        hash = fnv1a64_u64(hash, e & ~(PTE_ACCESSED | PTE_DIRTY));
        bool leaf = level == 1 || (level < 4 && (e & PTE_LARGE));
        if ((e & PTE_PRESENT) && !leaf)
            hash = hash_table(hash, (const uint64_t *)(e & PTE_ADDR_MASK), level - 1);
    }
    return hash;
}

uint64_t paging_tables_checksum(uint64_t hash)
{
    return pml4 ? hash_table(hash, pml4, 4) : hash;
}

uint64_t paging_mapped_end(void)
{
    return mapped_end;
}

bool paging_lookup(uint64_t addr, uint64_t *entry, uint64_t *page_size)
{
    if (!pml4 || addr >= mapped_end)
        return false;
    uint64_t e = pml4[(addr >> 39) & 511];
    if (!(e & PTE_PRESENT))
        return false;
    e = ((uint64_t *)(e & PTE_ADDR_MASK))[(addr >> 30) & 511];
    if (!(e & PTE_PRESENT))
        return false;
    e = ((uint64_t *)(e & PTE_ADDR_MASK))[(addr >> 21) & 511];
    if (!(e & PTE_PRESENT))
        return false;
    if (e & PTE_LARGE) {
        *entry = e;
        *page_size = LARGE_PAGE_SIZE;
        return true;
    }
    e = ((uint64_t *)(e & PTE_ADDR_MASK))[(addr >> 12) & 511];
    if (!(e & PTE_PRESENT))
        return false;
    *entry = e;
    *page_size = PAGE_SIZE;
    return true;
}
