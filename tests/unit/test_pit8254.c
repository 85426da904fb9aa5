/* Host unit tests of vmm/devices/pit8254.c, driven through the port bus as a guest would with a
 * hand-advanced clock: rates without drift, modes, latches, read-back, catch-up bound, fuzzing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices/pit8254.h"
#include "vmm/iobus.h"

#define NS_PER_SEC 1000000000ull
#define DIV_1KHZ   1193u /* 1193182 / 1193 = 1000.15 Hz */

struct fixture {
    struct iobus bus;
    struct pit8254 pit;
    uint64_t now_ns;
    unsigned pulses; /* rising edges seen on IRQ0 */
    bool level;
};

static uint64_t fake_now(void *ctx)
{
    return ((struct fixture *)ctx)->now_ns;
}

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct fixture *f = ctx;
    assert_int_equal(irq, PIT_IRQ);
    if (level && !f->level)
        f->pulses++;
    f->level = level;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    iobus_init(&f->bus);
    struct device_clock clock = {.now_ns = fake_now, .ctx = f};
    struct irq_line line = {.set = record_irq, .ctx = f, .irq = PIT_IRQ};
    pit8254_init(&f->pit, &clock, &line);
    assert_int_equal(pit8254_attach(&f->pit, &f->bus), IOBUS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
    uint32_t v = value;
    assert_true(iobus_access(&f->bus, port, 1, IO_OUT, &v));
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
    uint32_t v = 0xdeadbeef;
    assert_true(iobus_access(&f->bus, port, 1, IO_IN, &v));
    assert_int_equal(v & ~0xffu, 0);
    return (uint8_t)v;
}

static void at_tick(struct fixture *f, uint64_t tick)
{
    f->now_ns = pit8254_ticks_to_ns(tick);
    assert_int_equal(pit8254_ns_to_ticks(f->now_ns), tick);
}

static uint64_t tick_now(const struct fixture *f)
{
    return pit8254_ns_to_ticks(f->now_ns);
}

static void program(struct fixture *f, unsigned ch, unsigned rw, unsigned mode, bool bcd)
{
    outb(f, PIT_PORT_CONTROL, PIT_CW(ch, rw, mode, bcd));
}

static void write_count(struct fixture *f, unsigned ch, uint16_t count)
{
    outb(f, (uint16_t)(PIT_PORT_COUNTER0 + ch), (uint8_t)count);
    outb(f, (uint16_t)(PIT_PORT_COUNTER0 + ch), (uint8_t)(count >> 8));
}

/* Counter latch command, then LSB and MSB (LSB/MSB access). */
static uint16_t latched_count(struct fixture *f, unsigned ch)
{
    outb(f, PIT_PORT_CONTROL, PIT_CW(ch, PIT_CW_RW_LATCH, 0u, false));
    uint8_t lo = inb(f, (uint16_t)(PIT_PORT_COUNTER0 + ch));
    uint8_t hi = inb(f, (uint16_t)(PIT_PORT_COUNTER0 + ch));
    return (uint16_t)(lo | hi << 8);
}

static uint8_t read_back_status(struct fixture *f, unsigned ch)
{
    outb(f, PIT_PORT_CONTROL,
         (uint8_t)(PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_COUNT_N | PIT_RB_CNT(ch)));
    return inb(f, (uint16_t)(PIT_PORT_COUNTER0 + ch));
}

static bool out2(struct fixture *f)
{
    return inb(f, PIT_PORT_NMI_SC) & PIT_NMI_SC_TMR2_OUT_STS;
}

