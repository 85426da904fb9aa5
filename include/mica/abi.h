/* The guest/hypervisor ABI: CPUID identification, the VMCALL convention and hypercall numbers,
 * and the fixed I/O ports the hypervisor provides. Included by vmm/ and by guests (32 and 64-bit). */
#ifndef MICA_ABI_H
#define MICA_ABI_H

/* ---- Identification (CPUID) ------------------------------------------------------------------
 * CPUID.1:ECX bit 31 (hypervisor present) is set. Leaf 0x40000000 returns in EAX the highest
 * hypervisor leaf and in EBX, ECX, EDX the 12-byte signature "MicaMicaMica". CPUID.1:ECX.VMX
 * (bit 5) and SMX (bit 6) read as 0: the guest cannot use VMX. */
#define MICA_CPUID_BASE_LEAF     0x40000000u
#define MICA_CPUID_MAX_LEAF      0x40000000u
#define MICA_CPUID_SIGNATURE_EBX 0x6163694du /* "Mica" */
#define MICA_CPUID_SIGNATURE_ECX 0x6163694du
#define MICA_CPUID_SIGNATURE_EDX 0x6163694du

/* ---- Hypercalls (VMCALL) ---------------------------------------------------------------------
 * In:  EAX/RAX = hypercall number; EBX, ECX, EDX, ESI = arguments 1-4 (RBX... in 64-bit mode).
 * Out: EAX/RAX = status (MICA_HC_OK or an error below); EBX = result value where one is defined.
 * Other registers are preserved. VMCALL from CPL > 0 fails with MICA_HC_EPERM. */
#define MICA_HC_PING       0u /* returns EBX = argument 1 + 1: a round trip with no side effect */
#define MICA_HC_EXIT_COUNT 1u /* argument 1: a basic exit reason, or MICA_EXIT_COUNT_ALL;
                                 returns the VM exits counted so far: EBX low, ECX high 32 bits */
#define MICA_EXIT_COUNT_ALL 0xffffffffu

#define MICA_HC_IO_BATCH   2u /* batched port I/O: see below */
#define MICA_HC_SHARED_PAGE 3u /* EBX = gpa of this vCPU's struct mica_vcpu_shared (4 KiB aligned,
                                  in guest RAM, once): switches the vCPU to paravirtual interrupt
                                  delivery (soft interrupt masking, below) */
#define MICA_HC_INTERRUPT_NOTIFY 4u /* "soft_sti found work pending": deliver pending vectors now */
#define MICA_HC_HOST_TIME  5u /* returns the TSC ticks spent in the hypervisor (from each VM exit
                                 to the next VM entry) since the guest started: EBX low, ECX high
                                 32 bits. With the guest's own TSC deltas this gives the share of
                                 time spent in the hypervisor. */

#define MICA_HC_OK     0u
#define MICA_HC_ENOSYS 1u /* unknown hypercall number */
#define MICA_HC_EINVAL 2u /* bad argument */
#define MICA_HC_EFAULT 3u /* a guest-physical range is not guest RAM */
#define MICA_HC_E2BIG  4u /* a count is above its documented maximum */
#define MICA_HC_EPERM  5u /* not allowed (e.g. from user mode) */

/* ---- Batched port I/O (MICA_HC_IO_BATCH) ---------------------------------------------------
 * In:  EBX/RBX = guest-physical address of an array of struct mica_io_op (8-byte aligned, inside
 *      guest RAM), ECX = number of entries (1..MICA_IO_BATCH_MAX).
 * The hypervisor executes the entries in order, exactly as the same IN/OUT (or REP INS/OUTS)
 * instructions one by one would: same device state, same results, same interrupts. IN results are
 * written back into each entry's value (low `size` bytes, the rest zero).
 * Out: EAX = status, EBX = number of entries completed. On an error EBX is the index of the
 *      first entry not done; the entries before it have taken effect.
 * Errors: MICA_HC_EINVAL (count 0, misaligned array, unknown size or flags, a non-string entry
 * with count other than 0 or 1), MICA_HC_E2BIG (count above MICA_IO_BATCH_MAX, or a string
 * count above MICA_IO_STRING_MAX), MICA_HC_EFAULT (array or string buffer outside guest RAM),
 * MICA_HC_EPERM (a port the guest may not use, refused as it is when trapped). */
