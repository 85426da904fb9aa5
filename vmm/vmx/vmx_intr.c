/* Delivering the platform's interrupts to the guest the legacy way (for unmodified guests):
 * inject when RFLAGS.IF = 1 and nothing blocks (STI/MOV SS shadow, another event queued), else
 * ask for an interrupt-window exit (SDM 25.6.2, 27.6.2). */
#include "kernel/cpu.h"
#include "vmm/platform.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_defs.h"

static void request_interrupt_window(bool on)
{
    uint64_t proc = vmcs_read(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS);
    uint64_t want = on ? proc | PROC_BASED_INTERRUPT_WINDOW_EXITING
                       : proc & ~(uint64_t)PROC_BASED_INTERRUPT_WINDOW_EXITING;
    if (want != proc)
        vmcs_write(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, want);
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
    if (!platform_interrupt_pending(g)) {
        request_interrupt_window(false);
        return;
    }
    if (!guest_can_take_interrupt()) {
        request_interrupt_window(true);
        return;
    }
    int vector = platform_acknowledge_interrupt(g);
    request_interrupt_window(false);
    if (vector < 0)
        return;
    vmcs_write(VM_ENTRY_INTERRUPTION_INFORMATION,
               (uint32_t)vector | VMX_INTR_INFO_TYPE(VMX_INTR_TYPE_EXTERNAL_INTERRUPT) |
                   VMX_INTR_INFO_VALID);
    vcpu->interrupts_injected++;
    vcpu->halted = false;
}
