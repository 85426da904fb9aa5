/* Guest RAM access with bounds checks, and ending a guest. All guest-controlled addresses pass
 * through guest_ram_ptr(), which refuses any range not wholly inside guest RAM. */
#include "vmm/guest.h"

#include <stdarg.h>

#include "kernel/format.h"
#include "kernel/string.h"

void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len)
{
    if (gpa >= g->ram_size || len > g->ram_size - gpa)
        return NULL;
    return (void *)(g->ram_hpa + gpa);
}

bool copy_from_guest(struct guest *g, void *dst, uint64_t gpa, size_t len)
{
    const void *src = guest_ram_ptr(g, gpa, len);
    if (!src)
        return false;
    memcpy(dst, src, len);
    return true;
}

bool copy_to_guest(struct guest *g, uint64_t gpa, const void *src, size_t len)
{
    void *dst = guest_ram_ptr(g, gpa, len);
    if (!dst)
        return false;
    memcpy(dst, src, len);
    return true;
}

void guest_exit(struct guest *g, uint8_t status)
{
    if (g->end != GUEST_RUNNING)
        return;
    g->end = GUEST_EXITED;
    g->exit_status = status;
}

void guest_stop(struct guest *g, const char *fmt, ...)
{
    if (g->end != GUEST_RUNNING)
        return;
    g->end = GUEST_STOPPED;
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(g->stop_reason, sizeof(g->stop_reason), fmt, ap);
    va_end(ap);
}
