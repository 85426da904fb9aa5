/* ACPI table parsing (drivers/acpi.c): RSDP, RSDT/XSDT walk, SDT header validation, MADT, FADT,
 * \_S5 in the DSDT, SPCR. Pure logic: physical memory is reached only through struct acpi_mem. */
#ifndef MICA_DRIVERS_ACPI_H
#define MICA_DRIVERS_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_PACKED __attribute__((packed))

/* ---- Physical memory access ------------------------------------------------------------------ */

/* map() returns a pointer to len readable bytes holding physical [phys, phys + len), or NULL when
 * that range is not readable. Every pointer it returns must stay valid for as long as the caller
 * uses results derived from it (e.g. the header pointer of acpi_table_validate); the parser never
 * unmaps. The parser never calls map() with len == 0 or with a range whose end overflows 2^64. */
struct acpi_mem {
    const void *(*map)(uint64_t phys, size_t len, void *ctx);
    void *ctx;
};

/* ---- Status codes ---------------------------------------------------------------------------- */

enum acpi_status {
    ACPI_OK = 0,
    ACPI_ERR_INVALID_ARG, /* NULL pointer argument or missing mapper */
    ACPI_ERR_UNMAPPED,    /* the mapper refused a range (or phys + len overflows) */
    ACPI_ERR_SIGNATURE,   /* signature mismatch */
    ACPI_ERR_CHECKSUM,    /* byte sum not zero */
    ACPI_ERR_LENGTH,      /* length field too small, too large, or an entry runs past the end */
    ACPI_ERR_NOT_FOUND,   /* no such table */
    ACPI_ERR_TOO_MANY,    /* MADT parsed fully, but some entries did not fit the fixed arrays */
    ACPI_ERR_UNSUPPORTED, /* well-formed, but in a form mica does not handle (e.g. an MMIO register)
                           */
    ACPI_ERR_AML,         /* malformed AML object (bad opcode or out-of-range value) */
    ACPI_STATUS_COUNT
};

/* Short human-readable message ("bad checksum", ...); never NULL. */
const char *acpi_status_str(enum acpi_status st);

/* ---- On-disk layouts (ACPI 6.5) -------------------------------------------------------------- */

#define ACPI_RSDP_V1_SIZE  20u
#define ACPI_RSDP_V2_SIZE  36u
#define ACPI_MAX_TABLE_LEN (64u << 20) /* sanity cap on any SDT length field */

struct acpi_rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* bytes 0..19 sum to zero */
    char oem_id[6];
    uint8_t revision; /* 0 = ACPI 1.0 (20 bytes), >= 2 = extended layout */
    uint32_t rsdt_address;
    /* ACPI 2.0+ (revision >= 2) */
    uint32_t length; /* whole structure, >= 36 */
    uint64_t xsdt_address;
    uint8_t extended_checksum; /* bytes 0..length-1 sum to zero */
    uint8_t reserved[3];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_SIZE, "RSDP layout");

