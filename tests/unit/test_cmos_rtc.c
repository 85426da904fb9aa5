/* Host unit tests of vmm/devices/cmos_rtc.c, driven through ports 0x70/0x71 as a guest would with
 * a hand-advanced clock: formats, calendar boundaries, UIP, SET, flags and IRQ8, RAM, fuzzing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices/cmos_rtc.h"
#include "vmm/iobus.h"

#define NS_PER_SEC   1000000000ull
#define NS_PER_MS    1000000ull
#define SECS_PER_DAY 86400ull

struct fixture {
    struct iobus bus;
    struct cmos_rtc rtc;
    struct device_clock clock;
    struct irq_line line;
    uint64_t now_ns;
    bool level;
    unsigned raised; /* rising edges of IRQ8 */
};

static uint64_t fake_now(void *ctx)
{
    return ((struct fixture *)ctx)->now_ns;
}

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct fixture *f = ctx;
    assert_int_equal(irq, CMOS_RTC_IRQ);
    assert_true(level != f->level); /* the model calls only on a change */
    if (level)
        f->raised++;
    f->level = level;
}

static void start(struct fixture *f, unsigned year, unsigned month, unsigned day, unsigned hour,
                  unsigned minute, unsigned second)
{
    struct rtc_datetime dt = {.year = (uint16_t)year,
                              .month = (uint8_t)month,
                              .day = (uint8_t)day,
                              .hour = (uint8_t)hour,
                              .minute = (uint8_t)minute,
                              .second = (uint8_t)second};
    f->level = false;
    f->raised = 0;
    cmos_rtc_init(&f->rtc, &f->clock, &f->line, &dt);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    iobus_init(&f->bus);
    f->clock = (struct device_clock){.now_ns = fake_now, .ctx = f};
    f->line = (struct irq_line){.set = record_irq, .ctx = f, .irq = CMOS_RTC_IRQ};
    start(f, 2024, 3, 15, 13, 45, 30);
    assert_int_equal(cmos_rtc_attach(&f->rtc, &f->bus), IOBUS_OK);
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

static uint8_t rd(struct fixture *f, uint8_t reg)
{
    outb(f, CMOS_PORT_INDEX, reg);
    return inb(f, CMOS_PORT_DATA);
}

static void wr(struct fixture *f, uint8_t reg, uint8_t value)
{
    outb(f, CMOS_PORT_INDEX, reg);
    outb(f, CMOS_PORT_DATA, value);
}

/* Expected register bytes, in the current format. */
struct regs {
    uint8_t sec, min, hour, dow, day, mon, year, cent;
};

static void assert_time(struct fixture *f, struct regs want)
{
    struct regs got = {rd(f, CMOS_REG_SECONDS),      rd(f, CMOS_REG_MINUTES),
                       rd(f, CMOS_REG_HOURS),        rd(f, CMOS_REG_DAY_OF_WEEK),
                       rd(f, CMOS_REG_DAY_OF_MONTH), rd(f, CMOS_REG_MONTH),
                       rd(f, CMOS_REG_YEAR),         rd(f, CMOS_REG_CENTURY)};
    assert_int_equal(got.sec, want.sec);
    assert_int_equal(got.min, want.min);
    assert_int_equal(got.hour, want.hour);
    assert_int_equal(got.dow, want.dow);
    assert_int_equal(got.day, want.day);
    assert_int_equal(got.mon, want.mon);
    assert_int_equal(got.year, want.year);
    assert_int_equal(got.cent, want.cent);
}

static bool uip(struct fixture *f)
{
    return rd(f, CMOS_REG_A) & CMOS_A_UIP;
}

static void test_read_time_bcd_and_binary(void **state)
{
    struct fixture *f = *state;
    /* 2024-03-15 13:45:30 was a Friday (6, Sunday = 1). */
    assert_int_equal(rd(f, CMOS_REG_B), CMOS_B_24H);
    assert_time(f, (struct regs){0x30, 0x45, 0x13, 0x06, 0x15, 0x03, 0x24, 0x20});
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_DM);
    assert_time(f, (struct regs){30, 45, 13, 6, 15, 3, 24, 20});
    /* Writes are decoded in the current format. */
    wr(f, CMOS_REG_MINUTES, 7);
    wr(f, CMOS_REG_B, CMOS_B_24H);
    assert_int_equal(rd(f, CMOS_REG_MINUTES), 0x07);
    wr(f, CMOS_REG_MINUTES, 0x59);
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_DM);
    assert_int_equal(rd(f, CMOS_REG_MINUTES), 59);
    assert_int_equal(rd(f, CMOS_REG_D), CMOS_D_VRT);
}

