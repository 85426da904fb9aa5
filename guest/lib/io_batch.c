/* Batch queue: operations accumulate in the array the hypervisor reads; a flush is one VMCALL.
 * Natively (no mica) each operation is the IN/OUT instruction itself. */
#include "guest/lib/io_batch.h"

static inline void cpuid_raw(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

bool mica_present(void)
{
    uint32_t a, b, c, d;
    cpuid_raw(1, &a, &b, &c, &d);
    if (!(c & (1u << 31))) /* CPUID.1:ECX.hypervisor */
        return false;
    cpuid_raw(MICA_CPUID_BASE_LEAF, &a, &b, &c, &d);
    return b == MICA_CPUID_SIGNATURE_EBX && c == MICA_CPUID_SIGNATURE_ECX &&
           d == MICA_CPUID_SIGNATURE_EDX;
}

static void port_out(uint16_t port, unsigned size, uint32_t v)
{
    if (size == 1)
        __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
    else if (size == 2)
        __asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
    else
        __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
}

static uint32_t port_in(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    if (size == 1) {
        uint8_t b;
        __asm__ volatile("inb %w1, %b0" : "=a"(b) : "Nd"(port));
        v = b;
    } else if (size == 2) {
        uint16_t w;
        __asm__ volatile("inw %w1, %w0" : "=a"(w) : "Nd"(port));
        v = w;
    } else {
        __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
    }
    return v;
}

void io_batch_init(struct io_batch *b, unsigned capacity)
{
    b->count = 0;
    b->capacity = capacity == 0 || capacity > MICA_IO_BATCH_MAX ? MICA_IO_BATCH_MAX : capacity;
    b->hypervisor = mica_present();
    b->last_status = MICA_HC_OK;
    b->flushes = 0;
}

uint32_t io_batch_flush(struct io_batch *b)
{
    if (!b->hypervisor) {
        /* Natively every operation has already run: only forget the kept IN results. */
        b->count = 0;
        return MICA_HC_OK;
    }
    if (b->count == 0)
        return MICA_HC_OK;
    uint32_t status = MICA_HC_IO_BATCH;
    uint32_t completed = (uint32_t)(uintptr_t)b->ops; /* in: array address; out: entries done */
    uint32_t count = b->count;
    __asm__ volatile("vmcall" : "+a"(status), "+b"(completed), "+c"(count) : : "memory");
    b->flushes++;
    b->last_status = status;
    b->count = 0;
    return status;
}

static struct mica_io_op *queue(struct io_batch *b, uint16_t port, unsigned size, uint8_t flags,
                                uint32_t value)
{
    if (b->count == b->capacity)
        io_batch_flush(b);
    struct mica_io_op *op = &b->ops[b->count++];
    op->port = port;
    op->size = (uint8_t)size;
    op->flags = flags;
    op->count = 1;
    op->value = value;
    return op;
}

void io_batch_out(struct io_batch *b, uint16_t port, unsigned size, uint32_t value)
{
    if (!b->hypervisor) {
        port_out(port, size, value);
        return;
    }
    queue(b, port, size, MICA_IO_OUT, value);
}

unsigned io_batch_in_deferred(struct io_batch *b, uint16_t port, unsigned size)
{
    if (!b->hypervisor) {
        /* Natively the value is read at once and kept in the queue slot. */
        if (b->count == b->capacity)
            b->count = 0;
        struct mica_io_op *op = &b->ops[b->count];
        op->value = port_in(port, size);
        return b->count++;
    }
    queue(b, port, size, 0, 0);
    return b->count - 1;
}

void io_batch_string(struct io_batch *b, uint16_t port, unsigned size, bool out, void *buf,
                     uint32_t count)
{
    if (!b->hypervisor) {
        if (out && size == 2)
            __asm__ volatile("rep outsw" : "+S"(buf), "+c"(count) : "d"(port) : "memory");
        else if (out)
            __asm__ volatile("rep outsb" : "+S"(buf), "+c"(count) : "d"(port) : "memory");
        else if (size == 2)
            __asm__ volatile("rep insw" : "+D"(buf), "+c"(count) : "d"(port) : "memory");
        else
            __asm__ volatile("rep insb" : "+D"(buf), "+c"(count) : "d"(port) : "memory");
        return;
    }
    struct mica_io_op *op =
        queue(b, port, size, (uint8_t)(MICA_IO_STRING | (out ? MICA_IO_OUT : 0)),
              (uint32_t)(uintptr_t)buf);
    op->count = count;
}

uint32_t io_batch_result(const struct io_batch *b, unsigned index)
{
    return (uint32_t)b->ops[index].value;
}

uint32_t io_batch_in(struct io_batch *b, uint16_t port, unsigned size)
{
    if (!b->hypervisor)
        return port_in(port, size);
    struct mica_io_op *op = queue(b, port, size, 0, 0);
    io_batch_flush(b);
    return (uint32_t)op->value;
}
