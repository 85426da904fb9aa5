/* IDT set-up and trap_dispatch: exceptions are reported with their name, error code, RIP, CR2
 * and every register, then the kernel panics, unless fault_catch or a registered handler takes it. */
#include "kernel/trap.h"

#include "kernel/checksum.h"

#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/string.h"

#define IDT_VECTORS        256
#define FIRST_NON_EXCEPTION 32
#define GATE_INTERRUPT64   0xe /* 64-bit interrupt gate, SDM vol. 3, 3.5 table 3-2 */
#define GATE_PRESENT       0x80

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate (SDM vol. 3, 6.14.1)");

extern const uint64_t trap_stub_table[IDT_VECTORS];
extern uint64_t fault_catch_resume_rip, fault_catch_resume_rsp;
volatile uint8_t fault_catch_active; /* set and cleared by fault_catch_call */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static trap_handler_fn handlers[IDT_VECTORS];
static struct fault_info last_fault;

static const char *const exception_names[FIRST_NON_EXCEPTION] = {
    [0] = "#DE divide error",
    [1] = "#DB debug",
    [2] = "NMI",
    [3] = "#BP breakpoint",
    [4] = "#OF overflow",
    [5] = "#BR bound range exceeded",
    [6] = "#UD invalid opcode",
    [7] = "#NM device not available",
    [8] = "#DF double fault",
    [9] = "coprocessor segment overrun",
    [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",
    [12] = "#SS stack-segment fault",
    [13] = "#GP general protection",
    [14] = "#PF page fault",
    [16] = "#MF x87 floating-point error",
    [17] = "#AC alignment check",
    [18] = "#MC machine check",
    [19] = "#XM SIMD floating-point",
    [20] = "#VE virtualization exception",
    [21] = "#CP control protection",
    [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication",
    [30] = "#SX security exception",
};

const char *exception_name(unsigned vector)
{
    if (vector < FIRST_NON_EXCEPTION && exception_names[vector])
        return exception_names[vector];
    return vector < FIRST_NON_EXCEPTION ? "reserved exception" : "interrupt";
}

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uint64_t addr = trap_stub_table[v];
        idt[v] = (struct idt_gate){
            .offset_low = addr & 0xffff,
            .selector = GDT_KERNEL_CODE,
            .ist = v == EXC_DF ? IST_DOUBLE_FAULT : v == EXC_NMI ? IST_NMI : 0,
            .type_attr = GATE_PRESENT | GATE_INTERRUPT64,
            .offset_mid = (addr >> 16) & 0xffff,
            .offset_high = (uint32_t)(addr >> 32),
        };
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

uint64_t idt_base(void)
{
    return (uint64_t)idt;
}

void trap_set_handler(unsigned vector, trap_handler_fn fn)
{
    if (vector < IDT_VECTORS)
        handlers[vector] = fn;
}

void trap_frame_dump(const struct trap_frame *f)
{
    kprintf("  RIP %016lx  CS %04lx  RFLAGS %016lx\n", f->rip, f->cs, f->rflags);
    kprintf("  RSP %016lx  SS %04lx  error code %016lx\n", f->rsp, f->ss, f->error_code);
    kprintf("  RAX %016lx  RBX %016lx  RCX %016lx\n", f->rax, f->rbx, f->rcx);
    kprintf("  RDX %016lx  RSI %016lx  RDI %016lx\n", f->rdx, f->rsi, f->rdi);
    kprintf("  RBP %016lx  R8  %016lx  R9  %016lx\n", f->rbp, f->r8, f->r9);
    kprintf("  R10 %016lx  R11 %016lx  R12 %016lx\n", f->r10, f->r11, f->r12);
    kprintf("  R13 %016lx  R14 %016lx  R15 %016lx\n", f->r13, f->r14, f->r15);
    kprintf("  CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx\n", read_cr0(), read_cr2(),
            read_cr3(), read_cr4());
}

static void describe_page_fault(const struct trap_frame *f)
{
    uint64_t e = f->error_code;
    kprintf("  page fault at %016lx: %s, %s%s%s\n", read_cr2(),
            e & PF_ERR_PRESENT ? "protection violation" : "page not present",
            e & PF_ERR_FETCH   ? "instruction fetch"
            : e & PF_ERR_WRITE ? "write"
                               : "read",
            e & PF_ERR_USER ? ", user mode" : "", e & PF_ERR_RSVD ? ", reserved bit set" : "");
}

void trap_dispatch(struct trap_frame *f)
{
    unsigned v = (unsigned)f->vector;

    if (v < FIRST_NON_EXCEPTION && fault_catch_active) {
        last_fault = (struct fault_info){
            .vector = v, .error_code = f->error_code, .rip = f->rip, .cr2 = read_cr2()};
        f->rip = fault_catch_resume_rip;
        f->rsp = fault_catch_resume_rsp;
        f->rax = v + 1;
        return;
    }
    if (handlers[v]) {
        handlers[v](f);
        return;
    }
    if (v < FIRST_NON_EXCEPTION) {
        kprintf("\nmica: unexpected exception %u (%s) in the hypervisor\n", v, exception_name(v));
        if (v == EXC_PF)
            describe_page_fault(f);
        trap_frame_dump(f);
        panic_backtrace_from(f->rip, f->rbp);
        panic("unhandled %s at %016lx", exception_name(v), f->rip);
    }
    log_warn("unexpected interrupt on vector %u (no handler), ignored\n", v);
}

const struct fault_info *fault_catch_last(void)
{
    return &last_fault;
}

struct msr_access {
    uint32_t msr;
    uint64_t value;
};

static void do_rdmsr(void *arg)
{
    struct msr_access *a = arg;
    a->value = rdmsr(a->msr);
}

static void do_wrmsr(void *arg)
{
    struct msr_access *a = arg;
    wrmsr(a->msr, a->value);
}

bool rdmsr_safe(uint32_t msr, uint64_t *value)
{
    struct msr_access a = {.msr = msr};
    if (fault_catch_call(do_rdmsr, &a))
        return false;
    *value = a.value;
    return true;
}

bool wrmsr_safe(uint32_t msr, uint64_t value)
{
    struct msr_access a = {.msr = msr, .value = value};
    return fault_catch_call(do_wrmsr, &a) == 0;
}

uint64_t idt_checksum(uint64_t hash)
{
    return fnv1a64(hash, idt, sizeof(idt));
}
