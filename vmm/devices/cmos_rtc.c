/* The guest's MC146818 CMOS RTC (ports 0x70/0x71): register file and CMOS RAM, calendar
 * arithmetic from a base date plus device-clock time, update cycle, UIP, flags and IRQ8. */
#include "vmm/devices/cmos_rtc.h"

#include "kernel/string.h"

#define NS_PER_SEC       1000000000ull
#define SECONDS_PER_MIN  60u
#define SECONDS_PER_HOUR 3600u
#define SECONDS_PER_DAY  86400u
#define MAX_SECOND       59u
#define MAX_MINUTE       59u
#define MAX_HOUR         23u
#define MAX_DAY          31u
#define MONTHS           12u
#define BCD_SHIFT        4 /* tens digit in the high nibble */
#define BCD_DIGIT_MASK   0xfu
#define DECIMAL          10u
#define OPEN_BUS         0xffu
#define DAYS_PER_WEEK    7u
#define YEARS_PER_CENT   100u
#define MAX_FULL_YEAR    9999u
#define YEAR_WRAP        10000u
#define HOURS_HALF_DAY   12u
#define BCD_DIGIT_MAX    9u
#define RS_PERIOD_256HZ  128u /* RS = 0001: in 32.768 kHz cycles */
#define RS_PERIOD_128HZ  256u /* RS = 0010 */
#define RS_FIRST_REGULAR 3u   /* RS >= 3: period 2^(RS-1) cycles */

/* ---- calendar ------------------------------------------------------------------------------- */

static bool is_leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month)
{
    static const uint8_t days[MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap(year))
        return 29;
    return days[month - 1];
}

/* Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil: 400-year eras of
 * 146097 days, years starting in March; 719468 days from 0000-03-01 to 1970-01-01). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* 1 = Sunday ... 7 = Saturday; 1970-01-01 was a Thursday. */
static uint8_t day_of_week(int64_t days)
{
    int64_t r = (days % DAYS_PER_WEEK + DAYS_PER_WEEK + 4) % DAYS_PER_WEEK;
    return (uint8_t)(r + 1);
}

static unsigned full_year(const struct cmos_rtc_time *tm)
{
    return tm->century * YEARS_PER_CENT + tm->year;
}

static void advance_days(struct cmos_rtc_time *tm, uint64_t days)
{
    unsigned y = full_year(tm);
    unsigned last = days_in_month(y, tm->month);
    /* A day written past the end of its month acts as the last day: the next is the 1st. */
    unsigned d = tm->day > last ? last : tm->day;
    int64_t dn = days_from_civil(y, tm->month, d) + (int64_t)days;
    int64_t ny;
    unsigned nm, nd;
    civil_from_days(dn, &ny, &nm, &nd);
    ny %= YEAR_WRAP;
    tm->century = (uint8_t)(ny / YEARS_PER_CENT);
    tm->year = (uint8_t)(ny % YEARS_PER_CENT);
    tm->month = (uint8_t)nm;
    tm->day = (uint8_t)nd;
    tm->day_of_week = (uint8_t)((tm->day_of_week - 1 + days % DAYS_PER_WEEK) % DAYS_PER_WEEK + 1);
}

static uint32_t second_of_day(const struct cmos_rtc_time *tm)
{
    return tm->hour * SECONDS_PER_HOUR + tm->minute * SECONDS_PER_MIN + tm->second;
}

static void add_seconds(struct cmos_rtc_time *tm, uint64_t seconds)
{
    uint64_t sod = second_of_day(tm) + seconds;
    uint64_t days = sod / SECONDS_PER_DAY;
    sod %= SECONDS_PER_DAY;
    tm->hour = (uint8_t)(sod / SECONDS_PER_HOUR);
    tm->minute = (uint8_t)(sod / SECONDS_PER_MIN % SECONDS_PER_MIN);
    tm->second = (uint8_t)(sod % SECONDS_PER_MIN);
    if (days)
        advance_days(tm, days);
}

/* ---- register encoding ---------------------------------------------------------------------- */

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static uint8_t encode(const struct cmos_rtc *rtc, unsigned v)
{
    if (rtc->reg_b & CMOS_B_DM)
        return (uint8_t)v;
    return (uint8_t)((v / DECIMAL) << BCD_SHIFT | v % DECIMAL);
}

