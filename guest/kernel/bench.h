/* The guest kernel's benchmarks: test=blk (sequential write then read-back of a disk range
 * through the block layer, verified per sector) and test=timer (idle with a periodic or
 * one-shot PIT). Each prints one machine-readable line per phase and returns pass/fail. */
#ifndef MICA_GUEST_BENCH_H
#define MICA_GUEST_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/kernel/options.h"

/* ram_end: the end of RAM from the Multiboot information (buffers go above the image). */
bool bench_blk(const struct guest_options *o, uint32_t ram_end);
bool bench_timer(const struct guest_options *o);

#endif
