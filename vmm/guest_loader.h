/* Guest image loading (vmm/guest_loader.c): classifies the guest image, loads it into guest RAM as
 * a Multiboot (v1) kernel or a flat binary, and builds the guest's Multiboot information. Pure. */
#ifndef MICA_VMM_GUEST_LOADER_H
#define MICA_VMM_GUEST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The image (a GRUB module) is untrusted user input: every field is checked, every read stays
 * inside [image, image + len), and nothing is written to guest RAM before the whole image has been
 * validated, so on error guest RAM is unchanged. Work is linear in the image and guest RAM sizes.
 *
 * Multiboot 0.6.96 machine state (section 3.2) the caller must set up on a successful
 * guest_load_multiboot(): EAX = result.eax (GUEST_MB1_BOOTLOADER_MAGIC), EBX = result.ebx (the
 * information structure's gpa), EIP = result.entry; CS a 32-bit read/execute code segment and
 * DS, ES, FS, GS, SS 32-bit read/write data segments, all with base 0 and limit 0xffffffff;
 * A20 enabled; CR0.PE = 1, CR0.PG = 0; EFLAGS.VM = 0, EFLAGS.IF = 0. ESP, GDTR and IDTR are
 * undefined for the guest (it must set up its own). */

/* ---- Multiboot v1 constants (specification 0.6.96, sections 3.1 and 3.3) -------------------- */
#define GUEST_MB1_HEADER_MAGIC     0x1badb002u /* in the image's Multiboot header */
#define GUEST_MB1_BOOTLOADER_MAGIC 0x2badb002u /* in EAX at the guest's entry */
#define GUEST_MB1_SEARCH_LIMIT     8192u       /* header lies wholly within these first bytes */
#define GUEST_MB1_HEADER_ALIGN     4u

/* Header flags. Bits 0-15 are requirements: an image setting one this loader does not support is
 * refused. Bits 16-31 are optional; only bit 16 is used, the others are ignored. */
#define GUEST_MB1_FLAG_PAGE_ALIGN    (1u << 0)  /* modules page-aligned: supported (no modules) */
#define GUEST_MB1_FLAG_MEMORY_INFO   (1u << 1)  /* mem_* and mmap wanted: always given */
#define GUEST_MB1_FLAG_VIDEO_MODE    (1u << 2)  /* video mode table wanted: refused */
#define GUEST_MB1_FLAG_AOUT_KLUDGE   (1u << 16) /* header address fields valid: supported */
#define GUEST_MB1_SUPPORTED_REQUIRED (GUEST_MB1_FLAG_PAGE_ALIGN | GUEST_MB1_FLAG_MEMORY_INFO)
#define GUEST_MB1_REQUIRED_MASK      0x0000ffffu

/* Multiboot information flags this loader sets. */
#define GUEST_MB1_INFO_MEMORY           (1u << 0) /* mem_lower, mem_upper */
#define GUEST_MB1_INFO_CMDLINE          (1u << 2)
#define GUEST_MB1_INFO_MMAP             (1u << 6) /* mmap_length, mmap_addr */
#define GUEST_MB1_INFO_BOOT_LOADER_NAME (1u << 9)
#define GUEST_MB1_INFO_FLAGS                                                                       \
    (GUEST_MB1_INFO_MEMORY | GUEST_MB1_INFO_CMDLINE | GUEST_MB1_INFO_MMAP |                        \
     GUEST_MB1_INFO_BOOT_LOADER_NAME)

/* The fixed guest-physical area [GUEST_MB1_AREA_GPA, GUEST_MB1_AREA_END) holding the Multiboot
 * information. It is zeroed, then filled; no loaded segment may overlap it, and guest RAM must
 * extend at least to GUEST_MB1_AREA_END.
 *   0x8000  information structure (section 3.3 layout, 116 bytes used, rest of 0x80 zero)
 *   0x8080  memory map: 2 or 3 entries of 24 bytes (size = 20, base u64, length u64, type u32);
 *           mmap_addr points at the first entry's size field, mmap_length = entries * 24
 *   0x8100  command line, NUL-terminated, at most GUEST_MB1_CMDLINE_MAX bytes before the NUL
 *   0x8f00  boot loader name "mica" */
#define GUEST_MB1_AREA_GPA        0x8000u
#define GUEST_MB1_INFO_GPA        0x8000u
#define GUEST_MB1_INFO_SIZE       0x80u
#define GUEST_MB1_MMAP_GPA        0x8080u
#define GUEST_MB1_CMDLINE_GPA     0x8100u
#define GUEST_MB1_CMDLINE_MAX     0xdffu /* 3583 characters; longer command lines are cut */
#define GUEST_MB1_LOADER_NAME_GPA 0x8f00u
#define GUEST_MB1_AREA_END        0x9000u
#define GUEST_MB1_LOADER_NAME     "mica"
#define GUEST_MB1_MMAP_ENTRY_SIZE 24u /* including the 4-byte size field */
#define GUEST_MB1_MMAP_AVAILABLE  1u
#define GUEST_MB1_MMAP_RESERVED   2u

/* Guest memory map: [0, LOW_END) available (clipped to guest RAM), [LOW_END, HIGH_START) reserved
 * (EBDA, VGA, BIOS), [HIGH_START, guest RAM size) available when guest RAM goes past 1 MiB.
 * mem_lower = LOW_END / 1024 (639, less if guest RAM is smaller), mem_upper = KiB from 1 MiB to
 * the end of guest RAM (0 if none; capped at 0xffffffff). */
#define GUEST_MB1_LOW_END    0x9fc00u
#define GUEST_MB1_HIGH_START 0x100000u

/* At most this many non-empty PT_LOAD segments in an ELF image (real kernels have a handful). */
#define GUEST_ELF_MAX_LOAD_SEGMENTS 32u

/* Guest RAM as the loader sees it: gpa x is base[x] for x < size. */
struct guest_ram_access {
    uint8_t *base;
    uint64_t size;
};

enum guest_image_kind {
    GUEST_IMAGE_FLAT = 0,    /* no ELF magic: a flat binary */
    GUEST_IMAGE_ELF32,       /* ELF magic, ELFCLASS32, little-endian, EM_386 */
    GUEST_IMAGE_ELF64,       /* ELF magic, ELFCLASS64, little-endian, EM_X86_64 */
    GUEST_IMAGE_ELF_INVALID, /* ELF magic, but too short or another class/byte order/machine */
};

enum guest_load_status {
    GUEST_LOAD_OK = 0,
    GUEST_LOAD_ERR_NULL_ARGUMENT,
    GUEST_LOAD_ERR_EMPTY_IMAGE,
    GUEST_LOAD_ERR_RAM_TOO_SMALL,
    /* Multiboot header */
    GUEST_LOAD_ERR_MB_NO_HEADER,
    GUEST_LOAD_ERR_MB_BAD_CHECKSUM,
    GUEST_LOAD_ERR_MB_HEADER_TOO_FAR,
    GUEST_LOAD_ERR_MB_HEADER_TRUNCATED,
    GUEST_LOAD_ERR_MB_VIDEO_MODE,
    GUEST_LOAD_ERR_MB_UNSUPPORTED_FLAGS,
    GUEST_LOAD_ERR_MB_NOT_ELF,
    /* a.out kludge (header flags bit 16) */
    GUEST_LOAD_ERR_AOUT_LOAD_ADDR,
    GUEST_LOAD_ERR_AOUT_BEFORE_FILE,
    GUEST_LOAD_ERR_AOUT_LOAD_END,
    GUEST_LOAD_ERR_AOUT_PAST_IMAGE,
    GUEST_LOAD_ERR_AOUT_BSS_END,
    GUEST_LOAD_ERR_AOUT_ENTRY,
    /* ELF header */
    GUEST_LOAD_ERR_ELF_TRUNCATED,
    GUEST_LOAD_ERR_ELF_CLASS,
    GUEST_LOAD_ERR_ELF_DATA,
    GUEST_LOAD_ERR_ELF_VERSION,
    GUEST_LOAD_ERR_ELF_TYPE,
    GUEST_LOAD_ERR_ELF_MACHINE,
    GUEST_LOAD_ERR_ELF_PHNUM,
    GUEST_LOAD_ERR_ELF_PHENTSIZE,
    GUEST_LOAD_ERR_ELF_PHDRS_OUTSIDE_IMAGE,
    GUEST_LOAD_ERR_ELF_NO_LOAD_SEGMENTS,
    GUEST_LOAD_ERR_ELF_TOO_MANY_SEGMENTS,
    GUEST_LOAD_ERR_ELF_ENTRY,
    /* one loaded range (an ELF segment, the a.out kludge range or a flat image) */
    GUEST_LOAD_ERR_SEG_FILESZ_GT_MEMSZ,
    GUEST_LOAD_ERR_SEG_DATA_OUTSIDE_IMAGE,
    GUEST_LOAD_ERR_SEG_ABOVE_4G,
    GUEST_LOAD_ERR_SEG_OUTSIDE_RAM,
    GUEST_LOAD_ERR_SEG_OVERLAPS_INFO,
    GUEST_LOAD_ERR_SEG_OVERLAP,
};

/* A Multiboot header found in an image. The address fields are read only with the a.out kludge
 * flag; the video fields are not read (the video mode flag is refused). */
struct guest_mb1_header {
    uint32_t offset; /* byte offset of the header in the image */
    uint32_t flags;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct guest_load_result {
    enum guest_image_kind kind; /* what guest_image_kind() said about the image */
    bool aout_kludge;           /* loaded with the Multiboot header's address fields */
    uint32_t entry;             /* guest-physical entry point (EIP) */
    uint64_t lowest;            /* first guest-physical byte loaded */
    uint64_t highest;           /* one past the last byte loaded (bss included) */
    unsigned segments;          /* ranges loaded: PT_LOAD segments with p_memsz > 0, else 1 */
    uint32_t eax, ebx;          /* Multiboot: magic and information gpa; 0 for a flat binary */
    uint32_t mb_flags;          /* the image's Multiboot header flags (0 for a flat binary) */
    bool cmdline_truncated;     /* the command line was longer than GUEST_MB1_CMDLINE_MAX */
    int32_t error_phdr; /* on an ELF segment or entry error: program header index; else -1 */
};

/* Classifies an image by its first bytes (never reads past len). */
enum guest_image_kind guest_image_kind(const void *image, size_t len);

/* Finds the first valid Multiboot header (magic, checksum with magic + flags + checksum == 0) at a
 * 4-byte aligned offset wholly within the first GUEST_MB1_SEARCH_LIMIT bytes, and checks its
 * flags. Errors: MB_NO_HEADER, MB_BAD_CHECKSUM (only headers with a wrong checksum), MB_HEADER_
 * TOO_FAR (a valid header exists but later), MB_HEADER_TRUNCATED (bit 16 set and the address
 * fields do not fit), MB_VIDEO_MODE, MB_UNSUPPORTED_FLAGS. */
enum guest_load_status guest_find_mb1_header(const void *image, size_t len,
                                             struct guest_mb1_header *out);

/* Loads a Multiboot kernel image and builds its Multiboot information:
 * - with header flag bit 16 (any file format), per section 3.1.3: file offset
 *   header.offset - (header_addr - load_addr) is loaded at load_addr, up to load_end_addr (0: to
 *   the end of the file), zeroed up to bss_end_addr (0: no bss); entry_addr must be in the loaded
 *   (non-bss) part;
 * - otherwise the image must be ELF32 (EM_386) or ELF64 (EM_X86_64), ET_EXEC, little-endian: each
 *   PT_LOAD segment with p_memsz > 0 is copied (p_filesz bytes from p_offset) to p_paddr and
 *   zeroed up to p_memsz. Segments must lie below 4 GiB, inside guest RAM, outside the
 *   information area and must not overlap each other. e_entry must lie in
 *   [p_vaddr, p_vaddr + p_memsz) of an executable (PF_X) PT_LOAD segment; the entry is then
 *   translated to p_paddr + (e_entry - p_vaddr), as GRUB does.
 * cmdline (NULL: empty) is copied to the guest, truncated to GUEST_MB1_CMDLINE_MAX bytes.
 * out is cleared first; after an error only out->kind, out->mb_flags and out->error_phdr are
 * meaningful, and guest RAM is unchanged. */
enum guest_load_status guest_load_multiboot(const void *image, size_t len,
                                            const struct guest_ram_access *ram, const char *cmdline,
                                            struct guest_load_result *out);

/* Writes the Multiboot information into the area described above (zeroing it first), for a guest
 * with ram->size bytes of RAM. *info_gpa = GUEST_MB1_INFO_GPA. truncated may be NULL. */
enum guest_load_status guest_build_mb1_info(const struct guest_ram_access *ram, const char *cmdline,
                                            uint32_t *info_gpa, bool *truncated);

/* Copies a flat binary of len > 0 bytes to [gpa, gpa + len), which must lie inside guest RAM and
 * below 4 GiB. No Multiboot information is built; entry = lowest = gpa. Errors: NULL_ARGUMENT,
 * EMPTY_IMAGE, SEG_ABOVE_4G, SEG_OUTSIDE_RAM. */
enum guest_load_status guest_load_flat(const void *image, size_t len,
                                       const struct guest_ram_access *ram, uint64_t gpa,
                                       struct guest_load_result *out);

/* Human-readable description of a status, for the user who supplied the image; never NULL. */
const char *guest_load_strerror(enum guest_load_status status);

/* Name of an image kind ("flat binary", "ELF32 i386", ...); never NULL. */
const char *guest_image_kind_name(enum guest_image_kind kind);

#endif
