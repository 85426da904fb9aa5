/* kernel_main: the boot sequence from the Multiboot2 hand-off to a running kernel (console, command
 * line, memory, paging, CPU, timers, ACPI), then self-tests or the hypervisor. */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/acpi.h"
#include "drivers/acpi_power.h"
#include "drivers/clock_math.h"
#include "drivers/clocksource.h"
#include "drivers/lapic.h"
#include "drivers/pic8259.h"
#include "drivers/pit.h"
#include "drivers/uart16550.h"
#include "drivers/uart_config.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/gdt.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "vmm/vmm.h"

#define MICA_VERSION         "0.1"
#define MIB                  (1ul << 20)
#define MBI_MAX_SIZE         (1u << 20) /* larger boot information is treated as corrupt */
#define BIOS_RSDP_SCAN_START 0xe0000
#define BIOS_RSDP_SCAN_END   0x100000

struct kernel_config kernel_config;
struct boot_state boot;

static void parse_boot_information(uint64_t magic, uint64_t mbi)
{
    if (magic != MB2_BOOTLOADER_MAGIC)
        fatal_error("not started by a Multiboot2 boot loader (EAX=0x%lx); boot with GRUB's "
                    "multiboot2 command",
                    magic);
    if (mbi == 0 || (mbi & 7))
        fatal_error("the boot loader passed a bad Multiboot2 information address 0x%lx", mbi);
    uint32_t total = *(const uint32_t *)mbi;
    if (total > MBI_MAX_SIZE)
        fatal_error("the Multiboot2 information claims %u bytes; refusing more than %u", total,
                    MBI_MAX_SIZE);
    boot.mbi_phys = mbi;
    enum mb2_status st = mb2_parse((const void *)mbi, total, &boot.mb2);
    if (st != MB2_OK)
        fatal_error("the Multiboot2 information is malformed: %s (at byte %u)", mb2_strerror(st),
                    boot.mb2.error_offset);
}

static void apply_command_line(void)
{
    struct cmdline_errors errors;
    cmdline_defaults(&kernel_config);
    bool ok = cmdline_parse(boot.mb2.cmdline, &kernel_config, &errors);
    /* COM1 at its default is already the console; console=spcr starts on COM1 too and moves
     * once the ACPI tables are read (init_spcr_console). */
    unsigned com = kernel_config.console == CONSOLE_COM2 ? 1 : 0;
    if (com == 1 || kernel_config.com_port[0] != UART_COM1_PORT ||
        kernel_config.com_baud[0] != CONSOLE_BAUD_DEFAULT) {
        struct uart_config u;
        uart_config_io(&u, kernel_config.com_port[com], kernel_config.com_baud[com]);
        console_init_uart(&u);
    }
    log_set_level((enum log_level)kernel_config.loglevel);
    if (ok)
        return;
    for (unsigned i = 0; i < errors.count && i < CMDLINE_ERRORS_MAX; i++)
        kprintf("mica: bad command line option %s\n", errors.msg[i]);
    kprintf("mica: %s\n", cmdline_usage());
    fatal_error("%u bad command line option%s (command line: \"%s\")", errors.count,
                errors.count == 1 ? "" : "s", boot.mb2.cmdline);
}

static const char *mmap_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MMAP_AVAILABLE:
        return "available";
    case MB2_MMAP_RESERVED:
        return "reserved";
    case MB2_MMAP_ACPI_RECLAIMABLE:
        return "ACPI reclaimable";
    case MB2_MMAP_ACPI_NVS:
        return "ACPI NVS";
    case MB2_MMAP_BAD_RAM:
        return "bad RAM";
    }
    return "other";
}

static void reserve_or_die(uint64_t base, uint64_t end, const char *what)
{
    enum memmap_status st = memmap_reserve(&boot.usable, base, end);
    if (st != MEMMAP_OK)
        fatal_error("cannot reserve %s [%lx-%lx): %s", what, base, end, memmap_strerror(st));
}

