/* Host unit tests of vmm/devices/ata_pio.c, driven through the port bus as a guest driver would:
 * IDENTIFY, LBA28/LBA48/CHS transfers, errors, the INTRQ protocols, SRST, device 1, randomized. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE in <sys/mman.h> */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/devices/ata_pio.h"
#include "vmm/iobus.h"

#define CMD  ATA_PIO_CMD_BLOCK_BASE
#define CTRL ATA_PIO_CTRL_BLOCK_PORT

#define REG_DATA     (CMD + ATA_REG_DATA)
#define REG_ERROR    (CMD + ATA_REG_ERROR)
#define REG_FEATURES (CMD + ATA_REG_FEATURES)
#define REG_COUNT    (CMD + ATA_REG_COUNT)
#define REG_LBA_LOW  (CMD + ATA_REG_LBA_LOW)
#define REG_LBA_MID  (CMD + ATA_REG_LBA_MID)
#define REG_LBA_HIGH (CMD + ATA_REG_LBA_HIGH)
#define REG_DEVICE   (CMD + ATA_REG_DEVICE)
#define REG_STATUS   (CMD + ATA_REG_STATUS)
#define REG_COMMAND  (CMD + ATA_REG_COMMAND)

/* The values a driver sees, spelled out as in the standard's tables. */
#define STATUS_IDLE       0x50 /* DRDY DSC */
#define STATUS_DRQ        0x58 /* DRDY DSC DRQ */
#define STATUS_ERROR      0x51 /* DRDY DSC ERR */
#define STATUS_BUSY       0x80 /* BSY */
#define FLOATING_BYTE     0x7f /* no drive: DD7 pulled down */
#define FLOATING_WORD     0xff7fu
#define UNCLAIMED_BYTE    0xffu
#define SELECT_MASTER     (ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA)                  /* E0h */
#define SELECT_SLAVE      (ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA | ATA_DEVICE_DEV) /* F0h */
#define SELECT_CHS        ATA_DEVICE_OBSOLETE                                     /* A0h */
#define SMALL_SECTORS     2048u  /* 1 MiB: count 0 = 256 fits; 2 default CHS cylinders */
#define BIG_SECTORS       65536u /* 32 MiB: exactly one LBA48 count-0 transfer */
#define RANDOM_SECTORS    300u
#define RANDOM_SEED       0x0a7a0a7a5eed1234ull
#define RANDOM_ITERATIONS 200000u
#define WRITE_SALT        0x5a
#define DUMMY_PORT_BASE   0x1000

struct fixture {
    struct iobus bus;
    struct ata_pio ata;
    uint8_t *image;
    uint64_t sectors;
    bool mapped; /* image from mmap (sparse disk) */
    size_t mapped_bytes;
    unsigned irq_rises;
    unsigned irq_falls;
    bool irq_level;
    unsigned irq_number;
};

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct fixture *f = ctx;
    /* The model only calls on a change of level. */
    assert_true(level != f->irq_level);
    f->irq_level = level;
    f->irq_number = irq;
    if (level)
        f->irq_rises++;
    else
        f->irq_falls++;
}

/* The byte at offset i of sector lba, distinct between sectors (and from written data). */
static uint8_t pattern(uint64_t lba, unsigned i, uint8_t salt)
{
    return (uint8_t)(lba * 13 + i * 7 + (lba >> 8) * 3 + salt);
}

static void fill_pattern(uint8_t *image, uint64_t sectors)
{
    for (uint64_t lba = 0; lba < sectors; lba++) {
        for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
            image[lba * ATA_SECTOR_SIZE + i] = pattern(lba, i, 0);
    }
}

static bool sector_has_pattern(const struct fixture *f, uint64_t lba, uint8_t salt)
{
    for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++) {
        if (f->image[lba * ATA_SECTOR_SIZE + i] != pattern(lba, i, salt))
            return false;
    }
    return true;
}

static struct fixture *new_fixture(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    iobus_init(&f->bus);
    return f;
}

static void attach(struct fixture *f)
{
    struct irq_line line = {.set = record_irq, .ctx = f, .irq = ATA_PIO_IRQ};
    assert_true(ata_pio_init(&f->ata, f->image, f->sectors * ATA_SECTOR_SIZE, &line));
    assert_int_equal(ata_pio_attach(&f->ata, &f->bus), IOBUS_OK);
}

/* A disk of `sectors` sectors in an allocation of exactly that size (ASan sees any overrun). */
static int setup_disk(void **state, uint64_t sectors)
{
    struct fixture *f = new_fixture();
    f->sectors = sectors;
    f->image = malloc(sectors * ATA_SECTOR_SIZE);
    assert_non_null(f->image);
    fill_pattern(f->image, sectors);
    attach(f);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_disk(state, SMALL_SECTORS);
}

static int setup_big(void **state)
{
    return setup_disk(state, BIG_SECTORS);
}

static int setup_random(void **state)
{
    return setup_disk(state, RANDOM_SECTORS);
}

static int setup_no_drive(void **state)
{
    struct fixture *f = new_fixture();
    attach(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->mapped)
        munmap(f->image, f->mapped_bytes);
    else
        free(f->image);
    free(f);
    return 0;
}

/* ---- port access as a driver does it ------------------------------------------------------- */

static uint32_t in(struct fixture *f, uint16_t port, unsigned size)
{
    uint32_t v = 0xdeadbeef;
    assert_true(iobus_access(&f->bus, port, size, IO_IN, &v));
    return v;
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
    uint32_t v = in(f, port, 1);
    assert_int_equal(v & ~0xffu, 0);
    return (uint8_t)v;
}

static uint16_t inw(struct fixture *f, uint16_t port)
{
    uint32_t v = in(f, port, 2);
    assert_int_equal(v & ~0xffffu, 0);
    return (uint16_t)v;
}

static void out(struct fixture *f, uint16_t port, unsigned size, uint32_t value)
{
    assert_true(iobus_access(&f->bus, port, size, IO_OUT, &value));
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
    out(f, port, 1, value);
}

static void outw(struct fixture *f, uint16_t port, uint16_t value)
{
    out(f, port, 2, value);
}

static uint8_t status(struct fixture *f)
{
    return inb(f, REG_STATUS);
}

static uint8_t alt_status(struct fixture *f)
{
    return inb(f, CTRL);
}

static void select_lba28(struct fixture *f, uint32_t lba, uint8_t count)
{
    outb(f, REG_DEVICE, (uint8_t)(SELECT_MASTER | ((lba >> 24) & ATA_DEVICE_HEAD_MASK)));
    outb(f, REG_COUNT, count);
    outb(f, REG_LBA_LOW, (uint8_t)lba);
    outb(f, REG_LBA_MID, (uint8_t)(lba >> 8));
    outb(f, REG_LBA_HIGH, (uint8_t)(lba >> 16));
}

/* As Linux's ata_sff_tf_load(): the high order bytes first, then the low ones. */
static void select_lba48(struct fixture *f, uint64_t lba, uint16_t count)
{
    outb(f, REG_DEVICE, SELECT_MASTER);
    outb(f, REG_COUNT, (uint8_t)(count >> 8));
    outb(f, REG_LBA_LOW, (uint8_t)(lba >> 24));
    outb(f, REG_LBA_MID, (uint8_t)(lba >> 32));
    outb(f, REG_LBA_HIGH, (uint8_t)(lba >> 40));
    outb(f, REG_COUNT, (uint8_t)count);
    outb(f, REG_LBA_LOW, (uint8_t)lba);
    outb(f, REG_LBA_MID, (uint8_t)(lba >> 8));
    outb(f, REG_LBA_HIGH, (uint8_t)(lba >> 16));
}

static void select_chs(struct fixture *f, unsigned cylinder, unsigned head, unsigned sector,
                       uint8_t count)
{
    outb(f, REG_DEVICE, (uint8_t)(SELECT_CHS | head));
    outb(f, REG_COUNT, count);
    outb(f, REG_LBA_LOW, (uint8_t)sector);
    outb(f, REG_LBA_MID, (uint8_t)cylinder);
    outb(f, REG_LBA_HIGH, (uint8_t)(cylinder >> 8));
}

static void command(struct fixture *f, uint8_t cmd)
{
    outb(f, REG_COMMAND, cmd);
}

/* The host side of PIO data-in for one sector after its interrupt: acknowledge, read 256 words,
 * compare with the pattern. */
static void read_one_sector(struct fixture *f, uint64_t lba, uint8_t salt)
{
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++) {
        uint16_t word = inw(f, REG_DATA);
        assert_int_equal(word & 0xff, pattern(lba, 2 * w, salt));
        assert_int_equal(word >> 8, pattern(lba, 2 * w + 1, salt));
    }
}

static void write_one_sector(struct fixture *f, uint64_t lba, uint8_t salt)
{
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++)
        outw(f, REG_DATA,
             (uint16_t)(pattern(lba, 2 * w, salt) | pattern(lba, 2 * w + 1, salt) << 8));
}

