/* The local APIC (xAPIC MMIO mode): enable, identify, EOI, and its timer calibrated against the
 * PIT together with the TSC. */
#ifndef MICA_DRIVERS_LAPIC_H
#define MICA_DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_BASE_BSP     (1ull << 8)  /* IA32_APIC_BASE: this is the bootstrap processor */
#define APIC_BASE_X2APIC  (1ull << 10) /* x2APIC mode enabled */
#define APIC_BASE_ENABLE  (1ull << 11) /* xAPIC global enable */
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull

/* Register offsets (SDM vol. 3, 11.4.1 table 11-1). */
#define LAPIC_REG_ID       0x020
#define LAPIC_REG_VERSION  0x030
#define LAPIC_REG_EOI      0x0b0
#define LAPIC_REG_SVR      0x0f0
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_TIMER_INITIAL 0x380
#define LAPIC_REG_TIMER_CURRENT 0x390
#define LAPIC_REG_TIMER_DIVIDE  0x3e0

#define LAPIC_SVR_ENABLE    (1u << 8)
#define LAPIC_LVT_MASKED    (1u << 16)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_TIMER_DIVIDE_BY_16 0x3
#define LAPIC_SPURIOUS_VECTOR 0xff

struct lapic_info {
    uint64_t base;
    uint32_t id;
    uint32_t version;
    bool bsp;
    uint64_t timer_hz; /* at divide-by-16 */
    uint64_t tsc_hz;
};

/* Enables the local APIC (never clears IA32_APIC_BASE.EN: Bochs cannot re-enable it). */
bool lapic_init(struct lapic_info *info);
/* Measures the TSC and the APIC timer against a 10 ms PIT interval. */
bool lapic_calibrate(struct lapic_info *info);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);
void lapic_eoi(void);

#endif
