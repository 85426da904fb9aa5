/* Multiboot2 boot information parsing: bounds-checked walk over the tag list, collecting the
 * command line, modules, memory map, ACPI RSDP and EFI tags into struct mb2_info. */
#include "kernel/multiboot2.h"

#include "kernel/string.h"

/* Fixed part of each tag type this parser reads, tag header included. */
#define CMDLINE_TAG_FIXED_SIZE 8
#define MODULE_TAG_FIXED_SIZE  16 /* header, mod_start, mod_end */
#define MEMINFO_TAG_SIZE       16 /* header, mem_lower, mem_upper */
#define MMAP_TAG_FIXED_SIZE    16 /* header, entry_size, entry_version */
#define EFI64_POINTER_TAG_SIZE 16 /* header, 64-bit pointer */
#define ACPI_TAG_FIXED_SIZE    8
#define MIN_TOTAL_SIZE         (MB2_HEADER_SIZE + MB2_TAG_HEADER_SIZE)
#define TAG_ALIGNMENT          8

/* Unaligned-safe little-endian reads from the block. */
static uint32_t read_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t read_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* True if a NUL byte occurs in the len bytes at s. */
static bool has_terminator(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 0) {
            return true;
        }
    }
    return false;
}

static enum mb2_status parse_string_tag(const uint8_t *tag, uint32_t size, const char **out)
{
    const uint8_t *s = tag + CMDLINE_TAG_FIXED_SIZE;
    if (!has_terminator(s, size - CMDLINE_TAG_FIXED_SIZE)) {
        return MB2_ERR_STRING_UNTERMINATED;
    }
    *out = (const char *)s;
    return MB2_OK;
}

static enum mb2_status parse_module_tag(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
    if (size < MODULE_TAG_FIXED_SIZE) {
        return MB2_ERR_TAG_TOO_SHORT_FOR_TYPE;
    }
    uint32_t mod_start = read_u32(tag + 8);
    uint32_t mod_end = read_u32(tag + 12);
    const uint8_t *string = tag + MODULE_TAG_FIXED_SIZE;
    if (!has_terminator(string, size - MODULE_TAG_FIXED_SIZE)) {
        return MB2_ERR_STRING_UNTERMINATED;
    }
    if (mod_end < mod_start) {
        return MB2_ERR_MODULE_END_BEFORE_START;
    }
    if (out->module_count >= MB2_MAX_MODULES) {
        out->modules_dropped++;
        return MB2_OK;
    }
    struct mb2_module *m = &out->modules[out->module_count++];
    m->mod_start = mod_start;
    m->mod_end = mod_end;
    m->string = (const char *)string;
    return MB2_OK;
}

static enum mb2_status parse_mmap_tag(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
    if (size < MMAP_TAG_FIXED_SIZE) {
        return MB2_ERR_TAG_TOO_SHORT_FOR_TYPE;
    }
    uint32_t entry_size = read_u32(tag + 8);
    if (entry_size < MB2_MMAP_MIN_ENTRY_SIZE || entry_size % 8 != 0) {
        return MB2_ERR_MMAP_ENTRY_SIZE;
    }
    uint32_t entries_bytes = size - MMAP_TAG_FIXED_SIZE;
    if (entries_bytes % entry_size != 0) {
        return MB2_ERR_MMAP_PARTIAL_ENTRY;
    }
    out->mmap_tag_present = true;
    out->mmap_entry_size = entry_size;
    out->mmap_entry_version = read_u32(tag + 12);

    uint32_t count = entries_bytes / entry_size;
    const uint8_t *entry = tag + MMAP_TAG_FIXED_SIZE;
    for (uint32_t i = 0; i < count; i++, entry += entry_size) {
        if (out->mmap_count >= MB2_MAX_MMAP) {
            out->mmap_dropped += count - i;
            break;
        }
        struct mb2_mmap_entry *e = &out->mmap[out->mmap_count++];
        e->base_addr = read_u64(entry);
        e->length = read_u64(entry + 8);
        e->type = read_u32(entry + 16);
        e->reserved = read_u32(entry + 20);
    }
    return MB2_OK;
}

