/* The guest's ATA disk on the primary IDE channel in PIO mode (vmm/devices/ata_pio.c): register
 * file, command set, PIO data-in/data-out protocols, IRQ14, SRST, port-bus glue and dump. */
#ifndef MICA_VMM_DEVICES_ATA_PIO_H
#define MICA_VMM_DEVICES_ATA_PIO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"
#include "vmm/iobus.h"

/*
 * Model (ATA/ATAPI-6, T13 1410D; register, bit and command names are the standard's):
 *
 * - Channel: the primary channel's command block at 0x1f0-0x1f7 and its control block at 0x3f6
 *   (Alternate Status on read, Device Control on write). 0x3f7 is not claimed (it is the floppy
 *   controller's on a PC). INTRQ drives IRQ14 through an irq_line, as a level: the line is high
 *   while device 0 has an interrupt pending, is selected (DEV = 0) and nIEN is 0 (INTRQ is in
 *   high impedance otherwise), and is set through the irq_line only when the level changes.
 * - Devices: device 0 (master) is a disk backed by the caller's memory; device 1 (slave) is
 *   absent. Both latch every write to the command block registers, so the registers read back
 *   as written whichever device is selected. With DEV = 1, device 0 responds for the absent
 *   device 1 (ATA-6, "device 0 only" configuration): Status and Alternate Status read 00h, Error
 *   reads 00h, the other registers read back, the Data register is not driven; commands are
 *   ignored, except EXECUTE DEVICE DIAGNOSTIC, which the standard has both devices execute
 *   whatever DEV says (it ends with the signature, whose DEV = 0 selects device 0 again). A
 *   status read with DEV = 1 does not clear device 0's pending interrupt.
 * - No drive (ata_pio_init() with a NULL image): nothing drives the bus. The ports are still
 *   claimed so that the guest sees what a PC with an empty channel shows: every register byte
 *   reads 7Fh (ATA requires the host to pull DD7 down, so BSY reads 0 and the other lines float
 *   high), the Data register reads FF7Fh, writes are ignored and IRQ14 never rises.
 * - Undriven data: a Data register read with DRQ = 0, with DEV = 1, or past the end of a
 *   transfer reads FF7Fh (floating, DD7 pulled down) and is counted in stray_data; such writes
 *   are dropped and counted too.
 * - Timing: every command completes at once. BSY is therefore never seen except while SRST is
 *   set; DRQ comes up (with its interrupt) as soon as a command or a data block asks for it.
 *   Status bit 4 (DSC, "device seek complete" before ATA-4, command dependent since) is set
 *   together with DRDY, as drives do: an idle device reads 50h. DF is never set.
 * - Commands: IDENTIFY DEVICE, READ/WRITE SECTORS (LBA28 or CHS; count 0 = 256), READ/WRITE
 *   SECTORS EXT (LBA48; count 0 = 65536), SET MULTIPLE MODE and READ/WRITE MULTIPLE (EXT) with up
 *   to ATA_PIO_MAX_MULTIPLE sectors per DRQ data block, SET FEATURES (only the Set Transfer Mode
 *   subcommand, PIO modes 0-4; DMA modes and other subcommands are aborted), FLUSH CACHE (EXT)
 *   (writes go to memory at once: nothing to flush), EXECUTE DEVICE DIAGNOSTIC and INITIALIZE
 *   DEVICE PARAMETERS (sets the CHS translation). Any other command is aborted: ERR in Status,
 *   ABRT in Error, INTRQ. A command written while a transfer is in progress abandons it (as
 *   QEMU does); one written while SRST is set is ignored.
 * - Addressing: a command's whole range is checked before any data moves. A range that does not
 *   lie within the disk (LBA28 commands: within the first 0FFFFFFFh sectors; CHS: within the
 *   current translation) ends the command with ERR and IDNF and an interrupt; nothing is read or
 *   written. The registers then still hold the address the host wrote; after a successful
 *   command they are likewise left unchanged. 48-bit commands always address by LBA (the LBA
 *   bit, required to be one, is not checked); device bits 3:0 are ignored for them.
 * - CHS: default translation 16 heads, 63 sectors per track, cylinders = sectors / 1008 (at most
 *   16383; 0 for disks under 1008 sectors, so that CHS commands then fail with IDNF). INITIALIZE
 *   DEVICE PARAMETERS sets heads = device bits 3:0 + 1 and sectors per track = Sector Count
 *   (0 is aborted), cylinders = min(capacity / (heads * sectors), 65535). The translation and the
 *   multiple count survive SRST (ATA-6 keeps them unless a reset reverts to defaults).
 * - PIO data-in (reads, IDENTIFY): a DRQ data block (1 sector, or the multiple count for READ
 *   MULTIPLE) is made ready with DRQ and one INTRQ; after the host reads the last word of the
 *   last block, DRQ drops with no interrupt. PIO data-out (writes): DRQ without interrupt after
 *   the command; each sector goes to the image when its last word is written, and each completed
 *   block is followed by INTRQ (with DRQ for the next block, or as the completion interrupt).
 * - INTRQ pending: set by the protocols above (and counted in `interrupts`, whether or not nIEN
 *   masks it), cleared by reading Status (not Alternate Status), by writing Command and by SRST.
 *   Setting nIEN hides a pending interrupt; clearing it shows it again.
 * - HOB: Features, Sector Count, LBA Low/Mid/High are each a two-deep FIFO; a write pushes the
 *   previous value down. Reads return the most recent value, or the previous one while the
 *   Device Control HOB bit is set. A write to any command block register (Data included)
 *   clears HOB, as ATA-6 requires.
 * - SRST: setting it abandons any transfer (a partly written sector is not written), clears the
 *   pending interrupt and makes Status read BSY; clearing it completes the reset: the signature
 *   of an ATA device (Sector Count 01h, LBA Low 01h, LBA Mid 00h, LBA High 00h, Device 00h), the
 *   diagnostic code 01h in Error, Status DRDY. No interrupt. SRST is a channel reset, not a
 *   command: it resets device 0 whatever DEV says.
 * - Access sizes: every access to the Data register is one 16-bit transfer, except 32-bit ones,
 *   which are two (low word first, as 32-bit PIO drivers expect). An 8-bit access is also a
 *   whole word transfer, as on a PC's IDE interface: a read returns the low byte of the word and
 *   the high byte is lost; a write sends the byte as the low byte with a high byte of 00h. (QEMU
 *   ignores 8-bit accesses to the Data register instead.) Wider accesses to the other ports act
 *   as consecutive byte accesses to consecutive ports, as the ISA bus splits them; bytes at
 *   ports the model does not own read FFh and are dropped.
 */

