/* Unit tests for kernel/multiboot2.c: well-formed blocks built here tag by tag, and each
 * malformation the parser must reject. Build: test_multiboot2.c kernel/multiboot2.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/multiboot2.h"

/* Builder for a boot information block in an 8-byte aligned buffer. */
struct block {
    _Alignas(8) uint8_t bytes[16384];
    size_t len;
};

static void put_u32(struct block *b, size_t offset, uint32_t v)
{
    memcpy(&b->bytes[offset], &v, sizeof v);
}

static void block_begin(struct block *b)
{
    memset(b->bytes, 0xa5, sizeof b->bytes); /* poison: padding must never be relied on */
    b->len = 8;
    put_u32(b, 4, 0);
}

/* Appends a tag with the given payload; returns its offset. */
static size_t add_tag(struct block *b, uint32_t type, const void *payload, uint32_t payload_len)
{
    size_t offset = b->len;
    put_u32(b, offset, type);
    put_u32(b, offset + 4, 8 + payload_len);
    if (payload_len > 0) {
        memcpy(&b->bytes[offset + 8], payload, payload_len);
    }
    b->len = (offset + 8 + payload_len + 7) & ~(size_t)7;
    assert_true(b->len <= sizeof b->bytes);
    return offset;
}

static void add_string_tag(struct block *b, uint32_t type, const char *s)
{
    add_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

static void add_module(struct block *b, uint32_t start, uint32_t end, const char *s)
{
    uint8_t payload[256];
    size_t n = strlen(s) + 1;
    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    memcpy(payload + 8, s, n);
    add_tag(b, MB2_TAG_MODULE, payload, (uint32_t)(8 + n));
}

/* Memory map tag with entry_size 24 and the given entries. */
static void add_mmap(struct block *b, const struct mb2_mmap_entry *entries, unsigned count)
{
    uint8_t payload[8 + 200 * 24];
    uint32_t entry_size = 24, version = 0;
    assert_true(count <= 200);
    memcpy(payload, &entry_size, 4);
    memcpy(payload + 4, &version, 4);
    if (count > 0) {
        memcpy(payload + 8, entries, count * sizeof entries[0]);
    }
    add_tag(b, MB2_TAG_MMAP, payload, 8 + count * 24);
}

static void block_end(struct block *b)
{
    add_tag(b, MB2_TAG_END, NULL, 0);
    put_u32(b, 0, (uint32_t)b->len);
}

static const struct mb2_mmap_entry sample_mmap[3] = {
    {0x0, 0x9fc00, MB2_MMAP_AVAILABLE, 0},
    {0xf0000, 0x10000, MB2_MMAP_RESERVED, 0},
    {0x100000, 0x7ee0000, MB2_MMAP_AVAILABLE, 0},
};

static void test_well_formed_block(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "console=com1 loglevel=debug");
    add_string_tag(&b, MB2_TAG_BOOTLOADER_NAME, "GRUB 2.06");
    add_module(&b, 0x200000, 0x234567, "guest.bin");
    add_module(&b, 0x300000, 0x300000, "");
    uint32_t meminfo[2] = {639, 130048};
    add_tag(&b, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof meminfo);
    add_mmap(&b, sample_mmap, 3);
    uint8_t fb[24] = {0};
    add_tag(&b, MB2_TAG_FRAMEBUFFER, fb, sizeof fb);
    uint8_t rsdp[36];
    memcpy(rsdp, "RSD PTR ", 8);
    for (unsigned i = 8; i < sizeof rsdp; i++) {
        rsdp[i] = (uint8_t)i;
    }
    size_t rsdp_tag = add_tag(&b, MB2_TAG_ACPI_NEW_RSDP, rsdp, sizeof rsdp);
    uint64_t systab = 0x7fe9e018;
    add_tag(&b, MB2_TAG_EFI64_SYSTEM_TABLE, &systab, sizeof systab);
    uint64_t handle = 0x7e8b1d98;
    add_tag(&b, MB2_TAG_EFI64_IMAGE_HANDLE, &handle, sizeof handle);
    add_tag(&b, MB2_TAG_EFI_BOOT_SERVICES_ALIVE, NULL, 0);
    add_tag(&b, 99, "unknown", 7); /* unknown tags are skipped */
    block_end(&b);

    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_OK);
    assert_int_equal(info.total_size, b.len);
    assert_string_equal(info.cmdline, "console=com1 loglevel=debug");
    assert_string_equal(info.bootloader_name, "GRUB 2.06");

    assert_int_equal(info.module_count, 2);
    assert_int_equal(info.modules_dropped, 0);
    assert_int_equal(info.modules[0].mod_start, 0x200000);
    assert_int_equal(info.modules[0].mod_end, 0x234567);
    assert_string_equal(info.modules[0].string, "guest.bin");
    assert_int_equal(info.modules[1].mod_start, 0x300000);
    assert_string_equal(info.modules[1].string, "");

    assert_true(info.has_basic_meminfo);
    assert_int_equal(info.mem_lower_kib, 639);
    assert_int_equal(info.mem_upper_kib, 130048);

    assert_true(info.mmap_tag_present);
    assert_true(mb2_has_memory_map(&info));
    assert_int_equal(info.mmap_entry_size, 24);
    assert_int_equal(info.mmap_entry_version, 0);
    assert_int_equal(info.mmap_count, 3);
    assert_int_equal(info.mmap_dropped, 0);
    assert_memory_equal(info.mmap, sample_mmap, sizeof sample_mmap);

    assert_ptr_equal(info.acpi_new_rsdp, &b.bytes[rsdp_tag + 8]);
    assert_int_equal(info.acpi_new_rsdp_length, 36);
    assert_memory_equal(info.acpi_new_rsdp, rsdp, 36);
    assert_null(info.acpi_old_rsdp);
    assert_int_equal(info.acpi_old_rsdp_length, 0);

    assert_true(info.has_efi64_system_table);
    assert_int_equal(info.efi64_system_table, 0x7fe9e018);
    assert_true(info.has_efi64_image_handle);
    assert_int_equal(info.efi64_image_handle, 0x7e8b1d98);
    assert_true(info.efi_boot_services_not_terminated);

    /* Exactly total_size readable is enough. */
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
}

