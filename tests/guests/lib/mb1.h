/* Multiboot v1 information for test guests: where guest RAM ends (from the memory map) and the
 * command line. Header only, since guests.mk links no library objects beyond lib/'s fixed list. */
#ifndef GUEST_MB1_H
#define GUEST_MB1_H

#include <stdint.h>

#define MB1_INFO_MEM       (1u << 0)
#define MB1_INFO_CMDLINE   (1u << 2)
#define MB1_INFO_MMAP      (1u << 6)
#define MB1_MMAP_AVAILABLE 1u
#define MB1_HIGH_START     0x100000u

/* The parts of the Multiboot v1 information structure read here. */
struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper; /* KiB below 1 MiB and from 1 MiB */
    uint32_t boot_device, cmdline, mods_count, mods_addr, syms[4];
    uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb1_mmap_entry {
    uint32_t size; /* of the rest of the entry: the next one is at +size+4 */
    uint32_t base_lo, base_hi;
    uint32_t len_lo, len_hi;
    uint32_t type;
};

/* The end of the available range starting at 1 MiB (mica maps guest RAM contiguously from 0, so
 * that is the end of guest RAM), else 1 MiB + mem_upper KiB; 0 if the structure has neither. */
static inline uint32_t mb1_ram_end(uint32_t mbi)
{
    const struct mb1_info *info = (const struct mb1_info *)mbi;
    if (mbi == 0)
        return 0;
    if ((info->flags & MB1_INFO_MMAP) && info->mmap_addr != 0) {
        uint32_t p = info->mmap_addr, end = info->mmap_addr + info->mmap_length;
        for (unsigned n = 0; p + sizeof(struct mb1_mmap_entry) <= end && n < 64; n++) {
            const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
            if (e->type == MB1_MMAP_AVAILABLE && e->base_hi == 0 && e->base_lo == MB1_HIGH_START) {
                uint64_t last = (uint64_t)MB1_HIGH_START + e->len_lo + ((uint64_t)e->len_hi << 32);
                return last > 0xfffff000u ? 0xfffff000u : (uint32_t)last;
            }
            if (e->size < sizeof(*e) - 4)
                break;
            p += e->size + 4;
        }
    }
    if (info->flags & MB1_INFO_MEM)
        return MB1_HIGH_START + info->mem_upper * 1024u;
    return 0;
}

/* The guest's command line (the GRUB module string), or "" if there is none. */
static inline const char *mb1_cmdline(uint32_t mbi)
{
    const struct mb1_info *info = (const struct mb1_info *)mbi;
    if (mbi == 0 || !(info->flags & MB1_INFO_CMDLINE) || info->cmdline == 0)
        return "";
    return (const char *)info->cmdline;
}

#endif
