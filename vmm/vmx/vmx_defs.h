/* Architectural VMX constants: exit reasons, VM-instruction errors, VM-execution/exit/entry control
 * bits, event and exit-qualification layouts, VMX capability MSRs, and EPT entry/EPTP formats. */
#ifndef MICA_VMM_VMX_VMX_DEFS_H
#define MICA_VMM_VMX_VMX_DEFS_H

/*
 * Section and table numbers are those of the Intel SDM vol. 3C/3D editions from 2023 on
 * (chapter 25 "Virtual Machine Control Structures", 27 "VM Entries", 28 "VM Exits", 29 "VMX
 * Support for Address Translation", 31 "VMX Instruction Reference", appendices A-C). Older
 * editions number the same chapters 24-30. Definitions only (the function-like macros need
 * <stdint.h>); usable freestanding and in host unit tests.
 */

#include <stdint.h>

/* ---------------------------------------------------------------------------------------------
 * Exit reason (SDM §25.9.1 "Basic VM-Exit Information", table "Format of Exit Reason")
 * ------------------------------------------------------------------------------------------- */

#define VMX_EXIT_REASON_BASIC_MASK        0x0000ffffu
#define VMX_EXIT_REASON_BASIC(r)          (VMX_EXIT_REASON_BASIC_MASK & (uint32_t)(r))
/* Bit 16 is always 0. */
#define VMX_EXIT_REASON_SHADOW_STACK_BUSY (1u << 25) /* recent editions: prematurely busy SS */
#define VMX_EXIT_REASON_BUS_LOCK_DETECTED (1u << 26) /* VMM bus-lock detection */
#define VMX_EXIT_REASON_ENCLAVE_MODE      (1u << 27) /* exit was incident to enclave mode */
#define VMX_EXIT_REASON_PENDING_MTF       (1u << 28) /* SMM VM exits only */
#define VMX_EXIT_REASON_FROM_VMX_ROOT     (1u << 29) /* SMM VM exits only */
#define VMX_EXIT_REASON_FAILED_VMENTRY    (1u << 31) /* 0 = true VM exit, 1 = entry failure */

/*
 * Basic exit reasons (SDM appendix C "VMX Basic Exit Reasons"): X(NAME, number, description).
 * Numbers 35, 38, 42, 71, 82 and 83 are not defined. Reasons 33, 34 and 41 come with
 * VMX_EXIT_REASON_FAILED_VMENTRY set (SDM §27.8): the VM entry failed while checking or loading
 * guest state, and the processor then loaded host state as it does on a VM exit.
 */