/* Updates and returns the number of IRQ0 pulses that update delivered. */
static unsigned update(struct fixture *f)
{
    unsigned before = f->pulses;
    pit8254_update(&f->pit);
    assert_false(f->level); /* pulses end low */
    return f->pulses - before;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Runs the clock to end_ns as the hypervisor would: wake at next_irq_ns (plus jitter below
 * one period), update. Returns the pulses delivered. */
static unsigned drive(struct fixture *f, uint64_t end_ns, uint64_t jitter_ns, uint64_t *rng)
{
    unsigned delivered = 0;
    for (;;) {
        uint64_t next = pit8254_next_irq_ns(&f->pit);
        assert_true(next > f->now_ns);
        if (next > end_ns)
            break;
        f->now_ns = next + (jitter_ns ? xorshift(rng) % jitter_ns : 0);
        unsigned n = update(f);
        assert_int_equal(n, 1);
        delivered += n;
    }
    f->now_ns = end_ns;
    delivered += update(f);
    return delivered;
}

/* Edges of a mode 2 counter loaded at pulse 1 with divisor d, up to clock time ns. */
static uint64_t mode2_edges(uint64_t ns, unsigned d)
{
    return (pit8254_ns_to_ticks(ns) - 1) / d;
}

static void start_1khz(struct fixture *f)
{
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, false);
    write_count(f, 0, DIV_1KHZ); /* at pulse 0: loaded at pulse 1 */
}

static void test_tick_conversion(void **state)
{
    (void)state;
    assert_int_equal(pit8254_ns_to_ticks(NS_PER_SEC), PIT_INPUT_HZ);
    assert_int_equal(pit8254_ns_to_ticks(NS_PER_SEC - 1), PIT_INPUT_HZ - 1);
    assert_int_equal(pit8254_ns_to_ticks(838), 0);
    assert_int_equal(pit8254_ns_to_ticks(839), 1);
    assert_int_equal(pit8254_ticks_to_ns(1), 839);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t ns = xorshift(&s) >> (i % 64);
        unsigned __int128 exact = (unsigned __int128)ns * PIT_INPUT_HZ / NS_PER_SEC;
        uint64_t t = pit8254_ns_to_ticks(ns);
        assert_true(t == (uint64_t)exact);
        uint64_t back = pit8254_ticks_to_ns(t);
        assert_true(back <= ns);
        assert_int_equal(pit8254_ns_to_ticks(back), t);
        if (back > 0)
            assert_int_equal(pit8254_ns_to_ticks(back - 1), t - 1);
    }
    assert_int_equal(pit8254_ticks_to_ns(UINT64_MAX), UINT64_MAX);
}

/* Mode 2, divisor 1193: 1000 pulses per second within 1, every edge on the exact grid of
 * absolute time although the updates come late by a random amount. */
static void test_mode2_1khz_no_drift(void **state)
{
    struct fixture *f = *state;
    start_1khz(f);
    uint64_t rng = 12345;
    unsigned per_second[11] = {0};
    uint64_t k = 0;
    for (;;) {
        uint64_t next = pit8254_next_irq_ns(&f->pit);
        k++;
        assert_int_equal(next, pit8254_ticks_to_ns(1 + k * DIV_1KHZ));
        if (next > 10 * NS_PER_SEC)
            break;
        f->now_ns = next + xorshift(&rng) % 400000;
        assert_int_equal(update(f), 1);
        per_second[f->now_ns / NS_PER_SEC]++;
    }
    for (unsigned s = 0; s < 10; s++) {
        assert_in_range(per_second[s], 999, 1001);
    }
    assert_int_equal(f->pulses, mode2_edges(10 * NS_PER_SEC, DIV_1KHZ));
    assert_int_equal(f->pulses, 10001);
    assert_int_equal(f->pit.missed_ticks, 0);
    /* The counter itself: CE runs DIV..1 each period. */
    at_tick(f, 1 + 10010 * DIV_1KHZ + 7);
    assert_int_equal(latched_count(f, 0), DIV_1KHZ - 7);
}

static void test_mode2_count_change_waits_for_period_end(void **state)
{
    struct fixture *f = *state;
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, false);
    write_count(f, 0, 1000);
    at_tick(f, 1 + 300);
    write_count(f, 0, 500); /* no control word: the current period finishes first */
    assert_true(read_back_status(f, 0) & PIT_STATUS_NULL_COUNT);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(1 + 1000));
    at_tick(f, 1 + 1000);
    assert_int_equal(update(f), 1);
    assert_false(read_back_status(f, 0) & PIT_STATUS_NULL_COUNT);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(1 + 1000 + 500));
    assert_int_equal(latched_count(f, 0), 500);
}