static void test_12_hour_mode(void **state)
{
    struct fixture *f = *state;
    wr(f, CMOS_REG_B, 0); /* 12-hour, BCD */
    assert_int_equal(rd(f, CMOS_REG_HOURS), CMOS_HOURS_PM | 0x01);
    wr(f, CMOS_REG_B, CMOS_B_DM);
    assert_int_equal(rd(f, CMOS_REG_HOURS), CMOS_HOURS_PM | 1);
    wr(f, CMOS_REG_B, 0);
    static const struct {
        uint8_t h24, h12;
    } cases[] = {{0x00, 0x12},
                 {0x01, 0x01},
                 {0x11, 0x11},
                 {0x12, CMOS_HOURS_PM | 0x12},
                 {0x13, CMOS_HOURS_PM | 0x01},
                 {0x23, CMOS_HOURS_PM | 0x11}};
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wr(f, CMOS_REG_B, CMOS_B_24H);
        wr(f, CMOS_REG_HOURS, cases[i].h24);
        wr(f, CMOS_REG_B, 0);
        assert_int_equal(rd(f, CMOS_REG_HOURS), cases[i].h12);
        /* And back: a 12-hour write reads as the same 24-hour hour. */
        wr(f, CMOS_REG_HOURS, cases[i].h12);
        wr(f, CMOS_REG_B, CMOS_B_24H);
        assert_int_equal(rd(f, CMOS_REG_HOURS), cases[i].h24);
    }
    /* 11:59:59 PM becomes 12:00:00 AM of the next day. */
    wr(f, CMOS_REG_B, CMOS_B_SET);
    wr(f, CMOS_REG_HOURS, CMOS_HOURS_PM | 0x11);
    wr(f, CMOS_REG_MINUTES, 0x59);
    wr(f, CMOS_REG_SECONDS, 0x59);
    wr(f, CMOS_REG_B, 0);
    f->now_ns = NS_PER_SEC;
    assert_int_equal(rd(f, CMOS_REG_HOURS), 0x12);
    assert_int_equal(rd(f, CMOS_REG_DAY_OF_MONTH), 0x16);
    /* A day of month written past the end of its month rolls over to the 1st of the next. */
    wr(f, CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
    wr(f, CMOS_REG_MONTH, 0x02);
    wr(f, CMOS_REG_DAY_OF_MONTH, 0x31);
    wr(f, CMOS_REG_HOURS, 0x23);
    wr(f, CMOS_REG_B, CMOS_B_24H);
    assert_int_equal(rd(f, CMOS_REG_DAY_OF_MONTH), 0x31);
    f->now_ns += 3600 * NS_PER_SEC;
    assert_int_equal(rd(f, CMOS_REG_DAY_OF_MONTH), 0x01);
    assert_int_equal(rd(f, CMOS_REG_MONTH), 0x03);
    wr(f, CMOS_REG_B, 0);
    /* Noon in binary 12-hour mode. */
    f->now_ns += 12 * 3600 * NS_PER_SEC;
    wr(f, CMOS_REG_B, CMOS_B_DM);
    assert_int_equal(rd(f, CMOS_REG_HOURS), CMOS_HOURS_PM | 12);
}

/* Base date and time, clock advance, expected BCD registers afterwards. */
struct boundary_case {
    unsigned y, mo, d, h, mi, s;
    uint64_t advance_s;
    struct regs want;
};

