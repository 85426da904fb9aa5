/* MMIO region registry and lookup; emulating the faulting instruction (decode, access, write
 * back) is the vendor exit handler's job once a device claims a range. */
#include "vmm/mmio.h"

#include <stddef.h>

bool mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler handler,
                   void *device, const char *name)
{
    if (size == 0 || base + size < base || bus->region_count == MMIO_MAX_REGIONS)
        return false;
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct mmio_region *r = &bus->regions[i];
        if (base < r->base + r->size && r->base < base + size)
            return false;
    }
    bus->regions[bus->region_count++] =
        (struct mmio_region){.base = base, .size = size, .handler = handler, .device = device,
                             .name = name};
    return true;
}

const struct mmio_region *mmio_find(const struct mmio_bus *bus, uint64_t gpa)
{
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct mmio_region *r = &bus->regions[i];
        if (gpa >= r->base && gpa - r->base < r->size)
            return r;
    }
    return NULL;
}