static void test_mode2_out_low_for_one_pulse(void **state)
{
    struct fixture *f = *state;
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, false);
    write_count(f, 2, 10);
    at_tick(f, 1 + 8);
    assert_true(out2(f));
    at_tick(f, 1 + 9); /* CE = 1 */
    assert_false(out2(f));
    assert_int_equal(latched_count(f, 2), 1);
    at_tick(f, 1 + 10);
    assert_true(out2(f));
    assert_int_equal(latched_count(f, 2), 10);
}

static void test_mode3_square_wave_on_port61(void **state)
{
    struct fixture *f = *state;
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN | PIT_NMI_SC_SPKR_DAT_EN);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_SQUARE_WAVE, false);
    write_count(f, 2, 1000); /* loaded at pulse 1 */
    /* CE counts down by two, reloading at each half. */
    at_tick(f, 1 + 1);
    assert_int_equal(latched_count(f, 2), 998);
    at_tick(f, 1 + 501);
    assert_int_equal(latched_count(f, 2), 998);
    for (uint64_t period = 0; period < 2000; period += 999) {
        uint64_t start = 1 + period * 1000;
        at_tick(f, start);
        assert_true(out2(f));
        at_tick(f, start + 499);
        assert_true(out2(f));
        at_tick(f, start + 500);
        assert_false(out2(f));
        at_tick(f, start + 999);
        assert_false(out2(f));
    }

    /* Odd count 5: high for 3 pulses, low for 2. */
    uint64_t t = 1 + 5000000;
    at_tick(f, t);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_SQUARE_WAVE, false);
    write_count(f, 2, 5);
    const bool expect[] = {true, true, true, false, false, true, true, true, false, false, true};
    for (unsigned e = 0; e < sizeof(expect); e++) {
        at_tick(f, t + 1 + e);
        assert_int_equal(out2(f), expect[e]);
    }

    /* Gate low forces OUT2 high and stops; its rising edge reloads. */
    at_tick(f, t + 1 + 13); /* low half */
    assert_false(out2(f));
    outb(f, PIT_PORT_NMI_SC, 0);
    assert_true(out2(f));
    at_tick(f, t + 1000);
    assert_true(out2(f));
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN); /* reload at t + 1001 */
    assert_true(out2(f));                             /* high until then */
    at_tick(f, t + 1001 + 2);
    assert_true(out2(f));
    at_tick(f, t + 1001 + 3);
    assert_false(out2(f));
    /* The speaker enable reads back; the NMI status bits read 0. */
    uint8_t p61 = inb(f, PIT_PORT_NMI_SC);
    assert_int_equal(p61 & PIT_NMI_SC_WRITABLE, PIT_NMI_SC_TIM_CNT2_EN);
    assert_int_equal(p61 & (PIT_NMI_SC_IOCHK_NMI_STS | PIT_NMI_SC_SERR_NMI_STS), 0);
    /* Channel 2 never reaches IRQ0. */
    pit8254_update(&f->pit);
    assert_int_equal(f->pulses, 0);
}

static void test_mode0_one_pulse(void **state)
{
    struct fixture *f = *state;
    at_tick(f, 50);
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
    assert_false(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    write_count(f, 0, 100); /* loaded at 51, terminal count at 151: N + 1 pulses */
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(151));
    at_tick(f, 150);
    assert_int_equal(update(f), 0);
    assert_false(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    at_tick(f, 151);
    assert_int_equal(update(f), 1);
    assert_true(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), UINT64_MAX);
    /* The counter wraps and keeps counting after terminal count. */
    at_tick(f, 151 + 5);
    assert_int_equal(latched_count(f, 0), 0x10000 - 5);
    f->now_ns += 3 * NS_PER_SEC;
    assert_int_equal(update(f), 0);
    assert_true(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    /* A new count (as Linux's one-shot clockevent writes it) sets OUT low and fires again. */
    uint64_t t = tick_now(f);
    write_count(f, 0, 20);
    assert_false(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    at_tick(f, t + 20);
    assert_int_equal(update(f), 0);
    at_tick(f, t + 21);
    assert_int_equal(update(f), 1);
    assert_int_equal(f->pulses, 2);
    assert_int_equal(f->pit.missed_ticks, 0);
}

static void test_mode0_gate_suspends_counting(void **state)
{
    struct fixture *f = *state;
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
    write_count(f, 2, 100);
    at_tick(f, 1 + 40);
    outb(f, PIT_PORT_NMI_SC, 0);
    at_tick(f, 1 + 4000);
    assert_int_equal(latched_count(f, 2), 60);
    assert_false(out2(f));
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN);
    at_tick(f, 1 + 4000 + 59);
    assert_false(out2(f));
    at_tick(f, 1 + 4000 + 60);
    assert_true(out2(f));
}

static void test_mode4_strobe(void **state)
{
    struct fixture *f = *state;
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_SOFTWARE_STROBE, false);
    assert_true(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    write_count(f, 0, 10);
    at_tick(f, 1 + 10); /* CE = 0: OUT low for this pulse */
    assert_false(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    assert_int_equal(update(f), 0);
    at_tick(f, 1 + 11);
    assert_true(read_back_status(f, 0) & PIT_STATUS_OUTPUT);
    assert_int_equal(update(f), 1);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), UINT64_MAX);
}

