/* What every emulated device model shares: the interrupt line it drives, the time source it
 * reads, and the printer its dump function writes to. Devices are plain C with no VMX (or other
 * vendor) dependency, each in its own file, registered on the port bus (vmm/iobus.h). */
#ifndef MICA_VMM_DEVICES_DEVICE_H
#define MICA_VMM_DEVICES_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

/* An interrupt request line into the interrupt controller (the 8259A model routes it to a
 * vector). Edge-triggered devices pulse it with set(true) then set(false). */
struct irq_line {
    void (*set)(void *ctx, unsigned irq, bool level);
    void *ctx;
    unsigned irq;
};

static inline void irq_line_set(const struct irq_line *line, bool level)
{
    if (line && line->set)
        line->set(line->ctx, line->irq, level);
}

static inline void irq_line_pulse(const struct irq_line *line)
{
    irq_line_set(line, true);
    irq_line_set(line, false);
}

/* Time in nanoseconds since the guest started, as the hypervisor's clock says (host TSC based). */
typedef uint64_t (*device_clock_fn)(void *ctx);
struct device_clock {
    device_clock_fn now_ns;
    void *ctx;
};

static inline uint64_t device_clock_now(const struct device_clock *clock)
{
    return clock->now_ns(clock->ctx);
}

/* Dumps print through this (the debug monitor's console, or a test's buffer). */
typedef void (*device_printf_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