/* A whole PIO data-in command as a driver runs it, checking the interrupt of every sector. */
static void pio_read(struct fixture *f, uint64_t lba, uint32_t count, uint8_t cmd, uint8_t salt)
{
    unsigned rises = f->irq_rises;
    command(f, cmd);
    for (uint32_t s = 0; s < count; s++) {
        assert_true(f->irq_level);
        assert_int_equal(f->irq_rises, rises + s + 1);
        assert_int_equal(alt_status(f), STATUS_DRQ);
        assert_true(f->irq_level); /* Alternate Status does not acknowledge */
        assert_int_equal(status(f), STATUS_DRQ);
        assert_false(f->irq_level);
        read_one_sector(f, lba + s, salt);
    }
    /* No interrupt after the last sector of a PIO data-in command. */
    assert_false(f->irq_level);
    assert_int_equal(f->irq_rises, rises + count);
    assert_int_equal(status(f), STATUS_IDLE);
}

/* A whole PIO data-out command: DRQ without interrupt, then an interrupt after every sector. */
static void pio_write(struct fixture *f, uint64_t lba, uint32_t count, uint8_t cmd, uint8_t salt)
{
    unsigned rises = f->irq_rises;
    command(f, cmd);
    assert_false(f->irq_level);
    assert_int_equal(alt_status(f), STATUS_DRQ);
    for (uint32_t s = 0; s < count; s++) {
        assert_int_equal(f->irq_rises, rises + s);
        write_one_sector(f, lba + s, salt);
        assert_true(f->irq_level);
        assert_int_equal(f->irq_rises, rises + s + 1);
        assert_int_equal(status(f), s + 1 < count ? STATUS_DRQ : STATUS_IDLE);
        assert_false(f->irq_level);
    }
}

/* Runs a command expected to fail at once with ERR and `error`, with its interrupt. */
static void expect_error(struct fixture *f, uint8_t cmd, uint8_t error)
{
    unsigned rises = f->irq_rises;
    uint64_t read = f->ata.sectors_read, written = f->ata.sectors_written;
    command(f, cmd);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, rises + 1);
    assert_int_equal(status(f), STATUS_ERROR);
    assert_int_equal(inb(f, REG_ERROR), error);
    assert_false(f->irq_level);
    assert_int_equal(f->ata.phase, ATA_PIO_IDLE);
    assert_int_equal(f->ata.sectors_read, read);
    assert_int_equal(f->ata.sectors_written, written);
}

/* Runs a non-data command expected to succeed, with its interrupt. */
static void expect_ok(struct fixture *f, uint8_t cmd)
{
    unsigned rises = f->irq_rises;
    command(f, cmd);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, rises + 1);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_false(f->irq_level);
}

static void identify(struct fixture *f, uint16_t id[ATA_SECTOR_WORDS])
{
    unsigned rises = f->irq_rises;
    outb(f, REG_DEVICE, SELECT_CHS);
    command(f, ATA_CMD_IDENTIFY_DEVICE);
    assert_int_equal(f->irq_rises, rises + 1);
    assert_int_equal(status(f), STATUS_DRQ);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++)
        id[w] = inw(f, REG_DATA);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(f->irq_rises, rises + 1);
}

/* An ATA string out of IDENTIFY data: the first character of each word in its high byte. */
static void id_string(const uint16_t *id, unsigned first, unsigned words, char *out)
{
    for (unsigned i = 0; i < words; i++) {
        out[2 * i] = (char)(id[first + i] >> 8);
        out[2 * i + 1] = (char)(id[first + i] & 0xff);
    }
    out[2 * words] = '\0';
}

static uint64_t id_number(const uint16_t *id, unsigned first, unsigned words)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < words; i++)
        v |= (uint64_t)id[first + i] << (16 * i);
    return v;
}

/* ---- reset state, attach, init -------------------------------------------------------------- */

static void test_reset_state(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(alt_status(f), STATUS_IDLE);
    assert_int_equal(inb(f, REG_ERROR), ATA_DIAG_DEVICE0_PASSED);
    /* The signature of an ATA (non-PACKET) device. */
    assert_int_equal(inb(f, REG_COUNT), 0x01);
    assert_int_equal(inb(f, REG_LBA_LOW), 0x01);
    assert_int_equal(inb(f, REG_LBA_MID), 0x00);
    assert_int_equal(inb(f, REG_LBA_HIGH), 0x00);
    assert_int_equal(inb(f, REG_DEVICE), 0x00);
    assert_int_equal(f->irq_rises, 0);
    assert_false(f->irq_level);

    assert_string_equal(iobus_find(&f->bus, CMD)->name, "ata_pio");
    assert_string_equal(iobus_find(&f->bus, CMD + 7)->name, "ata_pio");
    assert_string_equal(iobus_find(&f->bus, CTRL)->name, "ata_pio control");
    assert_null(iobus_find(&f->bus, CMD - 1));
    assert_null(iobus_find(&f->bus, CMD + 8));
    assert_null(iobus_find(&f->bus, CTRL - 1));
    assert_null(iobus_find(&f->bus, CTRL + 1)); /* 0x3f7 belongs to the floppy controller */

    /* Wide accesses to the other registers are byte accesses at consecutive ports. */
    outb(f, REG_COUNT, 0x12);
    outb(f, REG_LBA_LOW, 0x34);
    assert_int_equal(in(f, REG_COUNT, 2), 0x3412);
    out(f, REG_LBA_MID, 2, 0x7856);
    assert_int_equal(in(f, REG_COUNT, 4), 0x78563412);
    assert_int_equal(in(f, REG_STATUS, 2), (UNCLAIMED_BYTE << 8) | STATUS_IDLE);
    assert_int_equal(in(f, CTRL, 2), (UNCLAIMED_BYTE << 8) | STATUS_IDLE);
}

static void dummy_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                     uint32_t *value)
{
    (void)device;
    (void)port;
    (void)size;
    if (dir == IO_IN)
        *value = 0;
}

static void test_attach_all_or_nothing(void **state)
{
    (void)state;
    static uint8_t image[ATA_SECTOR_SIZE];
    struct ata_pio ata;
    struct iobus *bus = malloc(sizeof(*bus));
    assert_non_null(bus);
    assert_true(ata_pio_init(&ata, image, sizeof(image), NULL));

    /* The control block taken: the command block is not claimed either. */
    iobus_init(bus);
    assert_int_equal(iobus_register(bus, CTRL, 1, dummy_io, NULL, "other"), IOBUS_OK);
    assert_int_equal(ata_pio_attach(&ata, bus), IOBUS_ERR_OVERLAP);
    assert_null(iobus_find(bus, CMD));
    assert_int_equal(bus->region_count, 1);

    /* One command block port taken: the control block is not claimed. */
    iobus_init(bus);
    assert_int_equal(iobus_register(bus, CMD + 7, 1, dummy_io, NULL, "other"), IOBUS_OK);
    assert_int_equal(ata_pio_attach(&ata, bus), IOBUS_ERR_OVERLAP);
    assert_null(iobus_find(bus, CTRL));
    assert_null(iobus_find(bus, CMD));
    assert_int_equal(bus->region_count, 1);

    /* Room for one region only: neither is claimed. */
    iobus_init(bus);
    for (unsigned i = 0; i < IOBUS_MAX_REGIONS - 1; i++)
        assert_int_equal(
            iobus_register(bus, (uint16_t)(DUMMY_PORT_BASE + i), 1, dummy_io, NULL, "other"),
            IOBUS_OK);
    assert_int_equal(ata_pio_attach(&ata, bus), IOBUS_ERR_FULL);
    assert_int_equal(bus->region_count, IOBUS_MAX_REGIONS - 1);
    assert_null(iobus_find(bus, CMD));

    /* Room for two: both. */
    iobus_init(bus);
    for (unsigned i = 0; i < IOBUS_MAX_REGIONS - 2; i++)
        assert_int_equal(
            iobus_register(bus, (uint16_t)(DUMMY_PORT_BASE + i), 1, dummy_io, NULL, "other"),
            IOBUS_OK);
    assert_int_equal(ata_pio_attach(&ata, bus), IOBUS_OK);
    assert_int_equal(bus->region_count, IOBUS_MAX_REGIONS);
    assert_non_null(iobus_find(bus, CMD));
    assert_non_null(iobus_find(bus, CTRL));
    free(bus);
}

static void test_init_sizes(void **state)
{
    (void)state;
    static uint8_t image[2 * ATA_SECTOR_SIZE];
    struct ata_pio ata;
    assert_false(ata_pio_init(&ata, image, ATA_SECTOR_SIZE + 1, NULL));
    assert_null(ata.image);
    assert_int_equal(ata_pio_peek_status(&ata), FLOATING_BYTE);
    assert_false(ata_pio_init(&ata, image, 1000, NULL));
    assert_null(ata.image);
    assert_false(ata_pio_init(&ata, image, 0, NULL));
    assert_null(ata.image);
    assert_false(ata_pio_init(&ata, image, (ATA_LBA48_MAX_SECTORS + 1) * ATA_SECTOR_SIZE, NULL));
    assert_null(ata.image);
    assert_true(ata_pio_init(&ata, NULL, 0, NULL));
    assert_null(ata.image);
    assert_true(ata_pio_init(&ata, image, sizeof(image), NULL));
    assert_ptr_equal(ata.image, image);
    assert_int_equal(ata.sectors, 2);
    assert_int_equal(ata_pio_peek_status(&ata), STATUS_IDLE);
}

