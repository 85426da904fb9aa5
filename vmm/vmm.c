/* vmm_main: from a booted kernel to a running guest and back: check the CPU, allocate guest RAM,
 * load the guest module, attach devices, run the vCPU, then report and power off. */
#include "vmm/vmm.h"

#include "include/mica/abi.h"
#include "kernel/boot.h"
#include "kernel/checksum.h"
#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/string.h"
#include "kernel/trap.h"
#include "vmm/devices/debug_console.h"
#include "vmm/disk.h"
#include "vmm/guest.h"
#include "vmm/gdb_server.h"
#include "vmm/guest_loader.h"
#include "vmm/hypercall.h"
#include "vmm/platform.h"
#include "vmm/rt_task.h"
#include "vmm/vcpu.h"
#include "vmm/vlog.h"

#define LARGE_PAGE_PAGES 512 /* 4 KiB pages in a 2 MiB page */

static struct guest the_guest;
static struct vcpu the_vcpu;

extern const char __kernel_start[], __rodata_end[];

/* FNV-1a over the hypervisor's code and read-only data: computed before and after the guest, so a
 * guest that reached hypervisor memory would show. */
static uint64_t hypervisor_image_checksum(void)
{
    return fnv1a64(FNV1A64_OFFSET_BASIS, __kernel_start, (size_t)(__rodata_end - __kernel_start));
}

/* The data that isolates the guest, likewise: the host's GDT, TSS, IDT and page tables, its
 * CR0, CR4 and EFER as they are now (bits such as CR0.CD/NW survive VM entry and exit, SDM
 * 27.3.2.1 and 28.5.1, so a guest that reached them would change the host), and the vendor's
 * (EPT, bitmaps, VMCS host state). The rest of .data and .bss (counters, device state, logs)
 * changes by design while the guest runs. */
static uint64_t hypervisor_tables_checksum(const struct vcpu *v)
{
    uint64_t hash = gdt_tss_checksum(FNV1A64_OFFSET_BASIS);
    hash = idt_checksum(hash);
    hash = paging_tables_checksum(hash);
    hash = fnv1a64_u64(hash, read_cr0());
    hash = fnv1a64_u64(hash, read_cr4());
    hash = fnv1a64_u64(hash, rdmsr(MSR_IA32_EFER));
    return fnv1a64_u64(hash, vendor_protection_checksum(v));
}

static void allocate_guest_ram(struct guest *g)
{
    uint64_t size = kernel_config.guest_mem;
    uint64_t pages = size / PAGE_SIZE;
    uint64_t hpa;
    if (!pmm_alloc_pages(&boot.pmm, pages, LARGE_PAGE_PAGES, &hpa))
        fatal_error("cannot allocate %lu MiB of guest RAM (guest_mem=): %lu MiB free; choose a "
                    "smaller guest_mem=",
                    size >> 20, pmm_free_count(&boot.pmm) * PAGE_SIZE >> 20);
    memset((void *)hpa, 0, size);
    g->ram_hpa = hpa;
    g->ram_size = size;
    log_info("vmm: guest RAM %lu MiB at host-physical %lx\n", size >> 20, hpa);
}

static void load_guest(struct guest *g, struct guest_entry *entry)
{
    if (boot.mb2.module_count == 0)
        fatal_error("no guest image: add a 'module2 /boot/GUEST.elf' line after 'multiboot2' in "
                    "the GRUB entry");
    const struct mb2_module *m = &boot.mb2.modules[0];
    const void *image = (const void *)(uint64_t)m->mod_start;
    size_t len = m->mod_end - m->mod_start;
    struct guest_ram_access ram = {.base = (uint8_t *)g->ram_hpa, .size = g->ram_size};
    struct guest_load_result r;
    enum guest_load_status st;
    if (kernel_config.guest_flat_load) {
        st = guest_load_flat(image, len, &ram, kernel_config.guest_flat_load, &r);
        entry->real_mode = true;
    } else {
        st = guest_load_multiboot(image, len, &ram, m->string, &r);
    }
    if (st != GUEST_LOAD_OK)
        fatal_error("cannot load the guest image '%s' (%zu bytes, %s): %s", m->string, len,
                    guest_image_kind_name(guest_image_kind(image, len)), guest_load_strerror(st));
    entry->rip = r.entry;
    entry->eax = r.eax;
    entry->ebx = r.ebx;
    kprintf("mica: guest '%s': %s, %zu bytes, loaded at %lx-%lx, entry %x%s\n", m->string,
            guest_image_kind_name(r.kind), len, r.lowest, r.highest - 1, r.entry,
            entry->real_mode ? " (real mode)" : "");
}

