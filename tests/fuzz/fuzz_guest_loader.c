/* libFuzzer target for vmm/guest_loader.c: the input (after a configuration byte) is a guest image
 * loaded into fake guest RAM as a Multiboot kernel or a flat binary; all of RAM is then checked. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "vmm/guest_loader.h"

/*
 * Input: configuration byte, then the image.
 *   bits 1:0 guest RAM size: 36 KiB (just the information area), 128 KiB, 1 MiB + 64 KiB, 2 MiB
 *   bit 2    load as a flat binary (guest_load_flat) instead of a Multiboot kernel
 *   bits 4:3 command line: NULL, "", a short one, one longer than GUEST_MB1_CMDLINE_MAX
 *   bits 7:5 flat: load address 0, 0x7c00, 0x8ff0, RAM end - 1, RAM end - image size,
 *            0xfffff000, 4 GiB - image size, 2^64 - 4;
 *            Multiboot: bit 5 fixes up the checksum of the first header magic found, so that
 *            mutated headers get past the checksum
 * Guest RAM starts as a known pattern. On an error it must be unchanged. On success it must be
 * exactly the pattern plus what the loader's contract says (guest_loader.h): the segments (file
 * bytes, then zeros), the Multiboot information area built here from its documented layout, and
 * nothing else. The Multiboot header search is checked against a scan done here; ELF images it
 * accepts are re-read here and must satisfy every rule the loader states.
 */

#define MODE_RAM       0x03u
#define MODE_FLAT      0x04u
#define MODE_CMD_SHIFT 3
#define MODE_GPA_SHIFT 5
#define MODE_FIXUP     0x20u
#define RAM_MAX        0x200000u
#define LONG_CMDLINE   4000u
#define FOUR_GIB       0x100000000ull
#define AREA_SIZE      (GUEST_MB1_AREA_END - GUEST_MB1_AREA_GPA)

static uint8_t ram[RAM_MAX], pristine[RAM_MAX], expect[RAM_MAX];
static char long_cmdline[LONG_CMDLINE + 1];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (uint32_t i = 0; i < RAM_MAX; i++)
        pristine[i] = (uint8_t)((i * 2654435761u) >> 24 | 1);
    memcpy(ram, pristine, sizeof(ram));
    for (unsigned i = 0; i < LONG_CMDLINE; i++)
        long_cmdline[i] = (char)('a' + i % 26);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* The Multiboot information area as guest_loader.h lays it out, into expect[]. */
static bool build_expected_area(uint64_t size, const char *cmdline)
{
    uint8_t *a = expect + GUEST_MB1_AREA_GPA;
    memset(a, 0, AREA_SIZE);
    uint64_t low = size < GUEST_MB1_LOW_END ? size : GUEST_MB1_LOW_END;
    uint64_t upper = size > GUEST_MB1_HIGH_START ? (size - GUEST_MB1_HIGH_START) / 1024 : 0;
    if (upper > UINT32_MAX)
        upper = UINT32_MAX;
    uint8_t *e = a + (GUEST_MB1_MMAP_GPA - GUEST_MB1_AREA_GPA);
    unsigned n = 0;
    const uint64_t map[3][3] = {
        {0, low, GUEST_MB1_MMAP_AVAILABLE},
        {GUEST_MB1_LOW_END, GUEST_MB1_HIGH_START - GUEST_MB1_LOW_END, GUEST_MB1_MMAP_RESERVED},
        {GUEST_MB1_HIGH_START, size - GUEST_MB1_HIGH_START, GUEST_MB1_MMAP_AVAILABLE}};
    for (; n < (size > GUEST_MB1_HIGH_START ? 3u : 2u); n++, e += 24) {
        put32(e, 20);
        put64(e + 4, map[n][0]);
        put64(e + 12, map[n][1]);
        put32(e + 20, (uint32_t)map[n][2]);
    }
    put32(a + 0, GUEST_MB1_INFO_MEMORY | GUEST_MB1_INFO_CMDLINE | GUEST_MB1_INFO_MMAP |
                     GUEST_MB1_INFO_BOOT_LOADER_NAME);
    put32(a + 4, (uint32_t)(low / 1024));
    put32(a + 8, (uint32_t)upper);
    put32(a + 16, GUEST_MB1_CMDLINE_GPA);
    put32(a + 44, n * 24);
    put32(a + 48, GUEST_MB1_MMAP_GPA);
    put32(a + 64, GUEST_MB1_LOADER_NAME_GPA);
    size_t len = cmdline ? strlen(cmdline) : 0;
    bool cut = len > GUEST_MB1_CMDLINE_MAX;
    memcpy(a + (GUEST_MB1_CMDLINE_GPA - GUEST_MB1_AREA_GPA), cmdline ? cmdline : "",
           cut ? GUEST_MB1_CMDLINE_MAX : len);
    memcpy(a + (GUEST_MB1_LOADER_NAME_GPA - GUEST_MB1_AREA_GPA), "mica", 5);
    return cut;
}

