/* The guest's ATA disk in PIO mode: register reads and writes with their side effects, command
 * execution, the PIO data-in/data-out state machine, INTRQ and SRST, the port handler and dump. */
#include "vmm/devices/ata_pio.h"

#include "kernel/string.h"

#define BYTE_BITS       8
#define BYTE_MASK       0xffu
#define WORD_BITS       16
#define WORD_BYTES      2
#define MAX_ACCESS_SIZE 4
#define ATA_PIO_REGIONS 2 /* command block and control block */
#define BYTES_PER_MIB   (1024u * 1024u)

/* What an undriven bus reads: the host pulls DD7 down, the other data lines float high. */
#define FLOATING_BYTE  0x7fu
#define FLOATING_WORD  0xff7fu
/* A byte of a wide access that falls on a port the model does not own. */
#define UNCLAIMED_BYTE 0xffu

/* Status of a device ready for a command. */
#define STATUS_READY (ATA_STATUS_DRDY | ATA_STATUS_DSC)

/* Byte positions of the address registers within an LBA. */
#define LBA_BYTE_LOW        0
#define LBA_BYTE_MID        1
#define LBA_BYTE_HIGH       2
#define LBA28_BYTE_DEVICE   3 /* device bits 3:0 are LBA bits 27:24 */
#define LBA48_BYTE_LOW_HOB  3
#define LBA48_BYTE_MID_HOB  4
#define LBA48_BYTE_HIGH_HOB 5

/* Byte positions in a 16-bit value split over two registers (48-bit count, CHS cylinder). */
#define LOW_BYTE  0
#define HIGH_BYTE 1

/* The two levels of each register FIFO. */
#define FIFO_CURRENT  0
#define FIFO_PREVIOUS 1

enum transfer_flags {
    XFER_WRITE = 1u << 0,
    XFER_EXT = 1u << 1,      /* 48-bit command */
    XFER_MULTIPLE = 1u << 2, /* DRQ data blocks of the multiple count */
};

static bool present(const struct ata_pio *d)
{
    return d->image != NULL;
}

static bool device0_selected(const struct ata_pio *d)
{
    return (d->device & ATA_DEVICE_DEV) == 0;
}

