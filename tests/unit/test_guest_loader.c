/* Unit tests for vmm/guest_loader.c: ELF32/ELF64 and a.out-kludge Multiboot images built here
 * byte by byte, each malformation the loader must reject, the Multiboot information read back from
 * guest RAM, and flat binaries. Build: test_guest_loader.c vmm/guest_loader.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/guest_loader.h"

#define RAM_SIZE 0x400000u /* 4 MiB of guest RAM */
#define POISON   0xcc

#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X    1
#define PF_W    2
#define PF_R    4

/* ---- Image builder ---------------------------------------------------------------------------
 * Default ELF32 layout: header at 0, two program headers at 52, Multiboot header at 0x100 (start
 * of segment 0), file ends at 0x400.
 *   phdr 0: PT_LOAD R+X, file [0x100, 0x300) -> 0x100000, p_memsz 0x1000 (bss 0x100200-0x101000)
 *   phdr 1: PT_LOAD R+W, file [0x300, 0x400) -> 0x102000, p_memsz 0x180 (bss 0x102100-0x102180)
 *   e_entry 0x100010. The ELF64 variant is the same with 64-byte and 56-byte headers. */
#define IMG_MAX     0x4000
#define MB_OFFSET   0x100
#define SEG0_OFFSET 0x100
#define SEG0_PADDR  0x100000u
#define SEG0_FILESZ 0x200
#define SEG0_MEMSZ  0x1000
#define SEG1_OFFSET 0x300
#define SEG1_PADDR  0x102000u
#define SEG1_FILESZ 0x100
#define SEG1_MEMSZ  0x180
#define IMG_LEN     0x400
#define ENTRY       0x100010u

struct img {
    uint8_t b[IMG_MAX];
    size_t len;
    bool is64;
};

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void put16(struct img *m, size_t off, uint16_t v)
{
    memcpy(&m->b[off], &v, sizeof v);
}

static void put32(struct img *m, size_t off, uint32_t v)
{
    memcpy(&m->b[off], &v, sizeof v);
}

static void put64(struct img *m, size_t off, uint64_t v)
{
    memcpy(&m->b[off], &v, sizeof v);
}

static size_t ehdr_size(const struct img *m)
{
    return m->is64 ? 64 : 52;
}

static size_t phentsize(const struct img *m)
{
    return m->is64 ? 56 : 32;
}

static void set_entry(struct img *m, uint64_t entry)
{
    if (m->is64) {
        put64(m, 24, entry);
    } else {
        put32(m, 24, (uint32_t)entry);
    }
}

static void set_phoff(struct img *m, uint64_t phoff)
{
    if (m->is64) {
        put64(m, 32, phoff);
    } else {
        put32(m, 28, (uint32_t)phoff);
    }
}

static void set_phentsize(struct img *m, uint16_t v)
{
    put16(m, m->is64 ? 54 : 42, v);
}

static void set_phnum(struct img *m, uint16_t v)
{
    put16(m, m->is64 ? 56 : 44, v);
}

/* Writes program header i (at e_phoff = ehdr size). */
static void set_phdr(struct img *m, unsigned i, struct phdr p)
{
    size_t o = ehdr_size(m) + i * phentsize(m);
    if (m->is64) {
        put32(m, o, p.type);
        put32(m, o + 4, p.flags);
        put64(m, o + 8, p.offset);
        put64(m, o + 16, p.vaddr);
        put64(m, o + 24, p.paddr);
        put64(m, o + 32, p.filesz);
        put64(m, o + 40, p.memsz);
        put64(m, o + 48, 0x1000);
    } else {
        put32(m, o, p.type);
        put32(m, o + 4, (uint32_t)p.offset);
        put32(m, o + 8, (uint32_t)p.vaddr);
        put32(m, o + 12, (uint32_t)p.paddr);
        put32(m, o + 16, (uint32_t)p.filesz);
        put32(m, o + 20, (uint32_t)p.memsz);
        put32(m, o + 24, p.flags);
        put32(m, o + 28, 0x1000);
    }
}

static void put_mb_header(struct img *m, size_t off, uint32_t flags)
{
    put32(m, off, GUEST_MB1_HEADER_MAGIC);
    put32(m, off + 4, flags);
    put32(m, off + 8, (uint32_t)(0u - GUEST_MB1_HEADER_MAGIC - flags));
}

static void put_aout_fields(struct img *m, size_t off, uint32_t header_addr, uint32_t load_addr,
                            uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    put32(m, off + 12, header_addr);
    put32(m, off + 16, load_addr);
    put32(m, off + 20, load_end);
    put32(m, off + 24, bss_end);
    put32(m, off + 28, entry);
}

static const struct phdr default_seg0 = {PT_LOAD,    PF_R | PF_X, SEG0_OFFSET, SEG0_PADDR,
                                         SEG0_PADDR, SEG0_FILESZ, SEG0_MEMSZ};
static const struct phdr default_seg1 = {PT_LOAD,    PF_R | PF_W, SEG1_OFFSET, SEG1_PADDR,
                                         SEG1_PADDR, SEG1_FILESZ, SEG1_MEMSZ};

/* The default valid image (see above), ELF32 or ELF64. */
static void build_elf(struct img *m, bool is64)
{
    memset(m, 0, sizeof *m);
    m->is64 = is64;
    m->len = IMG_LEN;
    for (size_t i = 0; i < IMG_LEN; i++) {
        m->b[i] = (uint8_t)(i * 7 + 1); /* recognizable segment contents */
    }
    memset(m->b, 0, 0x100); /* headers and padding */
    static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    memcpy(m->b, ident, sizeof ident);
    m->b[4] = is64 ? 2 : 1;
    put16(m, 16, 2);             /* ET_EXEC */
    put16(m, 18, is64 ? 62 : 3); /* EM_X86_64 / EM_386 */
    put32(m, 20, 1);             /* EV_CURRENT */
    set_entry(m, ENTRY);
    set_phoff(m, ehdr_size(m));
    put16(m, is64 ? 52 : 40, (uint16_t)ehdr_size(m)); /* e_ehsize */
    set_phentsize(m, (uint16_t)phentsize(m));
    set_phnum(m, 2);
    set_phdr(m, 0, default_seg0);
    set_phdr(m, 1, default_seg1);
    put_mb_header(m, MB_OFFSET, GUEST_MB1_FLAG_PAGE_ALIGN | GUEST_MB1_FLAG_MEMORY_INFO);
}