#define VMX_EXIT_REASON_LIST(X)                                                                    \
    X(EXIT_REASON_EXCEPTION_NMI, 0, "Exception or non-maskable interrupt (NMI)")                   \
    X(EXIT_REASON_EXTERNAL_INTERRUPT, 1, "External interrupt")                                     \
    X(EXIT_REASON_TRIPLE_FAULT, 2, "Triple fault")                                                 \
    X(EXIT_REASON_INIT_SIGNAL, 3, "INIT signal")                                                   \
    X(EXIT_REASON_SIPI, 4, "Start-up IPI (SIPI)")                                                  \
    X(EXIT_REASON_IO_SMI, 5, "I/O system-management interrupt (SMI)")                              \
    X(EXIT_REASON_OTHER_SMI, 6, "Other SMI")                                                       \
    X(EXIT_REASON_INTERRUPT_WINDOW, 7, "Interrupt window")                                         \
    X(EXIT_REASON_NMI_WINDOW, 8, "NMI window")                                                     \
    X(EXIT_REASON_TASK_SWITCH, 9, "Task switch")                                                   \
    X(EXIT_REASON_CPUID, 10, "CPUID")                                                              \
    X(EXIT_REASON_GETSEC, 11, "GETSEC")                                                            \
    X(EXIT_REASON_HLT, 12, "HLT")                                                                  \
    X(EXIT_REASON_INVD, 13, "INVD")                                                                \
    X(EXIT_REASON_INVLPG, 14, "INVLPG")                                                            \
    X(EXIT_REASON_RDPMC, 15, "RDPMC")                                                              \
    X(EXIT_REASON_RDTSC, 16, "RDTSC")                                                              \
    X(EXIT_REASON_RSM, 17, "RSM")                                                                  \
    X(EXIT_REASON_VMCALL, 18, "VMCALL")                                                            \
    X(EXIT_REASON_VMCLEAR, 19, "VMCLEAR")                                                          \
    X(EXIT_REASON_VMLAUNCH, 20, "VMLAUNCH")                                                        \
    X(EXIT_REASON_VMPTRLD, 21, "VMPTRLD")                                                          \
    X(EXIT_REASON_VMPTRST, 22, "VMPTRST")                                                          \
    X(EXIT_REASON_VMREAD, 23, "VMREAD")                                                            \
    X(EXIT_REASON_VMRESUME, 24, "VMRESUME")                                                        \
    X(EXIT_REASON_VMWRITE, 25, "VMWRITE")                                                          \
    X(EXIT_REASON_VMXOFF, 26, "VMXOFF")                                                            \
    X(EXIT_REASON_VMXON, 27, "VMXON")                                                              \
    X(EXIT_REASON_CR_ACCESS, 28, "Control-register accesses")                                      \
    X(EXIT_REASON_MOV_DR, 29, "MOV DR")                                                            \
    X(EXIT_REASON_IO_INSTRUCTION, 30, "I/O instruction")                                           \
    X(EXIT_REASON_RDMSR, 31, "RDMSR")                                                              \
    X(EXIT_REASON_WRMSR, 32, "WRMSR or WRMSRNS")                                                   \
    X(EXIT_REASON_INVALID_GUEST_STATE, 33, "VM-entry failure due to invalid guest state")          \
    X(EXIT_REASON_MSR_LOADING, 34, "VM-entry failure due to MSR loading")                          \
    X(EXIT_REASON_MWAIT, 36, "MWAIT")                                                              \
    X(EXIT_REASON_MONITOR_TRAP_FLAG, 37, "Monitor trap flag")                                      \
    X(EXIT_REASON_MONITOR, 39, "MONITOR")                                                          \
    X(EXIT_REASON_PAUSE, 40, "PAUSE")                                                              \
    X(EXIT_REASON_MACHINE_CHECK, 41, "VM-entry failure due to machine-check event")                \
    X(EXIT_REASON_TPR_BELOW_THRESHOLD, 43, "TPR below threshold")                                  \
    X(EXIT_REASON_APIC_ACCESS, 44, "APIC access")                                                  \
    X(EXIT_REASON_VIRTUALIZED_EOI, 45, "Virtualized EOI")                                          \
    X(EXIT_REASON_GDTR_IDTR_ACCESS, 46, "Access to GDTR or IDTR")                                  \
    X(EXIT_REASON_LDTR_TR_ACCESS, 47, "Access to LDTR or TR")                                      \
    X(EXIT_REASON_EPT_VIOLATION, 48, "EPT violation")                                              \
    X(EXIT_REASON_EPT_MISCONFIGURATION, 49, "EPT misconfiguration")                                \
    X(EXIT_REASON_INVEPT, 50, "INVEPT")                                                            \
    X(EXIT_REASON_RDTSCP, 51, "RDTSCP")                                                            \
    X(EXIT_REASON_VMX_PREEMPTION_TIMER, 52, "VMX-preemption timer expired")                        \
    X(EXIT_REASON_INVVPID, 53, "INVVPID")                                                          \
    X(EXIT_REASON_WBINVD, 54, "WBINVD or WBNOINVD")                                                \
    X(EXIT_REASON_XSETBV, 55, "XSETBV")                                                            \
    X(EXIT_REASON_APIC_WRITE, 56, "APIC write")                                                    \
    X(EXIT_REASON_RDRAND, 57, "RDRAND")                                                            \
    X(EXIT_REASON_INVPCID, 58, "INVPCID")                                                          \
    X(EXIT_REASON_VMFUNC, 59, "VMFUNC")                                                            \
    X(EXIT_REASON_ENCLS, 60, "ENCLS")                                                              \
    X(EXIT_REASON_RDSEED, 61, "RDSEED")                                                            \
    X(EXIT_REASON_PML_FULL, 62, "Page-modification log full")                                      \
    X(EXIT_REASON_XSAVES, 63, "XSAVES")                                                            \
    X(EXIT_REASON_XRSTORS, 64, "XRSTORS")                                                          \
    X(EXIT_REASON_PCONFIG, 65, "PCONFIG")                                                          \
    X(EXIT_REASON_SPP_EVENT, 66, "SPP-related event")                                              \
    X(EXIT_REASON_UMWAIT, 67, "UMWAIT")                                                            \
    X(EXIT_REASON_TPAUSE, 68, "TPAUSE")                                                            \
    X(EXIT_REASON_LOADIWKEY, 69, "LOADIWKEY")                                                      \
    X(EXIT_REASON_ENCLV, 70, "ENCLV")                                                              \
    X(EXIT_REASON_ENQCMD_PASID_FAILURE, 72, "ENQCMD PASID translation failure")                    \
    X(EXIT_REASON_ENQCMDS_PASID_FAILURE, 73, "ENQCMDS PASID translation failure")                  \
    X(EXIT_REASON_BUS_LOCK, 74, "Bus lock")                                                        \
    X(EXIT_REASON_INSTRUCTION_TIMEOUT, 75, "Instruction timeout")                                  \
    X(EXIT_REASON_SEAMCALL, 76, "SEAMCALL")                                                        \
    X(EXIT_REASON_TDCALL, 77, "TDCALL")                                                            \
    X(EXIT_REASON_RDMSRLIST, 78, "RDMSRLIST")                                                      \
    X(EXIT_REASON_WRMSRLIST, 79, "WRMSRLIST")                                                      \
    X(EXIT_REASON_URDMSR, 80, "URDMSR")                                                            \
    X(EXIT_REASON_UWRMSR, 81, "UWRMSR")                                                            \
    X(EXIT_REASON_RDMSR_IMM, 84, "RDMSR with immediate operand")                                   \
    X(EXIT_REASON_WRMSRNS_IMM, 85, "WRMSRNS with immediate operand")

enum vmx_exit_reason {
#define VMX_EXIT_REASON_ENUMERATOR(n, v, s) n = v,
    VMX_EXIT_REASON_LIST(VMX_EXIT_REASON_ENUMERATOR)
#undef VMX_EXIT_REASON_ENUMERATOR
};

/* ---------------------------------------------------------------------------------------------
 * VM-instruction error numbers (SDM §31.4 "VM Instruction Error Numbers"), X(NAME, number, text).
 * The number is stored in the VM-instruction error field only on VMfailValid (RFLAGS.ZF = 1); on
 * VMfailInvalid (CF = 1, no current VMCS) nothing is stored. 14, 21 and 27 are not defined.
 * ------------------------------------------------------------------------------------------- */

