/* The guest kernel's command line: the benchmark and its parameters (guest/kernel/options.c).
 * Pure C: built into the guest and for the host unit tests. */
#ifndef MICA_GUEST_OPTIONS_H
#define MICA_GUEST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum guest_test { GUEST_TEST_BLK, GUEST_TEST_TIMER };
enum guest_sched { GUEST_SCHED_ELEVATOR, GUEST_SCHED_DIRECT };
enum guest_io { GUEST_IO_AUTO, GUEST_IO_TRAP, GUEST_IO_BATCH };
enum guest_lba48 { GUEST_LBA48_AUTO, GUEST_LBA48_ON };
enum guest_timer { GUEST_TIMER_1000HZ, GUEST_TIMER_100HZ, GUEST_TIMER_ONESHOT };

#define OPTIONS_SECTOR_SIZE       512u
#define OPTIONS_MAX_REQ_SECTORS   256u /* one LBA28 command at most */
#define OPTIONS_MAX_PLUG_REQUESTS 128u /* the elevator queue's capacity */
#define OPTIONS_MAX_SIZE_BYTES    (1u << 30)
#define OPTIONS_MAX_IDLE_MS       600000u
#define OPTIONS_MAX_CMD_SECTORS   65536u /* one LBA48 command at most */

struct guest_options {
    enum guest_test test;
    /* test=blk */
    uint32_t size_bytes;  /* size=: a multiple of the sector size */
    uint32_t req_sectors; /* req=: sectors per request */
    uint32_t plug;        /* plug=: requests submitted between unplugs */
    uint32_t max_sectors; /* max_sectors=: the elevator's largest merged command */
    uint32_t start_lba;   /* lba=: first sector of the range */
    uint32_t seed;        /* seed=: data pattern */
    enum guest_sched sched;
    enum guest_io io;
    bool irq; /* irq=on|off */
    enum guest_lba48 lba48;
    /* test=timer */
    enum guest_timer timer;
    uint32_t idle_ms;
};

#define OPTIONS_ERROR_SIZE 96

/* Defaults: test=blk size=4M req=8 plug=32 max_sectors=256 lba=0 seed=1 sched=elevator io=auto
 * irq=on lba48=auto timer=1000 idle_ms=1000. */
void options_defaults(struct guest_options *o);
/* Parses space-separated NAME=VALUE words into o (defaults first). A first word without '=' is
 * the program's name (GRUB passes the kernel's path first) and is skipped. Sizes take a K or M
 * suffix. Returns false with a message naming the word in error (NUL-terminated) on an unknown
 * option, a bad value or an inconsistent combination. */
bool options_parse(struct guest_options *o, const char *cmdline, char *error, unsigned error_size);

const char *options_sched_name(enum guest_sched s);
const char *options_io_name(enum guest_io io);
const char *options_timer_name(enum guest_timer t);

#endif
