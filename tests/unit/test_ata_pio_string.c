/* Host unit tests of the ATA model's string fast path (ata_pio_io_string via iobus_access_string):
 * two identical channels, one driven with block transfers, one word by word, must stay identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices/ata_pio.h"
#include "vmm/iobus.h"

#define CMD          ATA_PIO_CMD_BLOCK_BASE
#define CTRL         ATA_PIO_CTRL_BLOCK_PORT
#define REG_DATA     (CMD + ATA_REG_DATA)
#define REG_COUNT    (CMD + ATA_REG_COUNT)
#define REG_LBA_LOW  (CMD + ATA_REG_LBA_LOW)
#define REG_LBA_MID  (CMD + ATA_REG_LBA_MID)
#define REG_LBA_HIGH (CMD + ATA_REG_LBA_HIGH)
#define REG_DEVICE   (CMD + ATA_REG_DEVICE)
#define REG_STATUS   (CMD + ATA_REG_STATUS)
#define REG_COMMAND  (CMD + ATA_REG_COMMAND)

#define SELECT_MASTER 0xe0 /* LBA, device 0 */
#define SELECT_SLAVE  0xf0 /* LBA, device 1 */
#define DISK_SECTORS  64u
#define MAX_ELEMENTS  2200u /* longer than a 4-sector block: crosses several sector ends */
#define IRQ_LOG_MAX   200000u
#define RANDOM_SEED   0x5eedf00dcafe1234ull
#define RANDOM_OPS    40000u

/* One change of the IRQ14 line, with where the transfer stood when it happened. */
struct irq_event {
    unsigned op;
    bool level;
    uint64_t sectors_read, sectors_written;
    uint32_t sectors_left, block_left;
};

struct side {
    struct iobus bus;
    struct ata_pio ata;
    uint8_t image[DISK_SECTORS * ATA_SECTOR_SIZE];
    struct irq_event irq_log[IRQ_LOG_MAX];
    unsigned irq_events;
    unsigned op; /* the operation being run, for the log */
};

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct side *s = ctx;
    assert_int_equal(irq, ATA_PIO_IRQ);
    assert_true(s->irq_events < IRQ_LOG_MAX);
    s->irq_log[s->irq_events++] = (struct irq_event){
        .op = s->op,
        .level = level,
        .sectors_read = s->ata.sectors_read,
        .sectors_written = s->ata.sectors_written,
        .sectors_left = s->ata.sectors_left,
        .block_left = s->ata.block_left,
    };
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static void side_init(struct side *s, uint64_t fill_seed)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < sizeof(s->image); i++)
        s->image[i] = (uint8_t)rng_next(&fill_seed);
    iobus_init(&s->bus);
    struct irq_line line = {.set = record_irq, .ctx = s, .irq = ATA_PIO_IRQ};
    assert_true(ata_pio_init(&s->ata, s->image, sizeof(s->image), &line));
    assert_int_equal(ata_pio_attach(&s->ata, &s->bus), IOBUS_OK);
}

struct pair {
    struct side fast, slow;
    unsigned compared_events; /* IRQ log entries already compared */
};

static struct pair *new_pair(void)
{
    struct pair *p = malloc(sizeof(*p));
    assert_non_null(p);
    side_init(&p->fast, RANDOM_SEED);
    side_init(&p->slow, RANDOM_SEED);
    p->compared_events = 0;
    return p;
}

/* Both sides: one plain access. */
static uint32_t both_access(struct pair *p, uint16_t port, unsigned size, enum io_direction dir,
                            uint32_t value)
{
    uint32_t a = value, b = value;
    iobus_access(&p->fast.bus, port, size, dir, &a);
    iobus_access(&p->slow.bus, port, size, dir, &b);
    assert_int_equal(a, b);
    return a;
}

/* The reference for a string access: count plain accesses, element i in buf[i * size ...]. */
static void word_by_word(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                         uint8_t *buf, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = buf + (size_t)i * size;
        uint32_t value = 0;
        for (unsigned k = 0; k < size; k++)
            value |= (uint32_t)e[k] << (8 * k);
        iobus_access(bus, port, size, dir, &value);
        if (dir == IO_IN) {
            for (unsigned k = 0; k < size; k++)
                e[k] = (uint8_t)(value >> (8 * k));
        }
    }
}

/* The same string access on both sides (fast: iobus_access_string; slow: word by word), from the
 * same buffer contents; returns the elements the fast side's string handler took. */
