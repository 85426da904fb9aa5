/* Host unit tests of soft interrupt masking (vmm/vic.c, guest/lib/soft_irq.c): each function, a
 * random model of a vCPU and the hypervisor, and an arrival before every shared-page access. */
#define _GNU_SOURCE /* REG_EFL in <ucontext.h> */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "guest/lib/soft_irq.h"
#include "vmm/vic.h"

#define PAGE_BYTES 4096u
static struct mica_vcpu_shared *pg; /* alone in its page (mmap), for mprotect */
static struct vic vic;

static int setup(void **state)
{
    (void)state;
    memset(pg, 0, sizeof(*pg));
    pg->soft_interrupt_enable = 1;
    vic_init(&vic);
    assert_true(vic_attach_shared(&vic, pg));
    return 0;
}

static unsigned popcount(unsigned x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static bool page_bit(unsigned vector)
{
    return (pg->pending[vector / 32] >> (vector % 32)) & 1;
}

/* ---- guest-side fakes ---------------------------------------------------------------------- */

static unsigned notify_calls;
static unsigned notify_flag_seen; /* soft_interrupt_enable when notify was called */

static void fake_notify(void)
{
    notify_calls++;
    notify_flag_seen = pg->soft_interrupt_enable;
}

static unsigned dispatched[64];
static unsigned ndispatched;
static void (*dispatch_hook)(unsigned vector);

static void fake_dispatch(unsigned vector)
{
    if (ndispatched < 64)
        dispatched[ndispatched] = vector;
    ndispatched++;
    if (dispatch_hook)
        dispatch_hook(vector);
}

/* ---- vmm/vic.c ------------------------------------------------------------------------------ */

static void test_legacy_mode(void **state)
{
    (void)state;
    struct vic v;
    memset(&v, 0xff, sizeof(v));
    vic_init(&v);
    assert_null(v.shared);
    assert_false(vic_active(&v));
    assert_true(v.raised == 0 && v.injected == 0 && v.coalesced == 0 && v.ignored_bad_vector == 0);
    vic_raise(&v, 40);
    assert_int_equal(v.raised, 0);
    assert_int_equal(vic_take_for_injection(&v, true, false), -1);
    assert_false(vic_wants_interrupt_window(&v, false, false));
    assert_false(vic_any_pending(&v));
    vic_raise(&v, 3); /* still a bad vector */
    assert_int_equal(v.ignored_bad_vector, 1);
}

static void test_attach(void **state)
{
    (void)state;
    struct vic v;
    static struct mica_vcpu_shared other;
    vic_init(&v);
    assert_false(vic_attach_shared(&v, NULL));
    assert_false(vic_active(&v));
    memset(pg, 0, sizeof(*pg));
    pg->pending[0] = 0x80000005u;       /* guest garbage: vectors 0, 2, 31 */
    pg->delivered_by_injection = 12345; /* overwritten with our counter */
    pg->pending[3] = 1u << 4;           /* vector 100, left as the guest wrote it */
    pg->soft_interrupt_enable = 1;
    assert_true(vic_attach_shared(&v, pg));
    assert_true(vic_active(&v));
    assert_int_equal(pg->pending[0], 0);
    assert_int_equal(v.ignored_bad_vector, 3);
    assert_int_equal(pg->delivered_by_injection, 0);
    assert_int_equal(pg->pending[3], 1u << 4);
    assert_int_equal(pg->soft_interrupt_enable, 1);
    assert_false(vic_attach_shared(&v, &other));
    assert_false(vic_attach_shared(&v, pg));
    assert_ptr_equal(v.shared, pg);
}

static void test_raise_sets_bits_and_coalesces(void **state)
{
    (void)state;
    vic_raise(&vic, 32);
    vic_raise(&vic, 255);
    vic_raise(&vic, 100);
    assert_int_equal(pg->pending[1], 1u);
    assert_int_equal(pg->pending[7], 1u << 31);
    assert_int_equal(pg->pending[3], 1u << 4);
    assert_int_equal(vic.raised, 3);
    assert_int_equal(vic.coalesced, 0);
    assert_int_equal(pg->pending_count, 3);
    vic_raise(&vic, 100);
    vic_raise(&vic, 100);
    assert_int_equal(vic.raised, 5);
    assert_int_equal(vic.coalesced, 2);
    assert_int_equal(pg->coalesced, 2);
    assert_int_equal(pg->pending_count, 3);
    assert_int_equal(pg->pending[3], 1u << 4);
    assert_true(vic_any_pending(&vic));
}

static void test_raise_refuses_bad_vectors(void **state)
{
    (void)state;
    const unsigned bad[] = {0, 1, 14, 31, 256, 257, 4096, UINT_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        vic_raise(&vic, bad[i]);
    assert_int_equal(vic.ignored_bad_vector, 8);
    assert_int_equal(vic.raised, 0);
    assert_int_equal(pg->pending_count, 0);
    for (unsigned w = 0; w < MICA_PENDING_WORDS; w++)
        assert_int_equal(pg->pending[w], 0);
    assert_false(vic_any_pending(&vic));
    vic_raise(&vic, 31 + 1);
    assert_int_equal(vic.raised, 1);
    assert_int_equal(vic.ignored_bad_vector, 8);
}

static void test_take_needs_flag_if_and_no_shadow(void **state)
{
    (void)state;
    vic_raise(&vic, 77);
    pg->soft_interrupt_enable = 0;
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    pg->soft_interrupt_enable = 1;
    assert_int_equal(vic_take_for_injection(&vic, false, false), -1);
    assert_int_equal(vic_take_for_injection(&vic, true, true), -1);
    assert_int_equal(vic_take_for_injection(&vic, false, true), -1);
    assert_true(page_bit(77));
    assert_int_equal(vic.injected, 0);
    assert_int_equal(vic_take_for_injection(&vic, true, false), 77);
    assert_false(page_bit(77));
    assert_int_equal(vic.injected, 1);
    assert_int_equal(pg->delivered_by_injection, 1);
    assert_int_equal(pg->pending_count, 0);
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_int_equal(vic.injected, 1);
    /* Any nonzero flag value counts as enabled. */
    vic_raise(&vic, 78);
    pg->soft_interrupt_enable = 0xa5;
    assert_int_equal(vic_take_for_injection(&vic, true, false), 78);
}

static void test_take_highest_first(void **state)
{
    (void)state;
    const unsigned order[] = {40, 255, 32, 63, 64, 200, 199, 128, 127, 95, 96, 33};
    const unsigned n = sizeof(order) / sizeof(order[0]);
    for (unsigned i = 0; i < n; i++)
        vic_raise(&vic, order[i]);
    assert_int_equal(pg->pending_count, n);
    int last = 256;
    for (unsigned i = 0; i < n; i++) {
        int vec = vic_take_for_injection(&vic, true, false);
        assert_true(vec >= 32 && vec < last);
        bool raised = false;
        for (unsigned j = 0; j < n; j++)
            raised |= (int)order[j] == vec;
        assert_true(raised);
        last = vec;
    }
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_int_equal(vic.injected, n);
    assert_int_equal(pg->pending_count, 0);
    assert_false(vic_any_pending(&vic));
}

static void test_take_clears_exception_vector_bits(void **state)
{
    (void)state;
    /* With the flag 0 the garbage is still cleared and counted. */
    pg->soft_interrupt_enable = 0;
    pg->pending[0] = 0xffffffffu;
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_int_equal(pg->pending[0], 0);
    assert_int_equal(vic.ignored_bad_vector, 32);
    /* Enabled: never returns a vector < 32. */
    pg->soft_interrupt_enable = 1;
    pg->pending[0] = 1u << 13;
    assert_false(vic_any_pending(&vic));
    assert_false(vic_wants_interrupt_window(&vic, false, false));
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_int_equal(vic.ignored_bad_vector, 33);
    pg->pending[0] = 1u << 2;
    vic_raise(&vic, 33);
    assert_int_equal(vic_take_for_injection(&vic, true, false), 33);
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_int_equal(vic.ignored_bad_vector, 34);
    assert_int_equal(vic.injected, 1);
}

static void test_hostile_page_fields(void **state)
{
    (void)state;
    pg->pending_count = 0xffffffffu; /* garbage: written, never trusted */
    pg->coalesced = 0xdeadbeefu;
    pg->delivered_by_injection = 0xdeadbeefu;
    assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
    assert_false(vic_any_pending(&vic));
    assert_false(vic_wants_interrupt_window(&vic, false, false));
    vic_raise(&vic, 50);
    vic_raise(&vic, 50);
    assert_int_equal(pg->coalesced, 1); /* ours, not the guest's */
    pg->pending_count = 0;
    assert_int_equal(vic_take_for_injection(&vic, true, false), 50);
    assert_int_equal(pg->delivered_by_injection, 1);
    assert_int_equal(vic.raised, 2);
    assert_int_equal(vic.coalesced, 1);
    assert_int_equal(vic.injected, 1);
    /* A vector the guest set itself is injected like any other (its own business). */
    pg->pending[6] = 1u << 9;
    assert_int_equal(vic_take_for_injection(&vic, true, false), 6 * 32 + 9);
}

static void test_interrupt_window(void **state)
{
    (void)state;
    static const struct {
        unsigned char flag;
        bool pending, guest_if, blocked, want;
    } cases[] = {
        {1, true, false, false, true},   /* inside a handler: after its IRET */
        {1, true, true, true, true},     /* STI / MOV SS shadow */
        {1, true, false, true, true},    /* both */
        {1, true, true, false, false},   /* injectable now: no window */
        {1, false, false, false, false}, /* nothing pending */
        {1, false, true, true, false},   /* nothing pending */
        {0, true, false, false, false},  /* soft cli: soft_sti will notify */
        {0, true, true, true, false},    /* soft cli */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset((void *)pg->pending, 0, sizeof(pg->pending));
        if (cases[i].pending)
            vic_raise(&vic, 150);
        pg->soft_interrupt_enable = cases[i].flag;
        assert_int_equal(vic_wants_interrupt_window(&vic, cases[i].guest_if, cases[i].blocked),
                         cases[i].want);
    }
}

static void test_any_pending_each_word(void **state)
{
    (void)state;
    assert_false(vic_any_pending(&vic));
    pg->pending[0] = 0xffffffffu; /* not vectors */
    assert_false(vic_any_pending(&vic));
    pg->pending[0] = 0;
    for (unsigned vec = 32; vec < 256; vec++) {
        vic_raise(&vic, vec);
        assert_true(vic_any_pending(&vic));
        assert_int_equal(vic_take_for_injection(&vic, true, false), (int)vec);
        assert_false(vic_any_pending(&vic));
    }
}

/* ---- guest/lib/soft_irq.c -------------------------------------------------------------------- */

static void test_soft_cli_sti_nothing_pending(void **state)
{
    (void)state;
    notify_calls = 0;
    soft_cli(pg);
    assert_int_equal(pg->soft_interrupt_enable, 0);
    soft_sti(pg, fake_notify);
    assert_int_equal(pg->soft_interrupt_enable, 1);
    assert_int_equal(notify_calls, 0);
    /* Garbage in word 0 is not a pending vector: no notify either. */
    soft_cli(pg);
    pg->pending[0] = 0xffffffffu;
    soft_sti(pg, fake_notify);
    assert_int_equal(notify_calls, 0);
}

static void test_soft_sti_notifies_pending(void **state)
{
    (void)state;
    for (unsigned vec = 32; vec < 256; vec += 37) {
        notify_calls = 0;
        notify_flag_seen = 0;
        soft_cli(pg);
        vic_raise(&vic, vec); /* arrives while soft-disabled */
        assert_int_equal(vic_take_for_injection(&vic, true, false), -1);
        assert_false(vic_wants_interrupt_window(&vic, true, false));
        soft_sti(pg, fake_notify);
        assert_int_equal(notify_calls, 1);
        assert_int_equal(notify_flag_seen, 1); /* the flag was set before notifying */
        assert_int_equal(vic_take_for_injection(&vic, true, false), (int)vec);
    }
}

static void test_take_highest_guest(void **state)
{
    (void)state;
    assert_int_equal(soft_irq_take_highest(pg), -1);
    pg->pending[0] = 0xffffffffu; /* ignored */
    assert_int_equal(soft_irq_take_highest(pg), -1);
    const unsigned vecs[] = {33, 250, 64, 63, 191, 192};
    for (size_t i = 0; i < 6; i++)
        vic_raise(&vic, vecs[i]);
    assert_int_equal(pg->pending_count, 6);
    const int want[] = {250, 192, 191, 64, 63, 33};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(soft_irq_take_highest(pg), want[i]);
        assert_int_equal(pg->pending_count, 5 - i);
    }
    assert_int_equal(soft_irq_take_highest(pg), -1);
    assert_int_equal(pg->pending[0], 0xffffffffu);
    for (unsigned w = 1; w < MICA_PENDING_WORDS; w++)
        assert_int_equal(pg->pending[w], 0);
    assert_true(soft_irq_pending(pg) == false);
}

static void raise_higher_once(unsigned vector)
{
    if (vector == 200)
        vic_raise(&vic, 201); /* arrives during the handler of 200 */
}

static void cli_in_handler(unsigned vector)
{
    (void)vector;
    soft_cli(pg);
}

static void test_drain(void **state)
{
    (void)state;
    vic_raise(&vic, 40);
    vic_raise(&vic, 200);
    vic_raise(&vic, 33);
    ndispatched = 0;
    dispatch_hook = raise_higher_once;
    soft_irq_drain(pg, fake_dispatch);
    dispatch_hook = NULL;
    assert_int_equal(ndispatched, 4);
    assert_int_equal(dispatched[0], 200);
    assert_int_equal(dispatched[1], 201);
    assert_int_equal(dispatched[2], 40);
    assert_int_equal(dispatched[3], 33);
    assert_false(vic_any_pending(&vic));
    assert_int_equal(pg->pending_count, 0);

    /* Soft-disabled (an exception inside a soft_cli section returning this way): nothing. */
    vic_raise(&vic, 90);
    soft_cli(pg);
    ndispatched = 0;
    soft_irq_drain(pg, fake_dispatch);
    assert_int_equal(ndispatched, 0);
    assert_true(page_bit(90));

    /* A handler that soft-disables stops the drain; the rest stays pending. */
    pg->soft_interrupt_enable = 1;
    vic_raise(&vic, 91);
    dispatch_hook = cli_in_handler;
    soft_irq_drain(pg, fake_dispatch);
    dispatch_hook = NULL;
    assert_int_equal(ndispatched, 1);
    assert_int_equal(dispatched[0], 91);
    assert_true(page_bit(90));
}

/* ---- randomized interleaving model -------------------------------------------------------------
 * One guest vCPU and the hypervisor on one CPU. The guest runs a random program of
 * soft_cli/soft_sti sections, MOV SS shadows and plain code; the hypervisor takes VM exits at
 * random points (an interrupt arrives: vic_raise; or an unrelated exit) and before every VM entry
 * decides like the real caller: inject vic_take_for_injection()'s vector, set interrupt-window
 * exiting from vic_wants_interrupt_window(). An injected vector runs a handler with IF = 0 (no
 * nesting), which returns through soft_irq_drain() and an IRET; a requested window exit happens at
 * the first instruction boundary with IF = 1 and no shadow. Exits can happen at every point the
 * guest code exposes: before and after each call, inside the dispatch and notify callbacks, between
 * the soft_sti flag store and its check (by storing the flag ahead: soft_sti's own store is then a
 * no-op), and between the drain's last empty check and the IRET. The every-access tests below cover
 * the points inside the guest functions. The model keeps its own set of pending vectors
 * and checks every delivery against it. */

enum exit_reason { EXIT_ARRIVAL, EXIT_OTHER, EXIT_NOTIFY, EXIT_WINDOW, EXIT_REASONS };

static struct model {
    uint64_t rng;
    bool guest_if;   /* RFLAGS.IF */
    bool blocked;    /* MOV SS shadow */
    bool window;     /* interrupt-window exiting requested */
    bool in_handler; /* between injection and IRET */
    bool pending[VIC_VECTORS];
    unsigned depth;
    uint64_t valid_raises, coalesced, bad_raises, garbage_bits;
    uint64_t injected, dispatched;
    uint64_t exits[EXIT_REASONS];
    uint64_t wasted_windows, window_injections, iret_window_injections, shadow_windows;
    uint64_t quiet_sections, sections;
    uint64_t top_notifies; /* notifies from soft_sti outside handlers */
} m;

static uint64_t rnd64(void)
{
    uint64_t x = m.rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    m.rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(rnd64() >> 33) % n;
}

static int model_highest(void)
{
    for (int v = VIC_VECTORS - 1; v >= (int)VIC_FIRST_VECTOR; v--)
        if (m.pending[v])
            return v;
    return -1;
}

static void check_mirror(void)
{
    unsigned count = 0;
    for (unsigned w = 1; w < MICA_PENDING_WORDS; w++) {
        unsigned want = 0;
        for (unsigned b = 0; b < 32; b++)
            if (m.pending[w * 32 + b])
                want |= 1u << b;
        assert_int_equal(pg->pending[w], want);
        count += popcount(want);
    }
    assert_int_equal(pg->pending_count, count);
}

/* A vector reaches the guest's code, by injection or by software dispatch. */
static void deliver(unsigned vec)
{
    assert_int_equal(pg->soft_interrupt_enable, 1); /* never while soft-disabled */
    assert_true(vec >= VIC_FIRST_VECTOR && vec < VIC_VECTORS);
    assert_true(m.pending[vec]);                 /* arrived and not yet delivered */
    assert_int_equal((int)vec, model_highest()); /* highest first */
    m.pending[vec] = false;
    check_mirror();
}

static void resume_guest(void);
static void guest_events(unsigned max);

static unsigned random_vector(void)
{
    unsigned r = rnd(100);
    if (r < 35)
        return 32 + rnd(3); /* few and low: coalescing, lowest-first bugs */
    if (r < 65)
        return 253 + rnd(3);
    return 32 + rnd(224);
}

static void vm_exit(enum exit_reason reason)
{
    m.exits[reason]++;
    if (reason == EXIT_ARRIVAL) {
        if (rnd(50) == 0) {
            static const unsigned bad[] = {0, 2, 14, 31, 256, 300, UINT_MAX};
            vic_raise(&vic, bad[rnd(7)]);
            m.bad_raises++;
        } else {
            unsigned vec = random_vector();
            vic_raise(&vic, vec);
            m.valid_raises++;
            if (m.pending[vec])
                m.coalesced++;
            m.pending[vec] = true;
        }
    }
    resume_guest();
}

/* The guest became interruptible (entry, IRET, end of a shadow): a requested window exits now. */
static void window_check(bool after_iret)
{
    if (m.window && m.guest_if && !m.blocked) {
        m.exits[EXIT_WINDOW]++;
        if (model_highest() < 0)
            m.wasted_windows++;
        uint64_t before = m.injected;
        resume_guest();
        if (m.injected != before) {
            m.window_injections++;
            if (after_iret)
                m.iret_window_injections++;
        }
    }
}

static void dispatch_cb(unsigned vec)
{
    assert_true(m.in_handler);
    assert_false(m.guest_if);
    m.dispatched++;
    deliver(vec);
    guest_events(1); /* the dispatched vector's handler body */
}

static void notify_cb(void)
{
    assert_int_equal(pg->soft_interrupt_enable, 1);
    assert_true(model_highest() >= 0); /* no notify without a reason */
    if (!m.in_handler)
        m.top_notifies++;
    guest_events(1); /* between the check and the VMCALL */
    vm_exit(EXIT_NOTIFY);
}

static void run_handler(void)
{
    assert_false(m.in_handler); /* no nesting: IF = 0 in handlers */
    m.in_handler = true;
    m.guest_if = false;
    guest_events(2); /* handler body */
    if (rnd(8) == 0) {
        soft_cli(pg); /* a short soft_cli section inside the handler */
        guest_events(1);
        soft_sti(pg, notify_cb);
    }
    soft_irq_drain(pg, dispatch_cb);
    assert_int_equal(model_highest(), -1); /* the drain emptied the queue */
    guest_events(2);                       /* after the last empty check, before IRET */
    m.in_handler = false;
    m.guest_if = true; /* IRET */
    window_check(true);
}

/* Before a VM entry, as the real exit handler does it. */
static void resume_guest(void)
{
    assert_true(++m.depth < 1000);
    int vec = vic_take_for_injection(&vic, m.guest_if, m.blocked);
    m.window = vic_wants_interrupt_window(&vic, m.guest_if, m.blocked);
    assert_int_equal(pg->pending[0], 0);
    if (vec >= 0) {
        assert_true(m.guest_if && !m.blocked); /* VM entry would fail otherwise */
        assert_true(vec >= (int)VIC_FIRST_VECTOR && vec < (int)VIC_VECTORS);
        m.injected++;
        deliver((unsigned)vec);
        run_handler();
    } else {
        check_mirror();
        window_check(false);
    }
    m.depth--;
}

/* Up to `max` things happen at this point of the guest's execution. */
static void guest_events(unsigned max)
{
    unsigned n = rnd(2) ? 0 : 1 + rnd(max);
    for (unsigned i = 0; i < n; i++) {
        unsigned r = rnd(100);
        if (r < 75) {
            vm_exit(EXIT_ARRIVAL);
        } else if (r < 92) {
            vm_exit(EXIT_OTHER);
        } else {
            /* The guest scribbles on bits for vectors 0-31. */
            unsigned bits = (unsigned)rnd64() & (unsigned)rnd64();
            m.garbage_bits += popcount(bits & ~pg->pending[0]);
            pg->pending[0] |= bits;
        }
    }
}

static void check_enabled_and_idle(void)
{
    assert_false(m.in_handler);
    assert_true(m.guest_if && !m.blocked);
    assert_int_equal(pg->soft_interrupt_enable, 1);
    /* Soft-enabled, interruptible guest: nothing may wait in the queue. */
    assert_int_equal(model_highest(), -1);
    for (unsigned w = 1; w < MICA_PENDING_WORDS; w++)
        assert_int_equal(pg->pending[w], 0);
}

static void soft_section(void)
{
    m.sections++;
    guest_events(2);
    soft_cli(pg);
    assert_int_equal(pg->soft_interrupt_enable, 0);
    uint64_t raises = m.valid_raises;
    uint64_t notifies = m.exits[EXIT_NOTIFY];
    uint64_t top_notifies = m.top_notifies;
    unsigned n = rnd(4);
    for (unsigned i = 0; i < n; i++)
        guest_events(2);
    bool prestore = rnd(2);
    uint64_t raises_before_check = m.valid_raises;
    if (prestore) {
        /* The flag is set, then arrivals happen, then soft_sti's check (its store is a no-op). */
        pg->soft_interrupt_enable = 1;
        guest_events(2);
    }
    soft_sti(pg, notify_cb);
    if (m.valid_raises == raises) {
        m.quiet_sections++;
        assert_int_equal(m.exits[EXIT_NOTIFY], notifies); /* nothing pending: no exit */
    }
    if (prestore && raises_before_check == raises)
        assert_int_equal(m.top_notifies, top_notifies); /* direct injection, no notify */
    check_enabled_and_idle();
}

static void shadow_step(void)
{
    m.blocked = true; /* MOV SS: the next instruction runs in its shadow */
    uint64_t windows = m.exits[EXIT_WINDOW];
    guest_events(2); /* exits in the shadow: external-interrupt exiting ignores it */
    m.blocked = false;
    window_check(false);
    if (m.exits[EXIT_WINDOW] != windows)
        m.shadow_windows++;
}

static void run_model(uint64_t seed, unsigned steps)
{
    memset(&m, 0, sizeof(m));
    m.rng = seed;
    m.guest_if = true;
    for (unsigned i = 0; i < steps; i++) {
        unsigned r = rnd(100);
        if (r < 25)
            guest_events(2);
        else if (r < 85)
            soft_section();
        else
            shadow_step();
        check_enabled_and_idle();
        assert_int_equal(m.depth, 0);
    }
    /* Everything raised was delivered once, or coalesced into a delivery. */
    assert_int_equal(vic.raised, m.valid_raises);
    assert_int_equal(vic.coalesced, m.coalesced);
    assert_int_equal(vic.injected, m.injected);
    assert_int_equal(m.valid_raises, m.coalesced + m.injected + m.dispatched);
    assert_int_equal(pg->delivered_by_injection, (unsigned)m.injected);
    assert_int_equal(pg->coalesced, (unsigned)m.coalesced);
    assert_int_equal(pg->pending_count, 0);
    vic_take_for_injection(&vic, true, false); /* scrub the last garbage */
    assert_int_equal(vic.ignored_bad_vector, m.bad_raises + m.garbage_bits);
    /* The run exercised every path (else the test proves little). */
    assert_true(m.injected > 0 && m.dispatched > 0 && m.coalesced > 0);
    assert_true(m.exits[EXIT_NOTIFY] > 0 && m.iret_window_injections > 0 && m.shadow_windows > 0);
    assert_true(m.quiet_sections > 0 && m.bad_raises > 0 && m.garbage_bits > 0);
    print_message(
        "seed %#llx: %llu steps, %llu raised (%llu coalesced), %llu injected, "
        "%llu dispatched; exits: %llu arrival, %llu notify, %llu window (%llu found "
        "nothing, %llu injected, %llu of them after IRET); %llu of %llu cli/sti sections quiet\n",
        (unsigned long long)seed, (unsigned long long)steps, (unsigned long long)m.valid_raises,
        (unsigned long long)m.coalesced, (unsigned long long)m.injected,
        (unsigned long long)m.dispatched, (unsigned long long)m.exits[EXIT_ARRIVAL],
        (unsigned long long)m.exits[EXIT_NOTIFY], (unsigned long long)m.exits[EXIT_WINDOW],
        (unsigned long long)m.wasted_windows, (unsigned long long)m.window_injections,
        (unsigned long long)m.iret_window_injections, (unsigned long long)m.quiet_sections,
        (unsigned long long)m.sections);
}

static void test_model_seed_1(void **state)
{
    (void)state;
    run_model(0x9e3779b97f4a7c15ull, 50000);
}

static void test_model_seed_2(void **state)
{
    (void)state;
    run_model(0x0123456789abcdefull, 50000);
}

static void test_model_seed_3(void **state)
{
    (void)state;
    run_model(42, 50000);
}

static void test_model_seed_4(void **state)
{
    (void)state;
    run_model(0xfeedfacecafebeefull, 50000);
}

/* ---- every-access tests -------------------------------------------------------------------------
 * The guest functions run with the shared page inaccessible: each access to it faults (SIGSEGV),
 * the handler opens the page, single-steps the one instruction (RFLAGS.TF, SIGTRAP) and closes it
 * again. Before access number k an interrupt arrives (a VM exit: vic_raise, then the hypervisor's
 * pre-entry decision, which may inject and run a handler), for every k, and once after the last
 * access. Between two accesses to the page nothing the hypervisor does is visible to the guest,
 * so this is the same as an arrival at every instruction boundary (which TF alone would give, at
 * quadratic cost in signals). One arrival per run. No cmocka assertion in the signal handlers:
 * they record errors, checked afterwards. */

#if defined(__x86_64__) && defined(__linux__)
#define STEP_TESTS 1

#define RFLAGS_TF 0x100

static struct sigaction old_segv, old_trap;
static volatile sig_atomic_t st_active, st_paused;
static volatile unsigned long st_count, st_target;
static volatile bool st_fired;
static void (*st_action)(void);

static struct step_env {
    bool guest_if; /* the guest's IF as the hypervisor sees it at an exit */
    bool window;
    unsigned delivered[VIC_VECTORS];
    unsigned errors;
    unsigned notifies, window_exits, window_injections;
    unsigned arrival_vector;
} se;

static void page_access(bool allowed)
{
    if (mprotect((void *)pg, PAGE_BYTES, allowed ? PROT_READ | PROT_WRITE : PROT_NONE) != 0)
        abort();
}

static void segv_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    uintptr_t a = (uintptr_t)si->si_addr, base = (uintptr_t)pg;
    if (!st_active || a < base || a >= base + PAGE_BYTES) {
        sigaction(SIGSEGV, &old_segv, NULL); /* a real crash: fault again, reported as usual */
        return;
    }
    page_access(true);
    if (st_count++ == st_target) {
        st_fired = true;
        st_active = 0; /* the rest of the run at full speed, page open */
        st_action();
        return;
    }
    uc->uc_mcontext.gregs[REG_EFL] |= RFLAGS_TF; /* run the access, then close the page */
}

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)RFLAGS_TF;
    if (st_active && !st_paused)
        page_access(false);
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = segv_handler;
    assert_int_equal(sigaction(SIGSEGV, &sa, &old_segv), 0);
    sa.sa_sigaction = trap_handler;
    assert_int_equal(sigaction(SIGTRAP, &sa, &old_trap), 0);
}

