/* Replaying a guest's batch of port operations (MICA_HC_IO_BATCH, include/mica/abi.h). Pure and
 * vendor-neutral: guest memory and the port bus are reached through callbacks, so the host tests
 * can hand it hostile memory (an array that changes while it is read). */
#ifndef MICA_VMM_IO_BATCH_H
#define MICA_VMM_IO_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/mica/abi.h"

_Static_assert(sizeof(struct mica_io_op) == MICA_IO_OP_SIZE, "ABI entry layout");

/* Entries, and port accesses (a string entry makes `count`), replayed at most between two points
 * where pending host interrupts are taken: they bound how long the hypervisor runs with
 * interrupts disabled while replaying (docs/batching.md). 256 accesses is one ATA sector of
 * 16-bit words, so the string fast path for a sector is seldom cut. */
#define IO_BATCH_CHUNK          16
#define IO_BATCH_CHUNK_ACCESSES 256

struct io_batch_env {
    /* Copy between guest-physical memory and hypervisor memory; false if any byte of the range
     * is not guest RAM. */
    bool (*read_guest)(void *ctx, uint64_t gpa, void *dst, size_t len);
    bool (*write_guest)(void *ctx, uint64_t gpa, const void *src, size_t len);
    /* May the guest use this port? (false: refused, as a trapped access would be) */
    bool (*port_allowed)(void *ctx, uint16_t port, unsigned size);
    /* One port access, through the same entry point as trapped I/O. */
    void (*io)(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value);
    /* Optional fast path for string entries (both NULL: element by element through io).
     * guest_buffer: hypervisor memory for the whole of [gpa, gpa + len), or NULL when any byte of
     * it is not guest RAM (the entry then runs element by element and stops with EFAULT at the
     * first element outside, as before). io_string: `count` accesses with the effects of `count`
     * calls of io in order, element i at buffer + i * size (trapped REP INS/OUTS use the same
     * entry point, iobus_access_string). */
    void *(*guest_buffer)(void *ctx, uint64_t gpa, size_t len);
    void (*io_string)(void *ctx, uint16_t port, unsigned size, bool out, uint8_t *buffer,
                      uint32_t count);
    /* Called (may be NULL) once IO_BATCH_CHUNK entries or IO_BATCH_CHUNK_ACCESSES completed
     * accesses were replayed since the last call, whichever comes first, but not at the end of
     * the batch: the caller takes pending host interrupts there. A plain entry is one access, a
     * string entry `count` (an IN once its value is written back); io_string is called in
     * slices that end at these points, so a long string has them inside it, on either path. */
    void (*chunk_done)(void *ctx);
    void *ctx;
};

struct io_batch_result {
    uint32_t status;    /* MICA_HC_* */
    uint32_t completed; /* entries fully done; on error the index of the failing entry */
};

struct io_batch_result io_batch_run(const struct io_batch_env *env, uint64_t array_gpa,
                                    uint64_t count);

/* Checks one entry (already copied into hypervisor memory); MICA_HC_OK or the error. */
uint32_t io_batch_check_entry(const struct mica_io_op *op);

#endif