static void test_calendar_boundaries(void **state)
{
    struct fixture *f = *state;
    static const struct boundary_case cases[] = {
        /* minute, hour, day */
        {2024, 3, 15, 10, 0, 59, 1, {0x00, 0x01, 0x10, 0x06, 0x15, 0x03, 0x24, 0x20}},
        {2024, 3, 15, 10, 59, 59, 1, {0x00, 0x00, 0x11, 0x06, 0x15, 0x03, 0x24, 0x20}},
        {2024, 3, 15, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x07, 0x16, 0x03, 0x24, 0x20}},
        /* Saturday to Sunday */
        {2024, 3, 16, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x01, 0x17, 0x03, 0x24, 0x20}},
        /* month ends: 30 and 31 days */
        {2024, 4, 30, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x04, 0x01, 0x05, 0x24, 0x20}},
        {2024, 5, 31, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x07, 0x01, 0x06, 0x24, 0x20}},
        /* year, leap day, not a leap day */
        {2023, 12, 31, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x24, 0x20}},
        {2024, 2, 28, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x05, 0x29, 0x02, 0x24, 0x20}},
        {2024, 2, 29, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x24, 0x20}},
        {2023, 2, 28, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x04, 0x01, 0x03, 0x23, 0x20}},
        /* centuries: 2000 is a leap year, 2100 is not; the century byte counts on */
        {2000, 2, 28, 12, 0, 0, SECS_PER_DAY, {0x00, 0x00, 0x12, 0x03, 0x29, 0x02, 0x00, 0x20}},
        {2100, 2, 28, 12, 0, 0, SECS_PER_DAY, {0x00, 0x00, 0x12, 0x02, 0x01, 0x03, 0x00, 0x21}},
        {2000, 2, 29, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x04, 0x01, 0x03, 0x00, 0x20}},
        /* the end of year 9999 wraps to year 0 */
        {9999, 12, 31, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x00}},
        {2099, 12, 31, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x21}},
        {1999, 12, 31, 23, 59, 59, 1, {0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20}},
        /* a long jump: 1000 days, 3:25:07 */
        {2024,
         1,
         1,
         0,
         0,
         0,
         1000 * SECS_PER_DAY + 3 * 3600 + 25 * 60 + 7,
         {0x07, 0x25, 0x03, 0x01, 0x27, 0x09, 0x26, 0x20}},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct boundary_case *c = &cases[i];
        f->now_ns = 7 * NS_PER_SEC + 123;
        start(f, c->y, c->mo, c->d, c->h, c->mi, c->s);
        f->now_ns += c->advance_s * NS_PER_SEC - 1; /* just before: nothing changed */
        assert_int_equal(rd(f, CMOS_REG_SECONDS), ((c->s + c->advance_s - 1) % 60 / 10) << 4 |
                                                      (c->s + c->advance_s - 1) % 60 % 10);
        f->now_ns += 1;
        assert_time(f, c->want);
    }
}

