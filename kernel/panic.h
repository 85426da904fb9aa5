/* Fatal errors: panic (register state and a symbolized backtrace, then halt or power off) and
 * fatal_error for clear user-facing errors such as bad boot input. */
#ifndef MICA_KERNEL_PANIC_H
#define MICA_KERNEL_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
/* A clear message for a problem the user can fix (bad command line, no VMX, ...); no backtrace. */
__attribute__((noreturn, format(printf, 1, 2))) void fatal_error(const char *fmt, ...);
void panic_backtrace_from(uint64_t rip, uint64_t rbp);
/* Return addresses up the frame-pointer chain starting at rbp; returns how many were stored. */
unsigned backtrace_collect(uint64_t rbp, uint64_t *return_addresses, unsigned max);

/* Called before halting, e.g. so a running self-test can print "Bail out!". */
void panic_set_hook(void (*hook)(const char *message));
/* Called first by panic and fatal_error, once: prints what a deferred log (vmm/vlog.c) holds. */
void panic_set_log_flush(void (*flush)(void));

#endif