static unsigned decode(const struct cmos_rtc *rtc, uint8_t raw, unsigned lo, unsigned hi)
{
    unsigned v = raw;
    if (!(rtc->reg_b & CMOS_B_DM)) {
        unsigned tens = raw >> BCD_SHIFT, ones = raw & BCD_DIGIT_MASK;
        v = clamp(tens, 0, BCD_DIGIT_MAX) * DECIMAL + clamp(ones, 0, BCD_DIGIT_MAX);
    }
    return clamp(v, lo, hi);
}

static uint8_t encode_hour(const struct cmos_rtc *rtc, unsigned hour)
{
    if (rtc->reg_b & CMOS_B_24H)
        return encode(rtc, hour);
    unsigned h12 = hour % HOURS_HALF_DAY ? hour % HOURS_HALF_DAY : HOURS_HALF_DAY;
    return (uint8_t)(encode(rtc, h12) | (hour >= HOURS_HALF_DAY ? CMOS_HOURS_PM : 0));
}

static unsigned decode_hour(const struct cmos_rtc *rtc, uint8_t raw)
{
    if (rtc->reg_b & CMOS_B_24H)
        return decode(rtc, raw, 0, MAX_HOUR);
    unsigned h12 = decode(rtc, raw & (uint8_t)~CMOS_HOURS_PM, 1, HOURS_HALF_DAY);
    return h12 % HOURS_HALF_DAY + ((raw & CMOS_HOURS_PM) ? HOURS_HALF_DAY : 0);
}

static bool alarm_byte_matches(uint8_t alarm, uint8_t value)
{
    return (alarm & CMOS_ALARM_DONT_CARE) == CMOS_ALARM_DONT_CARE || alarm == value;
}

static bool alarm_matches(const struct cmos_rtc *rtc, uint32_t sod)
{
    return alarm_byte_matches(rtc->alarm_second, encode(rtc, sod % SECONDS_PER_MIN)) &&
           alarm_byte_matches(rtc->alarm_minute,
                              encode(rtc, sod / SECONDS_PER_MIN % SECONDS_PER_MIN)) &&
           alarm_byte_matches(rtc->alarm_hour, encode_hour(rtc, sod / SECONDS_PER_HOUR));
}

/* Whether any of the next `updates` updates (each checked after it) matches the alarm. */
static bool alarm_hit(const struct cmos_rtc *rtc, uint64_t updates)
{
    uint32_t sod = second_of_day(&rtc->time);
    uint64_t steps = updates < SECONDS_PER_DAY ? updates : SECONDS_PER_DAY;
    for (uint64_t j = 1; j <= steps; j++) {
        if (alarm_matches(rtc, (uint32_t)((sod + j) % SECONDS_PER_DAY)))
            return true;
    }
    return false;
}

/* ---- time base ------------------------------------------------------------------------------ */

static bool divider_in_reset(const struct cmos_rtc *rtc)
{
    return (rtc->reg_a & CMOS_A_DV_RESET) == CMOS_A_DV_RESET;
}

static bool updating(const struct cmos_rtc *rtc)
{
    return !(rtc->reg_b & CMOS_B_SET) && !divider_in_reset(rtc);
}

/* Periodic interrupt period in 32.768 kHz cycles, 0 for none. */
static uint32_t periodic_cycles(const struct cmos_rtc *rtc)
{
    unsigned rs = rtc->reg_a & CMOS_A_RS_MASK;
    if (rs == 0 || divider_in_reset(rtc))
        return 0;
    if (rs == 1)
        return RS_PERIOD_256HZ;
    if (rs == 2)
        return RS_PERIOD_128HZ;
    return 1u << (rs - 1);
}

/* Position of t within the one-second grid through next_update_ns, 0 .. 1e9 - 1. */
static uint64_t grid_phase(const struct cmos_rtc *rtc, uint64_t t)
{
    uint64_t g = rtc->next_update_ns;
    if (t >= g)
        return (t - g) % NS_PER_SEC;
    return (NS_PER_SEC - (g - t) % NS_PER_SEC) % NS_PER_SEC;
}

static uint64_t ns_to_cycles(uint64_t ns)
{
    return ns / NS_PER_SEC * CMOS_RTC_TIME_BASE_HZ +
           ns % NS_PER_SEC * CMOS_RTC_TIME_BASE_HZ / NS_PER_SEC;
}

/* Whether a periodic edge falls in (a, b]. The period divides one second, so the grid's phase
 * places the edges. */
