/* The block benchmark's sector pattern (xorshift32 seeded by LBA and seed) and checksum
 * (FNV-1a, 32-bit). */
#include "guest/kernel/pattern.h"

#define FNV32_OFFSET_BASIS 2166136261u
#define FNV32_PRIME        16777619u
#define GOLDEN_RATIO_32    0x9e3779b9u /* spreads consecutive LBAs apart */
#define BYTE_BITS          8u
#define BYTE_MASK          0xffu

void pattern_fill(uint32_t *sector, uint64_t lba, uint32_t seed)
{
    uint32_t x = (uint32_t)lba * GOLDEN_RATIO_32 ^ (uint32_t)(lba >> 32) ^ seed;
    x ^= GOLDEN_RATIO_32 * (seed + 1u);
    if (x == 0) /* xorshift's fixed point */
        x = GOLDEN_RATIO_32;
    for (unsigned i = 0; i < PATTERN_SECTOR_WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sector[i] = x;
    }
}

uint32_t pattern_checksum(const uint32_t *sector)
{
    uint32_t h = FNV32_OFFSET_BASIS;
    for (unsigned i = 0; i < PATTERN_SECTOR_WORDS; i++) {
        for (unsigned b = 0; b < sizeof(uint32_t); b++) {
            h ^= (sector[i] >> (b * BYTE_BITS)) & BYTE_MASK;
            h *= FNV32_PRIME;
        }
    }
    return h;
}
