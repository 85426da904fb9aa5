/* The hypervisor's deferred log: exit handlers format lines into a ring buffer instead of
 * writing the serial port, and the ring is drained to the console outside the measured path. */
#ifndef MICA_VMM_VLOG_H
#define MICA_VMM_VLOG_H

#include <stdbool.h>

#define VLOG_RING_SIZE 16384

void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes everything queued to the console. */
void vlog_drain(void);
/* While deferred (e.g. during a benchmark window), vlog_drain_if_allowed() does nothing. */
void vlog_set_deferred(bool deferred);
void vlog_drain_if_allowed(void);
/* Bytes dropped because the ring was full since boot. */
unsigned long vlog_dropped(void);

#endif