static void restore_handlers(void)
{
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGTRAP, &old_trap, NULL);
}

static void step_begin(unsigned long target)
{
    st_count = 0;
    st_target = target;
    st_fired = false;
    st_paused = 0;
    st_active = 1;
    page_access(false);
}

static void step_end(void)
{
    if (st_active) {
        st_active = 0;
        page_access(true);
        if (st_count == st_target) { /* after the last access */
            st_fired = true;
            st_action();
        }
    }
}

/* The guest makes a VMCALL: the hypervisor's code runs with the page open. */
static void step_pause(void)
{
    st_paused = 1;
    if (st_active)
        page_access(true);
}

static void step_resume(void)
{
    st_paused = 0;
    if (st_active)
        page_access(false);
}

static void se_record(unsigned vec)
{
    if (pg->soft_interrupt_enable != 1 || vec < 32 || vec > 255)
        se.errors++;
    else
        se.delivered[vec]++;
}

static void se_dispatch(unsigned vec)
{
    if (se.guest_if)
        se.errors++; /* dispatch happens in handlers only */
    se_record(vec);
}

/* The hypervisor's pre-entry decision; an injected vector's handler (IF = 0) drains, then IRETs,
 * and a requested window exit follows at once. Runs with the page open. */
static void se_resume(void)
{
    for (unsigned guard = 0; guard < 100; guard++) {
        int vec = vic_take_for_injection(&vic, se.guest_if, false);
        se.window = vic_wants_interrupt_window(&vic, se.guest_if, false);
        if (vec >= 0) {
            if (!se.guest_if)
                se.errors++;
            se_record((unsigned)vec);
            bool saved_if = se.guest_if;
            se.guest_if = false;
            soft_irq_drain(pg, se_dispatch);
            se.guest_if = saved_if; /* IRET */
        }
        if (!(se.window && se.guest_if))
            return;
        se.window_exits++;
    }
    se.errors++;
}

