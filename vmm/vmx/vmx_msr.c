/* RDMSR/WRMSR: the MSR bitmap lets through only MSRs that VMX switches itself; the rest exit and
 * are emulated here (EFER, PAT, DEBUGCTL in the VMCS; a few read-only answers) or get #GP. */
#include "kernel/cpu.h"
#include "vmm/vlog.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_defs.h"

#define EXC_GP_VECTOR 13

/* MSR bitmap layout (SDM 25.6.9, MSR_BITMAP_* in vmx_defs.h): a set bit makes the access exit. */
#define MSR_LOW_LAST          0x1fffu
#define MSR_HIGH_FIRST        0xc0000000u
#define MSR_BITMAP_BYTES      4096

#define MSR_IA32_PLATFORM_ID   0x17u
#define MSR_IA32_BIOS_SIGN_ID  0x8bu
#define MSR_IA32_MTRRCAP       0xfeu
#define MSR_IA32_MCG_CAP       0x179u
#define MSR_IA32_MCG_STATUS    0x17au
#define MSR_IA32_MISC_ENABLE   0x1a0u
#define MSR_IA32_TSC           0x10u
#define MSR_IA32_STAR          0xc0000081u
#define MSR_IA32_LSTAR         0xc0000082u
#define MSR_IA32_CSTAR         0xc0000083u
#define MSR_IA32_FMASK         0xc0000084u

#define EFER_GUEST_WRITABLE      (EFER_SCE | EFER_LME | EFER_NXE)
#define MISC_ENABLE_FAST_STRINGS 1ull
/* What the guest reads: local APIC at the default base, enabled, bootstrap processor. */
#define GUEST_APIC_BASE          0xfee00900ull
/* Locked with VMX off: consistent with CPUID hiding VMX (SDM 24.7). */
#define GUEST_FEATURE_CONTROL    IA32_FEATURE_CONTROL_LOCK

static void msr_intercept(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
    unsigned read_base, write_base;
    if (msr <= MSR_LOW_LAST) {
        read_base = MSR_BITMAP_READ_LOW;
        write_base = MSR_BITMAP_WRITE_LOW;
    } else {
        read_base = MSR_BITMAP_READ_HIGH;
        write_base = MSR_BITMAP_WRITE_HIGH;
        msr -= MSR_HIGH_FIRST;
    }
    uint8_t bit = (uint8_t)(1u << (msr % 8));
    if (read)
        bitmap[read_base + msr / 8] |= bit;
    else
        bitmap[read_base + msr / 8] &= (uint8_t)~bit;
    if (write)
        bitmap[write_base + msr / 8] |= bit;
    else
        bitmap[write_base + msr / 8] &= (uint8_t)~bit;
}

void vmx_msr_bitmap_init(uint8_t *bitmap)
{
    for (unsigned i = 0; i < MSR_BITMAP_BYTES; i++)
        bitmap[i] = 0xff;
    /* Guest state VM entry loads and VM exit saves (SDM 27.3.2.1, 28.3.2)... */
    msr_intercept(bitmap, MSR_IA32_FS_BASE, false, false);
    msr_intercept(bitmap, MSR_IA32_GS_BASE, false, false);
    msr_intercept(bitmap, MSR_IA32_SYSENTER_CS, false, false);
    msr_intercept(bitmap, MSR_IA32_SYSENTER_ESP, false, false);
    msr_intercept(bitmap, MSR_IA32_SYSENTER_EIP, false, false);
    /* ...the MSRs in the VM-entry/exit MSR areas (vmx_vcpu.c)... */
    msr_intercept(bitmap, MSR_IA32_STAR, false, false);
    msr_intercept(bitmap, MSR_IA32_LSTAR, false, false);
    msr_intercept(bitmap, MSR_IA32_CSTAR, false, false);
    msr_intercept(bitmap, MSR_IA32_FMASK, false, false);
    msr_intercept(bitmap, MSR_IA32_KERNEL_GS_BASE, false, false);
    /* ...and reading the time-stamp counter. */
    msr_intercept(bitmap, MSR_IA32_TSC, false, true);
}

