/* libFuzzer target for drivers/acpi.c: RSDP parsing on the input bytes, then the root table walk
 * and the MADT, FADT, \_S5 and SPCR parsers with the input as fake physical memory. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/acpi.h"
#include "tests/fuzz/fuzz_common.h"

/*
 * Input: byte 0 selects where the rest (the "memory") lies in physical memory: bits 1:0 = 0,
 * 0xe0000, 4 GiB, or the very top of the address space; with bit 2 set the checksums of the RSDP
 * and of the tables it leads to (or of the table at the start) are fixed up first, so that
 * mutated tables get past validation. The RSDP is looked for at the memory's start, the tables it
 * leads to anywhere in it. The same memory is also parsed directly as a MADT, FADT, SPCR and DSDT
 * (at its start), and searched for \_S5 as raw AML.
 *
 * map() hands out a fresh heap copy of exactly the bytes asked for, so ASan reports any read past
 * what the parser mapped, not only past the memory. Expected results are derived here from the
 * byte layouts of the ACPI 6.5 specification (offsets written out, not taken from acpi.h).
 */

#define SDT_HEADER   36u
#define MAX_MAPPINGS 8192u

struct memory {
    const uint8_t *bytes;
    size_t len;
    uint64_t base;
    void *copies[MAX_MAPPINGS];
    unsigned ncopies;
};

/* Offset of [phys, phys + len) in the memory, if it lies inside and does not wrap. */
static bool locate(const struct memory *m, uint64_t phys, uint64_t len, size_t *off)
{
    if (len == 0 || len > UINT64_MAX - phys || phys < m->base)
        return false;
    uint64_t o = phys - m->base;
    if (o > m->len || len > m->len - o)
        return false;
    *off = (size_t)o;
    return true;
}

static const void *map(uint64_t phys, size_t len, void *ctx)
{
    struct memory *m = ctx;
    FUZZ_CHECK(len > 0 && (uint64_t)len <= UINT64_MAX - phys,
               "map(0x%llx, %zu): empty or wrapping range", (unsigned long long)phys, len);
    size_t off;
    if (!locate(m, phys, len, &off))
        return NULL;
    if (m->ncopies == MAX_MAPPINGS)
        return m->bytes + off;
    void *copy = malloc(len);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, m->bytes + off, len);
    m->copies[m->ncopies++] = copy;
    return copy;
}

