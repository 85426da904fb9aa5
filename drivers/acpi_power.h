/* ACPI power control on real hardware (drivers/acpi_power.c): S5 soft-off through PM1_CNT (or the
 * HW-reduced sleep control register) and reset through the FADT's RESET_REG. Kernel only. */
#ifndef MICA_DRIVERS_ACPI_POWER_H
#define MICA_DRIVERS_ACPI_POWER_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/acpi.h"

#define ACPI_POWER_WHY_LEN 120

/* What acpi_power_init() found; kept for the power paths and for self-tests. */
struct acpi_power_state {
    bool initialized;
    enum acpi_status fadt_status;
    struct acpi_fadt_info fadt; /* valid when fadt_status == ACPI_OK */
    enum acpi_status s5_status;
    struct acpi_s5_info s5; /* valid when s5_status == ACPI_OK */
    char s5_table[5];       /* "DSDT" or "SSDT" */
    enum acpi_status spcr_status;
    struct acpi_spcr_info spcr; /* valid when spcr_status == ACPI_OK */
    /* Empty when the method is usable, else why not (shown at boot and when it is tried). */
    char off_why[ACPI_POWER_WHY_LEN];
    char reset_why[ACPI_POWER_WHY_LEN];
};

/* Reads the FADT, \_S5 (DSDT, then SSDTs) and SPCR through mem and keeps what the power paths
 * need; prints one summary line for each. mem is used only during the call. Problems are
 * warnings: the power paths then say why they cannot run. Call once, after paging is up. */
void acpi_power_init(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp);

/* ACPI S5 (soft off). Switches to ACPI mode first if PM1a_CNT.SCI_EN is clear (ACPI_ENABLE to
 * SMI_CMD, waiting up to 3 s for SCI_EN), then writes SLP_TYPa and SLP_TYPb with SLP_EN to
 * PM1a_CNT and PM1b_CNT. Does not return when the machine switches off; returns false, after a
 * console line saying why, when S5 is not possible or the machine is still running 2 s later.
 * Disables interrupts. */
bool acpi_power_off(void);

/* Writes RESET_VALUE to RESET_REG (system I/O or memory; needs RESET_REG_SUP). Returns false,
 * after a console line saying why, when that is not possible or the machine is still running
 * 100 ms later. */
bool acpi_reset(void);

/* Busy-waits about `us` microseconds: by the TSC once it is calibrated, else by writes to port
 * 0x80 (about 1 us each on PC hardware). Usable with interrupts off. */
void acpi_power_udelay(uint32_t us);

/* The state acpi_power_init() recorded (all zero before it runs). */
const struct acpi_power_state *acpi_power_state(void);

#endif