static void test_minimal_block_has_nothing(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    block_end(&b);
    assert_int_equal(b.len, 16);
    assert_int_equal(mb2_parse(b.bytes, 16, &info), MB2_OK);
    assert_null(info.cmdline);
    assert_null(info.bootloader_name);
    assert_int_equal(info.module_count, 0);
    assert_false(info.has_basic_meminfo);
    assert_false(info.has_efi64_system_table);
    assert_false(info.efi_boot_services_not_terminated);
    assert_null(info.acpi_new_rsdp);
}

static void test_acpi_old_rsdp(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    uint8_t rsdp[20] = "RSD PTR ";
    block_begin(&b);
    size_t tag = add_tag(&b, MB2_TAG_ACPI_OLD_RSDP, rsdp, sizeof rsdp);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_ptr_equal(info.acpi_old_rsdp, &b.bytes[tag + 8]);
    assert_int_equal(info.acpi_old_rsdp_length, 20);
    assert_null(info.acpi_new_rsdp);

    block_begin(&b);
    add_tag(&b, MB2_TAG_ACPI_NEW_RSDP, rsdp, sizeof rsdp); /* 20 < 36 */
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_TAG_TOO_SHORT_FOR_TYPE);
}

static void test_missing_end_tag(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "x");
    put_u32(&b, 0, (uint32_t)b.len);
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_NO_END_TAG);

    /* An end tag that lies beyond total_size does not count either. */
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "x");
    block_end(&b);
    put_u32(&b, 0, (uint32_t)b.len - 8);
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_NO_END_TAG);
}

static void test_end_tag_wrong_size(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    block_end(&b);
    put_u32(&b, 12, 16);
    put_u32(&b, 0, 24);
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_END_TAG_SIZE);
}

static void test_tags_after_end_ignored(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "first");
    add_tag(&b, MB2_TAG_END, NULL, 0);
    add_string_tag(&b, MB2_TAG_CMDLINE, "after end");
    put_u32(&b, b.len, 0xdead); /* garbage: type */
    put_u32(&b, b.len + 4, 3);  /* garbage: size < 8 */
    b.len += 8;
    put_u32(&b, 0, (uint32_t)b.len);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_string_equal(info.cmdline, "first");
}

static void test_tag_size_below_header(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    size_t tag = add_tag(&b, 7, "abcd", 4);
    block_end(&b);
    put_u32(&b, tag + 4, 4);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_TAG_SIZE_TOO_SMALL);
    assert_int_equal(info.error_offset, tag);

    put_u32(&b, tag + 4, 0); /* size 0 would otherwise loop forever */
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_TAG_SIZE_TOO_SMALL);
}

static void test_tag_past_total_size(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    size_t tag = add_tag(&b, MB2_TAG_CMDLINE, "hello", 6);
    block_end(&b);
    put_u32(&b, tag + 4, 64); /* runs past the end tag and total_size (32) */
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_TAG_OVERRUNS_TOTAL_SIZE);
    assert_int_equal(info.error_offset, tag);

    put_u32(&b, tag + 4, UINT32_MAX); /* no wrap-around in the bounds check */
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_TAG_OVERRUNS_TOTAL_SIZE);
}

