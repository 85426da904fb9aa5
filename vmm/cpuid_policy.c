/* CPUID policy: hide what mica does not virtualize (VMX, SMX, local APIC and x2APIC: there is no
 * virtual APIC yet), report the guest's own OSXSAVE, announce the hypervisor, and answer the
 * hypervisor leaf range itself. */
#include "vmm/cpuid_policy.h"

#include "include/mica/abi.h"

#define CPUID_HYPERVISOR_RANGE_LAST  0x4fffffffu

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, bool guest_osxsave, struct cpuid_result *r)
{
    (void)subleaf;
    if (leaf == 1) {
        r->ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_X2APIC | CPUID_1_ECX_OSXSAVE);
        r->ecx |= CPUID_1_ECX_HYPERVISOR;
        if (guest_osxsave && (r->ecx & CPUID_1_ECX_XSAVE))
            r->ecx |= CPUID_1_ECX_OSXSAVE;
        r->edx &= ~CPUID_1_EDX_APIC;
        return;
    }
    if (leaf == MICA_CPUID_BASE_LEAF) {
        *r = (struct cpuid_result){.eax = MICA_CPUID_MAX_LEAF,
                                   .ebx = MICA_CPUID_SIGNATURE_EBX,
                                   .ecx = MICA_CPUID_SIGNATURE_ECX,
                                   .edx = MICA_CPUID_SIGNATURE_EDX};
        return;
    }
    if (leaf > MICA_CPUID_MAX_LEAF && leaf <= CPUID_HYPERVISOR_RANGE_LAST)
        *r = (struct cpuid_result){0};
}
