/* The reference clocks the TSC and the local APIC timer are calibrated against: CPUID leaves
 * 0x15/0x16, the HPET or the 8254 PIT, chosen automatically or by clocksource=. */
#ifndef MICA_DRIVERS_CLOCKSOURCE_H
#define MICA_DRIVERS_CLOCKSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/hpet.h"

enum clocksource { CLOCKSOURCE_AUTO, CLOCKSOURCE_PIT, CLOCKSOURCE_HPET, CLOCKSOURCE_CPUID };

#define CLOCKSOURCE_WHY_LEN 120

/* What the machine offers. */
struct clocksources {
    bool pit_expected; /* the ACPI tables say there is an 8254 (acpi_legacy_pc_decide) */
    bool hpet;
    struct hpet_info hpet_info;
    char hpet_why[CLOCKSOURCE_WHY_LEN]; /* when !hpet: why not */
    uint64_t cpuid15_hz;                /* TSC Hz from CPUID leaf 0x15, 0 when not given */
    uint64_t cpuid16_hz;                /* base frequency from CPUID leaf 0x16, 0 when not given */
};

struct clock_rates {
    uint64_t tsc_hz;
    uint64_t timer_hz; /* local APIC timer at divide-by-16 */
};

/* Fills *out: CPUID leaves, and the HPET at hpet_phys (0: the ACPI tables name none; then
 * hpet_absent_why says why). */
void clocksource_probe(bool pit_expected, uint64_t hpet_phys, const char *hpet_absent_why,
                       struct clocksources *out);
const char *clocksource_name(enum clocksource src);
/* Measures the TSC and the local APIC timer against src (not AUTO) over about ms milliseconds
 * (at most 50 for the PIT). For CPUID the TSC rate is the stated one and the APIC timer is
 * measured against the TSC. Returns false, with why, when src is absent or does not count. */
bool clocksource_measure(const struct clocksources *cs, enum clocksource src, unsigned ms,
                         struct clock_rates *out, char *why, size_t why_len);
/* CPUID leaf 0x15's TSC frequency is used by clocksource=auto when a measurement agrees this well
 * (parts per million). */
#define CLOCKSOURCE_CPUID_AGREE_PPM 10000u

/* Calibrates at boot against src; for AUTO: the HPET, else the PIT, replaced by CPUID leaf 0x15's
 * exact figure when that agrees with the measurement within CLOCKSOURCE_CPUID_AGREE_PPM; with
 * neither, CPUID leaf 0x15 or 0x16 alone. Returns the source used (AUTO when none worked; why
 * then says what each gave). */
enum clocksource clocksource_calibrate(const struct clocksources *cs, enum clocksource src,
                                       struct clock_rates *out, char *why, size_t why_len);

#endif
