/* libFuzzer target for kernel/multiboot2.c: mb2_parse() on the input as a boot information block
 * (exact-size, 8-byte aligned copy), checked against an independent walk of the tags. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/multiboot2.h"
#include "tests/fuzz/fuzz_common.h"

/* Every pointer the parser returns lies in the block, with its NUL before the tag's end. */
static void check_string(const char *s, const uint8_t *tag, uint32_t tag_size, size_t fixed)
{
    FUZZ_CHECK(s == (const char *)tag + fixed, "string at %p, tag data at %p", (const void *)s,
               (const void *)(tag + fixed));
    FUZZ_CHECK(memchr(s, 0, tag_size - fixed) != NULL, "string not terminated inside its tag");
}

/* Walks the tags of a block mb2_parse() accepted and compares every field it reported. */
static void check_ok(const uint8_t *b, size_t len, const struct mb2_info *info)
{
    uint32_t total = fuzz_le32(b);
    FUZZ_CHECK(info->total_size == total && total >= 16 && total <= len, "total_size %u (%u, %zu)",
               info->total_size, total, len);
    FUZZ_CHECK(info->error_offset == 0, "error_offset %u on success", info->error_offset);
    bool cmdline = false, loader = false, meminfo = false, mmap = false, old_rsdp = false,
         new_rsdp = false, efi_st = false, efi_ih = false, efi_bs = false;
    unsigned modules = 0, mmap_entries = 0;
    size_t off = 8;
    for (;;) {
        FUZZ_CHECK(off + 8 <= total, "accepted block has no end tag before %u", total);
        const uint8_t *tag = b + off;
        uint32_t type = fuzz_le32(tag), size = fuzz_le32(tag + 4);
        FUZZ_CHECK(size >= 8 && size <= total - off, "accepted tag at %zu of size %u", off, size);
        if (type == MB2_TAG_END) {
            FUZZ_CHECK(size == 8, "end tag of size %u", size);
            break;
        }
        switch (type) {
        case MB2_TAG_CMDLINE:
            check_string(info->cmdline, tag, size, 8);
            cmdline = true;
            break;
        case MB2_TAG_BOOTLOADER_NAME:
            check_string(info->bootloader_name, tag, size, 8);
            loader = true;
            break;
        case MB2_TAG_MODULE:
            FUZZ_CHECK(size >= 16, "module tag of %u bytes accepted", size);
            if (modules < MB2_MAX_MODULES) {
                const struct mb2_module *m = &info->modules[modules];
                FUZZ_CHECK(m->mod_start == fuzz_le32(tag + 8) && m->mod_end == fuzz_le32(tag + 12),
                           "module %u addresses", modules);
                FUZZ_CHECK(m->mod_start <= m->mod_end, "module %u ends before it starts", modules);
                check_string(m->string, tag, size, 16);
            }
            modules++;
            break;
        case MB2_TAG_BASIC_MEMINFO:
            FUZZ_CHECK(size >= 16 && info->has_basic_meminfo &&
                           info->mem_lower_kib == fuzz_le32(tag + 8) &&
                           info->mem_upper_kib == fuzz_le32(tag + 12),
                       "basic meminfo");
            meminfo = true;
            break;
        case MB2_TAG_MMAP: {
            uint32_t esize = fuzz_le32(tag + 8);
            FUZZ_CHECK(size >= 16 && esize >= 24 && esize % 8 == 0 && (size - 16) % esize == 0,
                       "memory map tag of %u bytes, entries of %u accepted", size, esize);
            FUZZ_CHECK(info->mmap_entry_size == esize &&
                           info->mmap_entry_version == fuzz_le32(tag + 12),
                       "memory map entry size/version");
            for (uint32_t e = 16; e < size; e += esize, mmap_entries++) {
                if (mmap_entries >= MB2_MAX_MMAP)
                    continue;
                const struct mb2_mmap_entry *m = &info->mmap[mmap_entries];
                FUZZ_CHECK(m->base_addr == fuzz_le64(tag + e) &&
                               m->length == fuzz_le64(tag + e + 8) &&
                               m->type == fuzz_le32(tag + e + 16) &&
                               m->reserved == fuzz_le32(tag + e + 20),
                           "memory map entry %u", mmap_entries);
            }
            mmap = true;
            break;
        }
        case MB2_TAG_ACPI_OLD_RSDP:
            FUZZ_CHECK(info->acpi_old_rsdp == tag + 8 && info->acpi_old_rsdp_length == size - 8 &&
                           size - 8 >= MB2_ACPI_OLD_RSDP_LENGTH,
                       "old RSDP");
            old_rsdp = true;
            break;
        case MB2_TAG_ACPI_NEW_RSDP:
            FUZZ_CHECK(info->acpi_new_rsdp == tag + 8 && info->acpi_new_rsdp_length == size - 8 &&
                           size - 8 >= MB2_ACPI_NEW_RSDP_LENGTH,
                       "new RSDP");
            new_rsdp = true;
            break;
        case MB2_TAG_EFI64_SYSTEM_TABLE:
            FUZZ_CHECK(size >= 16 && info->efi64_system_table == fuzz_le64(tag + 8), "EFI ST");
            efi_st = true;
            break;
        case MB2_TAG_EFI64_IMAGE_HANDLE:
            FUZZ_CHECK(size >= 16 && info->efi64_image_handle == fuzz_le64(tag + 8), "EFI IH");
            efi_ih = true;
            break;
        case MB2_TAG_EFI_BOOT_SERVICES_ALIVE:
            efi_bs = true;
            break;
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
    FUZZ_CHECK(cmdline == (info->cmdline != NULL), "command line presence");
    FUZZ_CHECK(loader == (info->bootloader_name != NULL), "boot loader name presence");
    FUZZ_CHECK(meminfo == info->has_basic_meminfo, "basic meminfo presence");
    FUZZ_CHECK(old_rsdp == (info->acpi_old_rsdp != NULL), "old RSDP presence");
    FUZZ_CHECK(new_rsdp == (info->acpi_new_rsdp != NULL), "new RSDP presence");
    FUZZ_CHECK(efi_st == info->has_efi64_system_table && efi_ih == info->has_efi64_image_handle &&
                   efi_bs == info->efi_boot_services_not_terminated,
               "EFI tag presence");
    unsigned kept = modules < MB2_MAX_MODULES ? modules : MB2_MAX_MODULES;
    FUZZ_CHECK(info->module_count == kept && info->modules_dropped == modules - kept,
               "%u module tags: %u kept, %u dropped", modules, info->module_count,
               info->modules_dropped);
    kept = mmap_entries < MB2_MAX_MMAP ? mmap_entries : MB2_MAX_MMAP;
    FUZZ_CHECK(info->mmap_tag_present == mmap && info->mmap_count == kept &&
                   info->mmap_dropped == mmap_entries - kept,
               "%u memory map entries: %u kept, %u dropped", mmap_entries, info->mmap_count,
               info->mmap_dropped);
    FUZZ_CHECK(mb2_has_memory_map(info) == (mmap && mmap_entries > 0), "mb2_has_memory_map()");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* malloc() aligns to 16; the exact size lets ASan catch a read past the block. */
    uint8_t *block = malloc(size ? size : 1);
    FUZZ_CHECK(block != NULL, "out of memory");
    memcpy(block, data, size);
    static struct mb2_info info;
    enum mb2_status st = mb2_parse(block, size, &info);
    FUZZ_CHECK(st <= MB2_ERR_MMAP_PARTIAL_ENTRY, "status %d", st);
    const char *msg = mb2_strerror(st);
    FUZZ_CHECK(msg && strcmp(msg, "unknown multiboot2 status") != 0, "status %d has no message",
               st);
    if (st == MB2_OK)
        check_ok(block, size, &info);
    else
        FUZZ_CHECK(info.error_offset <= size, "error offset %u past %zu bytes", info.error_offset,
                   size);

    /* The same bytes at a misaligned address are refused before any read. */
    uint8_t *shifted = malloc(size + 4);
    FUZZ_CHECK(shifted != NULL, "out of memory");
    memcpy(shifted + 4, data, size);
    st = mb2_parse(shifted + 4, size, &info);
    FUZZ_CHECK(st == MB2_ERR_MISALIGNED, "misaligned block: status %d", st);
    free(shifted);
    free(block);
    return 0;
}
