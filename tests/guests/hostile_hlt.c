/* Hostile test guest: CLI then HLT, a vCPU nothing can ever wake. The hypervisor must stop it (and
 * not idle forever); if the HLT returns, the guest says so and fails. */
#include "tests/guests/lib/guest.h"

void after_hlt(void);

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("hostile_hlt: cli; hlt (the instruction after HLT is at 0x%x)\n", (uint32_t)after_hlt);
    __asm__ volatile("cli\n"
                     "hlt\n"
                     ".globl after_hlt\n"
                     "after_hlt:" ::
                         : "memory");
    printf("still running\n");
    guest_exit(MICA_GUEST_FAIL);
}