/* A latch between the LSB and the MSB of a read: the latched MSB comes next, then the
 * flip-flop goes on with a live LSB/MSB pair. */
static void test_latch_mid_read_sequence(void **state)
{
    struct fixture *f = *state;
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, false);
    write_count(f, 0, 0x1234); /* CE = 0x1234 - (t - 1) */
    at_tick(f, 1 + 0x100);
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x34); /* live LSB of 0x1134 */
    at_tick(f, 1 + 0x12f);                             /* CE 0x1105 */
    outb(f, PIT_PORT_CONTROL, PIT_CW(0u, PIT_CW_RW_LATCH, 0u, false));
    at_tick(f, 1 + 0x144);                             /* CE 0x10f0 */
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x11); /* latched MSB, not the live 0x10 */
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0xf0); /* latch released: live LSB */
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x10);

    /* A plain latch holds both bytes; a second latch before reading is ignored. */
    at_tick(f, 1 + 0x200); /* 0x1034 */
    outb(f, PIT_PORT_CONTROL, PIT_CW(0u, PIT_CW_RW_LATCH, 0u, false));
    at_tick(f, 1 + 0x300);
    outb(f, PIT_PORT_CONTROL, PIT_CW(0u, PIT_CW_RW_LATCH, 0u, false));
    at_tick(f, 1 + 0x400);
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x34);
    at_tick(f, 1 + 0x500);
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x10);
    assert_int_equal(latched_count(f, 0), 0x1234 - 0x500);

    /* LSB-only and MSB-only access read one byte of the latch each. */
    program(f, 0, PIT_CW_RW_MSB, PIT_MODE_RATE_GENERATOR, false);
    outb(f, PIT_PORT_COUNTER0, 0x40); /* count 0x4000, loaded at the next pulse */
    uint64_t t = tick_now(f);
    at_tick(f, t + 1 + 0x100);
    outb(f, PIT_PORT_CONTROL, PIT_CW(0u, PIT_CW_RW_LATCH, 0u, false));
    at_tick(f, t + 1 + 0x300);
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x3f);
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), 0x3d); /* live again */
}

