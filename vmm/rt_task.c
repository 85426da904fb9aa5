/* Periodic task bookkeeping: deadlines in TSC ticks (Bochs: emulated instructions), lateness of
 * each activation into a histogram (64-tick buckets) for the maximum and the 99th percentile. */
#include "vmm/rt_task.h"

#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/timer.h"

#define BUCKET_TICKS 64
#define BUCKETS      1024 /* up to 65536 ticks; later ones land in the last bucket */

static struct {
    uint64_t period_tsc, period_ns;
    uint64_t next_tsc, next_ns;
    uint64_t activations, missed_periods;
    uint64_t max_lateness;
    uint32_t histogram[BUCKETS];
    unsigned hz;
} rt;

void rt_task_start(unsigned hz)
{
    rt.hz = hz;
    if (hz == 0)
        return;
    rt.period_ns = 1000000000ull / hz;
    rt.period_tsc = host_ns_to_tsc(rt.period_ns);
    rt.next_ns = host_time_ns() + rt.period_ns;
    rt.next_tsc = rdtsc() + rt.period_tsc;
}

uint64_t rt_task_next_ns(void)
{
    return rt.hz ? rt.next_ns : UINT64_MAX;
}

void rt_task_poll(void)
{
    if (!rt.hz)
        return;
    uint64_t now = rdtsc();
    if (now < rt.next_tsc)
        return;
    /* The task's work is this measurement: how late it runs. */
    uint64_t lateness = now - rt.next_tsc;
    rt.activations++;
    if (lateness > rt.max_lateness)
        rt.max_lateness = lateness;
    uint64_t bucket = lateness / BUCKET_TICKS;
    rt.histogram[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
    rt.next_tsc += rt.period_tsc;
    rt.next_ns += rt.period_ns;
    while (rt.next_tsc <= now) { /* skipped activations are counted, not run late in a burst */
        rt.next_tsc += rt.period_tsc;
        rt.next_ns += rt.period_ns;
        rt.missed_periods++;
    }
}

void rt_task_report(void)
{
    if (!rt.hz || rt.activations == 0)
        return;
    uint64_t target = rt.activations - rt.activations / 100, seen = 0;
    unsigned p99_bucket = 0;
    for (unsigned b = 0; b < BUCKETS; b++) {
        seen += rt.histogram[b];
        if (seen >= target) {
            p99_bucket = b;
            break;
        }
    }
    kprintf("mica: rt-task: %u Hz, %lu activations, %lu missed periods, lateness in TSC ticks: "
            "max %lu, 99th percentile < %u\n",
            rt.hz, rt.activations, rt.missed_periods, rt.max_lateness,
            (p99_bucket + 1) * BUCKET_TICKS);
}
