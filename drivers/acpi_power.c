/* ACPI power control on real hardware: reads the FADT, \_S5 and SPCR at boot (parsed by
 * drivers/acpi.c), then performs S5 soft-off through PM1_CNT and reset through RESET_REG. */
#include "drivers/acpi_power.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/string.h"

#define POST_CODE_PORT      0x80 /* writes take about 1 us on PC hardware */
#define ACPI_ENABLE_WAIT_MS 3000 /* ACPICA allows the firmware 3 s to switch to ACPI mode */
#define S5_WAIT_MS          2000
#define RESET_WAIT_MS       100
#define SSDT_MAX            64

static struct acpi_power_state pw;

const struct acpi_power_state *acpi_power_state(void)
{
    return &pw;
}

void acpi_power_udelay(uint32_t us)
{
    if (boot.lapic.tsc_hz >= 1000000) {
        uint64_t end = rdtsc() + boot.lapic.tsc_hz / 1000000 * us;
        while (rdtsc() < end)
            cpu_relax();
        return;
    }
    for (uint32_t i = 0; i < us; i++)
        outb(POST_CODE_PORT, 0);
}

static void mdelay(uint32_t ms)
{
    for (uint32_t i = 0; i < ms; i++)
        acpi_power_udelay(1000);
}

/* A byte-sized register (RESET_REG, SLEEP_CONTROL_REG) we can write: a port or mapped memory. */
static bool reg_byte_writable(const struct acpi_reg *r)
{
    if (acpi_reg_is_io_port(r))
        return true;
    return r->space == ACPI_GAS_SPACE_SYSTEM_MEMORY && r->address != 0 &&
           r->address < paging_mapped_end();
}

static void reg_write_byte(const struct acpi_reg *r, uint8_t value)
{
    if (r->space == ACPI_GAS_SPACE_SYSTEM_IO)
        outb((uint16_t)r->address, value);
    else
        *(volatile uint8_t *)(uintptr_t)r->address = value;
}

static void describe_reg(char *buf, size_t n, const struct acpi_reg *r)
{
    if (r->address == 0)
        ksnprintf(buf, n, "none");
    else
        ksnprintf(buf, n, "%s 0x%lx", acpi_gas_space_str(r->space), r->address);
}

/* ---- Boot: what is there, and whether each method can work ---------------------------------- */

static void find_s5(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp)
{
    const struct acpi_fadt_info *f = &pw.fadt;
    memcpy(pw.s5_table, "DSDT", 5);
    pw.s5_status = ACPI_ERR_NOT_FOUND;
    if (f->dsdt != 0)
        pw.s5_status = acpi_table_find_s5(mem, f->dsdt, "DSDT", &pw.s5);
    /* X_DSDT unusable: the 32-bit pointer may still be good. */
    if (pw.s5_status != ACPI_OK && pw.s5_status != ACPI_ERR_NOT_FOUND && f->dsdt32 != 0 &&
        f->dsdt32 != f->dsdt) {
        enum acpi_status st = acpi_table_find_s5(mem, f->dsdt32, "DSDT", &pw.s5);
        if (st == ACPI_OK || st == ACPI_ERR_NOT_FOUND)
            pw.s5_status = st;
    }
    if (pw.s5_status == ACPI_OK)
        return;
    /* Not (usable) in the DSDT: an SSDT may define it. Otherwise the DSDT's status stays. */
    for (unsigned i = 0; i < SSDT_MAX; i++) {
        uint64_t phys;
        if (acpi_find_table(mem, rsdp, "SSDT", i, &phys) != ACPI_OK)
            break;
        struct acpi_s5_info s5;
        if (acpi_table_find_s5(mem, phys, "SSDT", &s5) == ACPI_OK) {
            pw.s5 = s5;
            pw.s5_status = ACPI_OK;
            memcpy(pw.s5_table, "SSDT", 5);
            return;
        }
    }
}

