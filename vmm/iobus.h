/* The port-I/O bus: devices claim port ranges; every guest port access (trapped IN/OUT, string
 * I/O, batched hypercalls) reaches a device through iobus_access() or iobus_access_string(). */
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

/* A device's optional block-transfer handler for string I/O (REP INS/OUTS, batched string
 * entries) with DF = 0: up to `count` elements of `size` bytes, element i at buffer + i * size
 * (little-endian, as the element's value). It moves the first n elements (0 <= n <= count) with
 * exactly the effects n calls of the region's io_handler would have (IO_IN: stores what they
 * would read, IO_OUT: takes what they would write), and returns n. It may stop anywhere (end of
 * a data block, the device no longer accepting data, a size it does not handle): the bus does
 * the rest element by element. The buffer is guest RAM the caller has checked; the device only
 * copies between it and its own memory and never keeps the pointer. */
typedef uint32_t (*io_string_handler)(void *device, uint16_t port, unsigned size,
                                      enum io_direction dir, uint8_t *buffer, uint32_t count);

struct io_region {
    uint16_t first;
    uint16_t last; /* inclusive */
    io_handler handler;
    io_string_handler string_handler; /* NULL: string I/O goes element by element */
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

#define IOBUS_PORT_BITMAP_WORDS (IOBUS_PORTS / 32)
/* port_region[] holds a region's index + 1 (0: unclaimed) in a byte. */
#define IOBUS_NO_REGION         0
_Static_assert(IOBUS_MAX_REGIONS < UINT8_MAX, "region indexes fit port_region[]");

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
    uint32_t accesses[IOBUS_PORTS]; /* per port, saturating; a string access counts each element */
    uint64_t unclaimed_accesses;
    uint32_t unclaimed_reported[IOBUS_PORT_BITMAP_WORDS]; /* one report per unclaimed port */
    /* One report per denied port and direction ([0] reads, [1] writes): a guest looping on a
     * refused port would otherwise fill the log; denied_accesses and accesses[] count them all. */
    uint32_t denied_reported[2][IOBUS_PORT_BITMAP_WORDS];
    /* Lookup tables kept by iobus_register() and iobus_deny(), so that dispatch does not search:
     * the region claiming each port (index + 1, IOBUS_NO_REGION for none) and the denied ports. */
    uint8_t port_region[IOBUS_PORTS];
    uint32_t denied_map[IOBUS_PORT_BITMAP_WORDS];
    /* Called once per unclaimed port (may be NULL), e.g. to log it. */
    void (*report_unclaimed)(uint16_t port, unsigned size, enum io_direction dir);
    /* Called for the first refused read and the first refused write of each denied port (may be
     * NULL). */
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
/* Gives the region that claims `port` a string handler (see io_string_handler). False when no
 * region claims the port. */
bool iobus_set_string_handler(struct iobus *bus, uint16_t port, io_string_handler handler);
/* `count` accesses of `size` bytes at one port, element i at buffer + i * size (IO_IN fills the
 * buffer, IO_OUT takes from it), with the same effects, results and counters as `count` calls of
 * iobus_access() in order. When the whole access (port to port + size - 1) is allowed and lies in
 * one region with a string handler, that handler moves what it can in blocks; whatever it does
 * not take goes through iobus_access() element by element. `buffer` must be checked memory of
 * count * size bytes. Returns the elements the string handler moved (the rest went one by one). */
uint32_t iobus_access_string(struct iobus *bus, uint16_t port, unsigned size, enum io_direction dir,
                             uint8_t *buffer, uint32_t count);

#endif
