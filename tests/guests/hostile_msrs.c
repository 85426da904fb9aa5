/* Hostile test guest: writes to MSRs that must stay the hypervisor's are refused with #GP, the MSRs
 * VMX switches are the guest's own, VMX capability and unknown MSRs fault. Prints TAP. */
#include "tests/guests/lib/guest.h"

#define CHECKS 45

#define MSR_IA32_TSC             0x10u
#define MSR_IA32_FEATURE_CONTROL 0x3au
#define MSR_IA32_SYSENTER_CS     0x174u
#define MSR_IA32_SYSENTER_ESP    0x175u
#define MSR_IA32_SYSENTER_EIP    0x176u
#define MSR_IA32_MCG_STATUS      0x17au
#define MSR_IA32_MISC_ENABLE     0x1a0u
#define MSR_IA32_DEBUGCTL        0x1d9u
#define MSR_IA32_PAT             0x277u
#define MSR_IA32_VMX_BASIC       0x480u
#define MSR_IA32_VMX_LAST        0x491u /* IA32_VMX_VMFUNC */
#define MSR_IA32_STAR            0xc0000081u
#define MSR_IA32_LSTAR           0xc0000082u
#define MSR_IA32_CSTAR           0xc0000083u
#define MSR_IA32_FMASK           0xc0000084u
#define MSR_IA32_FS_BASE         0xc0000100u
#define MSR_IA32_GS_BASE         0xc0000101u
#define MSR_IA32_KERNEL_GS_BASE  0xc0000102u

#define FEATURE_CONTROL_LOCK 1ull
#define GUEST_APIC_BASE      0xfee00900ull /* what mica's guest reads (docs/abi.md) */
#define PAT_POWER_ON         0x0007040600070406ull
#define EFER_SCE             (1ull << 0)
#define EFER_NXE             (1ull << 11)

struct msr_op {
    uint32_t msr;
    uint64_t value;
};

static void do_rdmsr(void *p)
{
    struct msr_op *m = p;
    m->value = rdmsr(m->msr);
}

static void do_wrmsr(void *p)
{
    const struct msr_op *m = p;
    wrmsr(m->msr, m->value);
}

/* The vector + 1 of the fault RDMSR raised (0: none); the value read in *value. */
static int try_rdmsr(uint32_t msr, uint64_t *value)
{
    struct msr_op m = {.msr = msr, .value = 0};
    int f = catch_fault(do_rdmsr, &m);
    if (value)
        *value = m.value;
    return f;
}

static int try_wrmsr(uint32_t msr, uint64_t value)
{
    struct msr_op m = {.msr = msr, .value = value};
    return catch_fault(do_wrmsr, &m);
}

static bool is_gp0(int f)
{
    return f == VEC_GP + 1 && fault_error == 0;
}

#define HI(v) ((uint32_t)((v) >> 32))
#define LO(v) ((uint32_t)(v))

/* WRMSR of value must raise #GP(0) and leave the MSR reading what it read before. */
static void check_write_refused(uint32_t msr, const char *name, uint64_t value)
{
    uint64_t before = 0, after = 0;
    int fb = try_rdmsr(msr, &before);
    int fw = try_wrmsr(msr, value);
    int fa = try_rdmsr(msr, &after);
    tap_ok(!fb && is_gp0(fw) && !fa && after == before,
           "WRMSR %s (0x%x) <- 0x%08x%08x raises #GP(0), value stays 0x%08x%08x "
           "(vector %d, read back 0x%08x%08x)",
           name, msr, HI(value), LO(value), HI(before), LO(before), fw - 1, HI(after), LO(after));
}

