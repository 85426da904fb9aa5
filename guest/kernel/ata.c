/* ATA PIO driver. Plain I/O (natively, trapped or passed through under mica): taskfile and
 * Command, then per sector wait for INTRQ (or poll Status), check Status, move 256 words with
 * REP INSW/OUTSW. Batched I/O (under mica): the whole command goes in as few MICA_HC_IO_BATCH
 * calls as the queue holds (see issue_batched); every Status result is checked after the flush. */
#include "guest/kernel/ata.h"

#include "guest/kernel/ata_taskfile.h"
#include "guest/kernel/platform.h"
#include "tests/guests/lib/guest.h"
#include "vmm/devices/ata_pio.h" /* the ATA standard's register, bit and command names */

#define CMD_BLOCK(reg)     ((uint16_t)(ATA_PIO_CMD_BLOCK_BASE + (reg)))
#define CTRL_BLOCK         ((uint16_t)ATA_PIO_CTRL_BLOCK_PORT)
#define WORD_SIZE          2u
#define BYTE_SIZE          1u
#define FLOATING_BUS       0xffu   /* no controller */
#define NO_DEVICE          0x7fu   /* controller, no device (DD7 pulled down) */
#define SELECT_DELAY_READS 4       /* Alternate Status reads: the 400 ns after selecting a device */
#define ID_WORD_VALID_BITS 0xc000u /* words 83, 84, 87: bit 15 zero and bit 14 one when valid */

static uint8_t status_read(struct ata_disk *d)
{
    return (uint8_t)io_batch_in(d->io, CMD_BLOCK(ATA_REG_STATUS), BYTE_SIZE);
}

static bool timed_out(struct ata_disk *d, uint64_t start)
{
    return rdtsc() - start > d->timeout_tsc;
}

static void report(struct ata_disk *d, const char *what, uint8_t command, uint64_t lba,
                   uint32_t count, uint8_t status)
{
    uint8_t error =
        (status & ATA_STATUS_ERR) ? (uint8_t)io_batch_in(d->io, CMD_BLOCK(ATA_REG_ERROR), 1) : 0;
    printf("ata: command 0x%02x lba %u count %u: %s (status 0x%02x%s%s%s, error 0x%02x%s%s%s)\n",
           command, (uint32_t)lba, count, what, status, status & ATA_STATUS_BSY ? " BSY" : "",
           status & ATA_STATUS_DF ? " DF" : "", status & ATA_STATUS_ERR ? " ERR" : "", error,
           error & ATA_ERROR_ABRT ? " ABRT" : "", error & ATA_ERROR_IDNF ? " IDNF" : "",
           error & ATA_ERROR_UNC ? " UNC" : "");
}

/* Polls Status until BSY is clear and, with want_drq, DRQ set; ERR or DF end the wait. Returns
 * the last status; BSY is still set in it on a timeout. */
static uint8_t poll_status(struct ata_disk *d, bool want_drq)
{
    uint64_t start = rdtsc();
    for (;;) {
        uint8_t st = status_read(d);
        bool done = !(st & ATA_STATUS_BSY) &&
                    ((st & (ATA_STATUS_ERR | ATA_STATUS_DF)) || !want_drq || (st & ATA_STATUS_DRQ));
        if (done)
            return st;
        if (timed_out(d, start))
            return st | ATA_STATUS_BSY;
        __asm__ volatile("pause");
    }
}

/* Waits for IRQ14 to have been handled since `seen`. */
static bool wait_irq(struct ata_disk *d, uint32_t seen)
{
    uint64_t start = rdtsc();
    while (irq_counts[IRQ_ATA] == seen) {
        if (timed_out(d, start))
            return false;
        __asm__ volatile("pause");
    }
    return true;
}

static bool ready_for_data(uint8_t st)
{
    return (st & (ATA_STATUS_BSY | ATA_STATUS_DRQ | ATA_STATUS_ERR | ATA_STATUS_DF)) ==
           ATA_STATUS_DRQ;
}

static bool flush(struct ata_disk *d)
{
    uint32_t status = io_batch_flush(d->io);
    if (status != MICA_HC_OK)
        printf("ata: MICA_HC_IO_BATCH failed with status %u\n", status);
    return status == MICA_HC_OK;
}