static uint32_t both_string(struct pair *p, uint16_t port, unsigned size, enum io_direction dir,
                            uint32_t count, uint64_t *seed)
{
    static uint8_t buf_fast[MAX_ELEMENTS * 4], buf_slow[MAX_ELEMENTS * 4];
    assert_true(count <= MAX_ELEMENTS);
    size_t bytes = (size_t)count * size;
    for (size_t i = 0; i < bytes; i++)
        buf_fast[i] = buf_slow[i] = (uint8_t)rng_next(seed);
    uint32_t moved = iobus_access_string(&p->fast.bus, port, size, dir, buf_fast, count);
    word_by_word(&p->slow.bus, port, size, dir, buf_slow, count);
    assert_memory_equal(buf_fast, buf_slow, bytes);
    assert_true(moved <= count);
    return moved;
}

#define SAME(field) assert_int_equal(a->field, b->field)

static void compare(struct pair *p)
{
    const struct ata_pio *a = &p->fast.ata, *b = &p->slow.ata;
    SAME(sectors);
    SAME(irq_level);
    assert_memory_equal(a->features, b->features, sizeof(a->features));
    assert_memory_equal(a->count, b->count, sizeof(a->count));
    assert_memory_equal(a->lba_low, b->lba_low, sizeof(a->lba_low));
    assert_memory_equal(a->lba_mid, b->lba_mid, sizeof(a->lba_mid));
    assert_memory_equal(a->lba_high, b->lba_high, sizeof(a->lba_high));
    SAME(device);
    SAME(control);
    SAME(status);
    SAME(error);
    SAME(intrq);
    SAME(phase);
    SAME(command);
    SAME(media);
    SAME(lba);
    SAME(sectors_left);
    SAME(block_left);
    SAME(block_size);
    SAME(offset);
    assert_memory_equal(a->buffer, b->buffer, sizeof(a->buffer));
    SAME(multiple);
    SAME(xfer_mode);
    SAME(default_cylinders);
    SAME(chs_cylinders);
    SAME(chs_heads);
    SAME(chs_sectors);
    SAME(commands);
    SAME(errors);
    SAME(ignored_commands);
    SAME(sectors_read);
    SAME(sectors_written);
    SAME(interrupts);
    SAME(irq_raised);
    SAME(resets);
    SAME(stray_data);
    assert_memory_equal(p->fast.image, p->slow.image, sizeof(p->fast.image));
    /* The port counters of the model's ports (all of them: compare_all()). */
    for (unsigned port = CMD; port < CMD + ATA_PIO_CMD_BLOCK_PORTS; port++)
        assert_int_equal(p->fast.bus.accesses[port], p->slow.bus.accesses[port]);
    assert_int_equal(p->fast.bus.accesses[CTRL], p->slow.bus.accesses[CTRL]);
    assert_int_equal(p->fast.bus.unclaimed_accesses, p->slow.bus.unclaimed_accesses);
    assert_int_equal(p->fast.bus.denied_accesses, p->slow.bus.denied_accesses);
    /* The interrupt line's history, each change with the transfer state it happened in (the
     * changes since the last comparison). */
    assert_int_equal(p->fast.irq_events, p->slow.irq_events);
    for (unsigned i = p->compared_events; i < p->fast.irq_events; i++) {
        const struct irq_event *x = &p->fast.irq_log[i], *y = &p->slow.irq_log[i];
        assert_int_equal(x->op, y->op);
        assert_int_equal(x->level, y->level);
        assert_int_equal(x->sectors_read, y->sectors_read);
        assert_int_equal(x->sectors_written, y->sectors_written);
        assert_int_equal(x->sectors_left, y->sectors_left);
        assert_int_equal(x->block_left, y->block_left);
    }
    p->compared_events = p->fast.irq_events;
}

/* compare() plus the counters of every port. */
static void compare_all(struct pair *p)
{
    compare(p);
    assert_memory_equal(p->fast.bus.accesses, p->slow.bus.accesses, sizeof(p->fast.bus.accesses));
}

static void set_op(struct pair *p, unsigned op)
{
    p->fast.op = op;
    p->slow.op = op;
}

static void select_lba28(struct pair *p, uint32_t lba, uint8_t count)
{
    both_access(p, REG_DEVICE, 1, IO_OUT, SELECT_MASTER | ((lba >> 24) & ATA_DEVICE_HEAD_MASK));
    both_access(p, REG_COUNT, 1, IO_OUT, count);
    both_access(p, REG_LBA_LOW, 1, IO_OUT, lba & 0xff);
    both_access(p, REG_LBA_MID, 1, IO_OUT, (lba >> 8) & 0xff);
    both_access(p, REG_LBA_HIGH, 1, IO_OUT, (lba >> 16) & 0xff);
}

