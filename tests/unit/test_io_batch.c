/* Host unit tests of vmm/io_batch.c with hostile queues: bad addresses, wrapping, counts of 0 and
 * 2^32-1, misalignment, unknown sizes and flags, forbidden ports, an array rewritten while it is
 * replayed, and the partial-completion contract; plus string entries and IN write-back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/io_batch.h"

#define RAM_SIZE 0x10000u

struct fake {
    uint8_t ram[RAM_SIZE];
    uint32_t port_value[65536]; /* what an IN of a port returns */
    struct access {
        uint16_t port;
        unsigned size;
        bool out;
        uint32_t value;
    } log[1024];
    unsigned nlog;
    unsigned chunks;
    unsigned string_calls; /* fast-path string entries */
    /* hostile: rewrite entry `evil_index` after it has been read once */
    int evil_index;
    unsigned reads;
};

static struct fake f;

static bool read_guest(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    struct fake *fk = ctx;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return false;
    memcpy(dst, fk->ram + gpa, len);
    fk->reads++;
    if (fk->evil_index >= 0 && gpa == 0x1000 + (uint64_t)fk->evil_index * MICA_IO_OP_SIZE) {
        /* The guest (another vCPU) rewrites the entry right after the hypervisor read it. */
        struct mica_io_op *op = (struct mica_io_op *)(fk->ram + gpa);
        op->port = 0xcf8;
        op->size = 3;
        op->flags = 0xff;
    }
    return true;
}

static bool write_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct fake *fk = ctx;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return false;
    memcpy(fk->ram + gpa, src, len);
    return true;
}

static bool port_allowed(void *ctx, uint16_t port, unsigned size)
{
    (void)ctx;
    return !(port <= 0xcfb && port + size - 1 >= 0xcf8);
}

static void io(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    struct fake *fk = ctx;
    if (!out)
        *value = fk->port_value[port];
    if (fk->nlog < 1024)
        fk->log[fk->nlog++] = (struct access){port, size, out, *value};
}

static void chunk_done(void *ctx)
{
    ((struct fake *)ctx)->chunks++;
}

static void *guest_buffer(void *ctx, uint64_t gpa, size_t len)
{
    struct fake *fk = ctx;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return NULL;
    return fk->ram + gpa;
}

/* The fast path as the bus does it when the device takes nothing: the same accesses in order. */
static void io_string(void *ctx, uint16_t port, unsigned size, bool out, uint8_t *buffer,
                      uint32_t count)
{
    struct fake *fk = ctx;
    fk->string_calls++;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t value = 0;
        if (out)
            memcpy(&value, buffer + (size_t)i * size, size);
        io(ctx, port, size, out, &value);
        if (!out)
            memcpy(buffer + (size_t)i * size, &value, size);
    }
}

static const struct io_batch_env env = {
    .read_guest = read_guest,
    .write_guest = write_guest,
    .port_allowed = port_allowed,
    .io = io,
    .chunk_done = chunk_done,
    .ctx = &f,
};

static const struct io_batch_env fast_env = {
    .read_guest = read_guest,
    .write_guest = write_guest,
    .port_allowed = port_allowed,
    .io = io,
    .guest_buffer = guest_buffer,
    .io_string = io_string,
    .chunk_done = chunk_done,
    .ctx = &f,
};

static struct mica_io_op *ops(void)
{
    return (struct mica_io_op *)(f.ram + 0x1000);
}

static int setup(void **state)
{
    (void)state;
    memset(&f, 0, sizeof(f));
    f.evil_index = -1;
    return 0;
}

static void put(unsigned i, uint16_t port, uint8_t size, uint8_t flags, uint32_t count,
                uint64_t value)
{
    ops()[i] = (struct mica_io_op){port, size, flags, count, value};
}

static void test_outs_and_ins_in_order(void **state)
{
    (void)state;
    f.port_value[0x71] = 0x42;
    f.port_value[0x60] = 0x1234abcd;
    put(0, 0x70, 1, MICA_IO_OUT, 1, 0x8a);
    put(1, 0x71, 1, 0, 1, 0xffffffffffffffffull); /* IN: the old value must be replaced */
    put(2, 0x60, 2, 0, 0, 0);
    put(3, 0x3f8, 4, MICA_IO_OUT, 0, 0x1122334455667788ull);
    struct io_batch_result r = io_batch_run(&env, 0x1000, 4);
    assert_int_equal(r.status, MICA_HC_OK);
    assert_int_equal(r.completed, 4);
    assert_int_equal(f.nlog, 4);
    assert_int_equal(f.log[0].port, 0x70);
    assert_true(f.log[0].out);
    assert_int_equal(f.log[0].value, 0x8a);
    assert_int_equal(f.log[1].port, 0x71);
    assert_int_equal(ops()[1].value, 0x42);
    assert_int_equal(ops()[2].value, 0xabcd);     /* only the low `size` bytes */
    assert_int_equal(f.log[3].value, 0x55667788); /* OUT of 4 bytes takes the low 32 bits */
}