/* Day-by-day reference calendar, to check long jumps against. */
static unsigned ref_mdays(unsigned y, unsigned m)
{
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static uint8_t bcd(unsigned v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_calendar_against_reference(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 2024;
    for (unsigned i = 0; i < 300; i++) {
        unsigned y = 1900 + xorshift(&rng) % 300, m = 1 + xorshift(&rng) % 12;
        unsigned d = 1 + xorshift(&rng) % ref_mdays(y, m);
        unsigned h = xorshift(&rng) % 24, mi = xorshift(&rng) % 60, s = xorshift(&rng) % 60;
        f->now_ns = 0;
        start(f, y, m, d, h, mi, s);
        unsigned dow = rd(f, CMOS_REG_DAY_OF_WEEK);
        uint64_t adv = xorshift(&rng) % (3 * 366 * SECS_PER_DAY);
        f->now_ns = adv * NS_PER_SEC + xorshift(&rng) % NS_PER_SEC;
        uint64_t sod = h * 3600ull + mi * 60 + s + adv;
        for (uint64_t days = sod / SECS_PER_DAY; days > 0; days--) {
            dow = dow % 7 + 1;
            if (++d > ref_mdays(y, m)) {
                d = 1;
                if (++m > 12) {
                    m = 1;
                    y++;
                }
            }
        }
        sod %= SECS_PER_DAY;
        assert_time(f, (struct regs){bcd(sod % 60), bcd(sod / 60 % 60), bcd((unsigned)(sod / 3600)),
                                     (uint8_t)dow, bcd(d), bcd(m), bcd(y % 100), bcd(y / 100)});
    }
}

static void test_uip_before_each_second(void **state)
{
    struct fixture *f = *state;
    for (uint64_t s = 1; s <= 3; s++) {
        uint64_t boundary = s * NS_PER_SEC; /* init at 0: updates at each whole second */
        f->now_ns = boundary - CMOS_RTC_UIP_LEAD_NS - 1;
        assert_false(uip(f));
        assert_int_equal(rd(f, CMOS_REG_SECONDS), bcd((unsigned)(30 + s - 1)));
        f->now_ns = boundary - CMOS_RTC_UIP_LEAD_NS;
        assert_true(uip(f));
        f->now_ns = boundary - 1;
        assert_true(uip(f));
        assert_int_equal(rd(f, CMOS_REG_SECONDS), bcd((unsigned)(30 + s - 1)));
        f->now_ns = boundary;
        assert_false(uip(f));
        assert_int_equal(rd(f, CMOS_REG_SECONDS), bcd((unsigned)(30 + s)));
    }
    /* The divider bits and RS are writable; UIP is not. */
    wr(f, CMOS_REG_A, CMOS_A_UIP | CMOS_A_DV_32768HZ | 0x03);
    f->now_ns = 3 * NS_PER_SEC + NS_PER_SEC / 2;
    assert_int_equal(rd(f, CMOS_REG_A), CMOS_A_DV_32768HZ | 0x03);
}

static void test_set_freezes_time(void **state)
{
    struct fixture *f = *state;
    f->now_ns = NS_PER_SEC / 2;
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_SET | CMOS_B_UIE);
    assert_int_equal(rd(f, CMOS_REG_B), CMOS_B_24H | CMOS_B_SET); /* SET clears UIE */
    (void)rd(f, CMOS_REG_C);
    for (uint64_t t = NS_PER_SEC - CMOS_RTC_UIP_LEAD_NS; t < 5 * NS_PER_SEC; t += NS_PER_SEC) {
        f->now_ns = t;
        assert_false(uip(f));
        assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x30);
    }
    /* Set the time while halted, as Linux does, then let it run. */
    wr(f, CMOS_REG_SECONDS, 0x58);
    wr(f, CMOS_REG_MINUTES, 0x59);
    f->now_ns = 5 * NS_PER_SEC + 700 * NS_PER_MS;
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_PF); /* no update while halted (1024 Hz runs) */
    wr(f, CMOS_REG_B, CMOS_B_24H);
    /* The divider kept its phase: next update at 6 s, not 6.7 s. */
    f->now_ns = 6 * NS_PER_SEC - 1;
    assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x58);
    f->now_ns = 6 * NS_PER_SEC;
    assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x59);
    f->now_ns = 7 * NS_PER_SEC;
    assert_time(f, (struct regs){0x00, 0x00, 0x14, 0x06, 0x15, 0x03, 0x24, 0x20});
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_PF | CMOS_C_UF);
}

static void test_divider_reset(void **state)
{
    struct fixture *f = *state;
    f->now_ns = 200 * NS_PER_MS;
    wr(f, CMOS_REG_A, CMOS_A_DV_RESET | CMOS_A_RS_1024HZ);
    f->now_ns = 10 * NS_PER_SEC;
    assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x30);
    assert_false(uip(f));
    (void)rd(f, CMOS_REG_C);
    f->now_ns = 10 * NS_PER_SEC + 100 * NS_PER_MS;
    assert_int_equal(rd(f, CMOS_REG_C), 0); /* no periodic flag in reset either */
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | CMOS_A_RS_1024HZ);
    f->now_ns += CMOS_RTC_DV_RELEASE_NS - 1;
    assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x30);
    f->now_ns += 1;
    assert_int_equal(rd(f, CMOS_REG_SECONDS), 0x31);
}

