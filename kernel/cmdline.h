/* The kernel command line: options, their defaults and the parser. Pure logic (unit-tested on
 * the host): a bad option is reported with a message naming it, never ignored silently. */
#ifndef MICA_KERNEL_CMDLINE_H
#define MICA_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

#define CMDLINE_TESTS_MAX  256
#define CMDLINE_ERRORS_MAX 8
#define CMDLINE_ERROR_LEN  200

enum fatal_action { FATAL_HALT, FATAL_POWEROFF };

enum disk_kind {
    DISK_NONE,        /* an emulated channel with no drive (the default) */
    DISK_MEMORY,      /* an emulated disk of disk_size zero bytes in hypervisor memory */
    DISK_MODULE,      /* an emulated disk whose image is the second GRUB module */
    DISK_PASSTHROUGH, /* the machine's own primary channel: ports untrapped, IRQ 14 forwarded */
};

struct kernel_config {
    int loglevel;                  /* enum log_level; loglevel=error|warn|info|debug|0-3 */
    unsigned console;              /* CONSOLE_COM1, CONSOLE_COM2, CONSOLE_SPCR: console= */
    bool console_given;            /* console= was on the command line (else SPCR may choose) */
    uint16_t com_port[2];          /* com1=PORT[,BAUD], com2=PORT[,BAUD]: I/O port of COM1/COM2 */
    uint32_t com_baud[2];          /* their baud rates (115200 unless given) */
    bool x2apic_off;               /* x2apic=auto|off: off keeps the local APIC in xAPIC mode */
    unsigned clocksource;          /* enum clocksource (drivers/clocksource.h): clocksource= */
    char tests[CMDLINE_TESTS_MAX]; /* test=all or test=name[,name...]; empty: no self-tests */
    enum fatal_action on_fatal; /* fatal=halt|poweroff: what a fatal error does after reporting */
    uint64_t guest_mem;         /* guest_mem=SIZE[K|M|G]: guest RAM in bytes, 2 MiB multiple */
    bool gdb_com2;              /* gdb=com2|off: GDB stub for the guest on COM2 (com2= moves it) */
    bool exit_trace;            /* exit_trace=on|off: record the last VM exits (default on) */
    unsigned rt_task_hz;        /* rt_task=HZ: the hypervisor's periodic real-time task (0: off) */
    uint64_t guest_flat_load;   /* guest_flat=ADDR: the guest is a flat binary entered in real
                                   mode at ADDR (0: the guest is a Multiboot ELF) */
    enum disk_kind disk;        /* disk=none|SIZE|module|passthrough: the guest's primary ATA
                                   channel (vmm/disk.c) */
    uint64_t disk_size;         /* DISK_MEMORY: bytes, a multiple of 512 */
};

#define CONSOLE_COM1 1
#define CONSOLE_COM2 2
#define CONSOLE_SPCR 3 /* the UART the ACPI SPCR table names */

#define CMDLINE_COM1_PORT_DEFAULT 0x3f8
#define CMDLINE_COM2_PORT_DEFAULT 0x2f8
#define CMDLINE_BAUD_DEFAULT      115200u
#define CMDLINE_UART_PORT_LAST    0xfff8u /* a 16550 takes 8 consecutive ports */

#define CMDLINE_GUEST_MEM_DEFAULT (64ull << 20)
#define CMDLINE_GUEST_MEM_MIN     (2ull << 20)
#define CMDLINE_GUEST_MEM_MAX     (4ull << 30)
#define CMDLINE_DISK_SECTOR       512ull
#define CMDLINE_DISK_MAX          (1ull << 30)

struct cmdline_errors {
    unsigned count; /* may exceed CMDLINE_ERRORS_MAX; only the first ones are kept */
    char msg[CMDLINE_ERRORS_MAX][CMDLINE_ERROR_LEN];
};

void cmdline_defaults(struct kernel_config *cfg);
/* Applies every valid option to cfg and records a message for each bad one; returns true when
 * there was none. The first word is skipped when it is a path (boot loaders may pass the image). */
bool cmdline_parse(const char *cmdline, struct kernel_config *cfg, struct cmdline_errors *errors);
/* One line listing the options, for error messages and documentation. */
const char *cmdline_usage(void);

#endif