static void decide_off(void)
{
    const struct acpi_fadt_info *f = &pw.fadt;
    char *why = pw.off_why;
    const size_t n = sizeof(pw.off_why);
    why[0] = '\0';
    if (pw.fadt_status != ACPI_OK) {
        ksnprintf(why, n, "no usable FADT (%s)", acpi_status_str(pw.fadt_status));
    } else if (pw.s5_status != ACPI_OK) {
        ksnprintf(why, n, "no \\_S5 sleep type in the DSDT or SSDTs (%s)",
                  acpi_status_str(pw.s5_status));
    } else if (f->hw_reduced) {
        if (f->sleep_control.address == 0)
            ksnprintf(why, n, "HW-reduced ACPI without SLEEP_CONTROL_REG");
        else if (!reg_byte_writable(&f->sleep_control))
            ksnprintf(why, n, "SLEEP_CONTROL_REG in %s space at 0x%lx is not supported",
                      acpi_gas_space_str(f->sleep_control.space), f->sleep_control.address);
    } else if (f->pm1a_cnt.address == 0) {
        ksnprintf(why, n, "the FADT gives no PM1a_CNT_BLK");
    } else if (!f->pm1_cnt_supported) {
        const struct acpi_reg *bad =
            acpi_reg_is_io_port(&f->pm1a_cnt) ? &f->pm1b_cnt : &f->pm1a_cnt;
        ksnprintf(why, n, "%s in %s space at 0x%lx is not supported (I/O ports only)",
                  bad == &f->pm1a_cnt ? "PM1a_CNT_BLK" : "PM1b_CNT_BLK",
                  acpi_gas_space_str(bad->space), bad->address);
    }
}

static void decide_reset(void)
{
    const struct acpi_fadt_info *f = &pw.fadt;
    char *why = pw.reset_why;
    const size_t n = sizeof(pw.reset_why);
    why[0] = '\0';
    if (pw.fadt_status != ACPI_OK)
        ksnprintf(why, n, "no usable FADT (%s)", acpi_status_str(pw.fadt_status));
    else if (f->length < ACPI_FADT_V2_LEN)
        ksnprintf(why, n, "the FADT (revision %u, %u bytes) has no RESET_REG", f->revision,
                  f->length);
    else if (!f->reset_reg_sup)
        ksnprintf(why, n, "the FADT flag RESET_REG_SUP is clear");
    else if (f->reset_reg.address == 0)
        ksnprintf(why, n, "RESET_REG has address 0");
    else if (!reg_byte_writable(&f->reset_reg))
        ksnprintf(why, n, "RESET_REG in %s space at 0x%lx is not supported",
                  acpi_gas_space_str(f->reset_reg.space), f->reset_reg.address);
}

static void print_fadt(void)
{
    const struct acpi_fadt_info *f = &pw.fadt;
    char pm1a[48], pm1b[48], reset[48];
    describe_reg(pm1a, sizeof(pm1a), &f->pm1a_cnt);
    describe_reg(pm1b, sizeof(pm1b), &f->pm1b_cnt);
    describe_reg(reset, sizeof(reset), &f->reset_reg);
    const char *sci = "unknown";
    if (!f->hw_reduced && f->pm1_cnt_supported)
        sci = (inw((uint16_t)f->pm1a_cnt.address) & ACPI_PM1_CNT_SCI_EN) ? "set" : "clear";
    kprintf("mica: acpi: FADT rev %u (%u bytes)%s: PM1a_CNT %s, PM1b_CNT %s, SCI_EN %s, SMI_CMD "
            "0x%x (ACPI_ENABLE 0x%02x), RESET_REG %s <- 0x%02x%s\n",
            f->revision, f->length, f->hw_reduced ? ", HW-reduced" : "", pm1a, pm1b, sci,
            f->smi_cmd, f->acpi_enable, reset, f->reset_value,
            f->reset_reg_sup ? "" : " (RESET_REG_SUP clear)");
    if (f->iapc_boot_arch_valid)
        log_info("acpi: IAPC_BOOT_ARCH 0x%x: 8042 %s, legacy devices %s, VGA %s, CMOS RTC %s\n",
                 f->iapc_boot_arch, f->has_8042 ? "yes" : "no", f->legacy_devices ? "yes" : "no",
                 f->vga_not_present ? "no" : "yes", f->cmos_rtc_not_present ? "no" : "yes");
    else
        log_info("acpi: IAPC_BOOT_ARCH not given (FADT revision %u)\n", f->revision);
}