struct acpi_sdt_header {
    char signature[4];
    uint32_t length; /* whole table including this header */
    uint8_t revision;
    uint8_t checksum; /* whole table sums to zero */
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header layout");

/* MADT ("APIC"): header, fixed fields, then a list of variable-length entries. */
struct acpi_madt {
    struct acpi_sdt_header header;
    uint32_t lapic_address;
    uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");

#define ACPI_MADT_PCAT_COMPAT 0x1u

enum acpi_madt_entry_type {
    ACPI_MADT_LOCAL_APIC = 0,
    ACPI_MADT_IO_APIC = 1,
    ACPI_MADT_INT_SRC_OVERRIDE = 2,
    ACPI_MADT_NMI_SOURCE = 3,
    ACPI_MADT_LOCAL_APIC_NMI = 4,
    ACPI_MADT_LOCAL_APIC_OVERRIDE = 5,
    ACPI_MADT_LOCAL_X2APIC = 9,
    ACPI_MADT_LOCAL_X2APIC_NMI = 10,
};

struct acpi_madt_entry_header {
    uint8_t type;
    uint8_t length; /* whole entry, >= 2 */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_entry_header) == 2, "MADT entry header layout");

/* Local APIC / x2APIC flags */
#define ACPI_MADT_CPU_ENABLED        0x1u
#define ACPI_MADT_CPU_ONLINE_CAPABLE 0x2u

struct acpi_madt_local_apic { /* type 0 */
    struct acpi_madt_entry_header h;
    uint8_t processor_uid;
    uint8_t apic_id;
    uint32_t flags;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "MADT local APIC layout");

struct acpi_madt_io_apic { /* type 1 */
    struct acpi_madt_entry_header h;
    uint8_t io_apic_id;
    uint8_t reserved;
    uint32_t address;
    uint32_t gsi_base;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "MADT I/O APIC layout");

/* Interrupt source override / NMI flags (MPS INTI flags) */
#define ACPI_MADT_POLARITY_MASK 0x3u
#define ACPI_MADT_POLARITY_BUS  0x0u
#define ACPI_MADT_POLARITY_HIGH 0x1u
#define ACPI_MADT_POLARITY_LOW  0x3u
#define ACPI_MADT_TRIGGER_MASK  0xcu
#define ACPI_MADT_TRIGGER_BUS   0x0u
#define ACPI_MADT_TRIGGER_EDGE  0x4u
#define ACPI_MADT_TRIGGER_LEVEL 0xcu

struct acpi_madt_int_src_override { /* type 2 */
    struct acpi_madt_entry_header h;
    uint8_t bus; /* 0 = ISA */
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_int_src_override) == 10, "MADT ISO layout");

struct acpi_madt_local_apic_nmi { /* type 4 */
    struct acpi_madt_entry_header h;
    uint8_t processor_uid; /* 0xff = all processors */
    uint16_t flags;
    uint8_t lint; /* LINT0 or LINT1 */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_local_apic_nmi) == 6, "MADT local APIC NMI layout");

struct acpi_madt_local_apic_override { /* type 5 */
    struct acpi_madt_entry_header h;
    uint16_t reserved;
    uint64_t address;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_local_apic_override) == 12, "MADT LAPIC override layout");

struct acpi_madt_local_x2apic { /* type 9 */
    struct acpi_madt_entry_header h;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;
    uint32_t processor_uid;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_local_x2apic) == 16, "MADT local x2APIC layout");

/* ---- RSDP ------------------------------------------------------------------------------------ */

struct acpi_rsdp_info {
    char oem_id[7]; /* NUL-terminated */
    uint8_t revision;
    uint32_t length; /* 20 for revision < 2, else the RSDP length field */
    uint32_t rsdt_address;
    uint64_t xsdt_address; /* 0 if revision < 2 */
};

/* Validate an RSDP held in a buffer (e.g. copied from a Multiboot2 ACPI old/new tag): signature,
 * ACPI 1.0 checksum over 20 bytes, and for revision >= 2 the extended checksum over `length`
 * bytes (36 <= length <= len). Revision 1 is treated as the 20-byte layout. On error *out is
 * zeroed. */
enum acpi_status acpi_rsdp_parse(const void *rsdp_bytes, size_t len, struct acpi_rsdp_info *out);

/* ---- System description tables --------------------------------------------------------------- */

/* Validate the table at phys: header mapped, signature == sig (not checked when sig is NULL),
 * sizeof(header) <= length <= ACPI_MAX_TABLE_LEN, the whole length mapped, checksum zero.
 * On success *hdr_out (if non-NULL) points at the mapped table, `length` bytes readable;
 * on error it is set to NULL. */
enum acpi_status acpi_table_validate(const struct acpi_mem *mem, uint64_t phys, const char sig[4],
                                     const struct acpi_sdt_header **hdr_out);

