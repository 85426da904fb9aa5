/* panic(): the hypervisor's last words (message, control registers, symbolized frame-pointer
 * backtrace), then halt or power off as fatal= says. fatal_error(): the same for user errors. */
#include "kernel/panic.h"

#include <stdarg.h>
#include <stdbool.h>

#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/ksyms.h"
#include "kernel/log.h"
#include "kernel/power.h"

#define BACKTRACE_MAX_FRAMES 32

extern const char boot_stack_bottom[], __kernel_end[];

static void (*panic_hook)(const char *message);
static bool in_panic;

void panic_set_hook(void (*hook)(const char *message))
{
    panic_hook = hook;
}

static void print_frame(unsigned depth, uint64_t rip)
{
    uint64_t offset = 0;
    const char *name = ksym_lookup(rip, &offset);
    if (name)
        kprintf("  #%-2u %016lx %s+0x%lx\n", depth, rip, name, offset);
    else
        kprintf("  #%-2u %016lx ?\n", depth, rip);
}

unsigned backtrace_collect(uint64_t rbp, uint64_t *return_addresses, unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        /* Frames live in the kernel image (boot and IST stacks are in .bss); stop at anything else. */
        if (rbp == 0 || (rbp & 7) || rbp < (uint64_t)boot_stack_bottom ||
            rbp + 16 > (uint64_t)__kernel_end)
            break;
        const uint64_t *frame = (const uint64_t *)rbp;
        if (frame[1] == 0)
            break;
        return_addresses[n++] = frame[1];
        rbp = frame[0];
    }
    return n;
}

void panic_backtrace_from(uint64_t rip, uint64_t rbp)
{
    uint64_t frames[BACKTRACE_MAX_FRAMES];
    unsigned n = backtrace_collect(rbp, frames, BACKTRACE_MAX_FRAMES);
    kprintf("  backtrace:\n");
    print_frame(0, rip);
    for (unsigned i = 0; i < n; i++)
        print_frame(i + 1, frames[i] - 1); /* inside the call instruction */
}

static void (*deferred_log_flush)(void);

void panic_set_log_flush(void (*flush)(void))
{
    deferred_log_flush = flush;
}

/* Lines logged before the failure come out before its report. Taken once: a fault inside the
 * flush must not come back here. */
static void flush_deferred_log(void)
{
    void (*flush)(void) = deferred_log_flush;
    deferred_log_flush = NULL;
    if (flush)
        flush();
}

static __attribute__((noreturn)) void finish(const char *message)
{
    if (panic_hook)
        panic_hook(message);
    if (kernel_config.on_fatal == FATAL_POWEROFF)
        machine_poweroff(MICA_STATUS_FATAL);
    machine_halt();
}

void panic(const char *fmt, ...)
{
    interrupts_disable();
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (in_panic) {
        kprintf("\nmica: PANIC while panicking: %s\n", message);
        machine_halt();
    }
    in_panic = true;
    flush_deferred_log();
    kprintf("\nmica: PANIC: %s\n", message);
    kprintf("  CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr2(), read_cr3(),
            read_cr4());
    panic_backtrace_from((uint64_t)panic, (uint64_t)__builtin_frame_address(0));
    finish(message);
}

void fatal_error(const char *fmt, ...)
{
    interrupts_disable();
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    flush_deferred_log();
    kprintf("mica: fatal: %s\n", message);
    finish(message);
}
