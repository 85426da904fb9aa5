/* Port-I/O bus: region registration with overlap checks, dispatch by port, per-port counters and
 * the all-ones answer for unclaimed ports. */
#include "vmm/iobus.h"

#include "kernel/string.h"

void iobus_init(struct iobus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

const char *iobus_strerror(enum iobus_status status)
{
    switch (status) {
    case IOBUS_OK:
        return "ok";
    case IOBUS_ERR_OVERLAP:
        return "port range overlaps a device already registered";
    case IOBUS_ERR_RANGE:
        return "empty port range or past port 0xffff";
    case IOBUS_ERR_FULL:
        return "too many devices on the port bus";
    }
    return "unknown port bus error";
}

enum iobus_status iobus_register(struct iobus *bus, uint16_t first, unsigned count,
                                 io_handler handler, void *device, const char *name)
{
    if (count == 0 || (uint32_t)first + count > IOBUS_PORTS)
        return IOBUS_ERR_RANGE;
    uint16_t last = (uint16_t)(first + count - 1);
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct io_region *r = &bus->regions[i];
        if (first <= r->last && r->first <= last)
            return IOBUS_ERR_OVERLAP;
    }
    if (bus->region_count == IOBUS_MAX_REGIONS)
        return IOBUS_ERR_FULL;
    bus->regions[bus->region_count++] = (struct io_region){
        .first = first, .last = last, .handler = handler, .device = device, .name = name};
    return IOBUS_OK;
}

enum iobus_status iobus_register_passthrough(struct iobus *bus, uint16_t first, unsigned count,
                                             io_handler handler, void *device, const char *name)
{
    enum iobus_status status = iobus_register(bus, first, count, handler, device, name);
    if (status == IOBUS_OK)
        bus->regions[bus->region_count - 1].passthrough = true;
    return status;
}

void iobus_for_each_passthrough(const struct iobus *bus,
                                void (*fn)(void *ctx, uint16_t first, uint16_t last), void *ctx)
{
    for (unsigned i = 0; i < bus->region_count; i++) {
        if (bus->regions[i].passthrough)
            fn(ctx, bus->regions[i].first, bus->regions[i].last);
    }
}

enum iobus_status iobus_deny(struct iobus *bus, uint16_t first, unsigned count, const char *owner)
{
    if (count == 0 || (uint32_t)first + count > IOBUS_PORTS)
        return IOBUS_ERR_RANGE;
    if (bus->denied_count == IOBUS_MAX_DENIED)
        return IOBUS_ERR_FULL;
    bus->denied[bus->denied_count++] = (struct io_denied_range){
        .first = first, .last = (uint16_t)(first + count - 1), .owner = owner};
    return IOBUS_OK;
}

static const struct io_denied_range *find_denied(const struct iobus *bus, uint16_t port,
                                                 unsigned size)
{
    uint32_t last = (uint32_t)port + (size ? size : 1) - 1;
    for (unsigned i = 0; i < bus->denied_count; i++) {
        if (port <= bus->denied[i].last && bus->denied[i].first <= last)
            return &bus->denied[i];
    }
    return NULL;
}

bool iobus_port_allowed(const struct iobus *bus, uint16_t port, unsigned size)
{
    return find_denied(bus, port, size) == NULL;
}

const struct io_region *iobus_find(const struct iobus *bus, uint16_t port)
{
    for (unsigned i = 0; i < bus->region_count; i++) {
        if (port >= bus->regions[i].first && port <= bus->regions[i].last)
            return &bus->regions[i];
    }
    return NULL;
}

bool iobus_access(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                  uint32_t *value)
{
    if (bus->accesses[port] != UINT32_MAX)
        bus->accesses[port]++;
    const struct io_denied_range *denied = bus->denied_count ? find_denied(bus, port, size) : NULL;
    if (denied) {
        bus->denied_accesses++;
        if (bus->report_denied)
            bus->report_denied(port, size, dir, denied->owner);
        if (dir == IO_IN)
            *value = 0xffffffffu;
        return false;
    }
    const struct io_region *r = iobus_find(bus, port);
    if (r) {
        r->handler(r->device, port, size, dir, value);
        return true;
    }
    bus->unclaimed_accesses++;
    uint32_t bit = 1u << (port % 32);
    if (!(bus->unclaimed_reported[port / 32] & bit)) {
        bus->unclaimed_reported[port / 32] |= bit;
        if (bus->report_unclaimed)
            bus->report_unclaimed(port, size, dir);
    }
    if (dir == IO_IN)
        *value = 0xffffffffu;
    return false;
}
