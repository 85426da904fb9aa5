/* Unit tests for drivers/acpi.c: RSDP, RSDT/XSDT lookup, SDT validation and MADT decoding.
 * Fixtures are laid out in a byte arena at fake physical addresses; see build_* helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi.h"

/* ---- Fake physical memory -------------------------------------------------------------------- */

#define BASE         0x7fe0000ull
#define ARENA_SIZE   0x10000u
#define RSDT_PHYS    (BASE + 0x0000)
#define XSDT_PHYS    (BASE + 0x1000)
#define MADT_PHYS    (BASE + 0x2000) /* referenced by the RSDT */
#define MADT2_PHYS   (BASE + 0x3000) /* referenced by the XSDT */
#define FACP_PHYS    (BASE + 0x4000)
#define SSDT0_PHYS   (BASE + 0x5000)
#define SSDT1_PHYS   (BASE + 0x6000)
#define SCRATCH_PHYS (BASE + 0x7000)
#define OUTSIDE_PHYS 0x123400000000ull
#define MAX_MAPS     256

struct fx {
    uint8_t *arena;
    /* Each map() hands out a fresh heap copy of exactly len bytes, so ASan catches any read
     * beyond what the parser asked for. */
    void *maps[MAX_MAPS];
    unsigned map_calls;
    unsigned wrap_calls; /* calls whose phys + len overflowed: must stay 0 */
    size_t max_len;
    struct acpi_mem mem;
    uint8_t rsdp_v1[ACPI_RSDP_V1_SIZE];
    uint8_t rsdp_v2[ACPI_RSDP_V2_SIZE];
};

static const void *fx_map(uint64_t phys, size_t len, void *ctx)
{
    struct fx *f = ctx;
    if (len > UINT64_MAX - phys) {
        f->wrap_calls++;
        return NULL;
    }
    if (len > f->max_len)
        f->max_len = len;
    if (phys < BASE || phys + len > BASE + ARENA_SIZE)
        return NULL;
    assert_true(f->map_calls < MAX_MAPS);
    void *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, f->arena + (phys - BASE), len);
    f->maps[f->map_calls++] = copy;
    return copy;
}

static uint8_t *at(struct fx *f, uint64_t phys)
{
    assert_true(phys >= BASE && phys - BASE < ARENA_SIZE);
    return f->arena + (phys - BASE);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* Header with the given length; checksum left at 0 until sdt_fix(). */
static void sdt_header(struct fx *f, uint64_t phys, const char *sig, uint32_t length)
{
    uint8_t *p = at(f, phys);
    memset(p, 0, 36);
    memcpy(p, sig, 4);
    put_le(p + 4, length, 4);
    p[8] = 1;
    memcpy(p + 10, "MICAOE", 6);
    memcpy(p + 16, "MICATEST", 8);
    put_le(p + 24, 1, 4);
    memcpy(p + 28, "MICA", 4);
    put_le(p + 32, 1, 4);
}

/* Checksum over min(length field, rest of arena). */
static void sdt_fix(struct fx *f, uint64_t phys)
{
    uint8_t *p = at(f, phys);
    size_t len = get32(p + 4);
    size_t room = ARENA_SIZE - (size_t)(phys - BASE);
    if (len > room)
        len = room;
    p[9] = 0;
    p[9] = (uint8_t)(0x100 - sum8(p, len));
}

static void build_table(struct fx *f, uint64_t phys, const char *sig, uint32_t length)
{
    sdt_header(f, phys, sig, length);
    sdt_fix(f, phys);
}

static void build_root(struct fx *f, uint64_t phys, const char *sig, unsigned esize,
                       const uint64_t *entries, unsigned n)
{
    sdt_header(f, phys, sig, 36 + esize * n);
    for (unsigned i = 0; i < n; i++)
        put_le(at(f, phys) + 36 + esize * i, entries[i], esize);
    sdt_fix(f, phys);
}

static void build_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt, uint32_t length)
{
    memset(p, 0, rev >= 2 ? length : ACPI_RSDP_V1_SIZE);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "MICAOE", 6);
    p[15] = rev;
    put_le(p + 16, rsdt, 4);
    p[8] = (uint8_t)(0x100 - sum8(p, 20));
    if (rev >= 2) {
        put_le(p + 20, length, 4);
        put_le(p + 24, xsdt, 8);
        p[32] = (uint8_t)(0x100 - sum8(p, length));
    }
}

/* MADT builder */
struct madt_b {
    struct fx *f;
    uint64_t phys;
    size_t len;
};

