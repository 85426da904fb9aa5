/* Delivering the platform's interrupts to the guest the legacy way (for unmodified guests):
 * inject when RFLAGS.IF = 1 and nothing blocks (STI/MOV SS shadow, another event queued), else
 * ask for an interrupt-window exit (SDM 25.6.2, 27.6.2). */
#include "kernel/cpu.h"
#include "vmm/platform.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_defs.h"

/* The window bit is tracked in the vCPU so the common case (nothing pending, no window asked
 * for) costs no VMREAD. */
static void request_interrupt_window(struct vmx_vcpu *vx, bool on)
{
    if (vx->interrupt_window_requested == on)
        return;
    vx->interrupt_window_requested = on;
    if (on)
        vmcs_set_bits(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED_INTERRUPT_WINDOW_EXITING);
    else
        vmcs_clear_bits(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED_INTERRUPT_WINDOW_EXITING);
}

static bool guest_can_take_interrupt(void)
{
    if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF))
        return false;
    if (vmcs_read(GUEST_INTERRUPTIBILITY_STATE) &
        (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS))
        return false;
    return !(vmcs_read(VM_ENTRY_INTERRUPTION_INFORMATION) & VMX_INTR_INFO_VALID);
}

void vmx_deliver_interrupts(struct vcpu *vcpu)
{
    struct guest *g = vcpu->guest;
    struct vmx_vcpu *vx = vcpu->vendor;
    if (!platform_interrupt_pending(g)) {
        request_interrupt_window(vx, false);
        return;
    }
    if (!guest_can_take_interrupt()) {
        request_interrupt_window(vx, true);
        return;
    }
    int vector = platform_acknowledge_interrupt(g);
    request_interrupt_window(vx, false);
    if (vector < 0)
        return;
    vmcs_write(VM_ENTRY_INTERRUPTION_INFORMATION,
               (uint32_t)vector | VMX_INTR_INFO_TYPE(VMX_INTR_TYPE_EXTERNAL_INTERRUPT) |
                   VMX_INTR_INFO_VALID);
    vcpu->interrupts_injected++;
    vcpu->halted = false;
}