static void se_arrival(void)
{
    vic_raise(&vic, se.arrival_vector);
    se_resume();
}

static void se_notify(void)
{
    se.notifies++;
    step_pause(); /* VMCALL */
    if (pg->soft_interrupt_enable != 1)
        se.errors++;
    se_resume();
    step_resume();
}

/* Checks after a run: no error, nothing pending, only the vectors pending at the start and the
 * arrival delivered, each
 * arrival delivered once unless it coalesced. */
static void se_check(int pre, int pre2, unsigned arrived)
{
    assert_int_equal(se.errors, 0);
    assert_false(vic_any_pending(&vic));
    unsigned total = 0;
    for (unsigned v = 0; v < VIC_VECTORS; v++) {
        total += se.delivered[v];
        if ((int)v != pre && (int)v != pre2 && !(st_fired && v == arrived))
            assert_int_equal(se.delivered[v], 0);
    }
    assert_int_equal(total, vic.raised - vic.coalesced);
    if (pre >= 0)
        assert_true(se.delivered[pre] >= 1);
    if (pre2 >= 0)
        assert_true(se.delivered[pre2] >= 1);
    if (st_fired)
        assert_true(se.delivered[arrived] >= 1);
}

static void test_every_access_soft_cli_sti(void **state)
{
    (void)state;
    install_handlers();
    st_action = se_arrival;
    static const int pre[] = {-1, 100}; /* a vector already pending before soft_cli, or none */
    static const unsigned arrive[] = {200, 100, 33};
    unsigned long points = 0;
    for (unsigned p = 0; p < 2; p++) {
        for (unsigned a = 0; a < 3; a++) {
            for (unsigned long k = 0;; k++) {
                assert_true(k < 10000);
                setup(NULL);
                memset(&se, 0, sizeof(se));
                se.guest_if = true;
                se.arrival_vector = arrive[a];
                soft_cli(pg);
                if (pre[p] >= 0)
                    vic_raise(&vic, (unsigned)pre[p]);
                pg->soft_interrupt_enable = 1; /* so that soft_cli's store is a point too */
                step_begin(k);
                soft_cli(pg);
                soft_sti(pg, se_notify);
                step_end();
                assert_int_equal(pg->soft_interrupt_enable, 1);
                assert_false(se.window);
                se_check(pre[p], -1, arrive[a]);
                /* One notify at most; none if nothing was pending at soft_sti's check. */
                assert_true(se.notifies <= 1);
                if (!st_fired) {
                    assert_int_equal(se.notifies, pre[p] >= 0 ? 1 : 0);
                    points += k;
                    break;
                }
            }
        }
    }
    restore_handlers();
    print_message("soft_cli + soft_sti: %lu arrival points in 6 scenarios\n", points);
}

