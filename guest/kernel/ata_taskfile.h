/* ATA taskfile encoding for READ/WRITE SECTORS (28-bit LBA) and their EXT forms (48-bit LBA):
 * which command a transfer needs and the register writes that issue it. Pure C (host-tested). */
#ifndef MICA_GUEST_ATA_TASKFILE_H
#define MICA_GUEST_ATA_TASKFILE_H

#include <stdbool.h>
#include <stdint.h>

#define ATA_TASKFILE_MAX_WRITES 11 /* EXT: Features x2, Count x2, LBA x6, Device; then Command */

/* One register write: the offset from the command block base (ATA_REG_*) and the byte. */
struct ata_reg_write {
    uint8_t reg;
    uint8_t value;
};

struct ata_taskfile {
    bool ext;        /* a 48-bit command: each register written twice, previous (HOB) byte first */
    uint8_t command; /* ATA_CMD_* */
    struct ata_reg_write writes[ATA_TASKFILE_MAX_WRITES];
    unsigned write_count; /* register writes before the Command register write */
};

enum ata_taskfile_status {
    ATA_TASKFILE_OK,
    ATA_TASKFILE_BAD_COUNT, /* 0 sectors, or more than the command can move */
    ATA_TASKFILE_BAD_RANGE, /* beyond the 48-bit address space */
};

/* Encodes a PIO transfer of `count` sectors at `lba` on device 0: READ SECTORS / WRITE SECTORS
 * when the whole range lies below 2^28 sectors and count <= 256, unless force_ext; otherwise
 * READ/WRITE SECTORS EXT (count <= 65536). Sector Count 0 encodes the maximum (256 or 65536). */
enum ata_taskfile_status ata_taskfile_encode(struct ata_taskfile *tf, uint64_t lba, uint32_t count,
                                             bool write, bool force_ext);

#endif