static void print_spcr(void)
{
    if (pw.spcr_status == ACPI_ERR_NOT_FOUND) {
        log_info("acpi: no SPCR (the firmware describes no serial console)\n");
        return;
    }
    if (pw.spcr_status != ACPI_OK) {
        log_warn("acpi: SPCR: %s; ignored\n", acpi_status_str(pw.spcr_status));
        return;
    }
    const struct acpi_spcr_info *s = &pw.spcr;
    char base[48];
    describe_reg(base, sizeof(base), &s->base);
    char baud[24];
    if (s->baud_rate)
        ksnprintf(baud, sizeof(baud), "%u baud", s->baud_rate);
    else
        ksnprintf(baud, sizeof(baud), "baud as configured");
    kprintf("mica: acpi: SPCR rev %u: %s (type 0x%x) at %s, %s, IRQ %u, GSI %u\n", s->revision,
            acpi_spcr_interface_str(s->interface_type), s->interface_type, base, baud, s->irq,
            s->gsi);
}

void acpi_power_init(const struct acpi_mem *mem, const struct acpi_rsdp_info *rsdp)
{
    memset(&pw, 0, sizeof(pw));
    pw.initialized = true;

    uint64_t phys = 0;
    pw.fadt_status = acpi_find_table(mem, rsdp, "FACP", 0, &phys);
    if (pw.fadt_status == ACPI_OK)
        pw.fadt_status = acpi_fadt_parse(mem, phys, &pw.fadt);
    pw.s5_status = ACPI_ERR_NOT_FOUND;
    if (pw.fadt_status == ACPI_OK) {
        print_fadt();
        find_s5(mem, rsdp);
    } else {
        log_warn("acpi: FADT: %s\n", acpi_status_str(pw.fadt_status));
    }
    decide_off();
    decide_reset();

    if (pw.off_why[0])
        kprintf("mica: acpi: power-off: no ACPI S5: %s\n", pw.off_why);
    else
        kprintf("mica: acpi: power-off: ACPI S5 (SLP_TYPa %u, SLP_TYPb %u from %s+0x%zx)\n",
                pw.s5.slp_typa, pw.s5.slp_typb, pw.s5_table, pw.s5.offset);
    if (pw.reset_why[0])
        kprintf("mica: acpi: reset: no ACPI reset register: %s\n", pw.reset_why);
    else
        kprintf("mica: acpi: reset: ACPI reset register\n");

    pw.spcr_status = acpi_find_table(mem, rsdp, "SPCR", 0, &phys);
    if (pw.spcr_status == ACPI_OK)
        pw.spcr_status = acpi_spcr_parse(mem, phys, &pw.spcr);
    print_spcr();
}

/* ---- Power-off ------------------------------------------------------------------------------- */

static void enter_acpi_mode(uint16_t pm1a)
{
    const struct acpi_fadt_info *f = &pw.fadt;
    if (inw(pm1a) & ACPI_PM1_CNT_SCI_EN)
        return;
    if (f->smi_cmd == 0 || f->smi_cmd > 0xffff || f->acpi_enable == 0) {
        kprintf("mica: ACPI: SCI_EN is clear and the FADT gives no SMI_CMD/ACPI_ENABLE; trying S5 "
                "anyway\n");
        return;
    }
    kprintf("mica: ACPI: SCI_EN clear: writing ACPI_ENABLE 0x%02x to SMI_CMD (port 0x%x)\n",
            f->acpi_enable, f->smi_cmd);
    outb((uint16_t)f->smi_cmd, f->acpi_enable);
    for (unsigned ms = 0; ms < ACPI_ENABLE_WAIT_MS; ms++) {
        if (inw(pm1a) & ACPI_PM1_CNT_SCI_EN) {
            kprintf("mica: ACPI: in ACPI mode after %u ms\n", ms);
            return;
        }
        mdelay(1);
    }
    kprintf("mica: ACPI: SCI_EN still clear after %u ms; trying S5 anyway\n", ACPI_ENABLE_WAIT_MS);
}