#define VMX_INSTRUCTION_ERROR_LIST(X)                                                              \
    X(VMXERR_VMCALL_IN_VMX_ROOT, 1, "VMCALL executed in VMX root operation")                       \
    X(VMXERR_VMCLEAR_INVALID_ADDRESS, 2, "VMCLEAR with invalid physical address")                  \
    X(VMXERR_VMCLEAR_VMXON_POINTER, 3, "VMCLEAR with VMXON pointer")                               \
    X(VMXERR_VMLAUNCH_NONCLEAR_VMCS, 4, "VMLAUNCH with non-clear VMCS")                            \
    X(VMXERR_VMRESUME_NONLAUNCHED_VMCS, 5, "VMRESUME with non-launched VMCS")                      \
    X(VMXERR_VMRESUME_AFTER_VMXOFF, 6,                                                             \
      "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)")                    \
    X(VMXERR_ENTRY_INVALID_CONTROL_FIELD, 7, "VM entry with invalid control field(s)")             \
    X(VMXERR_ENTRY_INVALID_HOST_STATE_FIELD, 8, "VM entry with invalid host-state field(s)")       \
    X(VMXERR_VMPTRLD_INVALID_ADDRESS, 9, "VMPTRLD with invalid physical address")                  \
    X(VMXERR_VMPTRLD_VMXON_POINTER, 10, "VMPTRLD with VMXON pointer")                              \
    X(VMXERR_VMPTRLD_INCORRECT_REVISION_ID, 11, "VMPTRLD with incorrect VMCS revision identifier") \
    X(VMXERR_UNSUPPORTED_VMCS_COMPONENT, 12, "VMREAD/VMWRITE from/to unsupported VMCS component")  \
    X(VMXERR_VMWRITE_READ_ONLY_COMPONENT, 13, "VMWRITE to read-only VMCS component")               \
    X(VMXERR_VMXON_IN_VMX_ROOT, 15, "VMXON executed in VMX root operation")                        \
    X(VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS_POINTER, 16,                                             \
      "VM entry with invalid executive-VMCS pointer")                                              \
    X(VMXERR_ENTRY_NONLAUNCHED_EXECUTIVE_VMCS, 17, "VM entry with non-launched executive VMCS")    \
    X(VMXERR_ENTRY_EXECUTIVE_VMCS_NOT_VMXON_POINTER, 18,                                           \
      "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the " \
      "dual-monitor treatment of SMIs and SMM)")                                                   \
    X(VMXERR_VMCALL_NONCLEAR_VMCS, 19,                                                             \
      "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of "     \
      "SMIs and SMM)")                                                                             \
    X(VMXERR_VMCALL_INVALID_EXIT_CONTROL_FIELDS, 20, "VMCALL with invalid VM-exit control fields") \
    X(VMXERR_VMCALL_INCORRECT_MSEG_REVISION_ID, 22,                                                \
      "VMCALL with incorrect MSEG revision identifier (when attempting to activate the "           \
      "dual-monitor treatment of SMIs and SMM)")                                                   \
    X(VMXERR_VMXOFF_UNDER_DUAL_MONITOR, 23, "VMXOFF under dual-monitor treatment of SMIs and SMM") \
    X(VMXERR_VMCALL_INVALID_SMM_MONITOR_FEATURES, 24,                                              \
      "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor "    \
      "treatment of SMIs and SMM)")                                                                \
    X(VMXERR_ENTRY_INVALID_EXECUTIVE_CONTROLS, 25,                                                 \
      "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to "   \
      "return from SMM)")                                                                          \
    X(VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS, 26, "VM entry with events blocked by MOV SS")         \
    X(VMXERR_INVALID_INVEPT_INVVPID_OPERAND, 28, "Invalid operand to INVEPT/INVVPID")

enum vmx_instruction_error {
#define VMX_INSTRUCTION_ERROR_ENUMERATOR(n, v, s) n = v,
    VMX_INSTRUCTION_ERROR_LIST(VMX_INSTRUCTION_ERROR_ENUMERATOR)
#undef VMX_INSTRUCTION_ERROR_ENUMERATOR
};

/* ---------------------------------------------------------------------------------------------
 * VM-execution, VM-exit and VM-entry controls (SDM §25.6, §25.7, §25.8)
 *
 * Each control is set from its capability MSR (SDM appendix A.3-A.5): bits 31:0 are the allowed
 * 0-settings (a 1 there means the control must be 1), bits 63:32 the allowed 1-settings (a 0 there
 * means the control must be 0). If IA32_VMX_BASIC[55] is 1, use the IA32_VMX_TRUE_* MSRs for the
 * pin-based, primary processor-based, exit and entry controls: they may allow some of the
 * "default1" bits below to be 0. Secondary/tertiary controls apply only when activated by the
 * primary control's bit 31/17; otherwise the processor treats them as all 0.
 * ------------------------------------------------------------------------------------------- */

/* Pin-based VM-execution controls (§25.6.1) */
#define PIN_BASED_EXTERNAL_INTERRUPT_EXITING    (1u << 0)
#define PIN_BASED_NMI_EXITING                   (1u << 3)
#define PIN_BASED_VIRTUAL_NMIS                  (1u << 5) /* requires NMI exiting */
#define PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER (1u << 6)
#define PIN_BASED_PROCESS_POSTED_INTERRUPTS     (1u << 7)
#define PIN_BASED_DEFAULT1                      0x00000016u /* bits 1, 2, 4 (appendix A.3.1) */

/* Primary processor-based VM-execution controls (§25.6.2) */
#define PROC_BASED_INTERRUPT_WINDOW_EXITING    (1u << 2)
#define PROC_BASED_USE_TSC_OFFSETTING          (1u << 3)
#define PROC_BASED_HLT_EXITING                 (1u << 7)
#define PROC_BASED_INVLPG_EXITING              (1u << 9)
#define PROC_BASED_MWAIT_EXITING               (1u << 10)
#define PROC_BASED_RDPMC_EXITING               (1u << 11)
#define PROC_BASED_RDTSC_EXITING               (1u << 12)
#define PROC_BASED_CR3_LOAD_EXITING            (1u << 15)
#define PROC_BASED_CR3_STORE_EXITING           (1u << 16)
#define PROC_BASED_ACTIVATE_TERTIARY_CONTROLS  (1u << 17)
#define PROC_BASED_CR8_LOAD_EXITING            (1u << 19)
#define PROC_BASED_CR8_STORE_EXITING           (1u << 20)
#define PROC_BASED_USE_TPR_SHADOW              (1u << 21)
#define PROC_BASED_NMI_WINDOW_EXITING          (1u << 22)
#define PROC_BASED_MOV_DR_EXITING              (1u << 23)
#define PROC_BASED_UNCONDITIONAL_IO_EXITING    (1u << 24) /* ignored if USE_IO_BITMAPS is 1 */
#define PROC_BASED_USE_IO_BITMAPS              (1u << 25)
#define PROC_BASED_MONITOR_TRAP_FLAG           (1u << 27)
#define PROC_BASED_USE_MSR_BITMAPS             (1u << 28) /* 0: every RDMSR/WRMSR exits */
#define PROC_BASED_MONITOR_EXITING             (1u << 29)
#define PROC_BASED_PAUSE_EXITING               (1u << 30)
#define PROC_BASED_ACTIVATE_SECONDARY_CONTROLS (1u << 31)
#define PROC_BASED_DEFAULT1                    0x0401e172u /* bits 1, 4-6, 8, 13-16, 26 (A.3.2) */