/* Unclaimed ports listed one per line up to this many; past it (a fuzzing guest touches
 * thousands) a summary line and the busiest few, so the report stays readable and short. */
#define UNCLAIMED_PORTS_LISTED  16
#define UNCLAIMED_PORTS_BUSIEST 8

static const char *port_owner(const struct iobus *bus, uint16_t port)
{
    const struct io_region *r = iobus_find(bus, port);
    if (r)
        return r->name;
    return iobus_port_allowed(bus, port, 1) ? "(unclaimed)" : "(refused)";
}

static bool port_unclaimed(const struct iobus *bus, uint16_t port)
{
    return !iobus_find(bus, port) && iobus_port_allowed(bus, port, 1);
}

/* The busiest unclaimed port not yet printed (accesses below `below`, or equal with a higher
 * port number than `after`); -1 if none is left. */
static int32_t next_busiest_unclaimed(const struct iobus *bus, uint32_t below, int32_t after)
{
    int32_t best = -1;
    for (uint32_t port = 0; port < IOBUS_PORTS; port++) {
        uint32_t n = bus->accesses[port];
        if (!n || !port_unclaimed(bus, (uint16_t)port))
            continue;
        if (n > below || (n == below && (int32_t)port <= after))
            continue;
        if (best < 0 || n > bus->accesses[best])
            best = (int32_t)port;
    }
    return best;
}

static void report_ports(const struct iobus *bus)
{
    uint32_t unclaimed_ports = 0;
    uint64_t unclaimed_accesses = 0;
    for (uint32_t port = 0; port < IOBUS_PORTS; port++) {
        if (bus->accesses[port] && port_unclaimed(bus, (uint16_t)port)) {
            unclaimed_ports++;
            unclaimed_accesses += bus->accesses[port];
        }
    }
    bool list_unclaimed = unclaimed_ports <= UNCLAIMED_PORTS_LISTED;
    for (uint32_t port = 0; port < IOBUS_PORTS; port++) {
        if (!bus->accesses[port] || (!list_unclaimed && port_unclaimed(bus, (uint16_t)port)))
            continue;
        kprintf("  port 0x%04x %-20s %u\n", port, port_owner(bus, (uint16_t)port),
                bus->accesses[port]);
    }
    if (list_unclaimed)
        return;
    kprintf("  unclaimed ports: %u touched, %lu accesses (reads gave all ones); the busiest:\n",
            unclaimed_ports, unclaimed_accesses);
    uint32_t below = UINT32_MAX;
    int32_t after = -1;
    for (unsigned i = 0; i < UNCLAIMED_PORTS_BUSIEST; i++) {
        int32_t port = next_busiest_unclaimed(bus, below, after);
        if (port < 0)
            break;
        kprintf("  port 0x%04x %-20s %u\n", (unsigned)port, "(unclaimed)", bus->accesses[port]);
        below = bus->accesses[port];
        after = port;
    }
}