/* WRMSR of value must succeed and read back, before and after a VM exit (a VMCALL). */
static void check_guest_owned(uint32_t msr, const char *name, uint64_t value)
{
    uint64_t now = 0, later = 0;
    int fw = try_wrmsr(msr, value);
    int fr = try_rdmsr(msr, &now);
    uint32_t pong = 0;
    uint32_t st = vmcall(MICA_HC_PING, 1, 0, 0, 0, &pong);
    int fl = try_rdmsr(msr, &later);
    tap_ok(!fw && !fr && !fl && now == value && later == value && st == MICA_HC_OK && pong == 2,
           "WRMSR %s (0x%x) <- 0x%08x%08x is the guest's: reads it back, also after a VM exit "
           "(vectors %d %d %d, read 0x%08x%08x then 0x%08x%08x)",
           name, msr, HI(value), LO(value), fw - 1, fr - 1, fl - 1, HI(now), LO(now), HI(later),
           LO(later));
}

static void check_emulated(void)
{
    uint64_t v;
    int f = try_rdmsr(MSR_IA32_FEATURE_CONTROL, &v);
    tap_ok(!f && v == FEATURE_CONTROL_LOCK,
           "RDMSR IA32_FEATURE_CONTROL reads locked with VMX off (vector %d, 0x%08x%08x)", f - 1,
           HI(v), LO(v));
    check_write_refused(MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", 0);
    check_write_refused(MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", 0x5);

    f = try_rdmsr(MSR_IA32_APIC_BASE, &v);
    tap_ok(!f && v == GUEST_APIC_BASE,
           "RDMSR IA32_APIC_BASE reads 0xfee00900 (vector %d, 0x%08x%08x)", f - 1, HI(v), LO(v));
    f = try_wrmsr(MSR_IA32_APIC_BASE, GUEST_APIC_BASE);
    tap_ok(!f, "WRMSR IA32_APIC_BASE <- its own value 0xfee00900 is accepted (vector %d)", f - 1);
    check_write_refused(MSR_IA32_APIC_BASE, "IA32_APIC_BASE", 0xfed00900ull);  /* moved */
    check_write_refused(MSR_IA32_APIC_BASE, "IA32_APIC_BASE", 0xfee00100ull);  /* disabled */
    check_write_refused(MSR_IA32_APIC_BASE, "IA32_APIC_BASE", 0xfee00d00ull);  /* x2APIC */
    check_write_refused(MSR_IA32_APIC_BASE, "IA32_APIC_BASE", 0x1fee00900ull); /* above 4G */

    f = try_wrmsr(MSR_IA32_DEBUGCTL, 0);
    tap_ok(!f, "WRMSR IA32_DEBUGCTL <- 0 is accepted (vector %d)", f - 1);
    check_write_refused(MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", 1);       /* LBR */
    check_write_refused(MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", 1u << 1); /* BTF */
    check_write_refused(MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", 0xc0);    /* TR | BTS */

    check_write_refused(MSR_IA32_PAT, "IA32_PAT", 0x0007040600070402ull); /* type 2 */
    check_write_refused(MSR_IA32_PAT, "IA32_PAT", 0x0307040600070406ull); /* type 3, PA7 */
    check_write_refused(MSR_IA32_PAT, "IA32_PAT", 0x0007040600070408ull); /* type 8 */
    check_write_refused(MSR_IA32_PAT, "IA32_PAT", 0x8007040600070406ull); /* reserved bit 63 */
    const uint64_t pat = 0x0001050400010504ull; /* WC, WT, WP, UC-: all valid */
    uint64_t before = 0;
    try_rdmsr(MSR_IA32_PAT, &before);
    f = try_wrmsr(MSR_IA32_PAT, pat);
    int fr = try_rdmsr(MSR_IA32_PAT, &v);
    try_wrmsr(MSR_IA32_PAT, before);
    tap_ok(!f && !fr && v == pat,
           "WRMSR IA32_PAT <- a valid value reads back (vectors %d %d, 0x%08x%08x)", f - 1, fr - 1,
           HI(v), LO(v));

    check_write_refused(MSR_IA32_EFER, "IA32_EFER", 1ull << 1);  /* reserved */
    check_write_refused(MSR_IA32_EFER, "IA32_EFER", 1ull << 9);  /* reserved */
    check_write_refused(MSR_IA32_EFER, "IA32_EFER", 1ull << 12); /* SVME: AMD's */
    check_write_refused(MSR_IA32_EFER, "IA32_EFER", 1ull << 63); /* reserved */
    try_rdmsr(MSR_IA32_EFER, &before);
    f = try_wrmsr(MSR_IA32_EFER, before | EFER_SCE | EFER_NXE);
    fr = try_rdmsr(MSR_IA32_EFER, &v);
    try_wrmsr(MSR_IA32_EFER, before);
    tap_ok(!f && !fr && v == (before | EFER_SCE | EFER_NXE),
           "WRMSR IA32_EFER <- SCE | NXE is accepted and reads back (vectors %d %d, 0x%08x%08x)",
           f - 1, fr - 1, HI(v), LO(v));

    check_write_refused(MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", 0);
    check_write_refused(MSR_IA32_MCG_STATUS, "IA32_MCG_STATUS", 1);
    f = try_rdmsr(MSR_IA32_TSC, &v);
    int fw = try_wrmsr(MSR_IA32_TSC, 0);
    tap_ok(!f && is_gp0(fw),
           "IA32_TSC reads (passed through) but a write raises #GP(0) (vectors "
           "%d %d)",
           f - 1, fw - 1);
}

/* The MSRs VMX switches through the VM-entry/exit MSR areas start at 0 for the guest: none of the
 * hypervisor's own values show. */
static void check_switched(void)
{
    static const struct {
        uint32_t msr;
        const char *name;
    } zero_at_start[] = {
        {MSR_IA32_STAR, "IA32_STAR"},
        {MSR_IA32_LSTAR, "IA32_LSTAR"},
        {MSR_IA32_CSTAR, "IA32_CSTAR"},
        {MSR_IA32_FMASK, "IA32_FMASK"},
        {MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE"},
    };
    for (unsigned i = 0; i < sizeof(zero_at_start) / sizeof(zero_at_start[0]); i++) {
        uint64_t v = ~0ull;
        int f = try_rdmsr(zero_at_start[i].msr, &v);
        tap_ok(!f && v == 0,
               "RDMSR %s reads 0 at start, not the hypervisor's value (vector %d, "
               "0x%08x%08x)",
               zero_at_start[i].name, f - 1, HI(v), LO(v));
    }
    check_guest_owned(MSR_IA32_SYSENTER_CS, "IA32_SYSENTER_CS", 0x1b);
    check_guest_owned(MSR_IA32_SYSENTER_ESP, "IA32_SYSENTER_ESP", 0x00c0ffeeull);
    check_guest_owned(MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_EIP", 0x12345678ull);
    check_guest_owned(MSR_IA32_STAR, "IA32_STAR", 0x0023001012345678ull);
    check_guest_owned(MSR_IA32_LSTAR, "IA32_LSTAR", 0xffff800012345000ull);
    check_guest_owned(MSR_IA32_CSTAR, "IA32_CSTAR", 0x00007fffdeadb000ull);
    check_guest_owned(MSR_IA32_FMASK, "IA32_FMASK", 0x00047700ull);
    check_guest_owned(MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", 0xffffffff80001000ull);
    check_guest_owned(MSR_IA32_FS_BASE, "IA32_FS_BASE", 0x12340000ull);
    check_guest_owned(MSR_IA32_GS_BASE, "IA32_GS_BASE", 0xfffff000ull);
    /* Give FS and GS their flat bases back. */
    __asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0x10u));
    /* A non-canonical LSTAR faults in the CPU itself (the MSR is not intercepted). */
    int f = try_wrmsr(MSR_IA32_LSTAR, 0x0000800000000000ull);
    uint64_t v = 0;
    try_rdmsr(MSR_IA32_LSTAR, &v);
    tap_ok(is_gp0(f) && v == 0xffff800012345000ull,
           "WRMSR IA32_LSTAR <- non-canonical 0x0000800000000000 raises #GP(0), keeps the old "
           "value (vector %d, 0x%08x%08x)",
           f - 1, HI(v), LO(v));
}

static void check_vmx_capabilities(void)
{
    unsigned faulted = 0, total = 0;
    for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_LAST; msr++, total++) {
        uint64_t v = 0;
        int f = try_rdmsr(msr, &v);
        if (is_gp0(f))
            faulted++;
        else
            tap_diag("RDMSR 0x%x: vector %d, value 0x%08x%08x", msr, f - 1, HI(v), LO(v));
    }
    tap_ok(faulted == total,
           "RDMSR of each VMX capability MSR 0x480-0x491 raises #GP(0) (%u of %u)", faulted, total);
    int f = try_wrmsr(MSR_IA32_VMX_BASIC, 0);
    tap_ok(is_gp0(f), "WRMSR IA32_VMX_BASIC raises #GP(0) (vector %d)", f - 1);
}

/* Not emulated and not passed through: #GP(0) for both RDMSR and WRMSR. */
static bool known(uint32_t msr)
{
    static const uint32_t list[] = {
        MSR_IA32_TSC,
        0x17,
        MSR_IA32_APIC_BASE,
        MSR_IA32_FEATURE_CONTROL,
        0x8b,
        0xfe,
        MSR_IA32_SYSENTER_CS,
        MSR_IA32_SYSENTER_ESP,
        MSR_IA32_SYSENTER_EIP,
        0x179,
        MSR_IA32_MCG_STATUS,
        MSR_IA32_MISC_ENABLE,
        MSR_IA32_DEBUGCTL,
        MSR_IA32_PAT,
        MSR_IA32_EFER,
        MSR_IA32_STAR,
        MSR_IA32_LSTAR,
        MSR_IA32_CSTAR,
        MSR_IA32_FMASK,
        MSR_IA32_FS_BASE,
        MSR_IA32_GS_BASE,
        MSR_IA32_KERNEL_GS_BASE,
    };
    for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++)
        if (list[i] == msr)
            return true;
    return false;
}

static void check_unknown(void)
{
    static const uint32_t fixed[] = {
        0x0,
        0x2ff /* MTRR_DEF_TYPE */,
        0x6a2 /* S_CET */,
        0x40000000 /* Hyper-V */,
        0x4b564d00 /* KVM */,
        0xc0010000 /* AMD */,
        0xc0000103 /* TSC_AUX */,
        0xdeadbeef,
        0xffffffff,
    };
    uint32_t x = 0x2545f491u; /* xorshift32: a fixed handful of "random" numbers */
    unsigned rd = 0, wr = 0, total = 0;
    for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 8; i++) {
        uint32_t msr;
        if (i < sizeof(fixed) / sizeof(fixed[0])) {
            msr = fixed[i];
        } else {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            msr = (i & 1) ? x : x & 0x1fff; /* the low range the MSR bitmap covers, or anything */
            if (known(msr))
                continue;
        }
        total++;
        uint64_t v = 0;
        int fr = try_rdmsr(msr, &v);
        int fw = try_wrmsr(msr, 0x5a5a5a5a5a5a5a5aull);
        rd += is_gp0(fr);
        wr += is_gp0(fw);
        if (!is_gp0(fr) || !is_gp0(fw))
            tap_diag("MSR 0x%x: RDMSR vector %d (0x%08x%08x), WRMSR vector %d", msr, fr - 1, HI(v),
                     LO(v), fw - 1);
    }
    tap_ok(rd == total && wr == total,
           "RDMSR and WRMSR of %u unknown MSRs raise #GP(0) (%u reads, %u writes)", total, rd, wr);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("hostile_msrs: writing MSRs that are the hypervisor's, and the ones that are mine\n");
    tap_plan(CHECKS);
    check_emulated();
    check_switched();
    check_vmx_capabilities();
    check_unknown();
    tap_done();
}
