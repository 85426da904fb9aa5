/* TSC and local APIC timer calibration against a reference clock: CPUID leaf 0x15/0x16, the HPET
 * main counter or PIT channel 2. Each measurement starts the APIC count and reads the TSC together.
 */
#include "drivers/clocksource.h"

#include "drivers/clock_math.h"
#include "drivers/lapic.h"
#include "drivers/pit.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/string.h"

#define CPUID_LEAF_TSC       0x15u
#define CPUID_LEAF_FREQUENCY 0x16u
#define MS_PER_S             1000u
#define NS_PER_MS            1000000u
#define PIT_MAX_MS           50u /* the 16-bit count lasts 54.9 ms */
#define HPET_STUCK_POLLS     1000000u

void clocksource_probe(bool pit_expected, uint64_t hpet_phys, const char *hpet_absent_why,
                       struct clocksources *out)
{
    memset(out, 0, sizeof(*out));
    out->pit_expected = pit_expected;
    uint32_t max_leaf = cpuid(0, 0).eax;
    if (max_leaf >= CPUID_LEAF_TSC) {
        struct cpuid_regs r = cpuid(CPUID_LEAF_TSC, 0);
        out->cpuid15_hz = clock_tsc_hz_cpuid15(r.eax, r.ebx, r.ecx);
    }
    if (max_leaf >= CPUID_LEAF_FREQUENCY)
        out->cpuid16_hz = clock_tsc_hz_cpuid16(cpuid(CPUID_LEAF_FREQUENCY, 0).eax);
    if (hpet_phys == 0)
        ksnprintf(out->hpet_why, sizeof(out->hpet_why), "%s", hpet_absent_why);
    else
        out->hpet = hpet_init(hpet_phys, &out->hpet_info, out->hpet_why, sizeof(out->hpet_why));
}

const char *clocksource_name(enum clocksource src)
{
    switch (src) {
    case CLOCKSOURCE_PIT:
        return "pit";
    case CLOCKSOURCE_HPET:
        return "hpet";
    case CLOCKSOURCE_CPUID:
        return "cpuid";
    case CLOCKSOURCE_AUTO:
        break;
    }
    return "auto";
}

struct start_mark {
    uint64_t tsc;
};

static void start_counting(void *arg)
{
    struct start_mark *m = arg;
    lapic_timer_start_count();
    m->tsc = rdtsc();
}

static void start_apic_count(void *arg)
{
    (void)arg;
    lapic_timer_start_count();
}

static bool measure_pit(unsigned ms, struct clock_rates *out, char *why, size_t why_len)
{
    if (ms > PIT_MAX_MS)
        ms = PIT_MAX_MS;
    uint16_t ticks = (uint16_t)(PIT_FREQUENCY_HZ * ms / MS_PER_S);
    struct pit_interval pi;
    if (!pit_wait_ticks(ticks, start_apic_count, NULL, &pi)) {
        lapic_timer_stop();
        ksnprintf(why, why_len, "the PIT does not count (channel 2 OUT2 at port 0x61)");
        return false;
    }
    uint32_t timer = lapic_timer_stop();
    uint64_t ns = (uint64_t)pi.ticks * CLOCK_NS_PER_S / PIT_FREQUENCY_HZ;
    out->tsc_hz = clock_rate_hz(pi.tsc_end - pi.tsc_start, ns);
    out->timer_hz = clock_rate_hz(timer, ns);
    return true;
}

static bool measure_hpet(const struct hpet_info *h, unsigned ms, struct clock_rates *out, char *why,
                         size_t why_len)
{
    uint32_t want = (uint32_t)clock_hpet_ticks(h->period_fs, (uint64_t)ms * MS_PER_S);
    /* Start on a counter edge so that the interval is whole ticks. */
    uint32_t first = hpet_counter32(), begin;
    unsigned polls = 0;
    while ((begin = hpet_counter32()) == first) {
        if (++polls == HPET_STUCK_POLLS) {
            ksnprintf(why, why_len, "the HPET main counter does not count");
            return false;
        }
    }
    struct start_mark start;
    start_counting(&start);
    uint32_t now, stuck = 0, last = begin;
    while ((now = hpet_counter32()) - begin < want) {
        if (now == last && ++stuck == HPET_STUCK_POLLS) {
            lapic_timer_stop();
            ksnprintf(why, why_len, "the HPET main counter stopped");
            return false;
        }
        if (now != last)
            stuck = 0;
        last = now;
    }
    uint64_t tsc_end = rdtsc();
    uint32_t timer = lapic_timer_stop();
    uint64_t ns = clock_hpet_ns(h->period_fs, now - begin);
    out->tsc_hz = clock_rate_hz(tsc_end - start.tsc, ns);
    out->timer_hz = clock_rate_hz(timer, ns);
    return true;
}

