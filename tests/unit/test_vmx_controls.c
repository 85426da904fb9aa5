/* Unit tests (cmocka) for vmm/vmx/vmx_controls.c: control values from Bochs's icelake capability
 * MSRs and from MSRs lacking a required bit, IA32_VMX_BASIC fields, CR0/CR4 fixed bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmx_controls.h"

/* Bochs, cpu model corei7_icelake_u. PROCBASED's low word is the plain MSR's; the TRUE MSR
 * drops bits 15 and 16 (CR3-load/store exiting) from it. PROCBASED2's low word is always 0. */
#define BOCHS_BASIC          0x00d8100000000004ull
#define BOCHS_PINBASED       0x0000007f00000016ull /* plain and TRUE */
#define BOCHS_PROCBASED      0xfff9fffe0401e172ull
#define BOCHS_TRUE_PROCBASED 0xfff9fffe04006172ull
#define BOCHS_PROCBASED2     0x02977fff00000000ull
#define BOCHS_EXIT           0x007fffff00036dffull
#define BOCHS_ENTRY          0x0000ffff000011ffull

/*
 * The controls written out as numbers, independent of vmx_defs.h:
 *   pin-based:  external-interrupt exiting (0), NMI exiting (3)
 *   primary:    HLT exiting (7), use I/O bitmaps (25), use MSR bitmaps (28), secondary (31)
 *   secondary:  enable EPT (1), unrestricted guest (7); optional RDTSCP (3), VPID (5),
 *               INVPCID (12), XSAVES/XRSTORS (20)
 *   exit:       host address-space size (9), acknowledge interrupt (15), save/load EFER (20, 21)
 *   entry:      IA-32e mode guest (9), load EFER (15)
 */
#define BIT(n)         (1u << (n))
#define PIN_REQUIRED   (BIT(0) | BIT(3))
#define PROC_REQUIRED  (BIT(7) | BIT(25) | BIT(28) | BIT(31))
#define PROC2_REQUIRED (BIT(1) | BIT(7))
#define PROC2_OPTIONAL (BIT(3) | BIT(5) | BIT(12) | BIT(20))
#define EXIT_REQUIRED  (BIT(9) | BIT(15) | BIT(20) | BIT(21))
#define ENTRY_REQUIRED (BIT(9) | BIT(15))

static void test_bochs_pin_based(void **state)
{
    (void)state;
    uint32_t value = 0xdeadbeef;
    uint32_t missing = 0xdeadbeef;

    assert_true(vmx_control_value(BOCHS_PINBASED, PIN_REQUIRED, 0, &value, &missing));
    assert_int_equal(value, 0x1f); /* default1 bits 1, 2, 4 forced, plus bits 0 and 3 */
    assert_int_equal(missing, 0);

    /* Optional virtual NMIs (bit 5) and preemption timer (bit 6) are allowed; bit 7 is not. */
    assert_true(vmx_control_value(BOCHS_PINBASED, PIN_REQUIRED, BIT(5) | BIT(6) | BIT(7), &value,
                                  &missing));
    assert_int_equal(value, 0x7f);
    assert_int_equal(missing, 0);
}

static void test_bochs_proc_based_true_and_plain(void **state)
{
    (void)state;
    uint32_t value = 0;
    uint32_t missing = 1;

    /* TRUE MSR: CR3-load/store exiting may be 0; the reserved default1 bits are set as optional. */
    assert_true(
        vmx_control_value(BOCHS_TRUE_PROCBASED, PROC_REQUIRED, 0x04006172u, &value, &missing));
    assert_int_equal(value, 0x960061f2);
    assert_int_equal(missing, 0);

    /* Plain MSR: bits 15 and 16 are forced to 1. */
    assert_true(vmx_control_value(BOCHS_PROCBASED, PROC_REQUIRED, 0, &value, &missing));
    assert_int_equal(value, 0x9601e1f2);
    assert_int_equal(missing, 0);

    /* Optional "activate tertiary controls" (bit 17) is not allowed: silently left 0. */
    assert_true(vmx_control_value(BOCHS_TRUE_PROCBASED, PROC_REQUIRED, BIT(17), &value, &missing));
    assert_int_equal(value, 0x960061f2);
    assert_int_equal(value & BIT(17), 0);
}