static void test_no_drive(void **state)
{
    struct fixture *f = *state;
    for (uint16_t port = CMD + 1; port <= CMD + 7; port++)
        assert_int_equal(inb(f, port), FLOATING_BYTE);
    assert_int_equal(alt_status(f), FLOATING_BYTE);
    assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    assert_int_equal(in(f, REG_DATA, 4), (FLOATING_WORD << 16) | FLOATING_WORD);
    outb(f, REG_COUNT, 0x55);
    assert_int_equal(inb(f, REG_COUNT), FLOATING_BYTE);
    outb(f, REG_DEVICE, SELECT_MASTER);
    command(f, ATA_CMD_IDENTIFY_DEVICE);
    command(f, ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC);
    outb(f, CTRL, ATA_CONTROL_SRST);
    assert_int_equal(status(f), FLOATING_BYTE);
    outb(f, CTRL, 0);
    assert_int_equal(status(f), FLOATING_BYTE);
    assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    assert_int_equal(f->irq_rises, 0);
    assert_int_equal(f->ata.commands, 0);
    assert_int_equal(f->ata.resets, 0);
}

/* ---- IDENTIFY DEVICE ------------------------------------------------------------------------ */

static void test_identify(void **state)
{
    struct fixture *f = *state;
    uint16_t id[ATA_SECTOR_WORDS];
    char text[64];
    identify(f, id);
    assert_int_equal(f->irq_number, ATA_PIO_IRQ);
    assert_int_equal(f->ata.sectors_read, 0); /* not media */

    /* Strings: the first character in the high byte of each word, padded with spaces. */
    assert_int_equal(id[27] >> 8, 'M');
    assert_int_equal(id[27] & 0xff, 'I');
    id_string(id, 27, 20, text);
    assert_string_equal(text, "MICA ATA PIO DISK                       ");
    id_string(id, 10, 10, text);
    assert_string_equal(text, "MICA-0000000001     ");
    id_string(id, 23, 4, text);
    assert_string_equal(text, "1.0     ");

    assert_int_equal(id[0] & 0x8000, 0); /* an ATA device */
    assert_int_equal(id[1], 2);          /* 2048 / (16 * 63) cylinders */
    assert_int_equal(id[3], 16);
    assert_int_equal(id[6], 63);
    assert_int_equal(id[47], 0x8000 | ATA_PIO_MAX_MULTIPLE);
    assert_int_equal(id[49] & 0x0200, 0x0200); /* LBA */
    assert_int_equal(id[49] & 0x0100, 0);      /* no DMA */
    assert_int_equal(id[53] & 0x0003, 0x0003);
    assert_int_equal(id[54], 2);
    assert_int_equal(id[55], 16);
    assert_int_equal(id[56], 63);
    assert_int_equal(id_number(id, 57, 2), 2 * 16 * 63);
    assert_int_equal(id[59], 0); /* multiple mode off */
    assert_int_equal(id_number(id, 60, 2), SMALL_SECTORS);
    assert_int_equal(id[63], 0);
    assert_int_equal(id[64], 0x0003);          /* PIO 3 and 4 */
    assert_int_equal(id[80] & 0x0040, 0x0040); /* ATA/ATAPI-6 */
    assert_int_equal(id[83] & 0xc000, 0x4000); /* word valid */
    assert_int_equal(id[83] & 0x0400, 0x0400); /* 48-bit Address feature set supported */
    assert_int_equal(id[83] & 0x3000, 0x3000); /* FLUSH CACHE (EXT) */
    assert_int_equal(id[84] & 0xc000, 0x4000);
    assert_int_equal(id[86] & 0x0400, 0x0400); /* and enabled */
    assert_int_equal(id[87] & 0xc000, 0x4000);
    assert_int_equal(id[88], 0);
    assert_int_equal(id_number(id, 100, 4), SMALL_SECTORS);
    /* Integrity word: A5h and a checksum making all bytes sum to 0. */
    assert_int_equal(id[255] & 0xff, 0xa5);
    unsigned sum = 0;
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++)
        sum += (id[w] & 0xffu) + (id[w] >> 8);
    assert_int_equal(sum & 0xff, 0);

    /* Nothing more to read: the Data register floats. */
    assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    assert_int_equal(f->ata.stray_data, 1);
}

/* ---- reads and writes ----------------------------------------------------------------------- */

static void test_read_lba28(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 5, 1);
    pio_read(f, 5, 1, ATA_CMD_READ_SECTORS, 0);
    select_lba28(f, 1000, 7);
    pio_read(f, 1000, 7, ATA_CMD_READ_SECTORS, 0);
    select_lba28(f, SMALL_SECTORS - 1, 1);
    pio_read(f, SMALL_SECTORS - 1, 1, ATA_CMD_READ_SECTORS, 0);
    assert_int_equal(f->ata.sectors_read, 9);
    assert_int_equal(f->ata.interrupts, 9);
    assert_int_equal(f->ata.commands, 3);
    assert_int_equal(f->ata.errors, 0);
    assert_int_equal(inb(f, REG_ERROR), 0);
    /* The registers still hold the address written. */
    assert_int_equal(inb(f, REG_LBA_LOW), (SMALL_SECTORS - 1) & 0xff);
    assert_int_equal(inb(f, REG_LBA_MID), (SMALL_SECTORS - 1) >> 8);
}

static void test_write_lba28(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 10, 1);
    pio_write(f, 10, 1, ATA_CMD_WRITE_SECTORS, WRITE_SALT);
    assert_true(sector_has_pattern(f, 9, 0));
    assert_true(sector_has_pattern(f, 10, WRITE_SALT));
    assert_true(sector_has_pattern(f, 11, 0));

    select_lba28(f, 20, 5);
    pio_write(f, 20, 5, ATA_CMD_WRITE_SECTORS, WRITE_SALT);
    assert_true(sector_has_pattern(f, 19, 0));
    for (unsigned s = 20; s < 25; s++)
        assert_true(sector_has_pattern(f, s, WRITE_SALT));
    assert_true(sector_has_pattern(f, 25, 0));
    assert_int_equal(f->ata.sectors_written, 6);

    /* And back through the device. */
    select_lba28(f, 19, 7);
    command(f, ATA_CMD_READ_SECTORS);
    for (unsigned s = 19; s < 26; s++) {
        assert_int_equal(status(f), STATUS_DRQ);
        read_one_sector(f, s, (s >= 20 && s < 25) ? WRITE_SALT : 0);
    }
    assert_int_equal(status(f), STATUS_IDLE);
}

/* A sector being written reaches the image only with its last word. */
static void test_write_sector_granularity(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 30, 1);
    command(f, ATA_CMD_WRITE_SECTORS);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS - 1; w++)
        outw(f, REG_DATA, 0xffff);
    assert_true(sector_has_pattern(f, 30, 0));
    assert_int_equal(alt_status(f), STATUS_DRQ);
    outw(f, REG_DATA, 0xffff);
    assert_int_equal(f->image[30 * ATA_SECTOR_SIZE], 0xff);
    assert_int_equal(f->image[31 * ATA_SECTOR_SIZE - 1], 0xff);
    assert_true(sector_has_pattern(f, 31, 0));
    assert_int_equal(status(f), STATUS_IDLE);
    /* Extra data is dropped. */
    outw(f, REG_DATA, 0x1234);
    assert_true(sector_has_pattern(f, 31, 0));
    assert_int_equal(f->ata.stray_data, 1);
}

static void test_lba48(void **state)
{
    struct fixture *f = *state;
    select_lba48(f, 300, 3);
    pio_read(f, 300, 3, ATA_CMD_READ_SECTORS_EXT, 0);
    select_lba48(f, 1500, 2);
    pio_write(f, 1500, 2, ATA_CMD_WRITE_SECTORS_EXT, WRITE_SALT);
    assert_true(sector_has_pattern(f, 1499, 0));
    assert_true(sector_has_pattern(f, 1500, WRITE_SALT));
    assert_true(sector_has_pattern(f, 1501, WRITE_SALT));
    assert_true(sector_has_pattern(f, 1502, 0));
    /* The count's high order byte counts: 0100h = 256 sectors. */
    select_lba48(f, 1, 0x0100);
    pio_read(f, 1, 256, ATA_CMD_READ_SECTORS_EXT, 0);
    /* The last sectors of the disk. */
    select_lba48(f, SMALL_SECTORS - 2, 2);
    pio_read(f, SMALL_SECTORS - 2, 2, ATA_CMD_READ_SECTORS_EXT, 0);
    assert_int_equal(f->ata.sectors_read, 3 + 256 + 2);
    assert_int_equal(f->ata.sectors_written, 2);
}

/* A sparse disk big enough for every address byte: 2^33 sectors (4 TiB of address space, of
 * which only the touched pages exist). */