static void command(struct pair *p, uint8_t cmd)
{
    both_access(p, REG_COMMAND, 1, IO_OUT, cmd);
}

/* ---- directed cases ------------------------------------------------------------------------ */

/* READ MULTIPLE of 6 sectors in blocks of 4 as one REP INSW of 6 sectors and 10 words more: the
 * fast path takes exactly the transfer, crossing sector and block ends; the rest is stray. */
static void test_read_multiple_in_one_string(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = 1;
    both_access(p, REG_COUNT, 1, IO_OUT, 4);
    command(p, ATA_CMD_SET_MULTIPLE_MODE);
    both_access(p, REG_STATUS, 1, IO_IN, 0);
    select_lba28(p, 10, 6);
    command(p, ATA_CMD_READ_MULTIPLE);
    set_op(p, 1);
    uint32_t moved = both_string(p, REG_DATA, 2, IO_IN, 6 * ATA_SECTOR_WORDS + 10, &seed);
    assert_int_equal(moved, 6 * ATA_SECTOR_WORDS);
    assert_int_equal(p->fast.ata.sectors_read, 6);
    assert_int_equal(p->fast.ata.stray_data, 10);
    assert_int_equal(p->fast.ata.phase, ATA_PIO_IDLE);
    assert_int_equal(p->fast.bus.accesses[REG_DATA], 6 * ATA_SECTOR_WORDS + 10);
    compare_all(p);
    free(p);
}

/* WRITE SECTORS of 3 started with single words, then a string from mid-sector past the end. */
static void test_write_from_mid_sector(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = 2;
    select_lba28(p, 20, 3);
    command(p, ATA_CMD_WRITE_SECTORS);
    set_op(p, 1);
    for (unsigned i = 0; i < 7; i++)
        both_access(p, REG_DATA, 2, IO_OUT, 0x1111u * i);
    set_op(p, 2);
    uint32_t moved = both_string(p, REG_DATA, 2, IO_OUT, 3 * ATA_SECTOR_WORDS, &seed);
    assert_int_equal(moved, 3 * ATA_SECTOR_WORDS - 7);
    assert_int_equal(p->fast.ata.sectors_written, 3);
    assert_int_equal(p->fast.ata.stray_data, 7);
    assert_int_equal(p->fast.ata.interrupts, 3);
    compare_all(p);
    free(p);
}

/* 8-bit and 32-bit strings on the Data register, a string while idle, with device 1 selected,
 * in the wrong direction and on other ports: the handler declines, the results are the same. */
static void test_declined_cases(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = 3;
    assert_int_equal(both_string(p, REG_DATA, 2, IO_IN, 300, &seed), 0); /* idle */
    select_lba28(p, 5, 2);
    command(p, ATA_CMD_READ_SECTORS);
    assert_int_equal(both_string(p, REG_DATA, 2, IO_OUT, 5, &seed), 0); /* wrong direction */
    assert_int_equal(both_string(p, REG_DATA, 1, IO_IN, 9, &seed), 0);
    assert_int_equal(both_string(p, REG_DATA, 4, IO_IN, 40, &seed), 0);
    assert_int_equal(both_string(p, REG_STATUS, 1, IO_IN, 3, &seed), 0);
    assert_int_equal(both_string(p, CTRL, 1, IO_IN, 3, &seed), 0);
    assert_int_equal(both_string(p, REG_LBA_LOW, 2, IO_OUT, 3, &seed), 0); /* two registers */
    both_access(p, REG_DEVICE, 1, IO_OUT, SELECT_SLAVE);
    assert_int_equal(both_string(p, REG_DATA, 2, IO_IN, 20, &seed), 0);
    both_access(p, REG_DEVICE, 1, IO_OUT, SELECT_MASTER);
    assert_true(both_string(p, REG_DATA, 2, IO_IN, 2 * ATA_SECTOR_WORDS, &seed) > 0);
    compare_all(p);
    free(p);
}

/* A command written in the middle of a transfer abandons it: the next string is stray. */
static void test_command_ends_transfer_early(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = 4;
    select_lba28(p, 0, 4);
    command(p, ATA_CMD_WRITE_SECTORS);
    assert_int_equal(both_string(p, REG_DATA, 2, IO_OUT, 300, &seed), 300);
    command(p, ATA_CMD_FLUSH_CACHE);
    assert_int_equal(both_string(p, REG_DATA, 2, IO_OUT, 300, &seed), 0);
    assert_int_equal(p->fast.ata.sectors_written, 1);
    compare_all(p);
    free(p);
}