static void test_bad_counts_and_addresses(void **state)
{
    (void)state;
    put(0, 0x80, 1, MICA_IO_OUT, 1, 1);
    struct io_batch_result r = io_batch_run(&env, 0x1000, 0);
    assert_int_equal(r.status, MICA_HC_EINVAL);
    r = io_batch_run(&env, 0x1000, 0xffffffffull);
    assert_int_equal(r.status, MICA_HC_E2BIG);
    r = io_batch_run(&env, 0x1000, MICA_IO_BATCH_MAX + 1);
    assert_int_equal(r.status, MICA_HC_E2BIG);
    r = io_batch_run(&env, 0x1004, 1); /* misaligned */
    assert_int_equal(r.status, MICA_HC_EINVAL);
    r = io_batch_run(&env, 0x40000000, 1); /* beyond guest RAM */
    assert_int_equal(r.status, MICA_HC_EFAULT);
    assert_int_equal(r.completed, 0);
    r = io_batch_run(&env, 0xfffffffffffffff8ull, 2); /* wraps */
    assert_int_equal(r.status, MICA_HC_EFAULT);
    *(struct mica_io_op *)(f.ram + RAM_SIZE - MICA_IO_OP_SIZE) =
        (struct mica_io_op){0x80, 1, MICA_IO_OUT, 1, 7};
    r = io_batch_run(&env, RAM_SIZE - MICA_IO_OP_SIZE, 2); /* second entry past the end */
    assert_int_equal(r.status, MICA_HC_EFAULT);
    assert_int_equal(r.completed, 1);
    assert_int_equal(f.nlog, 1); /* the first entry took effect */
}

static void test_bad_entries_stop_with_index(void **state)
{
    (void)state;
    const struct {
        uint8_t size, flags;
        uint32_t count;
        uint32_t status;
    } bad[] = {
        {3, MICA_IO_OUT, 1, MICA_HC_EINVAL},
        {8, MICA_IO_OUT, 1, MICA_HC_EINVAL},
        {1, 0x80, 1, MICA_HC_EINVAL},
        {1, MICA_IO_OUT, 2, MICA_HC_EINVAL},
        {1, MICA_IO_OUT | MICA_IO_STRING, 0, MICA_HC_EINVAL},
        {1, MICA_IO_OUT | MICA_IO_STRING, MICA_IO_STRING_MAX + 1, MICA_HC_E2BIG},
    };
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        f.nlog = 0;
        put(0, 0x80, 1, MICA_IO_OUT, 1, 1);
        put(1, 0x80, 1, MICA_IO_OUT, 1, 2);
        put(2, 0x80, bad[k].size, bad[k].flags, bad[k].count, 0x2000);
        put(3, 0x80, 1, MICA_IO_OUT, 1, 4);
        struct io_batch_result r = io_batch_run(&env, 0x1000, 4);
        assert_int_equal(r.status, bad[k].status);
        assert_int_equal(r.completed, 2);
        assert_int_equal(f.nlog, 2); /* earlier entries done, nothing after */
    }
}

static void test_forbidden_port_refused(void **state)
{
    (void)state;
    put(0, 0x80, 1, MICA_IO_OUT, 1, 1);
    put(1, 0xcf6, 4, MICA_IO_OUT, 1, 0x80000000); /* straddles into 0xcf8 */
    struct io_batch_result r = io_batch_run(&env, 0x1000, 2);
    assert_int_equal(r.status, MICA_HC_EPERM);
    assert_int_equal(r.completed, 1);
    assert_int_equal(f.nlog, 1);
}

static void test_rewritten_entry_uses_the_checked_copy(void **state)
{
    (void)state;
    put(0, 0x80, 1, MICA_IO_OUT, 1, 0x11);
    put(1, 0x81, 1, MICA_IO_OUT, 1, 0x22);
    put(2, 0x82, 1, MICA_IO_OUT, 1, 0x33);
    f.evil_index = 1; /* entry 1 becomes a forbidden port with a bad size after it is read */
    struct io_batch_result r = io_batch_run(&env, 0x1000, 3);
    assert_int_equal(r.status, MICA_HC_OK);
    assert_int_equal(r.completed, 3);
    assert_int_equal(f.log[1].port, 0x81); /* what was checked is what ran */
    assert_int_equal(f.log[1].size, 1);
    for (unsigned i = 0; i < f.nlog; i++)
        assert_false(f.log[i].port == 0xcf8);
}

static void test_string_entries(void **state)
{
    (void)state;
    memcpy(f.ram + 0x2000, "hello", 5);
    f.port_value[0x1f0] = 0xbeef;
    put(0, 0xe9, 1, MICA_IO_OUT | MICA_IO_STRING, 5, 0x2000);
    put(1, 0x1f0, 2, MICA_IO_STRING, 4, 0x3000);
    put(2, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, 2, RAM_SIZE - 1); /* runs off the end */
    struct io_batch_result r = io_batch_run(&env, 0x1000, 3);
    assert_int_equal(r.status, MICA_HC_EFAULT);
    assert_int_equal(r.completed, 2);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(f.log[i].value, (uint8_t) "hello"[i]);
    const uint16_t *words = (const uint16_t *)(f.ram + 0x3000);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(words[i], 0xbeef);
    put(0, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, 2, 0xfffffffffffffffeull); /* wraps */
    r = io_batch_run(&env, 0x1000, 1);
    assert_int_equal(r.status, MICA_HC_EFAULT);
}

