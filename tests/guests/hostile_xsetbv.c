/* Hostile test guest: XSETBV after setting its own CR4.OSXSAVE, with a bad XCR0 (x87 off) and a
 * good one (x87 | SSE). Once this made the hypervisor execute XSETBV without host CR4.OSXSAVE and
 * fault itself, then change its CR4 mid-run; now the bad value gets #GP, the good one takes
 * effect, and CPUID.1:ECX.OSXSAVE follows the guest's own CR4. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define CR4_OSXSAVE (1u << 18)
#define CPUID_1_ECX_OSXSAVE (1u << 27)

static void xsetbv_arg(void *arg)
{
    uint32_t v = *(const uint32_t *)arg;
    __asm__ volatile("xsetbv" : : "c"(0u), "a"(v), "d"(0u));
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(5);
    tap_ok(!(cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE),
           "CPUID.1:ECX.OSXSAVE clear while CR4.OSXSAVE is");
    write_cr4(read_cr4() | CR4_OSXSAVE);
    tap_ok(read_cr4() & CR4_OSXSAVE, "CR4.OSXSAVE set by the guest");
    tap_ok(cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE, "CPUID.1:ECX.OSXSAVE set once CR4.OSXSAVE is");
    uint32_t bad = 2; /* SSE without x87 */
    int f = catch_fault(xsetbv_arg, &bad);
    tap_ok(f == VEC_GP + 1, "XSETBV with XCR0 = 2 (x87 off) raises #GP (got %d)", f - 1);
    uint32_t good = 3;
    f = catch_fault(xsetbv_arg, &good);
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0u));
    tap_ok(f == 0 && lo == 3 && hi == 0, "XSETBV with XCR0 = 3 works and XGETBV reads it (%x)", lo);
    tap_done();
}
