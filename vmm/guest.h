/* A guest: its RAM (one contiguous host-physical block mapped at guest-physical 0), its port bus
 * and devices, and how it ended. Vendor-neutral: nothing here knows about VMX. */
#ifndef MICA_VMM_GUEST_H
#define MICA_VMM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/devices/ata_pio.h"
#include "vmm/devices/cmos_rtc.h"
#include "vmm/devices/debug_console.h"
#include "vmm/devices/device.h"
#include "vmm/devices/pic8259.h"
#include "vmm/devices/pit8254.h"
#include "vmm/devices/post.h"
#include "vmm/devices/vuart16550.h"
#include "vmm/iobus.h"
#include "vmm/mmio.h"

enum guest_end {
    GUEST_RUNNING,
    GUEST_EXITED,  /* the guest wrote its status to the debug-exit port */
    GUEST_STOPPED, /* the hypervisor stopped it (bad access, triple fault, ...) */
};

struct guest {
    uint64_t ram_hpa; /* host-physical (= hypervisor virtual) address of guest-physical 0 */
    uint64_t ram_size;
    struct iobus iobus;
    struct mmio_bus mmio;
    struct device_clock clock;
    struct debug_console console;
    struct post_port post;
    struct pic8259_pair pic;
    struct pit8254 pit;
    struct cmos_rtc rtc;
    struct vuart uart;
    struct ata_pio ata;    /* the primary ATA channel, unless passed through (vmm/disk.c) */
    bool disk_passthrough; /* the guest drives the machine's own primary ATA channel */
    bool devices_touched; /* the guest accessed a device since the last platform_update() */
    enum guest_end end;
    uint8_t exit_status; /* GUEST_EXITED: what the guest wrote */
    char stop_reason[256];
};

/* Hypervisor pointer to [gpa, gpa + len) of guest RAM, or NULL if any byte is outside it. */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len);
/* Copies between guest RAM and hypervisor memory; false (nothing copied) if out of range. */
bool copy_from_guest(struct guest *g, void *dst, uint64_t gpa, size_t len);
bool copy_to_guest(struct guest *g, uint64_t gpa, const void *src, size_t len);

/* The guest ends: by its own request (debug-exit port) or stopped by the hypervisor. */
void guest_exit(struct guest *g, uint8_t status);
void guest_stop(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
