/* Guest image loading: image classification, Multiboot v1 header search, ELF32/ELF64 and a.out
 * kludge loading, flat binaries, and the guest's Multiboot information, all bounds-checked. */
#include "vmm/guest_loader.h"

#include "kernel/string.h"

/* ---- ELF definitions (System V ABI) --------------------------------------------------------- */
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define EM_386          3
#define EM_X86_64       62
#define PT_LOAD         1
#define PF_X            1u
#define PN_XNUM         0xffffu
#define ELF32_EHDR_SIZE 52u
#define ELF64_EHDR_SIZE 64u
#define ELF32_PHDR_SIZE 32u
#define ELF64_PHDR_SIZE 56u
#define ELF_KIND_MIN    20u /* e_ident, e_type, e_machine */

#define MB1_HEADER_MIN_SIZE  12u /* magic, flags, checksum */
#define MB1_HEADER_AOUT_SIZE 32u /* ... header_addr, load_addr, load_end_addr, bss_end, entry */
#define FOUR_GIB             0x100000000ull

/* Information structure offsets (Multiboot 0.6.96, section 3.3). */
#define INFO_FLAGS            0
#define INFO_MEM_LOWER        4
#define INFO_MEM_UPPER        8
#define INFO_CMDLINE          16
#define INFO_MMAP_LENGTH      44
#define INFO_MMAP_ADDR        48
#define INFO_BOOT_LOADER_NAME 64
#define MMAP_ENTRY_SIZE_FIELD 20u /* value of an entry's size field: bytes after the field */

/* Unaligned-safe little-endian reads; the caller has checked the bounds. */
static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* True if [start, start + n) lies within [0, limit), without overflow. */
static bool range_within(uint64_t start, uint64_t n, uint64_t limit)
{
    return start <= limit && n <= limit - start;
}

/* True if the non-empty ranges [a, a + an) and [b, b + bn), both below 4 GiB, overlap. */
static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return a < b + bn && b < a + an;
}

static bool ram_write(const struct guest_ram_access *ram, uint64_t gpa, const void *src, uint64_t n)
{
    if (!range_within(gpa, n, ram->size)) {
        return false;
    }
    if (n > 0) {
        memcpy(ram->base + gpa, src, (size_t)n);
    }
    return true;
}

static bool ram_zero(const struct guest_ram_access *ram, uint64_t gpa, uint64_t n)
{
    if (!range_within(gpa, n, ram->size)) {
        return false;
    }
    if (n > 0) {
        memset(ram->base + gpa, 0, (size_t)n);
    }
    return true;
}

static bool ram_write_u32(const struct guest_ram_access *ram, uint64_t gpa, uint32_t v)
{
    return ram_write(ram, gpa, &v, sizeof v);
}

static bool ram_write_u64(const struct guest_ram_access *ram, uint64_t gpa, uint64_t v)
{
    return ram_write(ram, gpa, &v, sizeof v);
}

static bool ram_usable(const struct guest_ram_access *ram)
{
    return ram != NULL && ram->base != NULL;
}

/* ---- Classification ------------------------------------------------------------------------- */

static bool has_elf_magic(const uint8_t *p, size_t len)
{
    return len >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
}

enum guest_image_kind guest_image_kind(const void *image, size_t len)
{
    const uint8_t *p = image;
    if (p == NULL || !has_elf_magic(p, len)) {
        return GUEST_IMAGE_FLAT;
    }
    if (len < ELF_KIND_MIN || p[EI_DATA] != ELFDATA2LSB) {
        return GUEST_IMAGE_ELF_INVALID;
    }
    uint16_t machine = rd16(p + 18);
    if (p[EI_CLASS] == ELFCLASS32 && machine == EM_386) {
        return GUEST_IMAGE_ELF32;
    }
    if (p[EI_CLASS] == ELFCLASS64 && machine == EM_X86_64) {
        return GUEST_IMAGE_ELF64;
    }
    return GUEST_IMAGE_ELF_INVALID;
}

const char *guest_image_kind_name(enum guest_image_kind kind)
{
    switch (kind) {
    case GUEST_IMAGE_FLAT:
        return "flat binary";
    case GUEST_IMAGE_ELF32:
        return "ELF32 i386";
    case GUEST_IMAGE_ELF64:
        return "ELF64 x86-64";
    case GUEST_IMAGE_ELF_INVALID:
        return "unsupported ELF";
    }
    return "unknown image kind";
}

