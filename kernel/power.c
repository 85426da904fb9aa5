/* Power-off and halt. Emulators first (debug-exit port, Bochs shutdown port), then halting with a
 * message; ACPI S5 for real machines belongs here too (docs/hardware.md). */
#include "kernel/power.h"

#include "kernel/cpu.h"
#include "kernel/log.h"

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
    kprintf("mica: power off, status 0x%02x (%s)\n", status, status_name(status));
    console_flush(); /* the Bochs UART drops the last bytes if we stop right after them */
    outb(DEBUG_EXIT_PORT, status);
    for (const char *p = "Shutdown"; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    kprintf("mica: no power-off device answered; halted. It is safe to switch the machine off.\n");
    console_flush();
    cpu_halt_forever();
}

void machine_halt(void)
{
    kprintf("mica: halted.\n");
    console_flush();
    cpu_halt_forever();
}
