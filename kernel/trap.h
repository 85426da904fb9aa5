/* Interrupt descriptor table, the trap frame every vector's stub builds, exception reports,
 * per-vector handlers, and fault_catch (run a function, survive its exception). */
#ifndef MICA_KERNEL_TRAP_H
#define MICA_KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Layout pushed by kernel/trap_entry.asm, lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define EXC_DE 0  /* divide error */
#define EXC_DB 1  /* debug */
#define EXC_NMI 2 /* non-maskable interrupt */
#define EXC_BP 3  /* breakpoint */
#define EXC_UD 6  /* invalid opcode */
#define EXC_DF 8  /* double fault */
#define EXC_GP 13 /* general protection */
#define EXC_PF 14 /* page fault */

/* Page-fault error code bits (SDM vol. 3, 4.7). */
#define PF_ERR_PRESENT (1u << 0)
#define PF_ERR_WRITE   (1u << 1)
#define PF_ERR_USER    (1u << 2)
#define PF_ERR_RSVD    (1u << 3)
#define PF_ERR_FETCH   (1u << 4)

typedef void (*trap_handler_fn)(struct trap_frame *frame);

void idt_init(void);
uint64_t idt_base(void);
/* Folds the IDT into an FNV-1a hash (kernel/checksum.h). */
uint64_t idt_checksum(uint64_t hash);
void trap_set_handler(unsigned vector, trap_handler_fn fn);
const char *exception_name(unsigned vector);
void trap_frame_dump(const struct trap_frame *frame);

/* What the last caught fault was (valid after fault_catch_call returned non-zero). */
struct fault_info {
    unsigned vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cr2;
};
int fault_catch_call(void (*fn)(void *), void *arg);
const struct fault_info *fault_catch_last(void);

/* RDMSR/WRMSR that return false instead of faulting (#GP) on an MSR the CPU lacks. */
bool rdmsr_safe(uint32_t msr, uint64_t *value);
bool wrmsr_safe(uint32_t msr, uint64_t value);

#endif