static enum mb2_status parse_acpi_tag(const uint8_t *tag, uint32_t size, size_t min_length,
                                      const void **rsdp_out, size_t *length_out)
{
    size_t length = size - ACPI_TAG_FIXED_SIZE;
    if (length < min_length) {
        return MB2_ERR_TAG_TOO_SHORT_FOR_TYPE;
    }
    *rsdp_out = tag + ACPI_TAG_FIXED_SIZE;
    *length_out = length;
    return MB2_OK;
}

static enum mb2_status parse_efi64_pointer_tag(const uint8_t *tag, uint32_t size, bool *has_out,
                                               uint64_t *pointer_out)
{
    if (size < EFI64_POINTER_TAG_SIZE) {
        return MB2_ERR_TAG_TOO_SHORT_FOR_TYPE;
    }
    *has_out = true;
    *pointer_out = read_u64(tag + 8);
    return MB2_OK;
}

/* Tag types that may appear at most once. */
static bool is_singleton_tag(uint32_t type)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
    case MB2_TAG_BOOTLOADER_NAME:
    case MB2_TAG_BASIC_MEMINFO:
    case MB2_TAG_MMAP:
    case MB2_TAG_EFI64_SYSTEM_TABLE:
    case MB2_TAG_ACPI_OLD_RSDP:
    case MB2_TAG_ACPI_NEW_RSDP:
    case MB2_TAG_EFI_BOOT_SERVICES_ALIVE:
    case MB2_TAG_EFI64_IMAGE_HANDLE:
        return true;
    default:
        return false;
    }
}

static enum mb2_status parse_tag(const uint8_t *tag, uint32_t type, uint32_t size,
                                 struct mb2_info *out)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
        return parse_string_tag(tag, size, &out->cmdline);
    case MB2_TAG_BOOTLOADER_NAME:
        return parse_string_tag(tag, size, &out->bootloader_name);
    case MB2_TAG_MODULE:
        return parse_module_tag(tag, size, out);
    case MB2_TAG_BASIC_MEMINFO:
        if (size < MEMINFO_TAG_SIZE) {
            return MB2_ERR_TAG_TOO_SHORT_FOR_TYPE;
        }
        out->has_basic_meminfo = true;
        out->mem_lower_kib = read_u32(tag + 8);
        out->mem_upper_kib = read_u32(tag + 12);
        return MB2_OK;
    case MB2_TAG_MMAP:
        return parse_mmap_tag(tag, size, out);
    case MB2_TAG_EFI64_SYSTEM_TABLE:
        return parse_efi64_pointer_tag(tag, size, &out->has_efi64_system_table,
                                       &out->efi64_system_table);
    case MB2_TAG_EFI64_IMAGE_HANDLE:
        return parse_efi64_pointer_tag(tag, size, &out->has_efi64_image_handle,
                                       &out->efi64_image_handle);
    case MB2_TAG_ACPI_OLD_RSDP:
        return parse_acpi_tag(tag, size, MB2_ACPI_OLD_RSDP_LENGTH, &out->acpi_old_rsdp,
                              &out->acpi_old_rsdp_length);
    case MB2_TAG_ACPI_NEW_RSDP:
        return parse_acpi_tag(tag, size, MB2_ACPI_NEW_RSDP_LENGTH, &out->acpi_new_rsdp,
                              &out->acpi_new_rsdp_length);
    case MB2_TAG_EFI_BOOT_SERVICES_ALIVE:
        out->efi_boot_services_not_terminated = true;
        return MB2_OK;
    default:
        return MB2_OK; /* framebuffer, boot device, ELF sections, ... : not used */
    }
}

