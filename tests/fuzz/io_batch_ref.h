/* A reference replay of MICA_HC_IO_BATCH written from the ABI text (include/mica/abi.h), for the
 * io_batch fuzz targets to compare vmm/io_batch.c against (tests/fuzz/io_batch_ref.c). */
#ifndef MICA_TESTS_FUZZ_IO_BATCH_REF_H
#define MICA_TESTS_FUZZ_IO_BATCH_REF_H

#include <stdint.h>

#include "vmm/io_batch.h"

/* Same contract as io_batch_run(), through the same callbacks. Where the ABI leaves a choice open
 * this follows vmm/io_batch.c, and says so. */
struct io_batch_result io_batch_ref_run(const struct io_batch_env *env, uint64_t array_gpa,
                                        uint64_t count);

#endif
