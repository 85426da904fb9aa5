/* ATA taskfile encoding: picks the 28- or 48-bit command and lists the register writes in the
 * order ATA-6 gives (for 48-bit commands, each FIFO register's previous byte first). */
#include "guest/kernel/ata_taskfile.h"

#include "vmm/devices/ata_pio.h" /* the ATA standard's register, bit and command names */

#define LBA28_LIMIT      (1ull << 28)
#define LBA48_LIMIT      (1ull << 48)
#define BYTE_BITS        8u
#define BYTE_MASK        0xffu
#define LBA28_HEAD_SHIFT 24u

static void add(struct ata_taskfile *tf, uint8_t reg, uint64_t value)
{
    tf->writes[tf->write_count++] = (struct ata_reg_write){reg, (uint8_t)(value & BYTE_MASK)};
}

static uint8_t byte_of(uint64_t v, unsigned n)
{
    return (uint8_t)((v >> (n * BYTE_BITS)) & BYTE_MASK);
}

enum ata_taskfile_status ata_taskfile_encode(struct ata_taskfile *tf, uint64_t lba, uint32_t count,
                                             bool write, bool force_ext)
{
    tf->write_count = 0;
    if (count == 0 || count > ATA_LBA48_COUNT_MAX)
        return ATA_TASKFILE_BAD_COUNT;
    if (lba >= LBA48_LIMIT || lba + count > LBA48_LIMIT)
        return ATA_TASKFILE_BAD_RANGE;
    tf->ext = force_ext || count > ATA_LBA28_COUNT_MAX || lba + count > LBA28_LIMIT;
    if (tf->ext) {
        tf->command = write ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_READ_SECTORS_EXT;
        uint32_t encoded = count == ATA_LBA48_COUNT_MAX ? 0 : count;
        add(tf, ATA_REG_FEATURES, 0);
        add(tf, ATA_REG_FEATURES, 0);
        add(tf, ATA_REG_COUNT, byte_of(encoded, 1));
        add(tf, ATA_REG_COUNT, byte_of(encoded, 0));
        add(tf, ATA_REG_LBA_LOW, byte_of(lba, 3));
        add(tf, ATA_REG_LBA_LOW, byte_of(lba, 0));
        add(tf, ATA_REG_LBA_MID, byte_of(lba, 4));
        add(tf, ATA_REG_LBA_MID, byte_of(lba, 1));
        add(tf, ATA_REG_LBA_HIGH, byte_of(lba, 5));
        add(tf, ATA_REG_LBA_HIGH, byte_of(lba, 2));
        add(tf, ATA_REG_DEVICE, ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA);
    } else {
        tf->command = write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS;
        uint32_t encoded = count == ATA_LBA28_COUNT_MAX ? 0 : count;
        add(tf, ATA_REG_FEATURES, 0);
        add(tf, ATA_REG_COUNT, encoded);
        add(tf, ATA_REG_LBA_LOW, byte_of(lba, 0));
        add(tf, ATA_REG_LBA_MID, byte_of(lba, 1));
        add(tf, ATA_REG_LBA_HIGH, byte_of(lba, 2));
        add(tf, ATA_REG_DEVICE,
            ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA |
                ((lba >> LBA28_HEAD_SHIFT) & ATA_DEVICE_HEAD_MASK));
    }
    return ATA_TASKFILE_OK;
}
