/* VMX capability arithmetic: control values from capability MSRs, IA32_VMX_BASIC fields, CR0/CR4
 * fixed bits, and the table of control names used to report a missing control. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmx_controls.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

bool vmx_control_value(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *value_out,
                       uint32_t *missing_out)
{
    uint32_t allowed0 = (uint32_t)cap_msr;         /* 1: must be 1 */
    uint32_t allowed1 = (uint32_t)(cap_msr >> 32); /* 0: must be 0 */
    uint32_t missing = (required & ~allowed1) | (allowed0 & ~allowed1);

    if (value_out != NULL)
        *value_out = (allowed0 | required | optional) & allowed1;
    if (missing_out != NULL)
        *missing_out = missing;
    return missing == 0;
}

uint32_t vmx_control_reserved_default1(enum vmx_control_kind kind)
{
    switch (kind) {
    case VMX_CONTROLS_PIN_BASED:
        return PIN_BASED_DEFAULT1;
    case VMX_CONTROLS_PROC_BASED:
        return PROC_BASED_DEFAULT1 & ~(PROC_BASED_CR3_LOAD_EXITING | PROC_BASED_CR3_STORE_EXITING);
    case VMX_CONTROLS_EXIT:
        return VM_EXIT_DEFAULT1 & ~VM_EXIT_SAVE_DEBUG_CONTROLS;
    case VMX_CONTROLS_ENTRY:
        return VM_ENTRY_DEFAULT1 & ~VM_ENTRY_LOAD_DEBUG_CONTROLS;
    case VMX_CONTROLS_PROC_BASED2: /* no default1 class (appendix A.3.3) */
    default:
        return 0;
    }
}

uint32_t vmx_control_cap_msr(uint64_t vmx_basic, enum vmx_control_kind kind)
{
    bool true_msrs = vmx_basic_has_true_controls(vmx_basic);

    switch (kind) {
    case VMX_CONTROLS_PIN_BASED:
        return true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS;
    case VMX_CONTROLS_PROC_BASED:
        return true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS;
    case VMX_CONTROLS_PROC_BASED2:
        return MSR_IA32_VMX_PROCBASED_CTLS2;
    case VMX_CONTROLS_EXIT:
        return true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS;
    case VMX_CONTROLS_ENTRY:
        return true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS;
    default:
        return 0;
    }
}

const char *vmx_control_kind_name(enum vmx_control_kind kind)
{
    switch (kind) {
    case VMX_CONTROLS_PIN_BASED:
        return "pin-based";
    case VMX_CONTROLS_PROC_BASED:
        return "primary processor-based";
    case VMX_CONTROLS_PROC_BASED2:
        return "secondary processor-based";
    case VMX_CONTROLS_EXIT:
        return "VM-exit";
    case VMX_CONTROLS_ENTRY:
        return "VM-entry";
    default:
        return "unknown";
    }
}

/* SDM names (§25.6-§25.8) of the controls mica requires or may enable. */
struct control_name {
    enum vmx_control_kind kind;
    uint32_t bit;
    const char *name;
};

