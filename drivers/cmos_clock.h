/* Reading the host's real-time clock (MC146818 CMOS at ports 0x70/0x71) once at boot, to start
 * the guest's virtual RTC at the real date and time. */
#ifndef MICA_DRIVERS_CMOS_CLOCK_H
#define MICA_DRIVERS_CMOS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct host_datetime {
    uint16_t year;
    uint8_t month, day, hour, minute, second;
};

/* False if the clock never left update-in-progress or gave impossible values. */
bool host_rtc_read(struct host_datetime *out);

#endif