#define ATA_PIO_CMD_BLOCK_BASE  0x1f0 /* primary channel command block */
#define ATA_PIO_CMD_BLOCK_PORTS 8
#define ATA_PIO_CTRL_BLOCK_PORT 0x3f6 /* primary channel Alternate Status / Device Control */
#define ATA_PIO_IRQ             14
#define ATA_PIO_MAX_MULTIPLE    16 /* sectors per DRQ data block in READ/WRITE MULTIPLE */

#define ATA_SECTOR_SIZE  512
#define ATA_SECTOR_WORDS (ATA_SECTOR_SIZE / 2)

/* Command block register offsets from ATA_PIO_CMD_BLOCK_BASE. */
#define ATA_REG_DATA     0
#define ATA_REG_ERROR    1 /* read */
#define ATA_REG_FEATURES 1 /* write */
#define ATA_REG_COUNT    2 /* Sector Count */
#define ATA_REG_LBA_LOW  3 /* Sector Number in CHS addressing */
#define ATA_REG_LBA_MID  4 /* Cylinder Low */
#define ATA_REG_LBA_HIGH 5 /* Cylinder High */
#define ATA_REG_DEVICE   6 /* Device/Head */
#define ATA_REG_STATUS   7 /* read */
#define ATA_REG_COMMAND  7 /* write */

/* Status and Alternate Status. Bits 1 (IDX) and 2 (CORR) are obsolete and read 0. */
#define ATA_STATUS_ERR  0x01 /* error: see the Error register */
#define ATA_STATUS_DRQ  0x08 /* data request: the Data register expects a transfer */
#define ATA_STATUS_DSC  0x10 /* device seek complete (obsolete; command dependent in ATA-6) */
#define ATA_STATUS_DF   0x20 /* device fault */
#define ATA_STATUS_DRDY 0x40 /* device ready */
#define ATA_STATUS_BSY  0x80 /* busy */

/* Error (valid when Status.ERR is set). */
#define ATA_ERROR_ABRT 0x04 /* command aborted */
#define ATA_ERROR_IDNF 0x10 /* ID not found: address outside the user-accessible range */
#define ATA_ERROR_UNC  0x40 /* uncorrectable data (never reported: memory does not fail) */