/* One sector: [Status, 256-word string], after waiting for INTRQ (if on) since *irq_seen, which
 * is then updated to the count before the transfer (the event that makes the next block ready).
 * With check_status false the Status read is left out (already checked). */
static bool transfer_sector(struct ata_disk *d, const struct ata_taskfile *tf,
                            const struct blk_command *cmd, void *buf, bool check_status,
                            uint32_t *irq_seen)
{
    bool write = cmd->dir == BLK_WRITE;
    if (check_status && d->irq && !wait_irq(d, *irq_seen)) {
        report(d, "no interrupt (timeout)", tf->command, cmd->lba, cmd->count, status_read(d));
        return false;
    }
    unsigned status_index = 0;
    if (check_status) {
        status_index = io_batch_in_deferred(d->io, CMD_BLOCK(ATA_REG_STATUS), BYTE_SIZE);
        if (!d->io->hypervisor) {
            /* Plain I/O: the Status read has happened; wait for DRQ before the transfer. */
            uint8_t st = (uint8_t)io_batch_result(d->io, status_index);
            io_batch_flush(d->io);
            if (!ready_for_data(st))
                st = poll_status(d, true);
            if (!ready_for_data(st)) {
                report(d, "not ready for data", tf->command, cmd->lba, cmd->count, st);
                return false;
            }
            check_status = false;
        }
    }
    *irq_seen = irq_counts[IRQ_ATA];
    io_batch_string(d->io, CMD_BLOCK(ATA_REG_DATA), WORD_SIZE, write, buf, ATA_SECTOR_WORDS);
    if (!flush(d))
        return false;
    if (!check_status)
        return true;
    uint8_t st = (uint8_t)io_batch_result(d->io, status_index);
    if (ready_for_data(st))
        return true;
    /* The device was not ready (or failed): the transfer went nowhere. Wait and repeat it. */
    if (!(st & (ATA_STATUS_ERR | ATA_STATUS_DF)))
        st = poll_status(d, true);
    if (!ready_for_data(st)) {
        report(d, "not ready for data", tf->command, cmd->lba, cmd->count, st);
        return false;
    }
    d->not_ready_retries++;
    *irq_seen = irq_counts[IRQ_ATA];
    io_batch_string(d->io, CMD_BLOCK(ATA_REG_DATA), WORD_SIZE, write, buf, ATA_SECTOR_WORDS);
    return flush(d);
}

static void queue_taskfile(struct ata_disk *d, const struct ata_taskfile *tf)
{
    for (unsigned i = 0; i < tf->write_count; i++)
        io_batch_out(d->io, CMD_BLOCK(tf->writes[i].reg), BYTE_SIZE, tf->writes[i].value);
    io_batch_out(d->io, CMD_BLOCK(ATA_REG_COMMAND), BYTE_SIZE, tf->command);
}

/* The sector buffer of the command's n-th sector: requests are chained in LBA order. */
struct sector_cursor {
    const struct blk_request *req;
    uint32_t index;
};

static void *next_sector(struct sector_cursor *c)
{
    while (c->req && c->index == c->req->count) {
        c->req = c->req->next;
        c->index = 0;
    }
    if (!c->req)
        return NULL;
    return (uint8_t *)c->req->buf + ATA_SECTOR_SIZE * c->index++;
}

/* Batch entries per sector: a Status read and the 256-word string entry. */
#define BATCH_ENTRIES_PER_SECTOR 2u
#define BATCH_SECTORS_MAX        (MICA_IO_BATCH_MAX / BATCH_ENTRIES_PER_SECTOR)

/* Batched I/O: [taskfile, Command, (Status, 256-word string) per sector, a write's final Status]
 * in as few flushes as the queue's capacity allows (one VMCALL each). A Status read must show
 * DRQ before each block (it also acknowledges the INTRQ that announced the block, as a driver's
 * interrupt handler would), the final one a clean completion. The emulated disk completes at
 * once, so no status is ever missed; a device that was not ready fails the command with a
 * report rather than being waited for. IRQ 14 edges raised during a flush may still be
 * delivered afterwards (coalesced): this path never waits for one. */
