/* Ending a run: power off with a status the emulator or test runner can read, or halt. */
#ifndef MICA_KERNEL_POWER_H
#define MICA_KERNEL_POWER_H

#include <stdint.h>

/* Status values written to the debug-exit port 0xf4 (QEMU's isa-debug-exit ends with exit code
 * (status << 1) | 1). The same status is printed as the last console line for emulators without
 * that device (Bochs), so the test runner reads it from the serial log in both. */
#define DEBUG_EXIT_PORT     0xf4
#define MICA_STATUS_PASS    0x10 /* QEMU exit code 33 */
#define MICA_STATUS_FAIL    0x11 /* 35: a self-test or guest failed */
#define MICA_STATUS_NO_VMX  0x12 /* 37: this CPU cannot run the hypervisor */
#define MICA_STATUS_FATAL   0x13 /* 39: fatal error (bad input, panic) */
#define MICA_STATUS_GUEST_STOPPED 0x14 /* 41: the hypervisor stopped a misbehaving guest */

/* Bochs: writing the bytes of "Shutdown" to this port ends the simulation. */
#define BOCHS_SHUTDOWN_PORT 0x8900

__attribute__((noreturn)) void machine_poweroff(uint8_t status);
__attribute__((noreturn)) void machine_halt(void);
/* Resets the machine: ACPI reset register, port 0xcf9, keyboard controller; halts if none works. */
__attribute__((noreturn)) void machine_reboot(void);

#endif