/* A flat (non-ELF) a.out-kludge image: header at 0x40, text+data file [0, 0x200) loaded at
 * 0x100000, bss up to 0x101000, entry 0x100080; the file is 0x300 bytes (tail not loaded). */
#define AOUT_HDR   0x40
#define AOUT_LOAD  0x100000u
#define AOUT_END   0x100200u
#define AOUT_BSS   0x101000u
#define AOUT_ENTRY 0x100080u
#define AOUT_LEN   0x300

static void build_aout(struct img *m)
{
    memset(m, 0, sizeof *m);
    m->len = AOUT_LEN;
    for (size_t i = 0; i < AOUT_LEN; i++) {
        m->b[i] = (uint8_t)(i * 13 + 5);
    }
    put_mb_header(m, AOUT_HDR, GUEST_MB1_FLAG_MEMORY_INFO | GUEST_MB1_FLAG_AOUT_KLUDGE);
    put_aout_fields(m, AOUT_HDR, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_END, AOUT_BSS, AOUT_ENTRY);
}

/* ---- Guest RAM: exactly sized heap buffers so ASan catches any stray write ------------------- */

static struct guest_ram_access ram_new(uint64_t size)
{
    struct guest_ram_access ram = {malloc(size), size};
    assert_non_null(ram.base);
    memset(ram.base, POISON, size);
    return ram;
}

static void ram_free(struct guest_ram_access *ram)
{
    free(ram->base);
    ram->base = NULL;
}

static uint32_t ram_u32(const struct guest_ram_access *ram, uint64_t gpa)
{
    uint32_t v;
    assert_true(gpa + 4 <= ram->size);
    memcpy(&v, ram->base + gpa, 4);
    return v;
}

static uint64_t ram_u64(const struct guest_ram_access *ram, uint64_t gpa)
{
    uint64_t v;
    assert_true(gpa + 8 <= ram->size);
    memcpy(&v, ram->base + gpa, 8);
    return v;
}

static bool ram_all(const struct guest_ram_access *ram, uint64_t from, uint64_t to, uint8_t v)
{
    for (uint64_t i = from; i < to; i++) {
        if (ram->base[i] != v) {
            return false;
        }
    }
    return true;
}

/* Loads m into fresh RAM of ram_size bytes; returns the status, RAM stays poisoned outside. */
static enum guest_load_status load_img(const struct img *m, uint64_t ram_size,
                                       struct guest_load_result *res)
{
    struct guest_ram_access ram = ram_new(ram_size);
    enum guest_load_status st = guest_load_multiboot(m->b, m->len, &ram, "guest", res);
    if (st != GUEST_LOAD_OK) {
        /* On error guest RAM is untouched. */
        assert_true(ram_all(&ram, 0, ram_size, POISON));
    }
    ram_free(&ram);
    return st;
}

static enum guest_load_status load(const struct img *m)
{
    struct guest_load_result res;
    return load_img(m, RAM_SIZE, &res);
}

/* ---- Tests ----------------------------------------------------------------------------------- */

static void test_image_kind(void **state)
{
    (void)state;
    static struct img m;
    build_elf(&m, false);
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_ELF32);
    build_elf(&m, true);
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_ELF64);
    assert_int_equal(guest_image_kind(m.b, 20), GUEST_IMAGE_ELF64);
    assert_int_equal(guest_image_kind(m.b, 19), GUEST_IMAGE_ELF_INVALID);
    assert_int_equal(guest_image_kind(m.b, 4), GUEST_IMAGE_ELF_INVALID);
    assert_int_equal(guest_image_kind(m.b, 3), GUEST_IMAGE_FLAT);
    assert_int_equal(guest_image_kind(m.b, 0), GUEST_IMAGE_FLAT);
    assert_int_equal(guest_image_kind(NULL, 100), GUEST_IMAGE_FLAT);
    put16(&m, 18, 3); /* ELF64 with EM_386 */
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_ELF_INVALID);
    build_elf(&m, false);
    put16(&m, 18, 40); /* EM_ARM */
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_ELF_INVALID);
    build_elf(&m, false);
    m.b[5] = 2; /* big-endian */
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_ELF_INVALID);
    build_aout(&m);
    assert_int_equal(guest_image_kind(m.b, m.len), GUEST_IMAGE_FLAT);
    uint8_t bootsect[512] = {0xfa, 0xeb, 0xfe};
    assert_int_equal(guest_image_kind(bootsect, sizeof bootsect), GUEST_IMAGE_FLAT);
    assert_string_equal(guest_image_kind_name(GUEST_IMAGE_ELF32), "ELF32 i386");
    assert_string_equal(guest_image_kind_name((enum guest_image_kind)77), "unknown image kind");
}