static bool s5_hw_reduced(void)
{
    const struct acpi_reg *r = &pw.fadt.sleep_control;
    uint8_t v = (uint8_t)(((unsigned)pw.s5.slp_typa << ACPI_SLEEP_CONTROL_SLP_TYP_SHIFT &
                           ACPI_SLEEP_CONTROL_SLP_TYP_MASK) |
                          ACPI_SLEEP_CONTROL_SLP_EN);
    kprintf("mica: ACPI S5: writing 0x%02x to SLEEP_CONTROL_REG (%s 0x%lx)\n", v,
            acpi_gas_space_str(r->space), r->address);
    console_flush();
    reg_write_byte(r, v);
    mdelay(S5_WAIT_MS);
    kprintf("mica: ACPI S5: still running %u ms after the SLEEP_CONTROL_REG write\n", S5_WAIT_MS);
    return false;
}

bool acpi_power_off(void)
{
    if (!pw.initialized) {
        kprintf("mica: ACPI S5 not possible: ACPI power control was not set up (no valid RSDP?)\n");
        return false;
    }
    if (pw.off_why[0]) {
        kprintf("mica: ACPI S5 not possible: %s\n", pw.off_why);
        return false;
    }
    interrupts_disable();
    if (pw.fadt.hw_reduced)
        return s5_hw_reduced();

    const struct acpi_fadt_info *f = &pw.fadt;
    uint16_t pm1a = (uint16_t)f->pm1a_cnt.address;
    uint16_t pm1b = (uint16_t)f->pm1b_cnt.address; /* 0: absent */
    enter_acpi_mode(pm1a);

    /* Clear WAK_STS (write 1) so that a stale wake status does not abort the transition. */
    if (acpi_reg_is_io_port(&f->pm1a_evt))
        outw((uint16_t)f->pm1a_evt.address, ACPI_PM1_STS_WAK_STS);
    if (acpi_reg_is_io_port(&f->pm1b_evt))
        outw((uint16_t)f->pm1b_evt.address, ACPI_PM1_STS_WAK_STS);

    uint16_t a = inw(pm1a);
    uint16_t b = pm1b ? inw(pm1b) : 0;
    kprintf("mica: ACPI S5: SLP_TYPa %u | SLP_EN to PM1a_CNT (port 0x%x, was 0x%04x)",
            pw.s5.slp_typa, pm1a, a);
    if (pm1b)
        kprintf(", SLP_TYPb %u | SLP_EN to PM1b_CNT (port 0x%x)", pw.s5.slp_typb, pm1b);
    kprintf("\n");
    console_flush();
    /* As ACPICA does: SLP_TYP first, then SLP_TYP with SLP_EN. */
    outw(pm1a, acpi_pm1_cnt_sleep_value(a, pw.s5.slp_typa, false));
    if (pm1b)
        outw(pm1b, acpi_pm1_cnt_sleep_value(b, pw.s5.slp_typb, false));
    outw(pm1a, acpi_pm1_cnt_sleep_value(a, pw.s5.slp_typa, true));
    if (pm1b)
        outw(pm1b, acpi_pm1_cnt_sleep_value(b, pw.s5.slp_typb, true));

    mdelay(S5_WAIT_MS);
    kprintf("mica: ACPI S5: still running %u ms after SLP_EN (PM1a_CNT now 0x%04x)\n", S5_WAIT_MS,
            inw(pm1a));
    return false;
}

/* ---- Reset ----------------------------------------------------------------------------------- */

bool acpi_reset(void)
{
    if (!pw.initialized) {
        kprintf("mica: ACPI reset register not usable: ACPI power control was not set up (no valid "
                "RSDP?)\n");
        return false;
    }
    if (pw.reset_why[0]) {
        kprintf("mica: ACPI reset register not usable: %s\n", pw.reset_why);
        return false;
    }
    const struct acpi_reg *r = &pw.fadt.reset_reg;
    kprintf("mica: reboot: writing 0x%02x to RESET_REG (%s 0x%lx)\n", pw.fadt.reset_value,
            acpi_gas_space_str(r->space), r->address);
    console_flush();
    reg_write_byte(r, pw.fadt.reset_value);
    mdelay(RESET_WAIT_MS);
    kprintf("mica: reboot: still running %u ms after the RESET_REG write\n", RESET_WAIT_MS);
    return false;
}