static void test_bochs_secondary_exit_entry(void **state)
{
    (void)state;
    uint32_t value = 0;
    uint32_t missing = 1;

    assert_true(
        vmx_control_value(BOCHS_PROCBASED2, PROC2_REQUIRED, PROC2_OPTIONAL, &value, &missing));
    assert_int_equal(value, 0x1010aa);
    assert_int_equal(missing, 0);

    assert_true(vmx_control_value(BOCHS_EXIT, EXIT_REQUIRED, 0, &value, &missing));
    assert_int_equal(value, 0x33efff);
    assert_int_equal(missing, 0);

    assert_true(vmx_control_value(BOCHS_ENTRY, ENTRY_REQUIRED, 0, &value, &missing));
    assert_int_equal(value, 0x93ff);
    assert_int_equal(missing, 0);
}

static void test_missing_required_bits(void **state)
{
    (void)state;
    uint32_t value = 0;
    uint32_t missing = 0;

    /* Secondary controls without "enable EPT" (bit 1 of the high word cleared). */
    assert_false(vmx_control_value(0x02977ffd00000000ull, PROC2_REQUIRED, 0, &value, &missing));
    assert_int_equal(missing, BIT(1));
    assert_int_equal(value, BIT(7)); /* what the processor accepts: unrestricted guest only */
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED2, missing), "enable EPT");

    /* Without unrestricted guest either: the lowest missing bit is named. */
    assert_false(vmx_control_value(0x02977f7d00000000ull, PROC2_REQUIRED, 0, &value, &missing));
    assert_int_equal(missing, BIT(1) | BIT(7));
    assert_int_equal(value, 0);
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED2, missing), "enable EPT");

    /* Only unrestricted guest missing. */
    assert_false(vmx_control_value(0x02977f7f00000000ull, PROC2_REQUIRED, 0, &value, &missing));
    assert_int_equal(missing, BIT(7));
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED2, missing),
                        "unrestricted guest");

    /* Exit controls without "load IA32_EFER" (bit 21). */
    assert_false(vmx_control_value(0x005fffff00036dffull, EXIT_REQUIRED, 0, &value, &missing));
    assert_int_equal(missing, BIT(21));
    assert_int_equal(value, 0x13efff);
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_EXIT, missing), "load IA32_EFER");

    /* Primary controls without I/O bitmaps (bit 25) and MSR bitmaps (bit 28). */
    assert_false(vmx_control_value(0xedf9fffe04006172ull, PROC_REQUIRED, 0, &value, &missing));
    assert_int_equal(missing, BIT(25) | BIT(28));
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED, missing),
                        "use I/O bitmaps");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED, BIT(28)),
                        "use MSR bitmaps");

    /* A missing optional bit is not an error. */
    assert_true(vmx_control_value(0x0000000000000000ull, 0, 0xffffffffu, &value, &missing));
    assert_int_equal(value, 0);
    assert_int_equal(missing, 0);
}

static void test_contradictory_msr(void **state)
{
    (void)state;
    uint32_t value = 0xffffffffu;
    uint32_t missing = 0;

    /* Bit 4 must be 1 (low word) but may not be 1 (high word): no legal value exists. */
    assert_false(vmx_control_value(0x0000000f00000010ull, 0, 0, &value, &missing));
    assert_int_equal(missing, BIT(4));
    assert_int_equal(value, 0);
}

static void test_null_outputs(void **state)
{
    (void)state;
    assert_true(vmx_control_value(BOCHS_ENTRY, ENTRY_REQUIRED, 0, NULL, NULL));
    assert_false(vmx_control_value(BOCHS_ENTRY, BIT(16), 0, NULL, NULL));
}

static void test_reserved_default1(void **state)
{
    (void)state;
    /* Equal to Bochs's TRUE MSR low words: exactly the default1 bits without a meaning. */
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROLS_PIN_BASED), 0x16);
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROLS_PROC_BASED), 0x04006172);
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROLS_PROC_BASED2), 0);
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROLS_EXIT), 0x00036dfb);
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROLS_ENTRY), 0x000011fb);
    assert_int_equal(vmx_control_reserved_default1(VMX_CONTROL_KIND_COUNT), 0);
}