/* Device (Device/Head). */
#define ATA_DEVICE_HEAD_MASK 0x0f /* CHS head, or LBA bits 27:24 for 28-bit commands */
#define ATA_DEVICE_DEV       0x10 /* 0 selects device 0 (master), 1 device 1 (slave) */
#define ATA_DEVICE_LBA       0x40 /* 1: LBA addressing, 0: CHS */
#define ATA_DEVICE_OBSOLETE                                                                        \
    0xa0 /* bits 7 and 5: "shall be one" in ATA-1; drivers still set them                          \
          */

/* Device Control. */
#define ATA_CONTROL_NIEN 0x02 /* INTRQ disabled */
#define ATA_CONTROL_SRST 0x04 /* software reset */
#define ATA_CONTROL_HOB  0x80 /* high order byte: reads return the previous FIFO contents */

/* Commands. */
#define ATA_CMD_READ_SECTORS                 0x20
#define ATA_CMD_READ_SECTORS_EXT             0x24
#define ATA_CMD_READ_MULTIPLE_EXT            0x29
#define ATA_CMD_WRITE_SECTORS                0x30
#define ATA_CMD_WRITE_SECTORS_EXT            0x34
#define ATA_CMD_WRITE_MULTIPLE_EXT           0x39
#define ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC    0x90
#define ATA_CMD_INITIALIZE_DEVICE_PARAMETERS 0x91
#define ATA_CMD_READ_MULTIPLE                0xc4
#define ATA_CMD_WRITE_MULTIPLE               0xc5
#define ATA_CMD_SET_MULTIPLE_MODE            0xc6
#define ATA_CMD_FLUSH_CACHE                  0xe7
#define ATA_CMD_FLUSH_CACHE_EXT              0xea
#define ATA_CMD_IDENTIFY_DEVICE              0xec
#define ATA_CMD_SET_FEATURES                 0xef

/* SET FEATURES subcommand (Features register) and its transfer mode values (Sector Count:
 * bits 7:3 the transfer type, bits 2:0 the mode). */
#define ATA_FEATURE_SET_TRANSFER_MODE 0x03
#define ATA_XFER_PIO_DEFAULT          0x00 /* PIO default mode */
#define ATA_XFER_PIO_DEFAULT_NO_IORDY 0x01 /* PIO default mode, disable IORDY */
#define ATA_XFER_PIO_FLOW_CONTROL     0x08 /* PIO flow control transfer mode x */
#define ATA_XFER_MDMA                 0x20 /* multiword DMA mode x (not supported) */
#define ATA_XFER_UDMA                 0x40 /* Ultra DMA mode x (not supported) */
#define ATA_XFER_TYPE_MASK            0xf8
#define ATA_XFER_MODE_MASK            0x07
#define ATA_PIO_MAX_PIO_MODE          4

/* Diagnostic code (Error after reset or EXECUTE DEVICE DIAGNOSTIC): device 0 passed, device 1
 * passed or not present. */
#define ATA_DIAG_DEVICE0_PASSED 0x01

/* Signature of a device that does not implement the PACKET command feature set. */
#define ATA_SIGNATURE_COUNT    0x01
#define ATA_SIGNATURE_LBA_LOW  0x01
#define ATA_SIGNATURE_LBA_MID  0x00
#define ATA_SIGNATURE_LBA_HIGH 0x00
#define ATA_SIGNATURE_DEVICE   0x00

/* Addressing limits. */
#define ATA_LBA28_COUNT_MAX   256u                  /* Sector Count 0 */
#define ATA_LBA48_COUNT_MAX   65536u                /* Sector Count 0000h */
#define ATA_LBA28_MAX_SECTORS 0x0fffffffu           /* IDENTIFY words 60-61 at most */
#define ATA_LBA48_MAX_SECTORS 0x0000ffffffffffffull /* IDENTIFY words 100-103 at most */
#define ATA_CHS_MAX_CYLINDERS 65535u                /* IDENTIFY word 54 */
#define ATA_CHS_MAX_HEADS     16u

