/* Multiboot2 boot information parsing (kernel/multiboot2.c): validates the block the boot loader
 * hands over and collects the tags mica uses. Pure logic, shared by the kernel and host tests. */
#ifndef MICA_KERNEL_MULTIBOOT2_H
#define MICA_KERNEL_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value in EAX at kernel entry: Multiboot2 (block in EBX is parsed here) or legacy Multiboot1. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB1_BOOTLOADER_MAGIC 0x2badb002u

#define MB2_MAX_MODULES 16
#define MB2_MAX_MMAP    128

/* Tag types (Multiboot2 specification, section 3.6). */
#define MB2_TAG_END                     0
#define MB2_TAG_CMDLINE                 1
#define MB2_TAG_BOOTLOADER_NAME         2
#define MB2_TAG_MODULE                  3
#define MB2_TAG_BASIC_MEMINFO           4
#define MB2_TAG_BOOTDEV                 5
#define MB2_TAG_MMAP                    6
#define MB2_TAG_FRAMEBUFFER             8
#define MB2_TAG_EFI64_SYSTEM_TABLE      12
#define MB2_TAG_ACPI_OLD_RSDP           14
#define MB2_TAG_ACPI_NEW_RSDP           15
#define MB2_TAG_EFI_BOOT_SERVICES_ALIVE 18 /* "EFI boot services not terminated" */
#define MB2_TAG_EFI64_IMAGE_HANDLE      20

/* Memory map entry types. Every type other than AVAILABLE must be treated as not usable. */
#define MB2_MMAP_AVAILABLE        1
#define MB2_MMAP_RESERVED         2
#define MB2_MMAP_ACPI_RECLAIMABLE 3
#define MB2_MMAP_ACPI_NVS         4
#define MB2_MMAP_BAD_RAM          5

/* Byte sizes the parser requires. */
#define MB2_HEADER_SIZE          8  /* total_size + reserved */
#define MB2_TAG_HEADER_SIZE      8  /* type + size */
#define MB2_MMAP_MIN_ENTRY_SIZE  24 /* base_addr, length, type, reserved */
#define MB2_ACPI_OLD_RSDP_LENGTH 20 /* ACPI 1.0 RSDP */
#define MB2_ACPI_NEW_RSDP_LENGTH 36 /* ACPI 2.0+ XSDP */

enum mb2_status {
    MB2_OK = 0,
    MB2_ERR_NULL_ARGUMENT,
    MB2_ERR_MISALIGNED,
    MB2_ERR_BUFFER_TOO_SMALL,
    MB2_ERR_TOTAL_SIZE_TOO_SMALL,
    MB2_ERR_TOTAL_SIZE_EXCEEDS_AVAILABLE,
    MB2_ERR_TAG_SIZE_TOO_SMALL,
    MB2_ERR_TAG_OVERRUNS_TOTAL_SIZE,
    MB2_ERR_TAG_TOO_SHORT_FOR_TYPE,
    MB2_ERR_END_TAG_SIZE,
    MB2_ERR_NO_END_TAG,
    MB2_ERR_DUPLICATE_TAG,
    MB2_ERR_STRING_UNTERMINATED,
    MB2_ERR_MODULE_END_BEFORE_START,
    MB2_ERR_MMAP_ENTRY_SIZE,
    MB2_ERR_MMAP_PARTIAL_ENTRY,
};

/* Memory map entry exactly as laid out by the boot loader (entry_version 0). */
struct mb2_mmap_entry {
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;
    uint32_t reserved;
};

struct mb2_module {
    uint32_t mod_start; /* physical address of the first byte */
    uint32_t mod_end;   /* physical address one past the last byte */
    const char *string; /* NUL-terminated, points into the boot information block */
};

/* Everything mb2_parse() collects. Pointers point into the boot information block, which must
 * stay mapped and untouched while they are used. After an error only error_offset is meaningful. */
struct mb2_info {
    uint32_t total_size;

    const char *cmdline;         /* NULL if there is no command line tag */
    const char *bootloader_name; /* NULL if there is no boot loader name tag */

    struct mb2_module modules[MB2_MAX_MODULES];
    unsigned module_count;    /* entries filled in modules[] */
    unsigned modules_dropped; /* module tags beyond MB2_MAX_MODULES, not recorded */

    bool has_basic_meminfo;
    uint32_t mem_lower_kib; /* conventional memory below 1 MiB */
    uint32_t mem_upper_kib; /* memory from 1 MiB to the first hole */

    bool mmap_tag_present; /* false: no tag at all; true with mmap_count 0: tag with no entries */
    uint32_t mmap_entry_size;
    uint32_t mmap_entry_version;
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    unsigned mmap_count;   /* entries filled in mmap[] */
    unsigned mmap_dropped; /* entries beyond MB2_MAX_MMAP, not recorded */

    const void *acpi_old_rsdp; /* NULL if absent; RSDP bytes inside the tag */
    size_t acpi_old_rsdp_length;
    const void *acpi_new_rsdp; /* NULL if absent; XSDP bytes inside the tag */
    size_t acpi_new_rsdp_length;

    bool has_efi64_system_table;
    uint64_t efi64_system_table;
    bool has_efi64_image_handle;
    uint64_t efi64_image_handle;
    bool efi_boot_services_not_terminated;

    uint32_t error_offset; /* byte offset of the offending tag (0 for header errors) */
};

/* Parses the boot information block at mbi. avail_len: bytes known to be readable at mbi.
 * Tags after the end tag are ignored; unknown tag types are skipped. */
enum mb2_status mb2_parse(const void *mbi, size_t avail_len, struct mb2_info *out);

/* True when the boot loader supplied at least one memory map entry. */
bool mb2_has_memory_map(const struct mb2_info *info);

/* Human-readable description of a status; never NULL. */
const char *mb2_strerror(enum mb2_status status);

#endif
