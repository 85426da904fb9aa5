/* Batch replay: the array is never trusted in place; each entry is copied into hypervisor
 * memory, checked, then executed through the port bus, and IN results are written back. */
#include "vmm/io_batch.h"

#include "kernel/string.h"

uint32_t io_batch_check_entry(const struct mica_io_op *op)
{
    if (op->size != 1 && op->size != 2 && op->size != 4)
        return MICA_HC_EINVAL;
    if (op->flags & ~MICA_IO_FLAGS)
        return MICA_HC_EINVAL;
    if (op->flags & MICA_IO_STRING) {
        if (op->count == 0)
            return MICA_HC_EINVAL;
        if (op->count > MICA_IO_STRING_MAX)
            return MICA_HC_E2BIG;
    } else if (op->count > 1) {
        return MICA_HC_EINVAL;
    }
    return MICA_HC_OK;
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Interrupt points (io_batch.h): once IO_BATCH_CHUNK entries or IO_BATCH_CHUNK_ACCESSES
 * accesses were done since the last one, except at the end of the batch; the string fast path is
 * cut where the access count runs out, so both paths take them at the same places. */
struct chunker {
    const struct io_batch_env *env;
    uint32_t entries, accesses; /* since the last interrupt point */
};

static void interrupt_point(struct chunker *c, bool end_of_batch)
{
    c->entries = 0;
    c->accesses = 0;
    if (c->env->chunk_done && !end_of_batch)
        c->env->chunk_done(c->env->ctx);
}

static void accesses_done(struct chunker *c, uint32_t n, bool end_of_batch)
{
    c->accesses += n;
    if (c->accesses == IO_BATCH_CHUNK_ACCESSES)
        interrupt_point(c, end_of_batch);
}

static void entry_done(struct chunker *c, bool end_of_batch)
{
    c->entries++;
    if (c->entries == IO_BATCH_CHUNK)
        interrupt_point(c, end_of_batch);
}

/* Accesses left before the access count calls for an interrupt point. */
static uint32_t accesses_to_chunk_end(const struct chunker *c)
{
    return IO_BATCH_CHUNK_ACCESSES - c->accesses;
}

/* REP OUTS/INS semantics with DF = 0: `count` accesses, the buffer advancing by `size`. A buffer
 * wholly in guest RAM goes to the string fast path when the environment has one, in slices that
 * end at interrupt points; a string of up to MICA_IO_STRING_MAX accesses has them inside it. */
static uint32_t run_string(const struct io_batch_env *env, const struct mica_io_op *op,
                           struct chunker *chunks, bool last_entry)
{
    uint64_t bytes = (uint64_t)op->count * op->size;
    if (op->value + bytes < op->value)
        return MICA_HC_EFAULT;
    bool out = op->flags & MICA_IO_OUT;
    if (env->guest_buffer && env->io_string) {
        uint8_t *buffer = env->guest_buffer(env->ctx, op->value, (size_t)bytes);
        if (buffer) {
            for (uint32_t done = 0; done < op->count;) {
                uint32_t slice = op->count - done;
                if (slice > accesses_to_chunk_end(chunks))
                    slice = accesses_to_chunk_end(chunks);
                env->io_string(env->ctx, op->port, op->size, out, buffer + (size_t)done * op->size,
                               slice);
                done += slice;
                accesses_done(chunks, slice, last_entry && done == op->count);
            }
            return MICA_HC_OK;
        }
    }
    for (uint32_t i = 0; i < op->count; i++) {
        uint64_t gpa = op->value + (uint64_t)i * op->size;
        uint32_t value = 0;
        if (out) {
            if (!env->read_guest(env->ctx, gpa, &value, op->size))
                return MICA_HC_EFAULT;
            env->io(env->ctx, op->port, op->size, true, &value);
        } else {
            env->io(env->ctx, op->port, op->size, false, &value);
            value &= size_mask(op->size);
            if (!env->write_guest(env->ctx, gpa, &value, op->size))
                return MICA_HC_EFAULT;
        }
        accesses_done(chunks, 1, last_entry && i + 1 == op->count);
    }
    return MICA_HC_OK;
}

struct io_batch_result io_batch_run(const struct io_batch_env *env, uint64_t array_gpa,
                                    uint64_t count)
{
    struct io_batch_result r = {.status = MICA_HC_OK, .completed = 0};
    if (count == 0 || (array_gpa % 8) != 0) {
        r.status = MICA_HC_EINVAL;
        return r;
    }
    if (count > MICA_IO_BATCH_MAX) {
        r.status = MICA_HC_E2BIG;
        return r;
    }
    uint64_t bytes = count * MICA_IO_OP_SIZE;
    if (array_gpa + bytes < array_gpa) {
        r.status = MICA_HC_EFAULT;
        return r;
    }
    struct chunker chunks = {.env = env, .entries = 0, .accesses = 0};
    for (uint32_t i = 0; i < count; i++) {
        bool last_entry = i + 1 == count;
        uint64_t entry_gpa = array_gpa + (uint64_t)i * MICA_IO_OP_SIZE;
        struct mica_io_op op; /* the hypervisor's copy: what is checked is what runs */
        if (!env->read_guest(env->ctx, entry_gpa, &op, sizeof(op))) {
            r.status = MICA_HC_EFAULT;
            return r;
        }
        uint32_t st = io_batch_check_entry(&op);
        if (st == MICA_HC_OK && !env->port_allowed(env->ctx, op.port, op.size))
            st = MICA_HC_EPERM;
        if (st == MICA_HC_OK) {
            if (op.flags & MICA_IO_STRING) {
                st = run_string(env, &op, &chunks, last_entry);
            } else {
                uint32_t value = (uint32_t)op.value & size_mask(op.size);
                bool out = op.flags & MICA_IO_OUT;
                env->io(env->ctx, op.port, op.size, out, &value);
                if (!out) {
                    op.value = value & size_mask(op.size);
                    if (!env->write_guest(env->ctx, entry_gpa + offsetof(struct mica_io_op, value),
                                          &op.value, sizeof(op.value)))
                        st = MICA_HC_EFAULT;
                }
                if (st == MICA_HC_OK)
                    accesses_done(&chunks, 1, last_entry);
            }
        }
        if (st != MICA_HC_OK) {
            r.status = st;
            return r;
        }
        r.completed = i + 1;
        entry_done(&chunks, last_entry);
    }
    return r;
}
