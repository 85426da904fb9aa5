/* A virtual CPU as vendor-neutral code sees it: the guest's general-purpose registers (saved and
 * restored by the vendor's exit stub), its guest, and its exit counters. */
#ifndef MICA_VMM_VCPU_H
#define MICA_VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/exit_trace.h"
#include "vmm/vic.h"
#include "vmm/watchdog.h"

/* Order matters: vmm/vmx/vmx_entry.asm addresses these by offset. RSP and RIP live in the
 * vendor's state (the VMCS). */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

#define VCPU_EXIT_REASONS 128 /* counters per basic exit reason */

struct vcpu {
    struct guest_regs regs;
    struct guest *guest;
    bool halted; /* executed HLT; runs again when an interrupt is delivered */
    struct vic vic; /* paravirtual (soft-masked) delivery once the guest registers its page */
    uint64_t shared_page_gpa;
    uint64_t interrupts_injected;
    uint64_t exits_total;
    uint64_t exits_by_reason[VCPU_EXIT_REASONS];
    uint64_t exits_reason_out_of_range;
    /* TSC ticks spent in the hypervisor: from each VM exit to the next VM entry, not counting
     * the host's idle wait while the guest is halted (MICA_HC_HOST_TIME, the exit report). */
    uint64_t hypervisor_ticks;
    uint64_t guest_started_tsc;
    struct exit_trace trace; /* the last VM exits, for crash reports and the monitor */
    struct exit_trace_record trace_records[EXIT_TRACE_DEFAULT_CAPACITY];
    bool single_step;        /* the monitor asked for one guest instruction */
    struct watchdog watchdog;
    void *vendor; /* struct vmx_vcpu */
};

#endif
