/* test=blk: writes `size` bytes sequentially in requests of `req` sectors (submitted in plugs
 * to the elevator or directly to the driver), reads them back with the same requests, checks
 * every sector's checksum, and prints one "blk: phase=..." line per phase and a verify line. */
#include "guest/kernel/ata.h"
#include "guest/kernel/bench.h"
#include "guest/kernel/elevator.h"
#include "guest/kernel/pattern.h"
#include "guest/kernel/platform.h"
#include "tests/guests/lib/guest.h"

/* Buffers (a plug's data, then the checksums) live above the guest image, which ends below
 * 2 MiB (tests/guests/lib/guest.ld). */
#define BUFFER_BASE    0x400000u
#define ATA_TIMEOUT_MS 5000u
#define POISON_WORD    0xdeadbeefu /* fills read buffers: a read that moves no data fails */

static struct io_batch io;
static struct blk_request requests[BLK_QUEUE_MAX];

struct phase_counters {
    uint64_t tsc, exits, host_ticks, commands;
    uint32_t irqs;
};

static void counters_now(struct phase_counters *c, const struct blk_queue *q)
{
    c->exits = platform_exit_count();
    c->host_ticks = platform_host_time();
    c->commands = q->commands;
    c->irqs = irq_counts[IRQ_ATA];
    c->tsc = rdtsc();
}

/* 64-bit decimal for the phase line (kernel/format.c's %llu). */
static void print_phase(const char *phase, const struct guest_options *o, const char *io_name,
                        const struct phase_counters *a, const struct phase_counters *b,
                        uint32_t sectors)
{
    printf("blk: phase=%s io=%s sched=%s bytes=%u req=%u sectors=%u commands=%llu tsc=%llu "
           "exits=%llu hypervisor_ticks=%llu irqs=%u\n",
           phase, io_name, options_sched_name(o->sched), o->size_bytes, o->req_sectors, sectors,
           (unsigned long long)(b->commands - a->commands), (unsigned long long)(b->tsc - a->tsc),
           (unsigned long long)(b->exits - a->exits),
           (unsigned long long)(b->host_ticks - a->host_ticks), b->irqs - a->irqs);
}

/* One phase: all requests in order, `plug` at a time, then unplug. On write, fills each
 * request's buffer with the pattern and records checksums; on read, compares them. Returns the
 * number of bad sectors (the first is reported), or UINT32_MAX if a command failed. */
static uint32_t run_phase(struct blk_queue *q, const struct guest_options *o, enum blk_dir dir,
                          uint8_t *data, uint32_t *checksums, uint32_t sectors)
{
    uint32_t bad = 0;
    uint32_t per_plug = o->plug;
    for (uint32_t first = 0; first < sectors;) {
        unsigned n = 0;
        uint32_t sector = first;
        for (; n < per_plug && sector < sectors; n++) {
            uint32_t count = sectors - sector < o->req_sectors ? sectors - sector : o->req_sectors;
            struct blk_request *r = &requests[n];
            *r = (struct blk_request){.lba = o->start_lba + (uint64_t)sector,
                                      .count = count,
                                      .dir = dir,
                                      .buf =
                                          data + (size_t)n * o->req_sectors * PATTERN_SECTOR_SIZE};
            if (dir == BLK_READ) {
                for (uint32_t w = 0; w < count * PATTERN_SECTOR_WORDS; w++)
                    ((uint32_t *)r->buf)[w] = POISON_WORD;
            } else {
                for (uint32_t s = 0; s < count; s++) {
                    uint32_t *sec = (uint32_t *)((uint8_t *)r->buf + s * PATTERN_SECTOR_SIZE);
                    pattern_fill(sec, r->lba + s, o->seed);
                    checksums[sector + s] = pattern_checksum(sec);
                }
            }
            sector += count;
        }
        for (unsigned i = 0; i < n; i++)
            if (!blk_submit(q, &requests[i]))
                return UINT32_MAX;
        if (!blk_unplug(q))
            return UINT32_MAX;
        if (dir == BLK_READ) {
            for (unsigned i = 0; i < n; i++) {
                for (uint32_t s = 0; s < requests[i].count; s++) {
                    uint32_t index = (uint32_t)(requests[i].lba - o->start_lba) + s;
                    uint32_t sum = pattern_checksum(
                        (uint32_t *)((uint8_t *)requests[i].buf + s * PATTERN_SECTOR_SIZE));
                    if (sum != checksums[index] && bad++ == 0)
                        printf("blk: verify FAILED at sector %u (lba %u): checksum 0x%08x, "
                               "written 0x%08x\n",
                               index, (uint32_t)requests[i].lba + s, sum, checksums[index]);
                }
            }
        }
        first = sector;
    }
    return bad;
}

