/* Test guest library interface: console on the debug port, exit, fault catching, TAP output.
 * Every guest defines guest_main(); lib/start.asm calls it after setting up stack, GDT and IDT. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/mica/abi.h"
#include "tests/guests/lib/x86.h"

/* The guest's entry point: magic and mbi are EAX and EBX as the Multiboot loader left them. */
void guest_main(uint32_t magic, uint32_t mbi);

/* Console: bytes written to MICA_PORT_DEBUG_CONSOLE. printf knows %d %u %x %s %c %% with an
 * optional '0' flag and width (e.g. %08x). */
void console_putc(char c);
void console_puts(const char *s); /* no newline added */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Writes status to MICA_PORT_DEBUG_EXIT, then cli; hlt forever. */
__attribute__((noreturn)) void guest_exit(uint8_t status);

/* Exceptions 0-31. catch_fault() runs fn(arg): 0 if it returned, vector + 1 if it faulted (the
 * fault is then described by fault_vector/fault_error/fault_eip). Any other exception prints its
 * vector, error code and EIP and ends the guest with MICA_GUEST_FAIL. */
#define VEC_DE 0
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
int catch_fault(void (*fn)(void *), void *arg);
extern uint32_t fault_vector, fault_error, fault_eip;
void idt_init(void);
/* Points an IDT vector at an interrupt entry (an assembly stub ending in IRET). */
void idt_set_gate(unsigned vector, uint32_t entry);

/* TAP: "1..n", then "ok N - ..." / "not ok N - ...", "# ..." diagnostics. tap_done() exits with
 * MICA_GUEST_PASS if n checks ran and all passed, else MICA_GUEST_FAIL. */
void tap_plan(unsigned n);
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void tap_done(void);

#endif