static void test_every_access_drain(void **state)
{
    (void)state;
    install_handlers();
    st_action = se_arrival;
    static const unsigned arrive[] = {200, 100, 70, 40, 33};
    unsigned long points = 0, window_injections = 0;
    for (unsigned a = 0; a < 5; a++) {
        for (unsigned long k = 0;; k++) {
            assert_true(k < 10000);
            setup(NULL);
            memset(&se, 0, sizeof(se));
            se.arrival_vector = arrive[a];
            vic_raise(&vic, 100);
            vic_raise(&vic, 40);
            se.guest_if = false; /* inside a handler, about to return */
            step_begin(k);
            soft_irq_drain(pg, se_dispatch);
            step_end();
            se.guest_if = true; /* IRET */
            if (se.window) {
                uint64_t before = vic.injected;
                se.window_exits++;
                se_resume();
                if (vic.injected != before)
                    window_injections++;
            }
            se_check(100, 40, arrive[a]);
            if (!st_fired) {
                assert_int_equal(se.window_exits, 0);
                points += k;
                break;
            }
        }
    }
    restore_handlers();
    /* Some arrivals fell after the last empty check and needed the window exit. */
    assert_true(window_injections > 0);
    print_message("soft_irq_drain: %lu arrival points in 5 scenarios, %lu injected after IRET by "
                  "a window exit\n",
                  points, window_injections);
}
#endif

