/* The hypervisor's periodic real-time task (rt_task=HZ on the command line): a timer callback
 * that timestamps its own lateness, to show that no guest state (soft or real interrupt masking,
 * long batches) delays the hypervisor's timer work. */
#ifndef MICA_VMM_RT_TASK_H
#define MICA_VMM_RT_TASK_H

#include <stdint.h>

#define RT_TASK_MAX_HZ 10000

void rt_task_start(unsigned hz); /* 0: off */
/* Host time (host_time_ns) of the next activation; UINT64_MAX when off. */
uint64_t rt_task_next_ns(void);
/* Runs the task if its deadline has passed (call whenever the host timer fired). */
void rt_task_poll(void);
/* Activations, maximum and 99th-percentile lateness in TSC ticks. */
void rt_task_report(void);

#endif