static void check_strings(enum guest_load_status st, enum guest_image_kind kind)
{
    const char *s = guest_load_strerror(st);
    FUZZ_CHECK(s && strcmp(s, "unknown guest loader status") != 0, "status %d has no message", st);
    s = guest_image_kind_name(kind);
    FUZZ_CHECK(s && strcmp(s, "unknown image kind") != 0, "kind %d has no name", kind);
}

static void check_unchanged(uint64_t size, const char *what)
{
    FUZZ_CHECK(memcmp(ram, pristine, size) == 0, "guest RAM written by a failed %s", what);
}

/* A segment copied to expect[]: file bytes, then zeros. */
static void place(const uint8_t *img, size_t len, uint64_t offset, uint64_t filesz, uint64_t paddr,
                  uint64_t memsz, uint64_t size)
{
    FUZZ_CHECK(filesz <= memsz && offset <= len && filesz <= len - offset && paddr <= size &&
                   memsz <= size - paddr && paddr + memsz <= FOUR_GIB,
               "accepted segment: offset 0x%llx filesz 0x%llx paddr 0x%llx memsz 0x%llx",
               (unsigned long long)offset, (unsigned long long)filesz, (unsigned long long)paddr,
               (unsigned long long)memsz);
    FUZZ_CHECK(paddr + memsz <= GUEST_MB1_AREA_GPA || paddr >= GUEST_MB1_AREA_END,
               "accepted segment [0x%llx, 0x%llx) over the information area",
               (unsigned long long)paddr, (unsigned long long)(paddr + memsz));
    memcpy(expect + paddr, img + offset, filesz);
    memset(expect + paddr + filesz, 0, memsz - filesz);
}

/* ---- Multiboot header search, as guest_loader.h describes it --------------------------------- */

static bool valid_header(const uint8_t *img, size_t off)
{
    uint32_t magic = fuzz_le32(img + off), flags = fuzz_le32(img + off + 4);
    return magic == GUEST_MB1_HEADER_MAGIC &&
           (uint32_t)(magic + flags + fuzz_le32(img + off + 8)) == 0;
}

static enum guest_load_status expect_header(const uint8_t *img, size_t len, size_t *found)
{
    size_t limit = len < GUEST_MB1_SEARCH_LIMIT ? len : GUEST_MB1_SEARCH_LIMIT;
    bool bad = false, later = false;
    for (size_t off = 0; off + 12 <= len; off += 4) {
        bool in_limit = off + 12 <= limit;
        if (in_limit && valid_header(img, off)) {
            *found = off;
            uint32_t flags = fuzz_le32(img + off + 4);
            if (flags & GUEST_MB1_FLAG_VIDEO_MODE)
                return GUEST_LOAD_ERR_MB_VIDEO_MODE;
            if (flags & 0xffffu & ~GUEST_MB1_SUPPORTED_REQUIRED)
                return GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS;
            if ((flags & GUEST_MB1_FLAG_AOUT_KLUDGE) && off + 32 > limit)
                return GUEST_LOAD_ERR_MB_HEADER_TRUNCATED;
            return GUEST_LOAD_OK;
        }
        if (in_limit && fuzz_le32(img + off) == GUEST_MB1_HEADER_MAGIC)
            bad = true;
        if (!in_limit && valid_header(img, off))
            later = true;
    }
    return bad     ? GUEST_LOAD_ERR_MB_BAD_CHECKSUM
           : later ? GUEST_LOAD_ERR_MB_HEADER_TOO_FAR
                   : GUEST_LOAD_ERR_MB_NO_HEADER;
}

/* ---- a.out kludge: the whole expected outcome ------------------------------------------------ */