static void madt_begin(struct madt_b *b, struct fx *f, uint64_t phys, uint32_t lapic, uint32_t fl)
{
    b->f = f;
    b->phys = phys;
    b->len = 44;
    sdt_header(f, phys, "APIC", 44);
    put_le(at(f, phys) + 36, lapic, 4);
    put_le(at(f, phys) + 40, fl, 4);
}

static uint8_t *madt_add(struct madt_b *b, uint8_t type, uint8_t len)
{
    uint8_t *e = at(b->f, b->phys) + b->len;
    memset(e, 0, len < 2 ? 2 : len);
    e[0] = type;
    e[1] = len;
    b->len += len < 2 ? 2 : len;
    return e;
}

static void madt_lapic(struct madt_b *b, uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t *e = madt_add(b, 0, 8);
    e[2] = uid;
    e[3] = id;
    put_le(e + 4, flags, 4);
}

static void madt_ioapic(struct madt_b *b, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t *e = madt_add(b, 1, 12);
    e[2] = id;
    put_le(e + 4, addr, 4);
    put_le(e + 8, gsi_base, 4);
}

static void madt_iso(struct madt_b *b, uint8_t bus, uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = madt_add(b, 2, 10);
    e[2] = bus;
    e[3] = src;
    put_le(e + 4, gsi, 4);
    put_le(e + 8, flags, 2);
}

static void madt_x2apic(struct madt_b *b, uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t *e = madt_add(b, 9, 16);
    put_le(e + 4, id, 4);
    put_le(e + 8, flags, 4);
    put_le(e + 12, uid, 4);
}

/* Sets the length field to the bytes added (+ extra) and fixes the checksum. */
static void madt_end(struct madt_b *b, int extra)
{
    put_le(at(b->f, b->phys) + 4, (uint64_t)((int64_t)b->len + extra), 4);
    sdt_fix(b->f, b->phys);
}

