/* ACPI table parsing: RSDP validation, RSDT/XSDT walk, SDT header checks and MADT decoding.
 * Pure logic shared by the kernel and host unit tests; memory is reached only via struct acpi_mem.
 */
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