/* ---- Multiboot header ----------------------------------------------------------------------- */

/* Offset of the first valid header at an aligned offset in [from, limit) with its 12 fixed bytes
 * below limit, or -1. *bad_checksum is set if a magic with a wrong checksum was seen. */
static int64_t scan_mb1(const uint8_t *p, size_t from, size_t limit, bool *bad_checksum)
{
    for (size_t off = from; off <= limit && MB1_HEADER_MIN_SIZE <= limit - off;
         off += GUEST_MB1_HEADER_ALIGN) {
        if (rd32(p + off) != GUEST_MB1_HEADER_MAGIC) {
            continue;
        }
        uint32_t sum = GUEST_MB1_HEADER_MAGIC + rd32(p + off + 4) + rd32(p + off + 8);
        if (sum == 0) {
            return (int64_t)off;
        }
        *bad_checksum = true;
    }
    return -1;
}

enum guest_load_status guest_find_mb1_header(const void *image, size_t len,
                                             struct guest_mb1_header *out)
{
    const uint8_t *p = image;
    if (p == NULL || out == NULL) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    size_t limit = len < GUEST_MB1_SEARCH_LIMIT ? len : GUEST_MB1_SEARCH_LIMIT;
    bool bad_checksum = false;
    int64_t off = scan_mb1(p, 0, limit, &bad_checksum);
    if (off < 0) {
        if (bad_checksum) {
            return GUEST_LOAD_ERR_MB_BAD_CHECKSUM;
        }
        /* For a precise message only: is there a valid header further on? The first aligned
         * offset whose header does not fit in the limit is the last one scanned, rounded up. */
        bool ignored = false;
        size_t next = limit >= MB1_HEADER_MIN_SIZE ? limit - MB1_HEADER_MIN_SIZE + 1 : 0;
        next = (next + GUEST_MB1_HEADER_ALIGN - 1) & ~(size_t)(GUEST_MB1_HEADER_ALIGN - 1);
        if (len > limit && scan_mb1(p, next, len, &ignored) >= 0) {
            return GUEST_LOAD_ERR_MB_HEADER_TOO_FAR;
        }
        return GUEST_LOAD_ERR_MB_NO_HEADER;
    }
    const uint8_t *h = p + off;
    out->offset = (uint32_t)off;
    out->flags = rd32(h + 4);
    if (out->flags & GUEST_MB1_FLAG_VIDEO_MODE) {
        return GUEST_LOAD_ERR_MB_VIDEO_MODE;
    }
    if (out->flags & GUEST_MB1_REQUIRED_MASK & ~GUEST_MB1_SUPPORTED_REQUIRED) {
        return GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS;
    }
    if (out->flags & GUEST_MB1_FLAG_AOUT_KLUDGE) {
        if (MB1_HEADER_AOUT_SIZE > limit - (size_t)off) {
            return GUEST_LOAD_ERR_MB_HEADER_TRUNCATED;
        }
        out->header_addr = rd32(h + 12);
        out->load_addr = rd32(h + 16);
        out->load_end_addr = rd32(h + 20);
        out->bss_end_addr = rd32(h + 24);
        out->entry_addr = rd32(h + 28);
    }
    return GUEST_LOAD_OK;
}

/* ---- Loaded ranges -------------------------------------------------------------------------- */

/* One range to load: file bytes [offset, offset + filesz) to [paddr, paddr + filesz), then zeros
 * up to paddr + memsz. */
struct load_range {
    uint64_t offset, filesz, paddr, memsz;
    uint64_t vaddr; /* ELF only: for the entry point */
    uint32_t flags; /* ELF only: p_flags */
};

/* Checks a range with memsz > 0 against the image, 4 GiB, guest RAM and the info area. */
static enum guest_load_status check_range(const struct load_range *r, size_t len,
                                          const struct guest_ram_access *ram)
{
    if (r->filesz > r->memsz) {
        return GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ;
    }
    if (!range_within(r->offset, r->filesz, len)) {
        return GUEST_LOAD_ERR_SEG_DATA_OUTSIDE_IMAGE;
    }
    if (!range_within(r->paddr, r->memsz, FOUR_GIB)) {
        return GUEST_LOAD_ERR_SEG_ABOVE_4G;
    }
    if (!range_within(r->paddr, r->memsz, ram->size)) {
        return GUEST_LOAD_ERR_SEG_OUTSIDE_RAM;
    }
    if (ranges_overlap(r->paddr, r->memsz, GUEST_MB1_AREA_GPA,
                       GUEST_MB1_AREA_END - GUEST_MB1_AREA_GPA)) {
        return GUEST_LOAD_ERR_SEG_OVERLAPS_INFO;
    }
    return GUEST_LOAD_OK;
}