/* Standard fixture: RSDT {FACP, MADT, SSDT0, SSDT1}, XSDT {FACP, MADT2, SSDT0, SSDT1}. */
static void build_standard(struct fx *f)
{
    struct madt_b b;
    madt_begin(&b, f, MADT_PHYS, 0xfee00000u, ACPI_MADT_PCAT_COMPAT);
    madt_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
    madt_lapic(&b, 1, 1, ACPI_MADT_CPU_ENABLED);
    madt_end(&b, 0);
    madt_begin(&b, f, MADT2_PHYS, 0xfee10000u, 0);
    madt_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
    madt_end(&b, 0);
    build_table(f, FACP_PHYS, "FACP", 276);
    build_table(f, SSDT0_PHYS, "SSDT", 40);
    build_table(f, SSDT1_PHYS, "SSDT", 50);
    uint64_t r[] = {FACP_PHYS, MADT_PHYS, SSDT0_PHYS, SSDT1_PHYS};
    build_root(f, RSDT_PHYS, "RSDT", 4, r, 4);
    uint64_t x[] = {FACP_PHYS, MADT2_PHYS, SSDT0_PHYS, SSDT1_PHYS};
    build_root(f, XSDT_PHYS, "XSDT", 8, x, 4);
    build_rsdp(f->rsdp_v1, 0, (uint32_t)RSDT_PHYS, 0, 20);
    build_rsdp(f->rsdp_v2, 2, (uint32_t)RSDT_PHYS, XSDT_PHYS, 36);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->arena = calloc(1, ARENA_SIZE);
    assert_non_null(f->arena);
    f->mem.map = fx_map;
    f->mem.ctx = f;
    build_standard(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (unsigned i = 0; i < f->map_calls; i++)
        free(f->maps[i]);
    free(f->arena);
    free(f);
    return 0;
}

static struct acpi_rsdp_info rsdp_of(const uint8_t *bytes, size_t len)
{
    struct acpi_rsdp_info info;
    assert_int_equal(acpi_rsdp_parse(bytes, len, &info), ACPI_OK);
    return info;
}

/* ---- RSDP ------------------------------------------------------------------------------------ */

static void test_rsdp_v1_ok(void **state)
{
    struct fx *f = *state;
    uint8_t *buf = malloc(20); /* exact size: ASan catches reads past byte 19 */
    assert_non_null(buf);
    memcpy(buf, f->rsdp_v1, 20);
    struct acpi_rsdp_info info;
    memset(&info, 0xaa, sizeof(info));
    assert_int_equal(acpi_rsdp_parse(buf, 20, &info), ACPI_OK);
    assert_string_equal(info.oem_id, "MICAOE");
    assert_int_equal(info.revision, 0);
    assert_int_equal(info.length, 20);
    assert_int_equal(info.rsdt_address, RSDT_PHYS);
    assert_int_equal(info.xsdt_address, 0);
    free(buf);
}

static void test_rsdp_v2_ok(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info info = rsdp_of(f->rsdp_v2, sizeof(f->rsdp_v2));
    assert_string_equal(info.oem_id, "MICAOE");
    assert_int_equal(info.revision, 2);
    assert_int_equal(info.length, 36);
    assert_int_equal(info.rsdt_address, RSDT_PHYS);
    assert_int_equal(info.xsdt_address, XSDT_PHYS);

    /* A longer RSDP (length 40) is accepted when the buffer holds it. */
    uint8_t big[40];
    build_rsdp(big, 3, 0x1000, 0x123456789aull, 40);
    big[39] = 0x5a; /* inside the extended checksum's range */
    big[32] = (uint8_t)(big[32] - 0x5a);
    info = rsdp_of(big, sizeof(big));
    assert_int_equal(info.revision, 3);
    assert_int_equal(info.length, 40);
    assert_int_equal(info.xsdt_address, 0x123456789aull);
}

static void test_rsdp_bad_signature(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info info;
    f->rsdp_v1[3] = 'X'; /* "RSDXPTR ", v1 checksum re-fixed so only the signature is wrong */
    f->rsdp_v1[8] = 0;
    f->rsdp_v1[8] = (uint8_t)(0x100 - sum8(f->rsdp_v1, 20));
    assert_int_equal(acpi_rsdp_parse(f->rsdp_v1, 20, &info), ACPI_ERR_SIGNATURE);
}

static void test_rsdp_bad_checksum(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info info;
    f->rsdp_v1[10] ^= 0x01;
    assert_int_equal(acpi_rsdp_parse(f->rsdp_v1, 20, &info), ACPI_ERR_CHECKSUM);
    assert_int_equal(info.rsdt_address, 0); /* zeroed on error */
    assert_int_equal(info.oem_id[0], 0);
}

static void test_rsdp_bad_ext_checksum(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info info;
    f->rsdp_v2[24] ^= 0x10; /* XSDT address: outside the 20-byte v1 checksum */
    assert_int_equal(sum8(f->rsdp_v2, 20), 0);
    assert_int_equal(acpi_rsdp_parse(f->rsdp_v2, 36, &info), ACPI_ERR_CHECKSUM);
    assert_int_equal(info.xsdt_address, 0);
}

static void test_rsdp_bad_length(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info info;
    uint8_t buf[40];

    assert_int_equal(acpi_rsdp_parse(f->rsdp_v1, 19, &info), ACPI_ERR_LENGTH);
    /* v2 RSDP in a 20-byte buffer (e.g. copied from the old tag) */
    assert_int_equal(acpi_rsdp_parse(f->rsdp_v2, 20, &info), ACPI_ERR_LENGTH);
    /* length field below 36, checksums valid */
    build_rsdp(buf, 2, 0x1000, 0x2000, 35);
    assert_int_equal(acpi_rsdp_parse(buf, sizeof(buf), &info), ACPI_ERR_LENGTH);
    /* length field larger than the buffer */
    build_rsdp(buf, 2, 0x1000, 0x2000, 40);
    assert_int_equal(acpi_rsdp_parse(buf, 36, &info), ACPI_ERR_LENGTH);
    assert_int_equal(acpi_rsdp_parse(buf, 40, &info), ACPI_OK);
    assert_int_equal(acpi_rsdp_parse(NULL, 36, &info), ACPI_ERR_INVALID_ARG);
    assert_int_equal(acpi_rsdp_parse(buf, 36, NULL), ACPI_ERR_INVALID_ARG);
}

/* ---- Root tables and lookup ------------------------------------------------------------------ */

static void test_find_rsdt_path(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v1, 20);
    struct acpi_root_info root;
    uint64_t phys = 1;

    assert_int_equal(acpi_root_get(&f->mem, &rsdp, &root), ACPI_OK);
    assert_false(root.is_xsdt);
    assert_int_equal(root.phys, RSDT_PHYS);
    assert_int_equal(root.entry_size, 4);
    assert_int_equal(root.entry_count, 4);
    assert_int_equal(root.xsdt_status, ACPI_ERR_NOT_FOUND);
    assert_int_equal(acpi_root_entry(&root, 2, &phys), ACPI_OK);
    assert_int_equal(phys, SSDT0_PHYS);
    assert_int_equal(acpi_root_entry(&root, 4, &phys), ACPI_ERR_NOT_FOUND);

    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_OK);
    assert_int_equal(phys, MADT_PHYS);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "FACP", 0, &phys), ACPI_OK);
    assert_int_equal(phys, FACP_PHYS);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 0, &phys), ACPI_OK);
    assert_int_equal(phys, SSDT0_PHYS);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 1, &phys), ACPI_OK);
    assert_int_equal(phys, SSDT1_PHYS);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 2, &phys), ACPI_ERR_NOT_FOUND);
    assert_int_equal(phys, 0);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "HPET", 0, &phys), ACPI_ERR_NOT_FOUND);
    assert_int_equal(acpi_find_table(NULL, &rsdp, "APIC", 0, &phys), ACPI_ERR_INVALID_ARG);
    assert_int_equal(f->wrap_calls, 0);
}

