/* The guest's MC146818 CMOS RTC at ports 0x70/0x71 (vmm/devices/cmos_rtc.c): 128 bytes of CMOS,
 * the clock and calendar from a base date plus the device clock, status registers, IRQ8. */
#ifndef MICA_VMM_DEVICES_CMOS_RTC_H
#define MICA_VMM_DEVICES_CMOS_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"
#include "vmm/iobus.h"

/*
 * Model (Motorola MC146818A data sheet; register and bit names are the data sheet's; the
 * century byte at 0x32 is the IBM PC/AT convention, named by ACPI's FADT CENTURY field):
 *
 * - Ports: 0x70 selects the register (bits 6:0) and records bit 7, the PC's NMI disable, in
 *   nmi_disabled (it does not change the index). 0x70 is write-only: reads return 0xff. 0x71
 *   reads and writes the selected register. Wider accesses are split into byte accesses at
 *   consecutive ports (so a word write to 0x70 selects a register and writes it, as on ISA);
 *   bytes past 0x71 read 0xff and are dropped.
 * - Time: the date and time are kept in binary, 24-hour form (`time`) and encoded on each read
 *   in BCD or binary per register B's DM bit, 12- or 24-hour per its 24/12 bit (12-hour: 1-12
 *   with bit 7 set for PM). So changing DM or 24/12 re-expresses the current time; the real chip
 *   leaves its bytes as they are and asks for the time to be rewritten, which gives the same
 *   result for a guest that does so. The century (0x32) is a time field like the others and
 *   counts on when the year passes 99. Day of week counts 1-7 (Sunday = 1) on each new day; at
 *   init it is computed from the date. Writes to the time registers are decoded in the current
 *   format; a value out of range (or a BCD digit above 9) is clamped into range (seconds and
 *   minutes 0-59, hours 0-23 or 1-12, day of week 1-7, day of month 1-31 whatever the month, so a
 *   date can be written one field at a time; month 1-12, year and century 0-99). A day past the
 *   end of its month (e.g. 31 February, as written) rolls over to the 1st of the next month at
 *   the next day boundary.
 * - Clock: cmos_rtc_init() takes the base date and time (the host's RTC, read by the
 *   hypervisor), valid at the device clock's time of the call; the first update comes 1 s later,
 *   then one each second. Calendar arithmetic is the proleptic Gregorian calendar (leap years:
 *   divisible by 4, not by 100 unless by 400), years 0-9999, computed in days from an epoch, so a
 *   jump of any length is exact. Daylight saving (register B's DSE) is recorded, not applied.
 * - Update cycle: it is instantaneous at each second boundary. Register A's UIP reads 1 during
 *   the CMOS_RTC_UIP_LEAD_NS (244 us, the data sheet's tBUC) before each boundary and 0
 *   otherwise, so a guest that sees UIP = 0 has at least 244 us to read a consistent time.
 * - Halting: register B's SET stops updates (and clears UIE, as the data sheet says); the divider
 *   keeps running, so when SET is cleared the next update comes at the next boundary of the
 *   undisturbed one-second grid. Register A's DV2-DV0 = 11x holds the divider in reset: no
 *   updates and no periodic flag; leaving reset starts the grid anew, the first update 500 ms
 *   later (data sheet). Other DV values are recorded; the time base is always 32.768 kHz. UIP
 *   reads 0 while updates are stopped.
 * - Flags and IRQ8: register C's UF is set by each update, AF by each update whose new time
 *   matches the alarm (seconds, minutes, hours, each compared as the encoded byte; an alarm byte
 *   with bits 7:6 = 11 matches any value), PF at each edge of the periodic rate chosen by
 *   register A's RS3-RS0 (none for 0; 256 Hz and 128 Hz for 1 and 2; 65536 >> RS Hz for 3-15),
 *   whatever the enables. IRQF = PF.PIE + AF.AIE + UF.UIE. The IRQ8 line is a level that follows
 *   IRQF (the chip's IRQ# output): raised when it becomes 1, lowered when a read of register C
 *   (which returns and clears all four flags) or a write to B clears it. Flags are brought up to
 *   date on every access and by cmos_rtc_update(), which the hypervisor calls at
 *   cmos_rtc_next_irq_ns(). Alarm matching after a long stall checks at most one day of
 *   updates, which covers every time of day.
 * - Registers: A (UIP read-only; DV and RS writable), B (all writable), C (read-only, read
 *   clears), D (VRT reads 1: the battery is good; read-only). Every other byte from 0x0e to 0x7f
 *   is battery-backed RAM, zero at init except what the hypervisor fills in. Alarm bytes read
 *   back as written.
 * - Reset state (cmos_rtc_init()): A = DV 010 (32.768 kHz) with RS 0110 (1024 Hz), B = 24-hour,
 *   BCD, no interrupts; C = 0; index 0, NMI enabled.
 */

#define CMOS_PORT_INDEX 0x70
#define CMOS_PORT_DATA  0x71
#define CMOS_PORT_COUNT 2
#define CMOS_RTC_IRQ    8

