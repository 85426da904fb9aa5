/* Host RTC read: wait for the update-in-progress flag to clear, read the time registers twice
 * until two reads agree, decode BCD and 12-hour formats as status register B says. */
#include "drivers/cmos_clock.h"

#include "kernel/cpu.h"

#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define CMOS_NMI_OFF   0x80 /* keep NMIs disabled while the index is set */
#define REG_SECONDS    0x00
#define REG_MINUTES    0x02
#define REG_HOURS      0x04
#define REG_DAY        0x07
#define REG_MONTH      0x08
#define REG_YEAR       0x09
#define REG_STATUS_A   0x0a
#define REG_STATUS_B   0x0b
#define REG_CENTURY    0x32
#define STATUS_A_UIP   0x80
#define STATUS_B_24H   0x02
#define STATUS_B_BINARY 0x04
#define HOURS_PM       0x80
#define UIP_POLLS      1000000

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
    return inb(CMOS_DATA);
}

static uint8_t from_bcd(uint8_t v)
{
    return (uint8_t)((v >> 4) * 10 + (v & 0xf));
}

struct raw_time {
    uint8_t sec, min, hour, day, month, year, century;
};

static bool read_raw(struct raw_time *t)
{
    for (int i = 0; i < UIP_POLLS && (cmos_read(REG_STATUS_A) & STATUS_A_UIP); i++)
        cpu_relax();
    if (cmos_read(REG_STATUS_A) & STATUS_A_UIP)
        return false;
    *t = (struct raw_time){cmos_read(REG_SECONDS), cmos_read(REG_MINUTES), cmos_read(REG_HOURS),
                           cmos_read(REG_DAY),     cmos_read(REG_MONTH),   cmos_read(REG_YEAR),
                           cmos_read(REG_CENTURY)};
    return true;
}

bool host_rtc_read(struct host_datetime *out)
{
    struct raw_time a, b;
    int tries = 0;
    do {
        if (!read_raw(&a) || !read_raw(&b) || ++tries > 5)
            return false;
    } while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day ||
             a.month != b.month || a.year != b.year);
    uint8_t status_b = cmos_read(REG_STATUS_B);
    bool pm = a.hour & HOURS_PM;
    a.hour &= (uint8_t)~HOURS_PM;
    if (!(status_b & STATUS_B_BINARY)) {
        a.sec = from_bcd(a.sec);
        a.min = from_bcd(a.min);
        a.hour = from_bcd(a.hour);
        a.day = from_bcd(a.day);
        a.month = from_bcd(a.month);
        a.year = from_bcd(a.year);
        a.century = from_bcd(a.century);
    }
    if (!(status_b & STATUS_B_24H))
        a.hour = (uint8_t)(a.hour % 12 + (pm ? 12 : 0));
    unsigned century = a.century >= 19 && a.century <= 30 ? a.century : 20;
    *out = (struct host_datetime){.year = (uint16_t)(century * 100 + a.year), .month = a.month,
                                  .day = a.day, .hour = a.hour, .minute = a.min,
                                  .second = a.sec};
    return out->month >= 1 && out->month <= 12 && out->day >= 1 && out->day <= 31 &&
           out->hour < 24 && out->minute < 60 && out->second < 60;
}
