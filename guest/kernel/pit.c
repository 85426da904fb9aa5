/* 8254 PIT driver: channel 0 modes 2 (rate generator) and 0 (interrupt on terminal count), and a
 * 10 ms channel-2 interval measured with the TSC. */
#include "guest/kernel/pit.h"

#include "tests/guests/lib/x86.h"

#define PIT_CH0_DATA         0x40
#define PIT_CH2_DATA         0x42
#define PIT_CONTROL          0x43
#define PIT_SEL_CH0          0x00
#define PIT_SEL_CH2          0x80
#define PIT_ACCESS_LOHI      0x30
#define PIT_MODE0            0x00 /* interrupt on terminal count */
#define PIT_MODE2            0x04 /* rate generator */
#define PORT_SYSTEM_CTRL_B   0x61
#define SYSCTRL_GATE2        0x01 /* channel 2 gate */
#define SYSCTRL_SPEAKER      0x02 /* speaker data enable */
#define SYSCTRL_OUT2         0x20 /* channel 2 output (read) */
#define CALIBRATION_MS       10u
#define MS_PER_S             1000u
#define CALIBRATION_SPIN_MAX 100000000u

static void load(uint8_t select_mode, uint16_t count)
{
    outb(PIT_CONTROL, select_mode);
    outb(PIT_CH0_DATA, (uint8_t)count);
    outb(PIT_CH0_DATA, (uint8_t)(count >> 8));
}

void pit_periodic(uint32_t hz)
{
    load(PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE2, (uint16_t)((PIT_HZ + hz / 2) / hz));
}

void pit_oneshot(uint32_t count)
{
    load(PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE0, (uint16_t)count);
}

void pit_stop(void)
{
    /* Mode 0 with no count written: the output stays low, no interrupt. */
    outb(PIT_CONTROL, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE0);
}

uint32_t pit_calibrate_tsc_per_ms(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_MS / MS_PER_S);
    uint8_t ctrl = inb(PORT_SYSTEM_CTRL_B);
    outb(PORT_SYSTEM_CTRL_B, (uint8_t)((ctrl & ~SYSCTRL_SPEAKER) & ~SYSCTRL_GATE2));
    outb(PIT_CONTROL, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE0);
    outb(PIT_CH2_DATA, (uint8_t)count);
    outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    outb(PORT_SYSTEM_CTRL_B, (uint8_t)((ctrl & ~SYSCTRL_SPEAKER) | SYSCTRL_GATE2));
    for (uint32_t i = 0; i < CALIBRATION_SPIN_MAX && !(inb(PORT_SYSTEM_CTRL_B) & SYSCTRL_OUT2); i++)
        ;
    uint64_t elapsed = rdtsc() - t0;
    outb(PORT_SYSTEM_CTRL_B, ctrl);
    uint32_t per_ms = (uint32_t)(elapsed / CALIBRATION_MS);
    return per_ms ? per_ms : 1;
}
