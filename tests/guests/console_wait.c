/* Test guest for the serial console path: waits for a line typed on the hypervisor's console to
 * arrive on its virtual COM1 (the debug monitor may be opened meanwhile), echoes it, then passes.
 */
#include "include/mica/abi.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/x86.h"

#define COM1     0x3f8
#define LSR_DR   0x01
#define LINE_MAX 64

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0x07); /* FIFOs on and cleared */
    printf("console_wait: waiting for a line on COM1\n");
    char line[LINE_MAX + 1];
    unsigned n = 0;
    for (;;) {
        if (!(inb(COM1 + 5) & LSR_DR)) {
            __asm__ volatile("pause");
            continue;
        }
        char c = (char)inb(COM1);
        if (c == '\r' || c == '\n')
            break;
        if (n < LINE_MAX)
            line[n++] = c;
    }
    line[n] = '\0';
    printf("console_wait: got \"%s\" (%u bytes)\n", line, n);
    guest_exit(MICA_GUEST_PASS);
}