static void test_large_sparse_disk(void **state)
{
    struct fixture *f = new_fixture();
    *state = f;
    const uint64_t sectors = 1ull << 33;
    f->mapped_bytes = sectors * ATA_SECTOR_SIZE;
    void *p = mmap(NULL, f->mapped_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        f->mapped_bytes = 0;
        skip();
    }
    f->image = p;
    f->mapped = true;
    f->sectors = sectors;
    attach(f);

    uint16_t id[ATA_SECTOR_WORDS];
    identify(f, id);
    assert_int_equal(id_number(id, 60, 2), ATA_LBA28_MAX_SECTORS);
    assert_int_equal(id_number(id, 100, 4), sectors);
    assert_int_equal(id[1], 16383);

    /* LBA48: bytes 0-4 of the address all count (byte 4 = bit 32). */
    const uint64_t lba48 = 0x123456789ull;
    for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
        f->image[lba48 * ATA_SECTOR_SIZE + i] = pattern(lba48, i, 0);
    select_lba48(f, lba48, 1);
    pio_read(f, lba48, 1, ATA_CMD_READ_SECTORS_EXT, 0);
    select_lba48(f, lba48 + 1, 1);
    pio_write(f, lba48 + 1, 1, ATA_CMD_WRITE_SECTORS_EXT, WRITE_SALT);
    assert_true(sector_has_pattern(f, lba48 + 1, WRITE_SALT));
    /* Byte 5 (previous LBA High) puts the address past the disk. */
    select_lba48(f, lba48 | (1ull << 40), 1);
    expect_error(f, ATA_CMD_READ_SECTORS_EXT, ATA_ERROR_IDNF);
    select_lba48(f, sectors - 1, 2);
    expect_error(f, ATA_CMD_READ_SECTORS_EXT, ATA_ERROR_IDNF);

    /* LBA28: device bits 3:0 are address bits 27:24; the last sector 28-bit commands reach is
     * 0FFFFFFEh although the disk goes on. */
    const uint32_t lba28 = 0x09876543;
    for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
        f->image[(uint64_t)lba28 * ATA_SECTOR_SIZE + i] = pattern(lba28, i, 0);
    select_lba28(f, lba28, 1);
    pio_read(f, lba28, 1, ATA_CMD_READ_SECTORS, 0);
    select_lba28(f, ATA_LBA28_MAX_SECTORS - 1, 1);
    command(f, ATA_CMD_READ_SECTORS);
    assert_int_equal(status(f), STATUS_DRQ);
    assert_int_equal(f->ata.lba, ATA_LBA28_MAX_SECTORS - 1);
    select_lba28(f, ATA_LBA28_MAX_SECTORS, 1);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    select_lba28(f, ATA_LBA28_MAX_SECTORS - 1, 2);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
}

static void test_count_zero_lba28(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 0, 0);
    pio_read(f, 0, 256, ATA_CMD_READ_SECTORS, 0);
    assert_int_equal(f->ata.sectors_read, 256);
    select_lba28(f, SMALL_SECTORS - 256, 0);
    pio_write(f, SMALL_SECTORS - 256, 256, ATA_CMD_WRITE_SECTORS, WRITE_SALT);
    assert_int_equal(f->ata.sectors_written, 256);
    assert_true(sector_has_pattern(f, SMALL_SECTORS - 257, 0));
    assert_true(sector_has_pattern(f, SMALL_SECTORS - 256, WRITE_SALT));
    assert_true(sector_has_pattern(f, SMALL_SECTORS - 1, WRITE_SALT));
    /* 256 sectors do not fit 255 before the end. */
    select_lba28(f, SMALL_SECTORS - 255, 0);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
}

static void test_count_zero_lba48(void **state)
{
    struct fixture *f = *state;
    /* 65536 sectors: the first three, then SRST abandons the rest. */
    select_lba48(f, 0, 0);
    command(f, ATA_CMD_READ_SECTORS_EXT);
    for (unsigned s = 0; s < 3; s++) {
        assert_int_equal(status(f), STATUS_DRQ);
        read_one_sector(f, s, 0);
    }
    assert_int_equal(f->ata.sectors_left, BIG_SECTORS - 3);
    assert_int_equal(f->ata.lba, 3);
    assert_int_equal(alt_status(f), STATUS_DRQ);
    outb(f, CTRL, ATA_CONTROL_SRST);
    outb(f, CTRL, 0);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(f->ata.sectors_read, 3);

    /* 65536 sectors do not fit from sector 1. */
    select_lba48(f, 1, 0);
    expect_error(f, ATA_CMD_READ_SECTORS_EXT, ATA_ERROR_IDNF);

    /* Writing: two sectors and part of a third, then SRST: the third is not written. */
    select_lba48(f, 0, 0);
    command(f, ATA_CMD_WRITE_SECTORS_EXT);
    write_one_sector(f, 0, WRITE_SALT);
    assert_int_equal(status(f), STATUS_DRQ);
    write_one_sector(f, 1, WRITE_SALT);
    assert_int_equal(status(f), STATUS_DRQ);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS / 2; w++)
        outw(f, REG_DATA, 0);
    assert_int_equal(f->ata.sectors_left, BIG_SECTORS - 2);
    outb(f, CTRL, ATA_CONTROL_SRST);
    outb(f, CTRL, 0);
    assert_true(sector_has_pattern(f, 0, WRITE_SALT));
    assert_true(sector_has_pattern(f, 1, WRITE_SALT));
    assert_true(sector_has_pattern(f, 2, 0));
    assert_int_equal(f->ata.sectors_written, 2);
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_out_of_range(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(SMALL_SECTORS * ATA_SECTOR_SIZE);
    assert_non_null(copy);
    memcpy(copy, f->image, SMALL_SECTORS * ATA_SECTOR_SIZE);

    select_lba28(f, SMALL_SECTORS, 1);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    /* The registers keep the address of the request. */
    assert_int_equal(inb(f, REG_LBA_LOW), SMALL_SECTORS & 0xff);
    assert_int_equal(inb(f, REG_LBA_MID), (SMALL_SECTORS >> 8) & 0xff);
    select_lba28(f, SMALL_SECTORS - 2, 3);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    select_lba28(f, SMALL_SECTORS - 1, 2);
    expect_error(f, ATA_CMD_WRITE_SECTORS, ATA_ERROR_IDNF);
    outw(f, REG_DATA, 0x1234); /* no DRQ: dropped */
    select_lba28(f, 0x0fffffff, 1);
    expect_error(f, ATA_CMD_WRITE_SECTORS, ATA_ERROR_IDNF);
    select_lba48(f, SMALL_SECTORS - 1, 2);
    expect_error(f, ATA_CMD_WRITE_SECTORS_EXT, ATA_ERROR_IDNF);
    select_lba48(f, 1ull << 24, 1); /* only the previous LBA Low byte is set */
    expect_error(f, ATA_CMD_READ_SECTORS_EXT, ATA_ERROR_IDNF);
    select_lba48(f, 1ull << 47, 1);
    expect_error(f, ATA_CMD_WRITE_SECTORS_EXT, ATA_ERROR_IDNF);
    /* Device bits 3:0 are LBA bits 27:24 for a 28-bit command. */
    select_lba28(f, 0x01000000, 1);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    assert_int_equal(f->ata.errors, 8);
    assert_memory_equal(copy, f->image, SMALL_SECTORS * ATA_SECTOR_SIZE);
    free(copy);

    /* The next good command clears ERR and Error. */
    select_lba28(f, 0, 1);
    pio_read(f, 0, 1, ATA_CMD_READ_SECTORS, 0);
    assert_int_equal(inb(f, REG_ERROR), 0);
}

static void test_unsupported_commands_abort(void **state)
{
    struct fixture *f = *state;
    static const uint8_t unsupported[] = {
        0x00, /* NOP (aborts by definition) */
        0x08, /* DEVICE RESET (PACKET devices) */
        0x40, /* READ VERIFY SECTORS */
        0xa0, /* PACKET */
        0xa1, /* IDENTIFY PACKET DEVICE */
        0xb0, /* SMART */
        0xc8, /* READ DMA */
        0xca, /* WRITE DMA */
        0xe0, /* STANDBY IMMEDIATE */
        0xe5, /* CHECK POWER MODE */
        0xf8, /* READ NATIVE MAX ADDRESS */
        0xff,
    };
    outb(f, REG_DEVICE, SELECT_MASTER);
    for (size_t i = 0; i < sizeof(unsupported); i++)
        expect_error(f, unsupported[i], ATA_ERROR_ABRT);
    assert_int_equal(f->ata.errors, sizeof(unsupported));
    assert_int_equal(f->ata.commands, sizeof(unsupported));

    /* SET FEATURES: only Set Transfer Mode, only PIO modes. */
    static const struct {
        uint8_t feature, count;
        bool ok;
    } features[] = {
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_PIO_DEFAULT, true},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_PIO_DEFAULT_NO_IORDY, true},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_PIO_FLOW_CONTROL | 0, true},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_PIO_FLOW_CONTROL | 4, true},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_PIO_FLOW_CONTROL | 5, false},
        {ATA_FEATURE_SET_TRANSFER_MODE, 0x02, false},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_MDMA | 2, false},
        {ATA_FEATURE_SET_TRANSFER_MODE, ATA_XFER_UDMA | 5, false},
        {0x02, 0, false}, /* enable write cache */
        {0xaa, 0, false}, /* enable read look-ahead */
        {0x66, 0, false}, /* disable reverting to power-on defaults */
    };
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
        outb(f, REG_FEATURES, features[i].feature);
        outb(f, REG_COUNT, features[i].count);
        if (features[i].ok) {
            expect_ok(f, ATA_CMD_SET_FEATURES);
            assert_int_equal(inb(f, REG_ERROR), 0);
            assert_int_equal(f->ata.xfer_mode, features[i].count);
        } else {
            expect_error(f, ATA_CMD_SET_FEATURES, ATA_ERROR_ABRT);
        }
    }
    assert_int_equal(f->ata.xfer_mode, ATA_XFER_PIO_FLOW_CONTROL | 4);

    /* READ/WRITE MULTIPLE need multiple mode. */
    select_lba28(f, 0, 1);
    expect_error(f, ATA_CMD_READ_MULTIPLE, ATA_ERROR_ABRT);
    expect_error(f, ATA_CMD_WRITE_MULTIPLE_EXT, ATA_ERROR_ABRT);
}