/* Checks RAM after loading the default image (either class). */
static void check_default_load(const struct img *m, const struct guest_ram_access *ram,
                               const struct guest_load_result *res)
{
    assert_int_equal(res->entry, ENTRY);
    assert_int_equal(res->lowest, SEG0_PADDR);
    assert_int_equal(res->highest, SEG1_PADDR + SEG1_MEMSZ);
    assert_int_equal(res->segments, 2);
    assert_false(res->aout_kludge);
    assert_int_equal(res->eax, GUEST_MB1_BOOTLOADER_MAGIC);
    assert_int_equal(res->ebx, GUEST_MB1_INFO_GPA);
    assert_int_equal(res->mb_flags, 3);
    assert_int_equal(res->error_phdr, -1);

    assert_memory_equal(ram->base + SEG0_PADDR, m->b + SEG0_OFFSET, SEG0_FILESZ);
    assert_true(ram_all(ram, SEG0_PADDR + SEG0_FILESZ, SEG0_PADDR + SEG0_MEMSZ, 0));
    assert_memory_equal(ram->base + SEG1_PADDR, m->b + SEG1_OFFSET, SEG1_FILESZ);
    assert_true(ram_all(ram, SEG1_PADDR + SEG1_FILESZ, SEG1_PADDR + SEG1_MEMSZ, 0));
    /* Nothing else below, between or above the segments (outside the info area). */
    assert_true(ram_all(ram, 0, GUEST_MB1_AREA_GPA, POISON));
    assert_true(ram_all(ram, GUEST_MB1_AREA_END, SEG0_PADDR, POISON));
    assert_true(ram_all(ram, SEG0_PADDR + SEG0_MEMSZ, SEG1_PADDR, POISON));
    assert_true(ram_all(ram, SEG1_PADDR + SEG1_MEMSZ, ram->size, POISON));
}

static void test_valid_elf32(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "k", &res), GUEST_LOAD_OK);
    assert_int_equal(res.kind, GUEST_IMAGE_ELF32);
    check_default_load(&m, &ram, &res);
    ram_free(&ram);
}

static void test_valid_elf64(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, true);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "k", &res), GUEST_LOAD_OK);
    assert_int_equal(res.kind, GUEST_IMAGE_ELF64);
    check_default_load(&m, &ram, &res);
    ram_free(&ram);
}

/* Higher-half kernels: p_vaddr != p_paddr, e_entry virtual; the entry is translated. */
static void test_higher_half_entry(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    for (int is64 = 0; is64 <= 1; is64++) {
        uint64_t base = is64 ? 0xffffffff80000000ull : 0xc0000000ull;
        build_elf(&m, is64);
        struct phdr p0 = default_seg0, p1 = default_seg1;
        p0.vaddr += base;
        p1.vaddr += base;
        set_phdr(&m, 0, p0);
        set_phdr(&m, 1, p1);
        set_entry(&m, ENTRY + base);
        struct guest_ram_access ram = ram_new(RAM_SIZE);
        assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "", &res), GUEST_LOAD_OK);
        check_default_load(&m, &ram, &res);
        ram_free(&ram);
        /* The physical entry is not accepted when the segment says otherwise. */
        set_entry(&m, ENTRY);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_ENTRY);
    }
}

static void test_missing_header(void **state)
{
    (void)state;
    static struct img m;
    build_elf(&m, false);
    put32(&m, MB_OFFSET, 0);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_NO_HEADER);
    /* A misaligned header does not count. */
    put_mb_header(&m, MB_OFFSET + 2, 3);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_NO_HEADER);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    static struct img m;
    struct guest_mb1_header h;
    build_elf(&m, false);
    put32(&m, MB_OFFSET + 8, 0x12345678);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_BAD_CHECKSUM);
    /* A bad one followed by a valid one: the valid one is used. */
    put_mb_header(&m, MB_OFFSET + 0x20, 3);
    assert_int_equal(guest_find_mb1_header(m.b, m.len, &h), GUEST_LOAD_OK);
    assert_int_equal(h.offset, MB_OFFSET + 0x20);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
}

static void test_header_position(void **state)
{
    (void)state;
    static struct img m;
    struct guest_mb1_header h;
    build_elf(&m, false);
    put32(&m, MB_OFFSET, 0);
    m.len = 0x2400;
    /* Ends exactly at byte 8192: found. */
    put_mb_header(&m, 8192 - 12, 3);
    assert_int_equal(guest_find_mb1_header(m.b, m.len, &h), GUEST_LOAD_OK);
    assert_int_equal(h.offset, 8192 - 12);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
    /* Straddles byte 8192, or starts there: too far. */
    put32(&m, 8192 - 12, 0);
    put_mb_header(&m, 8192 - 8, 3);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_HEADER_TOO_FAR);
    put32(&m, 8192 - 8, 0);
    put_mb_header(&m, 8192, 3);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_HEADER_TOO_FAR);
    put_mb_header(&m, 0x2300, 3);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_HEADER_TOO_FAR);
    /* The far header cut by the end of the image is no header at all. */
    put32(&m, 8192, 0);
    m.len = 0x2300 + 11;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_NO_HEADER);
}

static void test_flags(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    put_mb_header(&m, MB_OFFSET, GUEST_MB1_FLAG_VIDEO_MODE | 3);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_MB_VIDEO_MODE);
    assert_int_equal(res.mb_flags, 7);
    for (unsigned bit = 3; bit < 16; bit++) {
        put_mb_header(&m, MB_OFFSET, 1u << bit);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS);
    }
    /* No flags at all, and optional bits 17-31: fine. */
    put_mb_header(&m, MB_OFFSET, 0);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
    put_mb_header(&m, MB_OFFSET, 0xfffe0003u);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_int_equal(res.mb_flags, 0xfffe0003u);
}

static void test_elf_header_errors(void **state)
{
    (void)state;
    static struct img m;
    build_elf(&m, false);
    m.b[4] = 3;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_CLASS);
    build_elf(&m, false);
    m.b[5] = 2;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_DATA);
    build_elf(&m, false);
    m.b[6] = 0;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_VERSION);
    build_elf(&m, false);
    put32(&m, 20, 2);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_VERSION);
    build_elf(&m, false);
    put16(&m, 16, 3); /* ET_DYN */
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_TYPE);
    build_elf(&m, false);
    put16(&m, 18, 62); /* ELF32 with EM_X86_64 */
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_MACHINE);
    build_elf(&m, true);
    put16(&m, 18, 3); /* ELF64 with EM_386 */
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_MACHINE);

    /* An image shorter than its ELF header, with a Multiboot header inside it. */
    build_elf(&m, false);
    put_mb_header(&m, 24, 3);
    m.len = 48;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_TRUNCATED);
    build_elf(&m, true);
    put_mb_header(&m, 36, 3);
    m.len = 60;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_TRUNCATED);

    /* No ELF magic and no a.out kludge. */
    build_elf(&m, false);
    m.b[0] = 0;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_NOT_ELF);
}

