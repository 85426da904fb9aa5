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

#define MICA_HC_OK     0u
#define MICA_HC_ENOSYS 1u /* unknown hypercall number */
#define MICA_HC_EINVAL 2u /* bad argument */
#define MICA_HC_EFAULT 3u /* a guest-physical range is not guest RAM */
#define MICA_HC_E2BIG  4u /* a count is above its documented maximum */
#define MICA_HC_EPERM  5u /* not allowed (e.g. from user mode) */

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
