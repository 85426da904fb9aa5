/* Reference MICA_HC_IO_BATCH replay: entries decoded by hand from their 16 ABI bytes, checked in
 * the documented order, run one by one as IN/OUT or REP INS/OUTS would, IN results written back. */
#include "tests/fuzz/io_batch_ref.h"

#include "tests/fuzz/fuzz_common.h"

#define ENTRY_BYTES                                                                                \
    16u /* MICA_IO_OP_SIZE, spelled out: port 2, size 1, flags 1, count 4, value 8 */
#define VALUE_OFFSET 8u

struct entry {
    uint16_t port;
    uint8_t size, flags;
    uint32_t count;
    uint64_t value;
};

static uint32_t low_bytes(uint32_t v, unsigned size)
{
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static uint32_t check(const struct entry *e)
{
    if (e->size != 1 && e->size != 2 && e->size != 4)
        return MICA_HC_EINVAL; /* "unknown size" */
    if (e->flags & ~(MICA_IO_OUT | MICA_IO_STRING))
        return MICA_HC_EINVAL; /* "unknown flags" */
    if (!(e->flags & MICA_IO_STRING))
        return e->count > 1 ? MICA_HC_EINVAL : MICA_HC_OK; /* "count other than 0 or 1" */
    if (e->count > MICA_IO_STRING_MAX)
        return MICA_HC_E2BIG;
    /* A string entry repeating 0 times: the ABI does not say; vmm/io_batch.c refuses it. */
    return e->count == 0 ? MICA_HC_EINVAL : MICA_HC_OK;
}

/* Interrupt points: when IO_BATCH_CHUNK_ACCESSES accesses (an IN counts once its value is written
 * back) or IO_BATCH_CHUNK entries have finished since the last one, unless the batch is done. */
struct replay {
    const struct io_batch_env *env;
    unsigned accesses, entries; /* finished since the last interrupt point */
};

static void take_interrupts(struct replay *rp, bool batch_done)
{
    rp->accesses = rp->entries = 0;
    if (!batch_done && rp->env->chunk_done)
        rp->env->chunk_done(rp->env->ctx);
}

static void access_finished(struct replay *rp, bool final_access)
{
    if (++rp->accesses == IO_BATCH_CHUNK_ACCESSES)
        take_interrupts(rp, final_access);
}

static void entry_finished(struct replay *rp, bool final_entry)
{
    if (++rp->entries == IO_BATCH_CHUNK)
        take_interrupts(rp, final_entry);
}

/* REP OUTS / REP INS with DF = 0: element k at value + k * size. */
static uint32_t run_string(const struct io_batch_env *env, const struct entry *e, struct replay *rp,
                           bool final_entry)
{
    bool out = e->flags & MICA_IO_OUT;
    uint64_t bytes = (uint64_t)e->count * e->size;
    /* A buffer wrapping past 2^64: vmm/io_batch.c refuses it before any access (the ABI only
     * says EFAULT). */
    if (e->value + bytes < e->value)
        return MICA_HC_EFAULT;
    for (uint64_t k = 0; k < e->count; k++) {
        uint64_t gpa = e->value + k * e->size;
        uint8_t buf[4] = {0};
        if (out) {
            if (!env->read_guest(env->ctx, gpa, buf, e->size))
                return MICA_HC_EFAULT;
            uint32_t v = fuzz_le32(buf);
            env->io(env->ctx, e->port, e->size, true, &v);
        } else {
            uint32_t v = 0;
            env->io(env->ctx, e->port, e->size, false, &v);
            v = low_bytes(v, e->size);
            for (unsigned i = 0; i < e->size; i++)
                buf[i] = (uint8_t)(v >> (8 * i));
            if (!env->write_guest(env->ctx, gpa, buf, e->size))
                return MICA_HC_EFAULT;
        }
        access_finished(rp, final_entry && k == e->count - 1);
    }
    return MICA_HC_OK;
}

static uint32_t run_single(const struct io_batch_env *env, const struct entry *e, uint64_t gpa,
                           struct replay *rp, bool final_entry)
{
    bool out = e->flags & MICA_IO_OUT;
    uint32_t v = out ? low_bytes((uint32_t)e->value, e->size) : 0;
    env->io(env->ctx, e->port, e->size, out, &v);
    if (!out) {
        /* "IN results are written back into each entry's value (low size bytes, the rest
         * zero)." */
        uint8_t buf[8] = {0};
        v = low_bytes(v, e->size);
        for (unsigned i = 0; i < 4; i++)
            buf[i] = (uint8_t)(v >> (8 * i));
        if (!env->write_guest(env->ctx, gpa + VALUE_OFFSET, buf, sizeof(buf)))
            return MICA_HC_EFAULT;
    }
    access_finished(rp, final_entry);
    return MICA_HC_OK;
}

struct io_batch_result io_batch_ref_run(const struct io_batch_env *env, uint64_t array_gpa,
                                        uint64_t count)
{
    struct io_batch_result r = {.status = MICA_HC_OK, .completed = 0};
    /* Precedence between these three is not in the ABI; this is vmm/io_batch.c's. */
    if (count == 0 || array_gpa % 8) {
        r.status = MICA_HC_EINVAL;
        return r;
    }
    if (count > MICA_IO_BATCH_MAX) {
        r.status = MICA_HC_E2BIG;
        return r;
    }
    /* An array wrapping past 2^64 is refused as a whole (vmm/io_batch.c's choice). */
    if (array_gpa + count * ENTRY_BYTES < array_gpa) {
        r.status = MICA_HC_EFAULT;
        return r;
    }
    struct replay rp = {.env = env, .accesses = 0, .entries = 0};
    for (uint64_t i = 0; i < count; i++) {
        uint64_t gpa = array_gpa + i * ENTRY_BYTES;
        uint8_t raw[ENTRY_BYTES];
        if (!env->read_guest(env->ctx, gpa, raw, sizeof(raw))) {
            r.status = MICA_HC_EFAULT;
            return r;
        }
        struct entry e = {.port = fuzz_le16(raw),
                          .size = raw[2],
                          .flags = raw[3],
                          .count = fuzz_le32(raw + 4),
                          .value = fuzz_le64(raw + 8)};
        uint32_t st = check(&e);
        if (st == MICA_HC_OK && !env->port_allowed(env->ctx, e.port, e.size))
            st = MICA_HC_EPERM;
        if (st == MICA_HC_OK)
            st = (e.flags & MICA_IO_STRING) ? run_string(env, &e, &rp, i == count - 1)
                                            : run_single(env, &e, gpa, &rp, i == count - 1);
        if (st != MICA_HC_OK) {
            r.status = st;
            return r;
        }
        r.completed = (uint32_t)(i + 1);
        entry_finished(&rp, i == count - 1);
    }
    return r;
}