static bool periodic_edge_between(const struct cmos_rtc *rtc, uint64_t a, uint64_t b)
{
    uint32_t period = periodic_cycles(rtc);
    if (!period || b <= a)
        return false;
    uint64_t off = grid_phase(rtc, a);
    return ns_to_cycles(off + (b - a)) / period != ns_to_cycles(off) / period;
}

/* First periodic edge after t, UINT64_MAX if none. */
static uint64_t next_periodic_ns(const struct cmos_rtc *rtc, uint64_t t)
{
    uint32_t period = periodic_cycles(rtc);
    if (!period)
        return UINT64_MAX;
    uint64_t off = grid_phase(rtc, t);
    uint64_t target = (ns_to_cycles(off) / period + 1) * period;
    /* First ns at which `target` cycles have elapsed (a ceiling division). */
    uint64_t target_ns = (target * NS_PER_SEC + CMOS_RTC_TIME_BASE_HZ - 1) / CMOS_RTC_TIME_BASE_HZ;
    return t + (target_ns - off);
}

static bool irqf(const struct cmos_rtc *rtc)
{
    uint8_t f = rtc->flags, b = rtc->reg_b;
    return ((f & CMOS_C_PF) && (b & CMOS_B_PIE)) || ((f & CMOS_C_AF) && (b & CMOS_B_AIE)) ||
           ((f & CMOS_C_UF) && (b & CMOS_B_UIE));
}

static void update_irq(struct cmos_rtc *rtc)
{
    bool level = irqf(rtc);
    if (level == rtc->irq_level)
        return;
    rtc->irq_level = level;
    if (level)
        rtc->irqs++;
    irq_line_set(&rtc->irq8, level);
}

/* Brings the time and the flags to clock time `now`. */
static void sync(struct cmos_rtc *rtc, uint64_t now)
{
    if (now <= rtc->last_sync_ns)
        return;
    if (updating(rtc) && now >= rtc->next_update_ns) {
        uint64_t n = 1 + (now - rtc->next_update_ns) / NS_PER_SEC;
        if (alarm_hit(rtc, n))
            rtc->flags |= CMOS_C_AF;
        rtc->flags |= CMOS_C_UF;
        add_seconds(&rtc->time, n);
        rtc->next_update_ns += n * NS_PER_SEC;
        rtc->updates += n;
    }
    if (periodic_edge_between(rtc, rtc->last_sync_ns, now))
        rtc->flags |= CMOS_C_PF;
    rtc->last_sync_ns = now;
    update_irq(rtc);
}

static bool uip(const struct cmos_rtc *rtc, uint64_t now)
{
    return updating(rtc) && rtc->next_update_ns > now &&
           rtc->next_update_ns - now <= CMOS_RTC_UIP_LEAD_NS;
}

/* ---- registers ------------------------------------------------------------------------------- */

static uint8_t reg_read(struct cmos_rtc *rtc, uint8_t index, uint64_t now)
{
    const struct cmos_rtc_time *tm = &rtc->time;
    switch (index) {
    case CMOS_REG_SECONDS:
        return encode(rtc, tm->second);
    case CMOS_REG_ALARM_SECONDS:
        return rtc->alarm_second;
    case CMOS_REG_MINUTES:
        return encode(rtc, tm->minute);
    case CMOS_REG_ALARM_MINUTES:
        return rtc->alarm_minute;
    case CMOS_REG_HOURS:
        return encode_hour(rtc, tm->hour);
    case CMOS_REG_ALARM_HOURS:
        return rtc->alarm_hour;
    case CMOS_REG_DAY_OF_WEEK:
        return encode(rtc, tm->day_of_week);
    case CMOS_REG_DAY_OF_MONTH:
        return encode(rtc, tm->day);
    case CMOS_REG_MONTH:
        return encode(rtc, tm->month);
    case CMOS_REG_YEAR:
        return encode(rtc, tm->year);
    case CMOS_REG_A:
        return (uint8_t)(rtc->reg_a | (uip(rtc, now) ? CMOS_A_UIP : 0));
    case CMOS_REG_B:
        return rtc->reg_b;
    case CMOS_REG_C: {
        uint8_t value = (uint8_t)(rtc->flags | (irqf(rtc) ? CMOS_C_IRQF : 0));
        rtc->flags = 0;
        update_irq(rtc);
        return value;
    }
    case CMOS_REG_D:
        return CMOS_D_VRT;
    case CMOS_REG_CENTURY:
        return encode(rtc, tm->century);
    default:
        return rtc->ram[index];
    }
}