static bool in_reset(const struct ata_pio *d)
{
    return (d->control & ATA_CONTROL_SRST) != 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t byte_at(uint8_t byte, unsigned position)
{
    return (uint64_t)byte << (BYTE_BITS * position);
}

static void fifo_push(uint8_t fifo[2], uint8_t value)
{
    fifo[FIFO_PREVIOUS] = fifo[FIFO_CURRENT];
    fifo[FIFO_CURRENT] = value;
}

static void fifo_set(uint8_t fifo[2], uint8_t value)
{
    fifo[FIFO_PREVIOUS] = 0;
    fifo[FIFO_CURRENT] = value;
}

/* ---- interrupts ---------------------------------------------------------------------------- */

uint8_t ata_pio_peek_status(const struct ata_pio *d)
{
    if (!present(d))
        return FLOATING_BYTE;
    if (!device0_selected(d))
        return 0; /* device 0 responds for the absent device 1 */
    if (in_reset(d))
        return ATA_STATUS_BSY;
    return d->status;
}

static void update_irq(struct ata_pio *d)
{
    bool level = present(d) && device0_selected(d) && d->intrq && !(d->control & ATA_CONTROL_NIEN);
    if (level == d->irq_level)
        return;
    d->irq_level = level;
    if (level)
        d->irq_raised++;
    irq_line_set(&d->irq, level);
}

static void raise_intrq(struct ata_pio *d)
{
    d->intrq = true;
    d->interrupts++;
}

/* ---- command completion -------------------------------------------------------------------- */

static void end_transfer(struct ata_pio *d)
{
    d->phase = ATA_PIO_IDLE;
    d->media = false;
    d->sectors_left = 0;
    d->block_left = 0;
    d->offset = 0;
}

/* Normal end of a non-data command (or of a data-out command): ready, INTRQ. */
static void complete(struct ata_pio *d)
{
    end_transfer(d);
    d->status = STATUS_READY;
    raise_intrq(d);
}

static void fail(struct ata_pio *d, uint8_t error)
{
    end_transfer(d);
    d->error = error;
    d->status = STATUS_READY | ATA_STATUS_ERR;
    d->errors++;
    raise_intrq(d);
}

/* The registers after a reset or EXECUTE DEVICE DIAGNOSTIC: an ATA device, diagnostics passed. */
static void set_signature(struct ata_pio *d)
{
    fifo_set(d->count, ATA_SIGNATURE_COUNT);
    fifo_set(d->lba_low, ATA_SIGNATURE_LBA_LOW);
    fifo_set(d->lba_mid, ATA_SIGNATURE_LBA_MID);
    fifo_set(d->lba_high, ATA_SIGNATURE_LBA_HIGH);
    d->device = ATA_SIGNATURE_DEVICE;
    d->error = ATA_DIAG_DEVICE0_PASSED;
}

/* ---- PIO data transfers -------------------------------------------------------------------- */

static uint8_t *sector_in_image(const struct ata_pio *d)
{
    return d->image + d->lba * ATA_SECTOR_SIZE;
}

static uint32_t next_block(const struct ata_pio *d)
{
    return (uint32_t)min_u64(d->block_size, d->sectors_left);
}

/* Makes the next sector of a data-in transfer ready; a new DRQ data block comes with INTRQ. */
static void data_in_ready(struct ata_pio *d)
{
    if (d->block_left == 0) {
        d->block_left = next_block(d);
        raise_intrq(d);
    }
    if (d->media)
        memcpy(d->buffer, sector_in_image(d), ATA_SECTOR_SIZE);
    d->offset = 0;
    d->phase = ATA_PIO_DATA_IN;
    d->status = STATUS_READY | ATA_STATUS_DRQ;
}

/* The host has read the whole buffer. */
static void sector_read(struct ata_pio *d)
{
    if (d->media) {
        d->sectors_read++;
        d->lba++;
    }
    d->sectors_left--;
    d->block_left--;
    if (d->sectors_left == 0) {
        /* PIO data-in: no interrupt after the last block. */
        end_transfer(d);
        d->status = STATUS_READY;
        return;
    }
    data_in_ready(d);
}

/* The host has filled the buffer: it goes to the image. */
static void sector_written(struct ata_pio *d)
{
    memcpy(sector_in_image(d), d->buffer, ATA_SECTOR_SIZE);
    d->sectors_written++;
    d->lba++;
    d->sectors_left--;
    d->block_left--;
    if (d->sectors_left == 0) {
        complete(d);
        return;
    }
    if (d->block_left == 0) {
        d->block_left = next_block(d);
        raise_intrq(d);
    }
    d->offset = 0;
    d->status = STATUS_READY | ATA_STATUS_DRQ;
}

static uint16_t data_read(struct ata_pio *d)
{
    if (!present(d))
        return FLOATING_WORD;
    if (!device0_selected(d) || d->phase != ATA_PIO_DATA_IN) {
        d->stray_data++;
        return FLOATING_WORD;
    }
    uint16_t word = (uint16_t)(d->buffer[d->offset] | (d->buffer[d->offset + 1] << BYTE_BITS));
    d->offset += WORD_BYTES;
    if (d->offset == ATA_SECTOR_SIZE)
        sector_read(d);
    return word;
}

static void data_write(struct ata_pio *d, uint16_t word)
{
    if (!present(d))
        return;
    d->control &= (uint8_t)~ATA_CONTROL_HOB; /* a command block register write */
    if (!device0_selected(d) || d->phase != ATA_PIO_DATA_OUT) {
        d->stray_data++;
        return;
    }
    d->buffer[d->offset] = (uint8_t)(word & BYTE_MASK);
    d->buffer[d->offset + 1] = (uint8_t)(word >> BYTE_BITS);
    d->offset += WORD_BYTES;
    if (d->offset == ATA_SECTOR_SIZE)
        sector_written(d);
}

/* ---- addressing ---------------------------------------------------------------------------- */

static uint64_t lba28_address(const struct ata_pio *d)
{
    return byte_at(d->lba_low[FIFO_CURRENT], LBA_BYTE_LOW) |
           byte_at(d->lba_mid[FIFO_CURRENT], LBA_BYTE_MID) |
           byte_at(d->lba_high[FIFO_CURRENT], LBA_BYTE_HIGH) |
           byte_at(d->device & ATA_DEVICE_HEAD_MASK, LBA28_BYTE_DEVICE);
}

static uint64_t lba48_address(const struct ata_pio *d)
{
    return byte_at(d->lba_low[FIFO_CURRENT], LBA_BYTE_LOW) |
           byte_at(d->lba_mid[FIFO_CURRENT], LBA_BYTE_MID) |
           byte_at(d->lba_high[FIFO_CURRENT], LBA_BYTE_HIGH) |
           byte_at(d->lba_low[FIFO_PREVIOUS], LBA48_BYTE_LOW_HOB) |
           byte_at(d->lba_mid[FIFO_PREVIOUS], LBA48_BYTE_MID_HOB) |
           byte_at(d->lba_high[FIFO_PREVIOUS], LBA48_BYTE_HIGH_HOB);
}

static uint32_t lba28_count(const struct ata_pio *d)
{
    uint32_t count = d->count[FIFO_CURRENT];
    return count ? count : ATA_LBA28_COUNT_MAX;
}

static uint32_t lba48_count(const struct ata_pio *d)
{
    uint32_t count = (uint32_t)(byte_at(d->count[FIFO_CURRENT], LOW_BYTE) |
                                byte_at(d->count[FIFO_PREVIOUS], HIGH_BYTE));
    return count ? count : ATA_LBA48_COUNT_MAX;
}

/* Sectors reachable by 28-bit commands. */
static uint64_t lba28_capacity(const struct ata_pio *d)
{
    return min_u64(d->sectors, ATA_LBA28_MAX_SECTORS);
}

static uint64_t chs_capacity(const struct ata_pio *d)
{
    return (uint64_t)d->chs_cylinders * d->chs_heads * d->chs_sectors;
}

static uint16_t cylinders_for(const struct ata_pio *d, unsigned heads, unsigned sectors,
                              unsigned max_cylinders)
{
    return (uint16_t)min_u64(lba28_capacity(d) / (heads * sectors), max_cylinders);
}

/* The LBA of the CHS address in the registers under the current translation, or false when the
 * address does not exist. */
static bool chs_address(const struct ata_pio *d, uint64_t *lba)
{
    unsigned cylinder = (unsigned)(byte_at(d->lba_mid[FIFO_CURRENT], LOW_BYTE) |
                                   byte_at(d->lba_high[FIFO_CURRENT], HIGH_BYTE));
    unsigned head = d->device & ATA_DEVICE_HEAD_MASK;
    unsigned sector = d->lba_low[FIFO_CURRENT]; /* sectors count from 1 */
    if (sector == 0 || sector > d->chs_sectors || head >= d->chs_heads ||
        cylinder >= d->chs_cylinders)
        return false;
    *lba = ((uint64_t)cylinder * d->chs_heads + head) * d->chs_sectors + (sector - 1);
    return true;
}

/* ---- commands ------------------------------------------------------------------------------ */

static void start_transfer(struct ata_pio *d, unsigned flags)
{
    if ((flags & XFER_MULTIPLE) && d->multiple == 0) {
        fail(d, ATA_ERROR_ABRT); /* multiple mode disabled */
        return;
    }
    uint64_t lba;
    uint64_t limit;
    uint32_t count;
    if (flags & XFER_EXT) {
        lba = lba48_address(d);
        count = lba48_count(d);
        limit = d->sectors;
    } else {
        count = lba28_count(d);
        limit = lba28_capacity(d);
        if (d->device & ATA_DEVICE_LBA) {
            lba = lba28_address(d);
        } else {
            if (!chs_address(d, &lba)) {
                fail(d, ATA_ERROR_IDNF);
                return;
            }
            limit = min_u64(limit, chs_capacity(d));
        }
    }
    if (lba >= limit || count > limit - lba) {
        fail(d, ATA_ERROR_IDNF);
        return;
    }
    d->media = true;
    d->lba = lba;
    d->sectors_left = count;
    d->block_size = (flags & XFER_MULTIPLE) ? d->multiple : 1;
    d->block_left = 0;
    if (flags & XFER_WRITE) {
        /* PIO data-out: DRQ for the first block without an interrupt. */
        d->block_left = next_block(d);
        d->offset = 0;
        d->phase = ATA_PIO_DATA_OUT;
        d->status = STATUS_READY | ATA_STATUS_DRQ;
    } else {
        data_in_ready(d);
    }
}

static void put_word(uint8_t *id, unsigned word, uint16_t value)
{
    id[word * WORD_BYTES] = (uint8_t)(value & BYTE_MASK);
    id[word * WORD_BYTES + 1] = (uint8_t)(value >> BYTE_BITS);
}

/* A value spread over consecutive words, least significant word first. */
static void put_words(uint8_t *id, unsigned first, unsigned words, uint64_t value)
{
    for (unsigned i = 0; i < words; i++)
        put_word(id, first + i, (uint16_t)(value >> (WORD_BITS * i)));
}

/* ATA strings: two characters per word, the first in bits 15:8, padded with spaces. */
static void put_string(uint8_t *id, unsigned first, unsigned words, const char *s)
{
    size_t len = strlen(s);
    for (unsigned i = 0; i < words * WORD_BYTES; i++) {
        uint8_t c = i < len ? (uint8_t)s[i] : (uint8_t)' ';
        id[first * WORD_BYTES + (i ^ 1u)] = c; /* even characters go to the odd (high) byte */
    }
}

static void build_identify(const struct ata_pio *d, uint8_t *id)
{
    memset(id, 0, ATA_SECTOR_SIZE);
    put_word(id, ATA_ID_CONFIG, ATA_ID_CONFIG_NOT_REMOVABLE);
    put_word(id, ATA_ID_CYLINDERS, d->default_cylinders);
    put_word(id, ATA_ID_HEADS, ATA_PIO_DEFAULT_HEADS);
    put_word(id, ATA_ID_SECTORS_PER_TRACK, ATA_PIO_DEFAULT_SECTORS);
    put_string(id, ATA_ID_SERIAL, ATA_ID_SERIAL_WORDS, ATA_PIO_SERIAL);
    put_string(id, ATA_ID_FIRMWARE, ATA_ID_FIRMWARE_WORDS, ATA_PIO_FIRMWARE);
    put_string(id, ATA_ID_MODEL, ATA_ID_MODEL_WORDS, ATA_PIO_MODEL);
    put_word(id, ATA_ID_MAX_MULTIPLE, ATA_ID_MAX_MULTIPLE_HIGH | ATA_PIO_MAX_MULTIPLE);
    put_word(id, ATA_ID_CAPABILITIES, ATA_ID_CAP_LBA | ATA_ID_CAP_IORDY);
    put_word(id, ATA_ID_CAPABILITIES_2, ATA_ID_CAP2_ONE);
    put_word(id, ATA_ID_FIELD_VALIDITY, ATA_ID_VALID_CUR_CHS | ATA_ID_VALID_PIO);
    put_word(id, ATA_ID_CUR_CYLINDERS, d->chs_cylinders);
    put_word(id, ATA_ID_CUR_HEADS, d->chs_heads);
    put_word(id, ATA_ID_CUR_SECTORS, d->chs_sectors);
    put_words(id, ATA_ID_CUR_CAPACITY, ATA_ID_CUR_CAPACITY_WORDS, chs_capacity(d));
    put_word(id, ATA_ID_MULTIPLE_SETTING,
             d->multiple ? (uint16_t)(ATA_ID_MULTIPLE_VALID | d->multiple) : 0);
    put_words(id, ATA_ID_LBA28_CAPACITY, ATA_ID_LBA28_CAPACITY_WORDS, lba28_capacity(d));
    put_word(id, ATA_ID_PIO_MODES, ATA_ID_PIO_MODE3 | ATA_ID_PIO_MODE4);
    put_word(id, ATA_ID_MIN_PIO_CYCLE, ATA_PIO_MIN_PIO_CYCLE_NS);
    put_word(id, ATA_ID_MIN_PIO_CYCLE_IORDY, ATA_PIO_MIN_PIO_CYCLE_NS);
    put_word(id, ATA_ID_MAJOR_VERSION, ATA_ID_MAJOR_ATA4 | ATA_ID_MAJOR_ATA5 | ATA_ID_MAJOR_ATA6);
    uint16_t commands = ATA_ID_CMD2_LBA48 | ATA_ID_CMD2_FLUSH_CACHE | ATA_ID_CMD2_FLUSH_CACHE_EXT;
    put_word(id, ATA_ID_COMMAND_SET_2, ATA_ID_WORD_VALID | commands);
    put_word(id, ATA_ID_COMMAND_SET_EXT, ATA_ID_WORD_VALID);
    put_word(id, ATA_ID_COMMAND_ENABLED_2, commands);
    put_word(id, ATA_ID_COMMAND_DEFAULT, ATA_ID_WORD_VALID);
    put_words(id, ATA_ID_LBA48_CAPACITY, ATA_ID_LBA48_CAPACITY_WORDS, d->sectors);
    /* Integrity word: signature A5h in bits 7:0, and bits 15:8 such that all 512 bytes sum to 0
     * modulo 256. */
    unsigned sum = ATA_ID_INTEGRITY_SIGNATURE;
    for (unsigned i = 0; i < ATA_ID_INTEGRITY * WORD_BYTES; i++)
        sum += id[i];
    put_word(id, ATA_ID_INTEGRITY,
             (uint16_t)(ATA_ID_INTEGRITY_SIGNATURE | (((0u - sum) & BYTE_MASK) << BYTE_BITS)));
}

static void identify_device(struct ata_pio *d)
{
    build_identify(d, d->buffer);
    d->media = false;
    d->sectors_left = 1;
    d->block_size = 1;
    d->block_left = 0;
    data_in_ready(d);
}

static void set_features(struct ata_pio *d)
{
    if (d->features[FIFO_CURRENT] != ATA_FEATURE_SET_TRANSFER_MODE) {
        fail(d, ATA_ERROR_ABRT);
        return;
    }
    uint8_t mode = d->count[FIFO_CURRENT];
    bool supported;
    switch (mode & ATA_XFER_TYPE_MASK) {
    case ATA_XFER_PIO_DEFAULT:
        supported = mode == ATA_XFER_PIO_DEFAULT || mode == ATA_XFER_PIO_DEFAULT_NO_IORDY;
        break;
    case ATA_XFER_PIO_FLOW_CONTROL:
        supported = (mode & ATA_XFER_MODE_MASK) <= ATA_PIO_MAX_PIO_MODE;
        break;
    default:
        supported = false; /* DMA modes: IDENTIFY reports none */
        break;
    }
    if (!supported) {
        fail(d, ATA_ERROR_ABRT);
        return;
    }
    d->xfer_mode = mode;
    complete(d);
}

static void set_multiple_mode(struct ata_pio *d)
{
    uint8_t count = d->count[FIFO_CURRENT];
    /* A power of two up to the maximum; 0 disables multiple mode. */
    if (count > ATA_PIO_MAX_MULTIPLE || (count & (count - 1u)) != 0) {
        fail(d, ATA_ERROR_ABRT);
        return;
    }
    d->multiple = count;
    complete(d);
}

static void initialize_device_parameters(struct ata_pio *d)
{
    uint8_t sectors = d->count[FIFO_CURRENT];
    unsigned heads = (d->device & ATA_DEVICE_HEAD_MASK) + 1u;
    if (sectors == 0) {
        fail(d, ATA_ERROR_ABRT);
        return;
    }
    d->chs_heads = (uint8_t)heads;
    d->chs_sectors = sectors;
    d->chs_cylinders = cylinders_for(d, heads, sectors, ATA_CHS_MAX_CYLINDERS);
    complete(d);
}

static void execute(struct ata_pio *d, uint8_t command)
{
    if (in_reset(d) || (!device0_selected(d) && command != ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC)) {
        d->ignored_commands++;
        return;
    }
    d->commands++;
    d->command = command;
    /* Writing Command clears a pending interrupt: the line drops before the command's own
     * interrupt, so that an edge-triggered controller sees that one too. */
    d->intrq = false;
    update_irq(d);
    end_transfer(d);
    d->error = 0;
    d->status = STATUS_READY;
    switch (command) {
    case ATA_CMD_IDENTIFY_DEVICE:
        identify_device(d);
        return;
    case ATA_CMD_READ_SECTORS:
        start_transfer(d, 0);
        return;
    case ATA_CMD_READ_SECTORS_EXT:
        start_transfer(d, XFER_EXT);
        return;
    case ATA_CMD_READ_MULTIPLE:
        start_transfer(d, XFER_MULTIPLE);
        return;
    case ATA_CMD_READ_MULTIPLE_EXT:
        start_transfer(d, XFER_MULTIPLE | XFER_EXT);
        return;
    case ATA_CMD_WRITE_SECTORS:
        start_transfer(d, XFER_WRITE);
        return;
    case ATA_CMD_WRITE_SECTORS_EXT:
        start_transfer(d, XFER_WRITE | XFER_EXT);
        return;
    case ATA_CMD_WRITE_MULTIPLE:
        start_transfer(d, XFER_WRITE | XFER_MULTIPLE);
        return;
    case ATA_CMD_WRITE_MULTIPLE_EXT:
        start_transfer(d, XFER_WRITE | XFER_MULTIPLE | XFER_EXT);
        return;
    case ATA_CMD_SET_FEATURES:
        set_features(d);
        return;
    case ATA_CMD_SET_MULTIPLE_MODE:
        set_multiple_mode(d);
        return;
    case ATA_CMD_INITIALIZE_DEVICE_PARAMETERS:
        initialize_device_parameters(d);
        return;
    case ATA_CMD_FLUSH_CACHE:
    case ATA_CMD_FLUSH_CACHE_EXT:
        complete(d); /* writes reach the image at once */
        return;
    case ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC:
        set_signature(d); /* also selects device 0 */
        complete(d);
        return;
    default:
        fail(d, ATA_ERROR_ABRT);
        return;
    }
}

/* ---- registers ----------------------------------------------------------------------------- */

static void write_control(struct ata_pio *d, uint8_t value)
{
    bool was_reset = in_reset(d);
    d->control = value;
    if (!was_reset && in_reset(d)) {
        /* SRST asserted: abandon everything; Status reads BSY until it is released. */
        d->resets++;
        end_transfer(d);
        d->status = STATUS_READY; /* what it will be once SRST is released */
        d->intrq = false;
    } else if (was_reset && !in_reset(d)) {
        set_signature(d);
        d->status = STATUS_READY;
    }
}

static uint8_t read_command_block(struct ata_pio *d, unsigned reg)
{
    unsigned level = (d->control & ATA_CONTROL_HOB) ? FIFO_PREVIOUS : FIFO_CURRENT;
    switch (reg) {
    case ATA_REG_DATA:
        return (uint8_t)(data_read(d) & BYTE_MASK); /* a whole word moves; its high byte is lost */
    case ATA_REG_ERROR:
        return device0_selected(d) ? d->error : 0;
    case ATA_REG_COUNT:
        return d->count[level];
    case ATA_REG_LBA_LOW:
        return d->lba_low[level];
    case ATA_REG_LBA_MID:
        return d->lba_mid[level];
    case ATA_REG_LBA_HIGH:
        return d->lba_high[level];
    case ATA_REG_DEVICE:
        return d->device;
    default: {
        uint8_t status = ata_pio_peek_status(d);
        if (device0_selected(d))
            d->intrq = false; /* reading Status acknowledges the interrupt */
        return status;
    }
    }
}

static void write_command_block(struct ata_pio *d, unsigned reg, uint8_t value)
{
    if (reg == ATA_REG_DATA) {
        data_write(d, value); /* one word, high byte 00h */
        return;
    }
    d->control &= (uint8_t)~ATA_CONTROL_HOB;
    switch (reg) {
    case ATA_REG_FEATURES:
        fifo_push(d->features, value);
        return;
    case ATA_REG_COUNT:
        fifo_push(d->count, value);
        return;
    case ATA_REG_LBA_LOW:
        fifo_push(d->lba_low, value);
        return;
    case ATA_REG_LBA_MID:
        fifo_push(d->lba_mid, value);
        return;
    case ATA_REG_LBA_HIGH:
        fifo_push(d->lba_high, value);
        return;
    case ATA_REG_DEVICE:
        d->device = value;
        return;
    default:
        execute(d, value);
        return;
    }
}

static uint8_t read_port(struct ata_pio *d, uint32_t port)
{
    if (port == ATA_PIO_CTRL_BLOCK_PORT)
        return ata_pio_peek_status(d); /* Alternate Status: no side effect */
    uint32_t reg = port - ATA_PIO_CMD_BLOCK_BASE;
    if (port < ATA_PIO_CMD_BLOCK_BASE || reg >= ATA_PIO_CMD_BLOCK_PORTS)
        return UNCLAIMED_BYTE;
    if (!present(d))
        return FLOATING_BYTE;
    return read_command_block(d, reg);
}

static void write_port(struct ata_pio *d, uint32_t port, uint8_t value)
{
    if (!present(d))
        return;
    if (port == ATA_PIO_CTRL_BLOCK_PORT) {
        write_control(d, value);
        return;
    }
    uint32_t reg = port - ATA_PIO_CMD_BLOCK_BASE;
    if (port < ATA_PIO_CMD_BLOCK_BASE || reg >= ATA_PIO_CMD_BLOCK_PORTS)
        return;
    write_command_block(d, reg, value);
}

/* An access to the Data register: one word transfer, two for a 32-bit access. */
static void data_io(struct ata_pio *d, unsigned size, enum io_direction dir, uint32_t *value)
{
    unsigned words = (size + 1) / WORD_BYTES;
    uint32_t mask = size >= MAX_ACCESS_SIZE ? UINT32_MAX : (1u << (BYTE_BITS * size)) - 1;
    uint32_t result = 0;
    for (unsigned i = 0; i < words; i++) {
        unsigned shift = WORD_BITS * i;
        if (dir == IO_IN)
            result |= (uint32_t)data_read(d) << shift;
        else
            data_write(d, (uint16_t)((*value & mask) >> shift));
        update_irq(d);
    }
    if (dir == IO_IN)
        *value = result & mask;
}

void ata_pio_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value)
{
    struct ata_pio *d = device;
    if (size > MAX_ACCESS_SIZE)
        size = MAX_ACCESS_SIZE;
    if (port == ATA_PIO_CMD_BLOCK_BASE + ATA_REG_DATA) {
        data_io(d, size, dir, value);
        return;
    }
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t byte_port = (uint32_t)port + i;
        unsigned shift = BYTE_BITS * i;
        if (dir == IO_IN)
            result |= (uint32_t)read_port(d, byte_port) << shift;
        else
            write_port(d, byte_port, (uint8_t)(*value >> shift));
        update_irq(d);
    }
    if (dir == IO_IN)
        *value = result;
}

