/* Benchmark guest: mostly idle, a 100 Hz PIT tick and HLT in between for half a second; the
 * baseline for the hypervisor's real-time task lateness. */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define TIMER_VECTOR 0x20
#define TICKS        50

static volatile uint32_t ticks;

void idle_tick(void);
void idle_tick(void)
{
    ticks++;
    outb(0x20, 0x20); /* EOI */
}

void idle_entry(void);
__asm__(".globl idle_entry\n"
        "idle_entry:\n"
        "  pushal\n"
        "  cld\n"
        "  call idle_tick\n"
        "  popal\n"
        "  iret\n");

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    idt_set_gate(TIMER_VECTOR, (uint32_t)idle_entry);
    static const uint8_t pic_init[][2] = {
        {0x20, 0x11}, {0xa0, 0x11}, {0x21, TIMER_VECTOR}, {0xa1, TIMER_VECTOR + 8},
        {0x21, 0x04}, {0xa1, 0x02}, {0x21, 0x01},         {0xa1, 0x01},
        {0x21, 0xfe}, {0xa1, 0xff}};
    for (unsigned i = 0; i < sizeof(pic_init) / sizeof(pic_init[0]); i++)
        outb(pic_init[i][0], pic_init[i][1]);
    uint16_t divisor = 11932; /* 100 Hz */
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)divisor);
    outb(0x40, (uint8_t)(divisor >> 8));
    while (ticks < TICKS)
        __asm__ volatile("sti; hlt; cli");
    outb(0x43, 0x30);
    printf("idle: %u ticks taken\n", ticks);
    guest_exit(MICA_GUEST_PASS);
}