static void test_status_c_and_irq8(void **state)
{
    struct fixture *f = *state;
    /* Flags are set whatever the enables; without an enable, no IRQF and no IRQ8. */
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ); /* no periodic rate */
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), UINT64_MAX);
    f->now_ns = NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_UF);
    assert_int_equal(rd(f, CMOS_REG_C), 0); /* read clears */

    /* Update-ended interrupt. */
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), 2 * NS_PER_SEC);
    f->now_ns = 2 * NS_PER_SEC - 1;
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
    f->now_ns = 2 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    assert_int_equal(f->raised, 1);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), UINT64_MAX); /* until C is read */
    f->now_ns = 3 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_int_equal(f->raised, 1);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_IRQF | CMOS_C_UF);
    assert_false(f->level);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), 4 * NS_PER_SEC);
    /* Disabling the enable lowers the line too. */
    f->now_ns = 4 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    wr(f, CMOS_REG_B, CMOS_B_24H);
    assert_false(f->level);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_UF);

    /* Alarm at 13:45:40 (now 13:45:34). */
    wr(f, CMOS_REG_ALARM_SECONDS, 0x40);
    wr(f, CMOS_REG_ALARM_MINUTES, 0x45);
    wr(f, CMOS_REG_ALARM_HOURS, 0x13);
    assert_int_equal(rd(f, CMOS_REG_ALARM_HOURS), 0x13);
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_AIE);
    f->now_ns = 10 * NS_PER_SEC - 1;
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_UF);
    f->now_ns = 10 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_IRQF | CMOS_C_AF | CMOS_C_UF);
    f->now_ns = 11 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
    /* Don't-care seconds: an alarm once a second; found after a long stall too. */
    wr(f, CMOS_REG_ALARM_SECONDS, CMOS_ALARM_DONT_CARE);
    f->now_ns = 12 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    (void)rd(f, CMOS_REG_C);
    wr(f, CMOS_REG_ALARM_SECONDS, 0x00);
    wr(f, CMOS_REG_ALARM_MINUTES, 0x00);
    wr(f, CMOS_REG_ALARM_HOURS, 0x03); /* 03:00:00: hours away */
    f->now_ns += 20 * 3600 * NS_PER_SEC;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    (void)rd(f, CMOS_REG_C);
    f->now_ns += 3600 * NS_PER_SEC; /* 10:45: no 03:00:00 in the last hour */
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
}

static void test_periodic_interrupt(void **state)
{
    struct fixture *f = *state;
    /* RS = 1111: 2 Hz, edges at each half second of the update grid (init at 0). */
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | 0x0f);
    wr(f, CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), NS_PER_SEC / 2);
    f->now_ns = NS_PER_SEC / 2 - 1;
    cmos_rtc_update(&f->rtc);
    assert_false(f->level);
    f->now_ns = NS_PER_SEC / 2;
    cmos_rtc_update(&f->rtc);
    assert_true(f->level);
    assert_int_equal(rd(f, CMOS_REG_C), CMOS_C_IRQF | CMOS_C_PF);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), NS_PER_SEC);
    /* 1024 Hz: count the interrupts over one second, acknowledging each. */
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | CMOS_A_RS_1024HZ);
    unsigned n = 0;
    for (;;) {
        uint64_t next = cmos_rtc_next_irq_ns(&f->rtc);
        assert_true(next > f->now_ns);
        if (next > NS_PER_SEC / 2 + NS_PER_SEC)
            break;
        f->now_ns = next;
        cmos_rtc_update(&f->rtc);
        assert_true(f->level);
        assert_true(rd(f, CMOS_REG_C) & CMOS_C_PF);
        n++;
    }
    assert_int_equal(n, 1024);
    /* RS 0001 and 0010 are 256 Hz and 128 Hz (3.90625 ms, 7.8125 ms), on the same grid. */
    f->now_ns = 10 * NS_PER_SEC + 1;
    (void)rd(f, CMOS_REG_C);
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | 0x01);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), 10 * NS_PER_SEC + 3906250);
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | 0x02);
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), 10 * NS_PER_SEC + 7812500);
    wr(f, CMOS_REG_A, CMOS_A_DV_32768HZ | 0x03); /* 8192 Hz: 122070.3125 ns */
    assert_int_equal(cmos_rtc_next_irq_ns(&f->rtc), 10 * NS_PER_SEC + 122071);
}