static void init_memory(void)
{
    if (!boot.mb2.mmap_tag_present)
        fatal_error("the boot loader gave no memory map (Multiboot2 tag 6); cannot tell RAM from "
                    "devices");
    if (boot.mb2.mmap_count == 0)
        fatal_error("the boot loader's memory map is empty");

    log_info("memory map from the boot loader (%u entries):\n", boot.mb2.mmap_count);
    for (unsigned i = 0; i < boot.mb2.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &boot.mb2.mmap[i];
        log_info("  %016lx-%016lx %s\n", e->base_addr, e->base_addr + e->length - 1,
                 mmap_type_name(e->type));
    }
    memmap_init(&boot.usable);
    enum memmap_status st = memmap_build(&boot.usable, boot.mb2.mmap, boot.mb2.mmap_count);
    if (st != MEMMAP_OK)
        log_warn("memory map: %s; some RAM is left unused\n", memmap_strerror(st));
    if (memmap_total(&boot.usable) == 0)
        fatal_error("the boot loader's memory map lists no usable RAM");

    /* Never hand out: real-mode memory (BIOS data, EBDA, trampolines later), the kernel image,
     * the boot information, and each module. */
    reserve_or_die(0, MIB, "the first MiB");
    reserve_or_die((uint64_t)__kernel_start, (uint64_t)__kernel_end, "the kernel image");
    reserve_or_die(boot.mbi_phys, boot.mbi_phys + boot.mb2.total_size, "the boot information");
    for (unsigned i = 0; i < boot.mb2.module_count; i++)
        reserve_or_die(boot.mb2.modules[i].mod_start, boot.mb2.modules[i].mod_end, "a module");

    uint64_t highest = memmap_highest_end(&boot.usable);
    size_t words = pmm_bitmap_words_for(highest);
    uint64_t bitmap_phys;
    st = memmap_carve(&boot.usable, words * sizeof(uint64_t), PAGE_SIZE, &bitmap_phys);
    if (st != MEMMAP_OK)
        fatal_error("no room for the page allocator's bitmap (%zu bytes): %s",
                    words * sizeof(uint64_t), memmap_strerror(st));
    enum pmm_status ps = pmm_init(&boot.pmm, (uint64_t *)bitmap_phys, words, &boot.usable);
    if (ps != PMM_OK)
        fatal_error("page allocator: %s", pmm_strerror(ps));
    kprintf("mica: memory: %lu MiB usable in %u ranges, highest address %lx, %lu pages free\n",
            memmap_total(&boot.usable) / MIB, boot.usable.count, highest - 1,
            pmm_free_count(&boot.pmm));
}

static void copy_cpuid_string(char *dst, const uint32_t *regs, unsigned count)
{
    memcpy(dst, regs, count * sizeof(uint32_t));
    dst[count * sizeof(uint32_t)] = '\0';
}

static void detect_cpu(void)
{
    struct cpu_features *c = &boot.cpu;
    struct cpuid_regs r = cpuid(0, 0);
    uint32_t vendor[3] = {r.ebx, r.edx, r.ecx};
    copy_cpuid_string(c->vendor, vendor, 3);

    r = cpuid(1, 0);
    c->stepping = r.eax & 0xf;
    c->family = (r.eax >> 8) & 0xf;
    c->model = (r.eax >> 4) & 0xf;
    if (c->family == 0xf)
        c->family += (r.eax >> 20) & 0xff;
    if (c->family == 0x6 || c->family >= 0xf)
        c->model |= ((r.eax >> 16) & 0xf) << 4;
    c->vmx = r.ecx & (1u << 5);
    c->smx = r.ecx & (1u << 6);
    c->x2apic = r.ecx & (1u << 21);
    c->hypervisor = r.ecx & (1u << 31);

    r = cpuid(0x80000000, 0);
    uint32_t max_ext = r.eax;
    if (max_ext >= 0x80000001) {
        r = cpuid(0x80000001, 0);
        c->svm = r.ecx & (1u << 2);
        c->nx = r.edx & (1u << 20);
        c->page1gb = r.edx & (1u << 26);
    }
    if (max_ext >= 0x80000004) {
        uint32_t brand[12];
        for (unsigned i = 0; i < 3; i++) {
            r = cpuid(0x80000002 + i, 0);
            brand[i * 4 + 0] = r.eax;
            brand[i * 4 + 1] = r.ebx;
            brand[i * 4 + 2] = r.ecx;
            brand[i * 4 + 3] = r.edx;
        }
        copy_cpuid_string(c->brand, brand, 12);
    } else {
        memcpy(c->brand, "(no brand string)", 18);
    }
    if (max_ext >= 0x80000007)
        c->invariant_tsc = cpuid(0x80000007, 0).edx & (1u << 8);
    c->phys_addr_bits = max_ext >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;

    const char *brand = c->brand;
    while (*brand == ' ')
        brand++;
    kprintf("mica: cpu: %s, %s (family %x model %x stepping %x), %u-bit physical addresses\n",
            c->vendor, brand, c->family, c->model, c->stepping, c->phys_addr_bits);
    kprintf("mica: cpu features: vmx %s, svm %s, nx %s, x2apic %s, 1g-pages %s, invariant-tsc %s, "
            "under a hypervisor %s\n",
            c->vmx ? "yes" : "no", c->svm ? "yes" : "no", c->nx ? "yes" : "no",
            c->x2apic ? "yes" : "no", c->page1gb ? "yes" : "no", c->invariant_tsc ? "yes" : "no",
            c->hypervisor ? "yes" : "no");
}