static void test_nondata_commands(void **state)
{
    struct fixture *f = *state;
    outb(f, REG_DEVICE, SELECT_MASTER);
    expect_ok(f, ATA_CMD_FLUSH_CACHE);
    assert_int_equal(inb(f, REG_ERROR), 0);
    expect_ok(f, ATA_CMD_FLUSH_CACHE_EXT);
    assert_int_equal(inb(f, REG_ERROR), 0);

    /* EXECUTE DEVICE DIAGNOSTIC: the diagnostic code and the signature. */
    select_lba28(f, 0x0abcdef, 9);
    expect_ok(f, ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC);
    assert_int_equal(inb(f, REG_ERROR), ATA_DIAG_DEVICE0_PASSED);
    assert_int_equal(inb(f, REG_COUNT), 0x01);
    assert_int_equal(inb(f, REG_LBA_LOW), 0x01);
    assert_int_equal(inb(f, REG_LBA_MID), 0x00);
    assert_int_equal(inb(f, REG_LBA_HIGH), 0x00);
    assert_int_equal(inb(f, REG_DEVICE), 0x00);
    assert_int_equal(f->ata.commands, 3);
    assert_int_equal(f->ata.errors, 0);
}

/* ---- interrupts ----------------------------------------------------------------------------- */

static void test_irq_protocol(void **state)
{
    struct fixture *f = *state;
    /* Data-in: one interrupt per sector when it is ready, acknowledged by Status only. */
    select_lba28(f, 40, 3);
    command(f, ATA_CMD_READ_SECTORS);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, 1);
    assert_int_equal(alt_status(f), STATUS_DRQ);
    assert_true(f->irq_level);
    assert_int_equal(status(f), STATUS_DRQ);
    assert_false(f->irq_level);
    assert_int_equal(status(f), STATUS_DRQ); /* a second read: nothing pending */
    for (unsigned w = 0; w < ATA_SECTOR_WORDS - 1; w++)
        inw(f, REG_DATA);
    assert_false(f->irq_level);
    inw(f, REG_DATA);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, 2);
    /* A driver that does not acknowledge: the line stays high, no new edge. */
    read_one_sector(f, 41, 0);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, 2);
    assert_int_equal(f->ata.interrupts, 3);
    assert_int_equal(status(f), STATUS_DRQ);
    read_one_sector(f, 42, 0);
    assert_false(f->irq_level);
    assert_int_equal(f->irq_rises, 2);
    assert_int_equal(status(f), STATUS_IDLE);

    /* Writing Command acknowledges a pending interrupt: the line drops before the next one. */
    expect_ok(f, ATA_CMD_FLUSH_CACHE);
    command(f, ATA_CMD_FLUSH_CACHE);
    unsigned rises = f->irq_rises, falls = f->irq_falls;
    command(f, ATA_CMD_FLUSH_CACHE);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, rises + 1);
    assert_int_equal(f->irq_falls, falls + 1);
    status(f);

    /* Data-out: none after the command, one after each sector. */
    rises = f->irq_rises;
    select_lba28(f, 50, 2);
    command(f, ATA_CMD_WRITE_SECTORS);
    assert_false(f->irq_level);
    assert_int_equal(status(f), STATUS_DRQ);
    write_one_sector(f, 50, WRITE_SALT);
    assert_true(f->irq_level);
    assert_int_equal(status(f), STATUS_DRQ);
    write_one_sector(f, 51, WRITE_SALT);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, rises + 2);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_false(f->irq_level);
}

static void test_nien(void **state)
{
    struct fixture *f = *state;
    outb(f, CTRL, ATA_CONTROL_NIEN);
    select_lba28(f, 60, 1);
    command(f, ATA_CMD_READ_SECTORS);
    assert_false(f->irq_level);
    assert_int_equal(f->irq_rises, 0);
    assert_true(f->ata.intrq);
    assert_int_equal(f->ata.interrupts, 1);
    /* Clearing nIEN shows the pending interrupt; setting it hides it again. */
    outb(f, CTRL, 0);
    assert_true(f->irq_level);
    outb(f, CTRL, ATA_CONTROL_NIEN);
    assert_false(f->irq_level);
    outb(f, CTRL, 0);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_rises, 2);
    assert_int_equal(status(f), STATUS_DRQ);
    assert_false(f->irq_level);
    read_one_sector(f, 60, 0);
    /* Polled writes with nIEN: the line never moves, the data still goes. */
    outb(f, CTRL, ATA_CONTROL_NIEN);
    select_lba28(f, 61, 3);
    command(f, ATA_CMD_WRITE_SECTORS);
    for (unsigned s = 61; s < 64; s++) {
        assert_int_equal(alt_status(f), STATUS_DRQ);
        write_one_sector(f, s, WRITE_SALT);
    }
    assert_int_equal(alt_status(f), STATUS_IDLE);
    assert_true(f->ata.intrq);
    assert_false(f->irq_level);
    assert_int_equal(f->irq_rises, 2);
    assert_true(sector_has_pattern(f, 63, WRITE_SALT));
    assert_int_equal(status(f), STATUS_IDLE);
    assert_false(f->ata.intrq);
    outb(f, CTRL, 0);
    assert_false(f->irq_level);
}

/* ---- reset, device selection, HOB ------------------------------------------------------------ */

static void test_srst(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 70, 2);
    command(f, ATA_CMD_WRITE_SECTORS);
    write_one_sector(f, 70, WRITE_SALT);
    assert_true(f->irq_level);
    for (unsigned w = 0; w < 100; w++)
        outw(f, REG_DATA, 0);
    outb(f, CTRL, ATA_CONTROL_SRST);
    assert_int_equal(alt_status(f), STATUS_BUSY);
    assert_int_equal(status(f), STATUS_BUSY);
    assert_false(f->irq_level);
    command(f, ATA_CMD_FLUSH_CACHE); /* ignored while in reset */
    assert_int_equal(f->ata.ignored_commands, 1);
    assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    outb(f, CTRL, 0);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(inb(f, REG_ERROR), ATA_DIAG_DEVICE0_PASSED);
    assert_int_equal(inb(f, REG_COUNT), 0x01);
    assert_int_equal(inb(f, REG_LBA_LOW), 0x01);
    assert_int_equal(inb(f, REG_LBA_MID), 0x00);
    assert_int_equal(inb(f, REG_LBA_HIGH), 0x00);
    assert_int_equal(inb(f, REG_DEVICE), 0x00);
    assert_false(f->irq_level);
    assert_int_equal(f->irq_rises, 1);
    assert_true(sector_has_pattern(f, 70, WRITE_SALT));
    assert_true(sector_has_pattern(f, 71, 0));
    outw(f, REG_DATA, 0);
    assert_true(sector_has_pattern(f, 71, 0));
    assert_int_equal(f->ata.resets, 1);
    assert_int_equal(f->ata.sectors_written, 1);

    /* SRST resets device 0 even with device 1 selected; multiple mode survives it. */
    outb(f, REG_COUNT, 8);
    expect_ok(f, ATA_CMD_SET_MULTIPLE_MODE);
    expect_ok(f, ATA_CMD_FLUSH_CACHE);
    command(f, ATA_CMD_FLUSH_CACHE);
    assert_true(f->irq_level);
    outb(f, REG_DEVICE, SELECT_SLAVE);
    outb(f, CTRL, ATA_CONTROL_SRST);
    outb(f, CTRL, 0);
    assert_false(f->ata.intrq);
    assert_int_equal(inb(f, REG_DEVICE), 0x00); /* the signature selects device 0 */
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(f->ata.multiple, 8);
    assert_int_equal(f->ata.resets, 2);
}