static void test_total_size_checks(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "hello");
    block_end(&b);
    assert_int_equal(b.len, 32);
    assert_int_equal(mb2_parse(b.bytes, 31, &info), MB2_ERR_TOTAL_SIZE_EXCEEDS_AVAILABLE);
    assert_int_equal(mb2_parse(b.bytes, 8, &info), MB2_ERR_BUFFER_TOO_SMALL);
    put_u32(&b, 0, 8);
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info), MB2_ERR_TOTAL_SIZE_TOO_SMALL);
    put_u32(&b, 0, 0xfffffff0);
    assert_int_equal(mb2_parse(b.bytes, sizeof b.bytes, &info),
                     MB2_ERR_TOTAL_SIZE_EXCEEDS_AVAILABLE);
}

static void test_misaligned_block(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    /* A valid block copied to offset 4 of the buffer. */
    block_begin(&b);
    block_end(&b);
    memmove(&b.bytes[4], b.bytes, 16);
    assert_int_equal(mb2_parse(&b.bytes[4], 16, &info), MB2_ERR_MISALIGNED);
    memmove(b.bytes, &b.bytes[4], 16);
    assert_int_equal(mb2_parse(b.bytes, 16, &info), MB2_OK);
}

static void test_null_arguments(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    block_end(&b);
    assert_int_equal(mb2_parse(NULL, 16, &info), MB2_ERR_NULL_ARGUMENT);
    assert_int_equal(mb2_parse(b.bytes, 16, NULL), MB2_ERR_NULL_ARGUMENT);
    assert_false(mb2_has_memory_map(NULL));
}

static void test_unterminated_strings(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_tag(&b, MB2_TAG_CMDLINE, "no-nul!!", 8); /* 8 bytes, no NUL; padding-free */
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_STRING_UNTERMINATED);
    assert_int_equal(info.error_offset, 8);

    /* NUL only in the padding after the tag is not inside the tag. */
    block_begin(&b);
    add_tag(&b, MB2_TAG_CMDLINE, "abc", 3);
    block_end(&b);
    b.bytes[8 + 8 + 3] = 0;
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_STRING_UNTERMINATED);

    block_begin(&b);
    add_tag(&b, MB2_TAG_BOOTLOADER_NAME, NULL, 0); /* empty tag: no room for a NUL */
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_STRING_UNTERMINATED);

    uint8_t module[12] = {0, 0, 0x10, 0, 0, 0, 0x20, 0, 'a', 'b', 'c', 'd'};
    block_begin(&b);
    add_tag(&b, MB2_TAG_MODULE, module, sizeof module);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_STRING_UNTERMINATED);
}

static void test_module_checks(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_module(&b, 0x300000, 0x2fffff, "backwards");
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_MODULE_END_BEFORE_START);

    uint32_t start_only = 0x100000;
    block_begin(&b);
    add_tag(&b, MB2_TAG_MODULE, &start_only, sizeof start_only);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_TAG_TOO_SHORT_FOR_TYPE);
}

static void test_too_many_modules(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    for (uint32_t i = 0; i < MB2_MAX_MODULES + 2; i++) {
        char name[8] = {'m', (char)('a' + i), 0};
        add_module(&b, 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x800, name);
    }
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_int_equal(info.module_count, MB2_MAX_MODULES);
    assert_int_equal(info.modules_dropped, 2);
    assert_string_equal(info.modules[0].string, "ma");
    assert_int_equal(info.modules[15].mod_start, 0x1000000 + 15 * 0x10000);
    assert_int_equal(info.modules[15].mod_end, 0x1000000 + 15 * 0x10000 + 0x800);
    assert_string_equal(info.modules[15].string, "mp");
}

static void test_mmap_entry_size(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    uint8_t payload[8 + 2 * 32];
    memset(payload, 0, sizeof payload);

    uint32_t sizes_rejected[] = {20, 0, 8, 28};
    for (unsigned k = 0; k < sizeof sizes_rejected / sizeof sizes_rejected[0]; k++) {
        memcpy(payload, &sizes_rejected[k], 4);
        block_begin(&b);
        add_tag(&b, MB2_TAG_MMAP, payload, 8 + 2 * 28);
        block_end(&b);
        assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_MMAP_ENTRY_SIZE);
    }

    /* entry_size 32: entries are read at a 32-byte stride, extra bytes ignored. */
    uint32_t entry_size = 32, version = 1;
    memcpy(payload, &entry_size, 4);
    memcpy(payload + 4, &version, 4);
    struct mb2_mmap_entry e0 = {0x1000, 0x2000, MB2_MMAP_AVAILABLE, 0};
    struct mb2_mmap_entry e1 = {0x100000, 0x300000, MB2_MMAP_ACPI_NVS, 0};
    memcpy(payload + 8, &e0, 24);
    memset(payload + 8 + 24, 0xee, 8);
    memcpy(payload + 8 + 32, &e1, 24);
    memset(payload + 8 + 56, 0xee, 8);
    block_begin(&b);
    add_tag(&b, MB2_TAG_MMAP, payload, sizeof payload);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_int_equal(info.mmap_entry_size, 32);
    assert_int_equal(info.mmap_entry_version, 1);
    assert_int_equal(info.mmap_count, 2);
    assert_int_equal(info.mmap[0].base_addr, 0x1000);
    assert_int_equal(info.mmap[0].length, 0x2000);
    assert_int_equal(info.mmap[0].type, MB2_MMAP_AVAILABLE);
    assert_int_equal(info.mmap[1].base_addr, 0x100000);
    assert_int_equal(info.mmap[1].length, 0x300000);
    assert_int_equal(info.mmap[1].type, MB2_MMAP_ACPI_NVS);

    /* Tag size not a whole number of entries. */
    block_begin(&b);
    add_tag(&b, MB2_TAG_MMAP, payload, sizeof payload - 8);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_MMAP_PARTIAL_ENTRY);
}