static void init_timers(void)
{
    const struct acpi_power_state *pw = acpi_power_state();
    acpi_legacy_pc_decide(boot.madt_ok ? &boot.madt : NULL,
                          pw->fadt_status == ACPI_OK ? &pw->fadt : NULL, &boot.legacy);
    kprintf("mica: legacy devices: 8259 PICs %s, 8254 PIT %s (%s)\n",
            boot.legacy.pic8259 ? "present" : "absent (left alone)",
            boot.legacy.pit8254 ? "expected" : "absent", boot.legacy.why);
    if (boot.legacy.pic8259)
        pic_remap_and_mask();
    if (boot.legacy.pit8254)
        pit_quiesce();
    if (!lapic_init(&boot.lapic, !kernel_config.x2apic_off)) {
        log_warn("no local APIC (CPUID.1:EDX.APIC clear)\n");
        return;
    }
    if (kernel_config.x2apic_off && boot.lapic.x2apic_by_firmware)
        log_warn("x2apic=off: the firmware left the local APIC in x2APIC mode, which can only be "
                 "left by disabling it; staying in x2APIC mode\n");

    clocksource_probe(boot.legacy.pit8254, boot.hpet_phys,
                      boot.acpi_ok ? "the ACPI tables have no HPET table" : "no ACPI tables",
                      &boot.clocks);
    const struct clocksources *cs = &boot.clocks;
    log_info("clocks: CPUID TSC %lu Hz (leaf 0x15), base %lu Hz (leaf 0x16); HPET %s%s; PIT %s\n",
             cs->cpuid15_hz, cs->cpuid16_hz,
             cs->hpet ? "yes" : "no: ", cs->hpet ? "" : cs->hpet_why,
             cs->pit_expected ? "expected" : "absent");
    if (cs->hpet)
        log_info("clocks: HPET at %lx, period %u fs, %u-bit counter\n", cs->hpet_info.phys,
                 cs->hpet_info.period_fs, cs->hpet_info.counter_64bit ? 64 : 32);
    struct clock_rates rates;
    char why[2 * CLOCKSOURCE_WHY_LEN];
    enum clocksource want = (enum clocksource)kernel_config.clocksource;
    boot.clocksource = clocksource_calibrate(cs, want, &rates, why, sizeof(why));
    if (boot.clocksource == CLOCKSOURCE_AUTO && want != CLOCKSOURCE_AUTO)
        fatal_error("clocksource=%s: %s", clocksource_name(want), why);
    if (want == CLOCKSOURCE_AUTO && boot.clocksource != CLOCKSOURCE_CPUID && cs->cpuid15_hz &&
        boot.clocksource != CLOCKSOURCE_AUTO)
        log_info("clocks: CPUID leaf 0x15 states a TSC of %lu Hz, %lu ppm off the %s's "
                 "measurement: not used\n",
                 cs->cpuid15_hz, clock_deviation_ppm(rates.tsc_hz, cs->cpuid15_hz),
                 clocksource_name(boot.clocksource));
    boot.lapic_calibrated = boot.clocksource != CLOCKSOURCE_AUTO;
    if (boot.lapic_calibrated) {
        boot.lapic.tsc_hz = rates.tsc_hz;
        boot.lapic.timer_hz = rates.timer_hz;
        timer_init();
    }
    char where[32] = "";
    if (boot.lapic.mode == LAPIC_MODE_XAPIC)
        ksnprintf(where, sizeof(where), " at %lx", boot.lapic.base);
    kprintf("mica: local APIC id %u version 0x%x in %s mode%s%s; timer %lu kHz (divide by 16), "
            "TSC %lu MHz (calibrated against %s%s)\n",
            boot.lapic.id, boot.lapic.version, lapic_mode_name(boot.lapic.mode), where,
            boot.lapic.bsp ? " (BSP)" : "", boot.lapic.timer_hz / 1000, boot.lapic.tsc_hz / 1000000,
            boot.lapic_calibrated ? clocksource_name(boot.clocksource) : "nothing: ",
            boot.lapic_calibrated ? "" : why);
}

