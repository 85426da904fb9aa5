/* What the kernel learned while booting (boot information, memory, CPU, APIC, ACPI), kept for
 * the rest of the kernel, the self-tests and, later, the hypervisor. */
#ifndef MICA_KERNEL_BOOT_H
#define MICA_KERNEL_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/acpi.h"
#include "drivers/clocksource.h"
#include "drivers/lapic.h"
#include "kernel/memmap.h"
#include "kernel/multiboot2.h"
#include "kernel/pmm.h"

struct cpu_features {
    char vendor[13];
    char brand[49];
    uint32_t family, model, stepping;
    bool vmx, svm, smx, x2apic, nx, page1gb, invariant_tsc, hypervisor;
    unsigned phys_addr_bits;
};

struct boot_state {
    uint64_t mbi_phys;
    struct mb2_info mb2;
    struct memmap usable; /* free RAM after the kernel, modules and boot data are taken out */
    struct pmm pmm;
    struct cpu_features cpu;
    struct lapic_info lapic;
    bool lapic_calibrated;
    struct acpi_legacy_pc legacy; /* 8259 pair and 8254 present (from the MADT and FADT) */
    struct clocksources clocks;   /* the reference clocks found */
    enum clocksource clocksource; /* the one the TSC was calibrated against (AUTO: none) */
    bool madt_ok;
    uint64_t hpet_phys; /* from the ACPI HPET table, 0 when none */
    bool acpi_ok;
    struct acpi_rsdp_info rsdp;
    struct acpi_madt_info madt;
};

extern struct boot_state boot;

extern const char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

#endif
