/* Hostile test guest: tries to send INIT, SIPI and NMI at the host's processors, through the
 * x2APIC MSRs (#GP expected) and last through the xAPIC ICR (the hypervisor must stop it). */
#include "tests/guests/lib/guest.h"

#define MSR_IA32_APIC_BASE  0x1bu
#define APIC_BASE_EXTD      (1ull << 10) /* x2APIC mode (SDM 11.12.1) */
#define MSR_X2APIC_ICR      0x830u       /* interrupt command register in x2APIC mode */
#define MSR_X2APIC_SELF_IPI 0x83fu
#define XAPIC_DEFAULT_BASE  0xfee00000u
#define XAPIC_ICR_LOW       0x300u
#define XAPIC_ICR_HIGH      0x310u
#define IOAPIC_DEFAULT_BASE 0xfec00000u

/* ICR fields (SDM 11.6.1): delivery mode, level assert, destination shorthand. */
#define ICR_DELIVERY_NMI       (4u << 8)
#define ICR_DELIVERY_INIT      (5u << 8)
#define ICR_DELIVERY_STARTUP   (6u << 8)
#define ICR_LEVEL_ASSERT       (1u << 14)
#define ICR_ALL_EXCLUDING_SELF (3u << 18)
#define ICR_ALL_INCLUDING_SELF (2u << 18)
#define SIPI_VECTOR_0x9000     0x09u /* start-up at 0x9000 */

#define CHECKS 6

struct msr_op {
    uint32_t msr;
    uint64_t value;
};

static void do_wrmsr(void *p)
{
    const struct msr_op *m = p;
    wrmsr(m->msr, m->value);
}

static void do_rdmsr(void *p)
{
    struct msr_op *m = p;
    m->value = rdmsr(m->msr);
}

static bool wrmsr_gp0(uint32_t msr, uint64_t value)
{
    struct msr_op m = {.msr = msr, .value = value};
    return catch_fault(do_wrmsr, &m) == VEC_GP + 1 && fault_error == 0;
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(CHECKS);
    struct msr_op base = {.msr = MSR_IA32_APIC_BASE};
    int f = catch_fault(do_rdmsr, &base);
    tap_ok(!f, "IA32_APIC_BASE reads 0x%x", (uint32_t)base.value);
    tap_ok(wrmsr_gp0(MSR_IA32_APIC_BASE, base.value | APIC_BASE_EXTD),
           "turning on x2APIC mode through IA32_APIC_BASE: #GP(0)");
    uint64_t all = (uint64_t)ICR_ALL_EXCLUDING_SELF | ICR_LEVEL_ASSERT;
    tap_ok(wrmsr_gp0(MSR_X2APIC_ICR, all | ICR_DELIVERY_INIT),
           "INIT to all other processors through the x2APIC ICR: #GP(0)");
    tap_ok(wrmsr_gp0(MSR_X2APIC_ICR, all | ICR_DELIVERY_STARTUP | SIPI_VECTOR_0x9000),
           "SIPI to all other processors through the x2APIC ICR: #GP(0)");
    tap_ok(wrmsr_gp0(MSR_X2APIC_ICR, (uint64_t)ICR_ALL_INCLUDING_SELF | ICR_DELIVERY_NMI),
           "NMI to all processors through the x2APIC ICR: #GP(0)");
    tap_ok(wrmsr_gp0(MSR_X2APIC_SELF_IPI, 2), "x2APIC SELF IPI: #GP(0)");

    /* The local APIC page is not guest RAM: EPT has no mapping, the write must stop the guest
     * before it reaches any APIC. */
    printf("hostile_ipi: writing INIT to all excluding self into the xAPIC ICR at 0x%08x\n",
           XAPIC_DEFAULT_BASE + XAPIC_ICR_LOW);
    volatile uint32_t *apic = (volatile uint32_t *)XAPIC_DEFAULT_BASE;
    apic[XAPIC_ICR_HIGH / 4] = 0;
    apic[XAPIC_ICR_LOW / 4] = ICR_ALL_EXCLUDING_SELF | ICR_LEVEL_ASSERT | ICR_DELIVERY_INIT;
    printf("still running after the xAPIC ICR write\n");
    volatile uint32_t *ioapic = (volatile uint32_t *)IOAPIC_DEFAULT_BASE;
    ioapic[0] = 0x10;
    printf("still running after the I/O APIC write\n");
    guest_exit(MICA_GUEST_FAIL);
}