static const void *acpi_identity_map(uint64_t phys, size_t len, void *ctx)
{
    (void)ctx;
    if (phys == 0 || phys + len < phys || phys + len > paging_mapped_end())
        return NULL;
    return (const void *)phys;
}

static bool find_bios_rsdp(struct acpi_rsdp_info *out)
{
    for (uint64_t p = BIOS_RSDP_SCAN_START; p < BIOS_RSDP_SCAN_END; p += 16) {
        if (memcmp((const void *)p, "RSD PTR ", 8) == 0 &&
            acpi_rsdp_parse((const void *)p, BIOS_RSDP_SCAN_END - p, out) == ACPI_OK)
            return true;
    }
    return false;
}

static void init_acpi(void)
{
    const struct acpi_mem mem = {.map = acpi_identity_map};
    enum acpi_status st = ACPI_ERR_NOT_FOUND;
    const char *source = "Multiboot2 tag";
    if (boot.mb2.acpi_new_rsdp)
        st = acpi_rsdp_parse(boot.mb2.acpi_new_rsdp, boot.mb2.acpi_new_rsdp_length, &boot.rsdp);
    if (st != ACPI_OK && boot.mb2.acpi_old_rsdp)
        st = acpi_rsdp_parse(boot.mb2.acpi_old_rsdp, boot.mb2.acpi_old_rsdp_length, &boot.rsdp);
    if (st != ACPI_OK && find_bios_rsdp(&boot.rsdp)) {
        st = ACPI_OK;
        source = "BIOS area scan";
    }
    if (st != ACPI_OK) {
        log_warn("acpi: no valid RSDP (%s); continuing without ACPI\n", acpi_status_str(st));
        return;
    }
    acpi_power_init(&mem, &boot.rsdp); /* power-off and reset for real machines */
    uint64_t hpet;
    struct acpi_hpet_info hpet_info;
    st = acpi_find_table(&mem, &boot.rsdp, "HPET", 0, &hpet);
    if (st == ACPI_OK)
        st = acpi_hpet_parse(&mem, hpet, &hpet_info);
    if (st == ACPI_OK)
        boot.hpet_phys = hpet_info.address;
    else if (st != ACPI_ERR_NOT_FOUND)
        log_warn("acpi: HPET table: %s; HPET not used\n", acpi_status_str(st));
    uint64_t madt;
    st = acpi_find_table(&mem, &boot.rsdp, "APIC", 0, &madt);
    if (st == ACPI_OK) {
        st = acpi_madt_parse(&mem, madt, &boot.madt);
        if (st == ACPI_ERR_TOO_MANY) {
            log_warn("acpi: MADT lists more CPUs/IOAPICs than mica tracks; extra ones ignored\n");
            st = ACPI_OK;
        }
    }
    if (st != ACPI_OK) {
        log_warn("acpi: MADT: %s; continuing with one CPU\n", acpi_status_str(st));
        boot.acpi_ok = true; /* the other tables are usable */
        return;
    }
    boot.acpi_ok = true;
    boot.madt_ok = true;
    unsigned enabled = 0;
    for (unsigned i = 0; i < boot.madt.cpu_count; i++)
        enabled += boot.madt.cpus[i].enabled;
    kprintf("mica: acpi: RSDP rev %u (OEM %s, from %s), %s; MADT: %u CPU(s) (%u enabled), %u "
            "IOAPIC%s, local APIC at %lx\n",
            boot.rsdp.revision, boot.rsdp.oem_id, source, boot.rsdp.xsdt_address ? "XSDT" : "RSDT",
            boot.madt.cpu_count, enabled, boot.madt.ioapic_count,
            boot.madt.ioapic_count == 1 ? "" : "s", boot.madt.lapic_phys);
    for (unsigned i = 0; i < boot.madt.ioapic_count; i++)
        log_info("acpi: IOAPIC id %u at %x, GSI base %u\n", boot.madt.ioapics[i].id,
                 boot.madt.ioapics[i].address, boot.madt.ioapics[i].gsi_base);
}