/* The root table chosen for a given RSDP. The XSDT is used when xsdt_address != 0 and it
 * validates; otherwise the RSDT is used (fallback), and xsdt_status records why the XSDT was not
 * used (ACPI_ERR_NOT_FOUND if there is none). If the XSDT is invalid and there is no RSDT, the
 * XSDT's error is returned. */
struct acpi_root_info {
    uint64_t phys;
    const struct acpi_sdt_header *hdr; /* mapped, hdr->length bytes */
    bool is_xsdt;
    unsigned entry_size;  /* 8 (XSDT) or 4 (RSDT) */
    unsigned entry_count; /* whole entries only; trailing partial bytes are ignored */
    enum acpi_status xsdt_status;
};

enum acpi_status acpi_root_get(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp,
                               struct acpi_root_info *out);

/* Physical address stored in root entry i (i < entry_count). */
enum acpi_status acpi_root_entry(const struct acpi_root_info *root, unsigned i, uint64_t *phys_out);

/* Find the index-th (0-based, in root-table order) table with signature sig and validate it.
 * Null entries and entries whose header cannot be mapped are skipped; if the table is not found
 * and some entry could not be mapped, ACPI_ERR_UNMAPPED is returned instead of
 * ACPI_ERR_NOT_FOUND. If the index-th match fails validation, that error is returned. */
enum acpi_status acpi_find_table(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp,
                                 const char sig[4], unsigned index, uint64_t *phys_out);

/* ---- MADT ------------------------------------------------------------------------------------ */

#define ACPI_MAX_CPUS    64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS    16

struct acpi_madt_cpu_info {
    uint32_t apic_id; /* xAPIC ID (type 0) or x2APIC ID (type 9) */
    uint32_t uid;     /* ACPI processor UID */
    bool enabled;
    bool online_capable;
    bool x2apic; /* came from a type 9 entry */
};

struct acpi_madt_ioapic_info {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

struct acpi_madt_iso_info {
    uint8_t bus;
    uint8_t source;
    uint32_t gsi;
    uint16_t flags; /* ACPI_MADT_POLARITY_* | ACPI_MADT_TRIGGER_* */
};

struct acpi_madt_info {
    uint32_t lapic_address; /* 32-bit field of the MADT */
    uint32_t flags;
    bool pcat_compat;
    uint64_t lapic_address_override; /* type 5 entry, 0 if none */
    uint64_t lapic_phys;             /* effective: the override if present, else lapic_address */

    unsigned cpu_count; /* entries stored in cpus[], <= ACPI_MAX_CPUS */
    unsigned cpu_total; /* type 0 + type 9 entries seen */
    struct acpi_madt_cpu_info cpus[ACPI_MAX_CPUS];

    unsigned ioapic_count; /* stored, <= ACPI_MAX_IOAPICS */
    unsigned ioapic_total;
    struct acpi_madt_ioapic_info ioapics[ACPI_MAX_IOAPICS];

    unsigned iso_count; /* stored, <= ACPI_MAX_ISOS */
    unsigned iso_total;
    struct acpi_madt_iso_info isos[ACPI_MAX_ISOS];

