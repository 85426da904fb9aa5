/* Hypercall table and dispatch: argument registers are read (and truncated to 32 bits for a
 * 32-bit guest) once, the handler runs, and the status goes back in RAX. */
#include "vmm/hypercall.h"

#include "include/mica/abi.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "vmm/io_batch.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"

typedef uint32_t (*hypercall_fn)(struct vcpu *vcpu, const struct hypercall_args *args,
                                 uint64_t *result);

static uint32_t hypercall_ping(struct vcpu *vcpu, const struct hypercall_args *args,
                               uint64_t *result)
{
    (void)vcpu;
    *result = args->arg[0] + 1;
    return MICA_HC_OK;
}

/* Lets a guest measure its own exits (benchmarks and tests): the count includes this VMCALL. */
static uint32_t hypercall_exit_count(struct vcpu *vcpu, const struct hypercall_args *args,
                                     uint64_t *result)
{
    uint64_t count;
    if (args->arg[0] == MICA_EXIT_COUNT_ALL)
        count = vcpu->exits_total;
    else if (args->arg[0] < VCPU_EXIT_REASONS)
        count = vcpu->exits_by_reason[args->arg[0]];
    else
        return MICA_HC_EINVAL;
    *result = count & 0xffffffffu;
    vcpu->regs.rcx = count >> 32;
    return MICA_HC_OK;
}

/* Lets a guest weigh its own work against the hypervisor's: TSC ticks from VM exits to the
 * following VM entries, host idle excluded (vmm/vcpu.h, hypervisor_ticks). */
static uint32_t hypercall_host_time(struct vcpu *vcpu, const struct hypercall_args *args,
                                    uint64_t *result)
{
    (void)args;
    *result = vcpu->hypervisor_ticks & 0xffffffffu;
    vcpu->regs.rcx = vcpu->hypervisor_ticks >> 32;
    return MICA_HC_OK;
}

/* Batch statistics for the exit report. */
static struct {
    uint64_t batches, entries;
    uint64_t longest_irq_off_ticks; /* TSC ticks between two chances to take host interrupts */
    uint64_t stretch_start;
} batch_stats;

static bool batch_read_guest(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    return copy_from_guest(ctx, dst, gpa, len);
}

static bool batch_write_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    return copy_to_guest(ctx, gpa, src, len);
}

static bool batch_port_allowed(void *ctx, uint16_t port, unsigned size)
{
    struct guest *g = ctx;
    return iobus_port_allowed(&g->iobus, port, size);
}

static void batch_io(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    struct guest *g = ctx;
    iobus_access(&g->iobus, port, size, out ? IO_OUT : IO_IN, value);
    platform_note_port_access(g, port);
}

static void *batch_guest_buffer(void *ctx, uint64_t gpa, size_t len)
{
    return guest_ram_ptr(ctx, gpa, len);
}

static void batch_io_string(void *ctx, uint16_t port, unsigned size, bool out, uint8_t *buffer,
                            uint32_t count)
{
    struct guest *g = ctx;
    iobus_access_string(&g->iobus, port, size, out ? IO_OUT : IO_IN, buffer, count);
    platform_note_port_access(g, port); /* only notes that a port was used: once is the same */
}

static void note_irq_off_stretch(void)
{
    uint64_t now = rdtsc();
    if (now - batch_stats.stretch_start > batch_stats.longest_irq_off_ticks)
        batch_stats.longest_irq_off_ticks = now - batch_stats.stretch_start;
}

/* Between chunks: let pending host interrupts (the host timer) in, then carry on. */
static void batch_chunk_done(void *ctx)
{
    (void)ctx;
    note_irq_off_stretch();
    __asm__ volatile("sti; nop; cli" ::: "memory");
    batch_stats.stretch_start = rdtsc();
}

static uint32_t hypercall_io_batch(struct vcpu *vcpu, const struct hypercall_args *args,
                                   uint64_t *result)
{
    const struct io_batch_env env = {
        .read_guest = batch_read_guest,
        .write_guest = batch_write_guest,
        .port_allowed = batch_port_allowed,
        .io = batch_io,
        .guest_buffer = batch_guest_buffer,
        .io_string = batch_io_string,
        .chunk_done = batch_chunk_done,
        .ctx = vcpu->guest,
    };
    batch_stats.stretch_start = rdtsc();
    struct io_batch_result r = io_batch_run(&env, args->arg[0], args->arg[1]);
    note_irq_off_stretch();
    batch_stats.batches++;
    batch_stats.entries += r.completed;
    *result = r.completed;
    return r.status;
}