/* Data register string I/O (an io_string_handler): whole runs of words between the host's buffer
 * and the sector buffer, as data_io() would move them one 16-bit access at a time. Each run ends
 * at the end of the sector, where the same per-sector logic runs (sector_read/sector_written: the
 * image, block accounting, INTRQ) and the line is updated, as data_io() does after every word (the
 * level cannot change within a run: nothing a Data access does between sector ends touches INTRQ,
 * DEV or nIEN). Only 16-bit words of a transfer in progress on device 0 in the access's direction
 * are taken; the rest (other sizes, stray data, the words after the transfer ends) is left to
 * ata_pio_io(). Buffer bytes are the words' little-endian bytes, as the sector buffer holds them.
 */
uint32_t ata_pio_io_string(void *device, uint16_t port, unsigned size, enum io_direction dir,
                           uint8_t *buffer, uint32_t count)
{
    struct ata_pio *d = device;
    if (port != ATA_PIO_CMD_BLOCK_BASE + ATA_REG_DATA || size != WORD_BYTES)
        return 0;
    enum ata_pio_phase phase = dir == IO_IN ? ATA_PIO_DATA_IN : ATA_PIO_DATA_OUT;
    uint32_t done = 0;
    while (done < count && present(d) && device0_selected(d) && d->phase == phase) {
        uint32_t words =
            (uint32_t)min_u64(count - done, (ATA_SECTOR_SIZE - d->offset) / WORD_BYTES);
        uint8_t *host = buffer + (size_t)done * WORD_BYTES;
        size_t bytes = (size_t)words * WORD_BYTES;
        if (dir == IO_IN) {
            memcpy(host, d->buffer + d->offset, bytes);
        } else {
            d->control &= (uint8_t)~ATA_CONTROL_HOB; /* command block register writes */
            memcpy(d->buffer + d->offset, host, bytes);
        }
        d->offset += (unsigned)bytes;
        done += words;
        if (d->offset == ATA_SECTOR_SIZE) {
            if (dir == IO_IN)
                sector_read(d);
            else
                sector_written(d);
        }
        update_irq(d);
    }
    return done;
}

