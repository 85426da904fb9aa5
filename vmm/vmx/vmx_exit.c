/* VM-exit dispatch: a table of handlers indexed by basic exit reason (designated initializers,
 * bounds-checked), one small function each; anything else is dumped and the guest stopped. */
#include <stdarg.h>

#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "drivers/lapic.h"
#include "vmm/cpuid_policy.h"
#include "vmm/gdb_server.h"
#include "vmm/host_irq.h"
#include "vmm/monitor.h"
#include "vmm/vmx/vmx_controls.h"
#include "vmm/hypercall.h"
#include "vmm/vlog.h"
#include "vmm/vmx/exit_qualification.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_defs.h"
#include "vmm/vmx/vmx_names.h"

#define EXC_DB_VECTOR 1
#define EXC_BP_VECTOR 3
#define RFLAGS_TF     (1ul << 8)
#define PENDING_DEBUG_BS (1ul << 14) /* single-step trap pending (SDM 25.4.2, table 25-4) */
#define EXC_UD_VECTOR 6
#define EXC_GP_VECTOR 13
#define AR_DPL_SHIFT  5
#define AR_DPL_MASK   3
#define AR_L          (1u << 13) /* 64-bit code segment */
#define XCR0_X87      (1ull << 0)
#define XCR0_SSE      (1ull << 1)
#define XCR0_AVX      (1ull << 2)
#define XCR0_AVX512   (7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM: all or none (SDM vol. 1, 13.3) */

typedef void (*vmx_exit_handler)(struct vcpu *vcpu);

static void finish_single_step(struct vcpu *vcpu);

void vmx_skip_instruction(void)
{
    vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LENGTH));
    /* An instruction completed on the guest's behalf with RFLAGS.TF set owes it a single-step
     * trap: leave it pending for the next entry (SDM 27.7.3, pending debug exceptions). */
    if (vmcs_read(GUEST_RFLAGS) & RFLAGS_TF)
        vmcs_set_bits(GUEST_PENDING_DEBUG_EXCEPTIONS, PENDING_DEBUG_BS);
    uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY_STATE);
    if (intr & (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS))
        vmcs_write(GUEST_INTERRUPTIBILITY_STATE,
                   intr & ~(uint64_t)(GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS));
}

void vmx_inject_exception(unsigned vector, bool has_error_code, uint32_t error_code)
{
    uint32_t info = vector | VMX_INTR_INFO_TYPE(VMX_INTR_TYPE_HARDWARE_EXCEPTION) |
                    VMX_INTR_INFO_VALID;
    if (has_error_code) {
        info |= VMX_INTR_INFO_DELIVER_ERROR_CODE;
        vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
    }
    vmcs_write(VM_ENTRY_INTERRUPTION_INFORMATION, info);
}

unsigned vmx_guest_cpl(void)
{
    /* CPL is SS.DPL (SDM 5.5). */
    return (vmcs_read(GUEST_SS_ACCESS_RIGHTS) >> AR_DPL_SHIFT) & AR_DPL_MASK;
}

bool vmx_guest_long_mode(void)
{
    return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read(GUEST_CS_ACCESS_RIGHTS) & AR_L);
}

static void print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print_line(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("%s", buf);
}

/* The top of the guest's stack, when it can be found without walking guest page tables. */
static void dump_guest_stack(struct vcpu *vcpu)
{
    if (vmcs_read(GUEST_CR0) & CR0_PG) {
        kprintf("  guest stack: not shown (guest paging is on)\n");
        return;
    }
    uint64_t sp = vmcs_read(GUEST_SS_BASE) + (vmcs_read(GUEST_RSP) & 0xffffffffu);
    uint32_t words[8];
    if (!copy_from_guest(vcpu->guest, words, sp, sizeof(words))) {
        kprintf("  guest stack at %lx: not in guest RAM\n", sp);
        return;
    }
    kprintf("  guest stack at %lx: %08x %08x %08x %08x %08x %08x %08x %08x\n", sp, words[0],
            words[1], words[2], words[3], words[4], words[5], words[6], words[7]);
}

