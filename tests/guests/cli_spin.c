/* Test guest: spins with interrupts disabled (real CLI) for about 50 ms of TSC time without a
 * single VM exit, so the test can see whether the hypervisor's own timer work is delayed. */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define SPIN_TICKS 10000000u /* ~50 ms at Bochs' 200 MHz TSC */

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("cli_spin: spinning with interrupts disabled\n");
    __asm__ volatile("cli");
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < SPIN_TICKS)
        ;
    printf("cli_spin: done\n");
    guest_exit(MICA_GUEST_PASS);
}