#define MICA_IO_BATCH_MAX  256u
#define MICA_IO_STRING_MAX 4096u /* repetitions of one string entry */

#define MICA_IO_OUT    0x01u /* 1: OUT (value -> port); 0: IN (port -> value) */
#define MICA_IO_STRING 0x02u /* repeat `count` times to/from the buffer at guest-physical `value`
                                (like REP OUTS/INS with DF = 0) */
#define MICA_IO_FLAGS  (MICA_IO_OUT | MICA_IO_STRING)

struct mica_io_op {
    unsigned short port;
    unsigned char size;  /* 1, 2 or 4 bytes */
    unsigned char flags; /* MICA_IO_* */
    unsigned int count;  /* string entries: repetitions; others: 0 or 1 (one access) */
    unsigned long long value;
};
#define MICA_IO_OP_SIZE 16u

/* ---- Soft interrupt masking (paravirtual interrupt delivery) --------------------------------
 * After MICA_HC_SHARED_PAGE the guest never clears RFLAGS.IF to mask interrupts. Instead:
 *  - soft_interrupt_enable: 1 = the guest takes interrupts, 0 = "soft cli". Written by the guest
 *    only (plain stores: no VM exit).
 *  - pending[]: bitmap of vectors 32-255 waiting to be delivered. The hypervisor sets bits (an
 *    interrupt arrived while soft-disabled, or could not be injected yet); whoever delivers a
 *    vector clears its bit first with an atomic bit-test-and-reset (LOCK BTR): the hypervisor
 *    when it injects, the guest's return_from_interrupt when it dispatches in software. A vector
 *    raised again while still pending coalesces (like an edge on a PIC input already in IRR).
 *  - pending_count: number of set bits' worth of arrivals not yet delivered, as a quick check;
 *    the bitmap is authoritative.
 * The hypervisor injects the highest pending vector before a VM entry when
 * soft_interrupt_enable = 1, RFLAGS.IF = 1 and nothing blocks (STI/MOV SS shadow); the guest's
 * handlers run with IF = 0 (interrupt gates) and return through return_from_interrupt, which
 * dispatches what is pending before IRET. Interrupts from the PIC are acknowledged and
 * end-of-interrupted by the hypervisor in this mode: the guest never writes the PIC's EOI. */
#define MICA_PENDING_WORDS 8 /* 256 vectors, 32 per word */

struct mica_vcpu_shared {
    volatile unsigned char soft_interrupt_enable;
    unsigned char reserved0[3];
    volatile unsigned int pending_count;
    volatile unsigned int pending[MICA_PENDING_WORDS];
    volatile unsigned int delivered_by_injection; /* statistics, written by the hypervisor */
    volatile unsigned int coalesced;              /* raised again while already pending */
    unsigned int reserved1[6];
};
#define MICA_VCPU_SHARED_SIZE 72u

/* ---- Fixed ports -----------------------------------------------------------------------------
 * MICA_PORT_DEBUG_CONSOLE: each byte written is guest console output (line-buffered and printed by
 * the hypervisor as "guest| <line>"); reads return 0xe9 (as Bochs' port 0xe9 does).
 * MICA_PORT_DEBUG_EXIT: a byte written ends the guest with that status (QEMU's isa-debug-exit
 * convention): the hypervisor prints it and its exit statistics, then powers the machine off with
 * the same status. MICA_GUEST_PASS / MICA_GUEST_FAIL are the values test guests use. */
#define MICA_PORT_DEBUG_CONSOLE 0xe9u
#define MICA_PORT_DEBUG_EXIT    0xf4u
#define MICA_GUEST_PASS         0x10u
#define MICA_GUEST_FAIL         0x11u

#endif