static void test_find_xsdt_path(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v2, 36);
    struct acpi_root_info root;
    uint64_t phys = 0;

    assert_int_equal(acpi_root_get(&f->mem, &rsdp, &root), ACPI_OK);
    assert_true(root.is_xsdt);
    assert_int_equal(root.phys, XSDT_PHYS);
    assert_int_equal(root.entry_size, 8);
    assert_int_equal(root.entry_count, 4);
    assert_int_equal(root.xsdt_status, ACPI_OK);

    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_OK);
    assert_int_equal(phys, MADT2_PHYS); /* only the XSDT points here */
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 1, &phys), ACPI_OK);
    assert_int_equal(phys, SSDT1_PHYS);
}

/* Chosen behaviour: an invalid XSDT falls back to the RSDT; xsdt_status records why. */
static void test_xsdt_bad_checksum_falls_back(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v2, 36);
    struct acpi_root_info root;
    uint64_t phys = 0;

    at(f, XSDT_PHYS)[12] ^= 0x01;
    assert_int_equal(acpi_root_get(&f->mem, &rsdp, &root), ACPI_OK);
    assert_false(root.is_xsdt);
    assert_int_equal(root.phys, RSDT_PHYS);
    assert_int_equal(root.xsdt_status, ACPI_ERR_CHECKSUM);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_OK);
    assert_int_equal(phys, MADT_PHYS);

    /* No RSDT to fall back to: the XSDT's error is reported. */
    rsdp.rsdt_address = 0;
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_CHECKSUM);
    assert_int_equal(acpi_root_get(&f->mem, &rsdp, &root), ACPI_ERR_CHECKSUM);

    /* Neither root present */
    rsdp.xsdt_address = 0;
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_NOT_FOUND);
}

static void test_root_bad_signature(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v1, 20);
    uint64_t phys;
    rsdp.rsdt_address = (uint32_t)XSDT_PHYS; /* points at an "XSDT" */
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_SIGNATURE);
}

static void test_pointer_outside_arena(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v2, 36);
    uint64_t phys = 0;

    /* Root table outside the arena */
    struct acpi_rsdp_info bad = rsdp;
    bad.xsdt_address = 0;
    bad.rsdt_address = 0x40000000u;
    assert_int_equal(acpi_find_table(&f->mem, &bad, "APIC", 0, &phys), ACPI_ERR_UNMAPPED);

    /* Header straddling the arena end */
    assert_int_equal(acpi_table_validate(&f->mem, BASE + ARENA_SIZE - 10, NULL, NULL),
                     ACPI_ERR_UNMAPPED);

    /* An unreadable entry is skipped when the wanted table is elsewhere... */
    uint64_t x1[] = {OUTSIDE_PHYS, 0, MADT2_PHYS};
    build_root(f, XSDT_PHYS, "XSDT", 8, x1, 3);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_OK);
    assert_int_equal(phys, MADT2_PHYS);

    /* ...and reported when it is not found. */
    uint64_t x2[] = {OUTSIDE_PHYS, FACP_PHYS};
    build_root(f, XSDT_PHYS, "XSDT", 8, x2, 2);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_UNMAPPED);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "FACP", 0, &phys), ACPI_OK);
    assert_int_equal(phys, FACP_PHYS);

    /* Null entries are skipped, not treated as unreadable. */
    uint64_t x0[] = {0, FACP_PHYS};
    build_root(f, XSDT_PHYS, "XSDT", 8, x0, 2);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_NOT_FOUND);

    /* phys + len would wrap: rejected before map() is ever asked. */
    uint64_t x3[] = {UINT64_MAX - 15};
    build_root(f, XSDT_PHYS, "XSDT", 8, x3, 1);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_UNMAPPED);
    assert_int_equal(acpi_table_validate(&f->mem, UINT64_MAX - 15, "APIC", NULL),
                     ACPI_ERR_UNMAPPED);
    assert_int_equal(f->wrap_calls, 0);
}