static void test_no_mmap_tag_vs_empty_mmap_tag(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_string_tag(&b, MB2_TAG_CMDLINE, "x");
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_false(info.mmap_tag_present);
    assert_int_equal(info.mmap_count, 0);
    assert_false(mb2_has_memory_map(&info));

    block_begin(&b);
    add_mmap(&b, NULL, 0);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_true(info.mmap_tag_present);
    assert_int_equal(info.mmap_count, 0);
    assert_int_equal(info.mmap_entry_size, 24);
    assert_false(mb2_has_memory_map(&info));
}

static void test_mmap_more_than_max(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    static struct mb2_mmap_entry entries[MB2_MAX_MMAP + 5];
    for (unsigned i = 0; i < MB2_MAX_MMAP + 5; i++) {
        entries[i] = (struct mb2_mmap_entry){(uint64_t)i << 20, 1 << 20, MB2_MMAP_AVAILABLE, 0};
    }
    block_begin(&b);
    add_mmap(&b, entries, MB2_MAX_MMAP + 5);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_OK);
    assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
    assert_int_equal(info.mmap_dropped, 5);
    assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base_addr, (uint64_t)(MB2_MAX_MMAP - 1) << 20);
}

static void test_duplicate_tag(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    block_begin(&b);
    add_mmap(&b, sample_mmap, 3);
    size_t second = b.len;
    add_mmap(&b, sample_mmap, 1);
    block_end(&b);
    assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_DUPLICATE_TAG);
    assert_int_equal(info.error_offset, second);
}

static void test_short_fixed_tags(void **state)
{
    (void)state;
    static struct block b;
    static struct mb2_info info;
    uint32_t four = 0;
    const uint32_t types[] = {MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP, MB2_TAG_EFI64_SYSTEM_TABLE,
                              MB2_TAG_EFI64_IMAGE_HANDLE, MB2_TAG_ACPI_OLD_RSDP};
    for (unsigned k = 0; k < sizeof types / sizeof types[0]; k++) {
        block_begin(&b);
        add_tag(&b, types[k], &four, sizeof four);
        block_end(&b);
        assert_int_equal(mb2_parse(b.bytes, b.len, &info), MB2_ERR_TAG_TOO_SHORT_FOR_TYPE);
    }
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(mb2_strerror(MB2_OK), "success");
    assert_string_equal(mb2_strerror(MB2_ERR_NO_END_TAG), "no end tag (type 0) before total_size");
    for (int s = MB2_ERR_NULL_ARGUMENT; s <= MB2_ERR_MMAP_PARTIAL_ENTRY; s++) {
        const char *msg = mb2_strerror((enum mb2_status)s);
        assert_non_null(msg);
        assert_string_not_equal(msg, "unknown multiboot2 status");
        assert_string_not_equal(msg, "success");
    }
    assert_string_equal(mb2_strerror((enum mb2_status)999), "unknown multiboot2 status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_block),
        cmocka_unit_test(test_minimal_block_has_nothing),
        cmocka_unit_test(test_acpi_old_rsdp),
        cmocka_unit_test(test_missing_end_tag),
        cmocka_unit_test(test_end_tag_wrong_size),
        cmocka_unit_test(test_tags_after_end_ignored),
        cmocka_unit_test(test_tag_size_below_header),
        cmocka_unit_test(test_tag_past_total_size),
        cmocka_unit_test(test_total_size_checks),
        cmocka_unit_test(test_misaligned_block),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_unterminated_strings),
        cmocka_unit_test(test_module_checks),
        cmocka_unit_test(test_too_many_modules),
        cmocka_unit_test(test_mmap_entry_size),
        cmocka_unit_test(test_no_mmap_tag_vs_empty_mmap_tag),
        cmocka_unit_test(test_mmap_more_than_max),
        cmocka_unit_test(test_duplicate_tag),
        cmocka_unit_test(test_short_fixed_tags),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