    unsigned nmi_count;       /* type 4 entries (counted, not stored) */
    unsigned skipped_entries; /* entries of any other type, skipped by their length */
    bool truncated;           /* some *_total exceeds its *_count */
};

/* Validate the MADT at madt_phys (signature "APIC", checksum, length >= 44) and decode it.
 * Entries are stored in table order; x2APIC entries are not de-duplicated against xAPIC ones.
 * An entry with length < 2, shorter than its type's layout, or running past the table end gives
 * ACPI_ERR_LENGTH. If every entry is valid but some did not fit, *out is fully populated
 * (truncated = true) and ACPI_ERR_TOO_MANY is returned. On other errors *out is unspecified. */
enum acpi_status acpi_madt_parse(const struct acpi_mem *mem, uint64_t madt_phys,
                                 struct acpi_madt_info *out);

/* ---- Generic Address Structure (ACPI 6.5 section 5.2.3.2) ------------------------------------ */

struct acpi_gas {
    uint8_t address_space_id; /* ACPI_GAS_SPACE_* */
    uint8_t register_bit_width;
    uint8_t register_bit_offset;
    uint8_t access_size; /* 0 undefined (legacy), 1 byte, 2 word, 3 dword, 4 qword */
    uint64_t address;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout");

#define ACPI_GAS_SPACE_SYSTEM_MEMORY 0x00
#define ACPI_GAS_SPACE_SYSTEM_IO     0x01
#define ACPI_GAS_SPACE_PCI_CONFIG    0x02
#define ACPI_GAS_SPACE_FFH           0x7f /* functional fixed hardware */

/* "system memory", "system I/O", "PCI configuration", ... or "other"; never NULL. */
const char *acpi_gas_space_str(uint8_t address_space_id);

/* A register as mica uses it: from a GAS, or from a FADT 32-bit I/O block field. */
struct acpi_reg {
    uint8_t space; /* ACPI_GAS_SPACE_*; ACPI_GAS_SPACE_SYSTEM_IO for a 32-bit block field */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address; /* 0: the register is not present */
    bool from_gas;    /* came from a 64-bit X_ field or a GAS-only field (RESET_REG) */
};

/* True when r is present and is an I/O port (system I/O space, address <= 0xffff). */
static inline bool acpi_reg_is_io_port(const struct acpi_reg *r)
{
    return r->address != 0 && r->space == ACPI_GAS_SPACE_SYSTEM_IO && r->address <= 0xffffu;
}

/* ---- FADT ("FACP", ACPI 6.5 section 5.2.9) --------------------------------------------------- */

/* Byte lengths of the FADT by the ACPI version that defined its last field. A table's length field
 * decides which fields are read, whatever its revision says. */
#define ACPI_FADT_V1_LEN 116u /* ACPI 1.0: through Flags (revision 1) */
#define ACPI_FADT_V2_LEN 129u /* ACPI 1.0b extension: through RESET_VALUE (revision 2) */
#define ACPI_FADT_V3_LEN 244u /* ACPI 2.0: through X_GPE1_BLK (revision 3, 4) */
#define ACPI_FADT_V5_LEN 268u /* ACPI 5.0: through SLEEP_STATUS_REG */
#define ACPI_FADT_V6_LEN 276u /* ACPI 6.0: through the hypervisor vendor identity */

struct acpi_fadt {
    struct acpi_sdt_header header;
    uint32_t firmware_ctrl;
    uint32_t dsdt;
    uint8_t reserved0; /* INT_MODEL in ACPI 1.0 */
    uint8_t preferred_pm_profile;
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable;
    uint8_t acpi_disable;
    uint8_t s4bios_req;
    uint8_t pstate_cnt;
    uint32_t pm1a_evt_blk;
    uint32_t pm1b_evt_blk;
    uint32_t pm1a_cnt_blk;
    uint32_t pm1b_cnt_blk;
    uint32_t pm2_cnt_blk;
    uint32_t pm_tmr_blk;
    uint32_t gpe0_blk;
    uint32_t gpe1_blk;
    uint8_t pm1_evt_len;
    uint8_t pm1_cnt_len;
    uint8_t pm2_cnt_len;
    uint8_t pm_tmr_len;
    uint8_t gpe0_blk_len;
    uint8_t gpe1_blk_len;
    uint8_t gpe1_base;
    uint8_t cst_cnt;
    uint16_t p_lvl2_lat;
    uint16_t p_lvl3_lat;
    uint16_t flush_size;
    uint16_t flush_stride;
    uint8_t duty_offset;
    uint8_t duty_width;
    uint8_t day_alrm;
    uint8_t mon_alrm;
    uint8_t century;
    uint16_t iapc_boot_arch; /* ACPI 2.0+ (reserved in 1.0) */
    uint8_t reserved1;
    uint32_t flags; /* end of the ACPI 1.0 table (116 bytes) */
    struct acpi_gas reset_reg;
    uint8_t reset_value; /* end of the revision 2 table (129 bytes) */
    uint16_t arm_boot_arch;
    uint8_t fadt_minor_version;
    uint64_t x_firmware_ctrl;
    uint64_t x_dsdt;
    struct acpi_gas x_pm1a_evt_blk;
    struct acpi_gas x_pm1b_evt_blk;
    struct acpi_gas x_pm1a_cnt_blk;
    struct acpi_gas x_pm1b_cnt_blk;
    struct acpi_gas x_pm2_cnt_blk;
    struct acpi_gas x_pm_tmr_blk;
    struct acpi_gas x_gpe0_blk;
    struct acpi_gas x_gpe1_blk; /* end of the ACPI 2.0 table (244 bytes) */
    struct acpi_gas sleep_control_reg;
    struct acpi_gas sleep_status_reg; /* end of the ACPI 5.0 table (268 bytes) */
    uint64_t hypervisor_vendor_identity;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_fadt) == ACPI_FADT_V6_LEN, "FADT layout");

/* FADT Flags (fixed feature flags) */
#define ACPI_FADT_RESET_REG_SUP   (1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)

/* IAPC_BOOT_ARCH (IA-PC boot architecture flags) */
#define ACPI_IAPC_BOOT_ARCH_LEGACY_DEVICES       (1u << 0)
#define ACPI_IAPC_BOOT_ARCH_8042                 (1u << 1)
#define ACPI_IAPC_BOOT_ARCH_VGA_NOT_PRESENT      (1u << 2)
#define ACPI_IAPC_BOOT_ARCH_MSI_NOT_SUPPORTED    (1u << 3)
#define ACPI_IAPC_BOOT_ARCH_PCIE_ASPM_CONTROLS   (1u << 4)
#define ACPI_IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1u << 5)

/* PM1 status and control registers (ACPI 6.5 section 4.8.3.1) */
#define ACPI_PM1_STS_WAK_STS             (1u << 15)
#define ACPI_PM1_CNT_SCI_EN              (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT       10
#define ACPI_PM1_CNT_SLP_TYP_MASK        (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN              (1u << 13)
/* Sleep control register of HW-reduced ACPI (ACPI 6.5 section 4.8.3.7) */
#define ACPI_SLEEP_CONTROL_SLP_TYP_SHIFT 2
#define ACPI_SLEEP_CONTROL_SLP_TYP_MASK  (7u << ACPI_SLEEP_CONTROL_SLP_TYP_SHIFT)
#define ACPI_SLEEP_CONTROL_SLP_EN        (1u << 5)

/* What mica needs from the FADT. A field the table's length does not cover reads as absent (0,
 * false). For each PM1 block the 64-bit X_ GAS is used when the table covers it and its address is
 * non-zero, else the 32-bit I/O port field. */
struct acpi_fadt_info {
    uint8_t revision;
    uint32_t length;

