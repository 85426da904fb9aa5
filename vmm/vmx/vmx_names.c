/* Name lookups for VMCS fields, exit reasons and VM-instruction errors, all generated from the
 * X-macro lists so that the tables cannot drift from the definitions. Freestanding, no libc. */
#include <stddef.h>
#include <stdint.h>

/* vmx_defs.h comes first: a control-bit macro spelled like a field name would then break the
 * enum vmcs_field definition below instead of silently shadowing it. */
#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmcs_fields.h"
#include "vmm/vmx/vmx_names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char unknown[] = "unknown";

/* Compile-time checks of every table entry against the encoding rules of SDM §25.11.2: bits 14:13
 * agree with the declared width, the access type is "full", and the reserved bits are clear.
 * Duplicate encodings are caught by the switch statements below (duplicate case values). */
#define VMCS_FIELD_CHECK(n, e, w)                                                                  \
    _Static_assert(VMCS_ENC_WIDTH(e) == VMCS_WIDTH_CODE_##w,                                       \
                   #n ": bits 14:13 disagree with width");                                         \
    _Static_assert(((e) & (VMCS_ENC_ACCESS_HIGH | VMCS_ENC_RESERVED_MASK)) == 0,                   \
                   #n ": not a full encoding or reserved bits set");
VMCS_FIELD_LIST(VMCS_FIELD_CHECK)
#undef VMCS_FIELD_CHECK

const char *vmcs_field_name(uint32_t encoding)
{
    switch (encoding) {
#define VMCS_FIELD_NAME_CASE(n, e, w)                                                              \
    case e:                                                                                        \
        return #n;
        VMCS_FIELD_LIST(VMCS_FIELD_NAME_CASE)
#undef VMCS_FIELD_NAME_CASE
    default:
        return unknown;
    }
}

int vmcs_field_width(uint32_t encoding)
{
    switch (encoding) {
#define VMCS_FIELD_WIDTH_CASE(n, e, w)                                                             \
    case e:                                                                                        \
        return VMCS_WIDTH_##w;
        VMCS_FIELD_LIST(VMCS_FIELD_WIDTH_CASE)
#undef VMCS_FIELD_WIDTH_CASE
    default:
        return VMCS_WIDTH_UNKNOWN;
    }
}

/* Designated initializers leave the undefined numbers NULL; a number listed twice is diagnosed
 * by -Woverride-init (gcc) / -Winitializer-overrides (clang) under -Wextra. */
static const char *const exit_reason_names[] = {
#define VMX_EXIT_REASON_NAME(n, v, s) [v] = s,
    VMX_EXIT_REASON_LIST(VMX_EXIT_REASON_NAME)
#undef VMX_EXIT_REASON_NAME
};

static const char *const instruction_error_names[] = {
#define VMX_INSTRUCTION_ERROR_NAME(n, v, s) [v] = s,
    VMX_INSTRUCTION_ERROR_LIST(VMX_INSTRUCTION_ERROR_NAME)
#undef VMX_INSTRUCTION_ERROR_NAME
};

static const char *lookup(const char *const *table, size_t len, uint32_t index)
{
    if (index >= len || table[index] == NULL)
        return unknown;
    return table[index];
}

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
    return lookup(exit_reason_names, ARRAY_LEN(exit_reason_names), basic_reason);
}

const char *vmx_instruction_error_name(uint32_t number)
{
    return lookup(instruction_error_names, ARRAY_LEN(instruction_error_names), number);
}
