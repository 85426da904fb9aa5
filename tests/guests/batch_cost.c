/* Benchmark guest for batched port I/O: the same 1024 OUTs to an emulated port, trapped one by
 * one and batched 1, 4, 16, 64 and 256 per VMCALL; per operation: TSC ticks (Bochs: emulated
 * instructions) and VM exits, both measured here in one run. Also replays the largest batch. */
#include "guest/lib/io_batch.h"
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define OPS       1024
#define POST_PORT 0x80

static struct io_batch batch;

static void report(const char *name, uint64_t ticks, uint32_t exits)
{
    /* The exit-count VMCALL after the run is one exit of its own: not counted. */
    printf("bench: %s_ticks_per_op=%u\n", name, (uint32_t)ticks / OPS);
    printf("bench: %s_exits_per_1000_ops=%u\n", name, (exits - 1) * 1000 / OPS);
}

static void run_trapped(void)
{
    uint32_t e0 = mica_exit_count(MICA_EXIT_COUNT_ALL);
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < OPS; i++)
        outb(POST_PORT, (uint8_t)i);
    uint64_t t1 = rdtsc();
    report("trapped", t1 - t0, mica_exit_count(MICA_EXIT_COUNT_ALL) - e0);
}

static void run_batched(unsigned size)
{
    io_batch_init(&batch, size);
    uint32_t e0 = mica_exit_count(MICA_EXIT_COUNT_ALL);
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < OPS; i++)
        io_batch_out(&batch, POST_PORT, 1, (uint8_t)i);
    io_batch_flush(&batch);
    uint64_t t1 = rdtsc();
    uint32_t exits = mica_exit_count(MICA_EXIT_COUNT_ALL) - e0;
    char name[16] = "batch_";
    unsigned n = 6;
    if (size >= 100)
        name[n++] = (char)('0' + size / 100);
    if (size >= 10)
        name[n++] = (char)('0' + size / 10 % 10);
    name[n++] = (char)('0' + size % 10);
    name[n] = '\0';
    report(name, t1 - t0, exits);
    if (batch.last_status != MICA_HC_OK)
        printf("bench: error: batch of %u failed with status %u\n", size, batch.last_status);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    if (!mica_present()) {
        printf("batch_cost: not running on mica\n");
        guest_exit(MICA_GUEST_FAIL);
    }
    printf("bench: ops=%u\n", OPS);
    run_trapped();
    static const unsigned sizes[] = {1, 4, 16, 64, 256};
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        run_batched(sizes[i]);
    guest_exit(MICA_GUEST_PASS);
}