static void test_read_back(void **state)
{
    struct fixture *f = *state;
    outb(f, PIT_PORT_NMI_SC, PIT_NMI_SC_TIM_CNT2_EN);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
    const uint8_t rb_both = (uint8_t)(PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_CNT(2));
    /* Before a count: OUT low, NULL COUNT, RW = 11, mode 0, binary. */
    assert_int_equal(read_back_status(f, 2), PIT_STATUS_NULL_COUNT | 0x30);
    write_count(f, 2, 0x0010);
    assert_int_equal(read_back_status(f, 2), PIT_STATUS_NULL_COUNT | 0x30);
    at_tick(f, 1); /* loaded */
    outb(f, PIT_PORT_CONTROL, rb_both);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x30); /* status first */
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x10);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x00);
    /* Count latched before status: the status is still read first; latched at read-back time. */
    at_tick(f, 1 + 16);
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_STATUS_N);
    at_tick(f, 1 + 20);
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_COUNT_N);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), PIT_STATUS_OUTPUT | 0x30);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x00);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x00);
    /* One command for several counters; mode 6 reads back as programmed (X10 = mode 2). */
    program(f, 0, PIT_CW_RW_LSB, 6u, false);
    program(f, 1, PIT_CW_RW_MSB, PIT_MODE_SQUARE_WAVE, true);
    outb(f, PIT_PORT_CONTROL,
         (uint8_t)(PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_COUNT_N | PIT_RB_CNT(0) |
                   PIT_RB_CNT(1)));
    assert_int_equal(inb(f, PIT_PORT_COUNTER0), PIT_STATUS_OUTPUT | PIT_STATUS_NULL_COUNT | 0x1c);
    assert_int_equal(inb(f, PIT_PORT_COUNTER1), PIT_STATUS_OUTPUT | PIT_STATUS_NULL_COUNT | 0x27);
    assert_int_equal(f->pit.channels[0].mode, PIT_MODE_RATE_GENERATOR);
    /* A second status latch before the first is read is ignored. */
    uint64_t t = tick_now(f);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
    write_count(f, 2, 0x10); /* terminal count at t + 17 */
    at_tick(f, t + 10);
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_COUNT_N);
    at_tick(f, t + 30);
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_COUNT_N);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0x30);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0xf3); /* live count 0x10 - 29 = 0xfff3 */
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0xff);
    /* A control word drops a latched status. */
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_COUNT_N);
    program(f, 2, PIT_CW_RW_LSB_MSB, PIT_MODE_SOFTWARE_STROBE, false);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), 0xf3);
    outb(f, PIT_PORT_CONTROL, rb_both | PIT_RB_COUNT_N);
    assert_int_equal(inb(f, PIT_PORT_COUNTER2), PIT_STATUS_OUTPUT | PIT_STATUS_NULL_COUNT | 0x38);
}

static void test_count_zero_is_65536(void **state)
{
    struct fixture *f = *state;
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, false);
    write_count(f, 0, 0);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(1 + 65536));
    at_tick(f, 1);
    assert_int_equal(latched_count(f, 0), 0);
    at_tick(f, 2);
    assert_int_equal(latched_count(f, 0), 0xffff);
    at_tick(f, 1 + 65535);
    assert_int_equal(update(f), 0);
    at_tick(f, 1 + 65536);
    assert_int_equal(update(f), 1);
    /* Mode 0 as well: terminal count after 65536 pulses. */
    uint64_t t = tick_now(f);
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
    write_count(f, 0, 0);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(t + 1 + 65536));
}

static void test_bcd(void **state)
{
    struct fixture *f = *state;
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, true);
    write_count(f, 0, 0x0100); /* 100 decimal */
    at_tick(f, 2);
    assert_int_equal(latched_count(f, 0), 0x0099);
    at_tick(f, 1 + 37);
    assert_int_equal(latched_count(f, 0), 0x0063);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(1 + 100));
    /* Count 0 in BCD is 10000. */
    uint64_t t = tick_now(f);
    program(f, 0, PIT_CW_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR, true);
    write_count(f, 0, 0);
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(t + 1 + 10000));
    at_tick(f, t + 2);
    assert_int_equal(latched_count(f, 0), 0x9999);
}

/* The guest is not run for 10 s: one update delivers PIT_MAX_CATCHUP_TICKS pulses, counts the
 * rest as missed, and the following edges stay on the original grid. */
static void test_stall_catch_up_bound(void **state)
{
    struct fixture *f = *state;
    start_1khz(f);
    uint64_t rng = 99;
    assert_int_equal(drive(f, NS_PER_SEC, 300000, &rng), 1000);
    /* Three periods late: all three delivered, nothing missed. */
    f->now_ns += 3 * DIV_1KHZ * NS_PER_SEC / PIT_INPUT_HZ + 1000;
    assert_int_equal(update(f), 3);
    assert_int_equal(f->pit.missed_ticks, 0);
    uint64_t before = f->pulses;

    f->now_ns = 11 * NS_PER_SEC;
    assert_int_equal(update(f), PIT_MAX_CATCHUP_TICKS);
    uint64_t due = mode2_edges(11 * NS_PER_SEC, DIV_1KHZ) - before;
    assert_int_equal(f->pit.missed_ticks, due - PIT_MAX_CATCHUP_TICKS);
    assert_true(f->pit.missed_ticks > 9990);
    assert_int_equal(f->pulses + f->pit.missed_ticks, mode2_edges(11 * NS_PER_SEC, DIV_1KHZ));
    /* No phase shift: the next edge is where it always was. */
    uint64_t k = mode2_edges(11 * NS_PER_SEC, DIV_1KHZ) + 1;
    assert_int_equal(pit8254_next_irq_ns(&f->pit), pit8254_ticks_to_ns(1 + k * DIV_1KHZ));
    uint64_t missed = f->pit.missed_ticks;
    assert_int_equal(drive(f, 12 * NS_PER_SEC, 0, NULL),
                     mode2_edges(12 * NS_PER_SEC, DIV_1KHZ) -
                         mode2_edges(11 * NS_PER_SEC, DIV_1KHZ));
    assert_int_equal(f->pit.missed_ticks, missed);
}

