/* Power-off, reboot and halt: emulator exit ports then ACPI S5 to power off; ACPI RESET_REG, port
 * 0xcf9 and the keyboard controller to reboot; a halt with a message when all fail. */
#include "kernel/power.h"

#include <stdbool.h>

#include "drivers/acpi_power.h"
#include "kernel/cpu.h"
#include "kernel/log.h"

#define RESET_CONTROL_PORT    0xcf9 /* reset control register (Intel chipsets and most others) */
#define RESET_CONTROL_SYS_RST 0x02  /* with RST_CPU: a hard reset */
#define RESET_CONTROL_RST_CPU 0x04
#define KBC_STATUS_PORT       0x64 /* 8042 keyboard controller status (read) / command (write) */
#define KBC_STATUS_IBF        0x02 /* input buffer full: the controller has not taken a byte yet */
#define KBC_CMD_PULSE_RESET   0xfe /* pulse output line 0 (CPU reset) low */
#define RESET_WAIT_US         100000

static const char *status_name(uint8_t status)
{
    switch (status) {
    case MICA_STATUS_PASS:
        return "pass";
    case MICA_STATUS_FAIL:
        return "fail";
    case MICA_STATUS_NO_VMX:
        return "no-vmx";
    case MICA_STATUS_FATAL:
        return "fatal";
    case MICA_STATUS_GUEST_STOPPED:
        return "guest stopped";
    }
    return "unknown";
}

void machine_poweroff(uint8_t status)
{
    static bool acpi_tried; /* a fault inside the ACPI path must not bring us back into it */

    kprintf("mica: power off, status 0x%02x (%s)\n", status, status_name(status));
    console_flush(); /* the Bochs UART drops the last bytes if we stop right after them */
    outb(DEBUG_EXIT_PORT, status);
    for (const char *p = "Shutdown"; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    /* Still running: not QEMU with isa-debug-exit and not Bochs, so a real machine. */
    if (!acpi_tried) {
        acpi_tried = true;
        kprintf("mica: no emulator exit port answered; trying ACPI S5 (soft off)\n");
        console_flush();
        acpi_power_off(); /* returns only when it could not switch the machine off, saying why */
    }
    kprintf("mica: power-off failed; halted. It is safe to switch the machine off.\n");
    console_flush();
    cpu_halt_forever();
}

/* Waits, bounded, for the 8042 to take the previous byte; false if it never does (absent). */
static bool kbc_wait_input_empty(void)
{
    for (unsigned i = 0; i < 10000; i++) {
        if (!(inb(KBC_STATUS_PORT) & KBC_STATUS_IBF))
            return true;
        acpi_power_udelay(10);
    }
    return false;
}

__attribute__((noreturn)) void machine_reboot(void)
{
    static bool tried; /* a fault during a reset attempt must not loop through here */

    interrupts_disable();
    if (tried) {
        kprintf("mica: reboot: fault during a reset attempt; halted. Press the reset button.\n");
        console_flush();
        cpu_halt_forever();
    }
    tried = true;
    kprintf("mica: reboot\n");
    console_flush();

    acpi_reset(); /* returns only when it did not reset the machine, saying why */

    kprintf("mica: reboot: writing 0x%02x then 0x%02x to the reset control register (port "
            "0x%x)\n",
            RESET_CONTROL_SYS_RST, RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU,
            RESET_CONTROL_PORT);
    console_flush();
    outb(RESET_CONTROL_PORT, RESET_CONTROL_SYS_RST);
    acpi_power_udelay(50);
    outb(RESET_CONTROL_PORT, RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU);
    acpi_power_udelay(RESET_WAIT_US);

    kprintf("mica: reboot: still running; pulsing the CPU reset line through the keyboard "
            "controller (0x%02x to port 0x%x)\n",
            KBC_CMD_PULSE_RESET, KBC_STATUS_PORT);
    console_flush();
    for (unsigned i = 0; i < 10; i++) {
        if (!kbc_wait_input_empty() && i == 0)
            kprintf("mica: reboot: the keyboard controller does not answer (absent?)\n");
        outb(KBC_STATUS_PORT, KBC_CMD_PULSE_RESET);
        acpi_power_udelay(50);
    }
    acpi_power_udelay(RESET_WAIT_US);

    /* No triple fault: on some machines it hangs or powers off instead of resetting. */
    kprintf("mica: reboot failed (ACPI RESET_REG, port 0xcf9 and the keyboard controller did not "
            "reset the machine); halted. Press the reset button or switch the machine off.\n");
    console_flush();
    cpu_halt_forever();
}

void machine_halt(void)
{
    kprintf("mica: halted.\n");
    console_flush();
    cpu_halt_forever();
}
