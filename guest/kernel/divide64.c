/* 64-bit unsigned division for the 32-bit guest kernel: the libgcc helpers GCC calls for
 * uint64_t '/' and '%' on i386 (no 32-bit libgcc without gcc-multilib). Shift and subtract. */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);

#define U64_BITS 64

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    if (d == 0) { /* as the hardware would: a fault, here the biggest answer instead */
        if (rem)
            *rem = n;
        return UINT64_MAX;
    }
    for (int bit = U64_BITS - 1; bit >= 0; bit--) {
        r = r << 1 | ((n >> bit) & 1u);
        if (r >= d) {
            r -= d;
            q |= 1ull << bit;
        }
    }
    if (rem)
        *rem = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}
