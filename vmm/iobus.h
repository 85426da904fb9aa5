/* The port-I/O bus: devices claim port ranges; every guest port access (trapped IN/OUT, string
 * I/O, batched hypercalls later) reaches a device through iobus_access(). Pure, vendor-neutral. */
#ifndef MICA_VMM_IOBUS_H
#define MICA_VMM_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#define IOBUS_MAX_REGIONS 32
#define IOBUS_PORTS       65536

enum io_direction { IO_IN, IO_OUT };

/* A device's handler: size is 1, 2 or 4; for IO_IN it stores the value read in *value (only the
 * low `size` bytes count), for IO_OUT *value holds the value written. */
typedef void (*io_handler)(void *device, uint16_t port, unsigned size, enum io_direction dir,
                           uint32_t *value);

struct io_region {
    uint16_t first;
    uint16_t last; /* inclusive */
    io_handler handler;
    void *device;
    const char *name;
    bool passthrough; /* the guest reaches the machine's own ports: not trapped (the handler
                         does the real access for batched replay) */
};

enum iobus_status {
    IOBUS_OK = 0,
    IOBUS_ERR_OVERLAP, /* the range overlaps one already claimed */
    IOBUS_ERR_RANGE,   /* empty range or past port 0xffff */
    IOBUS_ERR_FULL,    /* IOBUS_MAX_REGIONS reached */
};

#define IOBUS_MAX_DENIED 8

/* Ports the hypervisor keeps for itself: the guest may not use them, trapped or batched. */
struct io_denied_range {
    uint16_t first, last;
    const char *owner;
};

struct iobus {
    struct io_region regions[IOBUS_MAX_REGIONS];
    unsigned region_count;
    struct io_denied_range denied[IOBUS_MAX_DENIED];
    unsigned denied_count;
    uint64_t denied_accesses;
    uint32_t accesses[IOBUS_PORTS]; /* per port, saturating */
    uint64_t unclaimed_accesses;
    uint32_t unclaimed_reported[IOBUS_PORTS / 32]; /* one report per unclaimed port */
    /* Called once per unclaimed port (may be NULL), e.g. to log it. */
    void (*report_unclaimed)(uint16_t port, unsigned size, enum io_direction dir);
    /* Called for each refused access to a denied port (may be NULL). */
    void (*report_denied)(uint16_t port, unsigned size, enum io_direction dir, const char *owner);
};

void iobus_init(struct iobus *bus);
enum iobus_status iobus_register(struct iobus *bus, uint16_t first, unsigned count,
                                 io_handler handler, void *device, const char *name);
const char *iobus_strerror(enum iobus_status status);
/* Claims ports the guest drives on the real machine: the vendor leaves them untrapped (see
 * iobus_for_each_passthrough); handler still serves batched accesses, with real port I/O. */
enum iobus_status iobus_register_passthrough(struct iobus *bus, uint16_t first, unsigned count,
                                             io_handler handler, void *device, const char *name);
/* Calls fn for each pass-through range. */
void iobus_for_each_passthrough(const struct iobus *bus,
                                void (*fn)(void *ctx, uint16_t first, uint16_t last), void *ctx);
/* Marks ports as the hypervisor's: accesses are refused (reads all ones, writes dropped). */
enum iobus_status iobus_deny(struct iobus *bus, uint16_t first, unsigned count, const char *owner);
/* False when any byte of a size-byte access at port is a denied port. */
bool iobus_port_allowed(const struct iobus *bus, uint16_t port, unsigned size);
/* Performs one access. Unclaimed and denied ports read as all ones and ignore writes. Returns
 * false for those (after counting them), true when a device handled the access. */
bool iobus_access(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                  uint32_t *value);
const struct io_region *iobus_find(const struct iobus *bus, uint16_t port);

#endif
