/* VMX bring-up on this CPU: detection, IA32_FEATURE_CONTROL, the capability MSRs and the control
 * values computed from them, CR0/CR4 fixed bits, and VMXON (SDM vol. 3, 24.6-24.8 and appendix A). */
#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/string.h"
#include "kernel/trap.h"
#include "vmm/cpuid_policy.h"
#include "vmm/vmm.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_controls.h"
#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmx_names.h"

struct vmx_caps vmx_caps;
static uint64_t vmxon_region_hpa;

/* What mica needs (a missing one is named to the user) and what it uses when present. */
#define PIN_REQUIRED   (PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING)
/* The preemption timer makes the host's timer deadlines exit the guest whatever the guest's
 * RFLAGS.IF (Bochs 2.7 does not take an external-interrupt exit while guest IF = 0). */
#define PIN_OPTIONAL   (PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER)
#define PROC_REQUIRED                                                                              \
    (PROC_BASED_HLT_EXITING | PROC_BASED_USE_IO_BITMAPS | PROC_BASED_USE_MSR_BITMAPS |             \
     PROC_BASED_ACTIVATE_SECONDARY_CONTROLS)
#define PROC2_REQUIRED (PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
#define PROC2_OPTIONAL (PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |            \
                        PROC2_ENABLE_XSAVES_XRSTORS)
#define EXIT_REQUIRED                                                                              \
    (VM_EXIT_HOST_ADDRESS_SPACE_SIZE | VM_EXIT_ACK_INTERRUPT_ON_EXIT | VM_EXIT_SAVE_IA32_EFER |    \
     VM_EXIT_LOAD_IA32_EFER)
#define EXIT_OPTIONAL  (VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT)
#define ENTRY_REQUIRED (VM_ENTRY_LOAD_IA32_EFER)
#define ENTRY_OPTIONAL (VM_ENTRY_LOAD_IA32_PAT)