/* Secondary processor-based VM-execution controls (§25.6.2) */
#define PROC2_VIRTUALIZE_APIC_ACCESSES         (1u << 0)
#define PROC2_ENABLE_EPT                       (1u << 1)
#define PROC2_DESCRIPTOR_TABLE_EXITING         (1u << 2)
#define PROC2_ENABLE_RDTSCP                    (1u << 3)
#define PROC2_VIRTUALIZE_X2APIC_MODE           (1u << 4)
#define PROC2_ENABLE_VPID                      (1u << 5)
#define PROC2_WBINVD_EXITING                   (1u << 6)
#define PROC2_UNRESTRICTED_GUEST               (1u << 7) /* requires ENABLE_EPT (§27.2.1.1) */
#define PROC2_APIC_REGISTER_VIRTUALIZATION     (1u << 8)
#define PROC2_VIRTUAL_INTERRUPT_DELIVERY       (1u << 9)
#define PROC2_PAUSE_LOOP_EXITING               (1u << 10)
#define PROC2_RDRAND_EXITING                   (1u << 11)
#define PROC2_ENABLE_INVPCID                   (1u << 12)
#define PROC2_ENABLE_VM_FUNCTIONS              (1u << 13)
#define PROC2_VMCS_SHADOWING                   (1u << 14)
#define PROC2_ENABLE_ENCLS_EXITING             (1u << 15)
#define PROC2_RDSEED_EXITING                   (1u << 16)
#define PROC2_ENABLE_PML                       (1u << 17)
#define PROC2_EPT_VIOLATION_VE                 (1u << 18)
#define PROC2_CONCEAL_VMX_FROM_PT              (1u << 19)
#define PROC2_ENABLE_XSAVES_XRSTORS            (1u << 20)
#define PROC2_PASID_TRANSLATION                (1u << 21)
#define PROC2_MODE_BASED_EXECUTE_CONTROL_EPT   (1u << 22)
#define PROC2_SUB_PAGE_WRITE_PERMISSIONS_EPT   (1u << 23)
#define PROC2_PT_USES_GUEST_PHYSICAL_ADDRESSES (1u << 24)
#define PROC2_USE_TSC_SCALING                  (1u << 25)
#define PROC2_ENABLE_USER_WAIT_AND_PAUSE       (1u << 26)
#define PROC2_ENABLE_PCONFIG                   (1u << 27)
#define PROC2_ENABLE_ENCLV_EXITING             (1u << 28)
#define PROC2_VMM_BUS_LOCK_DETECTION           (1u << 30)
#define PROC2_INSTRUCTION_TIMEOUT              (1u << 31)

/* Tertiary processor-based VM-execution controls (§25.6.2; a 64-bit field) */
#define PROC3_LOADIWKEY_EXITING         (1ull << 0)
#define PROC3_ENABLE_HLAT               (1ull << 1)
#define PROC3_EPT_PAGING_WRITE_CONTROL  (1ull << 2)
#define PROC3_GUEST_PAGING_VERIFICATION (1ull << 3)
#define PROC3_IPI_VIRTUALIZATION        (1ull << 4)
#define PROC3_VIRTUALIZE_IA32_SPEC_CTRL (1ull << 7)

/* VM-function controls (§25.6.14; 64-bit field) */
#define VMFUNC_EPTP_SWITCHING (1ull << 0)

/* Primary VM-exit controls (§25.7.1) */
#define VM_EXIT_SAVE_DEBUG_CONTROLS         (1u << 2)
#define VM_EXIT_HOST_ADDRESS_SPACE_SIZE     (1u << 9) /* 1: host is in 64-bit mode */
#define VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL  (1u << 12)
#define VM_EXIT_ACK_INTERRUPT_ON_EXIT       (1u << 15)
#define VM_EXIT_SAVE_IA32_PAT               (1u << 18)
#define VM_EXIT_LOAD_IA32_PAT               (1u << 19)
#define VM_EXIT_SAVE_IA32_EFER              (1u << 20)
#define VM_EXIT_LOAD_IA32_EFER              (1u << 21)
#define VM_EXIT_SAVE_VMX_PREEMPTION_TIMER   (1u << 22)
#define VM_EXIT_CLEAR_IA32_BNDCFGS          (1u << 23)
#define VM_EXIT_CONCEAL_VMX_FROM_PT         (1u << 24)
#define VM_EXIT_CLEAR_IA32_RTIT_CTL         (1u << 25)
#define VM_EXIT_CLEAR_IA32_LBR_CTL          (1u << 26)
#define VM_EXIT_CLEAR_UINV                  (1u << 27)
#define VM_EXIT_LOAD_CET_STATE              (1u << 28)
#define VM_EXIT_LOAD_PKRS                   (1u << 29)
#define VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL  (1u << 30)
#define VM_EXIT_ACTIVATE_SECONDARY_CONTROLS (1u << 31)
#define VM_EXIT_DEFAULT1                    0x00036dffu /* bits 0-8, 10, 11, 13, 14, 16, 17 */

/* Secondary VM-exit controls (§25.7.1; 64-bit field) */
#define VM_EXIT2_SAVE_IA32_FRED (1ull << 0)
#define VM_EXIT2_LOAD_IA32_FRED (1ull << 1)

/* VM-entry controls (§25.8.1) */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS        (1u << 2)
#define VM_ENTRY_IA32E_MODE_GUEST           (1u << 9) /* becomes guest IA32_EFER.LMA */
#define VM_ENTRY_TO_SMM                     (1u << 10)
#define VM_ENTRY_DEACTIVATE_DUAL_MONITOR    (1u << 11)
#define VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 13)
#define VM_ENTRY_LOAD_IA32_PAT              (1u << 14)
#define VM_ENTRY_LOAD_IA32_EFER             (1u << 15)
#define VM_ENTRY_LOAD_IA32_BNDCFGS          (1u << 16)
#define VM_ENTRY_CONCEAL_VMX_FROM_PT        (1u << 17)
#define VM_ENTRY_LOAD_IA32_RTIT_CTL         (1u << 18)
#define VM_ENTRY_LOAD_UINV                  (1u << 19)
#define VM_ENTRY_LOAD_CET_STATE             (1u << 20)
#define VM_ENTRY_LOAD_GUEST_IA32_LBR_CTL    (1u << 21)
#define VM_ENTRY_LOAD_PKRS                  (1u << 22)
#define VM_ENTRY_LOAD_IA32_FRED             (1u << 23)
#define VM_ENTRY_DEFAULT1                   0x000011ffu /* bits 0-8, 12 (appendix A.5) */

