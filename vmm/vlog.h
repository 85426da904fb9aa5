/* The hypervisor's deferred log: exit handlers format lines into a ring buffer instead of
 * writing the serial port, and the ring is drained to the console outside the measured path. */
#ifndef MICA_VMM_VLOG_H
#define MICA_VMM_VLOG_H

#include <stdbool.h>

#define VLOG_RING_SIZE 65536

void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes everything queued to the console. */
void vlog_drain(void);
/* Before each VM entry: writes only what the UART takes without waiting (at most its FIFO), so
 * the serial port never holds the hypervisor up; past 3/4 full it drains completely, which
 * throttles a guest that writes faster than the line. While deferred (e.g. during a benchmark
 * window) it does nothing below that mark. */
void vlog_set_deferred(bool deferred);
void vlog_drain_if_allowed(void);
/* Bytes dropped because the ring was full since boot. */
unsigned long vlog_dropped(void);

#endif