static void test_length_below_header(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v1, 20);
    const struct acpi_sdt_header *hdr = (const void *)1;
    uint64_t phys;
    struct acpi_madt_info madt;

    put_le(at(f, MADT_PHYS) + 4, 20, 4);
    sdt_fix(f, MADT_PHYS);
    assert_int_equal(acpi_table_validate(&f->mem, MADT_PHYS, "APIC", &hdr), ACPI_ERR_LENGTH);
    assert_null(hdr);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_LENGTH);
    assert_int_equal(acpi_madt_parse(&f->mem, MADT_PHYS, &madt), ACPI_ERR_LENGTH);

    /* Same for the root table */
    put_le(at(f, RSDT_PHYS) + 4, 35, 4);
    sdt_fix(f, RSDT_PHYS);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "FACP", 0, &phys), ACPI_ERR_LENGTH);
}

static void test_length_huge(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v1, 20);
    uint64_t phys;

    put_le(at(f, MADT_PHYS) + 4, 0xffffffffu, 4);
    assert_int_equal(acpi_table_validate(&f->mem, MADT_PHYS, "APIC", NULL), ACPI_ERR_LENGTH);
    assert_int_equal(f->max_len, 36); /* never asked to map the claimed length */
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "APIC", 0, &phys), ACPI_ERR_LENGTH);

    /* Within the sanity cap but running past the arena: the mapper refuses. */
    put_le(at(f, MADT_PHYS) + 4, 0x20000u, 4);
    assert_int_equal(acpi_table_validate(&f->mem, MADT_PHYS, "APIC", NULL), ACPI_ERR_UNMAPPED);
    assert_int_equal(f->max_len, 0x20000);

    /* Huge root table length */
    put_le(at(f, RSDT_PHYS) + 4, 0xffffffffu, 4);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "FACP", 0, &phys), ACPI_ERR_LENGTH);
}

static void test_table_validate(void **state)
{
    struct fx *f = *state;
    struct acpi_rsdp_info rsdp = rsdp_of(f->rsdp_v1, 20);
    const struct acpi_sdt_header *hdr = NULL;
    uint64_t phys;

    assert_int_equal(acpi_table_validate(&f->mem, SSDT1_PHYS, "SSDT", &hdr), ACPI_OK);
    assert_non_null(hdr);
    assert_memory_equal(hdr->signature, "SSDT", 4);
    assert_int_equal(hdr->length, 50);
    assert_memory_equal(hdr->oem_table_id, "MICATEST", 8);
    assert_int_equal(acpi_table_validate(&f->mem, SSDT1_PHYS, NULL, NULL), ACPI_OK);
    assert_int_equal(acpi_table_validate(&f->mem, SSDT1_PHYS, "FACP", NULL), ACPI_ERR_SIGNATURE);
    assert_int_equal(acpi_table_validate(NULL, SSDT1_PHYS, "SSDT", NULL), ACPI_ERR_INVALID_ARG);

    at(f, SSDT1_PHYS)[45] ^= 0x80; /* body byte: only the checksum breaks */
    assert_int_equal(acpi_table_validate(&f->mem, SSDT1_PHYS, "SSDT", &hdr), ACPI_ERR_CHECKSUM);
    assert_null(hdr);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 1, &phys), ACPI_ERR_CHECKSUM);
    assert_int_equal(acpi_find_table(&f->mem, &rsdp, "SSDT", 0, &phys), ACPI_OK);
    assert_int_equal(phys, SSDT0_PHYS);
}

/* ---- MADT ------------------------------------------------------------------------------------ */