/* With the fast path: buffers wholly in RAM go to io_string; one that runs off the end goes
 * element by element (its first element done) and fails; wrapping and refused entries never
 * reach it. */
static void test_string_entries_fast_path(void **state)
{
    (void)state;
    memcpy(f.ram + 0x2000, "hello", 5);
    f.port_value[0x1f0] = 0xbeef;
    put(0, 0xe9, 1, MICA_IO_OUT | MICA_IO_STRING, 5, 0x2000);
    put(1, 0x1f0, 2, MICA_IO_STRING, 4, 0x3000);
    put(2, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, 2, RAM_SIZE - 1); /* runs off the end */
    struct io_batch_result r = io_batch_run(&fast_env, 0x1000, 3);
    assert_int_equal(r.status, MICA_HC_EFAULT);
    assert_int_equal(r.completed, 2);
    assert_int_equal(f.string_calls, 2);
    assert_int_equal(f.nlog, 5 + 4 + 1);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(f.log[i].value, (uint8_t) "hello"[i]);
    const uint16_t *words = (const uint16_t *)(f.ram + 0x3000);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(words[i], 0xbeef);
    assert_int_equal(f.log[9].port, 0x80);
    put(0, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, 2, 0xfffffffffffffffeull); /* wraps */
    r = io_batch_run(&fast_env, 0x1000, 1);
    assert_int_equal(r.status, MICA_HC_EFAULT);
    put(0, 0xcf8, 1, MICA_IO_OUT | MICA_IO_STRING, 2, 0x2000); /* refused port */
    r = io_batch_run(&fast_env, 0x1000, 1);
    assert_int_equal(r.status, MICA_HC_EPERM);
    put(0, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, MICA_IO_STRING_MAX + 1, 0x2000);
    r = io_batch_run(&fast_env, 0x1000, 1);
    assert_int_equal(r.status, MICA_HC_E2BIG);
    assert_int_equal(f.string_calls, 2);
    assert_int_equal(f.nlog, 10);
}

/* A string run element by element has interrupt points inside it: 4096 OUTSB elements then a
 * plain OUT, an interrupt point after every IO_BATCH_CHUNK_ACCESSES accesses (the last one after
 * the string's final element, since the OUT follows). */
static void test_long_strings_have_interrupt_points_inside(void **state)
{
    (void)state;
    put(0, 0x80, 1, MICA_IO_OUT | MICA_IO_STRING, MICA_IO_STRING_MAX, 0x2000);
    put(1, 0x80, 1, MICA_IO_OUT, 1, 7);
    struct io_batch_result r = io_batch_run(&env, 0x1000, 2);
    assert_int_equal(r.status, MICA_HC_OK);
    assert_int_equal(r.completed, 2);
    assert_int_equal(f.chunks, MICA_IO_STRING_MAX / IO_BATCH_CHUNK_ACCESSES);
    /* The fast path is cut at the same points: io_string in slices of IO_BATCH_CHUNK_ACCESSES. */
    f.chunks = 0;
    r = io_batch_run(&fast_env, 0x1000, 2);
    assert_int_equal(r.status, MICA_HC_OK);
    assert_int_equal(f.chunks, MICA_IO_STRING_MAX / IO_BATCH_CHUNK_ACCESSES);
    assert_int_equal(f.string_calls, MICA_IO_STRING_MAX / IO_BATCH_CHUNK_ACCESSES);
}

static void test_chunks_bound_the_work_between_interrupt_points(void **state)
{
    (void)state;
    for (unsigned i = 0; i < MICA_IO_BATCH_MAX; i++)
        put(i, 0x80, 1, MICA_IO_OUT, 1, i);
    struct io_batch_result r = io_batch_run(&env, 0x1000, MICA_IO_BATCH_MAX);
    assert_int_equal(r.status, MICA_HC_OK);
    assert_int_equal(r.completed, MICA_IO_BATCH_MAX);
    assert_int_equal(f.chunks, MICA_IO_BATCH_MAX / IO_BATCH_CHUNK - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_outs_and_ins_in_order, setup),
        cmocka_unit_test_setup(test_bad_counts_and_addresses, setup),
        cmocka_unit_test_setup(test_bad_entries_stop_with_index, setup),
        cmocka_unit_test_setup(test_forbidden_port_refused, setup),
        cmocka_unit_test_setup(test_rewritten_entry_uses_the_checked_copy, setup),
        cmocka_unit_test_setup(test_string_entries, setup),
        cmocka_unit_test_setup(test_string_entries_fast_path, setup),
        cmocka_unit_test_setup(test_chunks_bound_the_work_between_interrupt_points, setup),
        cmocka_unit_test_setup(test_long_strings_have_interrupt_points_inside, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