static void test_phnum(void **state)
{
    (void)state;
    static struct img m;
    for (int is64 = 0; is64 <= 1; is64++) {
        build_elf(&m, is64);
        set_phnum(&m, 0);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHNUM);
        set_phnum(&m, 0xffff);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHNUM);
        build_elf(&m, is64);
        set_phentsize(&m, (uint16_t)(phentsize(&m) - 1));
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHENTSIZE);
    }
}

static void test_phdrs_outside_image(void **state)
{
    (void)state;
    static struct img m;
    for (int is64 = 0; is64 <= 1; is64++) {
        build_elf(&m, is64);
        set_phoff(&m, m.len - phentsize(&m) - 1); /* second header runs off the end */
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE);
        set_phoff(&m, m.len);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE);
        set_phoff(&m, is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE);
        build_elf(&m, is64);
        set_phnum(&m, 0x1000);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE);
        build_elf(&m, is64);
        set_phentsize(&m, 0xffff);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE);
        /* A larger e_phentsize that fits is fine (entries are e_phentsize apart). */
        build_elf(&m, is64);
        set_phentsize(&m, 0x40 + (uint16_t)phentsize(&m));
        set_phdr(&m, 0, default_seg0);
        memset(&m.b[ehdr_size(&m) + phentsize(&m)], 0, 0x40);
        set_phnum(&m, 1);
        put_mb_header(&m, MB_OFFSET, 3);
        struct guest_load_result res;
        assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
        assert_int_equal(res.segments, 1);
    }
}

static void test_segment_data_outside_image(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    for (int is64 = 0; is64 <= 1; is64++) {
        build_elf(&m, is64);
        struct phdr p = default_seg1;
        p.offset = m.len - SEG1_FILESZ + 1;
        set_phdr(&m, 1, p);
        assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_SEG_DATA_OUTSIDE_IMAGE);
        assert_int_equal(res.error_phdr, 1);
        p.offset = is64 ? UINT64_MAX - 0x10 : UINT32_MAX - 0x10; /* offset + filesz wraps */
        set_phdr(&m, 1, p);
        assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_DATA_OUTSIDE_IMAGE);
        /* Ending exactly at the end of the image is fine. */
        p.offset = m.len - SEG1_FILESZ;
        set_phdr(&m, 1, p);
        assert_int_equal(load(&m), GUEST_LOAD_OK);
    }
}

static void test_filesz_greater_than_memsz(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.memsz = p.filesz - 1;
    set_phdr(&m, 1, p);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ);
    assert_int_equal(res.error_phdr, 1);
    p.memsz = 0; /* even an "empty" segment */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ);
    p.memsz = p.filesz; /* no bss */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
}

static void test_segment_outside_ram(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.paddr = RAM_SIZE - SEG1_MEMSZ; /* ends exactly at the end of RAM */
    set_phdr(&m, 1, p);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, NULL, &res), GUEST_LOAD_OK);
    assert_int_equal(res.highest, RAM_SIZE);
    assert_memory_equal(ram.base + p.paddr, m.b + SEG1_OFFSET, SEG1_FILESZ);
    assert_true(ram_all(&ram, p.paddr + SEG1_FILESZ, RAM_SIZE, 0));
    ram_free(&ram);
    p.paddr++;
    set_phdr(&m, 1, p);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
    assert_int_equal(res.error_phdr, 1);
    p.paddr = RAM_SIZE;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
    /* Only p_memsz past the end (bss). */
    p = default_seg1;
    p.memsz = RAM_SIZE;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
}

static void test_segment_overlaps_info(void **state)
{
    (void)state;
    static struct img m;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.paddr = GUEST_MB1_AREA_GPA - SEG1_MEMSZ; /* ends where the area starts */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
    p.paddr++;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);
    p.paddr = GUEST_MB1_AREA_END - 1;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);
    p.paddr = 0x8400; /* inside */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);
    p.paddr = 0x1000; /* covers it entirely */
    p.memsz = 0x10000;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);
    p = default_seg1;
    p.paddr = GUEST_MB1_AREA_END; /* starts where it ends */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
}

static void test_segment_above_4g(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.paddr = 0xffffff00u; /* paddr + memsz wraps in 32 bits */
    set_phdr(&m, 1, p);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_SEG_ABOVE_4G);
    assert_int_equal(res.error_phdr, 1);
    p.paddr = 0xfffff000u;
    p.memsz = 0xffffffffu;
    p.filesz = 0;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_ABOVE_4G);

    build_elf(&m, true);
    p = default_seg1;
    p.paddr = 0x100000000ull;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_ABOVE_4G);
    p.paddr = UINT64_MAX - 0x10; /* wraps in 64 bits */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_ABOVE_4G);
    p = default_seg1;
    p.memsz = UINT64_MAX;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_ABOVE_4G);
    /* Below 4 GiB but above guest RAM. */
    p = default_seg1;
    p.paddr = 0xfee00000u;
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
}

static void test_segments_overlap(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.paddr = SEG0_PADDR + SEG0_MEMSZ - 1;
    set_phdr(&m, 1, p);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_SEG_OVERLAP);
    assert_int_equal(res.error_phdr, 1);
    p.paddr = SEG0_PADDR + SEG0_MEMSZ; /* adjacent */
    set_phdr(&m, 1, p);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
}

