/* Virtual interrupt controller for soft interrupt masking: pending bitmap updates with atomic
 * operations on the guest's shared page, and the inject / interrupt-window decision. */
#include "vmm/vic.h"

#include "kernel/string.h"

#define WORD_BITS 32u

/* Updates of the shared page use __atomic builtins on its volatile fields: the guest takes bits
 * with LOCK BTR (or an equivalent atomic AND) concurrently, possibly from another CPU. */

static void publish_stats(struct vic *v)
{
    /* Plain stores of our own counters: the guest may overwrite them, we never read them back. */
    v->shared->delivered_by_injection = (unsigned int)v->injected;
    v->shared->coalesced = (unsigned int)v->coalesced;
}

/* No libgcc in the kernel: __builtin_popcount may become a call to __popcountdi2. */
static unsigned popcount32(unsigned int x)
{
    unsigned n = 0;
    for (; x != 0; x &= x - 1u)
        n++;
    return n;
}

/* Word 0 holds vectors 0-31, which nobody may raise: whatever the guest put there is cleared. */
static void scrub_exception_vectors(struct vic *v)
{
    volatile unsigned int *w0 = &v->shared->pending[0];
    if (__atomic_load_n(w0, __ATOMIC_RELAXED) == 0)
        return;
    unsigned int bad = __atomic_exchange_n(w0, 0u, __ATOMIC_SEQ_CST);
    v->ignored_bad_vector += popcount32(bad);
}

void vic_init(struct vic *v)
{
    memset(v, 0, sizeof(*v));
}

bool vic_attach_shared(struct vic *v, struct mica_vcpu_shared *shared)
{
    if (v->shared != NULL || shared == NULL)
        return false;
    v->shared = shared;
    scrub_exception_vectors(v);
    publish_stats(v);
    return true;
}

void vic_raise(struct vic *v, unsigned vector)
{
    if (vector < VIC_FIRST_VECTOR || vector >= VIC_VECTORS) {
        v->ignored_bad_vector++;
        return;
    }
    if (v->shared == NULL)
        return;
    unsigned int mask = 1u << (vector % WORD_BITS);
    unsigned int old =
        __atomic_fetch_or(&v->shared->pending[vector / WORD_BITS], mask, __ATOMIC_SEQ_CST);
    v->raised++;
    if (old & mask) {
        v->coalesced++;
        v->shared->coalesced = (unsigned int)v->coalesced;
    } else {
        __atomic_fetch_add(&v->shared->pending_count, 1u, __ATOMIC_SEQ_CST);
    }
}

bool vic_any_pending(const struct vic *v)
{
    if (v->shared == NULL)
        return false;
    for (unsigned w = VIC_FIRST_VECTOR / WORD_BITS; w < MICA_PENDING_WORDS; w++)
        if (__atomic_load_n(&v->shared->pending[w], __ATOMIC_ACQUIRE) != 0)
            return true;
    return false;
}

/* Atomically clears and returns the highest set bit for a vector >= 32, or -1. Bounded even if
 * the guest flips bits concurrently: after a lost race only lower bits of the same word are
 * tried, so at most 32 attempts per word. */
static int take_highest(struct mica_vcpu_shared *s)
{
    for (unsigned w = MICA_PENDING_WORDS; w-- > VIC_FIRST_VECTOR / WORD_BITS;) {
        unsigned int word = __atomic_load_n(&s->pending[w], __ATOMIC_ACQUIRE);
        while (word != 0) {
            unsigned bit = WORD_BITS - 1u - (unsigned)__builtin_clz(word);
            unsigned int mask = 1u << bit;
            unsigned int old = __atomic_fetch_and(&s->pending[w], ~mask, __ATOMIC_SEQ_CST);
            if (old & mask)
                return (int)(w * WORD_BITS + bit);
            word = old & (mask - 1u); /* someone else took it: try lower ones */
        }
    }
    return -1;
}

int vic_take_for_injection(struct vic *v, bool guest_if, bool guest_blocked)
{
    if (v->shared == NULL)
        return -1;
    /* One read: the decision below must not mix two values the guest wrote at different times. */
    unsigned char enabled = v->shared->soft_interrupt_enable;
    scrub_exception_vectors(v);
    if (enabled == 0 || !guest_if || guest_blocked)
        return -1;
    int vector = take_highest(v->shared);
    if (vector < 0)
        return -1;
    v->injected++;
    __atomic_fetch_sub(&v->shared->pending_count, 1u, __ATOMIC_SEQ_CST);
    publish_stats(v);
    return vector;
}

bool vic_wants_interrupt_window(const struct vic *v, bool guest_if, bool guest_blocked)
{
    if (v->shared == NULL)
        return false;
    unsigned char enabled = v->shared->soft_interrupt_enable;
    if (enabled == 0 || (guest_if && !guest_blocked))
        return false;
    return vic_any_pending(v);
}