static void test_port61_refresh_toggle_and_wide_access(void **state)
{
    struct fixture *f = *state;
    outb(f, PIT_PORT_NMI_SC, 0xff);
    assert_int_equal(inb(f, PIT_PORT_NMI_SC) & ~PIT_NMI_SC_REF_TOGGLE, PIT_NMI_SC_WRITABLE);
    at_tick(f, PIT_REFRESH_TICKS - 1);
    bool a = inb(f, PIT_PORT_NMI_SC) & PIT_NMI_SC_REF_TOGGLE;
    at_tick(f, PIT_REFRESH_TICKS);
    bool b = inb(f, PIT_PORT_NMI_SC) & PIT_NMI_SC_REF_TOGGLE;
    at_tick(f, 2 * PIT_REFRESH_TICKS);
    bool c = inb(f, PIT_PORT_NMI_SC) & PIT_NMI_SC_REF_TOGGLE;
    assert_false(a);
    assert_true(b);
    assert_false(c);
    /* Wider accesses split into bytes; bytes past the device's ports read 0xff. */
    uint32_t v = 0;
    assert_true(iobus_access(&f->bus, PIT_PORT_CONTROL, 2, IO_IN, &v));
    assert_int_equal(v, 0xffff);
    assert_true(iobus_access(&f->bus, PIT_PORT_NMI_SC, 4, IO_IN, &v));
    assert_int_equal(v >> 8, 0xffffff);
    v = 0x12345600;
    assert_true(iobus_access(&f->bus, PIT_PORT_NMI_SC, 4, IO_OUT, &v));
    assert_int_equal(inb(f, PIT_PORT_NMI_SC) & PIT_NMI_SC_WRITABLE, 0);
    /* A word read of counters 0 and 1 returns one byte of each. */
    program(f, 0, PIT_CW_RW_LSB, PIT_MODE_RATE_GENERATOR, false);
    program(f, 1, PIT_CW_RW_LSB, PIT_MODE_RATE_GENERATOR, false);
    outb(f, PIT_PORT_COUNTER0, 0x50);
    outb(f, PIT_PORT_COUNTER1, 0x60);
    at_tick(f, tick_now(f) + 1);
    assert_true(iobus_access(&f->bus, PIT_PORT_COUNTER0, 2, IO_IN, &v));
    assert_int_equal(v, 0x6050);
}

static char dump_buf[4096];
static size_t dump_len;
__attribute__((format(printf, 1, 2))) static void dump_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dump_buf + dump_len, sizeof(dump_buf) - dump_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(dump_buf) - dump_len);
    dump_len += (size_t)n;
}

static void test_dump(void **state)
{
    struct fixture *f = *state;
    start_1khz(f);
    at_tick(f, 1 + 3 * DIV_1KHZ);
    pit8254_update(&f->pit);
    dump_len = 0;
    pit8254_dump(&f->pit, dump_print);
    assert_non_null(strstr(dump_buf, "counter 0: mode 2 lsb/msb cr 0x04a9 ce 0x04a9 out 1"));
    assert_non_null(strstr(dump_buf, "counter 2: mode 0 lsb/msb cr 0x0000 ce 0x0000 out 0 gate 0"));
    assert_non_null(strstr(dump_buf, "irq0: 3 pulses, 0 missed"));
}

