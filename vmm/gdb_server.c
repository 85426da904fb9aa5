/* GDB server glue: the serial port, the target callbacks (registers through the vendor, guest
 * memory with paging off, int3 breakpoints with their saved bytes) and the stopped/running state
 * the run loop consults before every entry. */
#include "vmm/gdb_server.h"

#include "drivers/uart16550.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "vmm/gdb_stub.h"
#include "vmm/monitor.h"
#include "vmm/vcpu.h"

#define INT3_OPCODE 0xcc
#define MAX_BREAKPOINTS GDB_MAX_BREAKPOINTS

static struct {
    bool enabled;
    bool running;
    bool stepping;
    uint16_t port;
    struct vcpu *vcpu;
    struct gdb_stub stub;
    struct {
        uint64_t addr;
        uint8_t saved;
        bool used;
    } bp[MAX_BREAKPOINTS];
} gdb;

bool gdb_server_enabled(void)
{
    return gdb.enabled;
}

static bool read_regs(void *ctx, uint64_t *regs, unsigned *count)
{
    (void)ctx;
    uint64_t r[GDB_I386_NREGS];
    vendor_read_gdb_regs(gdb.vcpu, r);
    for (unsigned i = 0; i < GDB_I386_NREGS && i < *count; i++)
        regs[i] = r[i];
    *count = *count < GDB_I386_NREGS ? *count : GDB_I386_NREGS;
    return true;
}

static bool write_regs(void *ctx, const uint64_t *regs, unsigned count)
{
    (void)ctx;
    uint64_t r[GDB_I386_NREGS];
    vendor_read_gdb_regs(gdb.vcpu, r);
    for (unsigned i = 0; i < GDB_I386_NREGS && i < count; i++)
        r[i] = regs[i];
    vendor_write_gdb_regs(gdb.vcpu, r);
    return true;
}

static bool read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    return !vendor_guest_paging(gdb.vcpu) && copy_from_guest(gdb.vcpu->guest, buf, addr, len);
}

static bool write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    (void)ctx;
    return !vendor_guest_paging(gdb.vcpu) && copy_to_guest(gdb.vcpu->guest, addr, buf, len);
}

static bool insert_bp(void *ctx, uint64_t addr)
{
    for (unsigned i = 0; i < MAX_BREAKPOINTS; i++) {
        if (gdb.bp[i].used)
            continue;
        uint8_t int3 = INT3_OPCODE;
        if (!read_mem(ctx, addr, &gdb.bp[i].saved, 1) || !write_mem(ctx, addr, &int3, 1))
            return false;
        gdb.bp[i].addr = addr;
        gdb.bp[i].used = true;
        return true;
    }
    return false;
}

static bool remove_bp(void *ctx, uint64_t addr)
{
    for (unsigned i = 0; i < MAX_BREAKPOINTS; i++) {
        if (gdb.bp[i].used && gdb.bp[i].addr == addr) {
            gdb.bp[i].used = false;
            return write_mem(ctx, addr, &gdb.bp[i].saved, 1);
        }
    }
    return false;
}

static void resume(void *ctx, bool step)
{
    (void)ctx;
    gdb.running = true;
    gdb.stepping = step && vendor_request_single_step(gdb.vcpu);
}

static void send(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        uart_putc(gdb.port, ((const char *)buf)[i]);
}

static const struct gdb_target target = {
    .read_regs = read_regs,
    .write_regs = write_regs,
    .read_mem = read_mem,
    .write_mem = write_mem,
    .insert_sw_breakpoint = insert_bp,
    .remove_sw_breakpoint = remove_bp,
    .resume = resume,
    .send = send,
};

void gdb_server_init(struct vcpu *vcpu, uint16_t port, uint32_t baud)
{
    gdb.vcpu = vcpu;
    gdb.port = port;
    if (!uart_init(port, baud)) {
        log_warn("gdb: no UART at port 0x%x; the GDB stub is off\n", port);
        return;
    }
    gdb_stub_init(&gdb.stub, &target, GDB_REGS_I386, false);
    gdb.enabled = true;
    gdb.running = false; /* the guest waits for gdb */
    vendor_intercept_breakpoints(vcpu, true);
    kprintf("mica: gdb: the guest is stopped before its first instruction; attach with "
            "target remote to the serial port at 0x%x (%u baud)\n",
            port, baud);
}

static void feed_available(void)
{
    for (int c; (c = uart_getc(gdb.port)) >= 0;) {
        enum gdb_event ev = gdb_stub_feed(&gdb.stub, (uint8_t)c);
        if (ev == GDB_EVENT_INTERRUPT && gdb.running) {
            gdb.running = false;
            gdb_stub_stopped(&gdb.stub, GDB_STOP_INTERRUPT);
        } else if (ev == GDB_EVENT_DETACHED || ev == GDB_EVENT_KILLED) {
            gdb.running = true;
        }
    }
}

void gdb_server_poll(struct vcpu *vcpu)
{
    (void)vcpu;
    if (!gdb.enabled)
        return;
    feed_available();
    while (!gdb.running) {
        cpu_relax();
        feed_available();
    }
}

void gdb_server_breakpoint(struct vcpu *vcpu)
{
    (void)vcpu;
    gdb.running = false;
    gdb_stub_stopped(&gdb.stub, GDB_STOP_SWBREAK);
}

void gdb_server_step_done(struct vcpu *vcpu)
{
    (void)vcpu;
    gdb.stepping = false;
    gdb.running = false;
    gdb_stub_stopped(&gdb.stub, GDB_STOP_TRAP);
}
