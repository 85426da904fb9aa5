/* Unit tests (cmocka) for vmm/vmx/exit_qualification.c: I/O, CR-access and EPT-violation exit
 * qualifications and INS/OUTS instruction information, field by field and reserved encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/vmx/exit_qualification.h"

/* ---- I/O ------------------------------------------------------------------------------------- */

static void test_io_out_dx_byte(void **state)
{
    (void)state;
    struct exit_io io;
    /* out dx, al with DX = 0x3f8 */
    assert_true(exit_qual_decode_io(0x03f80000ull, &io));
    assert_int_equal(io.port, 0x3f8);
    assert_int_equal(io.size, 1);
    assert_false(io.in);
    assert_false(io.string);
    assert_false(io.rep);
    assert_false(io.immediate);
}

static void test_io_in_immediate_dword(void **state)
{
    (void)state;
    struct exit_io io;
    /* in eax, 0x60: size code 3, IN (bit 3), immediate (bit 6) */
    assert_true(exit_qual_decode_io(0x0060004bull, &io));
    assert_int_equal(io.port, 0x60);
    assert_int_equal(io.size, 4);
    assert_true(io.in);
    assert_false(io.string);
    assert_false(io.rep);
    assert_true(io.immediate);
}

static void test_io_rep_insw(void **state)
{
    (void)state;
    struct exit_io io;
    /* rep insw with DX = 0x1f0: size code 1, IN, string (bit 4), REP (bit 5) */
    assert_true(exit_qual_decode_io(0x01f00039ull, &io));
    assert_int_equal(io.port, 0x1f0);
    assert_int_equal(io.size, 2);
    assert_true(io.in);
    assert_true(io.string);
    assert_true(io.rep);
    assert_false(io.immediate);

    /* outsb without REP to port 0xffff */
    assert_true(exit_qual_decode_io(0xffff0010ull, &io));
    assert_int_equal(io.port, 0xffff);
    assert_int_equal(io.size, 1);
    assert_false(io.in);
    assert_true(io.string);
    assert_false(io.rep);
}

static void test_io_size_encodings(void **state)
{
    (void)state;
    static const int expected_size[8] = {1, 2, 0, 4, 0, 0, 0, 0}; /* 0: not used */
    for (uint64_t code = 0; code < 8; code++) {
        struct exit_io io = {0};
        bool ok = exit_qual_decode_io(0x00800000ull | code, &io);
        if (expected_size[code] == 0) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_int_equal(io.size, expected_size[code]);
            assert_int_equal(io.port, 0x80);
        }
    }
}

static void test_io_string_with_immediate_rejected(void **state)
{
    (void)state;
    struct exit_io io;
    assert_false(exit_qual_decode_io(0x00600050ull, &io)); /* string + immediate */
    assert_false(exit_qual_decode_io(0x00600070ull, &io)); /* with REP as well */
}

static void test_io_undefined_bits_ignored(void **state)
{
    (void)state;
    struct exit_io io;
    /* Bits 15:7 and 63:32 are not defined. */
    assert_true(exit_qual_decode_io(0xdeadbeef03f8ff80ull, &io));
    assert_int_equal(io.port, 0x3f8);
    assert_int_equal(io.size, 1);
    assert_false(io.in);
    assert_false(io.string);
    assert_false(io.rep);
    assert_false(io.immediate);
}

/* ---- Control-register accesses --------------------------------------------------------------- */

