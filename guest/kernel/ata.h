/* ATA disk driver for device 0 on the primary channel, PIO: IDENTIFY DEVICE, READ/WRITE SECTORS
 * (EXT), interrupt-driven (IRQ14) or polled, with plain or batched port I/O (guest/kernel/ata.c).
 */
#ifndef MICA_GUEST_ATA_H
#define MICA_GUEST_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/kernel/elevator.h"
#include "guest/lib/io_batch.h"

struct ata_disk {
    struct io_batch *io;  /* io->hypervisor: batched (one VMCALL per flush); else plain IN/OUT */
    bool irq;             /* wait for INTRQ (IRQ14); else poll Status with nIEN set */
    bool force_ext;       /* always the 48-bit commands */
    uint64_t timeout_tsc; /* bound of every BSY/DRQ/interrupt wait */
    /* From IDENTIFY DEVICE. */
    uint64_t sectors;
    bool lba48;
    char model[41];
    /* Statistics. */
    uint64_t commands, sectors_moved, not_ready_retries;
};

/* Sets Device Control (nIEN per d->irq), selects device 0, waits for it and runs IDENTIFY DEVICE.
 * Prints what is wrong and returns false if there is no usable ATA disk. */
bool ata_init(struct ata_disk *d);
/* Runs one block-layer command (the blk_issue_fn): READ/WRITE SECTORS, or the EXT form when the
 * range needs it or force_ext; data to/from the chained requests' buffers. Prints a line naming
 * the command, the status and the error bits (ABRT, IDNF, ...) on failure. */
bool ata_issue(void *disk, const struct blk_command *cmd);

#endif