/* MSR bitmaps (§25.6.9): one 4-KByte page, four 1-KByte bitmaps, one bit per MSR. MSRs outside
 * 0-0x1fff and 0xc0000000-0xc0001fff always cause a VM exit when the bitmaps are used. */
#define MSR_BITMAP_READ_LOW   0x000u /* MSRs 0x00000000-0x00001fff */
#define MSR_BITMAP_READ_HIGH  0x400u /* MSRs 0xc0000000-0xc0001fff */
#define MSR_BITMAP_WRITE_LOW  0x800u
#define MSR_BITMAP_WRITE_HIGH 0xc00u

/* VMCS link pointer value when VMCS shadowing is not in use (§27.3.1.5 checks it). */
#define VMCS_LINK_POINTER_NONE 0xffffffffffffffffull

/* ---------------------------------------------------------------------------------------------
 * Event injection and event information
 * VM-entry interruption-information field (§25.8.3), VM-exit interruption information and
 * IDT-vectoring information (§25.9.2, §25.9.3) share this layout.
 * ------------------------------------------------------------------------------------------- */

#define VMX_INTR_INFO_VECTOR_MASK         0x000000ffu
#define VMX_INTR_INFO_TYPE_SHIFT          8
#define VMX_INTR_INFO_TYPE_MASK           (7u << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_INFO_TYPE(t)             ((uint32_t)(t) << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_INFO_DELIVER_ERROR_CODE  (1u << 11)
/* Exit interruption information only: NMI unblocking due to IRET (§28.2.3); IDT-vectoring info
 * leaves bit 12 undefined. */
#define VMX_INTR_INFO_NMI_UNBLOCKING_IRET (1u << 12)
#define VMX_INTR_INFO_VALID               (1u << 31)

/* Interruption types (bits 10:8). Injecting types 4-6 needs the VM-entry instruction length.
 * With CR0.PE = 1 (or unrestricted guest off), VM entry requires DELIVER_ERROR_CODE to be set
 * exactly for hardware exceptions 8, 10-14, 17 and 21, unless IA32_VMX_BASIC[56] is 1
 * (§27.2.1.3). */
#define VMX_INTR_TYPE_EXTERNAL_INTERRUPT      0u
#define VMX_INTR_TYPE_NMI                     2u
#define VMX_INTR_TYPE_HARDWARE_EXCEPTION      3u
#define VMX_INTR_TYPE_SOFTWARE_INTERRUPT      4u
#define VMX_INTR_TYPE_PRIV_SOFTWARE_EXCEPTION 5u /* INT1 (ICEBP) */
#define VMX_INTR_TYPE_SOFTWARE_EXCEPTION      6u /* INT3, INTO */
#define VMX_INTR_TYPE_OTHER_EVENT             7u /* vector 0: pending MTF VM exit */

/* Guest interruptibility state (§25.4.2, table "Format of Interruptibility State") */
#define GUEST_INTR_BLOCKING_BY_STI      (1u << 0)
#define GUEST_INTR_BLOCKING_BY_MOV_SS   (1u << 1)
#define GUEST_INTR_BLOCKING_BY_SMI      (1u << 2)
#define GUEST_INTR_BLOCKING_BY_NMI      (1u << 3)
#define GUEST_INTR_ENCLAVE_INTERRUPTION (1u << 4)

/* Guest activity state (§25.4.2); IA32_VMX_MISC bits 8:6 say which of 1-3 are supported. */
#define GUEST_ACTIVITY_ACTIVE        0u
#define GUEST_ACTIVITY_HLT           1u
#define GUEST_ACTIVITY_SHUTDOWN      2u
#define GUEST_ACTIVITY_WAIT_FOR_SIPI 3u

/* Guest pending debug exceptions (§25.4.2) */
#define GUEST_PENDING_DBG_B0_B3              0x0000000full
#define GUEST_PENDING_DBG_ENABLED_BREAKPOINT (1ull << 12)
#define GUEST_PENDING_DBG_BS                 (1ull << 14)
#define GUEST_PENDING_DBG_RTM                (1ull << 16)

/* Segment access rights in the VMCS (§25.4.1): descriptor bits 55:40 without the limit bits
 * 51:48, plus bit 16 "unusable", which marks e.g. a segment register holding a null selector. */
#define VMX_AR_TYPE_MASK 0x0000000fu
#define VMX_AR_S         (1u << 4) /* 1 = code or data segment */
#define VMX_AR_DPL_SHIFT 5
#define VMX_AR_DPL_MASK  (3u << VMX_AR_DPL_SHIFT)
#define VMX_AR_P         (1u << 7)
#define VMX_AR_AVL       (1u << 12)
#define VMX_AR_L         (1u << 13)
#define VMX_AR_DB        (1u << 14)
#define VMX_AR_G         (1u << 15)
#define VMX_AR_UNUSABLE  (1u << 16)

/* ---------------------------------------------------------------------------------------------
 * Exit qualifications (SDM §28.2.1 "Basic VM-Exit Information")
 * ------------------------------------------------------------------------------------------- */

/* Task switch (table 28-2) */
#define EXIT_QUAL_TASK_SWITCH_SELECTOR(q)   (0xffffu & (uint32_t)(q))
#define EXIT_QUAL_TASK_SWITCH_SOURCE(q)     (((uint32_t)(q) >> 30) & 3u)
#define EXIT_QUAL_TASK_SWITCH_CALL          0u
#define EXIT_QUAL_TASK_SWITCH_IRET          1u
#define EXIT_QUAL_TASK_SWITCH_JMP           2u
#define EXIT_QUAL_TASK_SWITCH_IDT_TASK_GATE 3u

