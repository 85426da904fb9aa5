/* Test guest: one device workload (UART output of a long text, PIT programming and read-back,
 * CMOS RAM writes and reads) run with trapped IN/OUT and then through batches; both runs print
 * what they read, so the test can compare them line by line, and the exits each took. */
#include "guest/lib/io_batch.h"
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define COM1      0x3f8
#define COM1_LSR  (COM1 + 5)
#define PIT_CH0   0x40
#define PIT_CMD   0x43
#define CMOS_IDX  0x70
#define CMOS_DATA 0x71
#define CMOS_RAM  0x40 /* general-purpose CMOS bytes used as scratch */
#define CMOS_N    16

static const char text[] =
    "batch_equiv: It was the best of times, it was the worst of times, it was the age of "
    "wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness.\n"
    "batch_equiv: Every character of these lines went through the virtual 16550 one port "
    "operation at a time, with a line-status read before each byte, in both runs.\n";

static struct io_batch batch;

/* The operations, written once against two back ends. */
struct port_ops {
    void (*out)(uint16_t port, uint32_t value);
    unsigned (*in_later)(uint16_t port); /* queue an IN, result after sync() */
    void (*sync)(void);
    uint32_t (*result)(unsigned index);
};

static uint32_t trapped_results[64];
static unsigned trapped_n;
static void trapped_out(uint16_t port, uint32_t v)
{
    outb(port, (uint8_t)v);
}
static unsigned trapped_in_later(uint16_t port)
{
    trapped_results[trapped_n % 64] = inb(port);
    return trapped_n++ % 64;
}
static void trapped_sync(void)
{
}
static uint32_t trapped_result(unsigned i)
{
    return trapped_results[i];
}

static void batch_out(uint16_t port, uint32_t v)
{
    io_batch_out(&batch, port, 1, v);
}
static unsigned batch_in_later(uint16_t port)
{
    return io_batch_in_deferred(&batch, port, 1);
}
static void batch_sync(void)
{
    io_batch_flush(&batch);
}
static uint32_t batch_result(unsigned i)
{
    return io_batch_result(&batch, i);
}

static void workload(const char *mode, const struct port_ops *ops)
{
    uint32_t e0 = mica_exit_count(MICA_EXIT_COUNT_ALL);
    /* UART: 8N1 at 115200, then every byte after a line-status read. */
    ops->out(COM1 + 3, 0x80);
    ops->out(COM1 + 0, 0x01);
    ops->out(COM1 + 1, 0x00);
    ops->out(COM1 + 3, 0x03);
    unsigned lsr_ok = 0, lsr_total = 0;
    for (const char *p = text; *p;) {
        /* Up to 8 characters per round so that the batch holds both the reads and writes. */
        unsigned idx[8], n = 0;
        for (; *p && n < 8; p++, n++) {
            idx[n] = ops->in_later(COM1_LSR);
            ops->out(COM1, (uint8_t)*p);
        }
        ops->sync();
        for (unsigned i = 0; i < n; i++, lsr_total++)
            lsr_ok += (ops->result(idx[i]) & 0x60) == 0x60; /* THRE and TEMT */
    }
    /* PIT: channel 0 mode 2 at 1 kHz, then a read-back of its status byte. */
    ops->out(PIT_CMD, 0x34);
    ops->out(PIT_CH0, 0xa9);
    ops->out(PIT_CH0, 0x04);
    ops->out(PIT_CMD, 0xe2); /* read-back: status only, channel 0 */
    unsigned st = ops->in_later(PIT_CH0);
    ops->out(PIT_CMD, 0x30); /* stop it again: mode 0, no count */
    ops->sync();
    uint32_t pit_status = ops->result(st) & 0x3f; /* RW + mode + BCD (OUT/null count vary) */
    /* CMOS: write a pattern into scratch RAM, read it back with the status registers. */
    for (unsigned i = 0; i < CMOS_N; i++) {
        ops->out(CMOS_IDX, CMOS_RAM + i);
        ops->out(CMOS_DATA, (i * 37 + 11) & 0xff);
    }
    unsigned cm[CMOS_N + 2];
    for (unsigned i = 0; i < CMOS_N; i++) {
        ops->out(CMOS_IDX, CMOS_RAM + i);
        cm[i] = ops->in_later(CMOS_DATA);
        if (i % 4 == 3)
            ops->sync(); /* keep every deferred IN inside one batch's results */
    }
    ops->out(CMOS_IDX, 0x0b);
    unsigned status_b = ops->in_later(CMOS_DATA);
    ops->out(CMOS_IDX, 0x0d);
    unsigned status_d = ops->in_later(CMOS_DATA);
    ops->sync();
    (void)cm;
    uint32_t exits = mica_exit_count(MICA_EXIT_COUNT_ALL) - e0 - 1;
    printf("result %s: lsr ready %u of %u, pit status 0x%02x, cmos status B 0x%02x D 0x%02x\n",
           mode, lsr_ok, lsr_total, pit_status, ops->result(status_b), ops->result(status_d));
    printf("exits %s: %u\n", mode, exits);
}

static void check_cmos_pattern(const char *mode)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < CMOS_N; i++) {
        outb(CMOS_IDX, CMOS_RAM + i);
        bad += inb(CMOS_DATA) != ((i * 37 + 11) & 0xff);
    }
    printf("result %s: cmos scratch pattern %s\n", mode, bad ? "WRONG" : "read back");
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    static const struct port_ops trapped = {trapped_out, trapped_in_later, trapped_sync,
                                            trapped_result};
    static const struct port_ops batched = {batch_out, batch_in_later, batch_sync, batch_result};
    printf("=== trapped ===\n");
    workload("run", &trapped);
    check_cmos_pattern("run");
    /* Clear the scratch bytes so the second run must write them again. */
    for (unsigned i = 0; i < CMOS_N; i++) {
        outb(CMOS_IDX, CMOS_RAM + i);
        outb(CMOS_DATA, 0);
    }
    io_batch_init(&batch, 0);
    printf("=== batched ===\n");
    workload("run", &batched);
    check_cmos_pattern("run");
    printf("=== end ===\n");
    guest_exit(batch.last_status == MICA_HC_OK ? MICA_GUEST_PASS : MICA_GUEST_FAIL);
}