bool bench_blk(const struct guest_options *o, uint32_t ram_end)
{
    uint32_t sectors = o->size_bytes / PATTERN_SECTOR_SIZE;
    uint32_t data_bytes = o->plug * o->req_sectors * PATTERN_SECTOR_SIZE;
    uint8_t *data = (uint8_t *)BUFFER_BASE;
    uint32_t *checksums = (uint32_t *)(BUFFER_BASE + data_bytes);
    uint32_t needed = BUFFER_BASE + data_bytes + sectors * (uint32_t)sizeof(uint32_t);
    if (ram_end < needed) {
        printf("blk: needs RAM up to 0x%x for its buffers, RAM ends at 0x%x\n", needed, ram_end);
        return false;
    }

    io_batch_init(&io, 0);
    bool batch = platform_on_mica() && o->io != GUEST_IO_TRAP;
    if (o->io == GUEST_IO_BATCH && !platform_on_mica())
        printf("blk: io=batch needs mica; plain port I/O natively\n");
    io.hypervisor = batch; /* false: every operation is the plain IN/OUT (trapped under mica) */
    const char *io_name = batch ? "batch" : platform_on_mica() ? "trap" : "native";

    static struct ata_disk disk;
    disk = (struct ata_disk){.io = &io,
                             .irq = o->irq,
                             .force_ext = o->lba48 == GUEST_LBA48_ON,
                             .timeout_tsc = (uint64_t)tsc_per_ms * ATA_TIMEOUT_MS};
    if (o->irq)
        pic_unmask(IRQ_ATA);
    if (!ata_init(&disk))
        return false;
    printf("blk: disk \"%s\", %llu sectors, lba48 %s; io=%s irq=%s lba48=%s plug=%u "
           "max_sectors=%u\n",
           disk.model, (unsigned long long)disk.sectors, disk.lba48 ? "yes" : "no", io_name,
           o->irq ? "on" : "off", o->lba48 == GUEST_LBA48_ON ? "on" : "auto", o->plug,
           o->max_sectors);
    if ((uint64_t)o->start_lba + sectors > disk.sectors) {
        printf("blk: lba %u + %u sectors is beyond the disk's %llu\n", o->start_lba, sectors,
               (unsigned long long)disk.sectors);
        return false;
    }

    static struct blk_queue queue;
    blk_queue_init(&queue, o->sched == GUEST_SCHED_ELEVATOR ? BLK_SCHED_ELEVATOR : BLK_SCHED_DIRECT,
                   o->plug, o->max_sectors, ata_issue, &disk);
    struct phase_counters a, b;

    counters_now(&a, &queue);
    uint32_t result = run_phase(&queue, o, BLK_WRITE, data, checksums, sectors);
    counters_now(&b, &queue);
    if (result != 0) {
        printf("blk: phase=write FAILED\n");
        return false;
    }
    print_phase("write", o, io_name, &a, &b, sectors);

    counters_now(&a, &queue);
    result = run_phase(&queue, o, BLK_READ, data, checksums, sectors);
    counters_now(&b, &queue);
    if (result == UINT32_MAX) {
        printf("blk: phase=read FAILED\n");
        return false;
    }
    print_phase("read", o, io_name, &a, &b, sectors);
    if (result != 0) {
        printf("blk: verify FAILED sectors=%u bad=%u\n", sectors, result);
        return false;
    }
    printf("blk: verify ok sectors=%u\n", sectors);
    return true;
}
