/* The hypervisor's entry point from the kernel, and the small interface a vendor (VMX here; SVM
 * could sit beside it) implements for vendor-neutral code. */
#ifndef MICA_VMM_VMM_H
#define MICA_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct guest;

/* Boots the guest given as the first Multiboot2 module and never returns: it prints the guest's
 * end and exit statistics and powers the machine off (status: the guest's, or
 * MICA_STATUS_GUEST_STOPPED / MICA_STATUS_NO_VMX / MICA_STATUS_FATAL). */
__attribute__((noreturn)) void vmm_main(void);

/* The exit statistics (per reason, per port, hypercalls, interrupts), for the end report and the
 * monitor. */
void vmm_print_exit_statistics(const struct vcpu *vcpu);

/* ---- Implemented by the vendor (vmm/vmx/) ---- */

/* Can this CPU run guests? If not, why (one sentence for the user). */
bool vendor_probe(char *why, size_t why_len);
/* Turns virtualization on for this CPU; false with a reason on failure. */
bool vendor_enable(char *why, size_t why_len);
/* Sets up the vCPU for guest RAM already filled in; entry in 32-bit protected mode (Multiboot)
 * or real mode. */
struct guest_entry {
    bool real_mode;
    uint32_t rip; /* protected mode: EIP; real mode: linear address, split into CS:IP */
    uint32_t eax, ebx;
};
bool vendor_vcpu_create(struct vcpu *vcpu, struct guest *guest, const struct guest_entry *entry,
                        char *why, size_t why_len);
/* Runs until the guest ends (guest->end != GUEST_RUNNING). */
void vendor_vcpu_run(struct vcpu *vcpu);
/* FNV-1a over the vendor's isolation state (second-level page tables, intercept bitmaps, host
 * state loaded on exit): constant from vCPU creation on, so a change shows a breach. */
uint64_t vendor_protection_checksum(const struct vcpu *vcpu);
/* Registers, VMCS guest state, guest stack and the last exits (crash-style report). */
void vendor_dump_guest_state(struct vcpu *vcpu);
/* Name of a basic exit reason, for the statistics. */
const char *vendor_exit_reason_name(unsigned reason);

#endif