static enum guest_load_status expect_aout(const uint8_t *img, size_t len, size_t off, uint64_t size,
                                          uint32_t *entry)
{
    uint32_t header = fuzz_le32(img + off + 12), load = fuzz_le32(img + off + 16);
    uint32_t load_end = fuzz_le32(img + off + 20), bss_end = fuzz_le32(img + off + 24);
    *entry = fuzz_le32(img + off + 28);
    if (load > header)
        return GUEST_LOAD_ERR_AOUT_LOAD_ADDR;
    if (header - load > off)
        return GUEST_LOAD_ERR_AOUT_BEFORE_FILE;
    uint64_t file_off = off - (header - load), filesz;
    if (load_end) {
        if (load_end <= load)
            return GUEST_LOAD_ERR_AOUT_LOAD_END;
        filesz = load_end - load;
        if (file_off + filesz > len)
            return GUEST_LOAD_ERR_AOUT_PAST_IMAGE;
    } else {
        filesz = len - file_off;
    }
    uint64_t memsz = filesz;
    if (bss_end) {
        if (bss_end < load + filesz)
            return GUEST_LOAD_ERR_AOUT_BSS_END;
        memsz = bss_end - load;
    }
    if (load + memsz > FOUR_GIB)
        return GUEST_LOAD_ERR_SEG_ABOVE_4G;
    if (load + memsz > size)
        return GUEST_LOAD_ERR_SEG_OUTSIDE_RAM;
    if (load < GUEST_MB1_AREA_END && GUEST_MB1_AREA_GPA < load + memsz)
        return GUEST_LOAD_ERR_SEG_OVERLAPS_INFO;
    if (*entry < load || *entry - load >= filesz)
        return GUEST_LOAD_ERR_AOUT_ENTRY;
    place(img, len, file_off, filesz, load, memsz, size);
    return GUEST_LOAD_OK;
}

/* ---- ELF: an accepted image is re-read and must obey every stated rule ----------------------- */

static void check_elf(const uint8_t *img, size_t len, uint64_t size,
                      const struct guest_load_result *r)
{
    FUZZ_CHECK(len >= 20 && img[5] == 1 && img[6] == 1 && fuzz_le16(img + 16) == 2,
               "accepted ELF with a bad identification or type");
    bool is64 = img[4] == 2;
    FUZZ_CHECK((img[4] == 1 && fuzz_le16(img + 18) == 3) || (is64 && fuzz_le16(img + 18) == 62),
               "accepted ELF of class %u machine %u", img[4], fuzz_le16(img + 18));
    FUZZ_CHECK(len >= (is64 ? 64u : 52u) && fuzz_le32(img + 20) == 1, "accepted ELF header");
    uint64_t entry = is64 ? fuzz_le64(img + 24) : fuzz_le32(img + 24);
    uint64_t phoff = is64 ? fuzz_le64(img + 32) : fuzz_le32(img + 28);
    unsigned phentsize = fuzz_le16(img + (is64 ? 54 : 42));
    unsigned phnum = fuzz_le16(img + (is64 ? 56 : 44));
    FUZZ_CHECK(phnum > 0 && phnum != 0xffff && phentsize >= (is64 ? 56u : 32u) && phoff <= len &&
                   (uint64_t)phnum * phentsize <= len - phoff,
               "accepted program headers: %u of %u at 0x%llx", phnum, phentsize,
               (unsigned long long)phoff);
    uint64_t lo = UINT64_MAX, hi = 0, seg_lo[GUEST_ELF_MAX_LOAD_SEGMENTS],
             seg_hi[GUEST_ELF_MAX_LOAD_SEGMENTS];
    unsigned count = 0;
    bool entry_found = false;
    uint32_t want_entry = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        if (fuzz_le32(ph) != 1)
            continue;
        uint64_t off = is64 ? fuzz_le64(ph + 8) : fuzz_le32(ph + 4);
        uint64_t vaddr = is64 ? fuzz_le64(ph + 16) : fuzz_le32(ph + 8);
        uint64_t paddr = is64 ? fuzz_le64(ph + 24) : fuzz_le32(ph + 12);
        uint64_t filesz = is64 ? fuzz_le64(ph + 32) : fuzz_le32(ph + 16);
        uint64_t memsz = is64 ? fuzz_le64(ph + 40) : fuzz_le32(ph + 20);
        uint32_t flags = is64 ? fuzz_le32(ph + 4) : fuzz_le32(ph + 24);
        FUZZ_CHECK(filesz <= memsz, "accepted segment %u with filesz > memsz", i);
        if (memsz == 0)
            continue;
        place(img, len, off, filesz, paddr, memsz, size);
        for (unsigned j = 0; j < count; j++)
            FUZZ_CHECK(paddr + memsz <= seg_lo[j] || paddr >= seg_hi[j],
                       "accepted overlapping segments %u and another", i);
        FUZZ_CHECK(count < GUEST_ELF_MAX_LOAD_SEGMENTS, "accepted more than %u segments",
                   GUEST_ELF_MAX_LOAD_SEGMENTS);
        seg_lo[count] = paddr;
        seg_hi[count++] = paddr + memsz;
        lo = paddr < lo ? paddr : lo;
        hi = paddr + memsz > hi ? paddr + memsz : hi;
        if (!entry_found && (flags & 1) && entry >= vaddr && entry - vaddr < memsz) {
            entry_found = true;
            want_entry = (uint32_t)(paddr + (entry - vaddr));
        }
    }
    FUZZ_CHECK(count > 0 && entry_found, "accepted ELF with %u segments, entry found %d", count,
               entry_found);
    FUZZ_CHECK(r->segments == count && r->lowest == lo && r->highest == hi &&
                   r->entry == want_entry,
               "ELF result: %u segments [0x%llx, 0x%llx) entry 0x%x; expected %u [0x%llx, 0x%llx) "
               "0x%x",
               r->segments, (unsigned long long)r->lowest, (unsigned long long)r->highest, r->entry,
               count, (unsigned long long)lo, (unsigned long long)hi, want_entry);
}

