/* The local APIC: xAPIC (MMIO page) or x2APIC (MSRs 0x800+) mode chosen at init, and register
 * access, EOI and the calibration count that work the same in both. */
#include "drivers/lapic.h"

#include "kernel/cpu.h"
#include "kernel/trap.h"

#define CPUID_1_EDX_APIC   (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define LAPIC_COUNT_MAX    0xffffffffu

static volatile uint32_t *lapic_mmio;
static enum lapic_mode lapic_mode;

uint32_t lapic_read(uint32_t reg)
{
    if (lapic_mode == LAPIC_MODE_X2APIC)
        return (uint32_t)rdmsr(lapic_x2apic_msr(reg));
    return lapic_mmio[reg / sizeof(uint32_t)];
}

void lapic_write(uint32_t reg, uint32_t value)
{
    if (lapic_mode == LAPIC_MODE_X2APIC)
        wrmsr(lapic_x2apic_msr(reg), value);
    else
        lapic_mmio[reg / sizeof(uint32_t)] = value;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_REG_EOI, 0); /* x2APIC: a non-zero value raises #GP (SDM vol. 3, 11.12.1.2) */
}

const char *lapic_mode_name(enum lapic_mode mode)
{
    return mode == LAPIC_MODE_X2APIC ? "x2APIC" : "xAPIC";
}

bool lapic_init(struct lapic_info *info, bool allow_x2apic)
{
    struct cpuid_regs r = cpuid(1, 0);
    if (!(r.edx & CPUID_1_EDX_APIC))
        return false;
    bool has_x2apic = r.ecx & CPUID_1_ECX_X2APIC;
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE)) {
        base |= APIC_BASE_ENABLE;
        wrmsr(MSR_IA32_APIC_BASE, base);
    }
    info->x2apic_by_firmware = base & APIC_BASE_EXTD;
    if (!info->x2apic_by_firmware && has_x2apic && allow_x2apic) {
        /* xAPIC -> x2APIC is a valid transition (SDM vol. 3, 11.12.5, figure 11-27); a CPU that
         * refuses it anyway keeps xAPIC mode. */
        if (wrmsr_safe(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD))
            base |= APIC_BASE_EXTD;
    }
    info->mode = (base & APIC_BASE_EXTD) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
    lapic_mode = info->mode;
    info->base = base & APIC_BASE_ADDR_MASK;
    info->bsp = base & APIC_BASE_BSP;
    lapic_mmio = (volatile uint32_t *)info->base;
    lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
    lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
    uint32_t id = lapic_read(LAPIC_REG_ID);
    info->id = info->mode == LAPIC_MODE_X2APIC ? id : id >> LAPIC_XAPIC_ID_SHIFT;
    info->version = lapic_read(LAPIC_REG_VERSION) & LAPIC_VERSION_MASK;
    return true;
}

void lapic_timer_start_count(void)
{
    lapic_write(LAPIC_REG_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_16);
    lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_REG_TIMER_INITIAL, LAPIC_COUNT_MAX);
}

uint32_t lapic_timer_stop(void)
{
    uint32_t remaining = lapic_read(LAPIC_REG_TIMER_CURRENT);
    lapic_write(LAPIC_REG_TIMER_INITIAL, 0);
    return LAPIC_COUNT_MAX - remaining;
}
