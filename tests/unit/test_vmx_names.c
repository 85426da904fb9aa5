/* Unit tests (cmocka) for the VMCS field table and the VMX name lookups (vmm/vmx/vmx_names.c),
 * checking the X-macro lists against the SDM encoding rules and independently written constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmcs_fields.h"
#include "vmm/vmx/vmx_names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Declared widths as plain numbers, independent of enum vmcs_width. */
#define WIDTH_16      16
#define WIDTH_32      32
#define WIDTH_64      64
#define WIDTH_NATURAL 0

struct field_entry {
    const char *name;
    uint32_t encoding;
    int width;
};

static const struct field_entry fields[] = {
#define FIELD_ENTRY(n, e, w) {#n, (uint32_t)(e), WIDTH_##w},
    VMCS_FIELD_LIST(FIELD_ENTRY)
#undef FIELD_ENTRY
};

struct numbered_entry {
    const char *name;
    uint32_t number;
    const char *text;
};

static const struct numbered_entry exit_reasons[] = {
#define EXIT_ENTRY(n, v, s) {#n, (uint32_t)(v), s},
    VMX_EXIT_REASON_LIST(EXIT_ENTRY)
#undef EXIT_ENTRY
};

static const struct numbered_entry instruction_errors[] = {
#define ERROR_ENTRY(n, v, s) {#n, (uint32_t)(v), s},
    VMX_INSTRUCTION_ERROR_LIST(ERROR_ENTRY)
#undef ERROR_ENTRY
};

/* SDM §25.11.2: bits 14:13 are 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural-width. */
static int width_from_encoding(uint32_t encoding)
{
    static const int by_code[4] = {WIDTH_16, WIDTH_64, WIDTH_32, WIDTH_NATURAL};
    return by_code[(encoding >> 13) & 3u];
}

static void test_field_table_not_empty(void **state)
{
    (void)state;
    assert_true(ARRAY_LEN(fields) >= 150);
}

static void test_field_width_matches_encoding(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        if (width_from_encoding(fields[i].encoding) != fields[i].width)
            fail_msg("%s (0x%04x): encoding says width %d, table says %d", fields[i].name,
                     fields[i].encoding, width_from_encoding(fields[i].encoding), fields[i].width);
    }
}

static void test_field_access_type_full(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        if ((fields[i].encoding & 1u) != 0)
            fail_msg("%s (0x%04x): access type is not full", fields[i].name, fields[i].encoding);
        /* Bit 12 and bits 31:15 are reserved. */
        if ((fields[i].encoding & 0xffff9000u) != 0)
            fail_msg("%s (0x%04x): reserved bits set", fields[i].name, fields[i].encoding);
    }
}

static void test_field_encodings_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        for (size_t j = i + 1; j < ARRAY_LEN(fields); j++)
            if (fields[i].encoding == fields[j].encoding)
                fail_msg("%s and %s share encoding 0x%04x", fields[i].name, fields[j].name,
                         fields[i].encoding);
}

static void test_field_names_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        for (size_t j = i + 1; j < ARRAY_LEN(fields); j++)
            if (strcmp(fields[i].name, fields[j].name) == 0)
                fail_msg("name %s appears twice", fields[i].name);
}

static void test_field_lookup_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        assert_string_equal(vmcs_field_name(fields[i].encoding), fields[i].name);
        assert_int_equal(vmcs_field_width(fields[i].encoding), fields[i].width);
    }
}