/* Control-register accesses (table 28-3). The CR number is 0 for CLTS and LMSW. */
#define EXIT_QUAL_CR_NUMBER(q)           (0xfu & (uint32_t)(q))
#define EXIT_QUAL_CR_ACCESS_TYPE(q)      (((uint32_t)(q) >> 4) & 3u)
#define EXIT_QUAL_CR_MOV_TO_CR           0u
#define EXIT_QUAL_CR_MOV_FROM_CR         1u
#define EXIT_QUAL_CR_CLTS                2u
#define EXIT_QUAL_CR_LMSW                3u
#define EXIT_QUAL_CR_LMSW_MEMORY_OPERAND (1u << 6)                     /* 0 = register operand */
#define EXIT_QUAL_CR_GPR(q)              (((uint32_t)(q) >> 8) & 0xfu) /* 0 RAX .. 15 R15 */
#define EXIT_QUAL_CR_LMSW_SOURCE_DATA(q) (((uint32_t)(q) >> 16) & 0xffffu)

/* MOV DR (table 28-4) */
#define EXIT_QUAL_DR_NUMBER(q)   (7u & (uint32_t)(q))
#define EXIT_QUAL_DR_MOV_FROM_DR (1u << 4) /* 0 = MOV to DR */
#define EXIT_QUAL_DR_GPR(q)      (((uint32_t)(q) >> 8) & 0xfu)

/* I/O instructions (table 28-5). For string instructions the linear address is in the
 * guest-linear address field; IO_RCX/RSI/RDI/RIP are only for SMM VM exits. */
#define EXIT_QUAL_IO_SIZE_MASK         7u /* 0 = 1 byte, 1 = 2 bytes, 3 = 4 bytes */
#define EXIT_QUAL_IO_SIZE_BYTES(q)     ((EXIT_QUAL_IO_SIZE_MASK & (uint32_t)(q)) + 1u)
#define EXIT_QUAL_IO_IN                (1u << 3) /* direction: 0 = OUT, 1 = IN */
#define EXIT_QUAL_IO_STRING            (1u << 4)
#define EXIT_QUAL_IO_REP               (1u << 5)
#define EXIT_QUAL_IO_IMMEDIATE_OPERAND (1u << 6) /* operand encoding: 0 = DX */
#define EXIT_QUAL_IO_PORT(q)           (((uint32_t)(q) >> 16) & 0xffffu)

/* EPT violations (table 28-7). Bits 3-5 report what the translation permits: the logical AND of
 * bits 0-2 over the EPT entries walked. The guest-physical address is in the
 * GUEST_PHYSICAL_ADDRESS field; bits 9-11 are valid only when bits 7 and 8 are set and
 * IA32_VMX_EPT_VPID_CAP[22] (advanced VM-exit information) is 1. */
#define EXIT_QUAL_EPT_DATA_READ                 (1ull << 0)
#define EXIT_QUAL_EPT_DATA_WRITE                (1ull << 1)
#define EXIT_QUAL_EPT_INSTRUCTION_FETCH         (1ull << 2)
#define EXIT_QUAL_EPT_READABLE                  (1ull << 3)
#define EXIT_QUAL_EPT_WRITABLE                  (1ull << 4)
#define EXIT_QUAL_EPT_EXECUTABLE                (1ull << 5) /* supervisor-mode if MBEC is on */
#define EXIT_QUAL_EPT_USER_EXECUTABLE           (1ull << 6) /* only with MBEC */
#define EXIT_QUAL_EPT_GLA_VALID                 (1ull << 7) /* guest-linear address field valid */
#define EXIT_QUAL_EPT_GLA_TRANSLATION           (1ull << 8) /* 0 = paging-structure access */
#define EXIT_QUAL_EPT_USER_MODE_LINEAR_ADDRESS  (1ull << 9)
#define EXIT_QUAL_EPT_READ_WRITE_LINEAR_ADDRESS (1ull << 10)
#define EXIT_QUAL_EPT_EXECUTE_DISABLE_LINEAR    (1ull << 11)
#define EXIT_QUAL_EPT_NMI_UNBLOCKING_IRET       (1ull << 12)
#define EXIT_QUAL_EPT_SHADOW_STACK_ACCESS       (1ull << 13)

/* VM-exit instruction information for INS and OUTS (§28.2, "Information for VM Exits Due to
 * Instruction Execution", table 28-8), stored only if IA32_VMX_BASIC[54] is 1. The segment field
 * is undefined for INS, which always writes through ES. Other bits are undefined. */
#define VMX_INSTR_INFO_ADDRESS_SIZE(i) (((uint32_t)(i) >> 7) & 7u)  /* 0: 16, 1: 32, 2: 64 bits */
#define VMX_INSTR_INFO_SEGMENT(i)      (((uint32_t)(i) >> 15) & 7u) /* 0-5: ES CS SS DS FS GS */

/* VM-entry failure during or after loading guest state (exit reasons 33/34, SDM §27.8). For
 * reason 34 the qualification is instead the 1-based index of the failing MSR-load entry. */
#define EXIT_QUAL_ENTRY_FAIL_DEFAULT           0u
#define EXIT_QUAL_ENTRY_FAIL_PDPTE             2u
#define EXIT_QUAL_ENTRY_FAIL_NMI_INJECTION     3u
#define EXIT_QUAL_ENTRY_FAIL_VMCS_LINK_POINTER 4u

/* ---------------------------------------------------------------------------------------------
 * MSRs used by VMX (SDM vol. 4 and vol. 3D appendix A)
 * ------------------------------------------------------------------------------------------- */

/* These two spellings also appear in kernel/cpu.h; keep the replacement lists identical. */
#ifndef MSR_IA32_APIC_BASE
#define MSR_IA32_APIC_BASE 0x0000001b
#endif
#ifndef MSR_IA32_EFER
#define MSR_IA32_EFER 0xc0000080
#endif

#define MSR_IA32_FEATURE_CONTROL          0x0000003au
#define MSR_IA32_SYSENTER_CS              0x00000174u
#define MSR_IA32_SYSENTER_ESP             0x00000175u
#define MSR_IA32_SYSENTER_EIP             0x00000176u
#define MSR_IA32_DEBUGCTL                 0x000001d9u
#define MSR_IA32_PAT                      0x00000277u
#define MSR_IA32_PERF_GLOBAL_CTRL         0x0000038fu
#define MSR_IA32_RTIT_CTL                 0x00000570u
#define MSR_IA32_S_CET                    0x000006a2u
#define MSR_IA32_INTERRUPT_SSP_TABLE_ADDR 0x000006a8u
#define MSR_IA32_PKRS                     0x000006e1u
#define MSR_IA32_BNDCFGS                  0x00000d90u
#define MSR_IA32_LBR_CTL                  0x000014ceu
#define MSR_IA32_FS_BASE                  0xc0000100u
#define MSR_IA32_GS_BASE                  0xc0000101u
#define MSR_IA32_KERNEL_GS_BASE           0xc0000102u

