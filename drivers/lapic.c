/* Local APIC bring-up and timer/TSC calibration against PIT channel 2. */
#include "drivers/lapic.h"

#include "drivers/pit.h"
#include "kernel/cpu.h"

#define CALIBRATION_MS 10u

static volatile uint32_t *lapic_mmio;

uint32_t lapic_read(uint32_t reg)
{
    return lapic_mmio[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t value)
{
    lapic_mmio[reg / 4] = value;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_REG_EOI, 0);
}

bool lapic_init(struct lapic_info *info)
{
    struct cpuid_regs r = cpuid(1, 0);
    if (!(r.edx & (1u << 9))) /* CPUID.1:EDX.APIC */
        return false;
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE))
        wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
    info->base = base & APIC_BASE_ADDR_MASK;
    info->bsp = base & APIC_BASE_BSP;
    lapic_mmio = (volatile uint32_t *)info->base;
    lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
    lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
    info->id = lapic_read(LAPIC_REG_ID) >> 24;
    info->version = lapic_read(LAPIC_REG_VERSION) & 0xff;
    return true;
}

struct calibration_start {
    uint64_t tsc;
};

static void start_counting(void *arg)
{
    struct calibration_start *s = arg;
    lapic_write(LAPIC_REG_TIMER_INITIAL, 0xffffffffu);
    s->tsc = rdtsc();
}

bool lapic_calibrate(struct lapic_info *info)
{
    lapic_write(LAPIC_REG_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_16);
    lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
    struct calibration_start start;
    uint16_t ticks = (uint16_t)(PIT_FREQUENCY_HZ * CALIBRATION_MS / 1000);
    if (!pit_wait_ticks(ticks, start_counting, &start))
        return false;
    uint64_t tsc_end = rdtsc();
    uint32_t remaining = lapic_read(LAPIC_REG_TIMER_CURRENT);
    lapic_write(LAPIC_REG_TIMER_INITIAL, 0);
    uint32_t elapsed = 0xffffffffu - remaining;
    info->timer_hz = (uint64_t)elapsed * 1000 / CALIBRATION_MS;
    info->tsc_hz = (tsc_end - start.tsc) * 1000 / CALIBRATION_MS;
    return info->timer_hz > 0 && info->tsc_hz > 0;
}