static void test_slave_selected(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(SMALL_SECTORS * ATA_SECTOR_SIZE);
    assert_non_null(copy);
    memcpy(copy, f->image, SMALL_SECTORS * ATA_SECTOR_SIZE);

    /* Device 0 has an interrupt pending. */
    outb(f, REG_DEVICE, SELECT_MASTER);
    command(f, ATA_CMD_FLUSH_CACHE);
    assert_true(f->irq_level);
    uint64_t commands = f->ata.commands, interrupts = f->ata.interrupts;

    outb(f, REG_DEVICE, SELECT_SLAVE);
    assert_false(f->irq_level); /* device 0's INTRQ is released when it is not selected */
    assert_int_equal(status(f), 0x00);
    assert_int_equal(alt_status(f), 0x00);
    assert_int_equal(inb(f, REG_ERROR), 0x00);
    assert_true(f->ata.intrq); /* the status read was not device 0's */
    outb(f, REG_COUNT, 1);
    outb(f, REG_LBA_LOW, 5);
    outb(f, REG_LBA_MID, 0);
    outb(f, REG_LBA_HIGH, 0);
    assert_int_equal(inb(f, REG_COUNT), 1); /* both devices latch the registers */
    assert_int_equal(inb(f, REG_LBA_LOW), 5);
    assert_int_equal(inb(f, REG_DEVICE), SELECT_SLAVE);
    static const uint8_t commands_to_slave[] = {
        ATA_CMD_WRITE_SECTORS,     ATA_CMD_READ_SECTORS,
        ATA_CMD_IDENTIFY_DEVICE,   ATA_CMD_SET_FEATURES,
        ATA_CMD_WRITE_SECTORS_EXT, ATA_CMD_FLUSH_CACHE,
        ATA_CMD_SET_MULTIPLE_MODE, 0xff,
    };
    for (size_t i = 0; i < sizeof(commands_to_slave); i++) {
        command(f, commands_to_slave[i]);
        for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++)
            outw(f, REG_DATA, 0xdead);
        assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
        assert_int_equal(status(f), 0x00);
    }
    assert_int_equal(f->ata.commands, commands);
    assert_int_equal(f->ata.interrupts, interrupts);
    assert_int_equal(f->ata.ignored_commands, sizeof(commands_to_slave));
    assert_int_equal(f->ata.phase, ATA_PIO_IDLE);
    assert_int_equal(f->ata.multiple, 0);
    assert_true(f->ata.intrq);
    assert_int_equal(f->irq_rises, 1);
    assert_memory_equal(copy, f->image, SMALL_SECTORS * ATA_SECTOR_SIZE);
    free(copy);

    /* Back to device 0: its interrupt is still pending. */
    outb(f, REG_DEVICE, SELECT_MASTER);
    assert_true(f->irq_level);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_false(f->irq_level);

    /* A transfer of device 0 is not advanced by data accesses with device 1 selected. */
    select_lba28(f, 7, 1);
    command(f, ATA_CMD_READ_SECTORS);
    status(f);
    for (unsigned w = 0; w < 100; w++) {
        uint16_t word = inw(f, REG_DATA);
        assert_int_equal(word, pattern(7, 2 * w, 0) | pattern(7, 2 * w + 1, 0) << 8);
    }
    outb(f, REG_DEVICE, SELECT_SLAVE);
    for (unsigned w = 0; w < 10; w++)
        assert_int_equal(inw(f, REG_DATA), FLOATING_WORD);
    outb(f, REG_DEVICE, SELECT_MASTER);
    for (unsigned w = 100; w < ATA_SECTOR_WORDS; w++) {
        uint16_t word = inw(f, REG_DATA);
        assert_int_equal(word, pattern(7, 2 * w, 0) | pattern(7, 2 * w + 1, 0) << 8);
    }
    assert_int_equal(status(f), STATUS_IDLE);

    /* EXECUTE DEVICE DIAGNOSTIC is the one command both devices execute whatever DEV says. */
    outb(f, REG_DEVICE, SELECT_SLAVE);
    command(f, ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC);
    assert_int_equal(inb(f, REG_DEVICE), 0x00);
    assert_true(f->irq_level);
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(inb(f, REG_ERROR), ATA_DIAG_DEVICE0_PASSED);
}

static void test_hob(void **state)
{
    struct fixture *f = *state;
    outb(f, REG_COUNT, 0x12);
    outb(f, REG_COUNT, 0x34);
    outb(f, REG_LBA_LOW, 0x56);
    outb(f, REG_LBA_MID, 0x9a);
    outb(f, REG_LBA_MID, 0xbc);
    outb(f, REG_LBA_HIGH, 0xde);
    outb(f, REG_LBA_HIGH, 0xf0);
    outb(f, REG_FEATURES, 0x11);
    outb(f, REG_FEATURES, 0x22);
    assert_int_equal(inb(f, REG_COUNT), 0x34);
    assert_int_equal(inb(f, REG_LBA_LOW), 0x56);
    assert_int_equal(inb(f, REG_LBA_MID), 0xbc);
    assert_int_equal(inb(f, REG_LBA_HIGH), 0xf0);
    outb(f, CTRL, ATA_CONTROL_HOB);
    assert_int_equal(inb(f, REG_COUNT), 0x12);
    assert_int_equal(inb(f, REG_LBA_LOW), 0x01); /* the signature's, pushed down */
    assert_int_equal(inb(f, REG_LBA_MID), 0x9a);
    assert_int_equal(inb(f, REG_LBA_HIGH), 0xde);
    assert_int_equal(inb(f, REG_DEVICE), 0x00); /* not a FIFO */
    assert_int_equal(inb(f, REG_ERROR), ATA_DIAG_DEVICE0_PASSED);
    assert_int_equal(alt_status(f), STATUS_IDLE);
    assert_int_equal(f->ata.features[1], 0x11);
    assert_int_equal(f->ata.features[0], 0x22);
    /* Any command block write clears HOB. */
    outb(f, REG_FEATURES, 0x33);
    assert_int_equal(inb(f, REG_COUNT), 0x34);
    outb(f, CTRL, ATA_CONTROL_HOB);
    assert_int_equal(inb(f, REG_COUNT), 0x12);
    outw(f, REG_DATA, 0);
    assert_int_equal(inb(f, REG_COUNT), 0x34);
    outb(f, CTRL, ATA_CONTROL_HOB);
    outb(f, REG_DEVICE, SELECT_MASTER);
    assert_int_equal(inb(f, REG_COUNT), 0x34);
}

/* ---- access widths -------------------------------------------------------------------------- */

static void test_8bit_data_access(void **state)
{
    struct fixture *f = *state;
    uint16_t id[ATA_SECTOR_WORDS];
    identify(f, id);
    /* Each byte access moves a whole word; the high byte is lost. */
    command(f, ATA_CMD_IDENTIFY_DEVICE);
    status(f);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++) {
        assert_int_equal(alt_status(f), STATUS_DRQ);
        assert_int_equal(inb(f, REG_DATA), id[w] & 0xff);
    }
    assert_int_equal(status(f), STATUS_IDLE);

    select_lba28(f, 3, 1);
    command(f, ATA_CMD_WRITE_SECTORS);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++)
        outb(f, REG_DATA, (uint8_t)(w + 1));
    assert_int_equal(status(f), STATUS_IDLE);
    for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++) {
        assert_int_equal(f->image[3 * ATA_SECTOR_SIZE + 2 * w], (uint8_t)(w + 1));
        assert_int_equal(f->image[3 * ATA_SECTOR_SIZE + 2 * w + 1], 0);
    }
    assert_int_equal(f->ata.sectors_written, 1);
}

static void test_32bit_data_access(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 80, 2);
    command(f, ATA_CMD_READ_SECTORS);
    for (unsigned s = 80; s < 82; s++) {
        assert_int_equal(status(f), STATUS_DRQ);
        for (unsigned d = 0; d < ATA_SECTOR_SIZE / 4; d++) {
            uint32_t v = in(f, REG_DATA, 4);
            for (unsigned b = 0; b < 4; b++)
                assert_int_equal((v >> (8 * b)) & 0xff, pattern(s, 4 * d + b, 0));
        }
    }
    assert_int_equal(status(f), STATUS_IDLE);
    assert_int_equal(f->irq_rises, 2);

    select_lba28(f, 90, 1);
    command(f, ATA_CMD_WRITE_SECTORS);
    for (unsigned d = 0; d < ATA_SECTOR_SIZE / 4; d++) {
        uint32_t v = 0;
        for (unsigned b = 0; b < 4; b++)
            v |= (uint32_t)pattern(90, 4 * d + b, WRITE_SALT) << (8 * b);
        out(f, REG_DATA, 4, v);
    }
    assert_int_equal(status(f), STATUS_IDLE);
    assert_true(sector_has_pattern(f, 90, WRITE_SALT));
}

/* ---- multiple mode, CHS --------------------------------------------------------------------- */

