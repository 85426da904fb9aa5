/* Hostile test guest: I/O to ports the hypervisor owns (PCI configuration) or that nobody claims,
 * string I/O edge cases, and last a REP INSB running past the end of guest RAM (must be stopped).
 */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/mb1.h"

#define CHECKS 21

#define PCI_ADDRESS      0xcf8u
#define PCI_DATA         0xcfcu
#define UNCLAIMED_PORT   0x64u /* a keyboard controller's: mica has none */
#define POST_PORT        0x80u
#define PORT92           0x92u
#define PORT92_A20       0x02u
#define LOW_BUFFER       0x7000u /* below the Multiboot area (0x8000): free low memory */
#define MSR_IA32_FS_BASE 0xc0000100u
#define SEL_DATA         0x10u

static uint8_t buf[8192] __attribute__((aligned(16)));
static unsigned failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tap_ok() without its verdict bookkeeping: this guest never reaches tap_done(). */
static void check(bool ok, const char *fmt, ...)
{
    static unsigned n;
    va_list ap;
    failures += !ok;
    printf("%sok %u - ", ok ? "" : "not ", ++n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    console_putc('\n');
}

static void fill(uint8_t v)
{
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = v;
}

/* How many of buf[from..to) are v. */
static unsigned count_of(unsigned from, unsigned to, uint8_t v)
{
    unsigned n = 0;
    for (unsigned i = from; i < to; i++)
        n += buf[i] == v;
    return n;
}

static void check_pci_config(void)
{
    uint32_t v = inl(PCI_ADDRESS);
    check(v == 0xffffffffu, "IN 4 bytes from 0xcf8 (PCI address, the hypervisor's): 0x%08x", v);
    outl(PCI_ADDRESS, 0x80000000u); /* bus 0, device 0, function 0, register 0 */
    v = inl(PCI_DATA);
    check(v == 0xffffffffu,
          "OUT 0x80000000 to 0xcf8, then IN 4 bytes from 0xcfc: 0x%08x (no host device ID)", v);
    uint8_t b = inb(0xcfe);
    uint16_t w = inw(0xcfa);
    check(b == 0xff && w == 0xffff, "IN 1 byte from 0xcfe, 2 from 0xcfa: 0x%x 0x%x", b, w);
    v = inl(0xcf6); /* 0xcf6-0xcf9: overlaps the hypervisor's range */
    check(v == 0xffffffffu, "IN 4 bytes from 0xcf6 (overlapping 0xcf8): 0x%08x", v);
}

static void check_unclaimed(void)
{
    uint32_t eax = 0x12345678u;
    __asm__ volatile("inb %w1, %b0" : "+a"(eax) : "Nd"((uint16_t)UNCLAIMED_PORT));
    check(eax == 0x123456ffu,
          "IN 1 byte from unclaimed 0x64: all ones in AL, the rest of EAX kept "
          "(EAX 0x%08x)",
          eax);
    eax = 0x12345678u;
    __asm__ volatile("inw %w1, %w0" : "+a"(eax) : "Nd"((uint16_t)UNCLAIMED_PORT));
    check(eax == 0x1234ffffu, "IN 2 bytes from unclaimed 0x64 again: EAX 0x%08x", eax);
    outb(UNCLAIMED_PORT, 0xfe); /* a keyboard controller would reset the machine: ignored */
    uint16_t w = inw(0x1234);
    uint32_t v = inl(0x5000);
    check(w == 0xffff && v == 0xffffffffu, "IN 2 bytes from 0x1234, 4 from 0x5000: 0x%x 0x%08x", w,
          v);
    uint8_t b = inb(MICA_PORT_DEBUG_EXIT);
    check(b == 0xff, "IN from the debug-exit port 0xf4: 0x%x (write-only)", b);
    outb(POST_PORT, 0x42);
    b = inb(POST_PORT);
    check(b == 0xff, "OUT 0x42 to POST port 0x80, IN: 0x%x", b);
    b = inb(PORT92);
    outb(PORT92, PORT92_A20); /* A20 on, no reset */
    check(b == PORT92_A20, "IN from port 0x92: 0x%x (A20 on); OUT 0x02 (no reset bit) is harmless",
          b);
}

static void check_string_in(void)
{
    fill(0);
    void *di = buf;
    uint32_t cx = 64;
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    check(count_of(0, 64, 0xe9) == 64 && buf[64] == 0 && di == buf + 64 && cx == 0,
          "REP INSB of 64 from 0xe9: 64 bytes 0xe9, EDI +%d, ECX %u", (int)((uint8_t *)di - buf),
          cx);

    di = buf + 100;
    cx = 0;
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    check(buf[100] == 0 && di == buf + 100, "REP INSB with ECX 0: nothing written, EDI unchanged");

    fill(0);
    di = buf + 63;
    cx = 32;
    __asm__ volatile("std; rep insb; cld"
                     : "+D"(di), "+c"(cx)
                     : "d"(MICA_PORT_DEBUG_CONSOLE)
                     : "memory");
    check(count_of(32, 64, 0xe9) == 32 && buf[31] == 0 && buf[64] == 0 && di == buf + 31 && cx == 0,
          "REP INSB of 32 with DF = 1 from buf+63: buf[32..63] written downwards, EDI buf+%d",
          (int)((uint8_t *)di - buf));

    fill(0);
    di = buf;
    cx = 5000; /* more than the hypervisor does per exit (4096) */
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    check(count_of(0, 5000, 0xe9) == 5000 && buf[5000] == 0 && di == buf + 5000 && cx == 0,
          "REP INSB of 5000 (two slices): %u bytes written, EDI +%d, ECX %u",
          count_of(0, sizeof(buf), 0xe9), (int)((uint8_t *)di - buf), cx);

    fill(0);
    di = buf;
    cx = 4;
    __asm__ volatile("rep insw" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    const uint16_t *w = (const uint16_t *)buf;
    check(w[0] == 0xe9 && w[3] == 0xe9 && w[4] == 0 && di == buf + 8,
          "REP INSW of 4: words 0x%x .. 0x%x, EDI +%d", w[0], w[3], (int)((uint8_t *)di - buf));
    fill(0xaa);
    di = buf;
    cx = 2;
    __asm__ volatile("rep insl" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    const uint32_t *d = (const uint32_t *)buf;
    check(d[0] == 0xe9 && d[1] == 0xe9 && d[2] == 0xaaaaaaaau && di == buf + 8,
          "REP INSD of 2: dwords 0x%08x 0x%08x, EDI +%d", d[0], d[1], (int)((uint8_t *)di - buf));
}

/* 16-bit address size (0x67 prefix): DI and CX are used, the upper halves of EDI and ECX stay. */
static void check_string_a16(void)
{
    volatile uint8_t *low = (volatile uint8_t *)LOW_BUFFER;
    for (unsigned i = 0; i < 8; i++)
        low[i] = 0;
    uint32_t edi = 0xabcd0000u | LOW_BUFFER, ecx = 0x55550004u;
    __asm__ volatile(".byte 0x67, 0xf3, 0x6c" /* addr16 rep insb */
                     : "+D"(edi), "+c"(ecx)
                     : "d"(MICA_PORT_DEBUG_CONSOLE)
                     : "memory");
    check(low[0] == 0xe9 && low[3] == 0xe9 && low[4] == 0 && edi == (0xabcd0004u | LOW_BUFFER) &&
              ecx == 0x55550000u,
          "addr16 REP INSB of 4 at DI 0x7000 with EDI 0xabcd7000: 0x7000-3 written, EDI 0x%08x, "
          "ECX 0x%08x",
          edi, ecx);

    uint32_t null = 0;
    __asm__("" : "+r"(null)); /* address 0 is guest RAM here: keep the compiler from trapping */
    volatile uint8_t *zero = (volatile uint8_t *)null;
    volatile uint8_t *top = (volatile uint8_t *)0xfffe;
    uint8_t keep[4] = {zero[0], zero[1], top[0], top[1]};
    zero[0] = zero[1] = top[0] = top[1] = 0;
    edi = 0x0001fffeu;
    ecx = 4;
    __asm__ volatile(".byte 0x67, 0xf3, 0x6c"
                     : "+D"(edi), "+c"(ecx)
                     : "d"(MICA_PORT_DEBUG_CONSOLE)
                     : "memory");
    bool ok = top[0] == 0xe9 && top[1] == 0xe9 && zero[0] == 0xe9 && zero[1] == 0xe9 &&
              edi == 0x00010002u && ecx == 0;
    uint8_t got0 = zero[0];
    zero[0] = keep[0];
    zero[1] = keep[1];
    top[0] = keep[2];
    top[1] = keep[3];
    check(ok,
          "addr16 REP INSB of 4 at DI 0xfffe: DI wraps to 0 inside the segment (byte 0 0x%x, "
          "EDI 0x%08x)",
          got0, edi);
}

static const char fs_line[] = "# REP OUTSB through FS: this line came from FS:ESI\n";

static void check_string_out(void)
{
    const void *si = fs_line + 4;
    uint32_t cx = 16;
    __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(POST_PORT) : "memory");
    check(si == fs_line + 20 && cx == 0, "REP OUTSB of 16 to 0x80: ESI +%d, ECX %u",
          (int)((const char *)si - (fs_line + 4)), cx);

    /* A segment override: FS based 0x1000 below the line (the base set through its MSR). */
    uint32_t base = (uint32_t)fs_line - 0x1000u;
    __asm__ volatile("wrmsr" : : "c"(MSR_IA32_FS_BASE), "a"(base), "d"(0u));
    uint32_t esi = 0x1000;
    cx = sizeof(fs_line) - 1;
    __asm__ volatile("rep outsb %%fs:(%%esi), (%%dx)"
                     : "+S"(esi), "+c"(cx)
                     : "d"(MICA_PORT_DEBUG_CONSOLE)
                     : "memory");
    __asm__ volatile("mov %0, %%fs" : : "r"(SEL_DATA));
    check(esi == 0x1000 + sizeof(fs_line) - 1 && cx == 0,
          "REP OUTSB with an FS override printed the line above (ESI 0x%x)", esi);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    printf("hostile_ports: the hypervisor's ports, unclaimed ports, string I/O\n");
    uint32_t ram_end = mb1_ram_end(mbi);
    printf("1..%u\n", CHECKS);
    check(ram_end >= (16u << 20), "guest RAM end from the Multiboot memory map: 0x%x", ram_end);
    check_pci_config();
    check_unclaimed();
    check_string_in();
    check_string_a16();
    check_string_out();
    if (failures) {
        printf("# %u checks failed\n", failures);
        guest_exit(MICA_GUEST_FAIL);
    }

    /* Last: string input running past the end of guest RAM. The hypervisor must stop the guest at
     * the first byte outside it, after writing the 16 that are inside. */
    void *di = (void *)(ram_end - 16);
    uint32_t cx = 64;
    printf("# REP INSB of 64 bytes at 0x%x, 16 bytes before the end of guest RAM\n", ram_end - 16);
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(MICA_PORT_DEBUG_CONSOLE) : "memory");
    printf("still running (EDI 0x%x, ECX %u)\n", (uint32_t)di, cx);
    guest_exit(MICA_GUEST_FAIL);
}