/* ---- setup --------------------------------------------------------------------------------- */

bool ata_pio_init(struct ata_pio *d, uint8_t *image, uint64_t size_bytes,
                  const struct irq_line *irq14)
{
    memset(d, 0, sizeof(*d));
    if (irq14)
        d->irq = *irq14;
    bool ok = true;
    if (image) {
        uint64_t sectors = size_bytes / ATA_SECTOR_SIZE;
        if (size_bytes == 0 || size_bytes % ATA_SECTOR_SIZE != 0 ||
            sectors > ATA_LBA48_MAX_SECTORS) {
            ok = false;
        } else {
            d->image = image;
            d->sectors = sectors;
        }
    }
    d->default_cylinders = cylinders_for(d, ATA_PIO_DEFAULT_HEADS, ATA_PIO_DEFAULT_SECTORS,
                                         ATA_PIO_DEFAULT_CYLINDER_MAX);
    d->chs_cylinders = d->default_cylinders;
    d->chs_heads = ATA_PIO_DEFAULT_HEADS;
    d->chs_sectors = ATA_PIO_DEFAULT_SECTORS;
    d->xfer_mode = ATA_XFER_PIO_DEFAULT;
    d->phase = ATA_PIO_IDLE;
    /* Power-on is a hardware reset: the signature, diagnostics passed, ready. */
    set_signature(d);
    d->status = STATUS_READY;
    return ok;
}