    uint64_t dsdt;       /* X_DSDT when covered and non-zero, else DSDT; 0 if neither */
    uint32_t dsdt32;     /* the 32-bit DSDT field as found */
    uint64_t x_dsdt;     /* the X_DSDT field (0 when absent) */
    uint32_t smi_cmd;    /* port; 0: no legacy mode, the system is always in ACPI mode */
    uint8_t acpi_enable; /* value written to SMI_CMD to enter ACPI mode */
    uint8_t acpi_disable;

    struct acpi_reg pm1a_evt, pm1b_evt; /* event blocks: status register in the first half */
    struct acpi_reg pm1a_cnt, pm1b_cnt; /* control blocks */
    uint8_t pm1_evt_len, pm1_cnt_len;
    /* PM1a_CNT is an I/O port and PM1b_CNT is absent or an I/O port: what acpi_power uses. A PM1
     * block in system memory (MMIO) or any other space is reported here as unsupported. */
    bool pm1_cnt_supported;

    uint32_t flags; /* ACPI_FADT_* */
    bool hw_reduced;
    bool reset_reg_sup;
    struct acpi_reg reset_reg; /* address 0 when absent or not covered */
    uint8_t reset_value;
    struct acpi_reg sleep_control; /* ACPI 5.0+, for HW-reduced platforms */