/* Copies validated ranges into guest RAM and records the loaded span. */
static enum guest_load_status load_ranges(const uint8_t *image, const struct load_range *r,
                                          unsigned count, const struct guest_ram_access *ram,
                                          struct guest_load_result *out)
{
    uint64_t lowest = UINT64_MAX, highest = 0;
    for (unsigned i = 0; i < count; i++) {
        /* check_range() has validated all of this; the writes are bounds-checked again. */
        if (!ram_write(ram, r[i].paddr, image + r[i].offset, r[i].filesz) ||
            !ram_zero(ram, r[i].paddr + r[i].filesz, r[i].memsz - r[i].filesz)) {
            return GUEST_LOAD_ERR_SEG_OUTSIDE_RAM;
        }
        if (r[i].paddr < lowest) {
            lowest = r[i].paddr;
        }
        if (r[i].paddr + r[i].memsz > highest) {
            highest = r[i].paddr + r[i].memsz;
        }
    }
    out->lowest = lowest;
    out->highest = highest;
    out->segments = count;
    return GUEST_LOAD_OK;
}

/* ---- a.out kludge (Multiboot section 3.1.3) ------------------------------------------------- */

static enum guest_load_status load_aout(const uint8_t *image, size_t len,
                                        const struct guest_mb1_header *h,
                                        const struct guest_ram_access *ram,
                                        struct guest_load_result *out)
{
    if (h->load_addr > h->header_addr) {
        return GUEST_LOAD_ERR_AOUT_LOAD_ADDR;
    }
    uint32_t before_header = h->header_addr - h->load_addr;
    if (before_header > h->offset) {
        return GUEST_LOAD_ERR_AOUT_BEFORE_FILE;
    }
    struct load_range r = {.offset = h->offset - before_header, .paddr = h->load_addr};
    if (h->load_end_addr != 0) {
        if (h->load_end_addr <= h->load_addr) {
            return GUEST_LOAD_ERR_AOUT_LOAD_END;
        }
        r.filesz = h->load_end_addr - h->load_addr;
        if (!range_within(r.offset, r.filesz, len)) {
            return GUEST_LOAD_ERR_AOUT_PAST_IMAGE;
        }
    } else {
        r.filesz = len - r.offset; /* > 0: the header lies in it */
    }
    r.memsz = r.filesz;
    if (h->bss_end_addr != 0) {
        if (h->bss_end_addr < r.paddr + r.filesz) {
            return GUEST_LOAD_ERR_AOUT_BSS_END;
        }
        r.memsz = h->bss_end_addr - r.paddr;
    }
    enum guest_load_status st = check_range(&r, len, ram);
    if (st != GUEST_LOAD_OK) {
        return st;
    }
    if (h->entry_addr < r.paddr || h->entry_addr - r.paddr >= r.filesz) {
        return GUEST_LOAD_ERR_AOUT_ENTRY;
    }
    out->entry = h->entry_addr;
    out->aout_kludge = true;
    return load_ranges(image, &r, 1, ram, out);
}

/* ---- ELF ------------------------------------------------------------------------------------ */

struct elf_info {
    bool is64;
    uint64_t entry, phoff;
    uint16_t phentsize, phnum;
};

