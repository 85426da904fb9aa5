/* ACPI table parsing: RSDP validation, RSDT/XSDT walk, SDT header checks, MADT, FADT, \_S5 and
 * SPCR decoding. Pure logic shared by the kernel and host unit tests; memory is reached only via
 * struct acpi_mem. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/string.h"
#include "drivers/acpi.h"

const char *acpi_status_str(enum acpi_status st)
{
    switch (st) {
    case ACPI_OK:
        return "ok";
    case ACPI_ERR_INVALID_ARG:
        return "invalid argument";
    case ACPI_ERR_UNMAPPED:
        return "memory not mapped";
    case ACPI_ERR_SIGNATURE:
        return "bad signature";
    case ACPI_ERR_CHECKSUM:
        return "bad checksum";
    case ACPI_ERR_LENGTH:
        return "bad length";
    case ACPI_ERR_NOT_FOUND:
        return "table not found";
    case ACPI_ERR_TOO_MANY:
        return "too many entries, list truncated";
    case ACPI_ERR_UNSUPPORTED:
        return "not supported";
    case ACPI_ERR_AML:
        return "malformed AML";
    case ACPI_STATUS_COUNT:
        break;
    }
    return "unknown status";
}

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* The only place map() is called: rejects empty and wrapping ranges before asking. */
static const uint8_t *acpi_map(const struct acpi_mem *mem, uint64_t phys, size_t len)
{
    if (len == 0 || (uint64_t)len > UINT64_MAX - phys)
        return NULL;
    return mem->map(phys, len, mem->ctx);
}

enum acpi_status acpi_rsdp_parse(const void *rsdp_bytes, size_t len, struct acpi_rsdp_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    if (!rsdp_bytes)
        return ACPI_ERR_INVALID_ARG;
    if (len < ACPI_RSDP_V1_SIZE)
        return ACPI_ERR_LENGTH;

    const uint8_t *b = rsdp_bytes;
    struct acpi_rsdp r;
    memset(&r, 0, sizeof(r));
    memcpy(&r, b, ACPI_RSDP_V1_SIZE);
    if (memcmp(r.signature, "RSD PTR ", sizeof(r.signature)) != 0)
        return ACPI_ERR_SIGNATURE;
    if (acpi_sum(b, ACPI_RSDP_V1_SIZE) != 0)
        return ACPI_ERR_CHECKSUM;

    uint32_t length = ACPI_RSDP_V1_SIZE;
    if (r.revision >= 2) {
        if (len < ACPI_RSDP_V2_SIZE)
            return ACPI_ERR_LENGTH;
        memcpy(&r, b, ACPI_RSDP_V2_SIZE);
        if (r.length < ACPI_RSDP_V2_SIZE || r.length > len)
            return ACPI_ERR_LENGTH;
        if (acpi_sum(b, r.length) != 0)
            return ACPI_ERR_CHECKSUM;
        length = r.length;
        out->xsdt_address = r.xsdt_address;
    }

    memcpy(out->oem_id, r.oem_id, sizeof(r.oem_id));
    out->oem_id[sizeof(r.oem_id)] = '\0';
    out->revision = r.revision;
    out->length = length;
    out->rsdt_address = r.rsdt_address;
    return ACPI_OK;
}

enum acpi_status acpi_table_validate(const struct acpi_mem *mem, uint64_t phys, const char sig[4],
                                     const struct acpi_sdt_header **hdr_out)
{
    if (hdr_out)
        *hdr_out = NULL;
    if (!mem || !mem->map)
        return ACPI_ERR_INVALID_ARG;

    const uint8_t *h = acpi_map(mem, phys, sizeof(struct acpi_sdt_header));
    if (!h)
        return ACPI_ERR_UNMAPPED;
    struct acpi_sdt_header hdr;
    memcpy(&hdr, h, sizeof(hdr));
    if (sig && memcmp(hdr.signature, sig, sizeof(hdr.signature)) != 0)
        return ACPI_ERR_SIGNATURE;
    uint32_t length = hdr.length;
    if (length < sizeof(hdr) || length > ACPI_MAX_TABLE_LEN)
        return ACPI_ERR_LENGTH;

    const uint8_t *t = acpi_map(mem, phys, length);
    if (!t)
        return ACPI_ERR_UNMAPPED;
    if (acpi_sum(t, length) != 0)
        return ACPI_ERR_CHECKSUM;
    if (hdr_out)
        *hdr_out = (const struct acpi_sdt_header *)(const void *)t;
    return ACPI_OK;
}