static void test_cap_msr_selection(void **state)
{
    (void)state;
    uint64_t without_true = BOCHS_BASIC & ~(1ull << 55);

    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROLS_PIN_BASED), 0x48d);
    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROLS_PROC_BASED), 0x48e);
    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROLS_PROC_BASED2), 0x48b);
    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROLS_EXIT), 0x48f);
    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROLS_ENTRY), 0x490);

    assert_int_equal(vmx_control_cap_msr(without_true, VMX_CONTROLS_PIN_BASED), 0x481);
    assert_int_equal(vmx_control_cap_msr(without_true, VMX_CONTROLS_PROC_BASED), 0x482);
    assert_int_equal(vmx_control_cap_msr(without_true, VMX_CONTROLS_PROC_BASED2), 0x48b);
    assert_int_equal(vmx_control_cap_msr(without_true, VMX_CONTROLS_EXIT), 0x483);
    assert_int_equal(vmx_control_cap_msr(without_true, VMX_CONTROLS_ENTRY), 0x484);

    assert_int_equal(vmx_control_cap_msr(BOCHS_BASIC, VMX_CONTROL_KIND_COUNT), 0);
}

static void test_control_names(void **state)
{
    (void)state;
    assert_null(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED2, 0));
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PIN_BASED, BIT(0)),
                        "external-interrupt exiting");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED, BIT(31)),
                        "activate secondary controls");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_EXIT, BIT(9)),
                        "host address-space size");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_EXIT, BIT(15)),
                        "acknowledge interrupt on exit");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_EXIT, BIT(20) | BIT(21)),
                        "save IA32_EFER");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_ENTRY, BIT(15) | BIT(9)),
                        "IA-32e mode guest");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_ENTRY, BIT(15)), "load IA32_EFER");
    /* The same bit number means different controls in different fields. */
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED2, BIT(7)),
                        "unrestricted guest");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PROC_BASED, BIT(7)), "HLT exiting");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROLS_PIN_BASED, BIT(1)),
                        "unnamed control");
    assert_string_equal(vmx_missing_control_name(VMX_CONTROL_KIND_COUNT, BIT(1)),
                        "unnamed control");

    assert_string_equal(vmx_control_kind_name(VMX_CONTROLS_PIN_BASED), "pin-based");
    assert_string_equal(vmx_control_kind_name(VMX_CONTROLS_PROC_BASED2),
                        "secondary processor-based");
    assert_string_equal(vmx_control_kind_name(VMX_CONTROLS_ENTRY), "VM-entry");
    assert_string_equal(vmx_control_kind_name(VMX_CONTROL_KIND_COUNT), "unknown");
}

static void test_vmx_basic(void **state)
{
    (void)state;
    assert_int_equal(vmx_basic_revision_id(BOCHS_BASIC), 4);
    assert_int_equal(vmx_basic_vmcs_size(BOCHS_BASIC), 4096);
    assert_int_equal(vmx_basic_memory_type(BOCHS_BASIC), 6);
    assert_true(vmx_basic_has_true_controls(BOCHS_BASIC));
    assert_false(vmx_basic_has_true_controls(BOCHS_BASIC & ~(1ull << 55)));
    assert_null(vmx_basic_problem(BOCHS_BASIC));

    /* Bit 31 is not part of the revision identifier. */
    assert_int_equal(vmx_basic_revision_id(0x00d81000ffffffffull), 0x7fffffff);
    assert_int_equal(vmx_basic_vmcs_size(0x00d8040000000001ull), 0x400);

    assert_string_equal(vmx_basic_problem(0x00c0100000000004ull),
                        "VMCS memory type is not write-back");
    assert_int_equal(vmx_basic_memory_type(0x00c0100000000004ull), 0);
    assert_string_equal(vmx_basic_problem(0x00d8000000000004ull),
                        "VMCS region size is not between 1 and 4096 bytes");
    assert_string_equal(vmx_basic_problem(0x00d8100100000004ull),
                        "VMCS region size is not between 1 and 4096 bytes");
    assert_string_equal(vmx_basic_problem(0x00d9100000000004ull),
                        "VMX structures are limited to 32-bit physical addresses");
}

#define CR0_FIXED0 0x0000000080000021ull /* PG, NE, PE */
#define CR0_FIXED1 0x00000000ffffffffull
#define CR4_FIXED0 0x0000000000002000ull /* VMXE */
#define CR4_FIXED1 0x00000000003727ffull /* an example: bits 0-10, 13, 16, 17, 18, 20, 21 */

