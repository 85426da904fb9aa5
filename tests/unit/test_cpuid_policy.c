/* Host unit tests of vmm/cpuid_policy.c: what the guest sees for the leaves mica changes, and
 * that other leaves pass through unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "include/mica/abi.h"
#include "vmm/cpuid_policy.h"

static void test_leaf1_hides_vmx_smx_apic_and_sets_hypervisor(void **state)
{
    (void)state;
    struct cpuid_result r = {.eax = 0x906ea, .ebx = 0x100800, .ecx = 0x7ffafbff, .edx = 0xbfebfbff};
    cpuid_policy_apply(1, 0, false, &r);
    assert_int_equal(r.ecx & (CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_X2APIC), 0);
    assert_int_equal(r.ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
    assert_int_equal(r.edx & CPUID_1_EDX_APIC, 0);
    /* 0x7ffafbff has XSAVE (bit 26) and OSXSAVE (bit 27): OSXSAVE goes with the guest's CR4 */
    assert_int_equal(r.ecx, (0x7ffafbffu & ~0x8200060u) | 0x80000000u);
    assert_int_equal(r.eax, 0x906ea); /* signature untouched */
}

static void test_osxsave_follows_the_guest_cr4(void **state)
{
    (void)state;
    const uint32_t host_ecx = CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE;
    struct cpuid_result r = {.ecx = host_ecx};
    cpuid_policy_apply(1, 0, true, &r);
    assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, CPUID_1_ECX_OSXSAVE);
    r = (struct cpuid_result){.ecx = host_ecx};
    cpuid_policy_apply(1, 0, false, &r);
    assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);
    /* no XSAVE on the host: OSXSAVE never set, whatever the guest's CR4 says */
    r = (struct cpuid_result){.ecx = 0};
    cpuid_policy_apply(1, 0, true, &r);
    assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);
}

static void test_hypervisor_leaves(void **state)
{
    (void)state;
    struct cpuid_result r = {1, 2, 3, 4};
    cpuid_policy_apply(0x40000000, 0, false, &r);
    assert_int_equal(r.eax, MICA_CPUID_MAX_LEAF);
    char sig[13] = {0};
    for (int i = 0; i < 4; i++) {
        sig[i] = (char)(r.ebx >> (8 * i));
        sig[4 + i] = (char)(r.ecx >> (8 * i));
        sig[8 + i] = (char)(r.edx >> (8 * i));
    }
    assert_string_equal(sig, "MicaMicaMica");
    r = (struct cpuid_result){1, 2, 3, 4};
    cpuid_policy_apply(0x40000001, 0, false, &r);
    assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
    r = (struct cpuid_result){1, 2, 3, 4};
    cpuid_policy_apply(0x4fffffff, 0, false, &r);
    assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_other_leaves_pass_through(void **state)
{
    (void)state;
    const uint32_t leaves[] = {0, 7, 0xb, 0x80000001, 0x50000000};
    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct cpuid_result r = {0x11, 0x22, 0x33, 0x44};
        cpuid_policy_apply(leaves[i], 0, false, &r);
        assert_int_equal(r.eax, 0x11);
        assert_int_equal(r.ebx, 0x22);
        assert_int_equal(r.ecx, 0x33);
        assert_int_equal(r.edx, 0x44);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf1_hides_vmx_smx_apic_and_sets_hypervisor),
        cmocka_unit_test(test_osxsave_follows_the_guest_cr4),
        cmocka_unit_test(test_hypervisor_leaves),
        cmocka_unit_test(test_other_leaves_pass_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