void vmx_dump_guest(struct vcpu *vcpu)
{
    const struct guest_regs *r = &vcpu->regs;
    kprintf("  guest registers:\n");
    kprintf("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
    kprintf("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", r->rsi, r->rdi, r->rbp, r->r8);
    kprintf("  R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", r->r9, r->r10, r->r11, r->r12);
    kprintf("  R13 %016lx R14 %016lx R15 %016lx\n", r->r13, r->r14, r->r15);
    kprintf("  guest state (VMCS):\n");
    vmcs_dump(VMCS_CLASS_GUEST_STATE);
    kprintf("  exit information (VMCS):\n");
    vmcs_dump(VMCS_CLASS_EXIT_INFORMATION);
    dump_guest_stack(vcpu);
    if (exit_trace_count(&vcpu->trace))
        exit_trace_print(&vcpu->trace, 16, vmx_exit_reason_name, print_line);
}

void vendor_dump_guest_state(struct vcpu *vcpu)
{
    kprintf("  guest RIP %lx\n", vmcs_read(GUEST_RIP));
    vmx_dump_guest(vcpu);
}

/* A report for the operator, then the guest is stopped; the hypervisor carries on. */
static void stop_with_dump(struct vcpu *vcpu, const char *what)
{
    vlog_drain();
    uint64_t rip = vmcs_read(GUEST_RIP);
    kprintf("mica: %s at guest RIP %lx: stopping the guest\n", what, rip);
    vmx_dump_guest(vcpu);
    guest_stop(vcpu->guest, "%s at RIP %lx", what, rip);
}

static void handle_unexpected_exit(struct vcpu *vcpu)
{
    uint32_t reason = (uint32_t)vmcs_read(VM_EXIT_REASON);
    char what[96];
    ksnprintf(what, sizeof(what), "unhandled VM exit %u (%s)", VMX_EXIT_REASON_BASIC(reason),
              vmx_exit_reason_name(VMX_EXIT_REASON_BASIC(reason)));
    stop_with_dump(vcpu, what);
}

static void handle_exception_or_nmi(struct vcpu *vcpu)
{
    uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTERRUPTION_INFORMATION);
    unsigned type = (info & VMX_INTR_INFO_TYPE_MASK) >> VMX_INTR_INFO_TYPE_SHIFT;
    if (type == VMX_INTR_TYPE_NMI) {
        /* A host NMI arrived while the guest ran: hand it to the host's NMI path. */
        __asm__ volatile("int $2");
        return;
    }
    struct vmx_vcpu *vx = vcpu->vendor;
    if ((info & VMX_INTR_INFO_VECTOR_MASK) == EXC_DB_VECTOR && vx->stepping) {
        finish_single_step(vcpu);
        return;
    }
    if ((info & VMX_INTR_INFO_VECTOR_MASK) == EXC_BP_VECTOR && gdb_server_enabled()) {
        gdb_server_breakpoint(vcpu); /* RIP is the int3's address (SDM 28.1) */
        return;
    }
    char what[96];
    ksnprintf(what, sizeof(what), "intercepted guest exception %u (%s)",
              info & VMX_INTR_INFO_VECTOR_MASK, exception_name(info & VMX_INTR_INFO_VECTOR_MASK));
    stop_with_dump(vcpu, what);
}

static void handle_external_interrupt(struct vcpu *vcpu)
{
    (void)vcpu;
    /* Acknowledged on exit (VM_EXIT_ACK_INTERRUPT_ON_EXIT): the vector is in the exit
     * interruption information, and the host handles it here rather than through its IDT. */
    uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTERRUPTION_INFORMATION);
    unsigned vector = info & VMX_INTR_INFO_VECTOR_MASK;
    if (vector == HOST_TIMER_VECTOR) {
        host_timer_interrupt();
        return;
    }
    if (host_irq_handle_vector(vector)) /* a passed-through device's line */
        return;
    if (vector != LAPIC_SPURIOUS_VECTOR)
        lapic_eoi();
    vlog("mica: unexpected host interrupt vector %u while the guest ran\n", vector);
}

static void handle_triple_fault(struct vcpu *vcpu)
{
    stop_with_dump(vcpu, "guest triple fault (shutdown)");
}

static void handle_interrupt_window(struct vcpu *vcpu)
{
    (void)vcpu; /* the window is open: vmx_deliver_interrupts() injects before the next entry */
}

static void handle_cpuid(struct vcpu *vcpu)
{
    uint32_t leaf = (uint32_t)vcpu->regs.rax, subleaf = (uint32_t)vcpu->regs.rcx;
    struct cpuid_regs host = cpuid(leaf, subleaf);
    struct cpuid_result r = {host.eax, host.ebx, host.ecx, host.edx};
    cpuid_policy_apply(leaf, subleaf, vmcs_read(GUEST_CR4) & CR4_OSXSAVE, &r);
    vcpu->regs.rax = r.eax;
    vcpu->regs.rbx = r.ebx;
    vcpu->regs.rcx = r.ecx;
    vcpu->regs.rdx = r.edx;
    vmx_skip_instruction();
}

