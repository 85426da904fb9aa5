/* VMX capability arithmetic (vmm/vmx/vmx_controls.c): control values from the capability MSRs,
 * IA32_VMX_BASIC fields, CR0/CR4 fixed bits, and names of the controls mica asks for. Pure code. */
#ifndef MICA_VMM_VMX_VMX_CONTROLS_H
#define MICA_VMM_VMX_VMX_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

/* ---- VM-execution, VM-exit and VM-entry controls --------------------------------------------- */

/* The 32-bit control fields whose allowed settings a capability MSR reports. */
enum vmx_control_kind {
    VMX_CONTROLS_PIN_BASED,   /* pin-based VM-execution controls */
    VMX_CONTROLS_PROC_BASED,  /* primary processor-based VM-execution controls */
    VMX_CONTROLS_PROC_BASED2, /* secondary processor-based VM-execution controls */
    VMX_CONTROLS_EXIT,        /* primary VM-exit controls */
    VMX_CONTROLS_ENTRY,       /* VM-entry controls */
    VMX_CONTROL_KIND_COUNT
};

/*
 * Fits wanted control bits to a capability MSR (SDM appendix A.3-A.5): bits 31:0 of cap_msr are
 * the allowed 0-settings (bit X set: control X must be 1), bits 63:32 the allowed 1-settings (bit
 * 32+X clear: control X must be 0).
 *
 *   *value_out   = (allowed0 | required | optional) & allowed1
 *   *missing_out = required & ~allowed1, plus any bit cap_msr says must be 1 but may not be 1
 *                  (a self-contradictory MSR, which no real processor reports)
 *
 * Returns true when *missing_out is 0. The value never contains a bit the processor forbids, so on
 * failure it is what the processor would accept without the missing bits. Either pointer may be
 * NULL.
 *
 * Following the SDM's "Algorithms for Determining VMX Capabilities" (in the chapter
 * "Virtual-Machine Monitor Programming Considerations"; §31.5.1 in the 2016-era editions), a VMM
 * sets every "default1" control whose meaning it does not use to 1 when the capability MSR allows
 * it: pass vmx_control_reserved_default1(kind) in optional.
 */
bool vmx_control_value(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *value_out,
                       uint32_t *missing_out);

/* The default1 controls of a kind (appendix A.2) that have no defined meaning: PIN_BASED_DEFAULT1,
 * PROC_BASED_DEFAULT1 without CR3-load/store exiting, VM_EXIT_DEFAULT1 and VM_ENTRY_DEFAULT1
 * without save/load debug controls; 0 for the secondary controls and for an unknown kind. With the
 * plain (non-TRUE) capability MSRs these are forced to 1 anyway. */
uint32_t vmx_control_reserved_default1(enum vmx_control_kind kind);

/* The capability MSR to read for a kind: IA32_VMX_TRUE_{PINBASED,PROCBASED,EXIT,ENTRY}_CTLS when
 * IA32_VMX_BASIC[55] is 1 (appendix A.3.1), the plain MSR otherwise; IA32_VMX_PROCBASED_CTLS2 for
 * the secondary controls, which have no TRUE variant. Returns 0 for an unknown kind. */
uint32_t vmx_control_cap_msr(uint64_t vmx_basic, enum vmx_control_kind kind);

/* "pin-based", "primary processor-based", "secondary processor-based", "VM-exit", "VM-entry";
 * "unknown" otherwise. Never NULL. */
const char *vmx_control_kind_name(enum vmx_control_kind kind);

/* The SDM name of the lowest set bit of missing in a control field of this kind, e.g. "enable
 * EPT" for VMX_CONTROLS_PROC_BASED2 and PROC2_ENABLE_EPT. NULL when missing is 0; "unnamed
 * control" for a bit outside mica's table (the controls mica requires or may use). */
const char *vmx_missing_control_name(enum vmx_control_kind kind, uint32_t missing);

/* ---- IA32_VMX_BASIC (appendix A.1) ----------------------------------------------------------- */

uint32_t vmx_basic_revision_id(uint64_t vmx_basic);   /* bits 30:0; first dword of VMXON/VMCS */
uint32_t vmx_basic_vmcs_size(uint64_t vmx_basic);     /* bits 44:32: bytes, 1..4096 */
uint32_t vmx_basic_memory_type(uint64_t vmx_basic);   /* bits 53:50: 0 = UC, 6 = WB */
bool vmx_basic_has_true_controls(uint64_t vmx_basic); /* bit 55 */

/* NULL if mica can use the VMXON/VMCS regions this MSR describes (one 4 KiB page each, write-back,
 * full physical-address width); otherwise a short reason, e.g. "VMCS memory type is not
 * write-back". */
const char *vmx_basic_problem(uint64_t vmx_basic);

/* ---- CR0/CR4 fixed bits (appendix A.7, A.8) -------------------------------------------------- */

/*
 * In VMX operation a CR0/CR4 bit set in FIXED0 must be 1 and a bit clear in FIXED1 must be 0; VM
 * entry checks the guest's and host's values (§27.2.2, §27.3.1.1). Bits set in exempt are not
 * checked: VMX_CR0_UNRESTRICTED_GUEST_EXEMPT (PE, PG) for a guest CR0 under "unrestricted guest",
 * 0 otherwise.
 */

/* The bits of value that break the rules: (FIXED0 & ~value | value & ~FIXED1) & ~exempt. */
uint64_t vmx_cr_fixed_violations(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

/* True when vmx_cr_fixed_violations() is 0. */
bool vmx_cr_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

/* value with the non-exempt FIXED0 bits set and the non-exempt bits clear in FIXED1 cleared. */
uint64_t vmx_cr_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

#endif