static enum guest_load_status parse_elf_header(const uint8_t *p, size_t len, struct elf_info *e)
{
    if (len < ELF_KIND_MIN) {
        return GUEST_LOAD_ERR_ELF_TRUNCATED;
    }
    if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) {
        return GUEST_LOAD_ERR_ELF_CLASS;
    }
    e->is64 = p[EI_CLASS] == ELFCLASS64;
    if (p[EI_DATA] != ELFDATA2LSB) {
        return GUEST_LOAD_ERR_ELF_DATA;
    }
    if (p[EI_VERSION] != EV_CURRENT) {
        return GUEST_LOAD_ERR_ELF_VERSION;
    }
    if (rd16(p + 18) != (e->is64 ? EM_X86_64 : EM_386)) {
        return GUEST_LOAD_ERR_ELF_MACHINE;
    }
    if (len < (e->is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE)) {
        return GUEST_LOAD_ERR_ELF_TRUNCATED;
    }
    if (rd32(p + 20) != EV_CURRENT) {
        return GUEST_LOAD_ERR_ELF_VERSION;
    }
    if (rd16(p + 16) != ET_EXEC) {
        return GUEST_LOAD_ERR_ELF_TYPE;
    }
    if (e->is64) {
        e->entry = rd64(p + 24);
        e->phoff = rd64(p + 32);
        e->phentsize = rd16(p + 54);
        e->phnum = rd16(p + 56);
    } else {
        e->entry = rd32(p + 24);
        e->phoff = rd32(p + 28);
        e->phentsize = rd16(p + 42);
        e->phnum = rd16(p + 44);
    }
    if (e->phnum == 0 || e->phnum == PN_XNUM) {
        return GUEST_LOAD_ERR_ELF_PHNUM;
    }
    if (e->phentsize < (e->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE)) {
        return GUEST_LOAD_ERR_ELF_PHENTSIZE;
    }
    if (!range_within(e->phoff, (uint64_t)e->phnum * e->phentsize, len)) {
        return GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE;
    }
    return GUEST_LOAD_OK;
}

/* Reads program header i (inside the image: checked by parse_elf_header()); returns p_type. */
static uint32_t read_phdr(const uint8_t *p, const struct elf_info *e, unsigned i,
                          struct load_range *r)
{
    const uint8_t *ph = p + e->phoff + (uint64_t)i * e->phentsize;
    if (e->is64) {
        r->flags = rd32(ph + 4);
        r->offset = rd64(ph + 8);
        r->vaddr = rd64(ph + 16);
        r->paddr = rd64(ph + 24);
        r->filesz = rd64(ph + 32);
        r->memsz = rd64(ph + 40);
    } else {
        r->offset = rd32(ph + 4);
        r->vaddr = rd32(ph + 8);
        r->paddr = rd32(ph + 12);
        r->filesz = rd32(ph + 16);
        r->memsz = rd32(ph + 20);
        r->flags = rd32(ph + 24);
    }
    return rd32(ph);
}

static enum guest_load_status load_elf(const uint8_t *image, size_t len,
                                       const struct guest_ram_access *ram,
                                       struct guest_load_result *out)
{
    struct elf_info e;
    enum guest_load_status st = parse_elf_header(image, len, &e);
    if (st != GUEST_LOAD_OK) {
        return st;
    }
    struct load_range segs[GUEST_ELF_MAX_LOAD_SEGMENTS];
    int32_t seg_phdr[GUEST_ELF_MAX_LOAD_SEGMENTS];
    unsigned count = 0;
    for (unsigned i = 0; i < e.phnum; i++) {
        struct load_range r;
        if (read_phdr(image, &e, i, &r) != PT_LOAD) {
            continue;
        }
        out->error_phdr = (int32_t)i;
        if (r.filesz > r.memsz) {
            return GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ;
        }
        if (r.memsz == 0) {
            continue; /* nothing to load */
        }
        st = check_range(&r, len, ram);
        if (st != GUEST_LOAD_OK) {
            return st;
        }
        for (unsigned j = 0; j < count; j++) {
            if (ranges_overlap(r.paddr, r.memsz, segs[j].paddr, segs[j].memsz)) {
                return GUEST_LOAD_ERR_SEG_OVERLAP;
            }
        }
        if (count == GUEST_ELF_MAX_LOAD_SEGMENTS) {
            return GUEST_LOAD_ERR_ELF_TOO_MANY_SEGMENTS;
        }
        seg_phdr[count] = (int32_t)i;
        segs[count++] = r;
    }
    out->error_phdr = -1;
    if (count == 0) {
        return GUEST_LOAD_ERR_ELF_NO_LOAD_SEGMENTS;
    }
    /* The entry point: in an executable segment's virtual range, translated to physical. */
    bool found = false;
    for (unsigned j = 0; j < count && !found; j++) {
        const struct load_range *r = &segs[j];
        if ((r->flags & PF_X) && e.entry >= r->vaddr && e.entry - r->vaddr < r->memsz) {
            out->entry = (uint32_t)(r->paddr + (e.entry - r->vaddr)); /* below 4 GiB */
            found = true;
        }
    }
    if (!found) {
        /* Name the segment that holds the entry but is not executable, if any. */
        for (unsigned j = 0; j < count; j++) {
            if (e.entry >= segs[j].vaddr && e.entry - segs[j].vaddr < segs[j].memsz) {
                out->error_phdr = seg_phdr[j];
                break;
            }
        }
        return GUEST_LOAD_ERR_ELF_ENTRY;
    }
    return load_ranges(image, segs, count, ram, out);
}

