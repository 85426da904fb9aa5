/* The VMCS field table: one X-macro list of every field in Intel SDM vol. 3 appendix B with its
 * encoding and width, enum vmcs_field generated from it, and the layout of an encoding. */
#ifndef MICA_VMM_VMX_VMCS_FIELDS_H
#define MICA_VMM_VMX_VMCS_FIELDS_H

/*
 * VMCS component encoding (SDM vol. 3C §25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields",
 * table "Structure of VMCS Component Encoding"):
 *
 *   bit  0      access type: 0 = full, 1 = high. "High" is only meaningful for 64-bit fields and
 *               names their upper 32 bits (needed by 32-bit software); it is the full encoding
 *               plus 1. 16-bit, 32-bit and natural-width fields must be accessed as full.
 *   bits 9:1    index
 *   bits 11:10  type: 0 = control, 1 = VM-exit information (read-only data), 2 = guest state,
 *               3 = host state
 *   bit  12     reserved, must be 0
 *   bits 14:13  width: 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural-width
 *   bits 31:15  reserved, must be 0 (VMREAD/VMWRITE fail with VM-instruction error 12 otherwise)
 *
 * Indices are not dense (there is no 32-bit guest-state field with index 0x16, i.e. 0x482c), and
 * which fields exist depends on the processor: VMREAD/VMWRITE of a field listed here but not
 * supported fails with error 12. IA32_VMX_VMCS_ENUM bits 9:1 report the highest index in use.
 */
#define VMCS_ENC_ACCESS_HIGH   0x00000001u
#define VMCS_ENC_RESERVED_MASK 0xffff9000u
#define VMCS_ENC_INDEX(e)      (((e) >> 1) & 0x1ffu)
#define VMCS_ENC_TYPE(e)       (((e) >> 10) & 0x3u)
#define VMCS_ENC_WIDTH(e)      (((e) >> 13) & 0x3u)

enum vmcs_field_type {
    VMCS_TYPE_CONTROL = 0,
    VMCS_TYPE_EXIT_INFORMATION = 1,
    VMCS_TYPE_GUEST_STATE = 2,
    VMCS_TYPE_HOST_STATE = 3,
};

/* The value of encoding bits 14:13 for each width (note the 64/32 order). */
enum vmcs_width_code {
    VMCS_WIDTH_CODE_16 = 0,
    VMCS_WIDTH_CODE_64 = 1,
    VMCS_WIDTH_CODE_32 = 2,
    VMCS_WIDTH_CODE_NATURAL = 3,
};

/* Widths as reported by vmcs_field_width(); VMCS_WIDTH_##w maps a width token of the list below. */
enum vmcs_width {
    VMCS_WIDTH_UNKNOWN = -1,
    VMCS_WIDTH_NATURAL = 0, /* 64 bits on processors that support Intel 64, 32 bits otherwise */
    VMCS_WIDTH_16 = 16,
    VMCS_WIDTH_32 = 32,
    VMCS_WIDTH_64 = 64,
};

/*
 * X(NAME, encoding, width) for every field of SDM vol. 3D appendix B, in the appendix's order
 * (B.1 16-bit, B.2 64-bit, B.3 32-bit, B.4 natural-width). NAME is the SDM's wording in upper
 * snake case, without a prefix ("Exit qualification" -> EXIT_QUALIFICATION). Departures:
 *   - "Exit reason" is VM_EXIT_REASON, and the "... field" suffix of the interruption-information
 *     and IDT-vectoring information fields is dropped.
 *   - The FRED-era editions rename the event fields: VM-entry interruption information is
 *     "injected-event identification", VM-exit interruption information "exiting-event
 *     identification", IDT-vectoring information "original-event identification" (and their error
 *     codes likewise); the classic names are kept here.
 * 64-bit fields are listed by their full encoding only; the high half is encoding + 1.
 * The FRED fields (injected-/original-event data, guest/host IA32_FRED_*) come from the FRED
 * specification, merged into recent SDM editions. Fields that exist only in the TDX module's
 * SEAM VMCS are not listed.
 */