/* No drive: nothing is taken, every word floats. */
static void test_no_drive(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = 5;
    struct irq_line none = {0};
    assert_true(ata_pio_init(&p->fast.ata, NULL, 0, &none));
    assert_true(ata_pio_init(&p->slow.ata, NULL, 0, &none));
    assert_int_equal(both_string(p, REG_DATA, 2, IO_IN, 50, &seed), 0);
    assert_int_equal(both_string(p, REG_DATA, 2, IO_OUT, 50, &seed), 0);
    compare_all(p);
    free(p);
}

/* ---- random sequences ---------------------------------------------------------------------- */

static const uint8_t random_commands[] = {
    ATA_CMD_READ_SECTORS,      ATA_CMD_READ_SECTORS_EXT,   ATA_CMD_READ_MULTIPLE,
    ATA_CMD_READ_MULTIPLE_EXT, ATA_CMD_WRITE_SECTORS,      ATA_CMD_WRITE_SECTORS_EXT,
    ATA_CMD_WRITE_MULTIPLE,    ATA_CMD_WRITE_MULTIPLE_EXT, ATA_CMD_IDENTIFY_DEVICE,
    ATA_CMD_SET_MULTIPLE_MODE, ATA_CMD_FLUSH_CACHE,        ATA_CMD_EXECUTE_DEVICE_DIAGNOSTIC,
    ATA_CMD_READ_SECTORS,      ATA_CMD_WRITE_SECTORS,      ATA_CMD_READ_MULTIPLE,
    ATA_CMD_WRITE_MULTIPLE,
};

/* How many elements a random string moves: single words, short runs, the rest of the sector,
 * the rest of the command, or long runs past it. */
static uint32_t random_count(const struct ata_pio *a, uint64_t r)
{
    uint32_t to_sector_end = (ATA_SECTOR_SIZE - a->offset) / 2;
    uint32_t to_command_end =
        a->sectors_left ? (a->sectors_left - 1) * ATA_SECTOR_WORDS + to_sector_end : 0;
    switch (r % 6) {
    case 0:
        return 1 + (uint32_t)(r >> 8) % 8;
    case 1:
        return 1 + (uint32_t)(r >> 8) % ATA_SECTOR_WORDS;
    case 2:
        return to_sector_end;
    case 3:
        return to_command_end && to_command_end <= MAX_ELEMENTS ? to_command_end : 1;
    case 4:
        return to_command_end && to_command_end < MAX_ELEMENTS ? to_command_end + 1 : 2;
    default:
        return 1 + (uint32_t)(r >> 8) % MAX_ELEMENTS;
    }
}

struct coverage {
    uint64_t moved, strings, mid_sector, crossed_sector, crossed_block, ended_command, idle,
        declined, other_sizes;
};

static void random_string(struct pair *p, uint64_t r, uint64_t *seed, struct coverage *c)
{
    const struct ata_pio *a = &p->fast.ata;
    enum io_direction dir;
    if (a->phase == ATA_PIO_IDLE || (r >> 4) % 8 == 0)
        dir = (r >> 7) & 1 ? IO_IN : IO_OUT;
    else
        dir = a->phase == ATA_PIO_DATA_IN ? IO_IN : IO_OUT;
    unsigned size = (r >> 12) % 10 == 0 ? ((r >> 16) & 1 ? 1 : 4) : 2;
    uint32_t count = random_count(a, r >> 20);
    if (count == 0)
        count = 1;
    if (size == 4 && count > MAX_ELEMENTS / 2)
        count = MAX_ELEMENTS / 2;
    uint16_t port = (r >> 40) % 16 ? REG_DATA : (uint16_t)(CMD + (r >> 44) % 8);
    bool active = a->phase != ATA_PIO_IDLE;
    unsigned offset = a->offset;
    uint64_t sectors = a->sectors_read + a->sectors_written;
    uint64_t interrupts = a->interrupts;
    uint32_t moved = both_string(p, port, size, dir, count, seed);
    c->strings++;
    c->moved += moved;
    c->idle += !active;
    c->declined += moved == 0;
    c->other_sizes += size != 2;
    if (moved) {
        c->mid_sector += offset != 0;
        c->crossed_sector += a->sectors_read + a->sectors_written > sectors + 1 ||
                             (a->sectors_read + a->sectors_written > sectors && a->offset != 0);
        c->crossed_block += a->interrupts > interrupts && a->phase != ATA_PIO_IDLE;
        c->ended_command += a->phase == ATA_PIO_IDLE && moved < count;
    }
}