static bool issue_batched(struct ata_disk *d, const struct ata_taskfile *tf,
                          const struct blk_command *cmd, struct sector_cursor *cursor)
{
    bool write = cmd->dir == BLK_WRITE;
    unsigned status_index[BATCH_SECTORS_MAX];
    uint32_t done = 0;
    bool ok = true;
    irq_disable();
    queue_taskfile(d, tf);
    while (ok && done < cmd->count) {
        unsigned room = d->io->capacity - d->io->count - 1; /* one entry kept for a final Status */
        uint32_t group = cmd->count - done;
        if (group > room / BATCH_ENTRIES_PER_SECTOR)
            group = room / BATCH_ENTRIES_PER_SECTOR;
        if (group == 0) {
            printf("ata: the I/O batch holds %u entries: too few for a sector\n", d->io->capacity);
            ok = false;
            break;
        }
        for (uint32_t i = 0; i < group; i++) {
            status_index[i] = io_batch_in_deferred(d->io, CMD_BLOCK(ATA_REG_STATUS), BYTE_SIZE);
            io_batch_string(d->io, CMD_BLOCK(ATA_REG_DATA), WORD_SIZE, write, next_sector(cursor),
                            ATA_SECTOR_WORDS);
        }
        bool last = done + group == cmd->count;
        unsigned final_index = 0;
        if (write && last)
            final_index = io_batch_in_deferred(d->io, CMD_BLOCK(ATA_REG_STATUS), BYTE_SIZE);
        ok = flush(d);
        for (uint32_t i = 0; ok && i < group; i++) {
            uint8_t st = (uint8_t)io_batch_result(d->io, status_index[i]);
            if (!ready_for_data(st)) {
                report(d, "not ready for data", tf->command, cmd->lba + done + i, cmd->count, st);
                ok = false;
            }
        }
        if (ok && write && last) {
            uint8_t st = (uint8_t)io_batch_result(d->io, final_index);
            if (st & (ATA_STATUS_BSY | ATA_STATUS_DRQ | ATA_STATUS_ERR | ATA_STATUS_DF)) {
                report(d, "failed", tf->command, cmd->lba, cmd->count, st);
                ok = false;
            }
        }
        done += group;
    }
    irq_enable();
    return ok;
}

bool ata_issue(void *disk, const struct blk_command *cmd)
{
    struct ata_disk *d = disk;
    struct ata_taskfile tf;
    bool write = cmd->dir == BLK_WRITE;
    if (ata_taskfile_encode(&tf, cmd->lba, cmd->count, write, d->force_ext) != ATA_TASKFILE_OK ||
        cmd->lba + cmd->count > d->sectors || (tf.ext && !d->lba48)) {
        printf("ata: lba %u count %u: outside the disk (%u sectors%s)\n", (uint32_t)cmd->lba,
               cmd->count, (uint32_t)d->sectors, d->lba48 ? "" : ", no 48-bit commands");
        return false;
    }
    d->commands++;
    struct sector_cursor cursor = {cmd->first, 0};
    if (d->io->hypervisor) {
        if (!issue_batched(d, &tf, cmd, &cursor))
            return false;
        d->sectors_moved += cmd->count;
        return true;
    }

    /* The taskfile is programmed as one unit: no interrupt handler runs in between. */
    irq_disable();
    uint32_t irq_seen = irq_counts[IRQ_ATA];
    queue_taskfile(d, &tf);
    unsigned status_index = 0;
    if (write)
        status_index = io_batch_in_deferred(d->io, CMD_BLOCK(ATA_REG_STATUS), BYTE_SIZE);
    bool ok = flush(d);
    irq_enable();
    if (!ok)
        return false;
    if (write) {
        /* Data-out: DRQ comes without an interrupt for the first block. */
        uint8_t st = (uint8_t)io_batch_result(d->io, status_index);
        if (!ready_for_data(st))
            st = poll_status(d, true);
        if (!ready_for_data(st)) {
            report(d, "failed", tf.command, cmd->lba, cmd->count, st);
            return false;
        }
    }
    for (uint32_t s = 0; s < cmd->count; s++) {
        /* A write's first block was checked above; every other block comes with INTRQ. */
        bool check_status = !(write && s == 0);
        if (!transfer_sector(d, &tf, cmd, next_sector(&cursor), check_status, &irq_seen))
            return false;
    }
    if (write) {
        /* The completion interrupt after the last block; Status must then be clean. */
        if (d->irq && !wait_irq(d, irq_seen)) {
            report(d, "no completion interrupt (timeout)", tf.command, cmd->lba, cmd->count,
                   status_read(d));
            return false;
        }
        uint8_t st = status_read(d);
        if (st & (ATA_STATUS_BSY | ATA_STATUS_DRQ))
            st = poll_status(d, false);
        if (st & (ATA_STATUS_BSY | ATA_STATUS_DRQ | ATA_STATUS_ERR | ATA_STATUS_DF)) {
            report(d, "failed", tf.command, cmd->lba, cmd->count, st);
            return false;
        }
    }
    d->sectors_moved += cmd->count;
    return true;
}