static const struct control_name control_names[] = {
    {VMX_CONTROLS_PIN_BASED, PIN_BASED_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting"},
    {VMX_CONTROLS_PIN_BASED, PIN_BASED_NMI_EXITING, "NMI exiting"},
    {VMX_CONTROLS_PIN_BASED, PIN_BASED_VIRTUAL_NMIS, "virtual NMIs"},
    {VMX_CONTROLS_PIN_BASED, PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER,
     "activate VMX-preemption timer"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_INTERRUPT_WINDOW_EXITING, "interrupt-window exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_USE_TSC_OFFSETTING, "use TSC offsetting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_HLT_EXITING, "HLT exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_CR3_LOAD_EXITING, "CR3-load exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_CR3_STORE_EXITING, "CR3-store exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_NMI_WINDOW_EXITING, "NMI-window exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_UNCONDITIONAL_IO_EXITING, "unconditional I/O exiting"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_USE_IO_BITMAPS, "use I/O bitmaps"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_MONITOR_TRAP_FLAG, "monitor trap flag"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_USE_MSR_BITMAPS, "use MSR bitmaps"},
    {VMX_CONTROLS_PROC_BASED, PROC_BASED_ACTIVATE_SECONDARY_CONTROLS,
     "activate secondary controls"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_ENABLE_EPT, "enable EPT"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_ENABLE_RDTSCP, "enable RDTSCP"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_ENABLE_VPID, "enable VPID"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_UNRESTRICTED_GUEST, "unrestricted guest"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_ENABLE_INVPCID, "enable INVPCID"},
    {VMX_CONTROLS_PROC_BASED2, PROC2_ENABLE_XSAVES_XRSTORS, "enable XSAVES/XRSTORS"},
    {VMX_CONTROLS_EXIT, VM_EXIT_SAVE_DEBUG_CONTROLS, "save debug controls"},
    {VMX_CONTROLS_EXIT, VM_EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size"},
    {VMX_CONTROLS_EXIT, VM_EXIT_ACK_INTERRUPT_ON_EXIT, "acknowledge interrupt on exit"},
    {VMX_CONTROLS_EXIT, VM_EXIT_SAVE_IA32_PAT, "save IA32_PAT"},
    {VMX_CONTROLS_EXIT, VM_EXIT_LOAD_IA32_PAT, "load IA32_PAT"},
    {VMX_CONTROLS_EXIT, VM_EXIT_SAVE_IA32_EFER, "save IA32_EFER"},
    {VMX_CONTROLS_EXIT, VM_EXIT_LOAD_IA32_EFER, "load IA32_EFER"},
    {VMX_CONTROLS_ENTRY, VM_ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls"},
    {VMX_CONTROLS_ENTRY, VM_ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest"},
    {VMX_CONTROLS_ENTRY, VM_ENTRY_LOAD_IA32_PAT, "load IA32_PAT"},
    {VMX_CONTROLS_ENTRY, VM_ENTRY_LOAD_IA32_EFER, "load IA32_EFER"},
};

const char *vmx_missing_control_name(enum vmx_control_kind kind, uint32_t missing)
{
    if (missing == 0)
        return NULL;
    uint32_t lowest = missing & (~missing + 1u);
    for (size_t i = 0; i < ARRAY_LEN(control_names); i++) {
        if (control_names[i].kind == kind && control_names[i].bit == lowest)
            return control_names[i].name;
    }
    return "unnamed control";
}

uint32_t vmx_basic_revision_id(uint64_t vmx_basic)
{
    return VMX_BASIC_REVISION_ID(vmx_basic);
}

uint32_t vmx_basic_vmcs_size(uint64_t vmx_basic)
{
    return VMX_BASIC_VMCS_SIZE(vmx_basic);
}

uint32_t vmx_basic_memory_type(uint64_t vmx_basic)
{
    return VMX_BASIC_MEMORY_TYPE(vmx_basic);
}

bool vmx_basic_has_true_controls(uint64_t vmx_basic)
{
    return (vmx_basic & VMX_BASIC_TRUE_CONTROLS) != 0;
}

const char *vmx_basic_problem(uint64_t vmx_basic)
{
    uint32_t size = vmx_basic_vmcs_size(vmx_basic);

    /* Appendix A.1: the size is in 1..4096; the memory type is UC (0) or WB (6). */
    if (size == 0 || size > 4096)
        return "VMCS region size is not between 1 and 4096 bytes";
    if (vmx_basic_memory_type(vmx_basic) != EPT_MEMORY_TYPE_WB)
        return "VMCS memory type is not write-back";
    if ((vmx_basic & VMX_BASIC_PHYS_ADDR_32BIT) != 0)
        return "VMX structures are limited to 32-bit physical addresses";
    return NULL;
}

uint64_t vmx_cr_fixed_violations(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
    uint64_t must_be_1_but_0 = fixed0 & ~value;
    uint64_t must_be_0_but_1 = value & ~fixed1;
    return (must_be_1_but_0 | must_be_0_but_1) & ~exempt;
}

bool vmx_cr_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
    return vmx_cr_fixed_violations(value, fixed0, fixed1, exempt) == 0;
}

uint64_t vmx_cr_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
    return (value | (fixed0 & ~exempt)) & (fixed1 | exempt);
}