static bool measure_cpuid(uint64_t tsc_hz, unsigned ms, struct clock_rates *out)
{
    uint64_t wait = tsc_hz / MS_PER_S * ms;
    struct start_mark start;
    start_counting(&start);
    while (rdtsc() - start.tsc < wait)
        cpu_relax();
    uint64_t elapsed = rdtsc() - start.tsc;
    uint32_t timer = lapic_timer_stop();
    out->tsc_hz = tsc_hz;
    out->timer_hz = clock_rate_hz(timer, elapsed * CLOCK_NS_PER_S / tsc_hz);
    return true;
}

bool clocksource_measure(const struct clocksources *cs, enum clocksource src, unsigned ms,
                         struct clock_rates *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    bool ok = false;
    switch (src) {
    case CLOCKSOURCE_PIT:
        if (!cs->pit_expected) {
            ksnprintf(why, why_len, "the ACPI tables say there is no 8254 PIT");
            return false;
        }
        ok = measure_pit(ms, out, why, why_len);
        break;
    case CLOCKSOURCE_HPET:
        if (!cs->hpet) {
            ksnprintf(why, why_len, "no usable HPET: %s", cs->hpet_why);
            return false;
        }
        ok = measure_hpet(&cs->hpet_info, ms, out, why, why_len);
        break;
    case CLOCKSOURCE_CPUID: {
        uint64_t hz = cs->cpuid15_hz ? cs->cpuid15_hz : cs->cpuid16_hz;
        if (hz == 0) {
            ksnprintf(why, why_len, "CPUID leaves 0x15 and 0x16 give no TSC frequency");
            return false;
        }
        ok = measure_cpuid(hz, ms, out);
        break;
    }
    case CLOCKSOURCE_AUTO:
        ksnprintf(why, why_len, "no source named");
        return false;
    }
    if (ok && (out->tsc_hz == 0 || out->timer_hz == 0)) {
        ksnprintf(why, why_len, "measured TSC %lu Hz, APIC timer %lu Hz", out->tsc_hz,
                  out->timer_hz);
        return false;
    }
    return ok;
}

#define CALIBRATION_MS 10u

enum clocksource clocksource_calibrate(const struct clocksources *cs, enum clocksource src,
                                       struct clock_rates *out, char *why, size_t why_len)
{
    if (src != CLOCKSOURCE_AUTO)
        return clocksource_measure(cs, src, CALIBRATION_MS, out, why, why_len) ? src
                                                                               : CLOCKSOURCE_AUTO;
    /* A measured source first: CPUID's frequency is a statement, and an emulator's CPU model
     * states one its TSC does not run at (Bochs' corei7_icelake_u: 1497.6 MHz by leaf 0x15, 200
     * MHz in fact). Leaf 0x15 is then preferred only when the measurement confirms it, since it
     * is exact where it is true. */
    char hpet_why[CLOCKSOURCE_WHY_LEN], pit_why[CLOCKSOURCE_WHY_LEN];
    enum clocksource used = CLOCKSOURCE_AUTO;
    if (clocksource_measure(cs, CLOCKSOURCE_HPET, CALIBRATION_MS, out, hpet_why, sizeof(hpet_why)))
        used = CLOCKSOURCE_HPET;
    else if (clocksource_measure(cs, CLOCKSOURCE_PIT, CALIBRATION_MS, out, pit_why,
                                 sizeof(pit_why)))
        used = CLOCKSOURCE_PIT;
    if (used != CLOCKSOURCE_AUTO) {
        if (cs->cpuid15_hz &&
            clock_deviation_ppm(out->tsc_hz, cs->cpuid15_hz) <= CLOCKSOURCE_CPUID_AGREE_PPM) {
            out->tsc_hz = cs->cpuid15_hz;
            return CLOCKSOURCE_CPUID;
        }
        return used;
    }
    if (clocksource_measure(cs, CLOCKSOURCE_CPUID, CALIBRATION_MS, out, why, why_len))
        return CLOCKSOURCE_CPUID;
    ksnprintf(why, why_len, "no CPUID frequency; HPET: %s; PIT: %s", hpet_why, pit_why);
    return CLOCKSOURCE_AUTO;
}
