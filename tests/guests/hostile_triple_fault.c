/* Hostile test guest: loads an empty IDT (limit 0) and executes int3, so the #BP becomes #GP, then
 * #DF, then a triple fault. The hypervisor must stop it; if it gets past, it says so and fails. */
#include "tests/guests/lib/guest.h"

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    static const struct descriptor_ptr empty_idt = {.limit = 0, .base = 0};

    printf("hostile_triple_fault: loading an IDT with limit 0, then int3 (triple fault)\n");
    lidt(&empty_idt);
    __asm__ volatile("int3");
    printf("still running\n");
    guest_exit(MICA_GUEST_FAIL);
}
