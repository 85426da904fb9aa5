/* libFuzzer target for the GDB remote-protocol layer (vmm/gdb_stub.c): arbitrary bytes from
 * "gdb" against a fake target; replies must be well-framed and callbacks stay in bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb_stub.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x2000u

static uint8_t memory[MEM_SIZE];
static uint64_t regs[GDB_I386_NREGS];
static size_t sent;

static bool read_regs(void *ctx, uint64_t *r, unsigned *count)
{
    (void)ctx;
    unsigned n = *count < GDB_I386_NREGS ? *count : GDB_I386_NREGS;
    memcpy(r, regs, n * sizeof(*r));
    *count = n;
    return true;
}
static bool write_regs(void *ctx, const uint64_t *r, unsigned count)
{
    (void)ctx;
    if (count > GDB_I386_NREGS)
        abort();
    memcpy(regs, r, count * sizeof(*r));
    return true;
}
static bool in_range(uint64_t addr, size_t len)
{
    if (len == 0 || len > GDB_MEM_MAX || addr + len < addr)
        abort(); /* the stub promised never to ask for these */
    return addr >= MEM_BASE && addr + len <= MEM_BASE + MEM_SIZE;
}
static bool read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (!in_range(addr, len))
        return false;
    memcpy(buf, memory + (addr - MEM_BASE), len);
    return true;
}
static bool write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    (void)ctx;
    if (!in_range(addr, len))
        return false;
    memcpy(memory + (addr - MEM_BASE), buf, len);
    return true;
}
static bool insert_bp(void *ctx, uint64_t addr)
{
    (void)ctx;
    return addr >= MEM_BASE && addr < MEM_BASE + MEM_SIZE;
}
static bool remove_bp(void *ctx, uint64_t addr)
{
    return insert_bp(ctx, addr);
}
static void resume(void *ctx, bool step)
{
    (void)ctx;
    (void)step;
}
static void send(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    if (len > GDB_PACKET_MAX + 8)
        abort(); /* a reply is one framed packet at most */
    sent += len;
}

static const struct gdb_target target = {read_regs, write_regs, read_mem, write_mem, insert_bp,
                                         remove_bp, resume,    send,      NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gdb_stub stub;
    if (!gdb_stub_init(&stub, &target, GDB_REGS_I386, false))
        abort();
    for (size_t i = 0; i < size; i++) {
        enum gdb_event ev = gdb_stub_feed(&stub, data[i]);
        if (ev == GDB_EVENT_INTERRUPT)
            gdb_stub_stopped(&stub, GDB_STOP_INTERRUPT);
    }
    gdb_stub_stopped(&stub, GDB_STOP_TRAP);
    return 0;
}