/* ---- the two entry points -------------------------------------------------------------------- */

static void run_multiboot(const uint8_t *img, size_t len, uint64_t size, const char *cmdline)
{
    const struct guest_ram_access access = {.base = ram, .size = size};
    struct guest_load_result r;
    enum guest_load_status st = guest_load_multiboot(img, len, &access, cmdline, &r);
    check_strings(st, r.kind);
    if (len == 0) {
        FUZZ_CHECK(st == GUEST_LOAD_ERR_EMPTY_IMAGE, "empty image: %d", st);
        return;
    }
    FUZZ_CHECK(r.kind == guest_image_kind(img, len), "kind %d", r.kind);
    size_t off = 0;
    enum guest_load_status want = expect_header(img, len, &off);
    struct guest_mb1_header h;
    FUZZ_CHECK(guest_find_mb1_header(img, len, &h) == want, "header search, expected %d", want);
    if (want == GUEST_LOAD_OK || want == GUEST_LOAD_ERR_MB_VIDEO_MODE ||
        want == GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS || want == GUEST_LOAD_ERR_MB_HEADER_TRUNCATED)
        FUZZ_CHECK(h.offset == off && h.flags == fuzz_le32(img + off + 4) && r.mb_flags == h.flags,
                   "header at %u flags 0x%x, expected at %zu", h.offset, h.flags, off);

    memcpy(expect, pristine, size);
    uint32_t entry = 0;
    bool aout = want == GUEST_LOAD_OK && (h.flags & GUEST_MB1_FLAG_AOUT_KLUDGE);
    bool elf = want == GUEST_LOAD_OK && !aout && guest_image_kind(img, len) != GUEST_IMAGE_FLAT;
    if (aout)
        want = expect_aout(img, len, off, size, &entry);
    else if (want == GUEST_LOAD_OK && !elf)
        want = GUEST_LOAD_ERR_MB_NOT_ELF;
    /* An ELF image's errors are the loader's to name; an accepted one is re-checked below. */
    if (!elf)
        FUZZ_CHECK(st == want, "Multiboot load: %d, expected %d", st, want);
    if (st != GUEST_LOAD_OK) {
        FUZZ_CHECK(r.error_phdr >= -1, "error_phdr %d", r.error_phdr);
        check_unchanged(size, "Multiboot load");
        return;
    }
    if (aout)
        FUZZ_CHECK(r.aout_kludge && r.entry == entry && r.segments == 1, "a.out result");
    else
        check_elf(img, len, size, &r);
    bool cut = build_expected_area(size, cmdline);
    FUZZ_CHECK(r.eax == GUEST_MB1_BOOTLOADER_MAGIC && r.ebx == GUEST_MB1_INFO_GPA &&
                   r.cmdline_truncated == cut && r.error_phdr == -1,
               "Multiboot result: eax 0x%x ebx 0x%x cut %d", r.eax, r.ebx, r.cmdline_truncated);
    FUZZ_CHECK(r.lowest < r.highest && r.highest <= size && r.entry >= r.lowest &&
                   r.entry < r.highest,
               "loaded [0x%llx, 0x%llx), entry 0x%x", (unsigned long long)r.lowest,
               (unsigned long long)r.highest, r.entry);
    FUZZ_CHECK(memcmp(ram, expect, size) == 0, "guest RAM differs from the expected load");
    memcpy(ram, pristine, size);
}