/* ---- Multiboot information (section 3.3) ---------------------------------------------------- */

static bool write_mmap_entry(const struct guest_ram_access *ram, uint64_t gpa, uint64_t base,
                             uint64_t length, uint32_t type)
{
    return ram_write_u32(ram, gpa, MMAP_ENTRY_SIZE_FIELD) && ram_write_u64(ram, gpa + 4, base) &&
           ram_write_u64(ram, gpa + 12, length) && ram_write_u32(ram, gpa + 20, type);
}

enum guest_load_status guest_build_mb1_info(const struct guest_ram_access *ram, const char *cmdline,
                                            uint32_t *info_gpa, bool *truncated)
{
    if (!ram_usable(ram) || info_gpa == NULL) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    if (ram->size < GUEST_MB1_AREA_END) {
        return GUEST_LOAD_ERR_RAM_TOO_SMALL;
    }
    if (cmdline == NULL) {
        cmdline = "";
    }
    size_t cmd_len = strnlen(cmdline, GUEST_MB1_CMDLINE_MAX + 1);
    bool cut = cmd_len > GUEST_MB1_CMDLINE_MAX;
    if (cut) {
        cmd_len = GUEST_MB1_CMDLINE_MAX;
    }

    uint64_t low_end = ram->size < GUEST_MB1_LOW_END ? ram->size : GUEST_MB1_LOW_END;
    uint64_t upper_kib = 0;
    if (ram->size > GUEST_MB1_HIGH_START) {
        upper_kib = (ram->size - GUEST_MB1_HIGH_START) / 1024;
        if (upper_kib > UINT32_MAX) {
            upper_kib = UINT32_MAX;
        }
    }

    const uint64_t info = GUEST_MB1_INFO_GPA;
    uint64_t mmap = GUEST_MB1_MMAP_GPA;
    bool ok = ram_zero(ram, GUEST_MB1_AREA_GPA, GUEST_MB1_AREA_END - GUEST_MB1_AREA_GPA);
    ok = ok && write_mmap_entry(ram, mmap, 0, low_end, GUEST_MB1_MMAP_AVAILABLE);
    mmap += GUEST_MB1_MMAP_ENTRY_SIZE;
    ok = ok && write_mmap_entry(ram, mmap, GUEST_MB1_LOW_END,
                                GUEST_MB1_HIGH_START - GUEST_MB1_LOW_END, GUEST_MB1_MMAP_RESERVED);
    mmap += GUEST_MB1_MMAP_ENTRY_SIZE;
    if (ram->size > GUEST_MB1_HIGH_START) {
        ok = ok && write_mmap_entry(ram, mmap, GUEST_MB1_HIGH_START,
                                    ram->size - GUEST_MB1_HIGH_START, GUEST_MB1_MMAP_AVAILABLE);
        mmap += GUEST_MB1_MMAP_ENTRY_SIZE;
    }
    ok = ok && ram_write(ram, GUEST_MB1_CMDLINE_GPA, cmdline, cmd_len); /* NUL: zeroed above */
    ok = ok && ram_write(ram, GUEST_MB1_LOADER_NAME_GPA, GUEST_MB1_LOADER_NAME,
                         sizeof GUEST_MB1_LOADER_NAME);
    ok = ok && ram_write_u32(ram, info + INFO_FLAGS, GUEST_MB1_INFO_FLAGS);
    ok = ok && ram_write_u32(ram, info + INFO_MEM_LOWER, (uint32_t)(low_end / 1024));
    ok = ok && ram_write_u32(ram, info + INFO_MEM_UPPER, (uint32_t)upper_kib);
    ok = ok && ram_write_u32(ram, info + INFO_CMDLINE, GUEST_MB1_CMDLINE_GPA);
    ok = ok && ram_write_u32(ram, info + INFO_MMAP_LENGTH, (uint32_t)(mmap - GUEST_MB1_MMAP_GPA));
    ok = ok && ram_write_u32(ram, info + INFO_MMAP_ADDR, GUEST_MB1_MMAP_GPA);
    ok = ok && ram_write_u32(ram, info + INFO_BOOT_LOADER_NAME, GUEST_MB1_LOADER_NAME_GPA);
    if (!ok) {
        return GUEST_LOAD_ERR_RAM_TOO_SMALL; /* not reached: the area is inside guest RAM */
    }
    *info_gpa = GUEST_MB1_INFO_GPA;
    if (truncated != NULL) {
        *truncated = cut;
    }
    return GUEST_LOAD_OK;
}