static void test_index_port_and_nmi_bit(void **state)
{
    struct fixture *f = *state;
    outb(f, CMOS_PORT_INDEX, CMOS_INDEX_NMI_DISABLE | CMOS_REG_D);
    assert_true(f->rtc.nmi_disabled);
    assert_int_equal(f->rtc.index, CMOS_REG_D);
    assert_int_equal(inb(f, CMOS_PORT_DATA), CMOS_D_VRT);
    outb(f, CMOS_PORT_INDEX, CMOS_INDEX_NMI_DISABLE | CMOS_REG_SECONDS);
    assert_int_equal(inb(f, CMOS_PORT_DATA), 0x30);
    outb(f, CMOS_PORT_INDEX, CMOS_REG_MINUTES);
    assert_false(f->rtc.nmi_disabled);
    assert_int_equal(inb(f, CMOS_PORT_DATA), 0x45);
    assert_int_equal(inb(f, CMOS_PORT_INDEX), 0xff); /* write-only */
    /* A word write to 0x70 selects and writes, as on ISA; a word read returns 0xff and data. */
    uint32_t v = 0x77u << 8 | 0x40u;
    assert_true(iobus_access(&f->bus, CMOS_PORT_INDEX, 2, IO_OUT, &v));
    assert_int_equal(rd(f, 0x40), 0x77);
    outb(f, CMOS_PORT_INDEX, 0x40);
    assert_true(iobus_access(&f->bus, CMOS_PORT_INDEX, 2, IO_IN, &v));
    assert_int_equal(v, 0x77ff);
    assert_true(iobus_access(&f->bus, CMOS_PORT_DATA, 4, IO_IN, &v));
    assert_int_equal(v, 0xffffff77);
}

static void test_ram_reads_back(void **state)
{
    struct fixture *f = *state;
    for (unsigned i = CMOS_REG_FIRST_RAM; i < CMOS_RAM_SIZE; i++)
        wr(f, (uint8_t)i, (uint8_t)(i * 37 + 11));
    for (unsigned i = CMOS_REG_FIRST_RAM; i < CMOS_RAM_SIZE; i++) {
        assert_int_equal(rd(f, (uint8_t)i), (uint8_t)(i * 37 + 11));
    }
    /* The century byte is the clock's: a digit above 9 is clamped. The time registers were not
     * touched by the RAM writes. */
    wr(f, CMOS_REG_CENTURY, 0x2b);
    assert_int_equal(rd(f, CMOS_REG_CENTURY), 0x29);
    wr(f, CMOS_REG_CENTURY, 0x19);
    assert_int_equal(rd(f, CMOS_REG_CENTURY), 0x19);
    assert_time(f, (struct regs){0x30, 0x45, 0x13, 0x06, 0x15, 0x03, 0x24, 0x19});
    /* Registers C and D are read-only. */
    wr(f, CMOS_REG_D, 0x00);
    assert_int_equal(rd(f, CMOS_REG_D), CMOS_D_VRT);
    wr(f, CMOS_REG_C, 0xff);
    assert_int_equal(rd(f, CMOS_REG_C), 0);
    /* Alarm bytes read back as written, whatever their value. */
    wr(f, CMOS_REG_ALARM_MINUTES, 0xfe);
    assert_int_equal(rd(f, CMOS_REG_ALARM_MINUTES), 0xfe);
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
    f->now_ns = 2 * NS_PER_SEC;
    outb(f, CMOS_PORT_INDEX, CMOS_INDEX_NMI_DISABLE | CMOS_REG_B);
    dump_len = 0;
    cmos_rtc_dump(&f->rtc, dump_print);
    assert_non_null(strstr(dump_buf, "2024-03-15 13:45:32 day 6, bcd 24-hour"));
    assert_non_null(strstr(dump_buf, "index 0x0b nmi disabled, a 0x26 b 0x02 c 0x50"));
    assert_non_null(strstr(dump_buf, "irq8 low"));
}

static bool valid_bcd(uint8_t v)
{
    return (v >> 4) <= 9 && (v & 0xf) <= 9;
}

