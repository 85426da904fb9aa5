/* libFuzzer target for vmm/io_batch.c in front of the real device models: a batch replayed by
 * io_batch_run() must leave devices and RAM as the same entries run one by one would. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/io_batch_ref.h"
#include "tests/fuzz/platform.h"
#include "vmm/io_batch.h"

/*
 * Input: header, then guest RAM (the rest, at guest-physical 0) holding the queue and the string
 * buffers, as in fuzz_io_batch.c:
 *   byte 0    clock step per port access: ns = (byte + 1) * 64; bit 7 also runs the platform
 *             update (timers) at each chunk boundary
 *   bytes 1-2 count of entries; bytes 3-4 array address
 *   bytes 5-6 first port denied to the guest, byte 7: how many (besides PCI configuration)
 *   bytes 8-14 the RTC's start date (year u16, month, day, hour, minute, second)
 * Two identical platforms (tests/fuzz/platform.c): one replays the batch with io_batch_run(), the
 * other runs the same entries one by one as trapped IN/OUT and REP INS/OUTS would
 * (tests/fuzz/io_batch_ref.c). Results, RAM, the dumps of every device, the port counters, UART
 * and console output and IRQ activity must be identical ("same device state, same results, same
 * interrupts", include/mica/abi.h). The batched side has the string fast path (guest_buffer,
 * io_string through iobus_access_string, as vmm/hypercall.c), so string entries on the ATA ports
 * exercise the model's block handler against the reference's word-by-word accesses.
 */

#define HEADER_SIZE      15
#define STEP_UNIT_NS     64u
#define UPDATE_AT_CHUNKS 0x80u

struct system {
    struct fuzz_platform plat;
    uint8_t *ram;
    size_t size;
    uint64_t step_ns;
    bool update_at_chunks;
    unsigned chunks;
};

static struct system sys_a, sys_b;
static struct fuzz_text dump_a, dump_b;

static bool read_guest(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    struct system *s = ctx;
    if (gpa > s->size || len > s->size - gpa)
        return false;
    memcpy(dst, s->ram + gpa, len);
    return true;
}

static bool write_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct system *s = ctx;
    if (gpa > s->size || len > s->size - gpa)
        return false;
    memcpy(s->ram + gpa, src, len);
    return true;
}

static bool port_allowed(void *ctx, uint16_t port, unsigned size)
{
    struct system *s = ctx;
    return iobus_port_allowed(&s->plat.bus, port, size);
}

/* As vmm/hypercall.c's batch_io(): the same entry point as trapped I/O; device time moves on. */
static void io(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    struct system *s = ctx;
    fuzz_platform_select(&s->plat);
    fuzz_platform_advance(&s->plat, s->step_ns);
    iobus_access(&s->plat.bus, port, size, out ? IO_OUT : IO_IN, value);
    fuzz_platform_check(&s->plat);
}

static void *guest_buffer(void *ctx, uint64_t gpa, size_t len)
{
    struct system *s = ctx;
    if (gpa > s->size || len > s->size - gpa)
        return NULL;
    return s->ram + gpa;
}

/* As vmm/hypercall.c's batch_io_string(). Device time moves on by one step per element as in io():
 * all at once for a region with a string handler (the ATA model, which does not read the clock),
 * else element by element through io(), as iobus_access_string() does for such regions. */
static void io_string(void *ctx, uint16_t port, unsigned size, bool out, uint8_t *buffer,
                      uint32_t count)
{
    struct system *s = ctx;
    fuzz_platform_select(&s->plat);
    const struct io_region *r = iobus_find(&s->plat.bus, port);
    if (r && r->string_handler) {
        fuzz_platform_advance(&s->plat, s->step_ns * count);
        iobus_access_string(&s->plat.bus, port, size, out ? IO_OUT : IO_IN, buffer, count);
        fuzz_platform_check(&s->plat);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t value = 0;
        if (out)
            memcpy(&value, buffer + (size_t)i * size, size);
        io(ctx, port, size, out, &value);
        if (!out)
            memcpy(buffer + (size_t)i * size, &value, size);
    }
}

static void chunk_done(void *ctx)
{
    struct system *s = ctx;
    s->chunks++;
    if (s->update_at_chunks)
        fuzz_platform_update(&s->plat);
}

static void setup(struct system *s, const uint8_t *ram, size_t size, uint8_t clock,
                  const struct rtc_datetime *date, uint16_t deny_first, unsigned deny_count)
{
    fuzz_platform_init(&s->plat, date, deny_first, deny_count, true);
    s->ram = malloc(size + 1);
    FUZZ_CHECK(s->ram != NULL, "out of memory");
    memcpy(s->ram, ram, size);
    s->size = size;
    s->step_ns = ((clock & ~UPDATE_AT_CHUNKS) + 1u) * STEP_UNIT_NS;
    s->update_at_chunks = clock & UPDATE_AT_CHUNKS;
    s->chunks = 0;
}

