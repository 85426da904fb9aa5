/* The guest's primary ATA channel (ports 0x1f0-0x1f7, 0x3f6, IRQ 14), per disk=: the ATA PIO
 * model backed by hypervisor memory or a GRUB module, or pass-through to the real controller. */
#include "vmm/disk.h"

#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/paging.h"
#include "kernel/string.h"
#include "vmm/devices/ata_pio.h"
#include "vmm/host_irq.h"

#define DISK_IMAGE_MODULE 1 /* modules[0] is the guest; modules[1] the disk image */
#define BYTES_PER_KIB     1024u

static struct irq_line guest_irq14(struct guest *g)
{
    return (struct irq_line){.set = pic8259_set_irq, .ctx = &g->pic, .irq = ATA_PIO_IRQ};
}

static void attach_model(struct guest *g, uint8_t *image, uint64_t size, const char *what)
{
    struct irq_line irq14 = guest_irq14(g);
    if (!ata_pio_init(&g->ata, image, size, &irq14))
        fatal_error("disk=: %s of %lu bytes cannot be an ATA disk (a whole number of 512-byte "
                    "sectors is needed)",
                    what, size);
    enum iobus_status st = ata_pio_attach(&g->ata, &g->iobus);
    if (st != IOBUS_OK)
        panic("cannot register the ATA model on the port bus: %s", iobus_strerror(st));
}

static uint8_t *allocate_image(uint64_t size)
{
    uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t hpa;
    if (!pmm_alloc_pages(&boot.pmm, pages, 1, &hpa))
        fatal_error("disk=%luK: not enough memory for the disk (%lu KiB free); choose a smaller "
                    "size",
                    size / BYTES_PER_KIB, pmm_free_count(&boot.pmm) * PAGE_SIZE / BYTES_PER_KIB);
    memset((void *)hpa, 0, pages * PAGE_SIZE);
    return (uint8_t *)hpa;
}

/* Batched accesses to passed-through ports are done for the guest, on the real ports. */
static void real_port_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                         uint32_t *value)
{
    (void)device;
    if (dir == IO_OUT) {
        if (size == 1)
            outb(port, (uint8_t)*value);
        else if (size == 2)
            outw(port, (uint16_t)*value);
        else
            outl(port, *value);
    } else {
        *value = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
    }
}

static void attach_passthrough(struct guest *g)
{
    /* IRQ 14 reaches the hypervisor through the machine's 8259 (vmm/host_irq.c); without one
     * the guest would wait for interrupts that never come. */
    if (!boot.legacy.pic8259)
        fatal_error("disk=passthrough: this machine has no 8259 interrupt controllers (%s), and "
                    "mica forwards the disk's IRQ 14 only through them; use disk=SIZE or "
                    "disk=module for an emulated disk",
                    boot.legacy.why);
    enum iobus_status st =
        iobus_register_passthrough(&g->iobus, ATA_PIO_CMD_BLOCK_BASE, ATA_PIO_CMD_BLOCK_PORTS,
                                   real_port_io, NULL, "ata (pass-through)");
    if (st == IOBUS_OK)
        st = iobus_register_passthrough(&g->iobus, ATA_PIO_CTRL_BLOCK_PORT, 1, real_port_io, NULL,
                                        "ata control (pass-through)");
    if (st != IOBUS_OK)
        panic("cannot pass the primary ATA channel through: %s", iobus_strerror(st));
    struct irq_line irq14 = guest_irq14(g);
    host_irq_forward(ATA_PIO_IRQ, &irq14);
    g->disk_passthrough = true;
}

void disk_attach(struct guest *g)
{
    switch (kernel_config.disk) {
    case DISK_NONE:
        attach_model(g, NULL, 0, "no drive");
        log_info("disk: primary ATA channel emulated, no drive (disk=SIZE|module|passthrough "
                 "gives one)\n");
        return;
    case DISK_MEMORY:
        attach_model(g, allocate_image(kernel_config.disk_size), kernel_config.disk_size,
                     "the memory disk");
        log_info("disk: emulated ATA disk, %lu KiB of zeroed hypervisor memory\n",
                 kernel_config.disk_size / BYTES_PER_KIB);
        return;
    case DISK_MODULE: {
        if (boot.mb2.module_count <= DISK_IMAGE_MODULE)
            fatal_error("disk=module: no disk image: add a second 'module2 /boot/DISK.img' line "
                        "after the guest's in the GRUB entry");
        const struct mb2_module *m = &boot.mb2.modules[DISK_IMAGE_MODULE];
        uint64_t size = m->mod_end - m->mod_start;
        attach_model(g, (uint8_t *)(uint64_t)m->mod_start, size, "the disk image module");
        log_info("disk: emulated ATA disk, image '%s' (%lu KiB, writes stay in memory)\n",
                 m->string, size / BYTES_PER_KIB);
        return;
    }
    case DISK_PASSTHROUGH:
        attach_passthrough(g);
        log_info("disk: primary ATA channel passed through (ports 0x1f0-0x1f7 and 0x3f6 "
                 "untrapped, IRQ 14 forwarded)\n");
        return;
    }
    panic("disk_attach: unknown disk kind %d", (int)kernel_config.disk);
}

void disk_report(const struct guest *g)
{
    if (g->disk_passthrough) {
        kprintf("  disk: passed through, %lu host IRQ 14 interrupts forwarded\n",
                host_irq_forwarded_count());
        return;
    }
    if (g->ata.image)
        kprintf("  disk: emulated, %lu sectors; %lu interrupts raised, %lu stray data accesses\n",
                g->ata.sectors, (uint64_t)g->ata.interrupts, (uint64_t)g->ata.stray_data);
}
