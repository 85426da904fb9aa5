/* The local APIC in xAPIC (MMIO) or x2APIC (MSR) mode behind one register interface: enable,
 * identify, EOI, and its timer calibrated together with the TSC (drivers/clocksource.c). */
#ifndef MICA_DRIVERS_LAPIC_H
#define MICA_DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* IA32_APIC_BASE (SDM vol. 3, 11.4.4 and 11.12.1) */
#define APIC_BASE_BSP       (1ull << 8)  /* BSP: this is the bootstrap processor */
#define APIC_BASE_EXTD      (1ull << 10) /* EXTD: x2APIC mode enabled (with EN) */
#define APIC_BASE_X2APIC    APIC_BASE_EXTD
#define APIC_BASE_ENABLE    (1ull << 11) /* EN: xAPIC global enable */
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull

/* Register offsets in the xAPIC MMIO page (SDM vol. 3, 11.4.1 table 11-1). In x2APIC mode the
 * same register is MSR LAPIC_X2APIC_MSR_BASE + (offset >> 4) (SDM vol. 3, 11.12.1.2). */
#define LAPIC_REG_ID            0x020
#define LAPIC_REG_VERSION       0x030
#define LAPIC_REG_EOI           0x0b0
#define LAPIC_REG_SVR           0x0f0
#define LAPIC_REG_LVT_TIMER     0x320
#define LAPIC_REG_TIMER_INITIAL 0x380
#define LAPIC_REG_TIMER_CURRENT 0x390
#define LAPIC_REG_TIMER_DIVIDE  0x3e0

#define LAPIC_X2APIC_MSR_BASE  0x800u
#define LAPIC_X2APIC_REG_SHIFT 4
#define LAPIC_XAPIC_ID_SHIFT   24 /* xAPIC ID register: the 8-bit ID in bits 31:24 */
#define LAPIC_VERSION_MASK     0xffu

#define LAPIC_SVR_ENABLE         (1u << 8)
#define LAPIC_LVT_MASKED         (1u << 16)
#define LAPIC_TIMER_PERIODIC     (1u << 17)
#define LAPIC_TIMER_DIVIDE_BY_16 0x3
#define LAPIC_SPURIOUS_VECTOR    0xff

enum lapic_mode { LAPIC_MODE_XAPIC, LAPIC_MODE_X2APIC };

struct lapic_info {
    uint64_t base; /* xAPIC MMIO base from IA32_APIC_BASE (kept in x2APIC mode too) */
    uint32_t id;   /* 8-bit xAPIC ID or 32-bit x2APIC ID */
    uint32_t version;
    bool bsp;
    enum lapic_mode mode;
    bool x2apic_by_firmware; /* EXTD was already set at boot: cannot go back to xAPIC */
    uint64_t timer_hz;       /* at divide-by-16 */
    uint64_t tsc_hz;
};

/* The MSR that holds an xAPIC register offset in x2APIC mode. Pure. */
static inline uint32_t lapic_x2apic_msr(uint32_t reg)
{
    return LAPIC_X2APIC_MSR_BASE + (reg >> LAPIC_X2APIC_REG_SHIFT);
}

/* Enables the local APIC, in x2APIC mode when the CPU has it (CPUID.1:ECX.x2APIC) and
 * allow_x2apic (x2apic=auto), else in xAPIC mode. Never clears IA32_APIC_BASE.EN (Bochs cannot
 * re-enable it), so x2APIC mode set by the firmware is kept (leaving it needs a disable: SDM vol.
 * 3, 11.12.5). Returns false when there is no local APIC (CPUID.1:EDX.APIC clear). */
bool lapic_init(struct lapic_info *info, bool allow_x2apic);
const char *lapic_mode_name(enum lapic_mode mode);
/* Register access by xAPIC offset, in either mode. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);
void lapic_eoi(void);
/* The APIC timer at divide-by-16, masked, counting down from its maximum; lapic_timer_stop()
 * returns how many ticks it counted and stops it. For calibrations. */
void lapic_timer_start_count(void);
uint32_t lapic_timer_stop(void);

#endif
