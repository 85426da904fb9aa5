/* The kernel's GDT (flat 64-bit code and data, one TSS) and the TSS with its interrupt stacks
 * for double faults and NMIs, so a kernel stack overflow is still reported. */
#include "kernel/gdt.h"

#include "kernel/checksum.h"

#include "kernel/string.h"

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "TSS layout (SDM vol. 3, 8.7)");

struct __attribute__((packed)) descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

#define IST_STACK_SIZE 8192

static struct tss64 tss;
static uint64_t gdt[5];
static uint8_t ist_stacks[2][IST_STACK_SIZE] __attribute__((aligned(16)));

#define SEG_CODE64 0x00af9a000000ffffull /* present, DPL 0, execute/read, L=1 */
#define SEG_DATA   0x00cf92000000ffffull /* present, DPL 0, read/write */
#define SEG_TSS_AVAILABLE 0x9ull         /* 64-bit TSS (available), SDM vol. 3, 8.2.3 */

void gdt_init(void)
{
    memset(&tss, 0, sizeof(tss));
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(ist_stacks[0] + IST_STACK_SIZE);
    tss.ist[IST_NMI - 1] = (uint64_t)(ist_stacks[1] + IST_STACK_SIZE);
    tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    gdt[0] = 0;
    gdt[1] = SEG_CODE64;
    gdt[2] = SEG_DATA;
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (SEG_TSS_AVAILABLE << 40) |
             (1ull << 47) /* present */ | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    struct descriptor_pointer gdtr = {.limit = sizeof(gdt) - 1, .base = (uint64_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ltr %w3\n\t"
                     :
                     : "m"(gdtr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
                     : "rax", "memory");
}

uint64_t gdt_base(void)
{
    return (uint64_t)gdt;
}

uint64_t tss_base(void)
{
    return (uint64_t)&tss;
}

uint64_t gdt_tss_checksum(uint64_t hash)
{
    hash = fnv1a64(hash, gdt, sizeof(gdt));
    return fnv1a64(hash, &tss, sizeof(tss));
}
