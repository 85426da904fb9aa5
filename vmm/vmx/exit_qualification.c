/* Exit-qualification and instruction-information decoders: field extraction with the layouts of
 * vmm/vmx/vmx_defs.h, plus rejection of the encodings the SDM marks as unused or reserved. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/exit_qualification.h"

bool exit_qual_decode_io(uint64_t qual, struct exit_io *out)
{
    /* Bits 2:0 are the size minus one; 2 and 4-7 are not used (table 28-5). */
    uint32_t size_code = (uint32_t)qual & EXIT_QUAL_IO_SIZE_MASK;
    if (size_code != 0 && size_code != 1 && size_code != 3)
        return false;

    out->port = (uint16_t)EXIT_QUAL_IO_PORT(qual);
    out->size = (uint8_t)EXIT_QUAL_IO_SIZE_BYTES(qual);
    out->in = (qual & EXIT_QUAL_IO_IN) != 0;
    out->string = (qual & EXIT_QUAL_IO_STRING) != 0;
    out->rep = (qual & EXIT_QUAL_IO_REP) != 0;
    out->immediate = (qual & EXIT_QUAL_IO_IMMEDIATE_OPERAND) != 0;

    /* INS and OUTS have no immediate-port form. */
    return !(out->string && out->immediate);
}

bool exit_qual_decode_cr(uint64_t qual, struct exit_cr *out)
{
    uint32_t cr = EXIT_QUAL_CR_NUMBER(qual);
    uint32_t access = EXIT_QUAL_CR_ACCESS_TYPE(qual);

    out->access = (enum exit_cr_access)access;
    out->cr = (uint8_t)cr;
    out->gpr = 0;
    out->lmsw_memory_operand = false;
    out->lmsw_source_data = 0;

    switch (access) {
    case EXIT_QUAL_CR_MOV_TO_CR:
    case EXIT_QUAL_CR_MOV_FROM_CR:
        /* Only these CRs exist in 64-bit mode; MOV to/from others is #UD, not a VM exit. */
        if (cr != 0 && cr != 3 && cr != 4 && cr != 8)
            return false;
        out->gpr = (uint8_t)EXIT_QUAL_CR_GPR(qual);
        return true;
    case EXIT_QUAL_CR_LMSW:
        out->lmsw_memory_operand = (qual & EXIT_QUAL_CR_LMSW_MEMORY_OPERAND) != 0;
        out->lmsw_source_data = (uint16_t)EXIT_QUAL_CR_LMSW_SOURCE_DATA(qual);
        return cr == 0;
    case EXIT_QUAL_CR_CLTS:
    default:
        return cr == 0;
    }
}

bool exit_qual_decode_ept_violation(uint64_t qual, struct exit_ept_violation *out)
{
    out->read = (qual & EXIT_QUAL_EPT_DATA_READ) != 0;
    out->write = (qual & EXIT_QUAL_EPT_DATA_WRITE) != 0;
    out->fetch = (qual & EXIT_QUAL_EPT_INSTRUCTION_FETCH) != 0;
    out->readable = (qual & EXIT_QUAL_EPT_READABLE) != 0;
    out->writable = (qual & EXIT_QUAL_EPT_WRITABLE) != 0;
    out->executable = (qual & EXIT_QUAL_EPT_EXECUTABLE) != 0;
    out->user_executable = (qual & EXIT_QUAL_EPT_USER_EXECUTABLE) != 0;
    out->gla_valid = (qual & EXIT_QUAL_EPT_GLA_VALID) != 0;
    out->gla_translation = (qual & EXIT_QUAL_EPT_GLA_TRANSLATION) != 0;
    out->user_mode_linear = (qual & EXIT_QUAL_EPT_USER_MODE_LINEAR_ADDRESS) != 0;
    out->writable_linear = (qual & EXIT_QUAL_EPT_READ_WRITE_LINEAR_ADDRESS) != 0;
    out->execute_disable_linear = (qual & EXIT_QUAL_EPT_EXECUTE_DISABLE_LINEAR) != 0;
    out->nmi_unblocking = (qual & EXIT_QUAL_EPT_NMI_UNBLOCKING_IRET) != 0;
    out->shadow_stack_access = (qual & EXIT_QUAL_EPT_SHADOW_STACK_ACCESS) != 0;

    /* Bit 8 is reserved (cleared to 0) when bit 7 is 0. */
    return out->gla_valid || !out->gla_translation;
}

bool exit_instr_info_decode_ins_outs(uint32_t info, bool is_ins, struct exit_ins_outs_info *out)
{
    static const uint8_t address_sizes[] = {16, 32, 64};
    uint32_t size_code = VMX_INSTR_INFO_ADDRESS_SIZE(info);
    uint32_t segment = VMX_INSTR_INFO_SEGMENT(info);

    if (size_code >= sizeof(address_sizes))
        return false;
    out->address_size = address_sizes[size_code];

    if (is_ins) {
        out->segment = EXIT_SEGMENT_ES;
        return true;
    }
    if (segment > EXIT_SEGMENT_GS)
        return false;
    out->segment = (enum exit_segment)segment;
    return true;
}

const char *exit_segment_name(enum exit_segment segment)
{
    switch (segment) {
    case EXIT_SEGMENT_ES:
        return "ES";
    case EXIT_SEGMENT_CS:
        return "CS";
    case EXIT_SEGMENT_SS:
        return "SS";
    case EXIT_SEGMENT_DS:
        return "DS";
    case EXIT_SEGMENT_FS:
        return "FS";
    case EXIT_SEGMENT_GS:
        return "GS";
    default:
        return "unknown";
    }
}