/* Random port operations and clock steps: no crash, and the invariants hold throughout. */
static void check_invariants(struct fixture *f, uint64_t *edge_base)
{
    uint64_t t = tick_now(f);
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        const struct pit8254_channel *ch = &f->pit.channels[i];
        uint32_t max = (ch->control & PIT_CW_BCD) ? 10000 : 65536;
        assert_int_equal(ch->control & ~PIT_CW_PROGRAM_MASK, 0);
        assert_true(ch->mode <= PIT_MODE_HARDWARE_STROBE);
        bool periodic = ch->mode == PIT_MODE_RATE_GENERATOR || ch->mode == PIT_MODE_SQUARE_WAVE;
        if (ch->counting) {
            assert_in_range(ch->seg.n, periodic ? 2 : 1, max);
            assert_true(ch->seg.t0 <= t);
        }
        if (ch->pending) {
            assert_in_range(ch->pend_n, periodic ? 2 : 1, max);
            assert_true(ch->pend_t0 <= t + max + 1);
        }
        if ((ch->control & PIT_CW_BCD) && ch->count_latched) {
            for (unsigned s = 0; s < 16; s += 4)
                assert_true(((ch->latched_count >> s) & 0xf) <= 9);
        }
        assert_true(ch->edge_base >= edge_base[i]);
        edge_base[i] = ch->edge_base;
    }
    assert_int_equal(f->pit.irq_pulses, f->pulses);
    assert_int_equal(f->pit.irq_pulses + f->pit.missed_ticks, f->pit.edges_accounted);
}

static void test_random_operations(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 0x5eed;
    uint64_t edge_base[PIT_CHANNELS] = {0};
    uint64_t accounted = 0;
    static const uint16_t ports[] = {PIT_PORT_COUNTER0, PIT_PORT_COUNTER1, PIT_PORT_COUNTER2,
                                     PIT_PORT_CONTROL, PIT_PORT_NMI_SC};
    for (unsigned i = 0; i < 200000; i++) {
        uint64_t r = xorshift(&rng);
        uint16_t port = ports[r % 5];
        unsigned size = (r >> 8) % 16 == 0 ? 2 : 1;
        uint32_t v = (uint32_t)(r >> 16);
        switch ((r >> 48) % 8) {
        case 0:
        case 1:
            v &= size == 2 ? 0xffffu : 0xffu;
            assert_true(iobus_access(&f->bus, port, size, IO_OUT, &v));
            break;
        case 2:
            /* Mostly sensible control words: a counter, an access mode, a mode. */
            outb(f, PIT_PORT_CONTROL, (uint8_t)(v & 0xff));
            break;
        case 3:
        case 4:
            assert_true(iobus_access(&f->bus, port, size, IO_IN, &v));
            assert_true(size == 2 || v <= 0xff);
            break;
        case 5: {
            unsigned scale = (r >> 40) % 8;
            f->now_ns += scale == 0  ? (r >> 20) % (20 * NS_PER_SEC)
                         : scale < 4 ? (r >> 20) % 5000000
                                     : (r >> 20) % 3000;
            break;
        }
        case 6: {
            unsigned n = update(f);
            assert_true(n <= PIT_MAX_CATCHUP_TICKS);
            break;
        }
        default: {
            /* next_irq_ns is exact: nothing due one ns before it, an edge at it. */
            uint64_t next = pit8254_next_irq_ns(&f->pit);
            assert_true(next >= f->now_ns);
            if (next == UINT64_MAX)
                break;
            assert_true(next - f->now_ns <= pit8254_ticks_to_ns(65540));
            if (next > f->now_ns) {
                f->now_ns = next - 1;
                assert_int_equal(update(f), 0);
                f->now_ns = next;
            }
            assert_in_range(update(f), 1, PIT_MAX_CATCHUP_TICKS);
            break;
        }
        }
        check_invariants(f, edge_base);
        assert_true(f->pit.edges_accounted >= accounted);
        accounted = f->pit.edges_accounted;
    }
    assert_true(f->pulses > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tick_conversion),
        cmocka_unit_test_setup_teardown(test_mode2_1khz_no_drift, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode2_count_change_waits_for_period_end, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mode2_out_low_for_one_pulse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode3_square_wave_on_port61, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode0_one_pulse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode0_gate_suspends_counting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode4_strobe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latch_mid_read_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_zero_is_65536, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bcd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_catch_up_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port61_refresh_toggle_and_wide_access, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_operations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