/* IDENTIFY DEVICE word numbers. */
#define ATA_ID_CONFIG               0 /* general configuration */
#define ATA_ID_CYLINDERS            1 /* default CHS translation */
#define ATA_ID_HEADS                3
#define ATA_ID_SECTORS_PER_TRACK    6
#define ATA_ID_SERIAL               10 /* 20 ASCII characters */
#define ATA_ID_SERIAL_WORDS         10
#define ATA_ID_FIRMWARE             23 /* 8 ASCII characters */
#define ATA_ID_FIRMWARE_WORDS       4
#define ATA_ID_MODEL                27 /* 40 ASCII characters */
#define ATA_ID_MODEL_WORDS          20
#define ATA_ID_MAX_MULTIPLE         47
#define ATA_ID_CAPABILITIES         49
#define ATA_ID_CAPABILITIES_2       50
#define ATA_ID_FIELD_VALIDITY       53
#define ATA_ID_CUR_CYLINDERS        54 /* current CHS translation */
#define ATA_ID_CUR_HEADS            55
#define ATA_ID_CUR_SECTORS          56
#define ATA_ID_CUR_CAPACITY         57 /* 2 words */
#define ATA_ID_CUR_CAPACITY_WORDS   2
#define ATA_ID_MULTIPLE_SETTING     59
#define ATA_ID_LBA28_CAPACITY       60 /* sectors addressable by 28-bit commands */
#define ATA_ID_LBA28_CAPACITY_WORDS 2
#define ATA_ID_MDMA_MODES           63
#define ATA_ID_PIO_MODES            64
#define ATA_ID_MIN_PIO_CYCLE        67 /* ns, without flow control */
#define ATA_ID_MIN_PIO_CYCLE_IORDY  68 /* ns, with IORDY flow control */
#define ATA_ID_MAJOR_VERSION        80
#define ATA_ID_MINOR_VERSION        81
#define ATA_ID_COMMAND_SET_1        82 /* supported */
#define ATA_ID_COMMAND_SET_2        83
#define ATA_ID_COMMAND_SET_EXT      84
#define ATA_ID_COMMAND_ENABLED_1    85 /* enabled */
#define ATA_ID_COMMAND_ENABLED_2    86
#define ATA_ID_COMMAND_DEFAULT      87
#define ATA_ID_UDMA_MODES           88
#define ATA_ID_LBA48_CAPACITY       100 /* sectors addressable by 48-bit commands */
#define ATA_ID_LBA48_CAPACITY_WORDS 4
#define ATA_ID_INTEGRITY            255 /* checksum (15:8) and signature (7:0) */

/* IDENTIFY DEVICE bits. */
#define ATA_ID_CONFIG_NOT_REMOVABLE  0x0040 /* word 0 bit 6 (obsolete; fixed disks set it) */
#define ATA_ID_MAX_MULTIPLE_HIGH     0x8000 /* word 47 bits 15:8 = 80h */
#define ATA_ID_CAP_LBA               0x0200 /* word 49 bit 9 */
#define ATA_ID_CAP_IORDY             0x0800 /* word 49 bit 11 */
#define ATA_ID_CAP2_ONE              0x4000 /* word 50 bit 14 shall be one */
#define ATA_ID_VALID_CUR_CHS         0x0001 /* word 53 bit 0: words 54-58 valid */
#define ATA_ID_VALID_PIO             0x0002 /* word 53 bit 1: words 64-70 valid */
#define ATA_ID_MULTIPLE_VALID        0x0100 /* word 59 bit 8: bits 7:0 are the setting */
#define ATA_ID_PIO_MODE3             0x0001 /* word 64 */
#define ATA_ID_PIO_MODE4             0x0002
#define ATA_ID_MAJOR_ATA4            0x0010 /* word 80 */
#define ATA_ID_MAJOR_ATA5            0x0020
#define ATA_ID_MAJOR_ATA6            0x0040
#define ATA_ID_WORD_VALID            0x4000 /* words 83, 84, 87: bit 14 one, bit 15 zero */
#define ATA_ID_CMD2_LBA48            0x0400 /* words 83, 86 bit 10: 48-bit Address feature set */
#define ATA_ID_CMD2_FLUSH_CACHE      0x1000 /* words 83, 86 bit 12 */
#define ATA_ID_CMD2_FLUSH_CACHE_EXT  0x2000 /* words 83, 86 bit 13 */
#define ATA_ID_INTEGRITY_SIGNATURE   0x00a5
#define ATA_PIO_MIN_PIO_CYCLE_NS     120 /* PIO mode 4 */
#define ATA_PIO_DEFAULT_HEADS        16
#define ATA_PIO_DEFAULT_SECTORS      63
#define ATA_PIO_DEFAULT_CYLINDER_MAX 16383 /* word 1 at most */

/* The strings IDENTIFY DEVICE reports (padded with spaces). */
#define ATA_PIO_MODEL    "MICA ATA PIO DISK"
#define ATA_PIO_SERIAL   "MICA-0000000001"
#define ATA_PIO_FIRMWARE "1.0"

