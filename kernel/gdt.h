/* The kernel's GDT and TSS (a real TSS is also what VMX host state needs for TR). */
#ifndef MICA_KERNEL_GDT_H
#define MICA_KERNEL_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18

/* Interrupt stack table slots (SDM vol. 3, 6.14.5). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2

void gdt_init(void);
uint64_t gdt_base(void);
uint64_t tss_base(void);
/* Folds the GDT and the TSS into an FNV-1a hash (kernel/checksum.h). */
uint64_t gdt_tss_checksum(uint64_t hash);

#endif