static enum acpi_status acpi_root_try(const struct acpi_mem *mem, uint64_t phys, bool xsdt,
                                      struct acpi_root_info *out)
{
    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, phys, xsdt ? "XSDT" : "RSDT", &hdr);
    if (st != ACPI_OK)
        return st;
    uint32_t length;
    memcpy(&length, (const uint8_t *)hdr + offsetof(struct acpi_sdt_header, length),
           sizeof(length));
    out->phys = phys;
    out->hdr = hdr;
    out->is_xsdt = xsdt;
    out->entry_size = xsdt ? 8u : 4u;
    out->entry_count = (unsigned)((length - sizeof(struct acpi_sdt_header)) / out->entry_size);
    return ACPI_OK;
}

enum acpi_status acpi_root_get(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp,
                               struct acpi_root_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    out->xsdt_status = ACPI_ERR_NOT_FOUND;
    if (!mem || !mem->map || !rsdp)
        return ACPI_ERR_INVALID_ARG;

    if (rsdp->xsdt_address != 0) {
        out->xsdt_status = acpi_root_try(mem, rsdp->xsdt_address, true, out);
        if (out->xsdt_status == ACPI_OK)
            return ACPI_OK;
        if (rsdp->rsdt_address == 0)
            return out->xsdt_status;
    }
    if (rsdp->rsdt_address == 0)
        return ACPI_ERR_NOT_FOUND;
    return acpi_root_try(mem, rsdp->rsdt_address, false, out);
}

enum acpi_status acpi_root_entry(const struct acpi_root_info *root, unsigned i, uint64_t *phys_out)
{
    if (!root || !root->hdr || !phys_out)
        return ACPI_ERR_INVALID_ARG;
    if (i >= root->entry_count)
        return ACPI_ERR_NOT_FOUND;
    const uint8_t *e =
        (const uint8_t *)root->hdr + sizeof(struct acpi_sdt_header) + (size_t)i * root->entry_size;
    if (root->entry_size == 8) {
        uint64_t v;
        memcpy(&v, e, sizeof(v));
        *phys_out = v;
    } else {
        uint32_t v;
        memcpy(&v, e, sizeof(v));
        *phys_out = v;
    }
    return ACPI_OK;
}

enum acpi_status acpi_find_table(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp,
                                 const char sig[4], unsigned index, uint64_t *phys_out)
{
    if (!sig || !phys_out)
        return ACPI_ERR_INVALID_ARG;
    *phys_out = 0;

    struct acpi_root_info root;
    enum acpi_status st = acpi_root_get(mem, rsdp, &root);
    if (st != ACPI_OK)
        return st;

    bool unmapped = false;
    unsigned seen = 0;
    for (unsigned i = 0; i < root.entry_count; i++) {
        uint64_t phys = 0;
        if (acpi_root_entry(&root, i, &phys) != ACPI_OK || phys == 0)
            continue;
        const uint8_t *h = acpi_map(mem, phys, sizeof(struct acpi_sdt_header));
        if (!h) {
            unmapped = true;
            continue;
        }
        if (memcmp(h, sig, 4) != 0)
            continue;
        if (seen++ != index)
            continue;
        st = acpi_table_validate(mem, phys, sig, NULL);
        if (st != ACPI_OK)
            return st;
        *phys_out = phys;
        return ACPI_OK;
    }
    return unmapped ? ACPI_ERR_UNMAPPED : ACPI_ERR_NOT_FOUND;
}