static void test_entry(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    set_entry(&m, 0x200000);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_ELF_ENTRY);
    assert_int_equal(res.error_phdr, -1);
    set_entry(&m, SEG0_PADDR - 1);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_ENTRY);
    set_entry(&m, SEG0_PADDR + SEG0_MEMSZ);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_ENTRY);
    set_entry(&m, 0);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_ENTRY);
    /* In a loaded but not executable segment. */
    set_entry(&m, SEG1_PADDR + 4);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_ERR_ELF_ENTRY);
    assert_int_equal(res.error_phdr, 1);
    /* First and last byte of the executable segment. */
    set_entry(&m, SEG0_PADDR);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_int_equal(res.entry, SEG0_PADDR);
    set_entry(&m, SEG0_PADDR + SEG0_MEMSZ - 1);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_int_equal(res.entry, SEG0_PADDR + SEG0_MEMSZ - 1);
    /* ELF64: an entry above 4 GiB without a segment there. */
    build_elf(&m, true);
    set_entry(&m, 0x100000000ull + ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_ENTRY);
}

static void test_load_segment_types(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct phdr p = default_seg1;
    p.type = PT_NOTE; /* not loaded */
    set_phdr(&m, 1, p);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_int_equal(res.segments, 1);
    assert_int_equal(res.highest, SEG0_PADDR + SEG0_MEMSZ);
    p = default_seg0;
    p.type = PT_NOTE;
    set_phdr(&m, 0, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_NO_LOAD_SEGMENTS);
    /* An empty PT_LOAD is skipped, wherever it claims to be. */
    p = default_seg0;
    p.filesz = p.memsz = 0;
    p.paddr = 0xffffffffu;
    p.offset = 0xffffffffu;
    set_phdr(&m, 0, p);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_ELF_NO_LOAD_SEGMENTS);
    set_phdr(&m, 1, default_seg0);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_int_equal(res.segments, 1);
}

/* GUEST_ELF_MAX_LOAD_SEGMENTS segments load; one more is refused. */
static void test_too_many_segments(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    for (unsigned n = GUEST_ELF_MAX_LOAD_SEGMENTS; n <= GUEST_ELF_MAX_LOAD_SEGMENTS + 1; n++) {
        build_elf(&m, false);
        set_phnum(&m, (uint16_t)n);
        size_t data = 52 + n * 32;
        put_mb_header(&m, data, 3);
        m.len = data + 12;
        for (unsigned i = 0; i < n; i++) {
            struct phdr p = {PT_LOAD, PF_R | PF_X, data, 0, 0, 12, 0x100};
            p.paddr = p.vaddr = 0x200000 + i * 0x100;
            set_phdr(&m, i, p);
        }
        set_entry(&m, 0x200000 + 0x100 * (n - 1) + 0x10);
        enum guest_load_status st = load_img(&m, RAM_SIZE, &res);
        if (n == GUEST_ELF_MAX_LOAD_SEGMENTS) {
            assert_int_equal(st, GUEST_LOAD_OK);
            assert_int_equal(res.segments, n);
            assert_int_equal(res.lowest, 0x200000);
            assert_int_equal(res.highest, 0x200000 + 0x100 * n);
        } else {
            assert_int_equal(st, GUEST_LOAD_ERR_ELF_TOO_MANY_SEGMENTS);
            assert_int_equal(res.error_phdr, (int)n - 1);
        }
    }
}

/* Every prefix of a valid image, in a buffer of exactly that size, is rejected or loaded. */
static void check_prefixes(const struct img *m, bool shorter_must_fail)
{
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    for (size_t n = 0; n <= m->len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, m->b, n);
        struct guest_load_result res;
        enum guest_load_status st = guest_load_multiboot(copy, n, &ram, "x", &res);
        if (n == m->len) {
            assert_int_equal(st, GUEST_LOAD_OK);
        } else if (shorter_must_fail) {
            assert_int_not_equal(st, GUEST_LOAD_OK);
        }
        if (st == GUEST_LOAD_OK) {
            assert_true(res.entry >= res.lowest && res.entry < res.highest);
        }
        assert_non_null(guest_load_strerror(st));
        free(copy);
    }
    ram_free(&ram);
}

static void test_truncated_images(void **state)
{
    (void)state;
    static struct img m;
    build_elf(&m, false);
    check_prefixes(&m, true);
    build_elf(&m, true);
    check_prefixes(&m, true);
    build_aout(&m);
    check_prefixes(&m, false);   /* load_end_addr is inside the file: shorter prefixes fail */
    put32(&m, AOUT_HDR + 20, 0); /* load_end_addr 0: load the whole file, any prefix will do */
    put32(&m, AOUT_HDR + 24, 0);
    check_prefixes(&m, false);
}

/* Random corruption of valid images: never a crash, an out-of-bounds access or a hang. */
static void test_corrupted_images(void **state)
{
    (void)state;
    static struct img base, m;
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    uint32_t seed = 12345;
    for (int iter = 0; iter < 6000; iter++) {
        if (iter % 3 == 2) {
            build_aout(&base);
        } else {
            build_elf(&base, iter % 3 == 1);
        }
        m = base;
        int flips = 1 + iter % 8;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % 0x140; /* headers, phdrs and the Multiboot header */
            seed = seed * 1103515245u + 12345u;
            m.b[pos] = (uint8_t)(seed >> 16);
        }
        uint8_t *copy = malloc(m.len);
        assert_non_null(copy);
        memcpy(copy, m.b, m.len);
        struct guest_load_result res;
        enum guest_load_status st = guest_load_multiboot(copy, m.len, &ram, "x", &res);
        if (st == GUEST_LOAD_OK) {
            assert_true(res.lowest < res.highest && res.highest <= RAM_SIZE);
            assert_true(res.entry >= res.lowest && res.entry < res.highest);
            assert_int_equal(ram_u32(&ram, res.ebx), GUEST_MB1_INFO_FLAGS);
        } else {
            assert_string_not_equal(guest_load_strerror(st), "unknown guest loader status");
        }
        free(copy);
    }
    ram_free(&ram);
}

