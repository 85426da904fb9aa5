/* Private to vmm/vmx/: the per-CPU VMX capabilities, the per-vCPU VMX state, and the pieces the
 * VMX files share (exit dispatch, event injection, instruction skipping). */
#ifndef MICA_VMM_VMX_VMX_H
#define MICA_VMM_VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"
#include "vmm/vmx/ept.h"
#include "vmm/vmx/vmcs.h"

/* What this CPU offers, read once from the capability MSRs (SDM appendix A). */
struct vmx_caps {
    uint64_t basic;
    uint32_t revision_id;
    uint32_t pin, proc, proc2, exit, entry; /* control values mica runs with */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t ept_vpid_cap;
    bool vpid;
    bool preemption_timer;         /* the host's deadlines also as a VMX-preemption timer */
    unsigned preemption_timer_rate; /* it counts every 2^rate TSC ticks */
    unsigned guest_phys_bits;
};
extern struct vmx_caps vmx_caps;

/* MSRs that VM entry/exit do not switch, kept in the VM-entry MSR-load / VM-exit MSR-store area
 * (guest values) and the VM-exit MSR-load area (host values): SDM 25.7.2, 25.8.2, 28.4. */
#define VMX_SWITCHED_MSRS 5
struct vmx_msr_entry {
    uint32_t index;
    uint32_t reserved;
    uint64_t value;
};

struct vmx_vcpu {
    uint64_t vmcs_hpa;
    bool launched;
    bool interrupt_window_requested; /* mirrors PROC_BASED_INTERRUPT_WINDOW_EXITING */
    bool stepping;                   /* single step with RFLAGS.TF, #DB intercepted */
    bool step_saved_tf;              /* the guest's own TF before the step */
    uint8_t *io_bitmaps;  /* A then B: 8 KiB */
    uint8_t *msr_bitmap;  /* 4 KiB */
    struct vmx_msr_entry *guest_msrs; /* entry-load and exit-store area */
    struct vmx_msr_entry *host_msrs;  /* exit-load area */
    struct ept ept;
};

/* vmx_exit.c */
void vmx_handle_exit(struct vcpu *vcpu);
/* Advances the guest past the instruction that exited (RIP += instruction length) and ends any
 * blocking by STI or MOV SS, as completing the instruction would. */
void vmx_skip_instruction(void);
/* Queues a hardware exception for the next VM entry (SDM 27.6: event injection). */
void vmx_inject_exception(unsigned vector, bool has_error_code, uint32_t error_code);
void vmx_dump_guest(struct vcpu *vcpu);
unsigned vmx_guest_cpl(void);
bool vmx_guest_long_mode(void);

/* vmx_intr.c */
void vmx_deliver_interrupts(struct vcpu *vcpu);

/* vmx_msr.c */
void vmx_msr_bitmap_init(uint8_t *bitmap);
void vmx_handle_rdmsr(struct vcpu *vcpu);
void vmx_handle_wrmsr(struct vcpu *vcpu);

/* vmx_io.c */
void vmx_handle_io(struct vcpu *vcpu);

/* vmx_cr.c */
void vmx_handle_cr_access(struct vcpu *vcpu);
uint64_t vmx_cr0_guest_host_mask(void);
uint64_t vmx_cr4_guest_host_mask(void);

#endif