static void test_madt_full(void **state)
{
    struct fx *f = *state;
    struct acpi_madt_info m;
    struct madt_b b;

    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, ACPI_MADT_PCAT_COMPAT);
    madt_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
    madt_lapic(&b, 1, 3, ACPI_MADT_CPU_ONLINE_CAPABLE); /* disabled, hot-pluggable */
    madt_ioapic(&b, 2, 0xfec00000u, 0);
    madt_iso(&b, 0, 0, 2, 0);
    madt_iso(&b, 0, 9, 9, ACPI_MADT_POLARITY_HIGH | ACPI_MADT_TRIGGER_LEVEL);
    uint8_t *nmi = madt_add(&b, 4, 6);
    nmi[2] = 0xff;
    put_le(nmi + 3, 5, 2);
    nmi[5] = 1;
    madt_x2apic(&b, 0x100, ACPI_MADT_CPU_ENABLED, 7);
    uint8_t *unk = madt_add(&b, 0x7f, 7); /* unknown type, odd length */
    memset(unk + 2, 0xee, 5);
    uint8_t *ovr = madt_add(&b, 5, 12);
    put_le(ovr + 4, 0x1fee00000ull, 8);
    madt_end(&b, 0);

    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_OK);
    assert_int_equal(m.lapic_address, 0xfee00000u);
    assert_int_equal(m.flags, 1);
    assert_true(m.pcat_compat);
    assert_int_equal(m.lapic_address_override, 0x1fee00000ull);
    assert_int_equal(m.lapic_phys, 0x1fee00000ull);

    assert_int_equal(m.cpu_count, 3);
    assert_int_equal(m.cpu_total, 3);
    assert_int_equal(m.cpus[0].apic_id, 0);
    assert_int_equal(m.cpus[0].uid, 0);
    assert_true(m.cpus[0].enabled);
    assert_false(m.cpus[0].online_capable);
    assert_false(m.cpus[0].x2apic);
    assert_int_equal(m.cpus[1].apic_id, 3);
    assert_int_equal(m.cpus[1].uid, 1);
    assert_false(m.cpus[1].enabled);
    assert_true(m.cpus[1].online_capable);
    assert_int_equal(m.cpus[2].apic_id, 0x100);
    assert_int_equal(m.cpus[2].uid, 7);
    assert_true(m.cpus[2].enabled);
    assert_true(m.cpus[2].x2apic);

    assert_int_equal(m.ioapic_count, 1);
    assert_int_equal(m.ioapics[0].id, 2);
    assert_int_equal(m.ioapics[0].address, 0xfec00000u);
    assert_int_equal(m.ioapics[0].gsi_base, 0);

    assert_int_equal(m.iso_count, 2);
    assert_int_equal(m.isos[0].bus, 0);
    assert_int_equal(m.isos[0].source, 0);
    assert_int_equal(m.isos[0].gsi, 2);
    assert_int_equal(m.isos[0].flags, 0);
    assert_int_equal(m.isos[1].source, 9);
    assert_int_equal(m.isos[1].gsi, 9);
    assert_int_equal(m.isos[1].flags, 0xd);

    assert_int_equal(m.nmi_count, 1);
    assert_int_equal(m.skipped_entries, 1);
    assert_false(m.truncated);
}

static void test_madt_no_override(void **state)
{
    struct fx *f = *state;
    struct acpi_madt_info m;
    assert_int_equal(acpi_madt_parse(&f->mem, MADT2_PHYS, &m), ACPI_OK);
    assert_int_equal(m.lapic_address, 0xfee10000u);
    assert_int_equal(m.lapic_address_override, 0);
    assert_int_equal(m.lapic_phys, 0xfee10000u);
    assert_false(m.pcat_compat);
    assert_int_equal(m.cpu_count, 1);
    /* Not a MADT */
    assert_int_equal(acpi_madt_parse(&f->mem, FACP_PHYS, &m), ACPI_ERR_SIGNATURE);
}

/* Builds a MADT at SCRATCH with one valid lapic, then a bad entry of the given type/length. */
static enum acpi_status madt_with_bad_entry(struct fx *f, uint8_t type, uint8_t len, int extra)
{
    struct acpi_madt_info m;
    struct madt_b b;
    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, 0);
    madt_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
    madt_add(&b, type, len);
    madt_end(&b, extra);
    return acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m);
}

