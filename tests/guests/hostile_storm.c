/* Hostile test guest for the watchdog: an exit storm (a tight OUT loop for about 1.5 s), then a
 * 1 kHz timer interrupt left pending behind CLI for about 3 s. Both must be reported while the
 * guest keeps running and then passes. */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define TSC_PER_SECOND 200000000u /* Bochs' 200 MHz; only the order of magnitude matters */

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    printf("hostile_storm: storming exits\n");
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < TSC_PER_SECOND * 3ull / 2)
        outb(0x80, 0);
    printf("hostile_storm: sitting on a pending timer interrupt with interrupts off\n");
    static const uint8_t pic_init[][2] = {{0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x20}, {0xa1, 0x28},
                                          {0x21, 0x04}, {0xa1, 0x02}, {0x21, 0x01}, {0xa1, 0x01},
                                          {0x21, 0xfe}, {0xa1, 0xff}};
    for (unsigned i = 0; i < sizeof(pic_init) / sizeof(pic_init[0]); i++)
        outb(pic_init[i][0], pic_init[i][1]);
    outb(0x43, 0x34);
    outb(0x40, 0xa9); /* 1193 = 1 kHz */
    outb(0x40, 0x04);
    __asm__ volatile("cli");
    t0 = rdtsc();
    while (rdtsc() - t0 < TSC_PER_SECOND * 3ull)
        ;
    outb(0x43, 0x30);
    printf("hostile_storm: still running\n");
    guest_exit(MICA_GUEST_PASS);
}