    bool iapc_boot_arch_valid; /* revision >= 2 and the field is covered */
    uint16_t iapc_boot_arch;   /* ACPI_IAPC_BOOT_ARCH_*, 0 when not valid */
    bool has_8042, legacy_devices, vga_not_present, cmos_rtc_not_present;
};

/* Validate the FADT at phys (signature "FACP", checksum, length >= ACPI_FADT_V1_LEN) and decode it.
 * On error *out is zeroed. */
enum acpi_status acpi_fadt_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_fadt_info *out);

/* The PM1 control value that requests sleep type slp_typ (0-7): `current` with SLP_TYP replaced
 * and SLP_EN set or clear as asked; the other bits (SCI_EN, ...) are kept. */
uint16_t acpi_pm1_cnt_sleep_value(uint16_t current, uint8_t slp_typ, bool slp_en);

/* ---- \_S5 (soft-off) sleep type from the DSDT/SSDT AML --------------------------------------- */

#define ACPI_AML_NAME_OP      0x08
#define ACPI_AML_ZERO_OP      0x00
#define ACPI_AML_ONE_OP       0x01
#define ACPI_AML_BYTE_PREFIX  0x0a
#define ACPI_AML_WORD_PREFIX  0x0b
#define ACPI_AML_DWORD_PREFIX 0x0c
#define ACPI_AML_QWORD_PREFIX 0x0e
#define ACPI_AML_PACKAGE_OP   0x12
#define ACPI_AML_ONES_OP      0xff
#define ACPI_SLP_TYP_MAX      7u

struct acpi_s5_info {
    uint8_t slp_typa;      /* 0-7, for PM1a_CNT (or the sleep control register) */
    uint8_t slp_typb;      /* 0-7, for PM1b_CNT */
    uint8_t element_count; /* NumElements of the package */
    size_t offset;         /* of the "_S5_" name from the start of the AML buffer or table */
};

/* Finds Name(_S5, Package(){SLP_TYPa, SLP_TYPb, ...}) in AML bytes: "_S5_" preceded by NameOp
 * (0x08, optionally with a '\' or '^' prefix) and followed by PackageOp (0x12). Elements may be
 * ZeroOp/OneOp, ByteConst (0x0a nn), Word/DWord/QWordConst, or a bare byte 2..7 (seen in hand-
 * written tables). A one-element package holds SLP_TYPa in bits 0-7 and SLP_TYPb in 8-15 (the
 * ACPI 1.0 packed form). The first such name is used.
 * ACPI_ERR_NOT_FOUND: no "_S5_" at all; ACPI_ERR_UNSUPPORTED: "_S5_" appears but never as
 * Name(_S5, Package) (e.g. a Method); ACPI_ERR_LENGTH: PkgLength runs past the buffer or the
 * package ends before its elements; ACPI_ERR_AML: zero elements, an element that is not an
 * integer constant, or a value above 7. Reads only aml[0..len). */
enum acpi_status acpi_aml_find_s5(const uint8_t *aml, size_t len, struct acpi_s5_info *out);

/* Validates the table at phys (signature sig: "DSDT" or "SSDT") and runs acpi_aml_find_s5 over
 * its AML (after the header); out->offset is then from the start of the table. */
enum acpi_status acpi_table_find_s5(const struct acpi_mem *mem, uint64_t phys, const char sig[4],
                                    struct acpi_s5_info *out);

/* ---- SPCR (Serial Port Console Redirection, Microsoft spec revision 4) ----------------------- */