/* ---- MADT ------------------------------------------------------------------------------------ */

static void madt_add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
                         bool x2apic)
{
    out->cpu_total++;
    if (out->cpu_count >= ACPI_MAX_CPUS) {
        out->truncated = true;
        return;
    }
    struct acpi_madt_cpu_info *c = &out->cpus[out->cpu_count++];
    c->apic_id = apic_id;
    c->uid = uid;
    c->enabled = (flags & ACPI_MADT_CPU_ENABLED) != 0;
    c->online_capable = (flags & ACPI_MADT_CPU_ONLINE_CAPABLE) != 0;
    c->x2apic = x2apic;
}

/* Decode one entry of e[0..len); len >= 2 and lies inside the table. */
static enum acpi_status madt_entry(const uint8_t *e, size_t len, struct acpi_madt_info *out)
{
    switch (e[0]) {
    case ACPI_MADT_LOCAL_APIC: {
        struct acpi_madt_local_apic x;
        if (len < sizeof(x))
            return ACPI_ERR_LENGTH;
        memcpy(&x, e, sizeof(x));
        madt_add_cpu(out, x.apic_id, x.processor_uid, x.flags, false);
        break;
    }
    case ACPI_MADT_LOCAL_X2APIC: {
        struct acpi_madt_local_x2apic x;
        if (len < sizeof(x))
            return ACPI_ERR_LENGTH;
        memcpy(&x, e, sizeof(x));
        madt_add_cpu(out, x.x2apic_id, x.processor_uid, x.flags, true);
        break;
    }
    case ACPI_MADT_IO_APIC: {
        struct acpi_madt_io_apic x;
        if (len < sizeof(x))
            return ACPI_ERR_LENGTH;
        memcpy(&x, e, sizeof(x));
        out->ioapic_total++;
        if (out->ioapic_count >= ACPI_MAX_IOAPICS) {
            out->truncated = true;
            break;
        }
        struct acpi_madt_ioapic_info *io = &out->ioapics[out->ioapic_count++];
        io->id = x.io_apic_id;
        io->address = x.address;
        io->gsi_base = x.gsi_base;
        break;
    }
    case ACPI_MADT_INT_SRC_OVERRIDE: {
        struct acpi_madt_int_src_override x;
        if (len < sizeof(x))
            return ACPI_ERR_LENGTH;
        memcpy(&x, e, sizeof(x));
        out->iso_total++;
        if (out->iso_count >= ACPI_MAX_ISOS) {
            out->truncated = true;
            break;
        }
        struct acpi_madt_iso_info *iso = &out->isos[out->iso_count++];
        iso->bus = x.bus;
        iso->source = x.source;
        iso->gsi = x.gsi;
        iso->flags = x.flags;
        break;
    }
    case ACPI_MADT_LOCAL_APIC_NMI:
        if (len < sizeof(struct acpi_madt_local_apic_nmi))
            return ACPI_ERR_LENGTH;
        out->nmi_count++;
        break;
    case ACPI_MADT_LOCAL_APIC_OVERRIDE: {
        struct acpi_madt_local_apic_override x;
        if (len < sizeof(x))
            return ACPI_ERR_LENGTH;
        memcpy(&x, e, sizeof(x));
        out->lapic_address_override = x.address;
        break;
    }
    default:
        out->skipped_entries++;
        break;
    }
    return ACPI_OK;
}

