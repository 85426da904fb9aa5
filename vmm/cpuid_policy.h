/* What the guest sees from CPUID: the host's answer with VMX, SMX and the APICs hidden, the
 * hypervisor bit set, OSXSAVE following the guest's CR4, and mica's own leaves at 0x40000000.
 * Pure logic (unit-tested). */
#ifndef MICA_VMM_CPUID_POLICY_H
#define MICA_VMM_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};

#define CPUID_1_ECX_VMX        (1u << 5)
#define CPUID_1_ECX_SMX        (1u << 6)
#define CPUID_1_ECX_X2APIC     (1u << 21)
#define CPUID_1_ECX_XSAVE      (1u << 26)
#define CPUID_1_ECX_OSXSAVE    (1u << 27) /* reflects CR4.OSXSAVE (SDM vol. 2A, CPUID) */
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC       (1u << 9)

/* Adjusts `host` (what CPUID returned on the host for leaf/subleaf) into the guest's answer.
 * guest_osxsave is the guest's CR4.OSXSAVE: CPUID.1:ECX.OSXSAVE reports the CR4 of whoever
 * executes CPUID, and the host's CR4 is not the guest's. */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, bool guest_osxsave,
                        struct cpuid_result *host);

#endif
