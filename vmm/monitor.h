/* The debug monitor on the hypervisor's serial console: Ctrl-A three times enters it, the guest
 * is paused while it is open, and its commands inspect the vCPU, guest memory, EPT, interrupts
 * and devices (docs/debugging.md). Vendor-neutral; the vendor supplies the hooks below. */
#ifndef MICA_VMM_MONITOR_H
#define MICA_VMM_MONITOR_H

#include <stdint.h>

struct vcpu;

/* One byte typed on the console: passed to the guest's UART unless it is part of the entry
 * sequence; the sequence runs the monitor until `continue` or `step`. */
void monitor_console_byte(struct vcpu *vcpu, uint8_t byte);
/* After a single step (the monitor trap flag): back into the monitor. */
void monitor_after_step(struct vcpu *vcpu);

/* ---- Vendor hooks (vmm/vmx/) ---- */
void vendor_dump_registers(struct vcpu *vcpu);
void vendor_dump_vmcs(struct vcpu *vcpu);
void vendor_describe_gpa(struct vcpu *vcpu, uint64_t gpa);
/* Arranges for the vCPU to run one instruction and then exit; false if the CPU cannot. */
int vendor_request_single_step(struct vcpu *vcpu);

#endif
