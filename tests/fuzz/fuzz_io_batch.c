/* libFuzzer target for vmm/io_batch.c with a fake port bus: the input is an 8-byte header and the
 * guest RAM holding the queue and string buffers; checked against tests/fuzz/io_batch_ref.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/io_batch_ref.h"
#include "vmm/io_batch.h"

/*
 * Input: header, then guest RAM (the rest of the input, at guest-physical `base`).
 *   byte 0    mode: bits 1:0 where RAM lies (0, 1 MiB, just below 4 GiB, just below 2^64),
 *             bit 2 hostile (another vCPU rewrites each entry right after the hypervisor copied
 *             it), bit 3 no chunk_done callback, bit 4 add 2^48 to the count
 *   bytes 1-2 count of entries
 *   bytes 3-4 offset of the array from base (any alignment, may leave RAM, may wrap)
 *   bytes 5-6 first port the guest may not use, byte 7: how many (0: none)
 * The same batch runs twice from the same state: through io_batch_run() and through the
 * reference; status, completed count, the sequence of port accesses and chunk_done calls, and
 * the final RAM must agree (not in hostile mode, whose rewrites follow the read pattern).
 */

#define HEADER_SIZE    8
#define MODE_BASE      0x03u
#define MODE_HOSTILE   0x04u
#define MODE_NO_CHUNKS 0x08u
#define MODE_HUGE      0x10u
#define ENTRY_BYTES    16u

struct fake {
    uint8_t *ram;
    uint64_t base;
    size_t size;
    uint16_t deny_first;
    unsigned deny_count;
    bool hostile;
    uint64_t device;   /* the fake ports' state: OUTs change it, INs read it */
    uint64_t log_hash; /* every port access and chunk_done call, in order */
    uint64_t ios;
    unsigned chunks;
    bool chunks_on;             /* the env has a chunk_done callback */
    unsigned since_chunk;       /* port accesses since the last chunk_done (or the start) */
    unsigned entries_since;     /* entries in the current window (see chunk_done) */
    uint8_t entry[ENTRY_BYTES]; /* the entry most recently copied out of guest RAM */
    bool have_entry;
};

static bool in_ram(const struct fake *f, uint64_t gpa, size_t len, size_t *off)
{
    if (gpa < f->base)
        return false;
    uint64_t o = gpa - f->base;
    if (o > f->size || len > f->size - o)
        return false;
    *off = (size_t)o;
    return true;
}

static bool read_guest(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    struct fake *f = ctx;
    size_t off;
    FUZZ_CHECK(len > 0 && len <= ENTRY_BYTES, "guest read of %zu bytes", len);
    if (!in_ram(f, gpa, len, &off))
        return false;
    memcpy(dst, f->ram + off, len);
    if (len == ENTRY_BYTES) {
        memcpy(f->entry, f->ram + off, ENTRY_BYTES);
        f->have_entry = true;
        f->entries_since++;
        FUZZ_CHECK(!f->chunks_on || f->entries_since <= IO_BATCH_CHUNK,
                   "%u entries without an interrupt point", f->entries_since);
        if (f->hostile) {
            /* Port, size and flags change under the hypervisor's feet. */
            f->ram[off] ^= 0xf8;
            f->ram[off + 1] ^= 0x0c;
            f->ram[off + 2] ^= 0x07;
            f->ram[off + 3] ^= 0x81;
        }
    }
    return true;
}

static bool write_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct fake *f = ctx;
    size_t off;
    FUZZ_CHECK(len > 0 && len <= 8, "guest write of %zu bytes", len);
    if (!in_ram(f, gpa, len, &off))
        return false;
    memcpy(f->ram + off, src, len);
    return true;
}

static bool denied(const struct fake *f, uint16_t port, unsigned size)
{
    uint32_t first = port, last = (uint32_t)port + size - 1;
    uint32_t dfirst = f->deny_first, dlast = (uint32_t)f->deny_first + f->deny_count - 1;
    return f->deny_count > 0 && first <= dlast && dfirst <= last;
}

static bool port_allowed(void *ctx, uint16_t port, unsigned size)
{
    const struct fake *f = ctx;
    FUZZ_CHECK(size == 1 || size == 2 || size == 4, "port_allowed() asked about size %u", size);
    return !denied(f, port, size);
}

static void io(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    struct fake *f = ctx;
    FUZZ_CHECK(size == 1 || size == 2 || size == 4, "access of size %u", size);
    FUZZ_CHECK(!denied(f, port, size), "access to denied port 0x%x size %u", port, size);
    uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    /* What runs is what was checked: the copy, not the guest's memory as it is now. */
    FUZZ_CHECK(f->have_entry, "port access before any entry was read");
    uint16_t eport = fuzz_le16(f->entry);
    uint8_t esize = f->entry[2], eflags = f->entry[3];
    FUZZ_CHECK(port == eport && size == esize && out == !!(eflags & MICA_IO_OUT),
               "access port 0x%x size %u out %d, entry says port 0x%x size %u flags 0x%x", port,
               size, out, eport, esize, eflags);
    if (out) {
        FUZZ_CHECK(!(*value & ~mask), "OUT of size %u with value 0x%x", size, *value);
        f->device = fuzz_mix(f->device, (uint64_t)port << 32 | *value);
    } else {
        /* High bytes set too: the batch must keep only the low `size` bytes. */
        *value = (uint32_t)fuzz_mix(f->device, (uint64_t)port << 8 | size);
    }
    f->log_hash = fuzz_mix(f->log_hash, (uint64_t)port << 40 | (uint64_t)size << 33 |
                                            (uint64_t)out << 32 | *value);
    f->ios++;
    /* Interrupt points bound the work between them: at most IO_BATCH_CHUNK_ACCESSES accesses
     * (plain entries or the elements of strings) and IO_BATCH_CHUNK entries. */
    f->since_chunk++;
    FUZZ_CHECK(!f->chunks_on || f->since_chunk <= IO_BATCH_CHUNK_ACCESSES,
               "%u port accesses without an interrupt point", f->since_chunk);
}

