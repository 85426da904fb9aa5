/* Hostile test guest: fills guest-physical 0x200000-0x3fffff, where the hypervisor's image sits in
 * host-physical memory, and reads it back. Under EPT that is the guest's own RAM: it must pass. */
#include "tests/guests/lib/guest.h"

#define TARGET_START 0x200000u
#define TARGET_END   0x400000u

/* Different in every word, so that a page aliased elsewhere or left unwritten shows. */
static uint32_t pattern(uint32_t addr)
{
    return (addr * 0x9e3779b1u) ^ 0xa5c3b2e1u;
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    volatile uint32_t *p;

    printf("hostile_hv_pages: writing a pattern over guest-physical 0x%x-0x%x\n", TARGET_START,
           TARGET_END - 1);
    for (uint32_t a = TARGET_START; a < TARGET_END; a += 4) {
        p = (volatile uint32_t *)a;
        *p = pattern(a);
    }
    for (uint32_t a = TARGET_START; a < TARGET_END; a += 4) {
        p = (volatile uint32_t *)a;
        if (*p != pattern(a)) {
            printf("read back 0x%08x at 0x%x, wrote 0x%08x\n", *p, a, pattern(a));
            guest_exit(MICA_GUEST_FAIL);
        }
    }
    printf("wrote 2 MiB at the hypervisor's host-physical address\n");
    guest_exit(MICA_GUEST_PASS);
}
