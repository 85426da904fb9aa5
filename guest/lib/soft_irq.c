/* Soft interrupt masking, guest side: flag stores ordered by compiler barriers, pending bits taken
 * with an atomic AND (LOCK-prefixed: safe against the hypervisor setting bits from another CPU). */
#include "guest/lib/soft_irq.h"

#define WORD_BITS  32u
#define FIRST_WORD 1u /* word 0 is vectors 0-31: never pending */

/* Orders the flag stores against the critical section's plain memory accesses. A compiler
 * barrier suffices: the hypervisor decides to inject only before a VM entry on this vCPU's CPU,
 * after a VM exit, which is serializing, so it always sees our last store to the flag. (If a
 * hypervisor ever looked at the flag from another CPU to decide whether to kick this vCPU, the
 * store-then-load in soft_sti() would need a full fence: x86 may reorder a store before a later
 * load.) */
#define barrier() __asm__ volatile("" ::: "memory")

void soft_cli(struct mica_vcpu_shared *s)
{
    s->soft_interrupt_enable = 0;
    barrier();
}

bool soft_irq_pending(const struct mica_vcpu_shared *s)
{
    unsigned int any = 0;
    for (unsigned w = FIRST_WORD; w < MICA_PENDING_WORDS; w++)
        any |= s->pending[w];
    return any != 0;
}

void soft_sti(struct mica_vcpu_shared *s, soft_irq_notify_fn notify)
{
    barrier();
    /* Flag first, check second: a vector raised after the store is injected directly (the
     * hypervisor sees the flag at 1); one raised before it is found by the check below. */
    s->soft_interrupt_enable = 1;
    barrier();
    if (soft_irq_pending(s))
        notify();
}

int soft_irq_take_highest(struct mica_vcpu_shared *s)
{
    for (unsigned w = MICA_PENDING_WORDS; w-- > FIRST_WORD;) {
        unsigned int word = __atomic_load_n(&s->pending[w], __ATOMIC_ACQUIRE);
        while (word != 0) {
            unsigned bit = WORD_BITS - 1u - (unsigned)__builtin_clz(word);
            unsigned int mask = 1u << bit;
            /* Test-and-reset: the vector is ours only if this cleared its bit. */
            unsigned int old = __atomic_fetch_and(&s->pending[w], ~mask, __ATOMIC_SEQ_CST);
            if (old & mask) {
                __atomic_fetch_sub(&s->pending_count, 1u, __ATOMIC_SEQ_CST);
                return (int)(w * WORD_BITS + bit);
            }
            word = old & (mask - 1u);
        }
    }
    return -1;
}

void soft_irq_drain(struct mica_vcpu_shared *s, soft_irq_dispatch_fn dispatch)
{
    while (s->soft_interrupt_enable != 0) {
        int vector = soft_irq_take_highest(s);
        if (vector < 0)
            break;
        dispatch((unsigned)vector);
    }
}