enum iobus_status ata_pio_attach(struct ata_pio *d, struct iobus *bus)
{
    /* The bus cannot unregister: check both blocks before claiming either. */
    for (unsigned i = 0; i < ATA_PIO_CMD_BLOCK_PORTS; i++) {
        if (iobus_find(bus, (uint16_t)(ATA_PIO_CMD_BLOCK_BASE + i)))
            return IOBUS_ERR_OVERLAP;
    }
    if (iobus_find(bus, ATA_PIO_CTRL_BLOCK_PORT))
        return IOBUS_ERR_OVERLAP;
    if (bus->region_count + ATA_PIO_REGIONS > IOBUS_MAX_REGIONS)
        return IOBUS_ERR_FULL;
    enum iobus_status status = iobus_register(bus, ATA_PIO_CMD_BLOCK_BASE, ATA_PIO_CMD_BLOCK_PORTS,
                                              ata_pio_io, d, "ata_pio");
    if (status != IOBUS_OK)
        return status;
    iobus_set_string_handler(bus, ATA_PIO_CMD_BLOCK_BASE, ata_pio_io_string);
    return iobus_register(bus, ATA_PIO_CTRL_BLOCK_PORT, 1, ata_pio_io, d, "ata_pio control");
}

/* ---- dump ---------------------------------------------------------------------------------- */

