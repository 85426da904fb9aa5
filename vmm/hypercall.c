/* Hypercall table and dispatch: argument registers are read (and truncated to 32 bits for a
 * 32-bit guest) once, the handler runs, and the status goes back in RAX. */
#include "vmm/hypercall.h"

#include "include/mica/abi.h"
#include "kernel/log.h"
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

struct hypercall {
    const char *name;
    hypercall_fn fn;
};

static const struct hypercall hypercalls[] = {
    [MICA_HC_PING] = {.name = "ping", .fn = hypercall_ping},
    [MICA_HC_EXIT_COUNT] = {.name = "exit-count", .fn = hypercall_exit_count},
};
#define HYPERCALL_COUNT (sizeof(hypercalls) / sizeof(hypercalls[0]))

static uint64_t calls[HYPERCALL_COUNT];
static uint64_t unknown_calls;

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
}