static void handle_hlt(struct vcpu *vcpu)
{
    vmx_skip_instruction();
    if (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) {
        vcpu->halted = true; /* the run loop idles until an interrupt can be delivered */
        return;
    }
    /* Interrupts off and no NMI source: nothing can ever wake this vCPU. */
    vlog_drain();
    kprintf("mica: guest executed HLT with interrupts disabled: it can never wake up\n");
    guest_stop(vcpu->guest, "halted with interrupts disabled (HLT with RFLAGS.IF = 0) at RIP %lx",
               vmcs_read(GUEST_RIP));
}

static void handle_invd(struct vcpu *vcpu)
{
    (void)vcpu;
    /* INVD would drop the host's dirty cache lines too: do the safe WBINVD instead. */
    __asm__ volatile("wbinvd" ::: "memory");
    vmx_skip_instruction();
}

static void handle_wbinvd(struct vcpu *vcpu)
{
    (void)vcpu;
    __asm__ volatile("wbinvd" ::: "memory");
    vmx_skip_instruction();
}

static void handle_vmcall(struct vcpu *vcpu)
{
    hypercall_dispatch(vcpu, vmx_guest_cpl(), vmx_guest_long_mode());
    vmx_skip_instruction();
}

/* VMX (and SMX) instructions in the guest: CPUID says there is no VMX, so they are undefined. */
static void handle_vmx_instruction(struct vcpu *vcpu)
{
    (void)vcpu;
    vmx_inject_exception(EXC_UD_VECTOR, false, 0);
}

