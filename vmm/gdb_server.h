/* The GDB stub for the guest on a second serial port (gdb=com2): gdb attaches with
 * `target remote`, the guest starts stopped, and breakpoints, single steps and Ctrl-C work
 * through vendor hooks. Vendor-neutral (vmm/gdb_stub.c speaks the protocol). */
#ifndef MICA_VMM_GDB_SERVER_H
#define MICA_VMM_GDB_SERVER_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

bool gdb_server_enabled(void);
/* Opens the port; the guest will wait for gdb before its first instruction. */
void gdb_server_init(struct vcpu *vcpu, uint16_t port, uint32_t baud);
/* Before each VM entry: bytes from gdb; while the guest is stopped this waits for gdb. */
void gdb_server_poll(struct vcpu *vcpu);
/* The guest hit an int3 (a #BP exit) or finished a single step. */
void gdb_server_breakpoint(struct vcpu *vcpu);
void gdb_server_step_done(struct vcpu *vcpu);

/* ---- Vendor hooks ---- */
/* i386 layout: eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs. */
void vendor_read_gdb_regs(struct vcpu *vcpu, uint64_t regs[16]);
void vendor_write_gdb_regs(struct vcpu *vcpu, const uint64_t regs[16]);
void vendor_intercept_breakpoints(struct vcpu *vcpu, bool on);
/* Guest paging state: memory is only reachable while linear = guest-physical. */
bool vendor_guest_paging(struct vcpu *vcpu);

#endif
