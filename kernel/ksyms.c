/* Lookups in the embedded symbol table (.ksyms): sorted by address, so a binary search finds
 * the function containing an address. */
#include "kernel/ksyms.h"

#include "kernel/string.h"

extern const uint64_t ksym_count;
extern const struct ksym ksym_table[];
extern const char __kernel_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    if (addr < (uint64_t)__kernel_start || addr >= (uint64_t)__text_end || ksym_count == 0)
        return NULL;
    uint64_t lo = 0, hi = ksym_count;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ksym_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksym_table[lo].addr > addr)
        return NULL;
    if (offset)
        *offset = addr - ksym_table[lo].addr;
    return ksym_table[lo].name;
}

uint64_t ksym_address(const char *name)
{
    for (uint64_t i = 0; i < ksym_count; i++) {
        if (strcmp(ksym_table[i].name, name) == 0)
            return ksym_table[i].addr;
    }
    return 0;
}
