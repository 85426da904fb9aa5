/* Hostile test guest: CR0.CD and NW, the cache-disable bits. VM entry and exit leave them as they
 * are (SDM 27.3.2.1, 28.5.1), so a guest that could set them for real would turn the host's
 * caches off too; found by the fuzzing guest as a run that slowed to a stall. The hypervisor owns
 * them (guest/host mask): the guest starts with them clear (with the guest's values in the real
 * CR0 it would see the reset value's CD and NW), reads back what it wrote, NW without CD is #GP
 * as on hardware, and the guest ends with both set, so that on hardware the host's CR0 in the
 * end-of-run integrity check would show them leaking (Bochs reloads all of CR0 on VM exit, so
 * there only the guest's view shows it). */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define CR0_NW        (1u << 29)
#define CR0_CD        (1u << 30)
#define POST_PORT     0x80
#define EXITS_WITH_CD 100

static void write_cr0_arg(void *arg)
{
    write_cr0(*(const uint32_t *)arg);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    tap_plan(3);
    uint32_t cr0 = read_cr0();
    tap_ok(!(cr0 & (CR0_CD | CR0_NW)), "CR0 starts with CD and NW clear (%x)", cr0);
    write_cr0(cr0 | CR0_CD | CR0_NW);
    uint32_t back = read_cr0();
    tap_ok((back & (CR0_CD | CR0_NW)) == (CR0_CD | CR0_NW),
           "the guest reads back CD and NW as it wrote them (%x)", back);
    for (unsigned i = 0; i < EXITS_WITH_CD; i++)
        outb(POST_PORT, (uint8_t)i); /* exits and entries with the guest's CD set */
    uint32_t nw_only = (cr0 & ~CR0_CD) | CR0_NW;
    int f = catch_fault(write_cr0_arg, &nw_only);
    tap_ok(f == VEC_GP + 1, "CR0 with NW set and CD clear raises #GP (got %d)", f - 1);
    /* Ends with CD and NW still set: had they reached the real CR0, on hardware they would now be
     * the host's too, and the integrity check after the run would panic. */
    tap_done();
}
