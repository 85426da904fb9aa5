/* Checked VMREAD/VMWRITE and the VMCS dump used by crash reports; the dump walks the one X-macro
 * list of fields, so every field mica knows is printed by its SDM name. */
#include "vmm/vmx/vmcs.h"

#include "kernel/log.h"
#include "kernel/panic.h"
#include "vmm/vmx/vmx_names.h"

#define VMCS_FIELD_CLASS(encoding) (((encoding) >> 10) & 3) /* SDM 25.11.2: bits 11:10 */

static __attribute__((noreturn)) void vmcs_access_failed(const char *op, uint32_t field)
{
    uint64_t error = 0;
    bool have_error = vmcs_read_raw(VM_INSTRUCTION_ERROR, &error);
    panic("%s of VMCS field %s (0x%x) failed: %s", op, vmcs_field_name(field), field,
          have_error ? vmx_instruction_error_name((uint32_t)error) : "no current VMCS");
}

uint64_t vmcs_read(enum vmcs_field field)
{
    uint64_t value;
    if (!vmcs_read_raw(field, &value))
        vmcs_access_failed("VMREAD", field);
    return value;
}

void vmcs_write(enum vmcs_field field, uint64_t value)
{
    if (!vmcs_write_raw(field, value))
        vmcs_access_failed("VMWRITE", field);
}

void vmcs_set_bits(enum vmcs_field field, uint64_t bits)
{
    vmcs_write(field, vmcs_read(field) | bits);
}

void vmcs_clear_bits(enum vmcs_field field, uint64_t bits)
{
    vmcs_write(field, vmcs_read(field) & ~bits);
}

static const uint32_t all_fields[] = {
#define VMCS_FIELD_ENCODING(name, encoding, width) encoding,
    VMCS_FIELD_LIST(VMCS_FIELD_ENCODING)
#undef VMCS_FIELD_ENCODING
};

void vmcs_dump(enum vmcs_field_class cls)
{
    unsigned printed = 0;
    for (unsigned i = 0; i < sizeof(all_fields) / sizeof(all_fields[0]); i++) {
        uint32_t f = all_fields[i];
        uint64_t value;
        if (VMCS_FIELD_CLASS(f) != (uint32_t)cls || !vmcs_read_raw(f, &value))
            continue; /* fields this CPU does not support are left out */
        kprintf("  %-40s %016lx%s", vmcs_field_name(f), value, printed % 2 ? "\n" : "  ");
        printed++;
    }
    if (printed % 2)
        kprintf("\n");
}
