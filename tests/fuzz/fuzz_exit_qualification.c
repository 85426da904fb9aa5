/* libFuzzer target for vmm/vmx/exit_qualification.c: every 8 input bytes are one word fed to all
 * four decoders, whose results are compared with fields extracted here from the SDM's tables. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "vmm/vmx/exit_qualification.h"

/* Bit positions below are those of SDM vol. 3C tables 28-3, 28-5, 28-7 and 28-8, written out
 * rather than taken from vmm/vmx/vmx_defs.h, so that a wrong definition there shows up. */
static uint64_t bits(uint64_t q, unsigned lo, unsigned width)
{
    return (q >> lo) & ((1ull << width) - 1);
}

static void check_io(uint64_t q)
{
    struct exit_io io;
    memset(&io, 0xa5, sizeof(io));
    bool ok = exit_qual_decode_io(q, &io);
    unsigned size_code = (unsigned)bits(q, 0, 3);
    bool string = bits(q, 4, 1), immediate = bits(q, 6, 1);
    bool valid = (size_code == 0 || size_code == 1 || size_code == 3) && !(string && immediate);
    FUZZ_CHECK(ok == valid, "I/O qualification 0x%llx: decoder says %d", (unsigned long long)q, ok);
    if (!ok)
        return;
    FUZZ_CHECK(io.size == size_code + 1, "I/O size %u for code %u", io.size, size_code);
    FUZZ_CHECK(io.port == bits(q, 16, 16), "I/O port 0x%x for 0x%llx", io.port,
               (unsigned long long)q);
    FUZZ_CHECK(io.in == bits(q, 3, 1) && io.string == string && io.rep == bits(q, 5, 1) &&
                   io.immediate == immediate,
               "I/O flags for 0x%llx", (unsigned long long)q);
}

static void check_cr(uint64_t q)
{
    struct exit_cr cr;
    memset(&cr, 0xa5, sizeof(cr));
    bool ok = exit_qual_decode_cr(q, &cr);
    unsigned number = (unsigned)bits(q, 0, 4), access = (unsigned)bits(q, 4, 2);
    bool mov = access == EXIT_CR_MOV_TO_CR || access == EXIT_CR_MOV_FROM_CR;
    bool valid = mov ? (number == 0 || number == 3 || number == 4 || number == 8) : number == 0;
    FUZZ_CHECK(ok == valid, "CR qualification 0x%llx: decoder says %d", (unsigned long long)q, ok);
    if (!ok)
        return; /* *out is unspecified */
    FUZZ_CHECK((unsigned)cr.access == access, "CR access %d for 0x%llx", cr.access,
               (unsigned long long)q);
    FUZZ_CHECK(cr.cr == number, "CR number %u for 0x%llx", cr.cr, (unsigned long long)q);
    FUZZ_CHECK(cr.gpr == (mov ? bits(q, 8, 4) : 0), "CR gpr %u for 0x%llx", cr.gpr,
               (unsigned long long)q);
    bool lmsw = access == EXIT_CR_LMSW;
    FUZZ_CHECK(cr.lmsw_memory_operand == (lmsw && bits(q, 6, 1)), "LMSW operand for 0x%llx",
               (unsigned long long)q);
    FUZZ_CHECK(cr.lmsw_source_data == (lmsw ? bits(q, 16, 16) : 0), "LMSW data 0x%x for 0x%llx",
               cr.lmsw_source_data, (unsigned long long)q);
}

static void check_ept(uint64_t q)
{
    struct exit_ept_violation v;
    memset(&v, 0xa5, sizeof(v));
    bool ok = exit_qual_decode_ept_violation(q, &v);
    FUZZ_CHECK(ok == !(bits(q, 8, 1) && !bits(q, 7, 1)), "EPT qualification 0x%llx: says %d",
               (unsigned long long)q, ok);
    if (!ok)
        return; /* *out is unspecified */
    const bool fields[] = {v.read,
                           v.write,
                           v.fetch,
                           v.readable,
                           v.writable,
                           v.executable,
                           v.user_executable,
                           v.gla_valid,
                           v.gla_translation,
                           v.user_mode_linear,
                           v.writable_linear,
                           v.execute_disable_linear,
                           v.nmi_unblocking,
                           v.shadow_stack_access};
    for (unsigned bit = 0; bit < sizeof(fields) / sizeof(fields[0]); bit++)
        FUZZ_CHECK(fields[bit] == bits(q, bit, 1), "EPT bit %u of 0x%llx decoded as %d", bit,
                   (unsigned long long)q, fields[bit]);
}

static void check_ins_outs(uint32_t info, bool is_ins)
{
    struct exit_ins_outs_info o;
    memset(&o, 0xa5, sizeof(o));
    bool ok = exit_instr_info_decode_ins_outs(info, is_ins, &o);
    unsigned asize = (unsigned)bits(info, 7, 3), seg = (unsigned)bits(info, 15, 3);
    bool valid = asize <= 2 && (is_ins || seg <= EXIT_SEGMENT_GS);
    FUZZ_CHECK(ok == valid, "instruction info 0x%x (%s): decoder says %d", info,
               is_ins ? "INS" : "OUTS", ok);
    if (!ok)
        return;
    FUZZ_CHECK(o.address_size == 16u << asize, "address size %u for code %u", o.address_size,
               asize);
    FUZZ_CHECK(o.segment == (is_ins ? EXIT_SEGMENT_ES : (enum exit_segment)seg),
               "segment %d for 0x%x", o.segment, info);
    static const char *const names[] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    const char *name = exit_segment_name(o.segment);
    FUZZ_CHECK(name && strcmp(name, names[o.segment]) == 0, "segment %d named %s", o.segment,
               name ? name : "(null)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_reader in = {data, size};
    while (fuzz_more(&in)) {
        uint64_t q = fuzz_u64(&in);
        check_io(q);
        check_cr(q);
        check_ept(q);
        check_ins_outs((uint32_t)q, false);
        check_ins_outs((uint32_t)q, true);
        check_ins_outs((uint32_t)(q >> 32), q & 1);
        const char *name = exit_segment_name((enum exit_segment)(q >> 61));
        FUZZ_CHECK(name != NULL && name[0] != '\0', "segment %u has no name", (unsigned)(q >> 61));
    }
    return 0;
}
