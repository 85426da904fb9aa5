/* The guest's PC platform: which devices exist, how their interrupt lines reach the interrupt
 * controller, how device time advances, and what the vCPU asks of it before each VM entry.
 * Vendor-neutral. */
#ifndef MICA_VMM_PLATFORM_H
#define MICA_VMM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* Creates the devices and registers them on the guest's port bus. */
void platform_init(struct guest *g);
/* Advances device time to now: timers raise their interrupt lines. */
void platform_update(struct guest *g);
/* The interrupt controller's INTR output, and the INTA cycle (vector, or -1 if none). */
bool platform_interrupt_pending(struct guest *g);
int platform_acknowledge_interrupt(struct guest *g);
/* Paravirtual delivery: acknowledges what the PIC has and ends it there at once (the guest
 * never writes the PIC's EOI in this mode); returns the vector, or -1 if none. */
int platform_take_interrupt_auto_eoi(struct guest *g);
/* Device events closer together than this are handled together: a guest programming a timer at
 * its fastest rate (the 8254 at 1.19 MHz) cannot make the hypervisor spend all its time in timer
 * exits. Edges the device model cannot deliver in time are counted as missed by the model. */
#define PLATFORM_MIN_EVENT_INTERVAL_NS 50000ull
/* Host time (host_time_ns) of the next device event, UINT64_MAX if none is due. */
uint64_t platform_next_event_ns(struct guest *g);
/* After a guest port access: marks the platform for an update when the port belongs to a device
 * whose next event may have changed (a timer reprogrammed), so other ports stay cheap. */
void platform_note_port_access(struct guest *g, uint16_t port);
/* A byte typed on the hypervisor console, for the guest's UART. */
void platform_console_input(struct guest *g, uint8_t byte);

#endif
