/* Hostile test guest: calls guest-physical 0x40000000, beyond guest RAM (paging off: linear =
 * physical). The hypervisor must stop it on the instruction fetch; if it returns, it fails. */
#include "tests/guests/lib/guest.h"

#define UNBACKED 0x40000000u /* 1 GiB: no default guest RAM size reaches it */

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("hostile_exec: calling guest-physical 0x%08x (not guest RAM)\n", UNBACKED);
    ((void (*)(void))UNBACKED)();
    printf("still running\n");
    guest_exit(MICA_GUEST_FAIL);
}