static const uint8_t *at(const struct memory *m, uint64_t phys, uint64_t len)
{
    size_t off;
    return locate(m, phys, len, &off) ? m->bytes + off : NULL;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void check_status(enum acpi_status st)
{
    FUZZ_CHECK(st < ACPI_STATUS_COUNT, "status %d", st);
    const char *s = acpi_status_str(st);
    FUZZ_CHECK(s && strcmp(s, "unknown status") != 0, "status %d has no message", st);
}

/* What acpi_table_validate() must say about the table at phys. */
static enum acpi_status expect_valid(const struct memory *m, uint64_t phys, const char *sig)
{
    const uint8_t *h = at(m, phys, SDT_HEADER);
    if (!h)
        return ACPI_ERR_UNMAPPED;
    if (sig && memcmp(h, sig, 4) != 0)
        return ACPI_ERR_SIGNATURE;
    uint32_t length = fuzz_le32(h + 4);
    if (length < SDT_HEADER || length > ACPI_MAX_TABLE_LEN)
        return ACPI_ERR_LENGTH;
    const uint8_t *t = at(m, phys, length);
    if (!t)
        return ACPI_ERR_UNMAPPED;
    return sum(t, length) ? ACPI_ERR_CHECKSUM : ACPI_OK;
}

static void check_validate(const struct acpi_mem *mem, const struct memory *m, uint64_t phys,
                           const char *sig)
{
    const struct acpi_sdt_header *hdr = (const void *)1;
    enum acpi_status st = acpi_table_validate(mem, phys, sig, &hdr);
    check_status(st);
    enum acpi_status want = expect_valid(m, phys, sig);
    FUZZ_CHECK(st == want, "validate 0x%llx: %d, expected %d", (unsigned long long)phys, st, want);
    if (st != ACPI_OK) {
        FUZZ_CHECK(hdr == NULL, "header pointer left set on error");
        return;
    }
    uint32_t length = fuzz_le32(at(m, phys, SDT_HEADER) + 4);
    FUZZ_CHECK(hdr && memcmp(hdr, at(m, phys, length), length) == 0, "header points elsewhere");
}

/* ---- RSDP ------------------------------------------------------------------------------------ */

static void check_rsdp(const uint8_t *b, size_t len, enum acpi_status st,
                       const struct acpi_rsdp_info *r)
{
    check_status(st);
    if (st != ACPI_OK) {
        static const struct acpi_rsdp_info zero;
        FUZZ_CHECK(memcmp(r, &zero, sizeof(zero)) == 0, "RSDP info not zeroed on error %d", st);
        return;
    }
    FUZZ_CHECK(len >= 20 && memcmp(b, "RSD PTR ", 8) == 0 && sum(b, 20) == 0,
               "RSDP accepted with a bad signature or checksum");
    FUZZ_CHECK(r->revision == b[15] && r->rsdt_address == fuzz_le32(b + 16), "RSDP fields");
    FUZZ_CHECK(memcmp(r->oem_id, b + 9, 6) == 0 && r->oem_id[6] == '\0', "RSDP OEM id");
    if (b[15] < 2) {
        FUZZ_CHECK(r->length == 20 && r->xsdt_address == 0, "ACPI 1.0 RSDP length/XSDT");
        return;
    }
    uint32_t length = fuzz_le32(b + 20);
    FUZZ_CHECK(len >= 36 && length >= 36 && length <= len && sum(b, length) == 0,
               "RSDP 2.0 accepted with length %u of %zu or a bad extended checksum", length, len);
    FUZZ_CHECK(r->length == length && r->xsdt_address == fuzz_le64(b + 24), "RSDP 2.0 fields");
}

/* ---- root table and table search ------------------------------------------------------------- */

static void check_root(const struct acpi_mem *mem, const struct memory *m,
                       const struct acpi_rsdp_info *rsdp)
{
    struct acpi_root_info root;
    enum acpi_status st = acpi_root_get(mem, rsdp, &root);
    check_status(st);
    enum acpi_status xsdt =
        rsdp->xsdt_address ? expect_valid(m, rsdp->xsdt_address, "XSDT") : ACPI_ERR_NOT_FOUND;
    enum acpi_status want = xsdt;
    if (xsdt != ACPI_OK && (rsdp->rsdt_address || !rsdp->xsdt_address))
        want =
            rsdp->rsdt_address ? expect_valid(m, rsdp->rsdt_address, "RSDT") : ACPI_ERR_NOT_FOUND;
    FUZZ_CHECK(st == want, "root table: %d, expected %d (XSDT %d)", st, want, xsdt);
    FUZZ_CHECK(root.xsdt_status == xsdt, "xsdt_status %d, expected %d", root.xsdt_status, xsdt);
    if (st != ACPI_OK)
        return;
    FUZZ_CHECK(root.is_xsdt == (xsdt == ACPI_OK), "is_xsdt %d", root.is_xsdt);
    uint64_t phys = root.is_xsdt ? rsdp->xsdt_address : rsdp->rsdt_address;
    unsigned esize = root.is_xsdt ? 8 : 4;
    const uint8_t *t = at(m, phys, SDT_HEADER);
    uint32_t length = fuzz_le32(t + 4);
    FUZZ_CHECK(root.phys == phys && root.entry_size == esize &&
                   root.entry_count == (length - SDT_HEADER) / esize,
               "root at 0x%llx: %u entries of %u", (unsigned long long)root.phys, root.entry_count,
               root.entry_size);
    const uint8_t *full = at(m, phys, length);
    for (unsigned i = 0; i <= root.entry_count; i++) {
        uint64_t e = 0;
        st = acpi_root_entry(&root, i, &e);
        if (i == root.entry_count) {
            FUZZ_CHECK(st == ACPI_ERR_NOT_FOUND, "entry past the end: %d", st);
            break;
        }
        const uint8_t *p = full + SDT_HEADER + (size_t)i * esize;
        uint64_t want_e = esize == 8 ? fuzz_le64(p) : fuzz_le32(p);
        FUZZ_CHECK(st == ACPI_OK && e == want_e, "entry %u: 0x%llx, expected 0x%llx", i,
                   (unsigned long long)e, (unsigned long long)want_e);
    }
}

/* acpi_find_table(), checked against a walk of the root table; returns the table or 0. */
static uint64_t find(const struct acpi_mem *mem, const struct memory *m,
                     const struct acpi_rsdp_info *rsdp, const char *sig, unsigned index)
{
    uint64_t phys = 1;
    enum acpi_status st = acpi_find_table(mem, rsdp, sig, index, &phys);
    check_status(st);
    struct acpi_root_info root;
    enum acpi_status want = acpi_root_get(mem, rsdp, &root);
    uint64_t want_phys = 0;
    if (want == ACPI_OK) {
        bool unmapped = false;
        unsigned seen = 0;
        want = ACPI_ERR_NOT_FOUND;
        for (unsigned i = 0; i < root.entry_count; i++) {
            uint64_t e;
            acpi_root_entry(&root, i, &e);
            if (e == 0)
                continue;
            const uint8_t *h = at(m, e, SDT_HEADER);
            if (!h) {
                unmapped = true;
                continue;
            }
            if (memcmp(h, sig, 4) != 0 || seen++ != index)
                continue;
            want = expect_valid(m, e, sig);
            if (want == ACPI_OK)
                want_phys = e;
            break;
        }
        if (want == ACPI_ERR_NOT_FOUND && unmapped)
            want = ACPI_ERR_UNMAPPED;
    }
    FUZZ_CHECK(st == want && phys == want_phys,
               "find %.4s #%u: %d at 0x%llx, expected %d at 0x%llx", sig, index, st,
               (unsigned long long)phys, want, (unsigned long long)want_phys);
    return st == ACPI_OK ? phys : 0;
}

/* ---- MADT ------------------------------------------------------------------------------------ */

static void check_madt(const struct acpi_mem *mem, const struct memory *m, uint64_t phys)
{
    static struct acpi_madt_info info;
    enum acpi_status st = acpi_madt_parse(mem, phys, &info);
    check_status(st);
    enum acpi_status want = expect_valid(m, phys, "APIC");
    if (want != ACPI_OK) {
        FUZZ_CHECK(st == want, "MADT at 0x%llx: %d, expected %d", (unsigned long long)phys, st,
                   want);
        return;
    }
    const uint8_t *t = at(m, phys, SDT_HEADER);
    uint32_t length = fuzz_le32(t + 4);
    t = at(m, phys, length);
    unsigned cpus = 0, ioapics = 0, isos = 0, nmis = 0, skipped = 0;
    uint64_t override = 0;
    want = length < 44 ? ACPI_ERR_LENGTH : ACPI_OK;
    for (size_t off = 44; want == ACPI_OK && off < length;) {
        size_t left = length - off;
        uint8_t type = t[off], elen = left >= 2 ? t[off + 1] : 0;
        if (left < 2 || elen < 2 || elen > left) {
            want = ACPI_ERR_LENGTH;
            break;
        }
        const uint8_t *e = t + off;
        static const uint8_t min_len[11] = {8, 12, 10, 0, 6, 12, 0, 0, 0, 16, 0};
        if (type <= 10 && min_len[type] && elen < min_len[type]) {
            want = ACPI_ERR_LENGTH;
            break;
        }
        switch (type) {
        case 0:
        case 9: {
            uint32_t id = type == 0 ? e[3] : fuzz_le32(e + 4);
            uint32_t uid = type == 0 ? e[2] : fuzz_le32(e + 12);
            uint32_t flags = type == 0 ? fuzz_le32(e + 4) : fuzz_le32(e + 8);
            if (cpus < ACPI_MAX_CPUS) {
                const struct acpi_madt_cpu_info *c = &info.cpus[cpus];
                FUZZ_CHECK(c->apic_id == id && c->uid == uid && c->enabled == (flags & 1) &&
                               c->online_capable == !!(flags & 2) && c->x2apic == (type == 9),
                           "MADT CPU %u", cpus);
            }
            cpus++;
            break;
        }
        case 1:
            if (ioapics < ACPI_MAX_IOAPICS) {
                const struct acpi_madt_ioapic_info *io = &info.ioapics[ioapics];
                FUZZ_CHECK(io->id == e[2] && io->address == fuzz_le32(e + 4) &&
                               io->gsi_base == fuzz_le32(e + 8),
                           "MADT I/O APIC %u", ioapics);
            }
            ioapics++;
            break;
        case 2:
            if (isos < ACPI_MAX_ISOS) {
                const struct acpi_madt_iso_info *iso = &info.isos[isos];
                FUZZ_CHECK(iso->bus == e[2] && iso->source == e[3] &&
                               iso->gsi == fuzz_le32(e + 4) && iso->flags == fuzz_le16(e + 8),
                           "MADT override %u", isos);
            }
            isos++;
            break;
        case 4:
            nmis++;
            break;
        case 5:
            override = fuzz_le64(e + 4);
            break;
        default:
            skipped++;
            break;
        }
        off += elen;
    }
    bool truncated = cpus > ACPI_MAX_CPUS || ioapics > ACPI_MAX_IOAPICS || isos > ACPI_MAX_ISOS;
    if (want == ACPI_OK && truncated)
        want = ACPI_ERR_TOO_MANY;
    FUZZ_CHECK(st == want, "MADT at 0x%llx: %d, expected %d", (unsigned long long)phys, st, want);
    if (st != ACPI_OK && st != ACPI_ERR_TOO_MANY)
        return;
    FUZZ_CHECK(info.cpu_total == cpus && info.ioapic_total == ioapics && info.iso_total == isos &&
                   info.nmi_count == nmis && info.skipped_entries == skipped &&
                   info.truncated == truncated,
               "MADT counts: cpus %u/%u ioapics %u/%u isos %u/%u", info.cpu_total, cpus,
               info.ioapic_total, ioapics, info.iso_total, isos);
    FUZZ_CHECK(info.cpu_count == (cpus < ACPI_MAX_CPUS ? cpus : ACPI_MAX_CPUS) &&
                   info.ioapic_count == (ioapics < ACPI_MAX_IOAPICS ? ioapics : ACPI_MAX_IOAPICS) &&
                   info.iso_count == (isos < ACPI_MAX_ISOS ? isos : ACPI_MAX_ISOS),
               "MADT stored counts");
    uint32_t lapic = fuzz_le32(t + 36), flags = fuzz_le32(t + 40);
    FUZZ_CHECK(info.lapic_address == lapic && info.flags == flags &&
                   info.pcat_compat == (flags & 1),
               "MADT fixed fields");
    FUZZ_CHECK(info.lapic_address_override == override &&
                   info.lapic_phys == (override ? override : lapic),
               "MADT local APIC address 0x%llx", (unsigned long long)info.lapic_phys);
}

/* ---- FADT ------------------------------------------------------------------------------------ */

static void check_reg_gas(const struct acpi_reg *r, const uint8_t *gas, const char *what)
{
    FUZZ_CHECK(r->space == gas[0] && r->bit_width == gas[1] && r->bit_offset == gas[2] &&
                   r->access_size == gas[3] && r->address == fuzz_le64(gas + 4) && r->from_gas,
               "FADT %s from its GAS", what);
}

static void check_reg_port(const struct acpi_reg *r, uint32_t port, uint8_t len, const char *what)
{
    FUZZ_CHECK(r->space == ACPI_GAS_SPACE_SYSTEM_IO && r->bit_width == (uint8_t)(len * 8) &&
                   r->bit_offset == 0 && r->access_size == 0 && r->address == port && !r->from_gas,
               "FADT %s from its 32-bit field", what);
}

static bool io_port(const struct acpi_reg *r)
{
    return r->address != 0 && r->space == ACPI_GAS_SPACE_SYSTEM_IO && r->address <= 0xffff;
}

/* PM1 block: the X_ GAS at x_off if the table holds it and its address is not 0, else the
 * 32-bit port at port_off with the length at len_off. */
static void check_block(const struct acpi_reg *r, const uint8_t *t, uint32_t length, size_t x_off,
                        size_t port_off, size_t len_off, const char *what)
{
    if (length >= x_off + 12 && fuzz_le64(t + x_off + 4) != 0)
        check_reg_gas(r, t + x_off, what);
    else
        check_reg_port(r, fuzz_le32(t + port_off), t[len_off], what);
}

static uint64_t check_fadt(const struct acpi_mem *mem, const struct memory *m, uint64_t phys)
{
    struct acpi_fadt_info f;
    enum acpi_status st = acpi_fadt_parse(mem, phys, &f);
    check_status(st);
    enum acpi_status want = expect_valid(m, phys, "FACP");
    const uint8_t *t = want == ACPI_OK ? at(m, phys, SDT_HEADER) : NULL;
    uint32_t length = t ? fuzz_le32(t + 4) : 0;
    if (want == ACPI_OK && length < ACPI_FADT_V1_LEN)
        want = ACPI_ERR_LENGTH;
    FUZZ_CHECK(st == want, "FADT at 0x%llx: %d, expected %d", (unsigned long long)phys, st, want);
    if (st != ACPI_OK) {
        static const struct acpi_fadt_info zero;
        FUZZ_CHECK(memcmp(&f, &zero, sizeof(f)) == 0, "FADT info not zeroed on error");
        return 0;
    }
    t = at(m, phys, length);
    FUZZ_CHECK(f.revision == t[8] && f.length == length, "FADT revision/length");
    uint32_t dsdt32 = fuzz_le32(t + 40);
    uint64_t x_dsdt = length >= 148 ? fuzz_le64(t + 140) : 0;
    FUZZ_CHECK(f.dsdt32 == dsdt32 && f.x_dsdt == x_dsdt && f.dsdt == (x_dsdt ? x_dsdt : dsdt32),
               "FADT DSDT 0x%llx", (unsigned long long)f.dsdt);
    FUZZ_CHECK(f.smi_cmd == fuzz_le32(t + 48) && f.acpi_enable == t[52] && f.acpi_disable == t[53],
               "FADT SMI command");
    FUZZ_CHECK(f.pm1_evt_len == t[88] && f.pm1_cnt_len == t[89], "FADT PM1 lengths");
    check_block(&f.pm1a_evt, t, length, 148, 56, 88, "PM1a_EVT");
    check_block(&f.pm1b_evt, t, length, 160, 60, 88, "PM1b_EVT");
    check_block(&f.pm1a_cnt, t, length, 172, 64, 89, "PM1a_CNT");
    check_block(&f.pm1b_cnt, t, length, 184, 68, 89, "PM1b_CNT");
    FUZZ_CHECK(f.pm1_cnt_supported ==
                   (io_port(&f.pm1a_cnt) && (f.pm1b_cnt.address == 0 || io_port(&f.pm1b_cnt))),
               "FADT pm1_cnt_supported %d", f.pm1_cnt_supported);
    uint32_t flags = fuzz_le32(t + 112);
    FUZZ_CHECK(f.flags == flags && f.hw_reduced == !!(flags & (1u << 20)), "FADT flags");
    if (length >= 129) {
        FUZZ_CHECK(f.reset_reg_sup == !!(flags & (1u << 10)) && f.reset_value == t[128],
                   "FADT reset");
        check_reg_gas(&f.reset_reg, t + 116, "RESET_REG");
    } else {
        FUZZ_CHECK(!f.reset_reg_sup && f.reset_reg.address == 0 && f.reset_value == 0,
                   "FADT reset fields beyond a %u-byte table", length);
    }
    if (length >= 256)
        check_reg_gas(&f.sleep_control, t + 244, "SLEEP_CONTROL_REG");
    else
        FUZZ_CHECK(f.sleep_control.address == 0, "FADT sleep control beyond a %u-byte table",
                   length);
    bool arch = t[8] >= 2 && length >= 111;
    uint16_t boot = arch ? fuzz_le16(t + 109) : 0;
    FUZZ_CHECK(f.iapc_boot_arch_valid == arch && f.iapc_boot_arch == boot &&
                   f.legacy_devices == !!(boot & 1) && f.has_8042 == !!(boot & 2) &&
                   f.vga_not_present == !!(boot & 4) && f.cmos_rtc_not_present == !!(boot & 32),
               "FADT IAPC_BOOT_ARCH");
    return f.dsdt;
}

/* ---- \_S5 ------------------------------------------------------------------------------------ */

/* Name(_S5_, Package ...) at i: NameOp before (optionally with a root or parent prefix), PackageOp
 * after. */
static bool s5_candidate(const uint8_t *a, size_t len, size_t i)
{
    bool name = (i >= 1 && a[i - 1] == 0x08) ||
                (i >= 2 && a[i - 2] == 0x08 && (a[i - 1] == '\\' || a[i - 1] == '^'));
    return name && i + 4 < len && a[i + 4] == 0x12;
}

static void check_s5(const uint8_t *a, size_t len, enum acpi_status st,
                     const struct acpi_s5_info *s)
{
    check_status(st);
    bool seen = false;
    size_t first = len;
    for (size_t i = 0; i + 4 <= len && first == len; i++) {
        if (memcmp(a + i, "_S5_", 4) != 0)
            continue;
        seen = true;
        if (s5_candidate(a, len, i))
            first = i;
    }
    if (first == len) {
        FUZZ_CHECK(st == (seen ? ACPI_ERR_UNSUPPORTED : ACPI_ERR_NOT_FOUND),
                   "\\_S5 search: %d with no Name(_S5_, Package) (seen %d)", st, seen);
    } else {
        FUZZ_CHECK(st == ACPI_OK || st == ACPI_ERR_LENGTH || st == ACPI_ERR_AML,
                   "\\_S5 search: %d with Name(_S5_, Package) at %zu", st, first);
    }
    if (st != ACPI_OK) {
        static const struct acpi_s5_info zero;
        FUZZ_CHECK(memcmp(s, &zero, sizeof(zero)) == 0, "\\_S5 info not zeroed on error");
        return;
    }
    FUZZ_CHECK(s->offset == first, "\\_S5 at %zu, first candidate at %zu", s->offset, first);
    FUZZ_CHECK(s->slp_typa <= ACPI_SLP_TYP_MAX && s->slp_typb <= ACPI_SLP_TYP_MAX &&
                   s->element_count >= 1,
               "\\_S5 values %u %u (%u elements)", s->slp_typa, s->slp_typb, s->element_count);
    /* The package's PkgLength lies inside the buffer and covers NumElements. */
    const uint8_t *p = a + first + 5;
    size_t follow = p[0] >> 6;
    FUZZ_CHECK(first + 5 + 1 + follow < len, "\\_S5 PkgLength past the buffer");
    FUZZ_CHECK(s->element_count == p[1 + follow], "\\_S5 NumElements %u", s->element_count);
}

static void check_table_s5(const struct acpi_mem *mem, const struct memory *m, uint64_t phys,
                           const char *sig)
{
    struct acpi_s5_info s;
    enum acpi_status st = acpi_table_find_s5(mem, phys, sig, &s);
    check_status(st);
    enum acpi_status want = expect_valid(m, phys, sig);
    if (want != ACPI_OK) {
        FUZZ_CHECK(st == want, "\\_S5 in %.4s at 0x%llx: %d, expected %d", sig,
                   (unsigned long long)phys, st, want);
        return;
    }
    uint32_t length = fuzz_le32(at(m, phys, SDT_HEADER) + 4);
    const uint8_t *aml = at(m, phys, length) + SDT_HEADER;
    struct acpi_s5_info raw;
    enum acpi_status st_raw = acpi_aml_find_s5(aml, length - SDT_HEADER, &raw);
    check_s5(aml, length - SDT_HEADER, st_raw, &raw);
    if (st_raw == ACPI_OK)
        raw.offset += SDT_HEADER;
    FUZZ_CHECK(st == st_raw && memcmp(&s, &raw, sizeof(s)) == 0,
               "\\_S5 in %.4s: %d, the same AML alone: %d", sig, st, st_raw);
}

/* ---- SPCR ------------------------------------------------------------------------------------ */

static void check_spcr(const struct acpi_mem *mem, const struct memory *m, uint64_t phys)
{
    struct acpi_spcr_info s;
    enum acpi_status st = acpi_spcr_parse(mem, phys, &s);
    check_status(st);
    enum acpi_status want = expect_valid(m, phys, "SPCR");
    const uint8_t *t = want == ACPI_OK ? at(m, phys, SDT_HEADER) : NULL;
    uint32_t length = t ? fuzz_le32(t + 4) : 0;
    if (want == ACPI_OK && length < ACPI_SPCR_MIN_LEN)
        want = ACPI_ERR_LENGTH;
    FUZZ_CHECK(st == want, "SPCR at 0x%llx: %d, expected %d", (unsigned long long)phys, st, want);
    FUZZ_CHECK(acpi_spcr_interface_str(s.interface_type) != NULL, "interface name");
    if (st != ACPI_OK)
        return;
    t = at(m, phys, length);
    uint8_t rev = t[8];
    FUZZ_CHECK(s.revision == rev && s.interface_type == t[36] && s.interrupt_type == t[52] &&
                   s.irq == t[53] && s.gsi == fuzz_le32(t + 54) && s.baud_code == t[58] &&
                   s.parity == t[59] && s.stop_bits == t[60] && s.flow_control == t[61] &&
                   s.terminal_type == t[62] && s.pci_device_id == fuzz_le16(t + 64) &&
                   s.pci_vendor_id == fuzz_le16(t + 66) && s.pci_bus == t[68] &&
                   s.pci_device == t[69] && s.pci_function == t[70] && s.pci_segment == t[75],
               "SPCR fields");
    FUZZ_CHECK(s.base.space == t[40] && s.base.address == fuzz_le64(t + 44), "SPCR base address");
    FUZZ_CHECK(s.uart_clock_freq == (rev >= 3 ? fuzz_le32(t + 76) : 0), "SPCR clock");
    static const uint32_t bauds[8] = {0, 0, 0, 9600, 19200, 0, 57600, 115200};
    uint32_t baud = t[58] < 8 ? bauds[t[58]] : 0;
    if (rev >= 4 && length >= 84 && fuzz_le32(t + 80))
        baud = fuzz_le32(t + 80);
    FUZZ_CHECK(s.baud_rate == baud, "SPCR baud %u, expected %u", s.baud_rate, baud);
}

/* ---- checksum fix-ups (mode bit 2) ----------------------------------------------------------- */

#define FIXUP         0x04u
#define FIXUP_ENTRIES 64u

/* Makes the table at phys sum to zero, if its header and length lie in the memory. */
static void fix_table(const struct memory *m, uint8_t *bytes, uint64_t phys)
{
    size_t off;
    if (!locate(m, phys, SDT_HEADER, &off))
        return;
    uint32_t length = fuzz_le32(bytes + off + 4);
    if (length < SDT_HEADER || length > m->len - off)
        return;
    bytes[off + 9] = 0;
    bytes[off + 9] = (uint8_t)-sum(bytes + off, length);
}

static void fix_checksums(const struct memory *m, uint8_t *bytes)
{
    if (m->len < ACPI_RSDP_V1_SIZE || memcmp(bytes, "RSD PTR ", 8) != 0) {
        fix_table(m, bytes, m->base);
        return;
    }
    bool v2 = bytes[15] >= 2 && m->len >= ACPI_RSDP_V2_SIZE;
    const uint64_t roots[2] = {fuzz_le32(bytes + 16), v2 ? fuzz_le64(bytes + 24) : 0};
    /* Leaves first (the DSDT, then what the root tables list), then the roots, then the RSDP. */
    for (unsigned r = 0; r < 2; r++) {
        const uint8_t *t = at(m, roots[r], SDT_HEADER);
        uint32_t length = t ? fuzz_le32(t + 4) : 0;
        const uint8_t *full = length >= SDT_HEADER ? at(m, roots[r], length) : NULL;
        unsigned esize = r ? 8 : 4;
        for (unsigned i = 0; full && i < FIXUP_ENTRIES && SDT_HEADER + (i + 1) * esize <= length;
             i++) {
            const uint8_t *e = full + SDT_HEADER + i * esize;
            uint64_t phys = esize == 8 ? fuzz_le64(e) : fuzz_le32(e);
            const uint8_t *h = at(m, phys, 44);
            if (h && memcmp(h, "FACP", 4) == 0) {
                fix_table(m, bytes, fuzz_le32(h + 40));
                const uint8_t *x = fuzz_le32(h + 4) >= 148 ? at(m, phys, 148) : NULL;
                if (x)
                    fix_table(m, bytes, fuzz_le64(x + 140));
            }
            fix_table(m, bytes, phys);
        }
        if (roots[r])
            fix_table(m, bytes, roots[r]);
    }
    bytes[8] = 0;
    bytes[8] = (uint8_t)-sum(bytes, ACPI_RSDP_V1_SIZE);
    uint32_t length = v2 ? fuzz_le32(bytes + 20) : 0;
    if (length >= ACPI_RSDP_V2_SIZE && length <= m->len) {
        bytes[32] = 0;
        bytes[32] = (uint8_t)-sum(bytes, length);
    }
}

/* ---- entry point ----------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static struct memory m;
    size_t len = size - 1;
    uint8_t *bytes = malloc(len + 1);
    FUZZ_CHECK(bytes != NULL, "out of memory");
    memcpy(bytes, data + 1, len);
    const uint64_t bases[4] = {0, 0xe0000, 0x100000000ull, 0 - (uint64_t)len};
    m.bytes = bytes;
    m.len = len;
    m.base = bases[data[0] & 3];
    m.ncopies = 0;
    if (data[0] & FIXUP)
        fix_checksums(&m, bytes);
    const struct acpi_mem mem = {.map = map, .ctx = &m};

    struct acpi_rsdp_info rsdp;
    enum acpi_status st = acpi_rsdp_parse(bytes, len, &rsdp);
    check_rsdp(bytes, len, st, &rsdp);
    if (st == ACPI_OK) {
        check_root(&mem, &m, &rsdp);
        for (unsigned i = 0; i < 2; i++) {
            uint64_t madt = find(&mem, &m, &rsdp, "APIC", i);
            if (madt)
                check_madt(&mem, &m, madt);
        }
        uint64_t fadt = find(&mem, &m, &rsdp, "FACP", 0);
        if (fadt) {
            uint64_t dsdt = check_fadt(&mem, &m, fadt);
            if (dsdt)
                check_table_s5(&mem, &m, dsdt, "DSDT");
        }
        uint64_t ssdt = find(&mem, &m, &rsdp, "SSDT", 0);
        if (ssdt)
            check_table_s5(&mem, &m, ssdt, "SSDT");
        uint64_t spcr = find(&mem, &m, &rsdp, "SPCR", 0);
        if (spcr)
            check_spcr(&mem, &m, spcr);
    }

    /* The memory's first bytes as each kind of table. */
    check_validate(&mem, &m, m.base, NULL);
    check_madt(&mem, &m, m.base);
    check_fadt(&mem, &m, m.base);
    check_spcr(&mem, &m, m.base);
    check_table_s5(&mem, &m, m.base, "DSDT");

    struct acpi_s5_info s5;
    st = acpi_aml_find_s5(bytes, len, &s5);
    check_s5(bytes, len, st, &s5);

    uint16_t cur = len >= 2 ? fuzz_le16(bytes) : 0;
    uint8_t typ = len >= 3 ? bytes[2] : 0;
    for (int en = 0; en < 2; en++) {
        uint16_t v = acpi_pm1_cnt_sleep_value(cur, typ, en);
        FUZZ_CHECK(((v >> 10) & 7) == (typ & 7) && !!(v & (1u << 13)) == en &&
                       (v & ~0x3c00u) == (cur & ~0x3c00u),
                   "PM1 control 0x%04x from 0x%04x, type %u, enable %d", v, cur, typ, en);
    }
    FUZZ_CHECK(acpi_gas_space_str(typ) != NULL, "GAS space name");

    for (unsigned i = 0; i < m.ncopies; i++)
        free(m.copies[i]);
    free(bytes);
    return 0;
}
