/* Test guest instruction wrappers: port I/O, CPUID, MSRs, control registers, VMCALL (the mica
 * hypercall convention of include/mica/abi.h) and halting. 32-bit protected mode, CPL 0. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

#include "include/mica/abi.h"

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* One string instruction: rep outsb of n bytes from buf. */
static inline void outsb(uint16_t port, const void *buf, uint32_t n)
{
    __asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint32_t read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline void write_cr0(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static inline void write_cr4(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

struct __attribute__((packed)) descriptor_ptr {
    uint16_t limit;
    uint32_t base;
};

static inline void lidt(const struct descriptor_ptr *p)
{
    __asm__ volatile("lidt %0" : : "m"(*p));
}

/* VMCALL: EAX = nr, EBX/ECX/EDX/ESI = arguments 1-4. Returns the status from EAX and stores EBX
 * (the result value) in *ebx_out if it is not NULL. */
static inline uint32_t vmcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                              uint32_t *ebx_out)
{
    __asm__ volatile("vmcall" : "+a"(nr), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4) : : "memory");
    if (ebx_out)
        *ebx_out = a1;
    return nr;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* VM exits counted so far (MICA_HC_EXIT_COUNT; the low 32 bits), this VMCALL included. */
static inline uint32_t mica_exit_count(uint32_t reason)
{
    uint32_t low;
    vmcall(MICA_HC_EXIT_COUNT, reason, 0, 0, 0, &low);
    return low;
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#define MSR_IA32_APIC_BASE 0x1bu
#define MSR_IA32_EFER      0xc0000080u
#define EFER_LME           (1u << 8)
#define EFER_LMA           (1u << 10)
#define CR4_VMXE           (1u << 13)

#endif