static void test_multiple_mode(void **state)
{
    struct fixture *f = *state;
    uint16_t id[ATA_SECTOR_WORDS];
    outb(f, REG_COUNT, 3);
    expect_error(f, ATA_CMD_SET_MULTIPLE_MODE, ATA_ERROR_ABRT);
    outb(f, REG_COUNT, 32);
    expect_error(f, ATA_CMD_SET_MULTIPLE_MODE, ATA_ERROR_ABRT);
    outb(f, REG_COUNT, 4);
    expect_ok(f, ATA_CMD_SET_MULTIPLE_MODE);
    identify(f, id);
    assert_int_equal(id[59], 0x0104);

    /* READ MULTIPLE of 10 sectors: blocks of 4, 4, 2, one interrupt each. */
    unsigned rises = f->irq_rises;
    select_lba28(f, 100, 10);
    command(f, ATA_CMD_READ_MULTIPLE);
    for (unsigned s = 0; s < 10; s++) {
        assert_int_equal(f->irq_rises, rises + s / 4 + 1);
        if (s % 4 == 0)
            assert_int_equal(status(f), STATUS_DRQ);
        else
            assert_int_equal(alt_status(f), STATUS_DRQ);
        assert_false(f->irq_level);
        read_one_sector(f, 100 + s, 0);
    }
    assert_int_equal(f->irq_rises, rises + 3);
    assert_int_equal(status(f), STATUS_IDLE);

    /* WRITE MULTIPLE of 6: blocks of 4 and 2, an interrupt after each. */
    rises = f->irq_rises;
    select_lba28(f, 200, 6);
    command(f, ATA_CMD_WRITE_MULTIPLE);
    for (unsigned s = 0; s < 6; s++) {
        assert_int_equal(f->irq_rises, rises + (s >= 4 ? 1 : 0));
        write_one_sector(f, 200 + s, WRITE_SALT);
        if (s == 3)
            assert_int_equal(status(f), STATUS_DRQ); /* block done: acknowledge, go on */
        else if (s < 5)
            assert_false(f->irq_level);
    }
    assert_int_equal(f->irq_rises, rises + 2);
    assert_int_equal(status(f), STATUS_IDLE);
    for (unsigned s = 200; s < 206; s++)
        assert_true(sector_has_pattern(f, s, WRITE_SALT));
    assert_true(sector_has_pattern(f, 206, 0));

    /* The EXT forms. */
    rises = f->irq_rises;
    select_lba48(f, 300, 5);
    command(f, ATA_CMD_READ_MULTIPLE_EXT);
    for (unsigned s = 0; s < 5; s++) {
        if (s % 4 == 0)
            status(f);
        read_one_sector(f, 300 + s, 0);
    }
    assert_int_equal(f->irq_rises, rises + 2);
    select_lba48(f, 400, 2);
    command(f, ATA_CMD_WRITE_MULTIPLE_EXT);
    write_one_sector(f, 400, WRITE_SALT);
    assert_int_equal(f->irq_rises, rises + 2);
    write_one_sector(f, 401, WRITE_SALT);
    assert_int_equal(f->irq_rises, rises + 3);
    assert_true(sector_has_pattern(f, 401, WRITE_SALT));

    /* 0 disables multiple mode. */
    outb(f, REG_COUNT, 0);
    expect_ok(f, ATA_CMD_SET_MULTIPLE_MODE);
    identify(f, id);
    assert_int_equal(id[59], 0);
    select_lba28(f, 0, 1);
    expect_error(f, ATA_CMD_READ_MULTIPLE, ATA_ERROR_ABRT);
}

static void test_chs(void **state)
{
    struct fixture *f = *state;
    /* Default translation 2/16/63: C 1 H 2 S 3 is LBA (1 * 16 + 2) * 63 + 2. */
    select_chs(f, 1, 2, 3, 2);
    pio_read(f, 1136, 2, ATA_CMD_READ_SECTORS, 0);

    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 8 sectors per track: 2048 / 32 = 64 cylinders. */
    outb(f, REG_DEVICE, SELECT_CHS | (4 - 1));
    outb(f, REG_COUNT, 8);
    expect_ok(f, ATA_CMD_INITIALIZE_DEVICE_PARAMETERS);
    uint16_t id[ATA_SECTOR_WORDS];
    identify(f, id);
    assert_int_equal(id[1], 2); /* the default translation is unchanged */
    assert_int_equal(id[54], 64);
    assert_int_equal(id[55], 4);
    assert_int_equal(id[56], 8);
    assert_int_equal(id_number(id, 57, 2), SMALL_SECTORS);
    select_chs(f, 1, 2, 3, 1);
    pio_read(f, 50, 1, ATA_CMD_READ_SECTORS, 0);
    select_chs(f, 63, 3, 8, 1);
    pio_write(f, SMALL_SECTORS - 1, 1, ATA_CMD_WRITE_SECTORS, WRITE_SALT);
    assert_true(sector_has_pattern(f, SMALL_SECTORS - 1, WRITE_SALT));
    /* Addresses outside the translation. */
    select_chs(f, 0, 0, 0, 1); /* sectors count from 1 */
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    select_chs(f, 0, 0, 9, 1);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    select_chs(f, 0, 4, 1, 1);
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    select_chs(f, 64, 0, 1, 1);
    expect_error(f, ATA_CMD_WRITE_SECTORS, ATA_ERROR_IDNF);
    select_chs(f, 63, 3, 8, 2); /* runs past the end */
    expect_error(f, ATA_CMD_READ_SECTORS, ATA_ERROR_IDNF);
    /* 0 sectors per track is refused and changes nothing. */
    outb(f, REG_COUNT, 0);
    expect_error(f, ATA_CMD_INITIALIZE_DEVICE_PARAMETERS, ATA_ERROR_ABRT);
    assert_int_equal(f->ata.chs_sectors, 8);
}

/* ---- dump ----------------------------------------------------------------------------------- */

static char dump_buf[4096];
static size_t dump_len;

__attribute__((format(printf, 1, 2))) static void dump_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dump_buf + dump_len, sizeof(dump_buf) - dump_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(dump_buf) - dump_len);
    dump_len += (size_t)n;
}

static void dump(struct fixture *f)
{
    dump_len = 0;
    dump_buf[0] = '\0';
    ata_pio_dump(&f->ata, dump_print);
}

static void test_dump(void **state)
{
    struct fixture *f = *state;
    select_lba28(f, 0x123, 3);
    pio_read(f, 0x123, 3, ATA_CMD_READ_SECTORS, 0);
    select_lba28(f, 10, 2);
    command(f, ATA_CMD_WRITE_SECTORS);
    for (unsigned w = 0; w < 10; w++)
        outw(f, REG_DATA, 0);
    outb(f, CTRL, ATA_CONTROL_NIEN);
    dump(f);
    assert_non_null(
        strstr(dump_buf, "ata_pio primary channel at 0x1f0/0x3f6, irq 14 deasserted\n"));
    assert_non_null(strstr(dump_buf, "device 0: 2048 sectors (1 MiB), device 1: none\n"));
    assert_non_null(strstr(dump_buf, "status 0x58 error 0x00"));
    assert_non_null(strstr(dump_buf, "count 0x02/0x03 lba 0x00000a/0x000123 device 0xe0 control "
                                     "0x02, nIEN\n"));
    assert_non_null(strstr(dump_buf, "transfer: data-out for 0x30 (WRITE SECTORS), lba 10, "
                                     "2 sectors left, 1 in this block, word 10/256\n"));
    assert_non_null(strstr(dump_buf, "multiple 0 (max 16), chs 2/16/63 (default 2/16/63)"));
    assert_non_null(strstr(dump_buf, "commands 2, errors 0, ignored 0, sectors read 3, written 0, "
                                     "interrupts 3, irq raised 3, resets 0, stray data 0\n"));
    outb(f, CTRL, ATA_CONTROL_SRST);
    outb(f, CTRL, 0);
    command(f, 0xff);
    dump(f);
    assert_non_null(strstr(dump_buf, "irq 14 asserted\n"));
    assert_non_null(strstr(dump_buf, "status 0x51 error 0x04"));
    assert_non_null(strstr(dump_buf, "INTRQ pending"));
    assert_non_null(strstr(dump_buf, "transfer: none; last command 0xff (unsupported)\n"));
    assert_non_null(strstr(dump_buf, "errors 1,"));
    assert_non_null(strstr(dump_buf, "resets 1,"));
}

static void test_dump_no_drive(void **state)
{
    struct fixture *f = *state;
    dump(f);
    assert_string_equal(dump_buf, "ata_pio primary channel at 0x1f0/0x3f6, irq 14 deasserted\n"
                                  "  device 0: none (floating bus), device 1: none\n");
}

/* ---- randomized ----------------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static void check_invariants(struct fixture *f)
{
    const struct ata_pio *a = &f->ata;
    const uint8_t known = ATA_STATUS_DRDY | ATA_STATUS_DSC | ATA_STATUS_DRQ | ATA_STATUS_ERR;
    assert_int_equal(a->status & ~known, 0);
    assert_int_equal((a->status & ATA_STATUS_DRQ) != 0, a->phase != ATA_PIO_IDLE);
    assert_true(a->offset < ATA_SECTOR_SIZE && a->offset % 2 == 0);
    if (a->status & ATA_STATUS_ERR)
        assert_true(a->error == ATA_ERROR_ABRT || a->error == ATA_ERROR_IDNF);
    if (a->phase != ATA_PIO_IDLE) {
        assert_false(a->control & ATA_CONTROL_SRST);
        assert_true(a->sectors_left >= 1);
        assert_true(a->block_left >= 1 && a->block_left <= a->sectors_left);
        assert_true(a->block_left <= a->block_size);
        if (a->media)
            assert_true(a->lba + a->sectors_left <= f->sectors);
        else
            assert_int_equal(a->phase, ATA_PIO_DATA_IN);
    }
    assert_true(a->multiple <= ATA_PIO_MAX_MULTIPLE && (a->multiple & (a->multiple - 1)) == 0);
    assert_true(a->chs_heads >= 1 && a->chs_heads <= ATA_CHS_MAX_HEADS && a->chs_sectors >= 1);
    bool level = !(a->device & ATA_DEVICE_DEV) && a->intrq && !(a->control & ATA_CONTROL_NIEN);
    assert_int_equal(f->irq_level, level);
    assert_int_equal(a->irq_level, level);
    uint8_t expect_status = (a->device & ATA_DEVICE_DEV)      ? 0
                            : (a->control & ATA_CONTROL_SRST) ? STATUS_BUSY
                                                              : a->status;
    assert_int_equal(ata_pio_peek_status(a), expect_status);
}

static uint8_t random_register_value(unsigned reg, uint64_t r)
{
    uint8_t byte = (uint8_t)(r >> 24);
    unsigned choice = (unsigned)(r >> 40) % 4;
    switch (reg) {
    case ATA_REG_COUNT:
        return choice == 0 ? 0 : choice == 1 ? byte : (uint8_t)(1 + byte % 4);
    case ATA_REG_LBA_MID:
        return choice == 0 ? byte : (uint8_t)(byte % 2);
    case ATA_REG_LBA_HIGH:
        return choice == 0 ? byte : 0;
    case ATA_REG_FEATURES:
        return choice < 2 ? ATA_FEATURE_SET_TRANSFER_MODE : byte;
    case ATA_REG_DEVICE: {
        static const uint8_t devices[] = {SELECT_MASTER, SELECT_MASTER, SELECT_MASTER, SELECT_CHS,
                                          SELECT_SLAVE};
        return choice == 0 ? byte : devices[byte % sizeof(devices)];
    }
    default:
        return byte;
    }
}

/* A 16-bit Data register read; during a media data-in transfer the word must be the image's.
 * Returns whether it was checked. */