bool vendor_probe(char *why, size_t why_len)
{
    if (!boot.cpu.vmx) {
        const char *hint = boot.cpu.svm ? " (this is an AMD CPU with SVM, which mica does not support)"
                                        : "";
        ksnprintf(why, why_len, "VMX is not available: the CPU (%s, %s) does not report Intel "
                  "VT-x (CPUID.1:ECX.VMX = 0)%s",
                  boot.cpu.vendor, boot.cpu.brand[0] ? boot.cpu.brand : "no brand string", hint);
        return false;
    }
    uint64_t fc = 0;
    if (!rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc)) {
        ksnprintf(why, why_len, "IA32_FEATURE_CONTROL cannot be read: cannot tell whether VMX is "
                  "enabled");
        return false;
    }
    if ((fc & IA32_FEATURE_CONTROL_LOCK) && !(fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        ksnprintf(why, why_len, "VMX is disabled by the firmware: enable Intel VT-x in the setup "
                  "(IA32_FEATURE_CONTROL = %lx is locked with VMX off)", fc);
        return false;
    }
    if (!(fc & IA32_FEATURE_CONTROL_LOCK)) {
        /* Unlocked (firmware left it open): enable VMX outside SMX and lock, SDM 24.7. */
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | IA32_FEATURE_CONTROL_LOCK | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        log_info("vmx: IA32_FEATURE_CONTROL was unlocked; locked with VMX outside SMX on\n");
    }

    struct vmx_caps *c = &vmx_caps;
    c->basic = rdmsr(MSR_IA32_VMX_BASIC);
    const char *problem = vmx_basic_problem(c->basic);
    if (problem) {
        ksnprintf(why, why_len, "IA32_VMX_BASIC = %lx: %s", c->basic, problem);
        return false;
    }
    c->revision_id = vmx_basic_revision_id(c->basic);

    static const struct {
        enum vmx_control_kind kind;
        uint32_t required, optional;
        uint32_t *out;
    } wanted[] = {
        {VMX_CONTROLS_PIN_BASED, PIN_REQUIRED, PIN_OPTIONAL, &vmx_caps.pin},
        {VMX_CONTROLS_PROC_BASED, PROC_REQUIRED, 0, &vmx_caps.proc},
        {VMX_CONTROLS_PROC_BASED2, PROC2_REQUIRED, PROC2_OPTIONAL, &vmx_caps.proc2},
        {VMX_CONTROLS_EXIT, EXIT_REQUIRED, EXIT_OPTIONAL, &vmx_caps.exit},
        {VMX_CONTROLS_ENTRY, ENTRY_REQUIRED, ENTRY_OPTIONAL, &vmx_caps.entry},
    };
    for (unsigned i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        uint64_t cap = rdmsr(vmx_control_cap_msr(c->basic, wanted[i].kind));
        uint32_t missing;
        uint32_t optional = wanted[i].optional | vmx_control_reserved_default1(wanted[i].kind);
        if (!vmx_control_value(cap, wanted[i].required, optional, wanted[i].out, &missing)) {
            ksnprintf(why, why_len, "this CPU's VMX lacks the %s control \"%s\" that mica requires "
                      "(capability MSR %lx)",
                      vmx_control_kind_name(wanted[i].kind),
                      vmx_missing_control_name(wanted[i].kind, missing), cap);
            return false;
        }
    }
    c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    c->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    if (!(c->ept_vpid_cap & VMX_EPT_PAGE_WALK_4) || !(c->ept_vpid_cap & VMX_EPT_MEMORY_TYPE_WB)) {
        ksnprintf(why, why_len, "EPT without 4-level walks or write-back tables "
                  "(IA32_VMX_EPT_VPID_CAP = %lx)", c->ept_vpid_cap);
        return false;
    }
    c->vpid = c->proc2 & PROC2_ENABLE_VPID;
    c->preemption_timer = c->pin & PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER;
    c->preemption_timer_rate =
        (unsigned)(rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
    c->guest_phys_bits = boot.cpu.phys_addr_bits;
    return true;
}

bool vendor_enable(char *why, size_t why_len)
{
    struct vmx_caps *c = &vmx_caps;
    /* CR0 and CR4 must satisfy the fixed bits in VMX operation (SDM 24.8, appendix A.7/A.8). */
    uint64_t cr0 = vmx_cr_apply_fixed(read_cr0(), c->cr0_fixed0, c->cr0_fixed1, 0);
    uint64_t cr4 = read_cr4() | CR4_VMXE;
    /* CR4.OSXSAVE on from the start when the CPU has XSAVE, so the guest's XSETBV can be executed
     * on its behalf (handle_xsetbv) without changing CR4 and HOST_CR4 while the guest runs (the
     * protection-table checksum covers the VMCS host state). */
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
        cr4 |= CR4_OSXSAVE;
    cr4 = vmx_cr_apply_fixed(cr4, c->cr4_fixed0, c->cr4_fixed1, 0);
    write_cr0(cr0);
    write_cr4(cr4);

    if (!pmm_alloc_page(&boot.pmm, &vmxon_region_hpa)) {
        ksnprintf(why, why_len, "out of memory for the VMXON region");
        return false;
    }
    memset((void *)vmxon_region_hpa, 0, PAGE_SIZE);
    *(uint32_t *)vmxon_region_hpa = c->revision_id;
    uint8_t failed;
    __asm__ volatile("vmxon %[region]\n\tsetna %[failed]"
                     : [failed] "=qm"(failed)
                     : [region] "m"(vmxon_region_hpa)
                     : "cc", "memory");
    if (failed) {
        ksnprintf(why, why_len, "VMXON failed (another hypervisor active, or bad CR0/CR4 "
                  "%lx/%lx)", cr0, cr4);
        return false;
    }
    kprintf("mica: vmx: on (VMCS revision %u, EPT, unrestricted guest%s%s); controls pin %x, "
            "proc %x, proc2 %x, exit %x, entry %x\n",
            c->revision_id, c->vpid ? ", VPID" : "",
            c->preemption_timer ? ", preemption timer" : "", c->pin, c->proc, c->proc2, c->exit,
            c->entry);
    return true;
}

const char *vendor_exit_reason_name(unsigned reason)
{
    return vmx_exit_reason_name(reason);
}
