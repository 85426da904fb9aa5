/* Benchmark guest: the cost of a VMCALL round trip and of a trapped OUT to an emulated port, in
 * TSC ticks (under Bochs with clock sync=none: emulated instructions), minus the loop's own cost.
 */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define ROUNDS    1000
#define POST_PORT 0x80

static uint64_t loop_nop(void)
{
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)
        __asm__ volatile("nop");
    return rdtsc() - t0;
}

static uint64_t loop_vmcall(void)
{
    uint32_t ebx;
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)
        vmcall(MICA_HC_PING, i, 0, 0, 0, &ebx);
    return rdtsc() - t0;
}

static uint64_t loop_out(void)
{
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)
        outb(POST_PORT, (uint8_t)i);
    return rdtsc() - t0;
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    /* Warm up once, then measure; each figure is per operation, loop overhead subtracted. */
    loop_nop();
    uint64_t base = loop_nop();
    uint64_t vmcall_ticks = loop_vmcall();
    uint64_t out_ticks = loop_out();
    /* 32-bit division only (no libgcc here): the totals fit easily in 32 bits. */
    printf("bench: rounds=%u\n", ROUNDS);
    printf("bench: loop_overhead_ticks=%u\n", (uint32_t)base / ROUNDS);
    printf("bench: vmcall_round_trip_ticks=%u\n", (uint32_t)(vmcall_ticks - base) / ROUNDS);
    printf("bench: trapped_out_ticks=%u\n", (uint32_t)(out_ticks - base) / ROUNDS);
    guest_exit(MICA_GUEST_PASS);
}