static bool uart_mmio_mapped(const struct uart_config *u)
{
    uint64_t end = uart_reg_address(u, UART_REGISTER_COUNT);
    uint64_t entry, size;
    return end <= paging_mapped_end() && paging_lookup(u->base, &entry, &size) && (entry & PTE_PCD);
}

static void describe_uart(char *buf, size_t n, const struct uart_config *u)
{
    if (u->space == UART_SPACE_IO)
        ksnprintf(buf, n, "I/O port 0x%lx", u->base);
    else
        ksnprintf(buf, n, "MMIO 0x%lx (%u-byte registers %u bytes apart)", u->base, u->access_bytes,
                  1u << u->reg_shift);
}

/* console=spcr, or no console= and an SPCR naming a 16550: move the console to that UART. */
static void init_spcr_console(void)
{
    bool asked = kernel_config.console == CONSOLE_SPCR;
    if (!asked && kernel_config.console_given)
        return;
    const struct acpi_power_state *pw = acpi_power_state();
    if (pw->spcr_status != ACPI_OK) {
        if (asked)
            log_warn("console=spcr: no usable SPCR table (%s); the console stays on COM1 at "
                     "port 0x%x\n",
                     boot.acpi_ok ? acpi_status_str(pw->spcr_status) : "no ACPI tables",
                     kernel_config.com_port[0]);
        return;
    }
    struct uart_config u;
    char why[CMDLINE_ERROR_LEN];
    if (!uart_config_from_spcr(&pw->spcr, &u, why, sizeof(why))) {
        if (asked)
            log_warn("console=spcr: %s; the console stays on COM1\n", why);
        else
            log_info("console: SPCR not used: %s\n", why);
        return;
    }
    char where[80];
    describe_uart(where, sizeof(where), &u);
    const struct uart_config *now = console_uart_config();
    if (u.space == now->space && u.base == now->base) {
        kprintf("mica: console: SPCR names this console (%s)\n", where);
        return;
    }
    if (u.space == UART_SPACE_MMIO && !uart_mmio_mapped(&u)) {
        log_warn("console: the SPCR UART at %s is not mapped uncached; the console stays here\n",
                 where);
        return;
    }
    kprintf("mica: console: moving to the SPCR UART at %s, %u baud%s\n", where, u.baud,
            u.baud ? "" : " (as the firmware set it)");
    console_flush();
    struct uart_config old = *now;
    if (!console_init_uart(&u)) {
        console_init_uart(&old);
        log_warn("console: no UART answers at %s (scratch register); the console stays here\n",
                 where);
        return;
    }
    kprintf("mica: console: SPCR UART at %s (moved from %s 0x%lx)\n", where,
            old.space == UART_SPACE_IO ? "I/O port" : "MMIO", old.base);
}

void kernel_main(uint64_t magic, uint64_t mbi);

void kernel_main(uint64_t magic, uint64_t mbi)
{
    console_init(UART_COM1_PORT);
    gdt_init();
    idt_init();
    cmdline_defaults(&kernel_config);
    parse_boot_information(magic, mbi);
    apply_command_line();

    kprintf("\nmica %s - a minimal research hypervisor for x86-64 (VMX)\n", MICA_VERSION);
    kprintf("mica: boot loader: %s; command line: \"%s\"\n",
            boot.mb2.bootloader_name ? boot.mb2.bootloader_name : "(unnamed)",
            boot.mb2.cmdline ? boot.mb2.cmdline : "");
    if (boot.mb2.efi_boot_services_not_terminated || boot.mb2.has_efi64_system_table)
        log_info("booted from UEFI firmware\n");

    init_memory();
    paging_init();
    detect_cpu();
    init_acpi();
    init_spcr_console();
    init_timers();

    if (kernel_config.tests[0]) {
        bool passed = ktest_run_selected(kernel_config.tests);
        machine_poweroff(passed ? MICA_STATUS_PASS : MICA_STATUS_FAIL);
    }
    vmm_main();
}
