/* I/O-instruction exits (IN, OUT, INS, OUTS, with REP and all sizes): decoded from the exit
 * qualification and instruction information, then performed on the port bus. */
#include "kernel/cpu.h"
#include "vmm/platform.h"
#include "vmm/vlog.h"
#include "vmm/vmx/exit_qualification.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_defs.h"

/* A long REP INS/OUTS is done in slices: the instruction is re-entered with RCX reduced, so one
 * exit never keeps the hypervisor busy for long (and the guest can take interrupts between). */
#define IO_STRING_ITERATIONS_PER_EXIT 4096
#define RFLAGS_DF                     (1ul << 10)

static uint64_t address_mask(unsigned address_size)
{
    return address_size == 64 ? UINT64_MAX : address_size == 32 ? 0xffffffffull : 0xffffull;
}

static uint64_t segment_base(enum exit_segment segment)
{
    static const enum vmcs_field bases[] = {
        [EXIT_SEGMENT_ES] = GUEST_ES_BASE, [EXIT_SEGMENT_CS] = GUEST_CS_BASE,
        [EXIT_SEGMENT_SS] = GUEST_SS_BASE, [EXIT_SEGMENT_DS] = GUEST_DS_BASE,
        [EXIT_SEGMENT_FS] = GUEST_FS_BASE, [EXIT_SEGMENT_GS] = GUEST_GS_BASE,
    };
    return vmcs_read(bases[segment]);
}

static uint64_t replace_masked(uint64_t reg, uint64_t value, uint64_t mask)
{
    return (reg & ~mask) | (value & mask);
}

static void handle_port_io(struct vcpu *vcpu, const struct exit_io *io)
{
    uint32_t size_mask = io->size == 4 ? 0xffffffffu : (1u << (8 * io->size)) - 1;
    uint32_t value = (uint32_t)vcpu->regs.rax & size_mask;
    iobus_access(&vcpu->guest->iobus, io->port, io->size, io->in ? IO_IN : IO_OUT, &value);
    if (io->in) {
        if (io->size == 4)
            vcpu->regs.rax = value; /* a 32-bit destination zero-extends in 64-bit mode */
        else
            vcpu->regs.rax = replace_masked(vcpu->regs.rax, value, size_mask);
    }
    vmx_skip_instruction();
}

static void handle_string_io(struct vcpu *vcpu, const struct exit_io *io)
{
    struct exit_ins_outs_info info;
    if (!exit_instr_info_decode_ins_outs((uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_INFORMATION),
                                         io->in, &info)) {
        guest_stop(vcpu->guest, "undecodable INS/OUTS instruction information");
        return;
    }
    if (vmcs_read(GUEST_CR0) & CR0_PG) {
        /* Guest-linear to guest-physical translation for string I/O is not implemented. */
        vlog("mica: guest string port I/O with paging enabled is not emulated\n");
        guest_stop(vcpu->guest, "string port I/O (INS/OUTS) with guest paging on at RIP %lx",
                   vmcs_read(GUEST_RIP));
        return;
    }
    uint64_t mask = address_mask(info.address_size);
    uint64_t count = io->rep ? vcpu->regs.rcx & mask : 1;
    uint64_t *index = io->in ? &vcpu->regs.rdi : &vcpu->regs.rsi;
    uint64_t base = segment_base(io->in ? EXIT_SEGMENT_ES : info.segment);
    bool df = vmcs_read(GUEST_RFLAGS) & RFLAGS_DF;
    int64_t step = df ? -(int64_t)io->size : io->size;
    uint64_t done = 0;
    if (!df && count > 0) {
        /* The whole slice at once when it is one block of guest RAM: no wrap of the index within
         * the address size, every byte inside guest RAM (else the loop below does the elements
         * that are, then stops the guest at the first that is not, as before). */
        uint64_t slice =
            count < IO_STRING_ITERATIONS_PER_EXIT ? count : IO_STRING_ITERATIONS_PER_EXIT;
        uint64_t bytes = slice * io->size;
        uint64_t start = *index & mask;
        uint8_t *buffer =
            start + bytes - 1 <= mask ? guest_ram_ptr(vcpu->guest, base + start, bytes) : NULL;
        if (buffer) {
            iobus_access_string(&vcpu->guest->iobus, io->port, io->size, io->in ? IO_IN : IO_OUT,
                                buffer, (uint32_t)slice);
            *index = replace_masked(*index, start + bytes, mask);
            done = slice;
        }
    }
    for (; done < count && done < IO_STRING_ITERATIONS_PER_EXIT; done++) {
        uint64_t gpa = base + (*index & mask);
        uint32_t value = 0;
        if (io->in) {
            iobus_access(&vcpu->guest->iobus, io->port, io->size, IO_IN, &value);
            if (!copy_to_guest(vcpu->guest, gpa, &value, io->size))
                goto bad_address;
        } else {
            if (!copy_from_guest(vcpu->guest, &value, gpa, io->size))
                goto bad_address;
            iobus_access(&vcpu->guest->iobus, io->port, io->size, IO_OUT, &value);
        }
        *index = replace_masked(*index, *index + (uint64_t)step, mask);
        continue;
    bad_address:
        vlog("mica: guest %s at guest-physical %lx outside guest RAM\n", io->in ? "INS" : "OUTS",
             gpa);
        guest_stop(vcpu->guest, "%s with a buffer outside guest RAM (%lx) at RIP %lx",
                   io->in ? "INS" : "OUTS", gpa, vmcs_read(GUEST_RIP));
        return;
    }
    if (io->rep)
        vcpu->regs.rcx = replace_masked(vcpu->regs.rcx, count - done, mask);
    if (done == count)
        vmx_skip_instruction(); /* else: re-executed with the remaining count */
}

void vmx_handle_io(struct vcpu *vcpu)
{
    struct exit_io io;
    if (!exit_qual_decode_io(vmcs_read(EXIT_QUALIFICATION), &io)) {
        guest_stop(vcpu->guest, "undecodable I/O exit qualification %lx",
                   vmcs_read(EXIT_QUALIFICATION));
        return;
    }
    platform_note_port_access(vcpu->guest, io.port);
    if (io.string)
        handle_string_io(vcpu, &io);
    else
        handle_port_io(vcpu, &io);
}