static struct io_batch_env env_for(struct system *s, bool fast_strings)
{
    return (struct io_batch_env){.read_guest = read_guest,
                                 .write_guest = write_guest,
                                 .port_allowed = port_allowed,
                                 .io = io,
                                 .guest_buffer = fast_strings ? guest_buffer : NULL,
                                 .io_string = fast_strings ? io_string : NULL,
                                 .chunk_done = chunk_done,
                                 .ctx = s};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_SIZE)
        return 0;
    struct fuzz_reader in = {data, HEADER_SIZE};
    uint8_t clock = fuzz_u8(&in);
    uint64_t count = fuzz_u16(&in);
    uint64_t array = fuzz_u16(&in);
    uint16_t deny_first = fuzz_u16(&in);
    uint8_t deny_count = fuzz_u8(&in);
    struct rtc_datetime date = {.year = fuzz_u16(&in)};
    date.month = fuzz_u8(&in);
    date.day = fuzz_u8(&in);
    date.hour = fuzz_u8(&in);
    date.minute = fuzz_u8(&in);
    date.second = fuzz_u8(&in);
    const uint8_t *ram = data + HEADER_SIZE;
    size_t ram_size = size - HEADER_SIZE;

    setup(&sys_a, ram, ram_size, clock, &date, deny_first, deny_count);
    setup(&sys_b, ram, ram_size, clock, &date, deny_first, deny_count);

    /* B, the reference, runs strings element by element (it never calls the fast path). */
    struct io_batch_env env_a = env_for(&sys_a, true), env_b = env_for(&sys_b, false);
    fuzz_platform_select(&sys_a.plat);
    struct io_batch_result ra = io_batch_run(&env_a, array, count);
    fuzz_platform_select(&sys_b.plat);
    struct io_batch_result rb = io_batch_ref_run(&env_b, array, count);

    FUZZ_CHECK(ra.status == rb.status && ra.completed == rb.completed,
               "batched: status %u completed %u; one by one: status %u completed %u", ra.status,
               ra.completed, rb.status, rb.completed);
    FUZZ_CHECK(ra.completed <= count && (ra.status != MICA_HC_OK || ra.completed == count),
               "status %u with %u of %llu entries", ra.status, ra.completed,
               (unsigned long long)count);
    FUZZ_CHECK(sys_a.chunks == sys_b.chunks, "chunk boundaries %u vs %u", sys_a.chunks,
               sys_b.chunks);
    FUZZ_CHECK(memcmp(sys_a.ram, sys_b.ram, ram_size) == 0, "guest RAM differs");

    const struct fuzz_platform *a = &sys_a.plat, *b = &sys_b.plat;
    FUZZ_CHECK(a->now_ns == b->now_ns, "device time %llu vs %llu", (unsigned long long)a->now_ns,
               (unsigned long long)b->now_ns);
    FUZZ_CHECK(a->uart_tx_hash == b->uart_tx_hash && a->uart_tx_bytes == b->uart_tx_bytes,
               "UART output differs (%llu vs %llu bytes)", (unsigned long long)a->uart_tx_bytes,
               (unsigned long long)b->uart_tx_bytes);
    FUZZ_CHECK(a->console_hash == b->console_hash && a->console_lines == b->console_lines &&
                   a->console.len == b->console.len &&
                   memcmp(a->console.line, b->console.line, a->console.len) == 0,
               "debug console output differs");
    FUZZ_CHECK(a->pit_edges == b->pit_edges && memcmp(a->line, b->line, sizeof(a->line)) == 0,
               "IRQ lines differ");
    FUZZ_CHECK(a->report_hash == b->report_hash &&
                   a->bus.unclaimed_accesses == b->bus.unclaimed_accesses &&
                   a->bus.denied_accesses == b->bus.denied_accesses &&
                   memcmp(a->bus.accesses, b->bus.accesses, sizeof(a->bus.accesses)) == 0,
               "port bus counters differ");
    FUZZ_CHECK(pic8259_has_interrupt(&a->pic) == pic8259_has_interrupt(&b->pic), "INTR differs");
    FUZZ_CHECK(memcmp(a->disk, b->disk, FUZZ_DISK_BYTES) == 0, "ATA disk contents differ");
    fuzz_platform_dump(a, &dump_a);
    fuzz_platform_dump(b, &dump_b);
    FUZZ_CHECK(strcmp(dump_a.buf, dump_b.buf) == 0, "device state differs:\n%s\n-- vs --\n%s",
               dump_a.buf, dump_b.buf);
    free(sys_a.ram);
    free(sys_b.ram);
    return 0;
}