#define CMOS_INDEX_NMI_DISABLE 0x80u
#define CMOS_INDEX_MASK        0x7fu
#define CMOS_RAM_SIZE          128u

/* Register indices. */
#define CMOS_REG_SECONDS       0x00u
#define CMOS_REG_ALARM_SECONDS 0x01u
#define CMOS_REG_MINUTES       0x02u
#define CMOS_REG_ALARM_MINUTES 0x03u
#define CMOS_REG_HOURS         0x04u
#define CMOS_REG_ALARM_HOURS   0x05u
#define CMOS_REG_DAY_OF_WEEK   0x06u
#define CMOS_REG_DAY_OF_MONTH  0x07u
#define CMOS_REG_MONTH         0x08u
#define CMOS_REG_YEAR          0x09u
#define CMOS_REG_A             0x0au
#define CMOS_REG_B             0x0bu
#define CMOS_REG_C             0x0cu
#define CMOS_REG_D             0x0du
#define CMOS_REG_FIRST_RAM     0x0eu
#define CMOS_REG_CENTURY       0x32u

/* Register A. */
#define CMOS_A_UIP        0x80u
#define CMOS_A_DV_MASK    0x70u /* DV2 DV1 DV0 */
#define CMOS_A_DV_32768HZ 0x20u /* 010: 32.768 kHz time base */
#define CMOS_A_DV_RESET   0x60u /* 11x: divider reset */
#define CMOS_A_RS_MASK    0x0fu /* RS3-RS0 */
#define CMOS_A_RS_1024HZ  0x06u

/* Register B. */
#define CMOS_B_SET  0x80u
#define CMOS_B_PIE  0x40u
#define CMOS_B_AIE  0x20u
#define CMOS_B_UIE  0x10u
#define CMOS_B_SQWE 0x08u
#define CMOS_B_DM   0x04u /* 1: binary, 0: BCD */
#define CMOS_B_24H  0x02u /* 1: 24-hour, 0: 12-hour */
#define CMOS_B_DSE  0x01u

/* Register C. */
#define CMOS_C_IRQF 0x80u
#define CMOS_C_PF   0x40u
#define CMOS_C_AF   0x20u
#define CMOS_C_UF   0x10u

/* Register D. */
#define CMOS_D_VRT 0x80u

#define CMOS_HOURS_PM          0x80u /* 12-hour mode */
#define CMOS_ALARM_DONT_CARE   0xc0u /* an alarm byte with both bits set matches any value */
#define CMOS_RTC_UIP_LEAD_NS   244000u
#define CMOS_RTC_TIME_BASE_HZ  32768u
#define CMOS_RTC_DV_RELEASE_NS 500000000u /* first update after the divider leaves reset */

/* A calendar date and time (year in full, e.g. 2024; month 1-12; day 1-31; 24-hour). */
struct rtc_datetime {
    uint16_t year;
    uint8_t month, day, hour, minute, second;
};

/* The clock's fields, binary, hour 0-23. */
struct cmos_rtc_time {
    uint8_t second, minute, hour, day_of_week, day, month, year, century;
};

struct cmos_rtc {
    struct device_clock clock;
    struct irq_line irq8;
    uint8_t index; /* 0..127 */
    bool nmi_disabled;
    uint8_t ram[CMOS_RAM_SIZE]; /* bytes that are plain RAM */
    uint8_t reg_a;              /* without UIP */
    uint8_t reg_b;
    uint8_t flags; /* register C's PF, AF, UF */
    uint8_t alarm_second, alarm_minute, alarm_hour;
    struct cmos_rtc_time time; /* the time since the last update before last_sync_ns */
    uint64_t next_update_ns;   /* next second boundary (the grid, also while halted) */
    uint64_t last_sync_ns;     /* flags account for everything up to here */
    bool irq_level;
    uint64_t updates;
    uint64_t irqs; /* rising edges of IRQ8 */
};

/* Reset state (see above) with the time `now`, valid at the clock's present reading. Fields out
 * of range are clamped (year to 0-9999). irq8 may be NULL (no line). */
void cmos_rtc_init(struct cmos_rtc *rtc, const struct device_clock *clock,
                   const struct irq_line *irq8, const struct rtc_datetime *now);
/* Claims ports 0x70-0x71; returns an iobus_status (IOBUS_OK or why not). */
int cmos_rtc_attach(struct cmos_rtc *rtc, struct iobus *bus);
/* Brings the time and flags up to the clock's present, raising or lowering IRQ8. */
void cmos_rtc_update(struct cmos_rtc *rtc);
/* Clock time (ns) at which cmos_rtc_update() may raise IRQ8: now if already due, UINT64_MAX if
 * no enabled interrupt can come (none enabled, or IRQ8 already raised until C is read). With AIE
 * this is the next update (each is checked against the alarm). */
uint64_t cmos_rtc_next_irq_ns(const struct cmos_rtc *rtc);
void cmos_rtc_dump(const struct cmos_rtc *rtc, device_printf_fn print);

#endif