enum acpi_status acpi_madt_parse(const struct acpi_mem *mem, uint64_t madt_phys,
                                 struct acpi_madt_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));

    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, madt_phys, "APIC", &hdr);
    if (st != ACPI_OK)
        return st;

    const uint8_t *t = (const uint8_t *)hdr;
    struct acpi_madt madt;
    memcpy(&madt.header, t, sizeof(madt.header));
    size_t length = madt.header.length;
    if (length < sizeof(madt))
        return ACPI_ERR_LENGTH;
    memcpy(&madt, t, sizeof(madt));
    out->lapic_address = madt.lapic_address;
    out->flags = madt.flags;
    out->pcat_compat = (madt.flags & ACPI_MADT_PCAT_COMPAT) != 0;

    size_t off = sizeof(madt);
    while (off < length) {
        size_t left = length - off;
        if (left < sizeof(struct acpi_madt_entry_header))
            return ACPI_ERR_LENGTH;
        size_t elen = t[off + 1];
        if (elen < sizeof(struct acpi_madt_entry_header) || elen > left)
            return ACPI_ERR_LENGTH;
        st = madt_entry(t + off, elen, out);
        if (st != ACPI_OK)
            return st;
        off += elen;
    }

    out->lapic_phys =
        out->lapic_address_override ? out->lapic_address_override : (uint64_t)out->lapic_address;
    return out->truncated ? ACPI_ERR_TOO_MANY : ACPI_OK;
}

/* ---- Generic Address Structure --------------------------------------------------------------- */

const char *acpi_gas_space_str(uint8_t address_space_id)
{
    switch (address_space_id) {
    case ACPI_GAS_SPACE_SYSTEM_MEMORY:
        return "system memory";
    case ACPI_GAS_SPACE_SYSTEM_IO:
        return "system I/O";
    case ACPI_GAS_SPACE_PCI_CONFIG:
        return "PCI configuration";
    case ACPI_GAS_SPACE_FFH:
        return "functional fixed hardware";
    }
    return "other";
}

static struct acpi_reg reg_from_gas(const struct acpi_gas *g)
{
    struct acpi_reg r = {
        .space = g->address_space_id,
        .bit_width = g->register_bit_width,
        .bit_offset = g->register_bit_offset,
        .access_size = g->access_size,
        .address = g->address,
        .from_gas = true,
    };
    return r;
}

static struct acpi_reg reg_from_port(uint32_t port, uint8_t len_bytes)
{
    struct acpi_reg r = {
        .space = ACPI_GAS_SPACE_SYSTEM_IO,
        .bit_width = (uint8_t)(len_bytes * 8u),
        .address = port,
    };
    return r;
}

/* ---- FADT ------------------------------------------------------------------------------------ */

/* True when the table's first `length` bytes hold the whole field [off, off + size). */
static bool covers(size_t length, size_t off, size_t size)
{
    return off + size <= length;
}

#define FADT_COVERS(len, field)                                                                    \
    covers((len), offsetof(struct acpi_fadt, field), sizeof(((struct acpi_fadt *)0)->field))

/* The X_ GAS when covered with a non-zero address, else the 32-bit port field. */
static struct acpi_reg fadt_block(const struct acpi_gas *x, bool x_covered, uint32_t port,
                                  uint8_t len_bytes)
{
    if (x_covered && x->address != 0)
        return reg_from_gas(x);
    return reg_from_port(port, len_bytes);
}