enum ata_pio_phase {
    ATA_PIO_IDLE,     /* no transfer: DRQ = 0 */
    ATA_PIO_DATA_IN,  /* device to host: the host reads the Data register */
    ATA_PIO_DATA_OUT, /* host to device: the host writes the Data register */
};

/* All state; read it freely (dumps, tests), change it only through the functions below. */
struct ata_pio {
    uint8_t *image; /* device 0's contents, NULL when there is no drive */
    uint64_t sectors;
    struct irq_line irq;
    bool irq_level; /* the level last driven on the irq_line */

    /* Command block registers as written by the host: [0] the most recent value, [1] the
     * previous one (read with HOB = 1; the high bytes of 48-bit commands). */
    uint8_t features[2];
    uint8_t count[2];
    uint8_t lba_low[2];
    uint8_t lba_mid[2];
    uint8_t lba_high[2];
    uint8_t device;
    uint8_t control; /* Device Control as last written (HOB cleared by command block writes) */

    /* Device 0. */
    uint8_t status; /* as read while SRST is clear */
    uint8_t error;
    bool intrq; /* interrupt pending */

    /* The PIO transfer in progress. */
    enum ata_pio_phase phase;
    uint8_t command;       /* the last command device 0 executed */
    bool media;            /* the transfer moves sectors of the image (else IDENTIFY data) */
    uint64_t lba;          /* the sector in the buffer */
    uint32_t sectors_left; /* sectors still to transfer, the one in the buffer included */
    uint32_t block_left;   /* of which in the current DRQ data block */
    uint32_t block_size;   /* sectors per DRQ data block for this command */
    unsigned offset;       /* next byte of the buffer */
    uint8_t buffer[ATA_SECTOR_SIZE];

    /* Settings. */
    uint8_t multiple;  /* READ/WRITE MULTIPLE sectors per block; 0: multiple mode disabled */
    uint8_t xfer_mode; /* last transfer mode accepted by SET FEATURES */
    uint16_t default_cylinders;
    uint16_t chs_cylinders; /* current CHS translation */
    uint8_t chs_heads;
    uint8_t chs_sectors;

    /* Counters, for the dump. */
    uint64_t commands;         /* executed by device 0 (aborted ones included) */
    uint64_t errors;           /* commands that ended with ERR */
    uint64_t ignored_commands; /* written with device 1 selected or while SRST was set */
    uint64_t sectors_read;     /* sectors the host read completely */
    uint64_t sectors_written;  /* sectors written to the image */
    uint64_t interrupts;       /* INTRQ assertions by device 0 (nIEN or not) */
    uint64_t irq_raised;       /* times the IRQ14 line went high */
    uint64_t resets;           /* SRST */
    uint64_t stray_data;       /* Data register accesses outside a transfer */
};

/* Power-on state with device 0 backed by `image` (`size_bytes` long, used in place), or no drive
 * when `image` is NULL. `irq14` (copied; may be NULL for no interrupt line) carries the IRQ
 * number, e.g. ATA_PIO_IRQ. Returns false, leaving the channel with no drive, when size_bytes is
 * not a non-zero multiple of ATA_SECTOR_SIZE or exceeds ATA_LBA48_MAX_SECTORS sectors. Does not
 * call the irq line. */
bool ata_pio_init(struct ata_pio *dev, uint8_t *image, uint64_t size_bytes,
                  const struct irq_line *irq14);
/* Claims the command block (8 ports at ATA_PIO_CMD_BLOCK_BASE) and the control block port
 * (ATA_PIO_CTRL_BLOCK_PORT): both or, on an error, neither. */
enum iobus_status ata_pio_attach(struct ata_pio *dev, struct iobus *bus);
/* The port handler (an io_handler) that ata_pio_attach() registers for both blocks. */
void ata_pio_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value);
/* The string handler (an io_string_handler) that ata_pio_attach() gives the command block: REP
 * INSW/OUTSW on the Data register in blocks, with the same effects as the same words through
 * ata_pio_io(); declines (moves fewer words) whatever is not a 16-bit word of a transfer. */
uint32_t ata_pio_io_string(void *device, uint16_t port, unsigned size, enum io_direction dir,
                           uint8_t *buffer, uint32_t count);
/* Status as a read would return it, without a read's side effect (what Alternate Status reads). */
uint8_t ata_pio_peek_status(const struct ata_pio *dev);

/* Registers, drive, transfer in progress, settings and counters. */
void ata_pio_dump(const struct ata_pio *dev, device_printf_fn print);

#endif