/* Random port operations and clock steps: no crash, and the invariants hold throughout. */
static void check_invariants(struct fixture *f)
{
    struct cmos_rtc *rtc = &f->rtc;
    assert_true(rtc->index < CMOS_RAM_SIZE);
    assert_int_equal(rtc->irq_level, f->level);
    const struct cmos_rtc_time *tm = &rtc->time;
    assert_true(tm->second < 60 && tm->minute < 60 && tm->hour < 24);
    assert_in_range(tm->day_of_week, 1, 7);
    assert_in_range(tm->day, 1, 31);
    assert_in_range(tm->month, 1, 12);
    assert_true(tm->year < 100 && tm->century < 100);
    /* Read the clock as a guest would, then restore the index (and its NMI bit). */
    uint8_t index = rtc->index | (rtc->nmi_disabled ? CMOS_INDEX_NMI_DISABLE : 0);
    uint8_t b = rd(f, CMOS_REG_B);
    static const uint8_t clock_regs[] = {
        CMOS_REG_SECONDS,      CMOS_REG_MINUTES, CMOS_REG_HOURS, CMOS_REG_DAY_OF_WEEK,
        CMOS_REG_DAY_OF_MONTH, CMOS_REG_MONTH,   CMOS_REG_YEAR,  CMOS_REG_CENTURY};
    for (unsigned i = 0; i < sizeof(clock_regs); i++) {
        uint8_t v = rd(f, clock_regs[i]);
        if (clock_regs[i] == CMOS_REG_HOURS && !(b & CMOS_B_24H)) {
            uint8_t h = v & (uint8_t)~CMOS_HOURS_PM;
            assert_in_range((b & CMOS_B_DM) ? h : (h >> 4) * 10 + (h & 0xf), 1, 12);
            v = h;
        }
        if (!(b & CMOS_B_DM))
            assert_true(valid_bcd(v));
    }
    outb(f, CMOS_PORT_INDEX, index);
}

static void test_random_operations(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 0xc0ffee;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t r = xorshift(&rng);
        uint16_t port = (r & 1) ? CMOS_PORT_DATA : CMOS_PORT_INDEX;
        unsigned size = (r >> 1) % 16 == 0 ? 2 : 1;
        uint32_t v = (uint32_t)(r >> 16) & (size == 2 ? 0xffffu : 0xffu);
        switch ((r >> 48) % 8) {
        case 0:
            /* Mostly the interesting registers. */
            outb(f, CMOS_PORT_INDEX, (uint8_t)((r >> 8) % 16 | (v & CMOS_INDEX_NMI_DISABLE)));
            break;
        case 1:
        case 2:
            assert_true(iobus_access(&f->bus, port, size, IO_OUT, &v));
            break;
        case 3:
        case 4:
            assert_true(iobus_access(&f->bus, port, size, IO_IN, &v));
            assert_true(size == 2 || v <= 0xff);
            break;
        case 5: {
            unsigned scale = (r >> 40) % 8;
            f->now_ns += scale == 0  ? (r >> 20) % (3 * SECS_PER_DAY * NS_PER_SEC)
                         : scale < 3 ? (r >> 20) % (2 * NS_PER_SEC)
                                     : (r >> 20) % (2 * NS_PER_MS);
            break;
        }
        case 6:
            cmos_rtc_update(&f->rtc);
            break;
        default: {
            /* next_irq_ns: nothing raised before it; raised at it for UIE and PIE. */
            uint64_t next = cmos_rtc_next_irq_ns(&f->rtc);
            uint8_t a = f->rtc.reg_a, b = f->rtc.reg_b;
            bool reset = (a & CMOS_A_DV_RESET) == CMOS_A_DV_RESET;
            bool uie = (b & CMOS_B_UIE) && !(b & CMOS_B_SET) && !reset;
            bool pie = (b & CMOS_B_PIE) && (a & CMOS_A_RS_MASK) && !reset;
            bool aie = (b & CMOS_B_AIE) && !(b & CMOS_B_SET) && !reset;
            if (f->level || !(uie || pie || aie)) {
                assert_int_equal(next, UINT64_MAX);
                break;
            }
            assert_true(next >= f->now_ns && next - f->now_ns <= NS_PER_SEC);
            if (next > f->now_ns) {
                f->now_ns = next - 1;
                cmos_rtc_update(&f->rtc);
                assert_false(f->level);
            }
            f->now_ns = next;
            cmos_rtc_update(&f->rtc);
            if (uie || pie)
                assert_true(f->level);
            break;
        }
        }
        check_invariants(f);
    }
    assert_true(f->raised > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_time_bcd_and_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_12_hour_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_against_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uip_before_each_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_freezes_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divider_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_c_and_irq8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_periodic_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_port_and_nmi_bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ram_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_operations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