static void handle_xsetbv(struct vcpu *vcpu)
{
    uint32_t index = (uint32_t)vcpu->regs.rcx;
    uint64_t value = ((vcpu->regs.rdx & 0xffffffffu) << 32) | (vcpu->regs.rax & 0xffffffffu);
    struct cpuid_regs xsave = cpuid(0xd, 0); /* supported XCR0 bits in EDX:EAX */
    uint64_t supported = ((uint64_t)xsave.edx << 32) | xsave.eax;
    /* The #GP conditions of XSETBV (SDM vol. 2B): index, reserved bits, x87 off, AVX without SSE. */
    uint64_t avx512 = value & XCR0_AVX512;
    bool valid = index == 0 && vmx_guest_cpl() == 0 && !(value & ~supported) &&
                 (value & XCR0_X87) && !((value & XCR0_AVX) && !(value & XCR0_SSE)) &&
                 (avx512 == 0 || (avx512 == XCR0_AVX512 && (value & XCR0_AVX)));
    if (!valid) {
        vmx_inject_exception(EXC_GP_VECTOR, true, 0);
        return;
    }
    /* The host's CR4.OSXSAVE is on whenever the CPU has XSAVE (vendor_enable), so XSETBV here
     * cannot #UD. The host itself uses no XSAVE state, so XCR0 keeps the guest's value. */
    __asm__ volatile("xsetbv" : : "c"(0u), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
    vmx_skip_instruction();
}

static void handle_ept_violation(struct vcpu *vcpu)
{
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    struct exit_ept_violation v;
    exit_qual_decode_ept_violation(vmcs_read(EXIT_QUALIFICATION), &v);
    const char *access = v.fetch ? "instruction fetch from" : v.write ? "write to" : "read of";
    const struct mmio_region *region = mmio_find(&vcpu->guest->mmio, gpa);
    if (region) {
        /* Instruction emulation for MMIO devices is not there yet: say so rather than guess. */
        char what[128];
        ksnprintf(what, sizeof(what), "%s MMIO device %s at %lx (MMIO emulation not implemented)",
                  access, region->name, gpa);
        stop_with_dump(vcpu, what);
        return;
    }
    char what[160];
    if (v.gla_valid)
        ksnprintf(what, sizeof(what),
                  "%s unbacked guest-physical address %lx (linear %lx; guest RAM ends at %lx)",
                  access, gpa, vmcs_read(GUEST_LINEAR_ADDRESS), vcpu->guest->ram_size);
    else
        ksnprintf(what, sizeof(what), "%s unbacked guest-physical address %lx (guest RAM ends at "
                  "%lx)", access, gpa, vcpu->guest->ram_size);
    vlog_drain();
    kprintf("mica: guest %s at RIP %lx: stopping the guest\n", what, vmcs_read(GUEST_RIP));
    guest_stop(vcpu->guest, "%s", what);
}

static void handle_ept_misconfiguration(struct vcpu *vcpu)
{
    stop_with_dump(vcpu, "EPT misconfiguration (a hypervisor bug)");
}

static void handle_preemption_timer(struct vcpu *vcpu)
{
    (void)vcpu;
    host_timer_check_deadline(); /* the run loop then runs the timer work */
}

static void handle_monitor_trap_flag(struct vcpu *vcpu)
{
    (void)vcpu; /* mica steps with RFLAGS.TF; an MTF exit only turns the control off */
    vmcs_clear_bits(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED_MONITOR_TRAP_FLAG);
}

void vendor_read_gdb_regs(struct vcpu *vcpu, uint64_t regs[16])
{
    const struct guest_regs *r = &vcpu->regs;
    uint64_t v[16] = {r->rax,
                      r->rcx,
                      r->rdx,
                      r->rbx,
                      vmcs_read(GUEST_RSP),
                      r->rbp,
                      r->rsi,
                      r->rdi,
                      vmcs_read(GUEST_RIP),
                      vmcs_read(GUEST_RFLAGS),
                      vmcs_read(GUEST_CS_SELECTOR),
                      vmcs_read(GUEST_SS_SELECTOR),
                      vmcs_read(GUEST_DS_SELECTOR),
                      vmcs_read(GUEST_ES_SELECTOR),
                      vmcs_read(GUEST_FS_SELECTOR),
                      vmcs_read(GUEST_GS_SELECTOR)};
    for (unsigned i = 0; i < 16; i++)
        regs[i] = v[i] & 0xffffffffu;
}

/* General registers, EIP and EFLAGS (reserved bit 1 kept); segment registers are not changed. */
void vendor_write_gdb_regs(struct vcpu *vcpu, const uint64_t regs[16])
{
    struct guest_regs *r = &vcpu->regs;
    r->rax = regs[0];
    r->rcx = regs[1];
    r->rdx = regs[2];
    r->rbx = regs[3];
    vmcs_write(GUEST_RSP, regs[4]);
    r->rbp = regs[5];
    r->rsi = regs[6];
    r->rdi = regs[7];
    vmcs_write(GUEST_RIP, regs[8]);
    vmcs_write(GUEST_RFLAGS, (regs[9] & 0x3f7fd7ull) | 2); /* architectural EFLAGS bits only */
}

void vendor_intercept_breakpoints(struct vcpu *vcpu, bool on)
{
    (void)vcpu;
    if (on)
        vmcs_set_bits(EXCEPTION_BITMAP, 1u << EXC_BP_VECTOR);
    else
        vmcs_clear_bits(EXCEPTION_BITMAP, 1u << EXC_BP_VECTOR);
}

bool vendor_guest_paging(struct vcpu *vcpu)
{
    (void)vcpu;
    return vmcs_read(GUEST_CR0) & CR0_PG;
}

void vendor_dump_registers(struct vcpu *vcpu)
{
    const struct guest_regs *r = &vcpu->regs;
    kprintf("  RIP %016lx RSP %016lx RFLAGS %016lx CPL %u%s\n", vmcs_read(GUEST_RIP),
            vmcs_read(GUEST_RSP), vmcs_read(GUEST_RFLAGS), vmx_guest_cpl(),
            vmx_guest_long_mode() ? " (64-bit)" : "");
    kprintf("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
    kprintf("  RSI %016lx RDI %016lx RBP %016lx\n", r->rsi, r->rdi, r->rbp);
    kprintf("  CR0 %016lx (guest sees %lx) CR3 %016lx CR4 %016lx (guest sees %lx)\n",
            vmcs_read(GUEST_CR0), vmcs_read(CR0_READ_SHADOW), vmcs_read(GUEST_CR3),
            vmcs_read(GUEST_CR4), vmcs_read(CR4_READ_SHADOW));
    kprintf("  CS %04lx base %lx  SS %04lx  EFER %lx\n", vmcs_read(GUEST_CS_SELECTOR),
            vmcs_read(GUEST_CS_BASE), vmcs_read(GUEST_SS_SELECTOR), vmcs_read(GUEST_IA32_EFER));
}

void vendor_dump_vmcs(struct vcpu *vcpu)
{
    (void)vcpu;
    kprintf("  controls:\n");
    vmcs_dump(VMCS_CLASS_CONTROL);
    kprintf("  guest state:\n");
    vmcs_dump(VMCS_CLASS_GUEST_STATE);
    kprintf("  host state:\n");
    vmcs_dump(VMCS_CLASS_HOST_STATE);
    kprintf("  exit information:\n");
    vmcs_dump(VMCS_CLASS_EXIT_INFORMATION);
}

void vendor_describe_gpa(struct vcpu *vcpu, uint64_t gpa)
{
    struct vmx_vcpu *vx = vcpu->vendor;
    struct ept_walk_result w;
    enum ept_status st = ept_walk(&vx->ept, gpa, &w);
    if (st != EPT_OK) {
        kprintf("  ept %lx: %s\n", gpa, ept_status_str(st));
        return;
    }
    if (!w.mapped) {
        kprintf("  ept %lx: not mapped (walk stopped at level %u, entry %lx)%s\n", gpa, w.level,
                w.entry, mmio_find(&vcpu->guest->mmio, gpa) ? " - an MMIO device range" : "");
        return;
    }
    kprintf("  ept %lx -> host-physical %lx, %s%s%s, memory type %u, %lu KiB page (level %u, entry "
            "%lx)\n",
            gpa, w.hpa, w.perms & EPT_READ ? "R" : "-", w.perms & EPT_WRITE ? "W" : "-",
            w.perms & EPT_EXECUTE ? "X" : "-", w.memtype, w.page_size >> 10, w.level, w.entry);
}

/* One guest instruction with RFLAGS.TF and #DB intercepted. (The monitor trap flag would keep TF
 * out of the guest's sight, but Bochs 2.7 does not deliver MTF exits.) */
int vendor_request_single_step(struct vcpu *vcpu)
{
    struct vmx_vcpu *vx = vcpu->vendor;
    uint64_t rflags = vmcs_read(GUEST_RFLAGS);
    vx->stepping = true;
    vx->step_saved_tf = rflags & RFLAGS_TF;
    vmcs_write(GUEST_RFLAGS, rflags | RFLAGS_TF);
    vmcs_set_bits(EXCEPTION_BITMAP, 1u << EXC_DB_VECTOR);
    return 1;
}

static void finish_single_step(struct vcpu *vcpu)
{
    struct vmx_vcpu *vx = vcpu->vendor;
    vx->stepping = false;
    if (!vx->step_saved_tf)
        vmcs_clear_bits(GUEST_RFLAGS, RFLAGS_TF);
    vmcs_clear_bits(EXCEPTION_BITMAP, 1u << EXC_DB_VECTOR);
    vmcs_clear_bits(GUEST_PENDING_DEBUG_EXCEPTIONS, PENDING_DEBUG_BS);
    if (vcpu->single_step)
        monitor_after_step(vcpu);
    else if (gdb_server_enabled())
        gdb_server_step_done(vcpu);
}

static const vmx_exit_handler exit_handlers[] = {
    [EXIT_REASON_EXCEPTION_NMI] = handle_exception_or_nmi,
    [EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
    [EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
    [EXIT_REASON_INTERRUPT_WINDOW] = handle_interrupt_window,
    [EXIT_REASON_CPUID] = handle_cpuid,
    [EXIT_REASON_GETSEC] = handle_vmx_instruction,
    [EXIT_REASON_HLT] = handle_hlt,
    [EXIT_REASON_INVD] = handle_invd,
    [EXIT_REASON_VMCALL] = handle_vmcall,
    [EXIT_REASON_VMCLEAR] = handle_vmx_instruction,
    [EXIT_REASON_VMLAUNCH] = handle_vmx_instruction,
    [EXIT_REASON_VMPTRLD] = handle_vmx_instruction,
    [EXIT_REASON_VMPTRST] = handle_vmx_instruction,
    [EXIT_REASON_VMREAD] = handle_vmx_instruction,
    [EXIT_REASON_VMRESUME] = handle_vmx_instruction,
    [EXIT_REASON_VMWRITE] = handle_vmx_instruction,
    [EXIT_REASON_VMXOFF] = handle_vmx_instruction,
    [EXIT_REASON_VMXON] = handle_vmx_instruction,
    [EXIT_REASON_CR_ACCESS] = vmx_handle_cr_access,
    [EXIT_REASON_IO_INSTRUCTION] = vmx_handle_io,
    [EXIT_REASON_RDMSR] = vmx_handle_rdmsr,
    [EXIT_REASON_WRMSR] = vmx_handle_wrmsr,
    [EXIT_REASON_MONITOR_TRAP_FLAG] = handle_monitor_trap_flag,
    [EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
    [EXIT_REASON_EPT_MISCONFIGURATION] = handle_ept_misconfiguration,
    [EXIT_REASON_VMX_PREEMPTION_TIMER] = handle_preemption_timer,
    [EXIT_REASON_INVEPT] = handle_vmx_instruction,
    [EXIT_REASON_INVVPID] = handle_vmx_instruction,
    [EXIT_REASON_WBINVD] = handle_wbinvd,
    [EXIT_REASON_XSETBV] = handle_xsetbv,
    [EXIT_REASON_VMFUNC] = handle_vmx_instruction,
};
#define EXIT_HANDLER_COUNT (sizeof(exit_handlers) / sizeof(exit_handlers[0]))

/* Exit reason bit 31: the VM entry itself failed and the guest never ran (SDM 27.8). */
static void handle_failed_entry(struct vcpu *vcpu, uint32_t reason)
{
    unsigned basic = VMX_EXIT_REASON_BASIC(reason);
    vlog_drain();
    kprintf("mica: VM entry failed: %s (exit reason %u, qualification %lx)\n",
            vmx_exit_reason_name(basic), basic, vmcs_read(EXIT_QUALIFICATION));
    if (basic == EXIT_REASON_INVALID_GUEST_STATE)
        kprintf("  a guest-state check of SDM 27.3.1 failed (an emulator's log names which)\n");
    else if (basic == EXIT_REASON_MSR_LOADING)
        kprintf("  loading MSR entry %lu of the VM-entry MSR-load area failed (SDM 27.4)\n",
                vmcs_read(EXIT_QUALIFICATION));
    vmx_dump_guest(vcpu);
    guest_stop(vcpu->guest, "VM entry failed: %s", vmx_exit_reason_name(basic));
}

/* An exit during event delivery (SDM 28.2.4): the event was not delivered and must be injected
 * again on the next entry, unless the handler queued something else (SDM 27.6). */
static void reinject_interrupted_event(void)
{
    uint32_t info = (uint32_t)vmcs_read(IDT_VECTORING_INFORMATION);
    if (!(info & VMX_INTR_INFO_VALID) ||
        (vmcs_read(VM_ENTRY_INTERRUPTION_INFORMATION) & VMX_INTR_INFO_VALID))
        return;
    if (info & VMX_INTR_INFO_DELIVER_ERROR_CODE)
        vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read(IDT_VECTORING_ERROR_CODE));
    vmcs_write(VM_ENTRY_INSTRUCTION_LENGTH, vmcs_read(VM_EXIT_INSTRUCTION_LENGTH));
    vmcs_write(VM_ENTRY_INTERRUPTION_INFORMATION, info & ~VMX_INTR_INFO_NMI_UNBLOCKING_IRET);
}

static void trace_exit(struct vcpu *vcpu, uint32_t reason)
{
    uint64_t gpa = VMX_EXIT_REASON_BASIC(reason) == EXIT_REASON_EPT_VIOLATION ||
                           VMX_EXIT_REASON_BASIC(reason) == EXIT_REASON_EPT_MISCONFIGURATION
                       ? vmcs_read(GUEST_PHYSICAL_ADDRESS)
                       : EXIT_TRACE_NO_GPA;
    exit_trace_begin(&vcpu->trace, reason, vmcs_read(EXIT_QUALIFICATION), vmcs_read(GUEST_RIP),
                     gpa, rdtsc());
}

void vmx_handle_exit(struct vcpu *vcpu)
{
    uint32_t reason = (uint32_t)vmcs_read(VM_EXIT_REASON);
    unsigned basic = VMX_EXIT_REASON_BASIC(reason);
    if (exit_trace_enabled(&vcpu->trace))
        trace_exit(vcpu, reason);
    vcpu->exits_total++;
    if (basic < VCPU_EXIT_REASONS)
        vcpu->exits_by_reason[basic]++;
    else
        vcpu->exits_reason_out_of_range++;
    if (reason & VMX_EXIT_REASON_FAILED_VMENTRY) {
        handle_failed_entry(vcpu, reason);
        return;
    }
    if (basic < EXIT_HANDLER_COUNT && exit_handlers[basic])
        exit_handlers[basic](vcpu);
    else
        handle_unexpected_exit(vcpu);
    if (vcpu->guest->end == GUEST_RUNNING)
        reinject_interrupted_event();
    if (exit_trace_enabled(&vcpu->trace))
        exit_trace_end(&vcpu->trace, rdtsc());
}
