/* Decoders of VM-exit information into plain structs (vmm/vmx/exit_qualification.c): the exit
 * qualification of I/O, control-register and EPT-violation exits, and INS/OUTS instruction info. */
#ifndef MICA_VMM_VMX_EXIT_QUALIFICATION_H
#define MICA_VMM_VMX_EXIT_QUALIFICATION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Tables are those of SDM vol. 3C §28.2.1 "Basic VM-Exit Information" (2023 editions on; older
 * editions number them 27-x). Bits the SDM leaves undefined ("not currently defined") are ignored,
 * so a future processor that defines them does not break the decoders. A decoder returns false
 * only for an encoding the SDM marks as unused or reserved, or for a combination no instruction
 * can produce; *out is then unspecified. The pointer must not be NULL.
 */

/* ---- I/O instructions (table 28-5) ----------------------------------------------------------- */

struct exit_io {
    uint16_t port;
    uint8_t size;   /* access size in bytes: 1, 2 or 4 */
    bool in;        /* IN/INS (port to memory or register); false: OUT/OUTS */
    bool string;    /* INS/OUTS */
    bool rep;       /* REP prefix (string instructions) */
    bool immediate; /* port given as an immediate byte; false: port in DX */
};

/* False for a size field (bits 2:0) other than 0, 1 or 3, and for a string instruction with an
 * immediate port operand (INS/OUTS always take the port from DX). */
bool exit_qual_decode_io(uint64_t qual, struct exit_io *out);

/* ---- Control-register accesses (table 28-3) -------------------------------------------------- */

enum exit_cr_access {
    EXIT_CR_MOV_TO_CR = 0,
    EXIT_CR_MOV_FROM_CR = 1,
    EXIT_CR_CLTS = 2,
    EXIT_CR_LMSW = 3,
};

struct exit_cr {
    enum exit_cr_access access;
    uint8_t cr;                /* 0, 3, 4 or 8; 0 for CLTS and LMSW */
    uint8_t gpr;               /* MOV CR: 0 = RAX, 1 = RCX, .. 4 = RSP, .. 15 = R15; else 0 */
    bool lmsw_memory_operand;  /* LMSW from memory; false: from a register (or not LMSW) */
    uint16_t lmsw_source_data; /* LMSW: the 16-bit source operand; else 0 */
};

/* False for MOV to/from a CR other than 0, 3, 4, 8 and for CLTS or LMSW with a CR number other
 * than 0. Fields that do not apply to the access type are set to 0 (false). */
bool exit_qual_decode_cr(uint64_t qual, struct exit_cr *out);

/* ---- EPT violations (table 28-7) ------------------------------------------------------------- */

struct exit_ept_violation {
    /* The access that caused the violation. */
    bool read;
    bool write;
    bool fetch;
    /* What the guest-physical address's translation permits (the AND of bits 2:0, and bit 10 for
     * user_executable, over the EPT entries walked; all false if the address was not mapped). */
    bool readable;
    bool writable;
    bool executable;      /* supervisor-mode executable when mode-based execute control is on */
    bool user_executable; /* only with mode-based execute control; else undefined */
    /* Guest-linear address field valid (bit 7). When it is, gla_translation (bit 8) tells an
     * access to the translation of that linear address (true) from an access to a guest
     * paging-structure entry during the page walk or an A/D-bit update (false). */
    bool gla_valid;
    bool gla_translation;
    /* Bits 9-11: meaningful only when gla_valid and gla_translation are true and
     * IA32_VMX_EPT_VPID_CAP[22] (advanced VM-exit information for EPT violations) is 1. */
    bool user_mode_linear;       /* the linear address was user-mode accessible */
    bool writable_linear;        /* guest paging allowed writes to the linear address */
    bool execute_disable_linear; /* guest paging made the linear address execute-disable */
    /* NMI unblocking due to IRET (bit 12): the faulting access belonged to an IRET that had
     * already unblocked NMIs (virtual NMIs under the "virtual NMIs" control); to re-execute it
     * correctly the VMM sets blocking by NMI in the guest interruptibility state first.
     * Undefined when the exit happened during event delivery (IDT-vectoring information valid). */
    bool nmi_unblocking;
    bool shadow_stack_access; /* bit 13 */
};

/* False when bit 8 is set without bit 7 (bit 8 is reserved, cleared to 0, if bit 7 is 0). */
bool exit_qual_decode_ept_violation(uint64_t qual, struct exit_ept_violation *out);

/* ---- VM-exit instruction information for INS and OUTS (table 28-8) --------------------------- */

/* Segment registers in the encoding of table 28-8 (bits 17:15). */
enum exit_segment {
    EXIT_SEGMENT_ES = 0,
    EXIT_SEGMENT_CS = 1,
    EXIT_SEGMENT_SS = 2,
    EXIT_SEGMENT_DS = 3,
    EXIT_SEGMENT_FS = 4,
    EXIT_SEGMENT_GS = 5,
};

struct exit_ins_outs_info {
    uint8_t address_size;      /* 16, 32 or 64: the width of RSI/RDI (and RCX for REP) */
    enum exit_segment segment; /* OUTS: the source segment (DS or an override); INS: always ES */
};

/* info is the VM_EXIT_INSTRUCTION_INFORMATION field of an I/O exit for INS (is_ins) or OUTS; the
 * processor stores it only if IA32_VMX_BASIC[54] is 1. For INS the segment field is undefined
 * and ignored: INS writes through ES, which no prefix overrides. False for an address size other
 * than 0, 1, 2 and, for OUTS, a segment number above 5. */
bool exit_instr_info_decode_ins_outs(uint32_t info, bool is_ins, struct exit_ins_outs_info *out);

/* "ES", "CS", "SS", "DS", "FS", "GS"; "unknown" for anything else. Never NULL. */
const char *exit_segment_name(enum exit_segment segment);

#endif
