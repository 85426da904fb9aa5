/* Test guest IDT: interrupt gates for exceptions 0-31 (stubs in traps.asm), gates for interrupt
 * vectors set by tests, and the report of an exception that no catch_fault() expected. */
#include "tests/guests/lib/guest.h"

#define IDT_VECTORS       256
#define EXCEPTION_VECTORS 32
#define GATE_INT32  0x8e /* present, DPL 0, 32-bit interrupt gate */
#define SEL_CODE    0x08

struct __attribute__((packed)) idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t zero;
    uint8_t type;
    uint16_t offset_hi;
};

/* What traps.asm's isr_common leaves on the stack. */
struct exception_frame {
    uint32_t vector, error, eip, cs, eflags;
};

extern const uint32_t isr_stubs[EXCEPTION_VECTORS];
static struct idt_gate idt[IDT_VECTORS];

void idt_set_gate(unsigned vector, uint32_t entry)
{
    idt[vector & 0xff] = (struct idt_gate){
        .offset_lo = (uint16_t)entry,
        .selector = SEL_CODE,
        .type = GATE_INT32,
        .offset_hi = (uint16_t)(entry >> 16),
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
        idt_set_gate(v, isr_stubs[v]);
    struct descriptor_ptr p = {.limit = sizeof(idt) - 1, .base = (uint32_t)idt};
    lidt(&p);
}

__attribute__((noreturn)) void guest_unexpected_exception(const struct exception_frame *f);

void guest_unexpected_exception(const struct exception_frame *f)
{
    printf("\nunexpected exception %u, error code 0x%x, at EIP 0x%08x\n", f->vector, f->error,
           f->eip);
    guest_exit(MICA_GUEST_FAIL);
}
