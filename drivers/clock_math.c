/* Pure arithmetic of the TSC calibration: CPUID-stated frequencies, HPET ticks, rates and their
 * deviation. No hardware access (unit-tested on the host). */
#include "drivers/clock_math.h"

#define CPUID16_MHZ_MASK 0xffffu

uint64_t clock_tsc_hz_cpuid15(uint32_t eax_denominator, uint32_t ebx_numerator,
                              uint32_t ecx_crystal_hz)
{
    if (eax_denominator == 0 || ebx_numerator == 0 || ecx_crystal_hz == 0)
        return 0;
    /* Both factors are 32-bit: the product fits in 64 bits. */
    return (uint64_t)ecx_crystal_hz * ebx_numerator / eax_denominator;
}

uint64_t clock_tsc_hz_cpuid16(uint32_t eax)
{
    return (uint64_t)(eax & CPUID16_MHZ_MASK) * CLOCK_HZ_PER_MHZ;
}

bool clock_hpet_period_valid(uint32_t period_fs)
{
    return period_fs != 0 && period_fs <= HPET_PERIOD_MAX_FS;
}

uint64_t clock_hpet_ticks(uint32_t period_fs, uint64_t us)
{
    if (period_fs == 0)
        return 0;
    return us * CLOCK_FS_PER_US / period_fs; /* us is at most seconds: no overflow */
}

uint64_t clock_rate_hz(uint64_t count, uint64_t ns)
{
    if (ns == 0)
        return 0;
    /* count * 10^9 / ns without overflow: the remainder is below ns. */
    uint64_t q = count / ns, r = count % ns;
    return q * CLOCK_NS_PER_S + r * CLOCK_NS_PER_S / ns;
}

uint64_t clock_hpet_ns(uint32_t period_fs, uint64_t ticks)
{
    return ticks * period_fs / CLOCK_FS_PER_NS; /* ticks of a calibration: well below 2^32 */
}

uint64_t clock_deviation_ppm(uint64_t measured, uint64_t reference)
{
    if (reference == 0)
        return UINT64_MAX;
    uint64_t diff = measured > reference ? measured - reference : reference - measured;
    uint64_t q = diff / reference, r = diff % reference;
    if (q >= UINT64_MAX / CLOCK_PPM)
        return UINT64_MAX;
    return q * CLOCK_PPM + r * CLOCK_PPM / reference;
}