/* Encodings copied from the SDM appendix B tables by hand, not derived from the header. */
static void test_known_encodings(void **state)
{
    (void)state;
    static const struct {
        uint32_t actual;
        uint32_t expected;
        const char *name;
        int width;
    } known[] = {
        {VIRTUAL_PROCESSOR_IDENTIFIER, 0x0000, "VIRTUAL_PROCESSOR_IDENTIFIER", 16},
        {GUEST_ES_SELECTOR, 0x0800, "GUEST_ES_SELECTOR", 16},
        {GUEST_TR_SELECTOR, 0x080e, "GUEST_TR_SELECTOR", 16},
        {HOST_TR_SELECTOR, 0x0c0c, "HOST_TR_SELECTOR", 16},
        {IO_BITMAP_A_ADDRESS, 0x2000, "IO_BITMAP_A_ADDRESS", 64},
        {MSR_BITMAPS_ADDRESS, 0x2004, "MSR_BITMAPS_ADDRESS", 64},
        {TSC_OFFSET, 0x2010, "TSC_OFFSET", 64},
        {EPT_POINTER, 0x201a, "EPT_POINTER", 64},
        {GUEST_PHYSICAL_ADDRESS, 0x2400, "GUEST_PHYSICAL_ADDRESS", 64},
        {VMCS_LINK_POINTER, 0x2800, "VMCS_LINK_POINTER", 64},
        {GUEST_IA32_EFER, 0x2806, "GUEST_IA32_EFER", 64},
        {HOST_IA32_EFER, 0x2c02, "HOST_IA32_EFER", 64},
        {PIN_BASED_VM_EXEC_CONTROLS, 0x4000, "PIN_BASED_VM_EXEC_CONTROLS", 32},
        {PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, 0x4002, "PRIMARY_PROC_BASED_VM_EXEC_CONTROLS", 32},
        {PRIMARY_VM_EXIT_CONTROLS, 0x400c, "PRIMARY_VM_EXIT_CONTROLS", 32},
        {VM_ENTRY_CONTROLS, 0x4012, "VM_ENTRY_CONTROLS", 32},
        {VM_ENTRY_INTERRUPTION_INFORMATION, 0x4016, "VM_ENTRY_INTERRUPTION_INFORMATION", 32},
        {SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, 0x401e, "SECONDARY_PROC_BASED_VM_EXEC_CONTROLS",
         32},
        {VM_INSTRUCTION_ERROR, 0x4400, "VM_INSTRUCTION_ERROR", 32},
        {VM_EXIT_REASON, 0x4402, "VM_EXIT_REASON", 32},
        {VM_EXIT_INSTRUCTION_LENGTH, 0x440c, "VM_EXIT_INSTRUCTION_LENGTH", 32},
        {GUEST_CS_ACCESS_RIGHTS, 0x4816, "GUEST_CS_ACCESS_RIGHTS", 32},
        {GUEST_INTERRUPTIBILITY_STATE, 0x4824, "GUEST_INTERRUPTIBILITY_STATE", 32},
        {VMX_PREEMPTION_TIMER_VALUE, 0x482e, "VMX_PREEMPTION_TIMER_VALUE", 32},
        {HOST_IA32_SYSENTER_CS, 0x4c00, "HOST_IA32_SYSENTER_CS", 32},
        {CR0_GUEST_HOST_MASK, 0x6000, "CR0_GUEST_HOST_MASK", 0},
        {EXIT_QUALIFICATION, 0x6400, "EXIT_QUALIFICATION", 0},
        {GUEST_LINEAR_ADDRESS, 0x640a, "GUEST_LINEAR_ADDRESS", 0},
        {GUEST_CR3, 0x6802, "GUEST_CR3", 0},
        {GUEST_RSP, 0x681c, "GUEST_RSP", 0},
        {GUEST_RIP, 0x681e, "GUEST_RIP", 0},
        {GUEST_RFLAGS, 0x6820, "GUEST_RFLAGS", 0},
        {HOST_CR3, 0x6c02, "HOST_CR3", 0},
        {HOST_RSP, 0x6c14, "HOST_RSP", 0},
        {HOST_RIP, 0x6c16, "HOST_RIP", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(known); i++) {
        assert_int_equal(known[i].actual, known[i].expected);
        assert_string_equal(vmcs_field_name(known[i].expected), known[i].name);
        assert_int_equal(vmcs_field_width(known[i].expected), known[i].width);
    }
}

static void test_field_lookup_unknown(void **state)
{
    (void)state;
    static const uint32_t bogus[] = {
        0x2001,      /* high half of IO_BITMAP_A_ADDRESS */
        0x201b,      /* high half of EPT_POINTER */
        0x0001,      /* high half of a 16-bit field: not valid at all */
        0x482c,      /* gap among the 32-bit guest-state indices */
        0x1000,      /* reserved bit 12 */
        0x8000,      /* reserved bit 15 */
        0x1681e,     /* GUEST_RIP with reserved bit 16 */
        0xffffffffu, /* all ones */
    };
    for (size_t i = 0; i < ARRAY_LEN(bogus); i++) {
        const char *name = vmcs_field_name(bogus[i]);
        assert_non_null(name);
        assert_string_equal(name, "unknown");
        assert_int_equal(vmcs_field_width(bogus[i]), -1);
    }
}

static void test_exit_reason_names(void **state)
{
    (void)state;
    assert_string_equal(vmx_exit_reason_name(18), "VMCALL");
    assert_string_equal(vmx_exit_reason_name(30), "I/O instruction");
    assert_string_equal(vmx_exit_reason_name(48), "EPT violation");
    assert_string_equal(vmx_exit_reason_name(49), "EPT misconfiguration");
    assert_string_equal(vmx_exit_reason_name(0), "Exception or non-maskable interrupt (NMI)");
    assert_int_equal(EXIT_REASON_VMCALL, 18);
    assert_int_equal(EXIT_REASON_IO_INSTRUCTION, 30);
    assert_int_equal(EXIT_REASON_EPT_VIOLATION, 48);
    assert_int_equal(EXIT_REASON_EPT_MISCONFIGURATION, 49);
    assert_int_equal(EXIT_REASON_INSTRUCTION_TIMEOUT, 75);
}

static void test_exit_reason_table(void **state)
{
    (void)state;
    uint32_t max = 0;
    for (size_t i = 0; i < ARRAY_LEN(exit_reasons); i++) {
        assert_true(exit_reasons[i].number <= 0xffffu);
        assert_string_equal(vmx_exit_reason_name(exit_reasons[i].number), exit_reasons[i].text);
        if (exit_reasons[i].number > max)
            max = exit_reasons[i].number;
        for (size_t j = i + 1; j < ARRAY_LEN(exit_reasons); j++)
            assert_int_not_equal(exit_reasons[i].number, exit_reasons[j].number);
    }
    assert_true(max >= 75);
    /* Every number up to 75 except the SDM's gaps is defined. */
    for (uint32_t r = 0; r <= 75; r++) {
        int gap = r == 35 || r == 38 || r == 42 || r == 71;
        assert_int_equal(strcmp(vmx_exit_reason_name(r), "unknown") == 0, gap);
    }
}

static void test_exit_reason_unknown(void **state)
{
    (void)state;
    /* Gaps in appendix C, past the end, past 16 bits, a whole exit-reason field, all ones. */
    static const uint32_t bogus[] = {
        35, 38, 42, 71, 82, 83, 86, 0xffff, 0x10000, 0x80000021u, 0xffffffffu,
    };
    for (size_t i = 0; i < ARRAY_LEN(bogus); i++) {
        assert_non_null(vmx_exit_reason_name(bogus[i]));
        assert_string_equal(vmx_exit_reason_name(bogus[i]), "unknown");
    }
    /* The failed-VM-entry bit must be stripped by the caller. */
    assert_string_equal(vmx_exit_reason_name(VMX_EXIT_REASON_BASIC(0x80000021u)),
                        "VM-entry failure due to invalid guest state");
}

static void test_instruction_error_names(void **state)
{
    (void)state;
    assert_string_equal(vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
    assert_string_equal(vmx_instruction_error_name(28), "Invalid operand to INVEPT/INVVPID");
    assert_string_equal(vmx_instruction_error_name(12),
                        "VMREAD/VMWRITE from/to unsupported VMCS component");
    assert_int_equal(VMXERR_ENTRY_INVALID_CONTROL_FIELD, 7);
    assert_int_equal(VMXERR_INVALID_INVEPT_INVVPID_OPERAND, 28);

    for (size_t i = 0; i < ARRAY_LEN(instruction_errors); i++) {
        assert_string_equal(vmx_instruction_error_name(instruction_errors[i].number),
                            instruction_errors[i].text);
        for (size_t j = i + 1; j < ARRAY_LEN(instruction_errors); j++)
            assert_int_not_equal(instruction_errors[i].number, instruction_errors[j].number);
    }
    /* 1-28 less the three reserved numbers. */
    assert_int_equal(ARRAY_LEN(instruction_errors), 25);

    static const uint32_t bogus[] = {0, 14, 21, 27, 29, 0x100, 0xffffffffu};
    for (size_t i = 0; i < ARRAY_LEN(bogus); i++) {
        assert_non_null(vmx_instruction_error_name(bogus[i]));
        assert_string_equal(vmx_instruction_error_name(bogus[i]), "unknown");
    }
}

/* Spot checks of vmx_defs.h against values written out from the SDM. */
static void test_defs_spot_checks(void **state)
{
    (void)state;
    assert_int_equal(PIN_BASED_EXTERNAL_INTERRUPT_EXITING, 0x00000001u);
    assert_int_equal(PIN_BASED_NMI_EXITING, 0x00000008u);
    assert_int_equal(PROC_BASED_HLT_EXITING, 0x00000080u);
    assert_int_equal(PROC_BASED_USE_IO_BITMAPS, 0x02000000u);
    assert_int_equal(PROC_BASED_USE_MSR_BITMAPS, 0x10000000u);
    assert_int_equal(PROC_BASED_ACTIVATE_SECONDARY_CONTROLS, 0x80000000u);
    assert_int_equal(PROC2_ENABLE_EPT, 0x00000002u);
    assert_int_equal(PROC2_ENABLE_VPID, 0x00000020u);
    assert_int_equal(PROC2_UNRESTRICTED_GUEST, 0x00000080u);
    assert_int_equal(VM_EXIT_HOST_ADDRESS_SPACE_SIZE, 0x00000200u);
    assert_int_equal(VM_EXIT_ACK_INTERRUPT_ON_EXIT, 0x00008000u);
    assert_int_equal(VM_ENTRY_IA32E_MODE_GUEST, 0x00000200u);
    assert_int_equal(PIN_BASED_DEFAULT1, 0x16u);
    assert_int_equal(PROC_BASED_DEFAULT1, 0x0401e172u);
    assert_int_equal(VM_EXIT_DEFAULT1, 0x00036dffu);
    assert_int_equal(VM_ENTRY_DEFAULT1, 0x000011ffu);
    assert_int_equal(VMX_EXIT_REASON_FAILED_VMENTRY, 0x80000000u);

    assert_int_equal(VMX_INTR_INFO_VALID | VMX_INTR_INFO_TYPE(VMX_INTR_TYPE_HARDWARE_EXCEPTION) |
                         VMX_INTR_INFO_DELIVER_ERROR_CODE | 13u,
                     0x80000b0du);

    /* "in al, 0x60": 1 byte, IN, immediate operand, port 0x60. */
    uint64_t io = 0x00600048u;
    assert_int_equal(EXIT_QUAL_IO_SIZE_BYTES(io), 1);
    assert_true(io & EXIT_QUAL_IO_IN);
    assert_true(io & EXIT_QUAL_IO_IMMEDIATE_OPERAND);
    assert_false(io & EXIT_QUAL_IO_STRING);
    assert_int_equal(EXIT_QUAL_IO_PORT(io), 0x60);
    /* "rep outsw" to port dx = 0x3f8: 2 bytes, OUT, string, REP, DX operand. */
    io = 0x03f80031u;
    assert_int_equal(EXIT_QUAL_IO_SIZE_BYTES(io), 2);
    assert_false(io & EXIT_QUAL_IO_IN);
    assert_true(io & EXIT_QUAL_IO_STRING);
    assert_true(io & EXIT_QUAL_IO_REP);
    assert_int_equal(EXIT_QUAL_IO_PORT(io), 0x3f8);

    /* "mov cr3, rbx": CR 3, MOV to CR, GPR 3. */
    assert_int_equal(EXIT_QUAL_CR_NUMBER(0x303u), 3);
    assert_int_equal(EXIT_QUAL_CR_ACCESS_TYPE(0x303u), EXIT_QUAL_CR_MOV_TO_CR);
    assert_int_equal(EXIT_QUAL_CR_GPR(0x303u), 3);

    assert_int_equal(MSR_IA32_FEATURE_CONTROL, 0x3a);
    assert_int_equal(MSR_IA32_VMX_BASIC, 0x480);
    assert_int_equal(MSR_IA32_VMX_EPT_VPID_CAP, 0x48c);
    assert_int_equal(MSR_IA32_VMX_VMFUNC, 0x491);
    assert_int_equal(VMX_BASIC_TRUE_CONTROLS, 1ull << 55);
    /* A plausible IA32_VMX_BASIC: revision 4, 4 KByte VMCS, write-back, TRUE controls. */
    uint64_t basic = 0x00da100000000004ull;
    assert_int_equal(VMX_BASIC_REVISION_ID(basic), 4);
    assert_int_equal(VMX_BASIC_VMCS_SIZE(basic), 0x1000);
    assert_int_equal(VMX_BASIC_MEMORY_TYPE(basic), 6);
    assert_true(basic & VMX_BASIC_TRUE_CONTROLS);

    /* EPTP for a 4-level, write-back walk with A/D flags: 0x5e | table address. */
    assert_int_equal(EPTP_MEMORY_TYPE_WB | EPTP_PAGE_WALK_LENGTH(4) | EPTP_ACCESSED_DIRTY, 0x5eu);
    assert_int_equal(EPTP_PAGE_WALK_4, EPTP_PAGE_WALK_LENGTH(4));
    assert_int_equal(EPT_READ | EPT_WRITE | EPT_EXECUTE | EPT_MEMORY_TYPE(EPT_MEMORY_TYPE_WB) |
                         EPT_IGNORE_PAT | EPT_LARGE_PAGE,
                     0xf7u);
    assert_true(EPT_SUPPRESS_VE == 0x8000000000000000ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_table_not_empty),
        cmocka_unit_test(test_field_width_matches_encoding),
        cmocka_unit_test(test_field_access_type_full),
        cmocka_unit_test(test_field_encodings_unique),
        cmocka_unit_test(test_field_names_unique),
        cmocka_unit_test(test_field_lookup_round_trip),
        cmocka_unit_test(test_known_encodings),
        cmocka_unit_test(test_field_lookup_unknown),
        cmocka_unit_test(test_exit_reason_names),
        cmocka_unit_test(test_exit_reason_table),
        cmocka_unit_test(test_exit_reason_unknown),
        cmocka_unit_test(test_instruction_error_names),
        cmocka_unit_test(test_defs_spot_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