enum acpi_status acpi_fadt_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_fadt_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));

    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, phys, "FACP", &hdr);
    if (st != ACPI_OK)
        return st;

    /* Copy only what the table holds; the rest of the struct stays zero. */
    struct acpi_fadt f;
    memset(&f, 0, sizeof(f));
    memcpy(&f.header, hdr, sizeof(f.header));
    size_t length = f.header.length;
    if (length < ACPI_FADT_V1_LEN)
        return ACPI_ERR_LENGTH;
    memcpy(&f, hdr, length < sizeof(f) ? length : sizeof(f));

    struct acpi_fadt_info i;
    memset(&i, 0, sizeof(i));
    i.revision = f.header.revision;
    i.length = f.header.length;

    i.dsdt32 = f.dsdt;
    if (FADT_COVERS(length, x_dsdt))
        i.x_dsdt = f.x_dsdt;
    i.dsdt = i.x_dsdt ? i.x_dsdt : i.dsdt32;
    i.smi_cmd = f.smi_cmd;
    i.acpi_enable = f.acpi_enable;
    i.acpi_disable = f.acpi_disable;

    i.pm1_evt_len = f.pm1_evt_len;
    i.pm1_cnt_len = f.pm1_cnt_len;
    i.pm1a_evt = fadt_block(&f.x_pm1a_evt_blk, FADT_COVERS(length, x_pm1a_evt_blk), f.pm1a_evt_blk,
                            f.pm1_evt_len);
    i.pm1b_evt = fadt_block(&f.x_pm1b_evt_blk, FADT_COVERS(length, x_pm1b_evt_blk), f.pm1b_evt_blk,
                            f.pm1_evt_len);
    i.pm1a_cnt = fadt_block(&f.x_pm1a_cnt_blk, FADT_COVERS(length, x_pm1a_cnt_blk), f.pm1a_cnt_blk,
                            f.pm1_cnt_len);
    i.pm1b_cnt = fadt_block(&f.x_pm1b_cnt_blk, FADT_COVERS(length, x_pm1b_cnt_blk), f.pm1b_cnt_blk,
                            f.pm1_cnt_len);
    i.pm1_cnt_supported = acpi_reg_is_io_port(&i.pm1a_cnt) &&
                          (i.pm1b_cnt.address == 0 || acpi_reg_is_io_port(&i.pm1b_cnt));

    i.flags = f.flags;
    i.hw_reduced = (f.flags & ACPI_FADT_HW_REDUCED_ACPI) != 0;
    if (FADT_COVERS(length, reset_value)) {
        i.reset_reg_sup = (f.flags & ACPI_FADT_RESET_REG_SUP) != 0;
        i.reset_reg = reg_from_gas(&f.reset_reg);
        i.reset_value = f.reset_value;
    }
    if (FADT_COVERS(length, sleep_control_reg))
        i.sleep_control = reg_from_gas(&f.sleep_control_reg);

    /* IAPC_BOOT_ARCH was reserved in ACPI 1.0 (revision 1). */
    if (f.header.revision >= 2 && FADT_COVERS(length, iapc_boot_arch)) {
        i.iapc_boot_arch_valid = true;
        i.iapc_boot_arch = f.iapc_boot_arch;
        i.legacy_devices = (f.iapc_boot_arch & ACPI_IAPC_BOOT_ARCH_LEGACY_DEVICES) != 0;
        i.has_8042 = (f.iapc_boot_arch & ACPI_IAPC_BOOT_ARCH_8042) != 0;
        i.vga_not_present = (f.iapc_boot_arch & ACPI_IAPC_BOOT_ARCH_VGA_NOT_PRESENT) != 0;
        i.cmos_rtc_not_present = (f.iapc_boot_arch & ACPI_IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT) != 0;
    }
    *out = i;
    return ACPI_OK;
}

uint16_t acpi_pm1_cnt_sleep_value(uint16_t current, uint8_t slp_typ, bool slp_en)
{
    uint32_t v = current & ~(ACPI_PM1_CNT_SLP_TYP_MASK | ACPI_PM1_CNT_SLP_EN);
    v |= ((uint32_t)slp_typ << ACPI_PM1_CNT_SLP_TYP_SHIFT) & ACPI_PM1_CNT_SLP_TYP_MASK;
    if (slp_en)
        v |= ACPI_PM1_CNT_SLP_EN;
    return (uint16_t)v;
}

/* ---- \_S5 in AML ----------------------------------------------------------------------------- */

/* One package element at p[0..end - p) as an integer constant; advances *p. */
static enum acpi_status aml_integer(const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    const uint8_t *q = *p;
    if (q >= end)
        return ACPI_ERR_LENGTH;
    uint8_t op = *q++;
    size_t size;
    switch (op) {
    case ACPI_AML_ZERO_OP:
    case ACPI_AML_ONE_OP:
        *value = op;
        *p = q;
        return ACPI_OK;
    case ACPI_AML_BYTE_PREFIX:
        size = 1;
        break;
    case ACPI_AML_WORD_PREFIX:
        size = 2;
        break;
    case ACPI_AML_DWORD_PREFIX:
        size = 4;
        break;
    case ACPI_AML_QWORD_PREFIX:
        size = 8;
        break;
    default:
        /* A bare small number: not valid AML, but found in hand-written tables. */
        if (op <= ACPI_SLP_TYP_MAX) {
            *value = op;
            *p = q;
            return ACPI_OK;
        }
        return ACPI_ERR_AML;
    }
    if ((size_t)(end - q) < size)
        return ACPI_ERR_LENGTH;
    uint64_t v = 0;
    for (size_t k = 0; k < size; k++)
        v |= (uint64_t)q[k] << (8 * k);
    *value = v;
    *p = q + size;
    return ACPI_OK;
}

