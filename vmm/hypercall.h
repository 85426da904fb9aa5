/* VMCALL dispatch (the convention is in include/mica/abi.h): a designated-initializer table of
 * hypercalls indexed by number, each a small function. Vendor-neutral. */
#ifndef MICA_VMM_HYPERCALL_H
#define MICA_VMM_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

struct hypercall_args {
    uint64_t nr;
    uint64_t arg[4];
    bool long_mode; /* guest in 64-bit mode: full registers; else only the low 32 bits count */
    unsigned cpl;
};

/* Runs one hypercall from the guest's registers and writes its status to RAX and any result to
 * RBX. Counts per number are kept for the exit report. */
void hypercall_dispatch(struct vcpu *vcpu, unsigned cpl, bool long_mode);
void hypercall_report(void);

#endif