static void test_info_structure(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    const char *cmdline = "/boot/guest.elf console=ttyS0 quiet";
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, cmdline, &res), GUEST_LOAD_OK);
    assert_false(res.cmdline_truncated);
    uint64_t info = res.ebx;
    assert_int_equal(info, 0x8000);
    assert_int_equal(ram_u32(&ram, info + 0), (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));
    assert_int_equal(ram_u32(&ram, info + 4), 639);                          /* mem_lower */
    assert_int_equal(ram_u32(&ram, info + 8), (RAM_SIZE - 0x100000) / 1024); /* mem_upper */
    assert_int_equal(ram_u32(&ram, info + 12), 0); /* boot_device: flag not set */
    uint32_t cmd = ram_u32(&ram, info + 16);
    assert_int_equal(cmd, GUEST_MB1_CMDLINE_GPA);
    assert_string_equal((const char *)ram.base + cmd, cmdline);
    assert_int_equal(ram_u32(&ram, info + 20), 0); /* mods_count */
    assert_int_equal(ram_u32(&ram, info + 44), 3 * 24);
    uint32_t mmap = ram_u32(&ram, info + 48);
    assert_int_equal(mmap, GUEST_MB1_MMAP_GPA);
    const uint64_t expect[3][3] = {
        {0, 0x9fc00, 1},
        {0x9fc00, 0x100000 - 0x9fc00, 2},
        {0x100000, RAM_SIZE - 0x100000, 1},
    };
    /* Walk it as a guest does: each entry's size field excludes itself. */
    uint64_t e = mmap;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ram_u32(&ram, e), 20);
        assert_int_equal(ram_u64(&ram, e + 4), expect[i][0]);
        assert_int_equal(ram_u64(&ram, e + 12), expect[i][1]);
        assert_int_equal(ram_u32(&ram, e + 20), expect[i][2]);
        e += ram_u32(&ram, e) + 4;
    }
    assert_int_equal(e, mmap + ram_u32(&ram, info + 44));
    uint32_t name = ram_u32(&ram, info + 64);
    assert_int_equal(name, GUEST_MB1_LOADER_NAME_GPA);
    assert_string_equal((const char *)ram.base + name, "mica");
    /* Everything else in the structure is zero. */
    assert_true(ram_all(&ram, info + 24, info + 44, 0));
    assert_true(ram_all(&ram, info + 52, info + 64, 0));
    assert_true(ram_all(&ram, info + 68, info + GUEST_MB1_INFO_SIZE, 0));
    /* All of it lies inside the reserved area. */
    assert_true(cmd + strlen(cmdline) + 1 <= GUEST_MB1_LOADER_NAME_GPA);
    assert_true(name + 5 <= GUEST_MB1_AREA_END);
    ram_free(&ram);
}

static void test_info_ram_sizes(void **state)
{
    (void)state;
    uint32_t gpa;
    bool cut;
    /* Exactly the end of the area: low memory clipped, no upper memory. */
    struct guest_ram_access ram = ram_new(GUEST_MB1_AREA_END);
    assert_int_equal(guest_build_mb1_info(&ram, "a", &gpa, &cut), GUEST_LOAD_OK);
    assert_int_equal(ram_u32(&ram, gpa + 4), GUEST_MB1_AREA_END / 1024);
    assert_int_equal(ram_u32(&ram, gpa + 8), 0);
    assert_int_equal(ram_u32(&ram, gpa + 44), 2 * 24);
    assert_int_equal(ram_u64(&ram, GUEST_MB1_MMAP_GPA + 12), GUEST_MB1_AREA_END);
    assert_true(ram_all(&ram, 0, GUEST_MB1_AREA_GPA, POISON));
    /* Too small by one byte. */
    ram.size--;
    assert_int_equal(guest_build_mb1_info(&ram, "a", &gpa, &cut), GUEST_LOAD_ERR_RAM_TOO_SMALL);
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "a", &res),
                     GUEST_LOAD_ERR_RAM_TOO_SMALL);
    ram_free(&ram);

    /* Exactly 1 MiB: no upper memory entry. */
    ram = ram_new(0x100000);
    assert_int_equal(guest_build_mb1_info(&ram, "a", &gpa, NULL), GUEST_LOAD_OK);
    assert_int_equal(ram_u32(&ram, gpa + 4), 639);
    assert_int_equal(ram_u32(&ram, gpa + 8), 0);
    assert_int_equal(ram_u32(&ram, gpa + 44), 2 * 24);
    ram_free(&ram);

    /* Huge RAM (the builder writes only inside the area, so a short buffer is enough here):
     * mem_upper saturates, the mmap length is exact. */
    ram = ram_new(GUEST_MB1_AREA_END);
    ram.size = 0x100000ull + (1ull << 42) + 0x400;
    assert_int_equal(guest_build_mb1_info(&ram, "a", &gpa, NULL), GUEST_LOAD_OK);
    assert_int_equal(ram_u32(&ram, gpa + 8), 0xffffffffu);
    assert_int_equal(ram_u64(&ram, GUEST_MB1_MMAP_GPA + 2 * 24 + 12), (1ull << 42) + 0x400);
    ram_free(&ram);
}