#define VMCS_FIELD_LIST(X)                                                                         \
    /* B.1.1 16-bit control fields */                                                              \
    X(VIRTUAL_PROCESSOR_IDENTIFIER, 0x0000, 16)                                                    \
    X(POSTED_INTERRUPT_NOTIFICATION_VECTOR, 0x0002, 16)                                            \
    X(EPTP_INDEX, 0x0004, 16)                                                                      \
    X(HLAT_PREFIX_SIZE, 0x0006, 16)                                                                \
    X(LAST_PID_POINTER_INDEX, 0x0008, 16)                                                          \
    /* B.1.2 16-bit guest-state fields */                                                          \
    X(GUEST_ES_SELECTOR, 0x0800, 16)                                                               \
    X(GUEST_CS_SELECTOR, 0x0802, 16)                                                               \
    X(GUEST_SS_SELECTOR, 0x0804, 16)                                                               \
    X(GUEST_DS_SELECTOR, 0x0806, 16)                                                               \
    X(GUEST_FS_SELECTOR, 0x0808, 16)                                                               \
    X(GUEST_GS_SELECTOR, 0x080a, 16)                                                               \
    X(GUEST_LDTR_SELECTOR, 0x080c, 16)                                                             \
    X(GUEST_TR_SELECTOR, 0x080e, 16)                                                               \
    X(GUEST_INTERRUPT_STATUS, 0x0810, 16)                                                          \
    X(PML_INDEX, 0x0812, 16)                                                                       \
    X(GUEST_UINV, 0x0814, 16)                                                                      \
    /* B.1.3 16-bit host-state fields */                                                           \
    X(HOST_ES_SELECTOR, 0x0c00, 16)                                                                \
    X(HOST_CS_SELECTOR, 0x0c02, 16)                                                                \
    X(HOST_SS_SELECTOR, 0x0c04, 16)                                                                \
    X(HOST_DS_SELECTOR, 0x0c06, 16)                                                                \
    X(HOST_FS_SELECTOR, 0x0c08, 16)                                                                \
    X(HOST_GS_SELECTOR, 0x0c0a, 16)                                                                \
    X(HOST_TR_SELECTOR, 0x0c0c, 16)                                                                \
    /* B.2.1 64-bit control fields */                                                              \
    X(IO_BITMAP_A_ADDRESS, 0x2000, 64)                                                             \
    X(IO_BITMAP_B_ADDRESS, 0x2002, 64)                                                             \
    X(MSR_BITMAPS_ADDRESS, 0x2004, 64)                                                             \
    X(VM_EXIT_MSR_STORE_ADDRESS, 0x2006, 64)                                                       \
    X(VM_EXIT_MSR_LOAD_ADDRESS, 0x2008, 64)                                                        \
    X(VM_ENTRY_MSR_LOAD_ADDRESS, 0x200a, 64)                                                       \
    X(EXECUTIVE_VMCS_POINTER, 0x200c, 64)                                                          \
    X(PML_ADDRESS, 0x200e, 64)                                                                     \
    X(TSC_OFFSET, 0x2010, 64)                                                                      \
    X(VIRTUAL_APIC_ADDRESS, 0x2012, 64)                                                            \
    X(APIC_ACCESS_ADDRESS, 0x2014, 64)                                                             \
    X(POSTED_INTERRUPT_DESCRIPTOR_ADDRESS, 0x2016, 64)                                             \
    X(VM_FUNCTION_CONTROLS, 0x2018, 64)                                                            \
    X(EPT_POINTER, 0x201a, 64)                                                                     \
    X(EOI_EXIT_BITMAP_0, 0x201c, 64)                                                               \
    X(EOI_EXIT_BITMAP_1, 0x201e, 64)                                                               \
    X(EOI_EXIT_BITMAP_2, 0x2020, 64)                                                               \
    X(EOI_EXIT_BITMAP_3, 0x2022, 64)                                                               \
    X(EPTP_LIST_ADDRESS, 0x2024, 64)                                                               \
    X(VMREAD_BITMAP_ADDRESS, 0x2026, 64)                                                           \
    X(VMWRITE_BITMAP_ADDRESS, 0x2028, 64)                                                          \
    X(VIRTUALIZATION_EXCEPTION_INFORMATION_ADDRESS, 0x202a, 64)                                    \
    X(XSS_EXITING_BITMAP, 0x202c, 64)                                                              \
    X(ENCLS_EXITING_BITMAP, 0x202e, 64)                                                            \
    X(SUB_PAGE_PERMISSION_TABLE_POINTER, 0x2030, 64)                                               \
    X(TSC_MULTIPLIER, 0x2032, 64)                                                                  \
    X(TERTIARY_PROC_BASED_VM_EXEC_CONTROLS, 0x2034, 64)                                            \
    X(ENCLV_EXITING_BITMAP, 0x2036, 64)                                                            \
    X(LOW_PASID_DIRECTORY_ADDRESS, 0x2038, 64)                                                     \
    X(HIGH_PASID_DIRECTORY_ADDRESS, 0x203a, 64)                                                    \
    X(SHARED_EPT_POINTER, 0x203c, 64)                                                              \
    X(PCONFIG_EXITING_BITMAP, 0x203e, 64)                                                          \
    /* "Hypervisor-managed linear-address translation pointer (HLATP)" */                          \
    X(HLAT_POINTER, 0x2040, 64)                                                                    \
    X(PID_POINTER_TABLE_ADDRESS, 0x2042, 64)                                                       \
    X(SECONDARY_VM_EXIT_CONTROLS, 0x2044, 64)                                                      \
    X(IA32_SPEC_CTRL_MASK, 0x204a, 64)                                                             \
    X(IA32_SPEC_CTRL_SHADOW, 0x204c, 64)                                                           \
    X(INJECTED_EVENT_DATA, 0x2052, 64)                                                             \
    /* B.2.2 64-bit read-only data fields */                                                       \
    X(GUEST_PHYSICAL_ADDRESS, 0x2400, 64)                                                          \
    X(ORIGINAL_EVENT_DATA, 0x2404, 64)                                                             \
    /* B.2.3 64-bit guest-state fields */                                                          \
    X(VMCS_LINK_POINTER, 0x2800, 64)                                                               \
    X(GUEST_IA32_DEBUGCTL, 0x2802, 64)                                                             \
    X(GUEST_IA32_PAT, 0x2804, 64)                                                                  \
    X(GUEST_IA32_EFER, 0x2806, 64)                                                                 \
    X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808, 64)                                                     \
    X(GUEST_PDPTE0, 0x280a, 64)                                                                    \
    X(GUEST_PDPTE1, 0x280c, 64)                                                                    \
    X(GUEST_PDPTE2, 0x280e, 64)                                                                    \
    X(GUEST_PDPTE3, 0x2810, 64)                                                                    \
    X(GUEST_IA32_BNDCFGS, 0x2812, 64)                                                              \
    X(GUEST_IA32_RTIT_CTL, 0x2814, 64)                                                             \
    X(GUEST_IA32_LBR_CTL, 0x2816, 64)                                                              \
    X(GUEST_IA32_PKRS, 0x2818, 64)                                                                 \
    X(GUEST_IA32_FRED_CONFIG, 0x281a, 64)                                                          \
    X(GUEST_IA32_FRED_RSP1, 0x281c, 64)                                                            \
    X(GUEST_IA32_FRED_RSP2, 0x281e, 64)                                                            \
    X(GUEST_IA32_FRED_RSP3, 0x2820, 64)                                                            \
    X(GUEST_IA32_FRED_STKLVLS, 0x2822, 64)                                                         \
    X(GUEST_IA32_FRED_SSP1, 0x2824, 64)                                                            \
    X(GUEST_IA32_FRED_SSP2, 0x2826, 64)                                                            \
    X(GUEST_IA32_FRED_SSP3, 0x2828, 64)                                                            \
    /* B.2.4 64-bit host-state fields */                                                           \
    X(HOST_IA32_PAT, 0x2c00, 64)                                                                   \
    X(HOST_IA32_EFER, 0x2c02, 64)                                                                  \
    X(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04, 64)                                                      \
    X(HOST_IA32_PKRS, 0x2c06, 64)                                                                  \
    X(HOST_IA32_FRED_CONFIG, 0x2c08, 64)                                                           \
    X(HOST_IA32_FRED_RSP1, 0x2c0a, 64)                                                             \
    X(HOST_IA32_FRED_RSP2, 0x2c0c, 64)                                                             \
    X(HOST_IA32_FRED_RSP3, 0x2c0e, 64)                                                             \
    X(HOST_IA32_FRED_STKLVLS, 0x2c10, 64)                                                          \
    X(HOST_IA32_FRED_SSP1, 0x2c12, 64)                                                             \
    X(HOST_IA32_FRED_SSP2, 0x2c14, 64)                                                             \
    X(HOST_IA32_FRED_SSP3, 0x2c16, 64)                                                             \
    /* B.3.1 32-bit control fields */                                                              \
    X(PIN_BASED_VM_EXEC_CONTROLS, 0x4000, 32)                                                      \
    X(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, 0x4002, 32)                                             \
    X(EXCEPTION_BITMAP, 0x4004, 32)                                                                \
    X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006, 32)                                                      \
    X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008, 32)                                                     \
    X(CR3_TARGET_COUNT, 0x400a, 32)                                                                \
    X(PRIMARY_VM_EXIT_CONTROLS, 0x400c, 32)                                                        \
    X(VM_EXIT_MSR_STORE_COUNT, 0x400e, 32)                                                         \
    X(VM_EXIT_MSR_LOAD_COUNT, 0x4010, 32)                                                          \
    X(VM_ENTRY_CONTROLS, 0x4012, 32)                                                               \
    X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014, 32)                                                         \
    X(VM_ENTRY_INTERRUPTION_INFORMATION, 0x4016, 32)                                               \
    X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018, 32)                                                   \
    X(VM_ENTRY_INSTRUCTION_LENGTH, 0x401a, 32)                                                     \
    X(TPR_THRESHOLD, 0x401c, 32)                                                                   \
    X(SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, 0x401e, 32)                                           \
    X(PLE_GAP, 0x4020, 32)                                                                         \
    X(PLE_WINDOW, 0x4022, 32)                                                                      \
    X(INSTRUCTION_TIMEOUT_CONTROL, 0x4024, 32)                                                     \
    /* B.3.2 32-bit read-only data fields */                                                       \
    X(VM_INSTRUCTION_ERROR, 0x4400, 32)                                                            \
    X(VM_EXIT_REASON, 0x4402, 32)                                                                  \
    X(VM_EXIT_INTERRUPTION_INFORMATION, 0x4404, 32)                                                \
    X(VM_EXIT_INTERRUPTION_ERROR_CODE, 0x4406, 32)                                                 \
    X(IDT_VECTORING_INFORMATION, 0x4408, 32)                                                       \
    X(IDT_VECTORING_ERROR_CODE, 0x440a, 32)                                                        \
    X(VM_EXIT_INSTRUCTION_LENGTH, 0x440c, 32)                                                      \
    X(VM_EXIT_INSTRUCTION_INFORMATION, 0x440e, 32)                                                 \
    /* B.3.3 32-bit guest-state fields */                                                          \
    X(GUEST_ES_LIMIT, 0x4800, 32)                                                                  \
    X(GUEST_CS_LIMIT, 0x4802, 32)                                                                  \
    X(GUEST_SS_LIMIT, 0x4804, 32)                                                                  \
    X(GUEST_DS_LIMIT, 0x4806, 32)                                                                  \
    X(GUEST_FS_LIMIT, 0x4808, 32)                                                                  \
    X(GUEST_GS_LIMIT, 0x480a, 32)                                                                  \
    X(GUEST_LDTR_LIMIT, 0x480c, 32)                                                                \
    X(GUEST_TR_LIMIT, 0x480e, 32)                                                                  \
    X(GUEST_GDTR_LIMIT, 0x4810, 32)                                                                \
    X(GUEST_IDTR_LIMIT, 0x4812, 32)                                                                \
    X(GUEST_ES_ACCESS_RIGHTS, 0x4814, 32)                                                          \
    X(GUEST_CS_ACCESS_RIGHTS, 0x4816, 32)                                                          \
    X(GUEST_SS_ACCESS_RIGHTS, 0x4818, 32)                                                          \
    X(GUEST_DS_ACCESS_RIGHTS, 0x481a, 32)                                                          \
    X(GUEST_FS_ACCESS_RIGHTS, 0x481c, 32)                                                          \
    X(GUEST_GS_ACCESS_RIGHTS, 0x481e, 32)                                                          \
    X(GUEST_LDTR_ACCESS_RIGHTS, 0x4820, 32)                                                        \
    X(GUEST_TR_ACCESS_RIGHTS, 0x4822, 32)                                                          \
    X(GUEST_INTERRUPTIBILITY_STATE, 0x4824, 32)                                                    \
    X(GUEST_ACTIVITY_STATE, 0x4826, 32)                                                            \
    X(GUEST_SMBASE, 0x4828, 32)                                                                    \
    X(GUEST_IA32_SYSENTER_CS, 0x482a, 32)                                                          \
    X(VMX_PREEMPTION_TIMER_VALUE, 0x482e, 32)                                                      \
    /* B.3.4 32-bit host-state field */                                                            \
    X(HOST_IA32_SYSENTER_CS, 0x4c00, 32)                                                           \
    /* B.4.1 natural-width control fields */                                                       \
    X(CR0_GUEST_HOST_MASK, 0x6000, NATURAL)                                                        \
    X(CR4_GUEST_HOST_MASK, 0x6002, NATURAL)                                                        \
    X(CR0_READ_SHADOW, 0x6004, NATURAL)                                                            \
    X(CR4_READ_SHADOW, 0x6006, NATURAL)                                                            \
    X(CR3_TARGET_VALUE_0, 0x6008, NATURAL)                                                         \
    X(CR3_TARGET_VALUE_1, 0x600a, NATURAL)                                                         \
    X(CR3_TARGET_VALUE_2, 0x600c, NATURAL)                                                         \
    X(CR3_TARGET_VALUE_3, 0x600e, NATURAL)                                                         \
    /* B.4.2 natural-width read-only data fields */                                                \
    X(EXIT_QUALIFICATION, 0x6400, NATURAL)                                                         \
    X(IO_RCX, 0x6402, NATURAL)                                                                     \
    X(IO_RSI, 0x6404, NATURAL)                                                                     \
    X(IO_RDI, 0x6406, NATURAL)                                                                     \
    X(IO_RIP, 0x6408, NATURAL)                                                                     \
    X(GUEST_LINEAR_ADDRESS, 0x640a, NATURAL)                                                       \
    /* B.4.3 natural-width guest-state fields */                                                   \
    X(GUEST_CR0, 0x6800, NATURAL)                                                                  \
    X(GUEST_CR3, 0x6802, NATURAL)                                                                  \
    X(GUEST_CR4, 0x6804, NATURAL)                                                                  \
    X(GUEST_ES_BASE, 0x6806, NATURAL)                                                              \
    X(GUEST_CS_BASE, 0x6808, NATURAL)                                                              \
    X(GUEST_SS_BASE, 0x680a, NATURAL)                                                              \
    X(GUEST_DS_BASE, 0x680c, NATURAL)                                                              \
    X(GUEST_FS_BASE, 0x680e, NATURAL)                                                              \
    X(GUEST_GS_BASE, 0x6810, NATURAL)                                                              \
    X(GUEST_LDTR_BASE, 0x6812, NATURAL)                                                            \
    X(GUEST_TR_BASE, 0x6814, NATURAL)                                                              \
    X(GUEST_GDTR_BASE, 0x6816, NATURAL)                                                            \
    X(GUEST_IDTR_BASE, 0x6818, NATURAL)                                                            \
    X(GUEST_DR7, 0x681a, NATURAL)                                                                  \
    X(GUEST_RSP, 0x681c, NATURAL)                                                                  \
    X(GUEST_RIP, 0x681e, NATURAL)                                                                  \
    X(GUEST_RFLAGS, 0x6820, NATURAL)                                                               \
    X(GUEST_PENDING_DEBUG_EXCEPTIONS, 0x6822, NATURAL)                                             \
    X(GUEST_IA32_SYSENTER_ESP, 0x6824, NATURAL)                                                    \
    X(GUEST_IA32_SYSENTER_EIP, 0x6826, NATURAL)                                                    \
    X(GUEST_IA32_S_CET, 0x6828, NATURAL)                                                           \
    X(GUEST_SSP, 0x682a, NATURAL)                                                                  \
    X(GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR, 0x682c, NATURAL)                                        \
    /* B.4.4 natural-width host-state fields */                                                    \
    X(HOST_CR0, 0x6c00, NATURAL)                                                                   \
    X(HOST_CR3, 0x6c02, NATURAL)                                                                   \
    X(HOST_CR4, 0x6c04, NATURAL)                                                                   \
    X(HOST_FS_BASE, 0x6c06, NATURAL)                                                               \
    X(HOST_GS_BASE, 0x6c08, NATURAL)                                                               \
    X(HOST_TR_BASE, 0x6c0a, NATURAL)                                                               \
    X(HOST_GDTR_BASE, 0x6c0c, NATURAL)                                                             \
    X(HOST_IDTR_BASE, 0x6c0e, NATURAL)                                                             \
    X(HOST_IA32_SYSENTER_ESP, 0x6c10, NATURAL)                                                     \
    X(HOST_IA32_SYSENTER_EIP, 0x6c12, NATURAL)                                                     \
    X(HOST_RSP, 0x6c14, NATURAL)                                                                   \
    X(HOST_RIP, 0x6c16, NATURAL)                                                                   \
    X(HOST_IA32_S_CET, 0x6c18, NATURAL)                                                            \
    X(HOST_SSP, 0x6c1a, NATURAL)                                                                   \
    X(HOST_IA32_INTERRUPT_SSP_TABLE_ADDR, 0x6c1c, NATURAL)

/* Full encodings (SDM appendix B); pass these to VMREAD/VMWRITE. */
enum vmcs_field {
#define VMCS_FIELD_ENUMERATOR(n, e, w) n = e,
    VMCS_FIELD_LIST(VMCS_FIELD_ENUMERATOR)
#undef VMCS_FIELD_ENUMERATOR
};

#endif
