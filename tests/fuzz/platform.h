/* The fuzz targets' PC platform (tests/fuzz/platform.c): the real device models on a port bus,
 * wired as vmm/platform.c wires them, with a fake clock and IRQ lines that check themselves. */
#ifndef MICA_TESTS_FUZZ_PLATFORM_H
#define MICA_TESTS_FUZZ_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/fuzz/fuzz_common.h"
#include "vmm/devices/ata_pio.h"
#include "vmm/devices/cmos_rtc.h"
#include "vmm/devices/debug_console.h"
#include "vmm/devices/pic8259.h"
#include "vmm/devices/pit8254.h"
#include "vmm/devices/post.h"
#include "vmm/devices/vuart16550.h"
#include "vmm/iobus.h"

/* Device time stays below this (36 years of guest uptime): later, the models' 64-bit ns
 * arithmetic is allowed to overflow. */
#define FUZZ_CLOCK_MAX (1ull << 60)

#define FUZZ_PIT_IRQ  0
#define FUZZ_UART_IRQ 4
#define FUZZ_RTC_IRQ  CMOS_RTC_IRQ
#define FUZZ_ATA_IRQ  ATA_PIO_IRQ

/* The ATA disk: one cylinder of the default CHS translation (16 heads, 63 sectors) and a bit
 * more, so that CHS, LBA28 and LBA48 commands all find sectors inside and outside it. */
#define FUZZ_DISK_SECTORS 1015u
#define FUZZ_DISK_BYTES   (FUZZ_DISK_SECTORS * ATA_SECTOR_SIZE)

struct fuzz_platform {
    struct iobus bus;
    struct pic8259_pair pic;
    struct pit8254 pit;
    struct cmos_rtc rtc;
    struct vuart uart;
    struct debug_console console;
    struct post_port post;
    struct ata_pio ata;
    uint8_t *disk; /* the ATA image (FUZZ_DISK_BYTES, a known pattern at init) */
    uint64_t now_ns;

    /* What the devices did to their lines (checked against the models' own state). */
    bool line[PIC8259_IRQ_COUNT];
    uint64_t pit_edges; /* rising edges on IRQ0 */
    uint64_t uart_tx_hash, uart_tx_bytes;
    uint64_t console_hash, console_lines; /* lines the debug console printed through vlog() */
    uint64_t report_hash;                 /* unclaimed and denied port reports */
    uint32_t unclaimed_seen[IOBUS_PORTS / 32];
};

/* Power-on state; the RTC starts at `date` (clamped by the model). deny_count 0: no extra
 * denied range beside the PCI configuration ports (denied as vmm/platform.c does). Without
 * ata_drive the ATA channel is empty. */
void fuzz_platform_init(struct fuzz_platform *p, const struct rtc_datetime *date,
                        uint16_t deny_first, unsigned deny_count, bool ata_drive);
/* Makes p the platform that vlog() and the bus's report callbacks account to. */
void fuzz_platform_select(struct fuzz_platform *p);
/* Moves device time forward (saturating at FUZZ_CLOCK_MAX). */
void fuzz_platform_advance(struct fuzz_platform *p, uint64_t ns);
/* platform_update(): timers raise their lines. */
void fuzz_platform_update(struct fuzz_platform *p);
/* Checks every device's state invariants; aborts on a broken one. */
void fuzz_platform_check(const struct fuzz_platform *p);
/* All device dumps into t (also exercises the dump code). */
void fuzz_platform_dump(const struct fuzz_platform *p, struct fuzz_text *t);

#endif