static void test_cmdline_truncation(void **state)
{
    (void)state;
    static char longline[5000];
    uint32_t gpa;
    bool cut = true;
    struct guest_ram_access ram = ram_new(RAM_SIZE);

    memset(longline, 'x', GUEST_MB1_CMDLINE_MAX);
    longline[GUEST_MB1_CMDLINE_MAX] = 0; /* exactly the maximum: kept whole */
    assert_int_equal(guest_build_mb1_info(&ram, longline, &gpa, &cut), GUEST_LOAD_OK);
    assert_false(cut);
    assert_string_equal((const char *)ram.base + GUEST_MB1_CMDLINE_GPA, longline);

    memset(longline, 'y', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    assert_int_equal(guest_build_mb1_info(&ram, longline, &gpa, &cut), GUEST_LOAD_OK);
    assert_true(cut);
    const char *s = (const char *)ram.base + GUEST_MB1_CMDLINE_GPA;
    assert_int_equal(strlen(s), GUEST_MB1_CMDLINE_MAX);
    assert_memory_equal(s, longline, GUEST_MB1_CMDLINE_MAX);
    assert_string_equal((const char *)ram.base + GUEST_MB1_LOADER_NAME_GPA, "mica");

    /* NULL: an empty command line, still flagged. */
    assert_int_equal(guest_build_mb1_info(&ram, NULL, &gpa, &cut), GUEST_LOAD_OK);
    assert_false(cut);
    assert_string_equal((const char *)ram.base + GUEST_MB1_CMDLINE_GPA, "");
    assert_true(ram_u32(&ram, gpa) & GUEST_MB1_INFO_CMDLINE);

    /* Through guest_load_multiboot(). */
    static struct img m;
    struct guest_load_result res;
    build_elf(&m, false);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, longline, &res), GUEST_LOAD_OK);
    assert_true(res.cmdline_truncated);
    ram_free(&ram);
}

static void test_aout_kludge(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    build_aout(&m);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "k", &res), GUEST_LOAD_OK);
    assert_true(res.aout_kludge);
    assert_int_equal(res.kind, GUEST_IMAGE_FLAT);
    assert_int_equal(res.entry, AOUT_ENTRY);
    assert_int_equal(res.lowest, AOUT_LOAD);
    assert_int_equal(res.highest, AOUT_BSS);
    assert_int_equal(res.segments, 1);
    assert_int_equal(res.eax, GUEST_MB1_BOOTLOADER_MAGIC);
    assert_int_equal(res.ebx, GUEST_MB1_INFO_GPA);
    assert_memory_equal(ram.base + AOUT_LOAD, m.b, AOUT_END - AOUT_LOAD);
    assert_true(ram_all(&ram, AOUT_END, AOUT_BSS, 0));
    assert_true(ram_all(&ram, AOUT_BSS, RAM_SIZE, POISON));
    assert_true(ram_all(&ram, GUEST_MB1_AREA_END, AOUT_LOAD, POISON));

    /* The header not at the start of the text: file offset = 0x40 - (header_addr - load_addr). */
    put_aout_fields(&m, AOUT_HDR, 0x200020, 0x200000, 0x200100, 0, 0x200000);
    memset(ram.base, POISON, RAM_SIZE);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "k", &res), GUEST_LOAD_OK);
    assert_memory_equal(ram.base + 0x200000, m.b + 0x20, 0x100);
    assert_int_equal(res.highest, 0x200100); /* no bss */
    assert_int_equal(ram.base[0x200100], POISON);

    /* load_end_addr 0: the rest of the file. */
    put_aout_fields(&m, AOUT_HDR, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, 0, 0, AOUT_ENTRY);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "k", &res), GUEST_LOAD_OK);
    assert_int_equal(res.highest, AOUT_LOAD + AOUT_LEN);
    assert_memory_equal(ram.base + AOUT_LOAD, m.b, AOUT_LEN);
    ram_free(&ram);

    /* The kludge wins over the ELF headers (spec 3.1.3). */
    build_elf(&m, false);
    put_mb_header(&m, MB_OFFSET, GUEST_MB1_FLAG_AOUT_KLUDGE);
    put_aout_fields(&m, MB_OFFSET, 0x300000, 0x300000, 0x300100, 0x300200, 0x300010);
    assert_int_equal(load_img(&m, RAM_SIZE, &res), GUEST_LOAD_OK);
    assert_true(res.aout_kludge);
    assert_int_equal(res.kind, GUEST_IMAGE_ELF32);
    assert_int_equal(res.entry, 0x300010);
    assert_int_equal(res.lowest, 0x300000);
}

static void test_aout_errors(void **state)
{
    (void)state;
    static struct img m;
    const size_t h = AOUT_HDR;
    build_aout(&m);
    put_aout_fields(&m, h, AOUT_LOAD, AOUT_LOAD + 4, AOUT_END, AOUT_BSS, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_LOAD_ADDR);
    put_aout_fields(&m, h, AOUT_LOAD + h + 4, AOUT_LOAD, AOUT_END, AOUT_BSS, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_BEFORE_FILE);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_LOAD, AOUT_BSS, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_LOAD_END);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_LOAD - 1, AOUT_BSS, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_LOAD_END);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_LOAD + AOUT_LEN + 1, 0, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_PAST_IMAGE);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_LOAD + AOUT_LEN, 0, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_OK); /* exactly the whole file */
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_END, AOUT_END - 1, AOUT_ENTRY);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_BSS_END);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_END, AOUT_END, AOUT_END);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_ENTRY);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_END, AOUT_BSS, AOUT_END + 0x10);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_ENTRY); /* bss is not code */
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_END, AOUT_BSS, AOUT_END - 1);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, AOUT_END, AOUT_BSS, AOUT_LOAD - 1);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_AOUT_ENTRY);
    /* Ranges: above 4 GiB, outside RAM, over the info area. */
    put_aout_fields(&m, h, 0xffffff00u + h, 0xffffff00u, 0, 0, 0xffffff00u);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_ABOVE_4G);
    put_aout_fields(&m, h, 0xfff00000u + h, 0xfff00000u, 0, 0xffffffffu, 0xfff00000u);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
    put_aout_fields(&m, h, 0x7f00 + h, 0x7f00, 0, 0, 0x7f00);
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);
    put_aout_fields(&m, h, 0x1000 + h, 0x1000, 0, 0x9000, 0x1000); /* bss over it */
    assert_int_equal(load(&m), GUEST_LOAD_ERR_SEG_OVERLAPS_INFO);

    /* The address fields must lie inside the first 8192 bytes and the image. */
    build_aout(&m);
    put32(&m, h, 0);
    put_mb_header(&m, 8192 - 28, GUEST_MB1_FLAG_AOUT_KLUDGE);
    m.len = 0x2100;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_HEADER_TRUNCATED);
    build_aout(&m);
    m.len = h + 28;
    assert_int_equal(load(&m), GUEST_LOAD_ERR_MB_HEADER_TRUNCATED);
    m.len = h + 32; /* just the header's end: load_end_addr 0 loads the 0x60 bytes */
    put_aout_fields(&m, h, AOUT_LOAD + h, AOUT_LOAD, 0, 0, AOUT_LOAD);
    assert_int_equal(load(&m), GUEST_LOAD_OK);
}

