/* The host's HPET (IA-PC HPET specification 1.0a): found through the ACPI HPET table, its main
 * counter enabled and read to calibrate the TSC. No comparators are used. */
#ifndef MICA_DRIVERS_HPET_H
#define MICA_DRIVERS_HPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets and fields (HPET specification 1.0a, 2.3.1 table 2 and 2.3.4-2.3.5). */
#define HPET_REG_GCAP_ID           0x000 /* General Capabilities and ID */
#define HPET_REG_GEN_CONF          0x010 /* General Configuration */
#define HPET_REG_MAIN_COUNTER      0x0f0 /* Main Counter Value */
#define HPET_GCAP_COUNT_SIZE_CAP   (1ull << 13)
#define HPET_GCAP_CLK_PERIOD_SHIFT 32 /* COUNTER_CLK_PERIOD: bits 63:32, in femtoseconds */
#define HPET_GEN_CONF_ENABLE_CNF   (1ull << 0)
#define HPET_MMIO_SIZE             0x400

struct hpet_info {
    uint64_t phys;
    uint32_t period_fs;
    bool counter_64bit;
};

/* Checks the register block at phys (mapped uncached by the kernel's identity map, a valid
 * COUNTER_CLK_PERIOD) and enables the main counter. On failure writes why (why_len bytes). */
bool hpet_init(uint64_t phys, struct hpet_info *out, char *why, size_t why_len);
/* The low 32 bits of the main counter (the calibration's intervals are far shorter than a wrap). */
uint32_t hpet_counter32(void);

#endif