static void run_flat(const uint8_t *img, size_t len, uint64_t size, uint64_t gpa)
{
    const struct guest_ram_access access = {.base = ram, .size = size};
    struct guest_load_result r;
    enum guest_load_status st = guest_load_flat(img, len, &access, gpa, &r);
    check_strings(st, r.kind);
    enum guest_load_status want = GUEST_LOAD_OK;
    if (len == 0)
        want = GUEST_LOAD_ERR_EMPTY_IMAGE;
    else if (gpa > FOUR_GIB || len > FOUR_GIB - gpa)
        want = GUEST_LOAD_ERR_SEG_ABOVE_4G;
    else if (gpa > size || len > size - gpa)
        want = GUEST_LOAD_ERR_SEG_OUTSIDE_RAM;
    FUZZ_CHECK(st == want, "flat load of %zu bytes at 0x%llx: %d, expected %d", len,
               (unsigned long long)gpa, st, want);
    if (st != GUEST_LOAD_OK) {
        check_unchanged(size, "flat load");
        return;
    }
    FUZZ_CHECK(r.entry == gpa && r.lowest == gpa && r.highest == gpa + len && r.segments == 1 &&
                   r.eax == 0 && r.ebx == 0 && r.kind == guest_image_kind(img, len),
               "flat result");
    memcpy(expect, pristine, size);
    memcpy(expect + gpa, img, len);
    FUZZ_CHECK(memcmp(ram, expect, size) == 0, "guest RAM differs from the flat image");
    memcpy(ram, pristine, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *img = data + 1;
    size_t len = size - 1;
    static const uint64_t sizes[4] = {GUEST_MB1_AREA_END, 0x20000, 0x110000, RAM_MAX};
    uint64_t ram_size = sizes[mode & MODE_RAM];
    const char *cmdlines[4] = {NULL, "", "console=ttyS0 quiet", long_cmdline};
    const char *cmdline = cmdlines[(mode >> MODE_CMD_SHIFT) & 3];

    /* An exact-size copy, so that ASan catches any read past the image. */
    uint8_t *copy = malloc(len ? len : 1);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, img, len);
    if (mode & MODE_FLAT) {
        const uint64_t gpas[8] = {
            0,          0x7c00,         0x8ff0,        ram_size - 1, ram_size - len,
            0xfffff000, FOUR_GIB - len, UINT64_MAX - 3};
        run_flat(copy, len, ram_size, gpas[mode >> MODE_GPA_SHIFT]);
    } else {
        for (size_t off = 0;
             (mode & MODE_FIXUP) && off + 12 <= len && off + 12 <= GUEST_MB1_SEARCH_LIMIT;
             off += 4) {
            if (fuzz_le32(copy + off) != GUEST_MB1_HEADER_MAGIC)
                continue;
            uint32_t checksum = 0u - GUEST_MB1_HEADER_MAGIC - fuzz_le32(copy + off + 4);
            for (int i = 0; i < 4; i++)
                copy[off + 8 + i] = (uint8_t)(checksum >> (8 * i));
            break;
        }
        run_multiboot(copy, len, ram_size, cmdline);
    }

    /* The information area on its own, for every RAM size and command line. */
    const struct guest_ram_access access = {.base = ram, .size = ram_size};
    uint32_t info_gpa = 0;
    bool want_cut = build_expected_area(ram_size, cmdline);
    bool cut = !want_cut; /* must be overwritten */
    enum guest_load_status st = guest_build_mb1_info(&access, cmdline, &info_gpa, &cut);
    FUZZ_CHECK(st == GUEST_LOAD_OK && info_gpa == GUEST_MB1_INFO_GPA && cut == want_cut,
               "information area: status %d at 0x%x, cut %d", st, info_gpa, cut);
    FUZZ_CHECK(memcmp(ram + GUEST_MB1_AREA_GPA, expect + GUEST_MB1_AREA_GPA, AREA_SIZE) == 0,
               "information area differs from its documented layout");
    memcpy(ram + GUEST_MB1_AREA_GPA, pristine + GUEST_MB1_AREA_GPA, AREA_SIZE);
    free(copy);
    return 0;
}
