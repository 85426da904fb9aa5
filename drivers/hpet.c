/* Host HPET: validates the register block named by the ACPI HPET table, enables the main
 * counter and reads it; used only to calibrate the TSC (drivers/clocksource.c). */
#include "drivers/hpet.h"

#include "drivers/clock_math.h"
#include "kernel/format.h"
#include "kernel/paging.h"

static volatile uint64_t *hpet_regs;

static uint64_t reg_read(unsigned reg)
{
    return hpet_regs[reg / sizeof(uint64_t)];
}

static void reg_write(unsigned reg, uint64_t value)
{
    hpet_regs[reg / sizeof(uint64_t)] = value;
}

bool hpet_init(uint64_t phys, struct hpet_info *out, char *why, size_t why_len)
{
    uint64_t entry, size;
    if (phys + HPET_MMIO_SIZE > paging_mapped_end() || !paging_lookup(phys, &entry, &size)) {
        ksnprintf(why, why_len, "its registers at 0x%lx are outside the kernel's identity map",
                  phys);
        return false;
    }
    if (!(entry & PTE_PCD)) {
        /* The identity map makes every range without RAM uncached (kernel/paging.c). */
        ksnprintf(why, why_len, "its registers at 0x%lx lie in a range mapped as RAM (cached)",
                  phys);
        return false;
    }
    hpet_regs = (volatile uint64_t *)phys;
    uint64_t gcap = reg_read(HPET_REG_GCAP_ID);
    uint32_t period = (uint32_t)(gcap >> HPET_GCAP_CLK_PERIOD_SHIFT);
    if (!clock_hpet_period_valid(period)) {
        ksnprintf(why, why_len, "COUNTER_CLK_PERIOD %u fs is invalid (1 to %u fs)", period,
                  HPET_PERIOD_MAX_FS);
        hpet_regs = NULL;
        return false;
    }
    uint64_t conf = reg_read(HPET_REG_GEN_CONF);
    if (!(conf & HPET_GEN_CONF_ENABLE_CNF))
        reg_write(HPET_REG_GEN_CONF, conf | HPET_GEN_CONF_ENABLE_CNF);
    out->phys = phys;
    out->period_fs = period;
    out->counter_64bit = gcap & HPET_GCAP_COUNT_SIZE_CAP;
    return true;
}

uint32_t hpet_counter32(void)
{
    /* A 32-bit read of the low half is atomic for 32- and 64-bit counters alike. */
    return *(volatile uint32_t *)((uintptr_t)hpet_regs + HPET_REG_MAIN_COUNTER);
}