/* VMX capability MSRs (appendix A) */
#define MSR_IA32_VMX_BASIC               0x00000480u
#define MSR_IA32_VMX_PINBASED_CTLS       0x00000481u
#define MSR_IA32_VMX_PROCBASED_CTLS      0x00000482u
#define MSR_IA32_VMX_EXIT_CTLS           0x00000483u
#define MSR_IA32_VMX_ENTRY_CTLS          0x00000484u
#define MSR_IA32_VMX_MISC                0x00000485u
#define MSR_IA32_VMX_CR0_FIXED0          0x00000486u
#define MSR_IA32_VMX_CR0_FIXED1          0x00000487u
#define MSR_IA32_VMX_CR4_FIXED0          0x00000488u
#define MSR_IA32_VMX_CR4_FIXED1          0x00000489u
#define MSR_IA32_VMX_VMCS_ENUM           0x0000048au
#define MSR_IA32_VMX_PROCBASED_CTLS2     0x0000048bu
#define MSR_IA32_VMX_EPT_VPID_CAP        0x0000048cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x0000048du
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048eu
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x0000048fu
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x00000490u
#define MSR_IA32_VMX_VMFUNC              0x00000491u
#define MSR_IA32_VMX_PROCBASED_CTLS3     0x00000492u
#define MSR_IA32_VMX_EXIT_CTLS2          0x00000493u

/* IA32_FEATURE_CONTROL. VMXON raises #GP unless the lock bit is set together with the enable bit
 * for the current mode (outside SMX for a normal boot). Once locked the MSR cannot be written
 * until reset, so firmware that locked it with VMX disabled makes VMX unusable. */
#define IA32_FEATURE_CONTROL_LOCK            (1ull << 0)
#define IA32_FEATURE_CONTROL_VMX_INSIDE_SMX  (1ull << 1)
#define IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* IA32_EFER bits. EFER_LME and EFER_NXE are spelled exactly as in kernel/cpu.h. */
#ifndef EFER_SCE
#define EFER_SCE (1ul << 0)
#endif
#ifndef EFER_LME
#define EFER_LME (1ul << 8)
#endif
#ifndef EFER_LMA
#define EFER_LMA (1ul << 10)
#endif
#ifndef EFER_NXE
#define EFER_NXE (1ul << 11)
#endif

/* IA32_VMX_BASIC (appendix A.1). The VMXON region and each VMCS begin with the revision
 * identifier (bits 30:0); bit 31 of that first dword marks a shadow VMCS and must be 0 in the
 * VMXON region. */
#define VMX_BASIC_REVISION_ID_MASK     0x000000007fffffffull
#define VMX_BASIC_VMCS_SIZE_SHIFT      32 /* bits 44:32: bytes to allocate, <= 4096 */
#define VMX_BASIC_VMCS_SIZE_MASK       (0x1fffull << VMX_BASIC_VMCS_SIZE_SHIFT)
#define VMX_BASIC_PHYS_ADDR_32BIT      (1ull << 48) /* always 0 on Intel 64 */
#define VMX_BASIC_DUAL_MONITOR         (1ull << 49)
#define VMX_BASIC_MEMORY_TYPE_SHIFT    50 /* bits 53:50: 6 = write-back */
#define VMX_BASIC_MEMORY_TYPE_MASK     (0xfull << VMX_BASIC_MEMORY_TYPE_SHIFT)
#define VMX_BASIC_INS_OUTS_INFORMATION (1ull << 54)
#define VMX_BASIC_TRUE_CONTROLS        (1ull << 55) /* IA32_VMX_TRUE_*_CTLS exist */
#define VMX_BASIC_NO_ERROR_CODE_CHECK  (1ull << 56) /* entry may inject any HW exception */
#define VMX_BASIC_REVISION_ID(v)       ((uint32_t)(VMX_BASIC_REVISION_ID_MASK & (v)))
#define VMX_BASIC_VMCS_SIZE(v)         ((uint32_t)(((v) >> 32) & 0x1fffu))
#define VMX_BASIC_MEMORY_TYPE(v)       ((uint32_t)(((v) >> 50) & 0xfu))

/* IA32_VMX_MISC (appendix A.6) */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1full /* timer ticks every 2^rate TSC cycles */
#define VMX_MISC_SAVES_EFER_LMA             (1ull << 5)
#define VMX_MISC_ACTIVITY_HLT               (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN          (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_FOR_SIPI     (1ull << 8)
#define VMX_MISC_INTEL_PT_IN_VMX            (1ull << 14)
#define VMX_MISC_RDMSR_SMBASE_IN_SMM        (1ull << 15)
#define VMX_MISC_CR3_TARGET_COUNT(v)        ((uint32_t)(((v) >> 16) & 0x1ffu))
#define VMX_MISC_MAX_MSR_LIST_ENTRIES(v)    (512u * ((uint32_t)(((v) >> 25) & 7u) + 1u))
#define VMX_MISC_SMM_MONITOR_CTL_B2         (1ull << 28)
#define VMX_MISC_VMWRITE_ANY_FIELD          (1ull << 29) /* incl. exit-information fields */
#define VMX_MISC_INJECT_ZERO_LENGTH         (1ull << 30)
#define VMX_MISC_MSEG_REVISION_ID(v)        ((uint32_t)((v) >> 32))

/* IA32_VMX_CR0_FIXED0/1, IA32_VMX_CR4_FIXED0/1 (appendix A.7, A.8): a bit set in FIXED0 must be 1
 * in CR0/CR4 while in VMX operation, a bit clear in FIXED1 must be 0. With "unrestricted guest"
 * the guest's CR0.PE and CR0.PG are exempt (§27.3.1.1). */
#define VMX_CR0_UNRESTRICTED_GUEST_EXEMPT 0x80000001ull /* CR0.PG | CR0.PE */