/* ---- Entry points --------------------------------------------------------------------------- */

static void clear_result(struct guest_load_result *out)
{
    memset(out, 0, sizeof *out);
    out->error_phdr = -1;
}

enum guest_load_status guest_load_multiboot(const void *image, size_t len,
                                            const struct guest_ram_access *ram, const char *cmdline,
                                            struct guest_load_result *out)
{
    if (out == NULL) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    clear_result(out);
    if (image == NULL || !ram_usable(ram)) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    if (len == 0) {
        return GUEST_LOAD_ERR_EMPTY_IMAGE;
    }
    if (ram->size < GUEST_MB1_AREA_END) {
        return GUEST_LOAD_ERR_RAM_TOO_SMALL;
    }
    const uint8_t *p = image;
    out->kind = guest_image_kind(p, len);

    struct guest_mb1_header h;
    enum guest_load_status st = guest_find_mb1_header(p, len, &h);
    out->mb_flags = h.flags;
    if (st != GUEST_LOAD_OK) {
        return st;
    }
    if (h.flags & GUEST_MB1_FLAG_AOUT_KLUDGE) {
        st = load_aout(p, len, &h, ram, out);
    } else if (has_elf_magic(p, len)) {
        st = load_elf(p, len, ram, out);
    } else {
        st = GUEST_LOAD_ERR_MB_NOT_ELF;
    }
    if (st != GUEST_LOAD_OK) {
        return st;
    }
    uint32_t info_gpa;
    st = guest_build_mb1_info(ram, cmdline, &info_gpa, &out->cmdline_truncated);
    if (st != GUEST_LOAD_OK) {
        return st;
    }
    out->eax = GUEST_MB1_BOOTLOADER_MAGIC;
    out->ebx = info_gpa;
    return GUEST_LOAD_OK;
}

enum guest_load_status guest_load_flat(const void *image, size_t len,
                                       const struct guest_ram_access *ram, uint64_t gpa,
                                       struct guest_load_result *out)
{
    if (out == NULL) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    clear_result(out);
    if (image == NULL || !ram_usable(ram)) {
        return GUEST_LOAD_ERR_NULL_ARGUMENT;
    }
    if (len == 0) {
        return GUEST_LOAD_ERR_EMPTY_IMAGE;
    }
    out->kind = guest_image_kind(image, len);
    if (!range_within(gpa, len, FOUR_GIB)) {
        return GUEST_LOAD_ERR_SEG_ABOVE_4G;
    }
    if (!ram_write(ram, gpa, image, len)) {
        return GUEST_LOAD_ERR_SEG_OUTSIDE_RAM;
    }
    out->entry = (uint32_t)gpa;
    out->lowest = gpa;
    out->highest = gpa + len;
    out->segments = 1;
    return GUEST_LOAD_OK;
}