static void test_madt_bad_entries(void **state)
{
    struct fx *f = *state;
    struct acpi_madt_info m;
    struct madt_b b;

    /* length 0 and 1: would loop forever if trusted */
    assert_int_equal(madt_with_bad_entry(f, 0x7f, 0, 0), ACPI_ERR_LENGTH);
    assert_int_equal(madt_with_bad_entry(f, 0x7f, 1, 0), ACPI_ERR_LENGTH);
    /* entry claims 12 bytes but the table ends 4 bytes early */
    assert_int_equal(madt_with_bad_entry(f, 1, 12, -4), ACPI_ERR_LENGTH);
    /* unknown type running past the end */
    assert_int_equal(madt_with_bad_entry(f, 0x7f, 200, -190), ACPI_ERR_LENGTH);
    /* lapic entry shorter than its layout */
    assert_int_equal(madt_with_bad_entry(f, 0, 6, 0), ACPI_ERR_LENGTH);
    /* x2APIC entry shorter than its layout */
    assert_int_equal(madt_with_bad_entry(f, 9, 12, 0), ACPI_ERR_LENGTH);
    /* control: the same builder with a well-formed unknown entry parses */
    assert_int_equal(madt_with_bad_entry(f, 0x7f, 4, 0), ACPI_OK);

    /* a single trailing byte after the last entry */
    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, 0);
    madt_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
    madt_end(&b, 1);
    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_ERR_LENGTH);

    /* table too short for the MADT fixed fields (40 < 44) */
    build_table(f, SCRATCH_PHYS, "APIC", 40);
    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_ERR_LENGTH);

    /* empty entry list is fine */
    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, 0);
    madt_end(&b, 0);
    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_OK);
    assert_int_equal(m.cpu_count, 0);
}

static void test_madt_too_many_cpus(void **state)
{
    struct fx *f = *state;
    struct acpi_madt_info m;
    struct madt_b b;
    const unsigned n = ACPI_MAX_CPUS + 6;

    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, 0);
    for (unsigned i = 0; i < n; i++)
        madt_lapic(&b, (uint8_t)i, (uint8_t)i, ACPI_MADT_CPU_ENABLED);
    madt_ioapic(&b, 1, 0xfec00000u, 0); /* after the overflow: still decoded */
    madt_end(&b, 0);

    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_ERR_TOO_MANY);
    assert_true(m.truncated);
    assert_int_equal(m.cpu_count, ACPI_MAX_CPUS);
    assert_int_equal(m.cpu_total, n);
    assert_int_equal(m.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
    assert_int_equal(m.cpus[ACPI_MAX_CPUS - 1].uid, ACPI_MAX_CPUS - 1);
    assert_int_equal(m.ioapic_count, 1);
    assert_int_equal(m.ioapics[0].address, 0xfec00000u);
    assert_int_equal(m.lapic_phys, 0xfee00000u);
}

static void test_madt_too_many_ioapics(void **state)
{
    struct fx *f = *state;
    struct acpi_madt_info m;
    struct madt_b b;

    madt_begin(&b, f, SCRATCH_PHYS, 0xfee00000u, 0);
    for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
        madt_ioapic(&b, (uint8_t)i, 0xfec00000u + 0x1000u * i, 24 * i);
    madt_end(&b, 0);

    assert_int_equal(acpi_madt_parse(&f->mem, SCRATCH_PHYS, &m), ACPI_ERR_TOO_MANY);
    assert_int_equal(m.ioapic_count, ACPI_MAX_IOAPICS);
    assert_int_equal(m.ioapic_total, ACPI_MAX_IOAPICS + 1);
    assert_int_equal(m.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base, 24 * (ACPI_MAX_IOAPICS - 1));
    assert_int_equal(m.cpu_count, 0);
}