#define PAGE_BYTES 4096u

/* The shared page of soft interrupt masking (include/mica/abi.h): checked once here, then the
 * hypervisor reads only the flag and the pending bitmap from it (vmm/vic.c). */
static uint32_t hypercall_shared_page(struct vcpu *vcpu, const struct hypercall_args *args,
                                      uint64_t *result)
{
    (void)result;
    uint64_t gpa = args->arg[0];
    if (vic_active(&vcpu->vic))
        return MICA_HC_EINVAL; /* registered already */
    if (gpa % PAGE_BYTES)
        return MICA_HC_EINVAL;
    void *page = guest_ram_ptr(vcpu->guest, gpa, PAGE_BYTES);
    if (!page) /* outside guest RAM, MMIO included */
        return MICA_HC_EFAULT;
    if (!vic_attach_shared(&vcpu->vic, page))
        return MICA_HC_EINVAL;
    vcpu->shared_page_gpa = gpa;
    return MICA_HC_OK;
}

/* soft_sti() found work pending: the exit itself is the point; the delivery happens before the
 * next VM entry. */
static uint32_t hypercall_interrupt_notify(struct vcpu *vcpu, const struct hypercall_args *args,
                                           uint64_t *result)
{
    (void)args;
    (void)result;
    return vic_active(&vcpu->vic) ? MICA_HC_OK : MICA_HC_EINVAL;
}

struct hypercall {
    const char *name;
    hypercall_fn fn;
};

static const struct hypercall hypercalls[] = {
    [MICA_HC_PING] = {.name = "ping", .fn = hypercall_ping},
    [MICA_HC_EXIT_COUNT] = {.name = "exit-count", .fn = hypercall_exit_count},
    [MICA_HC_IO_BATCH] = {.name = "io-batch", .fn = hypercall_io_batch},
    [MICA_HC_SHARED_PAGE] = {.name = "shared-page", .fn = hypercall_shared_page},
    [MICA_HC_INTERRUPT_NOTIFY] = {.name = "interrupt-notify", .fn = hypercall_interrupt_notify},
    [MICA_HC_HOST_TIME] = {.name = "host-time", .fn = hypercall_host_time},
};
#define HYPERCALL_COUNT (sizeof(hypercalls) / sizeof(hypercalls[0]))

static uint64_t calls[HYPERCALL_COUNT];
static uint64_t unknown_calls;
static uint64_t refused_user_calls; /* VMCALL from CPL > 0: refused before the number is read */

void hypercall_dispatch(struct vcpu *vcpu, unsigned cpl, bool long_mode)
{
    uint64_t mask = long_mode ? UINT64_MAX : UINT32_MAX;
    struct hypercall_args args = {
        .nr = vcpu->regs.rax & mask,
        .arg = {vcpu->regs.rbx & mask, vcpu->regs.rcx & mask, vcpu->regs.rdx & mask,
                vcpu->regs.rsi & mask},
        .long_mode = long_mode,
        .cpl = cpl,
    };
    uint64_t result = vcpu->regs.rbx;
    uint32_t status;
    if (cpl != 0) {
        refused_user_calls++;
        status = MICA_HC_EPERM;
    } else if (args.nr >= HYPERCALL_COUNT || !hypercalls[args.nr].fn) {
        unknown_calls++;
        status = MICA_HC_ENOSYS;
    } else {
        calls[args.nr]++;
        status = hypercalls[args.nr].fn(vcpu, &args, &result);
    }
    vcpu->regs.rax = status;
    vcpu->regs.rbx = result;
}

void hypercall_report(void)
{
    for (unsigned i = 0; i < HYPERCALL_COUNT; i++) {
        if (calls[i])
            kprintf("  hypercall %-20s %lu\n", hypercalls[i].name, calls[i]);
    }
    if (unknown_calls)
        kprintf("  hypercall (unknown number)   %lu\n", unknown_calls);
    if (refused_user_calls)
        kprintf("  hypercall (refused: CPL > 0) %lu\n", refused_user_calls);
    if (batch_stats.batches)
        kprintf("  io-batch: %lu batches, %lu entries, longest interrupts-off stretch while "
                "replaying %lu TSC ticks (chunks of %u entries or %u accesses)\n",
                batch_stats.batches, batch_stats.entries, batch_stats.longest_irq_off_ticks,
                IO_BATCH_CHUNK, IO_BATCH_CHUNK_ACCESSES);
}
