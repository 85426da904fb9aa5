/* The block benchmark's data: a sector's contents derived from its LBA and a seed, and the
 * per-sector checksum kept at write time and compared at read-back. Pure C (host-tested). */
#ifndef MICA_GUEST_PATTERN_H
#define MICA_GUEST_PATTERN_H

#include <stdint.h>

#define PATTERN_SECTOR_SIZE  512u
#define PATTERN_SECTOR_WORDS (PATTERN_SECTOR_SIZE / 4u)

/* Fills one sector (PATTERN_SECTOR_SIZE bytes, 4-byte aligned) for `lba` with `seed`: a
 * xorshift stream seeded from both, so that every sector of every seed differs. */
void pattern_fill(uint32_t *sector, uint64_t lba, uint32_t seed);
/* FNV-1a (32-bit) over one sector's bytes. */
uint32_t pattern_checksum(const uint32_t *sector);

#endif
