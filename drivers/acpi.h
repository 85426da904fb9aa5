/* ACPI table parsing (drivers/acpi.c): RSDP, RSDT/XSDT walk, SDT header validation, MADT decoding.
 * Pure logic: physical memory is reached only through a caller-supplied struct acpi_mem. */
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

#endif