static void random_op(struct pair *p, uint64_t *seed, struct coverage *c)
{
    uint64_t r = rng_next(seed);
    unsigned kind = (unsigned)(r % 100);
    const struct ata_pio *a = &p->fast.ata;
    if (kind < 45) {
        random_string(p, r >> 8, seed, c);
    } else if (kind < 55) {
        /* A single word (or byte, or dword) at the Data register: moves the offset. */
        unsigned size = (r >> 8) % 4 == 0 ? 4 : 2;
        enum io_direction dir = a->phase == ATA_PIO_DATA_OUT ? IO_OUT : IO_IN;
        both_access(p, REG_DATA, size, dir, (uint32_t)(r >> 16));
    } else if (kind < 70) {
        uint32_t lba = (uint32_t)((r >> 8) % (DISK_SECTORS + 2));
        uint8_t count = (uint8_t)(1 + (r >> 20) % 6);
        select_lba28(p, lba, count);
        both_access(p, REG_COMMAND, 1, IO_OUT,
                    random_commands[(r >> 32) % sizeof(random_commands)]);
    } else if (kind < 80) {
        both_access(p, REG_STATUS, 1, IO_IN, 0); /* acknowledges INTRQ */
    } else if (kind < 85) {
        both_access(p, CTRL, 1, IO_IN, 0);
    } else if (kind < 92) {
        /* nIEN on or off, HOB sometimes, SRST rarely. */
        uint8_t control = (uint8_t)((r >> 8) & (ATA_CONTROL_NIEN | ATA_CONTROL_HOB));
        if ((r >> 16) % 20 == 0)
            control |= ATA_CONTROL_SRST;
        both_access(p, CTRL, 1, IO_OUT, control);
    } else if (kind < 96) {
        both_access(p, REG_DEVICE, 1, IO_OUT, (r >> 8) % 4 ? SELECT_MASTER : SELECT_SLAVE);
    } else {
        /* SET MULTIPLE MODE with 1, 2, 4 or 8. */
        both_access(p, REG_COUNT, 1, IO_OUT, 1u << ((r >> 8) % 4));
        command(p, ATA_CMD_SET_MULTIPLE_MODE);
    }
}

static void test_random_equivalence(void **state)
{
    (void)state;
    struct pair *p = new_pair();
    uint64_t seed = RANDOM_SEED;
    struct coverage c = {0};
    for (unsigned op = 0; op < RANDOM_OPS; op++) {
        set_op(p, op);
        random_op(p, &seed, &c);
        compare(p);
    }
    compare_all(p);
    print_message("%llu strings, %llu words through the fast path; %llu from mid-sector, %llu "
                  "across sector ends, %llu across block ends, %llu past a command's end, %llu "
                  "while idle, %llu declined, %llu of 8 or 32 bits; %llu sectors read, %llu "
                  "written, %u IRQ line changes\n",
                  (unsigned long long)c.strings, (unsigned long long)c.moved,
                  (unsigned long long)c.mid_sector, (unsigned long long)c.crossed_sector,
                  (unsigned long long)c.crossed_block, (unsigned long long)c.ended_command,
                  (unsigned long long)c.idle, (unsigned long long)c.declined,
                  (unsigned long long)c.other_sizes, (unsigned long long)p->fast.ata.sectors_read,
                  (unsigned long long)p->fast.ata.sectors_written, p->fast.irq_events);
    /* The sequence went through the cases the fast path must get right. */
    assert_true(c.moved > 1000000);
    assert_true(c.mid_sector > 500);
    assert_true(c.crossed_sector > 500);
    assert_true(c.crossed_block > 200);
    assert_true(c.ended_command > 500);
    assert_true(c.idle > 1000);
    assert_true(c.declined > 1000);
    assert_true(c.other_sizes > 500);
    assert_true(p->fast.ata.resets > 20);
    assert_true(p->fast.irq_events > 1000);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_multiple_in_one_string),
        cmocka_unit_test(test_write_from_mid_sector),
        cmocka_unit_test(test_declined_cases),
        cmocka_unit_test(test_command_ends_transfer_early),
        cmocka_unit_test(test_no_drive),
        cmocka_unit_test(test_random_equivalence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