const char *guest_load_strerror(enum guest_load_status status)
{
    switch (status) {
    case GUEST_LOAD_OK:
        return "success";
    case GUEST_LOAD_ERR_NULL_ARGUMENT:
        return "NULL image, guest RAM or result pointer";
    case GUEST_LOAD_ERR_EMPTY_IMAGE:
        return "the guest image is empty (0 bytes)";
    case GUEST_LOAD_ERR_RAM_TOO_SMALL:
        return "guest RAM is too small to hold the Multiboot information at 0x8000-0x9000";
    case GUEST_LOAD_ERR_MB_NO_HEADER:
        return "no Multiboot header (magic 0x1badb002 at a 4-byte aligned offset) in the first "
               "8192 bytes of the guest image";
    case GUEST_LOAD_ERR_MB_BAD_CHECKSUM:
        return "the guest image's Multiboot header has a bad checksum (magic + flags + checksum "
               "must be 0)";
    case GUEST_LOAD_ERR_MB_HEADER_TOO_FAR:
        return "the guest image's Multiboot header is not within its first 8192 bytes";
    case GUEST_LOAD_ERR_MB_HEADER_TRUNCATED:
        return "the Multiboot header's address fields (flags bit 16) extend past the first 8192 "
               "bytes or the end of the guest image";
    case GUEST_LOAD_ERR_MB_VIDEO_MODE:
        return "the guest image requests a video mode (Multiboot flags bit 2): not supported";
    case GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS:
        return "the guest image's Multiboot header requires features (flags bits 3-15) this "
               "loader does not support";
    case GUEST_LOAD_ERR_MB_NOT_ELF:
        return "the guest image is neither ELF nor marked with the a.out kludge (Multiboot flags "
               "bit 16): no way to know where to load it";
    case GUEST_LOAD_ERR_AOUT_LOAD_ADDR:
        return "Multiboot a.out kludge: load_addr is above header_addr";
    case GUEST_LOAD_ERR_AOUT_BEFORE_FILE:
        return "Multiboot a.out kludge: header_addr - load_addr is larger than the header's file "
               "offset (loading would start before the file)";
    case GUEST_LOAD_ERR_AOUT_LOAD_END:
        return "Multiboot a.out kludge: load_end_addr is not above load_addr";
    case GUEST_LOAD_ERR_AOUT_PAST_IMAGE:
        return "Multiboot a.out kludge: load_end_addr - load_addr bytes go past the end of the "
               "guest image";
    case GUEST_LOAD_ERR_AOUT_BSS_END:
        return "Multiboot a.out kludge: bss_end_addr is below load_end_addr";
    case GUEST_LOAD_ERR_AOUT_ENTRY:
        return "Multiboot a.out kludge: entry_addr is not inside the loaded text and data";
    case GUEST_LOAD_ERR_ELF_TRUNCATED:
        return "the guest image is shorter than its ELF header";
    case GUEST_LOAD_ERR_ELF_CLASS:
        return "the guest ELF image is neither 32-bit nor 64-bit (bad EI_CLASS)";
    case GUEST_LOAD_ERR_ELF_DATA:
        return "the guest ELF image is not little-endian";
    case GUEST_LOAD_ERR_ELF_VERSION:
        return "the guest ELF image has an unknown ELF version";
    case GUEST_LOAD_ERR_ELF_TYPE:
        return "the guest ELF image is not an executable (e_type is not ET_EXEC)";
    case GUEST_LOAD_ERR_ELF_MACHINE:
        return "the guest ELF image is not for x86 (ELF32 must be EM_386, ELF64 EM_X86_64)";
    case GUEST_LOAD_ERR_ELF_PHNUM:
        return "the guest ELF image has no program headers (e_phnum is 0 or PN_XNUM)";
    case GUEST_LOAD_ERR_ELF_PHENTSIZE:
        return "the guest ELF image's e_phentsize is smaller than a program header";
    case GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE:
        return "the guest ELF image's program headers (e_phoff, e_phnum * e_phentsize) extend "
               "past the end of the image";
    case GUEST_LOAD_ERR_ELF_NO_LOAD_SEGMENTS:
        return "the guest ELF image has no PT_LOAD segment with a non-zero size";
    case GUEST_LOAD_ERR_ELF_TOO_MANY_SEGMENTS:
        return "the guest ELF image has more than 32 non-empty PT_LOAD segments";
    case GUEST_LOAD_ERR_ELF_ENTRY:
        return "the guest ELF image's entry point (e_entry) is not inside an executable PT_LOAD "
               "segment";
    case GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ:
        return "a segment of the guest image has p_filesz larger than p_memsz";
    case GUEST_LOAD_ERR_SEG_DATA_OUTSIDE_IMAGE:
        return "a segment's file data (p_offset + p_filesz) extends past the end of the guest "
               "image";
    case GUEST_LOAD_ERR_SEG_ABOVE_4G:
        return "a segment of the guest image extends past 4 GiB (Multiboot needs 32-bit "
               "physical addresses)";
    case GUEST_LOAD_ERR_SEG_OUTSIDE_RAM:
        return "a segment of the guest image does not fit in guest RAM (load address + size "
               "past the end of guest RAM)";
    case GUEST_LOAD_ERR_SEG_OVERLAPS_INFO:
        return "a segment of the guest image overlaps 0x8000-0x9000, where the Multiboot "
               "information goes";
    case GUEST_LOAD_ERR_SEG_OVERLAP:
        return "two PT_LOAD segments of the guest image overlap in physical memory";
    }
    return "unknown guest loader status";
}
