/* The MMIO bus: guest-physical ranges outside RAM that devices emulate. EPT violations on them
 * come here (from the vendor's exit handler); an address no device claims is unbacked, and the
 * guest touching it is stopped. Vendor-neutral and pure. */
#ifndef MICA_VMM_MMIO_H
#define MICA_VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define MMIO_MAX_REGIONS 8

enum mmio_access { MMIO_READ, MMIO_WRITE };

/* Size is 1, 2, 4 or 8 bytes; offset is from the region's base. */
typedef void (*mmio_handler)(void *device, uint64_t offset, unsigned size, enum mmio_access access,
                             uint64_t *value);

struct mmio_region {
    uint64_t base, size;
    mmio_handler handler;
    void *device;
    const char *name;
};

struct mmio_bus {
    struct mmio_region regions[MMIO_MAX_REGIONS];
    unsigned region_count;
};

/* Registers [base, base + size); false on overlap, overflow or a full bus. */
bool mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler handler,
                   void *device, const char *name);
/* The region holding gpa, or NULL when no device claims it. */
const struct mmio_region *mmio_find(const struct mmio_bus *bus, uint64_t gpa);

#endif
