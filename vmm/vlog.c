/* Ring buffer of formatted log lines: appended by exit handlers, drained to the console before
 * the next VM entry (or later when deferred). When full, new lines are dropped and counted. */
#include "vmm/vlog.h"

#include <stdarg.h>

#include "kernel/format.h"
#include "kernel/log.h"

#define VLOG_LINE_MAX 256

static char ring[VLOG_RING_SIZE];
static unsigned long head, tail; /* free-running: head - tail bytes queued */
static unsigned long dropped;
static bool deferred;

void vlog(const char *fmt, ...)
{
    char line[VLOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    unsigned long len = n < (int)sizeof(line) ? (unsigned long)n : sizeof(line) - 1;
    if (VLOG_RING_SIZE - (head - tail) < len) {
        dropped += len;
        return;
    }
    for (unsigned long i = 0; i < len; i++)
        ring[(head + i) % VLOG_RING_SIZE] = line[i];
    head += len;
}

void vlog_drain(void)
{
    while (tail != head) {
        unsigned long start = tail % VLOG_RING_SIZE;
        unsigned long chunk = head - tail;
        if (start + chunk > VLOG_RING_SIZE)
            chunk = VLOG_RING_SIZE - start;
        console_write(ring + start, chunk);
        tail += chunk;
    }
    if (dropped) {
        kprintf("mica: log ring overflowed: %lu bytes dropped\n", dropped);
        dropped = 0;
    }
}

void vlog_set_deferred(bool value)
{
    deferred = value;
}

void vlog_drain_if_allowed(void)
{
    if (tail == head)
        return;
    if (head - tail > VLOG_RING_SIZE / 4 * 3) {
        vlog_drain();
        return;
    }
    if (deferred)
        return;
    unsigned long start = tail % VLOG_RING_SIZE;
    unsigned long chunk = head - tail;
    if (start + chunk > VLOG_RING_SIZE)
        chunk = VLOG_RING_SIZE - start;
    tail += console_write_nonblocking(ring + start, chunk);
}

unsigned long vlog_dropped(void)
{
    return dropped;
}
