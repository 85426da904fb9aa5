/* Delivering the platform's interrupts to the guest: the legacy way for unmodified guests
 * (inject when RFLAGS.IF = 1 and nothing blocks, else an interrupt-window exit, SDM 25.6.2,
 * 27.6.2), or the paravirtual way (soft interrupt masking through the shared page, vmm/vic.c). */
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

static bool guest_blocked(void)
{
    return (vmcs_read(GUEST_INTERRUPTIBILITY_STATE) &
            (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS)) ||
           (vmcs_read(VM_ENTRY_INTERRUPTION_INFORMATION) & VMX_INTR_INFO_VALID);
}

static bool guest_can_take_interrupt(void)
{
    return (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) && !guest_blocked();
}

static void inject_external_interrupt(struct vcpu *vcpu, int vector)
{
    vmcs_write(VM_ENTRY_INTERRUPTION_INFORMATION,
               (uint32_t)vector | VMX_INTR_INFO_TYPE(VMX_INTR_TYPE_EXTERNAL_INTERRUPT) |
                   VMX_INTR_INFO_VALID);
    vcpu->interrupts_injected++;
    vcpu->halted = false;
}

/* Soft interrupt masking: the PIC's interrupts go into the shared page's pending set at once;
 * the highest is injected only while soft_interrupt_enable = 1 and the real IF = 1. Pending work
 * with the flag set but IF = 0 (a handler about to IRET) asks for an interrupt window, so the
 * vector is injected right after the IRET (the race return_from_interrupt cannot close alone). */
static void deliver_paravirtual(struct vcpu *vcpu, struct vmx_vcpu *vx)
{
    /* Bounded: a level-triggered line that stays high comes straight back after its EOI, and
     * the guest controls that (ELCR, device registers): one vector per entry is enough, the
     * pending bit holds it and later arrivals coalesce. */
    int v = platform_take_interrupt_auto_eoi(vcpu->guest);
    if (v >= 0)
        vic_raise(&vcpu->vic, (unsigned)v);
    if (!vic_any_pending(&vcpu->vic)) {
        request_interrupt_window(vx, false);
        return;
    }
    vcpu->halted = false; /* anything pending wakes a halted vCPU, masked or not */
    bool guest_if = vmcs_read(GUEST_RFLAGS) & RFLAGS_IF;
    bool blocked = guest_blocked();
    int vector = vic_take_for_injection(&vcpu->vic, guest_if, blocked);
    if (vector >= 0) {
        inject_external_interrupt(vcpu, vector);
        request_interrupt_window(vx, false);
        return;
    }
    request_interrupt_window(vx, vic_wants_interrupt_window(&vcpu->vic, guest_if, blocked));
}

void vmx_deliver_interrupts(struct vcpu *vcpu)
{
    struct guest *g = vcpu->guest;
    struct vmx_vcpu *vx = vcpu->vendor;
    if (vic_active(&vcpu->vic)) {
        deliver_paravirtual(vcpu, vx);
        return;
    }
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
    if (vector >= 0)
        inject_external_interrupt(vcpu, vector);
}