static bool data_read_checked(struct fixture *f)
{
    const struct ata_pio *a = &f->ata;
    bool check = !(a->device & ATA_DEVICE_DEV) && a->phase == ATA_PIO_DATA_IN && a->media;
    bool floating = (a->device & ATA_DEVICE_DEV) || a->phase != ATA_PIO_DATA_IN;
    uint16_t expect = FLOATING_WORD;
    if (check) {
        const uint8_t *p = f->image + a->lba * ATA_SECTOR_SIZE + a->offset;
        expect = (uint16_t)(p[0] | p[1] << 8);
    }
    uint16_t got = inw(f, REG_DATA);
    if (check || floating)
        assert_int_equal(got, expect);
    return check;
}

/* What the test knows of the sector being written: the words it sent since the sector began. */
struct write_tracker {
    uint8_t sector[ATA_SECTOR_SIZE];
    unsigned checked;
};

/* A Data register write of any width; every sector it completes is compared with the image. */
static void data_write_checked(struct fixture *f, struct write_tracker *t, unsigned size,
                               uint32_t value)
{
    const struct ata_pio *a = &f->ata;
    bool active = !(a->device & ATA_DEVICE_DEV) && a->phase == ATA_PIO_DATA_OUT;
    unsigned offset = a->offset;
    uint64_t lba = a->lba, written = a->sectors_written;
    uint8_t done[ATA_SECTOR_SIZE];
    uint64_t done_lba = 0;
    bool completed = false;
    unsigned words = size == 4 ? 2 : 1;
    for (unsigned k = 0; k < words && active; k++) {
        uint16_t word = size == 1 ? (uint16_t)(value & 0xff) : (uint16_t)(value >> (16 * k));
        t->sector[offset] = (uint8_t)word;
        t->sector[offset + 1] = (uint8_t)(word >> 8);
        offset += 2;
        if (offset == ATA_SECTOR_SIZE) {
            memcpy(done, t->sector, ATA_SECTOR_SIZE);
            done_lba = lba;
            completed = true;
            offset = 0;
            lba++;
            active = a->sectors_left > 1; /* the next word goes to the next sector, if any */
        }
    }
    out(f, REG_DATA, size, value);
    assert_int_equal(a->sectors_written, written + (completed ? 1 : 0));
    if (completed) {
        assert_memory_equal(f->image + done_lba * ATA_SECTOR_SIZE, done, ATA_SECTOR_SIZE);
        t->checked++;
    }
}

static void test_randomized(void **state)
{
    struct fixture *f = *state;
    static const uint8_t commands[] = {
        ATA_CMD_READ_SECTORS,
        ATA_CMD_READ_SECTORS_EXT,
        ATA_CMD_READ_MULTIPLE,
        ATA_CMD_READ_MULTIPLE_EXT,
        ATA_CMD_WRITE_SECTORS,
        ATA_CMD_WRITE_SECTORS_EXT,
        ATA_CMD_WRITE_MULTIPLE,
        ATA_CMD_WRITE_MULTIPLE_EXT,
        ATA_CMD_IDENTIFY_DEVICE,
        ATA_CMD_SET_FEATURES,
        ATA_CMD_SET_MULTIPLE_MODE,
        ATA_CMD_FLUSH_CACHE,
        ATA_CMD_FLUSH_CACHE_EXT,
        ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC,
        ATA_CMD_INITIALIZE_DEVICE_PARAMETERS,
    };
    static const uint16_t ports[] = {CMD + 1, CMD + 2, CMD + 3, CMD + 4, CMD + 5,
                                     CMD + 6, CMD + 7, CTRL,    CTRL + 1};
    static const unsigned sizes[] = {1, 1, 2, 2, 4};
    struct write_tracker tracker = {0};
    uint64_t seed = RANDOM_SEED;
    unsigned checked_reads = 0, idnf = 0, abrt = 0;

    for (unsigned it = 0; it < RANDOM_ITERATIONS; it++) {
        uint64_t r = rng_next(&seed);
        unsigned op = (unsigned)(r % 100);
        const struct ata_pio *a = &f->ata;
        bool selected = !(a->device & ATA_DEVICE_DEV);
        if (op < 30) {
            /* Data register, any width; 16-bit ones checked against the image. */
            unsigned size = sizes[(r >> 8) % 5];
            uint32_t value = (uint32_t)(r >> 32);
            if ((r >> 16) & 1) {
                if (size == 2)
                    checked_reads += data_read_checked(f);
                else
                    in(f, REG_DATA, size);
            } else {
                data_write_checked(f, &tracker, size, value);
            }
        } else if (op < 36) {
            /* A whole sector through the Data register, as a driver moves it. */
            for (unsigned w = 0; w < ATA_SECTOR_WORDS; w++) {
                if (a->phase == ATA_PIO_DATA_IN || !selected)
                    checked_reads += data_read_checked(f);
                else
                    data_write_checked(f, &tracker, 2, (uint16_t)rng_next(&seed));
            }
        } else if (op < 60) {
            unsigned reg = ATA_REG_FEATURES + (unsigned)((r >> 8) % 6);
            outb(f, (uint16_t)(CMD + reg), random_register_value(reg, r));
        } else if (op < 65) {
            /* A full LBA48 register load with a small address. */
            select_lba48(f, (r >> 8) % (RANDOM_SECTORS + 4), (uint16_t)((r >> 20) % 6));
        } else if (op < 75) {
            uint8_t cmd =
                (r >> 8) % 8 ? commands[(r >> 16) % sizeof(commands)] : (uint8_t)(r >> 16);
            command(f, cmd);
            if (a->status & ATA_STATUS_ERR) {
                idnf += a->error == ATA_ERROR_IDNF;
                abrt += a->error == ATA_ERROR_ABRT;
            }
        } else if (op < 90) {
            uint16_t port = ports[(r >> 8) % (sizeof(ports) / sizeof(ports[0]))];
            unsigned size = sizes[(r >> 16) % 5];
            uint32_t value = 0;
            iobus_access(&f->bus, port, size, IO_IN, &value);
            if (port != CTRL + 1 && size == 1)
                assert_int_equal(value & ~0xffu, 0);
        } else if (op < 95) {
            uint8_t control = (uint8_t)(r >> 8) & (uint8_t)~ATA_CONTROL_SRST;
            if ((r >> 16) % 32 == 0)
                control |= ATA_CONTROL_SRST;
            outb(f, CTRL, control);
        } else {
            uint16_t port = ports[(r >> 8) % (sizeof(ports) / sizeof(ports[0]))];
            uint32_t value = (uint32_t)(r >> 32);
            if (port == CMD + 7 && (r >> 16) % 2)
                value = commands[value % sizeof(commands)];
            iobus_access(&f->bus, port, sizes[(r >> 20) % 5], IO_OUT, &value);
        }
        check_invariants(f);
    }
    /* The run went through the interesting paths. */
    assert_true(f->ata.sectors_read > 200);
    assert_true(f->ata.sectors_written > 200);
    assert_true(checked_reads > 50000);
    assert_true(tracker.checked > 200);
    assert_true(idnf > 1000);
    assert_true(abrt > 1000);
    assert_true(f->ata.irq_raised > 1000);
    assert_true(f->ata.resets > 100);
    assert_true(f->ata.ignored_commands > 1000);
    assert_true(f->ata.stray_data > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test(test_attach_all_or_nothing),
        cmocka_unit_test(test_init_sizes),
        cmocka_unit_test_setup_teardown(test_no_drive, setup_no_drive, teardown),
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_lba28, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_lba28, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_sector_granularity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lba48, setup, teardown),
        cmocka_unit_test_teardown(test_large_sparse_disk, teardown),
        cmocka_unit_test_setup_teardown(test_count_zero_lba28, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_zero_lba48, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_commands_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nondata_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nien, setup, teardown),
        cmocka_unit_test_setup_teardown(test_srst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slave_selected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_8bit_data_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_32bit_data_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_no_drive, setup_no_drive, teardown),
        cmocka_unit_test_setup_teardown(test_randomized, setup_random, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