static void test_cr_mov_to(void **state)
{
    (void)state;
    struct exit_cr cr;
    /* mov cr0, rbx */
    assert_true(exit_qual_decode_cr(0x300ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_TO_CR);
    assert_int_equal(cr.cr, 0);
    assert_int_equal(cr.gpr, 3);
    assert_false(cr.lmsw_memory_operand);
    assert_int_equal(cr.lmsw_source_data, 0);

    /* mov cr4, r12 */
    assert_true(exit_qual_decode_cr(0xc04ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_TO_CR);
    assert_int_equal(cr.cr, 4);
    assert_int_equal(cr.gpr, 12);

    /* mov cr8, rcx */
    assert_true(exit_qual_decode_cr(0x108ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_TO_CR);
    assert_int_equal(cr.cr, 8);
    assert_int_equal(cr.gpr, 1);
}

static void test_cr_mov_from(void **state)
{
    (void)state;
    struct exit_cr cr;
    /* mov r15, cr3 */
    assert_true(exit_qual_decode_cr(0xf13ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_FROM_CR);
    assert_int_equal(cr.cr, 3);
    assert_int_equal(cr.gpr, 15);

    /* mov rsp, cr8 */
    assert_true(exit_qual_decode_cr(0x418ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_FROM_CR);
    assert_int_equal(cr.cr, 8);
    assert_int_equal(cr.gpr, 4);
}

static void test_cr_clts_and_lmsw(void **state)
{
    (void)state;
    struct exit_cr cr;
    assert_true(exit_qual_decode_cr(0x20ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_CLTS);
    assert_int_equal(cr.cr, 0);
    assert_int_equal(cr.gpr, 0);
    assert_false(cr.lmsw_memory_operand);
    assert_int_equal(cr.lmsw_source_data, 0);

    /* lmsw ax with AX = 1 (set PE) */
    assert_true(exit_qual_decode_cr(0x10030ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_LMSW);
    assert_int_equal(cr.cr, 0);
    assert_false(cr.lmsw_memory_operand);
    assert_int_equal(cr.lmsw_source_data, 1);

    /* lmsw [mem] with the word 0x8001; undefined bits 63:32 set */
    assert_true(exit_qual_decode_cr(0xffffffff80010070ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_LMSW);
    assert_true(cr.lmsw_memory_operand);
    assert_int_equal(cr.lmsw_source_data, 0x8001);
    assert_int_equal(cr.gpr, 0);
}

static void test_cr_numbers(void **state)
{
    (void)state;
    for (uint64_t n = 0; n < 16; n++) {
        bool exists = n == 0 || n == 3 || n == 4 || n == 8;
        struct exit_cr cr;
        assert_int_equal(exit_qual_decode_cr(n, &cr), exists);         /* MOV to CRn */
        assert_int_equal(exit_qual_decode_cr(0x10u | n, &cr), exists); /* MOV from CRn */
        assert_int_equal(exit_qual_decode_cr(0x20u | n, &cr), n == 0); /* CLTS */
        assert_int_equal(exit_qual_decode_cr(0x30u | n, &cr), n == 0); /* LMSW */
    }
}

static void test_cr_fields_not_applying_are_zero(void **state)
{
    (void)state;
    struct exit_cr cr;
    /* MOV to CR4 from RDX with bit 6 and bits 31:16 set: LMSW fields stay 0. */
    assert_true(exit_qual_decode_cr(0xabcd0244ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_MOV_TO_CR);
    assert_int_equal(cr.cr, 4);
    assert_int_equal(cr.gpr, 2);
    assert_false(cr.lmsw_memory_operand);
    assert_int_equal(cr.lmsw_source_data, 0);

    /* CLTS with bits 11:8 set: no register reported. */
    assert_true(exit_qual_decode_cr(0xf20ull, &cr));
    assert_int_equal(cr.access, EXIT_CR_CLTS);
    assert_int_equal(cr.gpr, 0);
}

/* ---- EPT violations -------------------------------------------------------------------------- */

/* Packs the decoded fields back into the bit positions of table 28-7, written out here. */
static uint64_t pack_ept(const struct exit_ept_violation *v)
{
    return (uint64_t)v->read << 0 | (uint64_t)v->write << 1 | (uint64_t)v->fetch << 2 |
           (uint64_t)v->readable << 3 | (uint64_t)v->writable << 4 | (uint64_t)v->executable << 5 |
           (uint64_t)v->user_executable << 6 | (uint64_t)v->gla_valid << 7 |
           (uint64_t)v->gla_translation << 8 | (uint64_t)v->user_mode_linear << 9 |
           (uint64_t)v->writable_linear << 10 | (uint64_t)v->execute_disable_linear << 11 |
           (uint64_t)v->nmi_unblocking << 12 | (uint64_t)v->shadow_stack_access << 13;
}

static void test_ept_write_to_read_only_page(void **state)
{
    (void)state;
    struct exit_ept_violation v;
    /* Write; page readable and executable; linear address valid, access to its translation. */
    assert_true(exit_qual_decode_ept_violation(0x1aaull, &v));
    assert_false(v.read);
    assert_true(v.write);
    assert_false(v.fetch);
    assert_true(v.readable);
    assert_false(v.writable);
    assert_true(v.executable);
    assert_false(v.user_executable);
    assert_true(v.gla_valid);
    assert_true(v.gla_translation);
    assert_false(v.user_mode_linear);
    assert_false(v.writable_linear);
    assert_false(v.execute_disable_linear);
    assert_false(v.nmi_unblocking);
    assert_false(v.shadow_stack_access);
}

static void test_ept_fetch_unmapped_and_page_walk(void **state)
{
    (void)state;
    struct exit_ept_violation v;
    /* Instruction fetch from an unmapped guest-physical page. */
    assert_true(exit_qual_decode_ept_violation(0x184ull, &v));
    assert_true(v.fetch);
    assert_false(v.read);
    assert_false(v.readable);
    assert_false(v.writable);
    assert_false(v.executable);
    assert_true(v.gla_translation);

    /* Read of a guest paging-structure entry during a page walk: bit 7 set, bit 8 clear. */
    assert_true(exit_qual_decode_ept_violation(0x81ull, &v));
    assert_true(v.read);
    assert_true(v.gla_valid);
    assert_false(v.gla_translation);

    /* No linear address at all (e.g. the access came from loading PDPTEs). */
    assert_true(exit_qual_decode_ept_violation(0x1ull, &v));
    assert_false(v.gla_valid);
    assert_false(v.gla_translation);
}

static void test_ept_advanced_and_nmi_bits(void **state)
{
    (void)state;
    struct exit_ept_violation v;
    assert_true(exit_qual_decode_ept_violation(0xf82ull | 0x100ull, &v));
    assert_true(v.user_mode_linear);
    assert_true(v.writable_linear);
    assert_true(v.execute_disable_linear);
    assert_false(v.nmi_unblocking);

    assert_true(exit_qual_decode_ept_violation(0x1001ull, &v));
    assert_true(v.nmi_unblocking);
    assert_true(v.read);
    assert_false(v.user_mode_linear);

    assert_true(exit_qual_decode_ept_violation(0x2042ull, &v));
    assert_true(v.shadow_stack_access);
    assert_true(v.user_executable);
    assert_true(v.write);
}

static void test_ept_each_bit_maps_to_its_field(void **state)
{
    (void)state;
    for (unsigned bit = 0; bit < 14; bit++) {
        uint64_t qual = 1ull << bit;
        if (bit == 8)
            qual |= 1ull << 7; /* bit 8 needs bit 7 */
        struct exit_ept_violation v;
        assert_true(exit_qual_decode_ept_violation(qual, &v));
        assert_int_equal(pack_ept(&v), qual);
    }
    /* Undefined bits 63:14 are ignored. */
    struct exit_ept_violation v;
    assert_true(exit_qual_decode_ept_violation(0xffffffffffffc000ull | 0x1aaull, &v));
    assert_int_equal(pack_ept(&v), 0x1aaull);
}

static void test_ept_bit8_without_bit7_rejected(void **state)
{
    (void)state;
    struct exit_ept_violation v;
    assert_false(exit_qual_decode_ept_violation(0x101ull, &v));
    assert_false(exit_qual_decode_ept_violation(0x100ull, &v));
}

/* ---- INS/OUTS instruction information -------------------------------------------------------- */

static void test_ins_outs_info(void **state)
{
    (void)state;
    struct exit_ins_outs_info info;

    /* OUTS, 64-bit addressing, DS */
    assert_true(exit_instr_info_decode_ins_outs(0x18100u, false, &info));
    assert_int_equal(info.address_size, 64);
    assert_int_equal(info.segment, EXIT_SEGMENT_DS);

    /* OUTS, 16-bit addressing, FS override */
    assert_true(exit_instr_info_decode_ins_outs(0x20000u, false, &info));
    assert_int_equal(info.address_size, 16);
    assert_int_equal(info.segment, EXIT_SEGMENT_FS);

    /* OUTS, 32-bit addressing, GS override */
    assert_true(exit_instr_info_decode_ins_outs(0x28080u, false, &info));
    assert_int_equal(info.address_size, 32);
    assert_int_equal(info.segment, EXIT_SEGMENT_GS);

    /* OUTS with CS and SS overrides */
    assert_true(exit_instr_info_decode_ins_outs(0x08100u, false, &info));
    assert_int_equal(info.segment, EXIT_SEGMENT_CS);
    assert_true(exit_instr_info_decode_ins_outs(0x10100u, false, &info));
    assert_int_equal(info.segment, EXIT_SEGMENT_SS);
    assert_true(exit_instr_info_decode_ins_outs(0x00100u, false, &info));
    assert_int_equal(info.segment, EXIT_SEGMENT_ES);
}

static void test_ins_segment_field_ignored(void **state)
{
    (void)state;
    struct exit_ins_outs_info info;
    /* INS: segment bits 17:15 undefined (here 7, unused, and 3); always ES. */
    assert_true(exit_instr_info_decode_ins_outs(0x38080u, true, &info));
    assert_int_equal(info.address_size, 32);
    assert_int_equal(info.segment, EXIT_SEGMENT_ES);
    assert_true(exit_instr_info_decode_ins_outs(0x18100u, true, &info));
    assert_int_equal(info.address_size, 64);
    assert_int_equal(info.segment, EXIT_SEGMENT_ES);
}

static void test_ins_outs_reserved_values(void **state)
{
    (void)state;
    struct exit_ins_outs_info info;
    for (uint32_t size = 3; size < 8; size++) {
        assert_false(exit_instr_info_decode_ins_outs(size << 7, false, &info));
        assert_false(exit_instr_info_decode_ins_outs(size << 7, true, &info));
    }
    assert_false(exit_instr_info_decode_ins_outs(0x30100u, false, &info)); /* segment 6 */
    assert_false(exit_instr_info_decode_ins_outs(0x38100u, false, &info)); /* segment 7 */

    /* Undefined bits 6:0, 14:10 and 31:18 set around 64-bit DS. */
    assert_true(exit_instr_info_decode_ins_outs(0xfffdfd7fu, false, &info));
    assert_int_equal(info.address_size, 64);
    assert_int_equal(info.segment, EXIT_SEGMENT_DS);
}

static void test_segment_names(void **state)
{
    (void)state;
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_ES), "ES");
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_CS), "CS");
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_SS), "SS");
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_DS), "DS");
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_FS), "FS");
    assert_string_equal(exit_segment_name(EXIT_SEGMENT_GS), "GS");
    assert_string_equal(exit_segment_name((enum exit_segment)6), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_out_dx_byte),
        cmocka_unit_test(test_io_in_immediate_dword),
        cmocka_unit_test(test_io_rep_insw),
        cmocka_unit_test(test_io_size_encodings),
        cmocka_unit_test(test_io_string_with_immediate_rejected),
        cmocka_unit_test(test_io_undefined_bits_ignored),
        cmocka_unit_test(test_cr_mov_to),
        cmocka_unit_test(test_cr_mov_from),
        cmocka_unit_test(test_cr_clts_and_lmsw),
        cmocka_unit_test(test_cr_numbers),
        cmocka_unit_test(test_cr_fields_not_applying_are_zero),
        cmocka_unit_test(test_ept_write_to_read_only_page),
        cmocka_unit_test(test_ept_fetch_unmapped_and_page_walk),
        cmocka_unit_test(test_ept_advanced_and_nmi_bits),
        cmocka_unit_test(test_ept_each_bit_maps_to_its_field),
        cmocka_unit_test(test_ept_bit8_without_bit7_rejected),
        cmocka_unit_test(test_ins_outs_info),
        cmocka_unit_test(test_ins_segment_field_ignored),
        cmocka_unit_test(test_ins_outs_reserved_values),
        cmocka_unit_test(test_segment_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
