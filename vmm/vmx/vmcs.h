/* Typed VMCS access: VMREAD/VMWRITE of the fields named in vmcs_fields.h, with every failure
 * reported by field name and VM-instruction error (SDM vol. 3, 31.2 and 31.4). */
#ifndef MICA_VMM_VMX_VMCS_H
#define MICA_VMM_VMX_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vmx/vmcs_fields.h"

/* Raw forms: false on VMfail (CF or ZF set). */
static inline bool vmcs_read_raw(uint32_t field, uint64_t *value)
{
    uint8_t failed;
    uint64_t v;
    __asm__ volatile("vmread %[field], %[value]\n\tsetna %[failed]"
                     : [value] "=r"(v), [failed] "=qm"(failed)
                     : [field] "r"((uint64_t)field)
                     : "cc");
    *value = v;
    return !failed;
}

static inline bool vmcs_write_raw(uint32_t field, uint64_t value)
{
    uint8_t failed;
    __asm__ volatile("vmwrite %[value], %[field]\n\tsetna %[failed]"
                     : [failed] "=qm"(failed)
                     : [field] "r"((uint64_t)field), [value] "rm"(value)
                     : "cc", "memory");
    return !failed;
}

/* Checked forms: a failure means a hypervisor bug (a field this CPU lacks, no current VMCS), so
 * it panics naming the field and the VM-instruction error. */
uint64_t vmcs_read(enum vmcs_field field);
void vmcs_write(enum vmcs_field field, uint64_t value);
void vmcs_set_bits(enum vmcs_field field, uint64_t bits);
void vmcs_clear_bits(enum vmcs_field field, uint64_t bits);

/* Prints every readable field of one class (guest state, host state, controls, exit
 * information), with names, for crash reports. */
enum vmcs_field_class {
    VMCS_CLASS_CONTROL = 0,
    VMCS_CLASS_EXIT_INFORMATION = 1,
    VMCS_CLASS_GUEST_STATE = 2,
    VMCS_CLASS_HOST_STATE = 3,
};
void vmcs_dump(enum vmcs_field_class cls);

#endif