static uint16_t identify_data[ATA_SECTOR_WORDS];

static uint32_t identify_u32(unsigned word)
{
    return identify_data[word] | (uint32_t)identify_data[word + 1] << 16;
}

bool ata_init(struct ata_disk *d)
{
    d->sectors = 0;
    d->lba48 = false;
    d->model[0] = '\0';
    io_batch_out(d->io, CTRL_BLOCK, BYTE_SIZE, d->irq ? 0 : ATA_CONTROL_NIEN);
    io_batch_out(d->io, CMD_BLOCK(ATA_REG_DEVICE), BYTE_SIZE, ATA_DEVICE_OBSOLETE);
    for (unsigned i = 0; i < SELECT_DELAY_READS; i++)
        io_batch_in_deferred(d->io, CTRL_BLOCK, BYTE_SIZE);
    if (!flush(d))
        return false;
    uint8_t st = status_read(d);
    if (st == FLOATING_BUS || st == NO_DEVICE) {
        printf("ata: no device 0 on the primary channel (status 0x%02x)\n", st);
        return false;
    }
    if (st & ATA_STATUS_BSY)
        st = poll_status(d, false);
    if (st & ATA_STATUS_BSY) {
        printf("ata: device 0 stays busy (status 0x%02x)\n", st);
        return false;
    }

    struct blk_request req = {.lba = 0, .count = 1, .dir = BLK_READ, .buf = identify_data};
    struct blk_command cmd = {0, 1, BLK_READ, &req, 1};
    struct ata_taskfile tf = {.ext = false, .command = ATA_CMD_IDENTIFY_DEVICE, .write_count = 0};
    irq_disable();
    uint32_t irq_seen = irq_counts[IRQ_ATA];
    queue_taskfile(d, &tf);
    bool ok = flush(d);
    irq_enable();
    if (!ok || !transfer_sector(d, &tf, &cmd, identify_data, true, &irq_seen))
        return false;

    if (!(identify_data[ATA_ID_CAPABILITIES] & ATA_ID_CAP_LBA)) {
        printf("ata: device 0 does not support LBA addressing\n");
        return false;
    }
    d->sectors = identify_u32(ATA_ID_LBA28_CAPACITY);
    uint16_t cmd2 = identify_data[ATA_ID_COMMAND_SET_2];
    if ((cmd2 & ID_WORD_VALID_BITS) == ATA_ID_WORD_VALID && (cmd2 & ATA_ID_CMD2_LBA48)) {
        d->lba48 = true;
        d->sectors = identify_u32(ATA_ID_LBA48_CAPACITY) |
                     (uint64_t)identify_u32(ATA_ID_LBA48_CAPACITY + 2) << 32;
    }
    /* The model string: two ASCII characters per word, the first in the high byte. */
    unsigned n = 0;
    for (unsigned w = 0; w < ATA_ID_MODEL_WORDS; w++) {
        d->model[n++] = (char)(identify_data[ATA_ID_MODEL + w] >> 8);
        d->model[n++] = (char)identify_data[ATA_ID_MODEL + w];
    }
    while (n > 0 && d->model[n - 1] == ' ')
        n--;
    d->model[n] = '\0';
    return true;
}