static const char *command_name(uint8_t command)
{
    switch (command) {
    case ATA_CMD_READ_SECTORS:
        return "READ SECTORS";
    case ATA_CMD_READ_SECTORS_EXT:
        return "READ SECTORS EXT";
    case ATA_CMD_READ_MULTIPLE_EXT:
        return "READ MULTIPLE EXT";
    case ATA_CMD_WRITE_SECTORS:
        return "WRITE SECTORS";
    case ATA_CMD_WRITE_SECTORS_EXT:
        return "WRITE SECTORS EXT";
    case ATA_CMD_WRITE_MULTIPLE_EXT:
        return "WRITE MULTIPLE EXT";
    case ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC:
        return "EXECUTE DEVICE DIAGNOSTIC";
    case ATA_CMD_INITIALIZE_DEVICE_PARAMETERS:
        return "INITIALIZE DEVICE PARAMETERS";
    case ATA_CMD_READ_MULTIPLE:
        return "READ MULTIPLE";
    case ATA_CMD_WRITE_MULTIPLE:
        return "WRITE MULTIPLE";
    case ATA_CMD_SET_MULTIPLE_MODE:
        return "SET MULTIPLE MODE";
    case ATA_CMD_FLUSH_CACHE:
        return "FLUSH CACHE";
    case ATA_CMD_FLUSH_CACHE_EXT:
        return "FLUSH CACHE EXT";
    case ATA_CMD_IDENTIFY_DEVICE:
        return "IDENTIFY DEVICE";
    case ATA_CMD_SET_FEATURES:
        return "SET FEATURES";
    }
    return "unsupported";
}