static void test_flat(void **state)
{
    (void)state;
    uint8_t sector[512];
    for (size_t i = 0; i < sizeof sector; i++) {
        sector[i] = (uint8_t)(i ^ 0x5a);
    }
    sector[510] = 0x55;
    sector[511] = 0xaa;
    struct guest_load_result res;
    struct guest_ram_access ram = ram_new(0x100000);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, 0x7c00, &res), GUEST_LOAD_OK);
    assert_int_equal(res.kind, GUEST_IMAGE_FLAT);
    assert_int_equal(res.entry, 0x7c00);
    assert_int_equal(res.lowest, 0x7c00);
    assert_int_equal(res.highest, 0x7e00);
    assert_int_equal(res.eax, 0);
    assert_int_equal(res.ebx, 0);
    assert_memory_equal(ram.base + 0x7c00, sector, sizeof sector);
    assert_true(ram_all(&ram, 0, 0x7c00, POISON));
    assert_true(ram_all(&ram, 0x7e00, ram.size, POISON));

    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, ram.size - 512, &res),
                     GUEST_LOAD_OK);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, ram.size - 511, &res),
                     GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, ram.size, &res),
                     GUEST_LOAD_ERR_SEG_OUTSIDE_RAM);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, 0xfffffe01u, &res),
                     GUEST_LOAD_ERR_SEG_ABOVE_4G);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, UINT64_MAX - 10, &res),
                     GUEST_LOAD_ERR_SEG_ABOVE_4G);
    assert_int_equal(guest_load_flat(sector, 0, &ram, 0x7c00, &res), GUEST_LOAD_ERR_EMPTY_IMAGE);
    assert_int_equal(guest_load_flat(NULL, 512, &ram, 0x7c00, &res), GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_flat(sector, 512, NULL, 0x7c00, &res),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_flat(sector, 512, &ram, 0x7c00, NULL),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    ram_free(&ram);
    /* The whole of a small RAM. */
    ram = ram_new(512);
    assert_int_equal(guest_load_flat(sector, sizeof sector, &ram, 0, &res), GUEST_LOAD_OK);
    assert_memory_equal(ram.base, sector, 512);
    ram_free(&ram);
}

static void test_null_and_empty(void **state)
{
    (void)state;
    static struct img m;
    struct guest_load_result res;
    struct guest_mb1_header h;
    uint32_t gpa;
    build_elf(&m, false);
    struct guest_ram_access ram = ram_new(RAM_SIZE);
    struct guest_ram_access no_base = {NULL, RAM_SIZE};
    assert_int_equal(guest_load_multiboot(NULL, m.len, &ram, "", &res),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_multiboot(m.b, m.len, NULL, "", &res),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &no_base, "", &res),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_multiboot(m.b, m.len, &ram, "", NULL),
                     GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_load_multiboot(m.b, 0, &ram, "", &res), GUEST_LOAD_ERR_EMPTY_IMAGE);
    assert_int_equal(guest_find_mb1_header(NULL, 10, &h), GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_find_mb1_header(m.b, 10, NULL), GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_find_mb1_header(m.b, 0, &h), GUEST_LOAD_ERR_MB_NO_HEADER);
    assert_int_equal(guest_build_mb1_info(NULL, "", &gpa, NULL), GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_int_equal(guest_build_mb1_info(&ram, "", NULL, NULL), GUEST_LOAD_ERR_NULL_ARGUMENT);
    assert_true(ram_all(&ram, 0, RAM_SIZE, POISON));
    ram_free(&ram);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(guest_load_strerror(GUEST_LOAD_OK), "success");
    for (int a = GUEST_LOAD_ERR_NULL_ARGUMENT; a <= GUEST_LOAD_ERR_SEG_OVERLAP; a++) {
        const char *msg = guest_load_strerror((enum guest_load_status)a);
        assert_non_null(msg);
        assert_string_not_equal(msg, "unknown guest loader status");
        assert_string_not_equal(msg, "success");
        for (int b = GUEST_LOAD_ERR_NULL_ARGUMENT; b < a; b++) {
            assert_string_not_equal(msg, guest_load_strerror((enum guest_load_status)b));
        }
    }
    assert_string_equal(guest_load_strerror((enum guest_load_status)999),
                        "unknown guest loader status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_kind),
        cmocka_unit_test(test_valid_elf32),
        cmocka_unit_test(test_valid_elf64),
        cmocka_unit_test(test_higher_half_entry),
        cmocka_unit_test(test_missing_header),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_header_position),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_elf_header_errors),
        cmocka_unit_test(test_phnum),
        cmocka_unit_test(test_phdrs_outside_image),
        cmocka_unit_test(test_segment_data_outside_image),
        cmocka_unit_test(test_filesz_greater_than_memsz),
        cmocka_unit_test(test_segment_outside_ram),
        cmocka_unit_test(test_segment_overlaps_info),
        cmocka_unit_test(test_segment_above_4g),
        cmocka_unit_test(test_segments_overlap),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_load_segment_types),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_truncated_images),
        cmocka_unit_test(test_corrupted_images),
        cmocka_unit_test(test_info_structure),
        cmocka_unit_test(test_info_ram_sizes),
        cmocka_unit_test(test_cmdline_truncation),
        cmocka_unit_test(test_aout_kludge),
        cmocka_unit_test(test_aout_errors),
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
