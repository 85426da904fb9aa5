/* FNV-1a (64-bit): the hash the hypervisor uses to show that its code, read-only data and
 * protection tables did not change while a guest ran. Pure and freestanding. */
#ifndef MICA_KERNEL_CHECKSUM_H
#define MICA_KERNEL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_OFFSET_BASIS 0xcbf29ce484222325ull
#define FNV1A64_PRIME        0x100000001b3ull

static inline uint64_t fnv1a64(uint64_t hash, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ p[i]) * FNV1A64_PRIME;
    return hash;
}

static inline uint64_t fnv1a64_u64(uint64_t hash, uint64_t value)
{
    return fnv1a64(hash, &value, sizeof(value));
}

#endif
