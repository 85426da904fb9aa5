/* Human-readable names for VMCS field encodings, basic exit reasons and VM-instruction errors
 * (vmm/vmx/vmx_names.c), for logs and VMCS dumps; pure code, freestanding or hosted. */
#ifndef MICA_VMM_VMX_VMX_NAMES_H
#define MICA_VMM_VMX_VMX_NAMES_H

#include <stdint.h>

/* All functions return a static string and never NULL: "unknown" for anything not in the tables
 * (vmm/vmx/vmcs_fields.h, vmm/vmx/vmx_defs.h). */

/* Field name for a full encoding, e.g. 0x681e -> "GUEST_RIP". A "high" encoding (bit 0 set) of a
 * 64-bit field is not a separate field and yields "unknown". */
const char *vmcs_field_name(uint32_t encoding);

/* Declared width of the field: VMCS_WIDTH_16/32/64, VMCS_WIDTH_NATURAL (0), or VMCS_WIDTH_UNKNOWN
 * (-1) for an encoding not in the table (enum vmcs_width, vmm/vmx/vmcs_fields.h). */
int vmcs_field_width(uint32_t encoding);

/* SDM appendix C description of a basic exit reason, e.g. 48 -> "EPT violation". Pass bits 15:0
 * of the exit-reason field (VMX_EXIT_REASON_BASIC()); larger values yield "unknown". */
const char *vmx_exit_reason_name(uint32_t basic_reason);

/* SDM §31.4 text of a VM-instruction error number, e.g. 7 -> "VM entry with invalid control
 * field(s)". 0 (no error) and undefined numbers yield "unknown". */
const char *vmx_instruction_error_name(uint32_t number);

#endif