/* Decodes the package whose PkgLength starts at p (just after PackageOp); end bounds the buffer. */
static enum acpi_status aml_s5_package(const uint8_t *p, const uint8_t *end,
                                       struct acpi_s5_info *out)
{
    if (p >= end)
        return ACPI_ERR_LENGTH;
    /* PkgLength: bits 7-6 of the lead byte count the bytes that follow (0-3). With none, bits 5-0
     * are the length; otherwise bits 3-0 are its low nibble and each next byte 8 more bits. The
     * length counts itself and everything up to the package's end. */
    size_t follow = p[0] >> 6;
    size_t avail = (size_t)(end - p);
    if (avail < 1 + follow)
        return ACPI_ERR_LENGTH;
    size_t pkg_len;
    if (follow == 0) {
        pkg_len = p[0] & 0x3fu;
    } else {
        pkg_len = p[0] & 0x0fu;
        for (size_t k = 1; k <= follow; k++)
            pkg_len |= (size_t)p[k] << (4 + 8 * (k - 1));
    }
    if (pkg_len > avail || pkg_len < 1 + follow + 1) /* itself, then NumElements */
        return ACPI_ERR_LENGTH;
    const uint8_t *pkg_end = p + pkg_len;
    const uint8_t *q = p + 1 + follow;
    uint8_t count = *q++;
    if (count == 0)
        return ACPI_ERR_AML;

    uint64_t a, b;
    enum acpi_status st = aml_integer(&q, pkg_end, &a);
    if (st != ACPI_OK)
        return st;
    if (count == 1) { /* ACPI 1.0 packed form: SLP_TYPa in bits 0-7, SLP_TYPb in bits 8-15 */
        b = (a >> 8) & 0xffu;
        a &= 0xffu;
    } else {
        st = aml_integer(&q, pkg_end, &b);
        if (st != ACPI_OK)
            return st;
    }
    if (a > ACPI_SLP_TYP_MAX || b > ACPI_SLP_TYP_MAX)
        return ACPI_ERR_AML;
    out->slp_typa = (uint8_t)a;
    out->slp_typb = (uint8_t)b;
    out->element_count = count;
    return ACPI_OK;
}

enum acpi_status acpi_aml_find_s5(const uint8_t *aml, size_t len, struct acpi_s5_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    if (!aml)
        return ACPI_ERR_INVALID_ARG;

    bool seen = false;
    for (size_t i = 0; len >= 4 && i <= len - 4; i++) {
        if (memcmp(aml + i, "_S5_", 4) != 0)
            continue;
        seen = true;
        bool name_op =
            (i >= 1 && aml[i - 1] == ACPI_AML_NAME_OP) ||
            (i >= 2 && aml[i - 2] == ACPI_AML_NAME_OP && (aml[i - 1] == '\\' || aml[i - 1] == '^'));
        if (!name_op || i + 4 >= len || aml[i + 4] != ACPI_AML_PACKAGE_OP)
            continue;
        enum acpi_status st = aml_s5_package(aml + i + 5, aml + len, out);
        if (st != ACPI_OK) {
            memset(out, 0, sizeof(*out));
            return st;
        }
        out->offset = i;
        return ACPI_OK;
    }
    return seen ? ACPI_ERR_UNSUPPORTED : ACPI_ERR_NOT_FOUND;
}