static void write_a(struct cmos_rtc *rtc, uint8_t value, uint64_t now)
{
    bool was_reset = divider_in_reset(rtc);
    rtc->reg_a = value & (uint8_t)~CMOS_A_UIP;
    if (was_reset && !divider_in_reset(rtc))
        rtc->next_update_ns = now + CMOS_RTC_DV_RELEASE_NS;
}

static void write_b(struct cmos_rtc *rtc, uint8_t value, uint64_t now)
{
    bool was_set = rtc->reg_b & CMOS_B_SET;
    if (value & CMOS_B_SET)
        value &= (uint8_t)~CMOS_B_UIE;
    rtc->reg_b = value;
    if (was_set && !(value & CMOS_B_SET) && rtc->next_update_ns <= now) {
        /* The divider ran on while SET held the updates: resume on its grid. */
        rtc->next_update_ns += ((now - rtc->next_update_ns) / NS_PER_SEC + 1) * NS_PER_SEC;
    }
    update_irq(rtc);
}

static void reg_write(struct cmos_rtc *rtc, uint8_t index, uint8_t value, uint64_t now)
{
    struct cmos_rtc_time *tm = &rtc->time;
    switch (index) {
    case CMOS_REG_SECONDS:
        tm->second = (uint8_t)decode(rtc, value, 0, MAX_SECOND);
        break;
    case CMOS_REG_ALARM_SECONDS:
        rtc->alarm_second = value;
        break;
    case CMOS_REG_MINUTES:
        tm->minute = (uint8_t)decode(rtc, value, 0, MAX_MINUTE);
        break;
    case CMOS_REG_ALARM_MINUTES:
        rtc->alarm_minute = value;
        break;
    case CMOS_REG_HOURS:
        tm->hour = (uint8_t)decode_hour(rtc, value);
        break;
    case CMOS_REG_ALARM_HOURS:
        rtc->alarm_hour = value;
        break;
    case CMOS_REG_DAY_OF_WEEK:
        tm->day_of_week = (uint8_t)decode(rtc, value, 1, DAYS_PER_WEEK);
        break;
    case CMOS_REG_DAY_OF_MONTH:
        tm->day = (uint8_t)decode(rtc, value, 1, MAX_DAY);
        break;
    case CMOS_REG_MONTH:
        tm->month = (uint8_t)decode(rtc, value, 1, MONTHS);
        break;
    case CMOS_REG_YEAR:
        tm->year = (uint8_t)decode(rtc, value, 0, YEARS_PER_CENT - 1);
        break;
    case CMOS_REG_A:
        write_a(rtc, value, now);
        break;
    case CMOS_REG_B:
        write_b(rtc, value, now);
        break;
    case CMOS_REG_C:
    case CMOS_REG_D:
        break; /* read-only */
    case CMOS_REG_CENTURY:
        tm->century = (uint8_t)decode(rtc, value, 0, YEARS_PER_CENT - 1);
        break;
    default:
        rtc->ram[index] = value;
        break;
    }
}

/* ---- port bus ----------------------------------------------------------------------------------
 */

static void cmos_rtc_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                        uint32_t *value)
{
    struct cmos_rtc *rtc = device;
    uint64_t now = device_clock_now(&rtc->clock);
    sync(rtc, now);
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + i;
        uint8_t byte = (uint8_t)(*value >> (8 * i));
        uint8_t read = OPEN_BUS; /* the index port is write-only; bytes past our ports */
        if (p == CMOS_PORT_INDEX && dir == IO_OUT) {
            rtc->index = byte & CMOS_INDEX_MASK;
            rtc->nmi_disabled = byte & CMOS_INDEX_NMI_DISABLE;
        } else if (p == CMOS_PORT_DATA && dir == IO_OUT) {
            reg_write(rtc, rtc->index, byte, now);
        } else if (p == CMOS_PORT_DATA) {
            read = reg_read(rtc, rtc->index, now);
        }
        result |= (uint32_t)read << (8 * i);
    }
    if (dir == IO_IN)
        *value = result;
}