static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        uint8_t type = (uint8_t)(pat >> (8 * i));
        if (type == 2 || type == 3 || type > 7) /* reserved memory types (SDM 13.12.2) */
            return false;
    }
    return true;
}

static bool read_msr(uint32_t msr, uint64_t *value)
{
    switch (msr) {
    case MSR_IA32_EFER:
        *value = vmcs_read(GUEST_IA32_EFER);
        return true;
    case MSR_IA32_PAT:
        *value = vmcs_read(GUEST_IA32_PAT);
        return true;
    case MSR_IA32_DEBUGCTL:
        *value = vmcs_read(GUEST_IA32_DEBUGCTL);
        return true;
    case MSR_IA32_FEATURE_CONTROL:
        *value = GUEST_FEATURE_CONTROL;
        return true;
    case MSR_IA32_APIC_BASE:
        *value = GUEST_APIC_BASE;
        return true;
    case MSR_IA32_MISC_ENABLE:
        *value = MISC_ENABLE_FAST_STRINGS;
        return true;
    case MSR_IA32_PLATFORM_ID:
    case MSR_IA32_BIOS_SIGN_ID:
    case MSR_IA32_MTRRCAP:
    case MSR_IA32_MCG_CAP:
    case MSR_IA32_MCG_STATUS:
        *value = 0;
        return true;
    }
    return false;
}

static bool write_msr(uint32_t msr, uint64_t value)
{
    switch (msr) {
    case MSR_IA32_EFER: {
        uint64_t old = vmcs_read(GUEST_IA32_EFER);
        if (value & ~(EFER_GUEST_WRITABLE | EFER_LMA))
            return false;
        /* LME may not change while paging is on (SDM vol. 3, 10.8.5); LMA is the CPU's. */
        if (((value ^ old) & EFER_LME) && (vmcs_read(CR0_READ_SHADOW) & CR0_PG))
            return false;
        vmcs_write(GUEST_IA32_EFER, (value & ~EFER_LMA) | (old & EFER_LMA));
        return true;
    }
    case MSR_IA32_PAT:
        if (!pat_valid(value))
            return false;
        vmcs_write(GUEST_IA32_PAT, value);
        return true;
    case MSR_IA32_DEBUGCTL:
        /* Branch tracing would trace the hypervisor too: only 0 is accepted. */
        return value == 0;
    case MSR_IA32_APIC_BASE:
        return value == GUEST_APIC_BASE;
    case MSR_IA32_MISC_ENABLE:
        return value == MISC_ENABLE_FAST_STRINGS;
    case MSR_IA32_MCG_STATUS:
        return value == 0;
    }
    return false; /* FEATURE_CONTROL (locked), VMX capability MSRs, unknown MSRs */
}

void vmx_handle_rdmsr(struct vcpu *vcpu)
{
    uint32_t msr = (uint32_t)vcpu->regs.rcx;
    uint64_t value;
    if (!read_msr(msr, &value)) {
        vlog("mica: guest RDMSR of MSR 0x%x: not emulated, #GP injected\n", msr);
        vmx_inject_exception(EXC_GP_VECTOR, true, 0);
        return;
    }
    vcpu->regs.rax = value & 0xffffffffu;
    vcpu->regs.rdx = value >> 32;
    vmx_skip_instruction();
}

void vmx_handle_wrmsr(struct vcpu *vcpu)
{
    uint32_t msr = (uint32_t)vcpu->regs.rcx;
    uint64_t value = ((vcpu->regs.rdx & 0xffffffffu) << 32) | (vcpu->regs.rax & 0xffffffffu);
    if (!write_msr(msr, value)) {
        vlog("mica: guest WRMSR of %lx to MSR 0x%x refused, #GP injected\n", value, msr);
        vmx_inject_exception(EXC_GP_VECTOR, true, 0);
        return;
    }
    vmx_skip_instruction();
}