enum mb2_status mb2_parse(const void *mbi, size_t avail_len, struct mb2_info *out)
{
    if (mbi == NULL || out == NULL) {
        return MB2_ERR_NULL_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    if ((uintptr_t)mbi % TAG_ALIGNMENT != 0) {
        return MB2_ERR_MISALIGNED;
    }
    if (avail_len < MIN_TOTAL_SIZE) {
        return MB2_ERR_BUFFER_TOO_SMALL;
    }
    const uint8_t *base = mbi;
    uint32_t total_size = read_u32(base);
    if (total_size < MIN_TOTAL_SIZE) {
        return MB2_ERR_TOTAL_SIZE_TOO_SMALL;
    }
    if (total_size > avail_len) {
        return MB2_ERR_TOTAL_SIZE_EXCEEDS_AVAILABLE;
    }
    out->total_size = total_size;

    uint32_t seen_singletons = 0; /* bit n set: tag type n already seen */
    uint64_t offset = MB2_HEADER_SIZE;
    while (offset + MB2_TAG_HEADER_SIZE <= total_size) {
        const uint8_t *tag = base + offset;
        uint32_t type = read_u32(tag);
        uint32_t size = read_u32(tag + 4);
        out->error_offset = (uint32_t)offset;

        if (size < MB2_TAG_HEADER_SIZE) {
            return MB2_ERR_TAG_SIZE_TOO_SMALL;
        }
        if (size > total_size - offset) {
            return MB2_ERR_TAG_OVERRUNS_TOTAL_SIZE;
        }
        if (type == MB2_TAG_END) {
            if (size != MB2_TAG_HEADER_SIZE) {
                return MB2_ERR_END_TAG_SIZE;
            }
            out->error_offset = 0;
            return MB2_OK;
        }
        if (is_singleton_tag(type)) {
            uint32_t bit = 1u << type;
            if (seen_singletons & bit) {
                return MB2_ERR_DUPLICATE_TAG;
            }
            seen_singletons |= bit;
        }
        enum mb2_status status = parse_tag(tag, type, size, out);
        if (status != MB2_OK) {
            return status;
        }
        /* Next tag starts at the next 8-byte boundary. */
        offset += ((uint64_t)size + TAG_ALIGNMENT - 1) & ~(uint64_t)(TAG_ALIGNMENT - 1);
    }
    out->error_offset = (uint32_t)(offset < total_size ? offset : total_size);
    return MB2_ERR_NO_END_TAG;
}

bool mb2_has_memory_map(const struct mb2_info *info)
{
    return info != NULL && info->mmap_tag_present && info->mmap_count > 0;
}

const char *mb2_strerror(enum mb2_status status)
{
    switch (status) {
    case MB2_OK:
        return "success";
    case MB2_ERR_NULL_ARGUMENT:
        return "NULL boot information pointer or output structure";
    case MB2_ERR_MISALIGNED:
        return "boot information block is not 8-byte aligned";
    case MB2_ERR_BUFFER_TOO_SMALL:
        return "fewer than 16 readable bytes: no room for the header and end tag";
    case MB2_ERR_TOTAL_SIZE_TOO_SMALL:
        return "total_size is below 16 bytes (header plus end tag)";
    case MB2_ERR_TOTAL_SIZE_EXCEEDS_AVAILABLE:
        return "total_size is larger than the readable bytes";
    case MB2_ERR_TAG_SIZE_TOO_SMALL:
        return "a tag's size is below the 8-byte tag header";
    case MB2_ERR_TAG_OVERRUNS_TOTAL_SIZE:
        return "a tag extends past total_size";
    case MB2_ERR_TAG_TOO_SHORT_FOR_TYPE:
        return "a tag is too short for the fields its type requires";
    case MB2_ERR_END_TAG_SIZE:
        return "the end tag's size is not 8";
    case MB2_ERR_NO_END_TAG:
        return "no end tag (type 0) before total_size";
    case MB2_ERR_DUPLICATE_TAG:
        return "a tag type that may appear once appears twice";
    case MB2_ERR_STRING_UNTERMINATED:
        return "a string (command line, boot loader name or module string) has no NUL inside "
               "its tag";
    case MB2_ERR_MODULE_END_BEFORE_START:
        return "a module's mod_end is below its mod_start";
    case MB2_ERR_MMAP_ENTRY_SIZE:
        return "memory map entry_size is below 24 or not a multiple of 8";
    case MB2_ERR_MMAP_PARTIAL_ENTRY:
        return "memory map tag size is not a whole number of entries";
    }
    return "unknown multiboot2 status";
}