void ata_pio_dump(const struct ata_pio *d, device_printf_fn print)
{
    print("ata_pio primary channel at 0x%x/0x%x, irq %u %s\n", (unsigned)ATA_PIO_CMD_BLOCK_BASE,
          (unsigned)ATA_PIO_CTRL_BLOCK_PORT, d->irq.irq, d->irq_level ? "asserted" : "deasserted");
    if (!present(d)) {
        print("  device 0: none (floating bus), device 1: none\n");
        return;
    }
    print("  device 0: %llu sectors (%llu MiB), device 1: none\n", (unsigned long long)d->sectors,
          (unsigned long long)(d->sectors / (BYTES_PER_MIB / ATA_SECTOR_SIZE)));
    print("  status 0x%02x error 0x%02x features 0x%02x/0x%02x count 0x%02x/0x%02x "
          "lba 0x%02x%02x%02x/0x%02x%02x%02x device 0x%02x control 0x%02x%s%s%s%s%s\n",
          ata_pio_peek_status(d), d->error, d->features[FIFO_CURRENT], d->features[FIFO_PREVIOUS],
          d->count[FIFO_CURRENT], d->count[FIFO_PREVIOUS], d->lba_high[FIFO_CURRENT],
          d->lba_mid[FIFO_CURRENT], d->lba_low[FIFO_CURRENT], d->lba_high[FIFO_PREVIOUS],
          d->lba_mid[FIFO_PREVIOUS], d->lba_low[FIFO_PREVIOUS], d->device, d->control,
          (d->control & ATA_CONTROL_NIEN) ? ", nIEN" : "", in_reset(d) ? ", SRST" : "",
          (d->control & ATA_CONTROL_HOB) ? ", HOB" : "",
          device0_selected(d) ? "" : ", device 1 selected", d->intrq ? ", INTRQ pending" : "");
    if (d->phase == ATA_PIO_IDLE) {
        print("  transfer: none; last command 0x%02x (%s)\n", d->command, command_name(d->command));
    } else {
        print("  transfer: %s for 0x%02x (%s), %s %llu, %u sectors left, %u in this block, "
              "word %u/%u\n",
              d->phase == ATA_PIO_DATA_IN ? "data-in" : "data-out", d->command,
              command_name(d->command), d->media ? "lba" : "identify data",
              (unsigned long long)d->lba, (unsigned)d->sectors_left, (unsigned)d->block_left,
              d->offset / WORD_BYTES, (unsigned)ATA_SECTOR_WORDS);
    }
    print("  multiple %u (max %u), chs %u/%u/%u (default %u/%u/%u), transfer mode 0x%02x\n",
          (unsigned)d->multiple, (unsigned)ATA_PIO_MAX_MULTIPLE, (unsigned)d->chs_cylinders,
          (unsigned)d->chs_heads, (unsigned)d->chs_sectors, (unsigned)d->default_cylinders,
          (unsigned)ATA_PIO_DEFAULT_HEADS, (unsigned)ATA_PIO_DEFAULT_SECTORS, d->xfer_mode);
    print("  commands %llu, errors %llu, ignored %llu, sectors read %llu, written %llu, "
          "interrupts %llu, irq raised %llu, resets %llu, stray data %llu\n",
          (unsigned long long)d->commands, (unsigned long long)d->errors,
          (unsigned long long)d->ignored_commands, (unsigned long long)d->sectors_read,
          (unsigned long long)d->sectors_written, (unsigned long long)d->interrupts,
          (unsigned long long)d->irq_raised, (unsigned long long)d->resets,
          (unsigned long long)d->stray_data);
}