int main(void)
{
    void *p = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    pg = p;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_legacy_mode, setup),
        cmocka_unit_test(test_attach),
        cmocka_unit_test_setup(test_raise_sets_bits_and_coalesces, setup),
        cmocka_unit_test_setup(test_raise_refuses_bad_vectors, setup),
        cmocka_unit_test_setup(test_take_needs_flag_if_and_no_shadow, setup),
        cmocka_unit_test_setup(test_take_highest_first, setup),
        cmocka_unit_test_setup(test_take_clears_exception_vector_bits, setup),
        cmocka_unit_test_setup(test_hostile_page_fields, setup),
        cmocka_unit_test_setup(test_interrupt_window, setup),
        cmocka_unit_test_setup(test_any_pending_each_word, setup),
        cmocka_unit_test_setup(test_soft_cli_sti_nothing_pending, setup),
        cmocka_unit_test_setup(test_soft_sti_notifies_pending, setup),
        cmocka_unit_test_setup(test_take_highest_guest, setup),
        cmocka_unit_test_setup(test_drain, setup),
        cmocka_unit_test_setup(test_model_seed_1, setup),
        cmocka_unit_test_setup(test_model_seed_2, setup),
        cmocka_unit_test_setup(test_model_seed_3, setup),
        cmocka_unit_test_setup(test_model_seed_4, setup),
#ifdef STEP_TESTS
        cmocka_unit_test(test_every_access_soft_cli_sti),
        cmocka_unit_test(test_every_access_drain),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