#define ACPI_SPCR_MIN_LEN 80u /* revisions 1 and 2 */

/* Interface types (DBG2 serial port subtypes) */
#define ACPI_SPCR_16550            0x00
#define ACPI_SPCR_16550_SUBSET     0x01 /* 16450 */
#define ACPI_SPCR_ARM_PL011        0x03
#define ACPI_SPCR_ARM_SBSA_32BIT   0x0d
#define ACPI_SPCR_ARM_SBSA_GENERIC 0x0e
#define ACPI_SPCR_16550_WITH_GAS   0x12

struct acpi_spcr_info {
    uint8_t revision;
    uint8_t interface_type;
    struct acpi_reg base; /* system I/O or system memory; address 0: redirection disabled */
    uint8_t interrupt_type;
    uint8_t irq; /* PC-AT IRQ */
    uint32_t gsi;
    uint8_t
        baud_code; /* "configured baud rate" field: 0 as is, 3 9600, 4 19200, 6 57600, 7 115200 */
    uint32_t baud_rate; /* decoded, or the precise baud rate (revision 4); 0: as firmware left it */
    uint8_t parity;     /* 0: none */
    uint8_t stop_bits;  /* 1: one stop bit */
    uint8_t flow_control;
    uint8_t terminal_type;
    uint16_t pci_device_id, pci_vendor_id; /* 0xffff: not a PCI device */
    uint8_t pci_bus, pci_device, pci_function, pci_segment;
    uint32_t uart_clock_freq; /* revision 3+, 0 when absent */
};

/* Validates the SPCR at phys (signature "SPCR", checksum, length >= ACPI_SPCR_MIN_LEN) and decodes
 * it. An unknown baud code gives baud_rate 0. On error *out is zeroed. */
enum acpi_status acpi_spcr_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_spcr_info *out);

/* "16550", "16450", "PL011", ... or "other"; never NULL. */
const char *acpi_spcr_interface_str(uint8_t interface_type);

/* ---- HPET description table (IA-PC HPET specification 1.0a, section 3.2.4) ------------------ */

#define ACPI_HPET_LEN 56u

struct acpi_hpet_info {
    uint32_t event_timer_block_id; /* hardware revision, comparator count, vendor (as the GCAP) */
    uint64_t address;              /* physical base of the register block (system memory) */
    uint8_t hpet_number;
    uint16_t min_clock_tick;
    uint8_t page_protection;
};

/* Validates the table at phys (signature "HPET", checksum, length >= ACPI_HPET_LEN) and decodes
 * it. ACPI_ERR_UNSUPPORTED: the base address is not in system memory, or is 0 or not 1 KiB
 * aligned (the register block is 1 KiB). On error *out is zeroed. */
enum acpi_status acpi_hpet_parse(const struct acpi_mem *mem, uint64_t phys,
                                 struct acpi_hpet_info *out);

/* ---- Legacy PC devices ----------------------------------------------------------------------- */

/* Whether the host has the 8259 PIC pair and the 8254 PIT, decided from the MADT and FADT (each
 * may be absent: madt/fadt NULL). The 8259 pair exists when the MADT sets PCAT_COMPAT (ACPI 6.5,
 * 5.2.12 table 5.20), or when there is no MADT (a PC without ACPI interrupt tables); never on a
 * HW-reduced ACPI platform (FADT flag, ACPI 6.5 5.2.9.3), which has no legacy devices. The PIT is
 * expected under the same conditions, and additionally when the FADT's IAPC_BOOT_ARCH says
 * LEGACY_DEVICES; whether it counts is checked when it is used. */
struct acpi_legacy_pc {
    bool pic8259;
    bool pit8254;
    const char *why; /* the reason, for the boot log; never NULL */
};
void acpi_legacy_pc_decide(const struct acpi_madt_info *madt, const struct acpi_fadt_info *fadt,
                           struct acpi_legacy_pc *out);

#endif