static void chunk_done(void *ctx)
{
    struct fake *f = ctx;
    FUZZ_CHECK(f->since_chunk == IO_BATCH_CHUNK_ACCESSES || f->entries_since == IO_BATCH_CHUNK,
               "chunk_done after %u accesses and %u entries", f->since_chunk, f->entries_since);
    /* After a point called for by the access count, the entry being replayed (its read already
     * counted) completes after it and so counts in the next window; after one called for by
     * the entry count, it has completed. */
    f->entries_since = f->since_chunk == IO_BATCH_CHUNK_ACCESSES ? 1 : 0;
    f->since_chunk = 0;
    f->chunks++;
    f->log_hash = fuzz_mix(f->log_hash, 0xc4c4c4c4c4c4c4c4ull);
}

static struct io_batch_env env_for(struct fake *f, bool chunks)
{
    f->chunks_on = chunks;
    return (struct io_batch_env){.read_guest = read_guest,
                                 .write_guest = write_guest,
                                 .port_allowed = port_allowed,
                                 .io = io,
                                 .chunk_done = chunks ? chunk_done : NULL,
                                 .ctx = f};
}

static void check_result(const struct io_batch_result *r, const struct fake *f, uint64_t array,
                         uint64_t count, bool chunks)
{
    uint32_t st = r->status;
    /* At most IO_BATCH_CHUNK entries between two interrupt points (fewer when accesses run out). */
    if (chunks && st == MICA_HC_OK && r->completed > 0)
        FUZZ_CHECK(f->chunks >= (r->completed - 1) / IO_BATCH_CHUNK,
                   "%u interrupt points for %u entries", f->chunks, r->completed);
    FUZZ_CHECK(st == MICA_HC_OK || st == MICA_HC_EINVAL || st == MICA_HC_EFAULT ||
                   st == MICA_HC_E2BIG || st == MICA_HC_EPERM,
               "status %u", st);
    FUZZ_CHECK(r->completed <= count, "completed %u of %llu", r->completed,
               (unsigned long long)count);
    if (st == MICA_HC_OK)
        FUZZ_CHECK(r->completed == count, "OK after %u of %llu entries", r->completed,
                   (unsigned long long)count);
    if (count == 0 || array % 8)
        FUZZ_CHECK(st == MICA_HC_EINVAL && r->completed == 0 && f->ios == 0,
                   "count %llu at 0x%llx: status %u", (unsigned long long)count,
                   (unsigned long long)array, st);
    else if (count > MICA_IO_BATCH_MAX)
        FUZZ_CHECK(st == MICA_HC_E2BIG && r->completed == 0 && f->ios == 0, "count %llu: status %u",
                   (unsigned long long)count, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_SIZE)
        return 0;
    struct fuzz_reader in = {data, HEADER_SIZE};
    uint8_t mode = fuzz_u8(&in);
    uint64_t count = fuzz_u16(&in);
    uint16_t offset = fuzz_u16(&in);
    uint16_t deny_first = fuzz_u16(&in);
    uint8_t deny_count = fuzz_u8(&in);
    if (mode & MODE_HUGE)
        count += 1ull << 48;
    size_t ram_size = size - HEADER_SIZE;
    uint64_t bases[4] = {0, 0x100000, 0x100000000ull - 0x800, 0};
    bases[3] = 0 - (uint64_t)ram_size - 0x1000; /* RAM ends 4 KiB below 2^64 */
    uint64_t base = bases[mode & MODE_BASE];
    uint64_t array = base + offset;
    bool chunks = !(mode & MODE_NO_CHUNKS);
    bool hostile = mode & MODE_HOSTILE;

    struct fake a = {.base = base,
                     .size = ram_size,
                     .deny_first = deny_first,
                     .deny_count = deny_count,
                     .hostile = hostile,
                     .device = FUZZ_HASH_INIT,
                     .log_hash = FUZZ_HASH_INIT};
    struct fake b = a;
    a.ram = malloc(ram_size + 1); /* exact size for ASan (+1: malloc(0)) */
    b.ram = malloc(ram_size + 1);
    FUZZ_CHECK(a.ram && b.ram, "out of memory");
    memcpy(a.ram, data + HEADER_SIZE, ram_size);
    memcpy(b.ram, data + HEADER_SIZE, ram_size);

    struct io_batch_env env_a = env_for(&a, chunks);
    struct io_batch_result ra = io_batch_run(&env_a, array, count);
    check_result(&ra, &a, array, count, chunks);

    if (!hostile) {
        struct io_batch_env env_b = env_for(&b, chunks);
        struct io_batch_result rb = io_batch_ref_run(&env_b, array, count);
        check_result(&rb, &b, array, count, chunks);
        FUZZ_CHECK(ra.status == rb.status && ra.completed == rb.completed,
                   "io_batch_run: status %u completed %u; reference: status %u completed %u",
                   ra.status, ra.completed, rb.status, rb.completed);
        FUZZ_CHECK(a.ios == b.ios && a.log_hash == b.log_hash,
                   "port accesses differ: %llu vs %llu (reference)", (unsigned long long)a.ios,
                   (unsigned long long)b.ios);
        FUZZ_CHECK(memcmp(a.ram, b.ram, ram_size) == 0, "guest RAM differs from the reference's");
    }
    free(a.ram);
    free(b.ram);
    return 0;
}