enum acpi_status acpi_table_find_s5(const struct acpi_mem *mem, uint64_t phys, const char sig[4],
                                    struct acpi_s5_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    if (!sig)
        return ACPI_ERR_INVALID_ARG;

    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, phys, sig, &hdr);
    if (st != ACPI_OK)
        return st;
    uint32_t length;
    memcpy(&length, (const uint8_t *)hdr + offsetof(struct acpi_sdt_header, length),
           sizeof(length));
    const size_t start = sizeof(struct acpi_sdt_header);
    st = acpi_aml_find_s5((const uint8_t *)hdr + start, length - start, out);
    if (st == ACPI_OK)
        out->offset += start;
    return st;
}

/* ---- SPCR ------------------------------------------------------------------------------------ */

/* Offsets in the SPCR (Microsoft "Serial Port Console Redirection Table", revision 4). */
#define SPCR_INTERFACE_TYPE    36
#define SPCR_BASE_ADDRESS      40
#define SPCR_INTERRUPT_TYPE    52
#define SPCR_IRQ               53
#define SPCR_GSI               54
#define SPCR_BAUD_RATE         58
#define SPCR_PARITY            59
#define SPCR_STOP_BITS         60
#define SPCR_FLOW_CONTROL      61
#define SPCR_TERMINAL_TYPE     62
#define SPCR_PCI_DEVICE_ID     64
#define SPCR_PCI_VENDOR_ID     66
#define SPCR_PCI_BUS           68
#define SPCR_PCI_DEVICE        69
#define SPCR_PCI_FUNCTION      70
#define SPCR_PCI_SEGMENT       75
#define SPCR_UART_CLOCK_FREQ   76 /* revision 3+ */
#define SPCR_PRECISE_BAUD_RATE 80 /* revision 4+ */

static uint32_t spcr_baud(uint8_t code)
{
    switch (code) {
    case 3:
        return 9600;
    case 4:
        return 19200;
    case 6:
        return 57600;
    case 7:
        return 115200;
    }
    return 0; /* 0 = as the firmware configured it; other codes are undefined */
}

enum acpi_status acpi_spcr_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_spcr_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));

    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, phys, "SPCR", &hdr);
    if (st != ACPI_OK)
        return st;
    const uint8_t *t = (const uint8_t *)hdr;
    struct acpi_sdt_header h;
    memcpy(&h, t, sizeof(h));
    size_t length = h.length;
    if (length < ACPI_SPCR_MIN_LEN)
        return ACPI_ERR_LENGTH;

    struct acpi_spcr_info i;
    memset(&i, 0, sizeof(i));
    i.revision = h.revision;
    i.interface_type = t[SPCR_INTERFACE_TYPE];
    struct acpi_gas base;
    memcpy(&base, t + SPCR_BASE_ADDRESS, sizeof(base));
    i.base = reg_from_gas(&base);
    i.interrupt_type = t[SPCR_INTERRUPT_TYPE];
    i.irq = t[SPCR_IRQ];
    memcpy(&i.gsi, t + SPCR_GSI, sizeof(i.gsi));
    i.baud_code = t[SPCR_BAUD_RATE];
    i.baud_rate = spcr_baud(i.baud_code);
    i.parity = t[SPCR_PARITY];
    i.stop_bits = t[SPCR_STOP_BITS];
    i.flow_control = t[SPCR_FLOW_CONTROL];
    i.terminal_type = t[SPCR_TERMINAL_TYPE];
    memcpy(&i.pci_device_id, t + SPCR_PCI_DEVICE_ID, sizeof(i.pci_device_id));
    memcpy(&i.pci_vendor_id, t + SPCR_PCI_VENDOR_ID, sizeof(i.pci_vendor_id));
    i.pci_bus = t[SPCR_PCI_BUS];
    i.pci_device = t[SPCR_PCI_DEVICE];
    i.pci_function = t[SPCR_PCI_FUNCTION];
    i.pci_segment = t[SPCR_PCI_SEGMENT];
    if (i.revision >= 3)
        memcpy(&i.uart_clock_freq, t + SPCR_UART_CLOCK_FREQ, sizeof(i.uart_clock_freq));
    if (i.revision >= 4 && covers(length, SPCR_PRECISE_BAUD_RATE, sizeof(uint32_t))) {
        uint32_t precise;
        memcpy(&precise, t + SPCR_PRECISE_BAUD_RATE, sizeof(precise));
        if (precise != 0) /* overrides the baud code */
            i.baud_rate = precise;
    }
    *out = i;
    return ACPI_OK;
}

