/* Port-I/O bus: region registration with overlap checks, dispatch by port through a per-port
 * table, string accesses (block handlers), per-port counters and the all-ones unclaimed answer. */
#include "vmm/iobus.h"

#include "kernel/string.h"

#define BITS_PER_MAP_WORD 32
#define LAST_PORT         (IOBUS_PORTS - 1)

static bool map_test(const uint32_t *map, uint32_t port)
{
    return (map[port / BITS_PER_MAP_WORD] >> (port % BITS_PER_MAP_WORD)) & 1u;
}

static void map_set(uint32_t *map, uint32_t port)
{
    map[port / BITS_PER_MAP_WORD] |= 1u << (port % BITS_PER_MAP_WORD);
}

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
    for (uint32_t port = first; port <= last; port++)
        bus->port_region[port] = (uint8_t)bus->region_count; /* index + 1 */
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
    for (uint32_t port = first; port < (uint32_t)first + count; port++)
        map_set(bus->denied_map, port);
    return IOBUS_OK;
}

/* The last port a size-byte access at `port` touches (ports past 0xffff do not exist). */
static uint32_t access_last_port(uint16_t port, unsigned size)
{
    uint32_t last = (uint32_t)port + (size ? size : 1) - 1;
    return last > LAST_PORT ? LAST_PORT : last;
}

bool iobus_port_allowed(const struct iobus *bus, uint16_t port, unsigned size)
{
    uint32_t last = access_last_port(port, size);
    for (uint32_t p = port; p <= last; p++) {
        if (map_test(bus->denied_map, p))
            return false;
    }
    return true;
}

/* The first denied range the access overlaps (for its owner's name), NULL if none. */
static const struct io_denied_range *find_denied(const struct iobus *bus, uint16_t port,
                                                 unsigned size)
{
    if (iobus_port_allowed(bus, port, size))
        return NULL;
    uint32_t last = access_last_port(port, size);
    for (unsigned i = 0; i < bus->denied_count; i++) {
        if (port <= bus->denied[i].last && bus->denied[i].first <= last)
            return &bus->denied[i];
    }
    return NULL;
}

const struct io_region *iobus_find(const struct iobus *bus, uint16_t port)
{
    uint8_t index = bus->port_region[port];
    return index == IOBUS_NO_REGION ? NULL : &bus->regions[index - 1];
}

bool iobus_set_string_handler(struct iobus *bus, uint16_t port, io_string_handler handler)
{
    uint8_t index = bus->port_region[port];
    if (index == IOBUS_NO_REGION)
        return false;
    bus->regions[index - 1].string_handler = handler;
    return true;
}

bool iobus_access(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                  uint32_t *value)
{
    if (bus->accesses[port] != UINT32_MAX)
        bus->accesses[port]++;
    const struct io_denied_range *denied = find_denied(bus, port, size);
    if (denied) {
        bus->denied_accesses++;
        uint32_t *reported = bus->denied_reported[dir == IO_IN ? 0 : 1];
        uint32_t bit = 1u << (port % 32);
        if (!(reported[port / 32] & bit)) {
            reported[port / 32] |= bit;
            if (bus->report_denied)
                bus->report_denied(port, size, dir, denied->owner);
        }
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

static void count_accesses(struct iobus *bus, uint16_t port, uint32_t n)
{
    uint32_t room = UINT32_MAX - bus->accesses[port];
    bus->accesses[port] += n < room ? n : room;
}

/* One element of a string access through iobus_access(). */
static void access_element(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                           uint8_t *element)
{
    uint32_t value = 0;
    if (dir == IO_OUT)
        memcpy(&value, element, size); /* x86 is little-endian: the element's value */
    iobus_access(bus, port, size, dir, &value);
    if (dir == IO_IN)
        memcpy(element, &value, size);
}

uint32_t iobus_access_string(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                             uint8_t *buffer, uint32_t count)
{
    if (size > sizeof(uint32_t))
        size = sizeof(uint32_t); /* as iobus_access() callers: 1, 2 or 4 */
    const struct io_region *r = iobus_find(bus, port);
    /* The block handler sees only accesses that iobus_access() would hand to the same region. */
    bool blocks = r && r->string_handler && access_last_port(port, size) <= r->last &&
                  (uint32_t)port + size - 1 <= LAST_PORT && iobus_port_allowed(bus, port, size);
    uint32_t moved = 0;
    uint32_t done = 0;
    while (done < count) {
        if (blocks) {
            uint32_t n = r->string_handler(r->device, port, size, dir, buffer + (size_t)done * size,
                                           count - done);
            if (n > count - done)
                n = count - done; /* a handler breaking its contract moves no more than asked */
            count_accesses(bus, port, n);
            moved += n;
            done += n;
            if (done == count)
                break;
        }
        /* What the handler left (or all of it without one): one element, then the handler may
         * take over again. */
        access_element(bus, port, size, dir, buffer + (size_t)done * size);
        done++;
    }
    return moved;
}