static void set_time(struct cmos_rtc *rtc, const struct rtc_datetime *dt)
{
    unsigned year = clamp(dt->year, 0, MAX_FULL_YEAR);
    unsigned month = clamp(dt->month, 1, MONTHS);
    unsigned day = clamp(dt->day, 1, days_in_month(year, month));
    rtc->time = (struct cmos_rtc_time){
        .second = (uint8_t)clamp(dt->second, 0, MAX_SECOND),
        .minute = (uint8_t)clamp(dt->minute, 0, MAX_MINUTE),
        .hour = (uint8_t)clamp(dt->hour, 0, MAX_HOUR),
        .day_of_week = day_of_week(days_from_civil(year, month, day)),
        .day = (uint8_t)day,
        .month = (uint8_t)month,
        .year = (uint8_t)(year % YEARS_PER_CENT),
        .century = (uint8_t)(year / YEARS_PER_CENT),
    };
}

void cmos_rtc_init(struct cmos_rtc *rtc, const struct device_clock *clock,
                   const struct irq_line *irq8, const struct rtc_datetime *now)
{
    memset(rtc, 0, sizeof(*rtc));
    rtc->clock = *clock;
    if (irq8)
        rtc->irq8 = *irq8;
    rtc->reg_a = CMOS_A_DV_32768HZ | CMOS_A_RS_1024HZ;
    rtc->reg_b = CMOS_B_24H;
    set_time(rtc, now);
    uint64_t t = device_clock_now(clock);
    rtc->last_sync_ns = t;
    rtc->next_update_ns = t + NS_PER_SEC;
}

int cmos_rtc_attach(struct cmos_rtc *rtc, struct iobus *bus)
{
    return iobus_register(bus, CMOS_PORT_INDEX, CMOS_PORT_COUNT, cmos_rtc_io, rtc, "cmos-rtc");
}

void cmos_rtc_update(struct cmos_rtc *rtc)
{
    sync(rtc, device_clock_now(&rtc->clock));
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t cmos_rtc_next_irq_ns(const struct cmos_rtc *rtc)
{
    if (rtc->irq_level)
        return UINT64_MAX; /* nothing changes the line until register C is read */
    uint64_t now = device_clock_now(&rtc->clock);
    uint64_t next = UINT64_MAX;
    if ((rtc->reg_b & (CMOS_B_UIE | CMOS_B_AIE)) && updating(rtc))
        next = rtc->next_update_ns;
    if (rtc->reg_b & CMOS_B_PIE)
        next = min_u64(next, next_periodic_ns(rtc, rtc->last_sync_ns));
    return next == UINT64_MAX ? next : next < now ? now : next;
}

/* ---- dump
 * ---------------------------------------------------------------------------------------- */

void cmos_rtc_dump(const struct cmos_rtc *rtc, device_printf_fn print)
{
    uint64_t now = device_clock_now(&rtc->clock);
    const struct cmos_rtc_time *tm = &rtc->time;
    /* The time as of the last access (a dump changes nothing, not even the flags). */
    print("cmos_rtc at %llu ns: %04u-%02u-%02u %02u:%02u:%02u day %u%s, %s %s (as of %llu ns)\n",
          (unsigned long long)now, full_year(tm), (unsigned)tm->month, (unsigned)tm->day,
          (unsigned)tm->hour, (unsigned)tm->minute, (unsigned)tm->second, (unsigned)tm->day_of_week,
          updating(rtc) ? "" : " (halted)", (rtc->reg_b & CMOS_B_DM) ? "binary" : "bcd",
          (rtc->reg_b & CMOS_B_24H) ? "24-hour" : "12-hour", (unsigned long long)rtc->last_sync_ns);
    print("  index 0x%02x%s, a 0x%02x b 0x%02x c 0x%02x, alarm %02x:%02x:%02x\n",
          (unsigned)rtc->index, rtc->nmi_disabled ? " nmi disabled" : "", (unsigned)rtc->reg_a,
          (unsigned)rtc->reg_b, (unsigned)(rtc->flags | (irqf(rtc) ? CMOS_C_IRQF : 0)),
          (unsigned)rtc->alarm_hour, (unsigned)rtc->alarm_minute, (unsigned)rtc->alarm_second);
    print("  irq8 %s, %llu raised, %llu updates, next update at %llu ns\n",
          rtc->irq_level ? "high" : "low", (unsigned long long)rtc->irqs,
          (unsigned long long)rtc->updates, (unsigned long long)rtc->next_update_ns);
}