/* IA32_VMX_VMCS_ENUM (appendix A.9): bits 9:1 are the highest field index used. */
#define VMX_VMCS_ENUM_MAX_INDEX(v) ((uint32_t)(((v) >> 1) & 0x1ffu))

/* IA32_VMX_EPT_VPID_CAP (appendix A.10) */
#define VMX_EPT_EXECUTE_ONLY                    (1ull << 0)
#define VMX_EPT_PAGE_WALK_4                     (1ull << 6)
#define VMX_EPT_PAGE_WALK_5                     (1ull << 7)
#define VMX_EPT_MEMORY_TYPE_UC                  (1ull << 8)  /* EPTP may use UC */
#define VMX_EPT_MEMORY_TYPE_WB                  (1ull << 14) /* EPTP may use WB */
#define VMX_EPT_PDE_2MB                         (1ull << 16)
#define VMX_EPT_PDPTE_1GB                       (1ull << 17)
#define VMX_EPT_INVEPT                          (1ull << 20)
#define VMX_EPT_ACCESSED_DIRTY                  (1ull << 21)
#define VMX_EPT_ADVANCED_EXIT_INFORMATION       (1ull << 22)
#define VMX_EPT_SUPERVISOR_SHADOW_STACK         (1ull << 23)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT           (1ull << 25)
#define VMX_EPT_INVEPT_ALL_CONTEXT              (1ull << 26)
#define VMX_VPID_INVVPID                        (1ull << 32)
#define VMX_VPID_INVVPID_INDIVIDUAL_ADDRESS     (1ull << 40)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT         (1ull << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT            (1ull << 42)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT_GLOBALS (1ull << 43) /* retaining globals */

/* INVEPT and INVVPID types (§31.3, instruction reference) */
#define INVEPT_SINGLE_CONTEXT                    1u
#define INVEPT_ALL_CONTEXT                       2u
#define INVVPID_INDIVIDUAL_ADDRESS               0u
#define INVVPID_SINGLE_CONTEXT                   1u
#define INVVPID_ALL_CONTEXT                      2u
#define INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS 3u

/* ---------------------------------------------------------------------------------------------
 * EPT (SDM §29.3 "The Extended Page Table Mechanism (EPT)") and the EPT pointer (§25.6.11)
 * ------------------------------------------------------------------------------------------- */

/* Memory types, for the EPTP (bits 2:0) and for EPT leaf entries (bits 5:3). */
#define EPT_MEMORY_TYPE_UC 0u
#define EPT_MEMORY_TYPE_WC 1u
#define EPT_MEMORY_TYPE_WT 4u
#define EPT_MEMORY_TYPE_WP 5u
#define EPT_MEMORY_TYPE_WB 6u

/* EPT pointer. The EPT paging-structure memory type must be one allowed by
 * IA32_VMX_EPT_VPID_CAP (UC or WB); bits 11:8 and bits above MAXPHYADDR are reserved. */
#define EPTP_MEMORY_TYPE_MASK         0x7ull
#define EPTP_MEMORY_TYPE_UC           0x0ull
#define EPTP_MEMORY_TYPE_WB           0x6ull
#define EPTP_PAGE_WALK_LENGTH_SHIFT   3 /* bits 5:3 hold the walk length minus one */
#define EPTP_PAGE_WALK_LENGTH_MASK    (0x7ull << EPTP_PAGE_WALK_LENGTH_SHIFT)
#define EPTP_PAGE_WALK_LENGTH(levels) ((uint64_t)((levels)-1) << 3)
#define EPTP_PAGE_WALK_4              (3ull << EPTP_PAGE_WALK_LENGTH_SHIFT)
#define EPTP_PAGE_WALK_5              (4ull << EPTP_PAGE_WALK_LENGTH_SHIFT)
#define EPTP_ACCESSED_DIRTY           (1ull << 6) /* needs IA32_VMX_EPT_VPID_CAP[21] */
#define EPTP_SUPERVISOR_SHADOW_STACK  (1ull << 7)
#define EPTP_ADDRESS_MASK             0x000ffffffffff000ull /* PML4 (or PML5) table */

/*
 * EPT paging-structure entries (§29.3.2, tables 29-1 .. 29-6). An entry is "present" if any of
 * bits 2:0 is set. EPT misconfigurations (§29.3.3.1) include: write without read; execute-only
 * without IA32_VMX_EPT_VPID_CAP[0]; a reserved memory type (2, 3, 7) in a leaf; bit 7 set in a
 * PML4E (or in a PDPTE/PDE where that page size is unsupported); non-zero reserved bits, i.e.
 * bits 7:3 of a PML4E, bits 6:3 of a non-leaf PDPTE/PDE, and address bits above MAXPHYADDR.
 */
#define EPT_READ                       (1ull << 0)
#define EPT_WRITE                      (1ull << 1)
#define EPT_EXECUTE                    (1ull << 2) /* supervisor-mode if MBEC is on */
#define EPT_RWX                        (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMORY_TYPE_SHIFT          3 /* leaf entries only */
#define EPT_MEMORY_TYPE_MASK           (0x7ull << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE(t)             ((uint64_t)(t) << EPT_MEMORY_TYPE_SHIFT)
#define EPT_IGNORE_PAT                 (1ull << 6)  /* leaf entries only */
#define EPT_LARGE_PAGE                 (1ull << 7)  /* PDPTE: 1 GByte, PDE: 2 MByte */
#define EPT_ACCESSED                   (1ull << 8)  /* if EPTP_ACCESSED_DIRTY */
#define EPT_DIRTY                      (1ull << 9)  /* leaf entries, if EPTP_ACCESSED_DIRTY */
#define EPT_USER_EXECUTE               (1ull << 10) /* if MBEC is on */
#define EPT_VERIFY_GUEST_PAGING        (1ull << 57)
#define EPT_PAGING_WRITE_ACCESS        (1ull << 58)
#define EPT_SUPERVISOR_SHADOW_STACK    (1ull << 60)
#define EPT_SUB_PAGE_WRITE_PERMISSIONS (1ull << 61)
#define EPT_SUPPRESS_VE                (1ull << 63) /* if EPT-violation #VE is on */
#define EPT_ADDRESS_MASK               0x000ffffffffff000ull
#define EPT_ENTRIES_PER_TABLE          512u

#endif