static void test_status_str(void **state)
{
    (void)state;
    assert_string_equal(acpi_status_str(ACPI_OK), "ok");
    assert_string_equal(acpi_status_str(ACPI_ERR_CHECKSUM), "bad checksum");
    assert_string_equal(acpi_status_str(ACPI_ERR_LENGTH), "bad length");
    assert_string_equal(acpi_status_str((enum acpi_status)99), "unknown status");
    for (int i = 0; i < ACPI_STATUS_COUNT; i++) {
        const char *s = acpi_status_str((enum acpi_status)i);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown status");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(s, acpi_status_str((enum acpi_status)j));
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- HPET table and the legacy PC decision --------------------------------------------------- */

static void build_hpet(struct fx *f, uint32_t length, uint8_t space, uint64_t address)
{
    uint8_t *p = at(f, SCRATCH_PHYS);
    memset(p, 0, 64);
    sdt_header(f, SCRATCH_PHYS, "HPET", length);
    put_le(p + 36, 0x8086a201u, 4); /* event timer block ID */
    p[40] = space;
    p[41] = 64;
    put_le(p + 44, address, 8);
    p[52] = 0;                 /* HPET number */
    put_le(p + 53, 0x37ee, 2); /* minimum clock tick */
    p[55] = 0;
    sdt_fix(f, SCRATCH_PHYS);
}

static void test_hpet_valid(void **state)
{
    struct fx *f = *state;
    build_hpet(f, ACPI_HPET_LEN, ACPI_GAS_SPACE_SYSTEM_MEMORY, 0xfed00000u);
    struct acpi_hpet_info h;
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_OK);
    assert_int_equal(h.address, 0xfed00000u);
    assert_int_equal(h.event_timer_block_id, 0x8086a201u);
    assert_int_equal(h.min_clock_tick, 0x37ee);
    assert_int_equal(h.hpet_number, 0);
}

static void test_hpet_bad(void **state)
{
    struct fx *f = *state;
    struct acpi_hpet_info h;
    build_hpet(f, ACPI_HPET_LEN - 1, ACPI_GAS_SPACE_SYSTEM_MEMORY, 0xfed00000u); /* truncated */
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_LENGTH);
    assert_int_equal(h.address, 0);
    build_hpet(f, ACPI_HPET_LEN, ACPI_GAS_SPACE_SYSTEM_IO, 0xfed00000u);
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_UNSUPPORTED);
    build_hpet(f, ACPI_HPET_LEN, ACPI_GAS_SPACE_SYSTEM_MEMORY, 0);
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_UNSUPPORTED);
    build_hpet(f, ACPI_HPET_LEN, ACPI_GAS_SPACE_SYSTEM_MEMORY, 0xfed00010u); /* unaligned */
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_UNSUPPORTED);
    build_hpet(f, ACPI_HPET_LEN, ACPI_GAS_SPACE_SYSTEM_MEMORY, 0xfed00000u);
    at(f, SCRATCH_PHYS)[44] ^= 1; /* bad checksum */
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_CHECKSUM);
    build_table(f, SCRATCH_PHYS, "HPEX", ACPI_HPET_LEN);
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, &h), ACPI_ERR_SIGNATURE);
    assert_int_equal(acpi_hpet_parse(&f->mem, OUTSIDE_PHYS, &h), ACPI_ERR_UNMAPPED);
    assert_int_equal(acpi_hpet_parse(&f->mem, SCRATCH_PHYS, NULL), ACPI_ERR_INVALID_ARG);
}

static void test_legacy_pc(void **state)
{
    (void)state;
    struct acpi_madt_info madt;
    struct acpi_fadt_info fadt;
    struct acpi_legacy_pc l;
    memset(&madt, 0, sizeof(madt));
    memset(&fadt, 0, sizeof(fadt));

    acpi_legacy_pc_decide(NULL, NULL, &l); /* no ACPI: a PC */
    assert_true(l.pic8259 && l.pit8254);
    madt.pcat_compat = true;
    acpi_legacy_pc_decide(&madt, &fadt, &l);
    assert_true(l.pic8259 && l.pit8254);
    assert_non_null(strstr(l.why, "PCAT_COMPAT"));
    fadt.hw_reduced = true; /* wins over PCAT_COMPAT */
    acpi_legacy_pc_decide(&madt, &fadt, &l);
    assert_false(l.pic8259 || l.pit8254);
    assert_non_null(strstr(l.why, "HW-reduced"));
    fadt.hw_reduced = false;
    madt.pcat_compat = false;
    acpi_legacy_pc_decide(&madt, &fadt, &l);
    assert_false(l.pic8259 || l.pit8254);
    fadt.iapc_boot_arch_valid = true;
    fadt.legacy_devices = true;
    acpi_legacy_pc_decide(&madt, &fadt, &l);
    assert_false(l.pic8259);
    assert_true(l.pit8254);
    acpi_legacy_pc_decide(&madt, NULL, &l);
    assert_false(l.pic8259 || l.pit8254);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rsdp_v1_ok),
        T(test_rsdp_v2_ok),
        T(test_rsdp_bad_signature),
        T(test_rsdp_bad_checksum),
        T(test_rsdp_bad_ext_checksum),
        T(test_rsdp_bad_length),
        T(test_find_rsdt_path),
        T(test_find_xsdt_path),
        T(test_xsdt_bad_checksum_falls_back),
        T(test_root_bad_signature),
        T(test_pointer_outside_arena),
        T(test_length_below_header),
        T(test_length_huge),
        T(test_table_validate),
        T(test_madt_full),
        T(test_madt_no_override),
        T(test_madt_bad_entries),
        T(test_madt_too_many_cpus),
        T(test_madt_too_many_ioapics),
        T(test_status_str),
        T(test_hpet_valid),
        T(test_hpet_bad),
        T(test_legacy_pc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