static void test_cr_fixed_bits(void **state)
{
    (void)state;
    const uint64_t exempt = VMX_CR0_UNRESTRICTED_GUEST_EXEMPT;
    assert_int_equal(exempt, 0x80000001ull);

    /* A 64-bit host CR0 (PG, AM, WP, NE, ET, MP, PE) fits. */
    assert_true(vmx_cr_fixed_ok(0x80050033ull, CR0_FIXED0, CR0_FIXED1, 0));
    assert_int_equal(vmx_cr_fixed_violations(0x80050033ull, CR0_FIXED0, CR0_FIXED1, 0), 0);
    assert_int_equal(vmx_cr_apply_fixed(0x80050033ull, CR0_FIXED0, CR0_FIXED1, 0), 0x80050033ull);

    /* CR0 after reset (CD, NW, ET): PE, NE and PG missing, unless PE/PG are exempt. */
    assert_false(vmx_cr_fixed_ok(0x60000010ull, CR0_FIXED0, CR0_FIXED1, 0));
    assert_int_equal(vmx_cr_fixed_violations(0x60000010ull, CR0_FIXED0, CR0_FIXED1, 0),
                     0x80000021ull);
    assert_int_equal(vmx_cr_fixed_violations(0x60000010ull, CR0_FIXED0, CR0_FIXED1, exempt),
                     0x20ull);
    assert_false(vmx_cr_fixed_ok(0x60000010ull, CR0_FIXED0, CR0_FIXED1, exempt));
    assert_true(vmx_cr_fixed_ok(0x60000030ull, CR0_FIXED0, CR0_FIXED1, exempt));
    assert_int_equal(vmx_cr_apply_fixed(0x60000010ull, CR0_FIXED0, CR0_FIXED1, exempt),
                     0x60000030ull);
    assert_int_equal(vmx_cr_apply_fixed(0x60000010ull, CR0_FIXED0, CR0_FIXED1, 0), 0xe0000031ull);

    /* Exempt bits are checked against neither MSR (a synthetic FIXED1 without PE and PG). */
    assert_int_equal(vmx_cr_fixed_violations(0x80000001ull, CR0_FIXED0, 0x7ffffffeull, exempt),
                     0x20ull);
    assert_int_equal(vmx_cr_apply_fixed(0x80000001ull, CR0_FIXED0, 0x7ffffffeull, exempt),
                     0x80000021ull);
    assert_int_equal(vmx_cr_apply_fixed(0x80000001ull, CR0_FIXED0, 0x7ffffffeull, 0), 0x20ull);

    /* A bit clear in FIXED1 must be 0. */
    assert_int_equal(vmx_cr_fixed_violations(0x180000021ull, CR0_FIXED0, CR0_FIXED1, 0),
                     0x100000000ull);
    assert_int_equal(vmx_cr_apply_fixed(0x180000021ull, CR0_FIXED0, CR0_FIXED1, 0), 0x80000021ull);

    /* CR4: VMXE must be 1; PKS (bit 24) is not allowed by this FIXED1. */
    assert_int_equal(vmx_cr_fixed_violations(0x20ull, CR4_FIXED0, CR4_FIXED1, 0), 0x2000ull);
    assert_int_equal(vmx_cr_apply_fixed(0x20ull, CR4_FIXED0, CR4_FIXED1, 0), 0x2020ull);
    assert_int_equal(vmx_cr_fixed_violations(0x1002020ull, CR4_FIXED0, CR4_FIXED1, 0),
                     0x1000000ull);
    assert_int_equal(vmx_cr_apply_fixed(0x1002020ull, CR4_FIXED0, CR4_FIXED1, 0), 0x2020ull);
    assert_true(vmx_cr_fixed_ok(0x3226a0ull, CR4_FIXED0, CR4_FIXED1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bochs_pin_based),
        cmocka_unit_test(test_bochs_proc_based_true_and_plain),
        cmocka_unit_test(test_bochs_secondary_exit_entry),
        cmocka_unit_test(test_missing_required_bits),
        cmocka_unit_test(test_contradictory_msr),
        cmocka_unit_test(test_null_outputs),
        cmocka_unit_test(test_reserved_default1),
        cmocka_unit_test(test_cap_msr_selection),
        cmocka_unit_test(test_control_names),
        cmocka_unit_test(test_vmx_basic),
        cmocka_unit_test(test_cr_fixed_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