void vmm_print_exit_statistics(const struct vcpu *v)
{
    kprintf("mica: exit statistics: %lu VM exits\n", v->exits_total);
    uint64_t ran = rdtsc() - v->guest_started_tsc;
    kprintf("  hypervisor time: %lu of %lu TSC ticks since the guest started (%lu.%lu%%)\n",
            v->hypervisor_ticks, ran, ran ? v->hypervisor_ticks * 100 / ran : 0,
            ran ? v->hypervisor_ticks * 1000 / ran % 10 : 0);
    for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++) {
        if (v->exits_by_reason[r])
            kprintf("  exit %-3u %-44s %lu\n", r, vendor_exit_reason_name(r),
                    v->exits_by_reason[r]);
    }
    kprintf("  interrupts injected: %lu", v->interrupts_injected);
    if (vic_active(&v->vic))
        kprintf(" (paravirtual: %lu raised, %lu coalesced, shared page at %lx)", v->vic.raised,
                v->vic.coalesced, v->shared_page_gpa);
    kprintf("\n");
    if (v->exits_reason_out_of_range)
        kprintf("  exit reasons beyond %u: %lu\n", VCPU_EXIT_REASONS - 1,
                v->exits_reason_out_of_range);
    report_ports(&v->guest->iobus);
    disk_report(v->guest);
    hypercall_report();
}

void vmm_main(void)
{
    char why[256];
    if (!vendor_probe(why, sizeof(why))) {
        kprintf("mica: %s\n", why);
        machine_poweroff(MICA_STATUS_NO_VMX);
    }
    if (!vendor_enable(why, sizeof(why))) {
        kprintf("mica: cannot enable VMX: %s\n", why);
        machine_poweroff(MICA_STATUS_NO_VMX);
    }
    uint64_t checksum_before = hypervisor_image_checksum();
    panic_set_log_flush(vlog_drain);

    struct guest *g = &the_guest;
    struct guest_entry entry = {0};
    allocate_guest_ram(g);
    platform_init(g);
    disk_attach(g);
    load_guest(g, &entry);
    if (!vendor_vcpu_create(&the_vcpu, g, &entry, why, sizeof(why)))
        fatal_error("cannot create the virtual CPU: %s", why);

    if (kernel_config.gdb_com2) {
        uint16_t port = kernel_config.com_port[1];
        if (port == console_port())
            fatal_error("gdb=com2: COM2 (port 0x%x) is also the console; give COM2 its own "
                        "port (com2=PORT) or move the console (console=)",
                        port);
        gdb_server_init(&the_vcpu, port, kernel_config.com_baud[1]);
    }
    uint64_t tables_before = hypervisor_tables_checksum(&the_vcpu);
    kprintf("mica: starting the guest\n");
    rt_task_start(kernel_config.rt_task_hz);
    g->devices_touched = true; /* the first loop iteration arms the host timer */
    vendor_vcpu_run(&the_vcpu);
    debug_console_flush(&g->console);
    vlog_drain();

    uint8_t status;
    if (g->end == GUEST_EXITED) {
        kprintf("mica: guest exited with status 0x%02x\n", g->exit_status);
        status = g->exit_status;
    } else {
        kprintf("mica: guest stopped: %s\n", g->stop_reason);
        status = MICA_STATUS_GUEST_STOPPED;
    }
    vmm_print_exit_statistics(&the_vcpu);
    rt_task_report();
    uint64_t checksum_after = hypervisor_image_checksum();
    if (checksum_after != checksum_before)
        panic("the hypervisor's code or read-only data changed while the guest ran "
              "(checksum %lx, was %lx)",
              checksum_after, checksum_before);
    uint64_t tables_after = hypervisor_tables_checksum(&the_vcpu);
    if (tables_after != tables_before)
        panic("the hypervisor's protection tables (GDT, TSS, IDT, page tables, CR0, CR4, EFER, "
              "EPT, I/O and MSR bitmaps, VMCS host state) changed while the guest ran (checksum "
              "%lx, was %lx)",
              tables_after, tables_before);
    kprintf("mica: hypervisor code and read-only data unchanged (checksum %016lx), protection "
            "tables unchanged (checksum %016lx)\n",
            checksum_after, tables_after);
    machine_poweroff(status);
}
