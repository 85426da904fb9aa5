/* Guest side of batched port I/O (MICA_HC_IO_BATCH): queue OUT/IN operations, flush them with
 * one VMCALL. Off mica (no "MicaMicaMica" CPUID signature) every operation is a plain IN/OUT, so
 * one guest binary runs natively and virtualized. Freestanding, 32- or 64-bit. */
#ifndef MICA_GUEST_IO_BATCH_H
#define MICA_GUEST_IO_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "include/mica/abi.h"

struct io_batch {
    struct mica_io_op ops[MICA_IO_BATCH_MAX] __attribute__((aligned(16)));
    unsigned count;
    unsigned capacity; /* flush when this many are queued (1..MICA_IO_BATCH_MAX) */
    bool hypervisor;   /* running on mica: batch; else execute at once */
    uint32_t last_status;
    uint64_t flushes; /* VMCALLs made */
};

/* Detects mica and empties the queue; capacity 0 means MICA_IO_BATCH_MAX. The queue must be in
 * memory whose guest-physical address equals its address (paging off or identity-mapped). */
void io_batch_init(struct io_batch *b, unsigned capacity);
void io_batch_out(struct io_batch *b, uint16_t port, unsigned size, uint32_t value);
/* IN needs its result now: flushes what is queued together with it, returns the value read. */
uint32_t io_batch_in(struct io_batch *b, uint16_t port, unsigned size);
/* Queues an IN whose result is wanted later; returns the entry's index for io_batch_result(),
 * valid until the next flush starts a new batch. */
unsigned io_batch_in_deferred(struct io_batch *b, uint16_t port, unsigned size);
uint32_t io_batch_result(const struct io_batch *b, unsigned index);
/* A string entry (MICA_IO_STRING): `count` transfers of `size` bytes (1 or 2) between the port and
 * buf, like REP OUTS (out) or REP INS with DF = 0. buf must stay valid until the flush; its
 * address is passed as guest-physical. Natively it is the REP OUTS/INS instruction itself. */
void io_batch_string(struct io_batch *b, uint16_t port, unsigned size, bool out, void *buf,
                     uint32_t count);
/* Sends what is queued; returns MICA_HC_OK or the hypercall's error (last_status too). */
uint32_t io_batch_flush(struct io_batch *b);
/* True if running on mica (CPUID leaf 0x40000000 signature). */
bool mica_present(void);

#endif
