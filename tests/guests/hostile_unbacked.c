/* Hostile test guest: reads, then writes, guest-physical 0x40000000, beyond guest RAM (paging is
 * off: linear = physical). The hypervisor must stop it; if it gets past, it says so and fails. */
#include "tests/guests/lib/guest.h"

#define UNBACKED 0x40000000u /* 1 GiB: no default guest RAM size reaches it */

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    volatile uint32_t *p = (volatile uint32_t *)UNBACKED;

    printf("hostile_unbacked: reading, then writing guest-physical 0x%08x (not guest RAM)\n",
           UNBACKED);
    uint32_t v = *p;
    *p = v ^ 0x5a5a5a5au;
    printf("still running\n");
    guest_exit(MICA_GUEST_FAIL);
}