const char *acpi_spcr_interface_str(uint8_t interface_type)
{
    switch (interface_type) {
    case ACPI_SPCR_16550:
        return "16550";
    case ACPI_SPCR_16550_SUBSET:
        return "16450";
    case ACPI_SPCR_ARM_PL011:
        return "PL011";
    case ACPI_SPCR_ARM_SBSA_32BIT:
    case ACPI_SPCR_ARM_SBSA_GENERIC:
        return "SBSA UART";
    case ACPI_SPCR_16550_WITH_GAS:
        return "16550 (GAS)";
    }
    return "other";
}

/* ---- HPET ------------------------------------------------------------------------------------ */

#define HPET_EVENT_TIMER_BLOCK_ID 36
#define HPET_BASE_ADDRESS         40
#define HPET_NUMBER               52
#define HPET_MIN_CLOCK_TICK       53
#define HPET_PAGE_PROTECTION      55
#define HPET_REGISTER_BLOCK_ALIGN 0x400u

enum acpi_status acpi_hpet_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_hpet_info *out)
{
    if (!out)
        return ACPI_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));

    const struct acpi_sdt_header *hdr;
    enum acpi_status st = acpi_table_validate(mem, phys, "HPET", &hdr);
    if (st != ACPI_OK)
        return st;
    const uint8_t *t = (const uint8_t *)hdr;
    struct acpi_sdt_header h;
    memcpy(&h, t, sizeof(h));
    if (h.length < ACPI_HPET_LEN)
        return ACPI_ERR_LENGTH;
    struct acpi_gas base;
    memcpy(&base, t + HPET_BASE_ADDRESS, sizeof(base));
    if (base.address_space_id != ACPI_GAS_SPACE_SYSTEM_MEMORY || base.address == 0 ||
        base.address % HPET_REGISTER_BLOCK_ALIGN)
        return ACPI_ERR_UNSUPPORTED;

    struct acpi_hpet_info i;
    memset(&i, 0, sizeof(i));
    memcpy(&i.event_timer_block_id, t + HPET_EVENT_TIMER_BLOCK_ID, sizeof(i.event_timer_block_id));
    i.address = base.address;
    i.hpet_number = t[HPET_NUMBER];
    memcpy(&i.min_clock_tick, t + HPET_MIN_CLOCK_TICK, sizeof(i.min_clock_tick));
    i.page_protection = t[HPET_PAGE_PROTECTION];
    *out = i;
    return ACPI_OK;
}

/* ---- Legacy PC devices ----------------------------------------------------------------------- */

void acpi_legacy_pc_decide(const struct acpi_madt_info *madt, const struct acpi_fadt_info *fadt,
                           struct acpi_legacy_pc *out)
{
    if (fadt && fadt->hw_reduced) {
        out->pic8259 = out->pit8254 = false;
        out->why = "HW-reduced ACPI (FADT)";
        return;
    }
    if (!madt) {
        out->pic8259 = out->pit8254 = true;
        out->why = "no MADT: assuming a PC-AT";
        return;
    }
    if (madt->pcat_compat) {
        out->pic8259 = out->pit8254 = true;
        out->why = "MADT PCAT_COMPAT";
        return;
    }
    out->pic8259 = false;
    out->pit8254 = fadt && fadt->iapc_boot_arch_valid && fadt->legacy_devices;
    out->why = out->pit8254 ? "MADT without PCAT_COMPAT; FADT IAPC_BOOT_ARCH LEGACY_DEVICES"
                            : "MADT without PCAT_COMPAT";
}
