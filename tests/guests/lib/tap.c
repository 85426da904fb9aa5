/* Test guest TAP output: plan, numbered checks with descriptions, diagnostics, and the verdict
 * written to MICA_PORT_DEBUG_EXIT. */
#include "tests/guests/lib/guest.h"

static unsigned planned, ran, failed;

void tap_plan(unsigned n)
{
    planned = n;
    printf("1..%u\n", n);
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    ran++;
    if (!cond)
        failed++;
    printf("%sok %u - ", cond ? "" : "not ", ran);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    console_putc('\n');
    return cond;
}

void tap_diag(const char *fmt, ...)
{
    va_list ap;

    console_puts("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    console_putc('\n');
}

void tap_done(void)
{
    if (ran != planned)
        tap_diag("planned %u checks but ran %u", planned, ran);
    if (failed)
        tap_diag("%u of %u checks failed", failed, ran);
    bool pass = ran == planned && failed == 0;
    tap_diag("verdict: %s", pass ? "pass" : "fail");
    guest_exit(pass ? MICA_GUEST_PASS : MICA_GUEST_FAIL);
}
