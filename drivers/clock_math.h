/* Pure arithmetic of the TSC calibration (drivers/clocksource.c): the TSC frequency CPUID leaves
 * 0x15/0x16 state, HPET period checks and tick counts, rates and their agreement. Unit-tested. */
#ifndef MICA_DRIVERS_CLOCK_MATH_H
#define MICA_DRIVERS_CLOCK_MATH_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_FS_PER_US  1000000000ull /* femtoseconds per microsecond */
#define CLOCK_NS_PER_S   1000000000ull
#define CLOCK_FS_PER_NS  1000000ull
#define CLOCK_HZ_PER_MHZ 1000000ull
#define CLOCK_PPM        1000000ull

/* IA-PC HPET specification 1.0a, 2.3.4: COUNTER_CLK_PERIOD is non-zero and at most 100 ns. */
#define HPET_PERIOD_MAX_FS 100000000u

/* CPUID leaf 0x15 (SDM vol. 2A, CPUID; vol. 3B, 18.7.3): TSC Hz = ECX (crystal Hz) * EBX / EAX.
 * 0 when any of the three is 0 (the leaf does not give the frequency). */
uint64_t clock_tsc_hz_cpuid15(uint32_t eax_denominator, uint32_t ebx_numerator,
                              uint32_t ecx_crystal_hz);
/* CPUID leaf 0x16 EAX[15:0]: processor base frequency in MHz (0: not given). Not architecturally
 * the TSC frequency, though equal to it on the CPUs that lack a full leaf 0x15. */
uint64_t clock_tsc_hz_cpuid16(uint32_t eax);
bool clock_hpet_period_valid(uint32_t period_fs);
/* HPET main-counter ticks in `us` microseconds at period_fs (valid period). */
uint64_t clock_hpet_ticks(uint32_t period_fs, uint64_t us);
/* Counts per second: count ticks over ns nanoseconds (0 when ns is 0; ns below 10^10). */
uint64_t clock_rate_hz(uint64_t count, uint64_t ns);
/* Nanoseconds in `ticks` HPET ticks of period_fs. */
uint64_t clock_hpet_ns(uint32_t period_fs, uint64_t ticks);
/* |measured - reference| in parts per million of reference (UINT64_MAX when reference is 0). */
uint64_t clock_deviation_ppm(uint64_t measured, uint64_t reference);

#endif
