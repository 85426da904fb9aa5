/* Fuzzing test guest after Hyper-Cube (NDSS 2020): a seeded xorshift generator drives random
 * hypercalls, I/O batches, port and string I/O, MSRs, CPUID, control registers and memory reads. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/mb1.h"

/*
 * Command line (the GRUB module string): "fuzz_guest [seed=S] [ops=N] [progress=P] [trace=T]",
 * numbers in decimal or 0x hex. Without seed= the seed comes from the TSC; it is printed first, so
 * any run can be repeated. ops= defaults to 20000 (tests/integration/fuzz-guest.t), progress= (a
 * line every P operations, with the VM exit count) to 1000; trace=T prints every operation from
 * number T on, with its arguments (it changes the timing, so a timer-dependent failure may move).
 *
 * A million operations, by hand:
 *   make build/mica.elf build/guests/fuzz_guest.elf
 *   sh scripts/make-iso.sh build/fuzz-1m.iso build/mica.elf multiboot2 "fatal=poweroff" \
 *       build/guests/fuzz_guest.elf "fuzz_guest seed=1 ops=1000000"
 *   python3 tests/emu.py --emu bochs --iso build/fuzz-1m.iso --name fuzz-1m --timeout 3600
 * (or, on the GRUB menu of any ISO with this guest, edit the module line to add "ops=1000000").
 *
 * The guest keeps interrupts off (CLI) throughout and stays clear of what would end it by design:
 * OUT to the debug-exit port 0xf4, port 0x92's reset bit, accesses beyond guest RAM (string I/O
 * and memory). It also leaves out what would only flood the log or storm interrupts it never
 * takes: OUT to the debug console 0xe9 and to COM1's data register 0x3f8 (both print), and loading
 * a count into PIT channel 0 (port 0x40). Everything the hypervisor may write into guest memory
 * (I/O batch results, string input, the shared page) points into a scratch area or past the end
 * of RAM, never at the guest's own code, data or stack.
 *
 * Invariants checked on the way (a violation is printed and fails the run): hypercall statuses
 * are the documented ones for the arguments given, registers other than EAX/EBX (ECX for
 * EXIT_COUNT) are preserved, PING returns its argument + 1, a batch never completes more
 * entries than asked for, CPUID keeps the hypervisor's identification, VMX instructions raise
 * #UD, the debug console and the refused PCI ports read as documented.
 */

#define DEFAULT_OPS      20000u
#define DEFAULT_PROGRESS 1000u
#define SCRATCH_BASE     0x400000u /* 4-8 MiB: nothing of the guest's lives there */
#define SCRATCH_SIZE     0x400000u
#define TAIL_SIZE        0x10000u /* the last 64 KiB of guest RAM: also unused */
#define PAGE             4096u
#define MAX_VIOLATIONS   50u

#define MSR_FEATURE_CONTROL 0x3au
#define GUEST_APIC_BASE     0xfee00900u
#define CR0_PE              (1u << 0)
#define CR0_PG              (1u << 31)
#define CR0_DEFINED         0xe005003fu /* PE MP EM TS ET NE WP AM NW CD PG */
#define PORT_PIT0           0x40u
#define PORT_92             0x92u
#define PORT_COM1_DATA      0x3f8u
#define PCI_FIRST           0xcf8u
#define PCI_LAST            0xcffu

static uint64_t rng;
static uint32_t ram_end, seed, ops = DEFAULT_OPS, progress = DEFAULT_PROGRESS;
static uint32_t op_index, violations, trace_from = 0xffffffffu;
static bool shared_registered;

static struct {
    uint32_t hypercalls, batches, batch_entries, shared, port_in, port_out, string_io, rdmsr, wrmsr,
        msr_faults, cpuid, cr, cr_faults, mem, misc;
} stats;

/* ---- random numbers: xorshift64 (Marsaglia), no multiplication or division needed ---- */

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static uint64_t rnd64(void)
{
    uint64_t hi = rnd();
    return (hi << 32) | rnd();
}

/* 0 .. n-1 (n > 0); the slight modulo bias does not matter here. */
static uint32_t below(uint32_t n)
{
    return rnd() % n;
}

static bool chance(uint32_t percent)
{
    return below(100) < percent;
}

static bool tracing(void)
{
    return op_index >= trace_from;
}

static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
    va_list ap;
    violations++;
    if (violations > MAX_VIOLATIONS)
        return;
    printf("fuzz_guest: VIOLATION at operation %u: ", op_index);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    console_putc('\n');
}

/* ---- command line ---- */

static bool parse_number(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    unsigned base = 10, digits = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s && *s != ' '; s++, digits++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        v = v * base + d;
    }
    *out = v;
    return digits > 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return false;
    return true;
}

/* Returns whether a seed was given. */
static bool parse_cmdline(const char *s)
{
    bool have_seed = false;
    while (*s) {
        while (*s == ' ')
            s++;
        uint32_t v;
        if (starts_with(s, "seed=") && parse_number(s + 5, &v)) {
            seed = v;
            have_seed = true;
        } else if (starts_with(s, "ops=") && parse_number(s + 4, &v)) {
            ops = v;
        } else if (starts_with(s, "progress=") && parse_number(s + 9, &v) && v > 0) {
            progress = v;
        } else if (starts_with(s, "trace=") && parse_number(s + 6, &v)) {
            trace_from = v;
        }
        while (*s && *s != ' ')
            s++;
    }
    return have_seed;
}

/* ---- addresses the hypervisor may write to ---- */

/* A random address in the scratch area with room for `room` bytes, aligned to `align`. */
static uint32_t scratch(uint32_t room, uint32_t align)
{
    return (SCRATCH_BASE + below(SCRATCH_SIZE - room)) & ~(align - 1);
}

/* A guest-physical address that is not guest RAM (32-bit: a hypercall argument). */
static uint32_t beyond_ram(void)
{
    switch (below(4)) {
    case 0:
        return ram_end;
    case 1:
        return ram_end + below(0x1000000);
    case 2:
        return 0xfffff000u | (rnd() & 0xfff);
    default:
        return ram_end | rnd(); /* at least ram_end */
    }
}

/* ---- ports ---- */

static const uint16_t device_ports[] = {
    0x20, 0x21, 0xa0, 0xa1,  0x40,  0x41,  0x42,  0x43,  0x61,  0x70,  0x71,  0x80,
    0x92, 0xe9, 0xf4, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
};
/* Ports of the host's devices (ACPI PM1a_CNT 0xb004 and SMI_CMD 0xb2 under Bochs, ATA, VGA,
 * ELCR) that must not reach the host: nobody's in mica, except the primary ATA channel (0x1f0,
 * 0x1f7, 0x3f6), which is the emulated one (no drive unless disk= gives one). */
static const uint16_t other_ports[] = {
    0x00,  0x60,  0x64,  0xb2,  0x1f0,  0x1f7,  0x170, 0x376, 0x3f6,  0x2f8,
    0x3c0, 0x3d4, 0x4d0, 0x4d1, 0xb000, 0xb004, 0xcf4, 0xd00, 0xfffe, 0xffff,
};

static uint16_t pick_port(void)
{
    uint32_t r = below(100);
    if (r < 62)
        return device_ports[below(sizeof(device_ports) / sizeof(device_ports[0]))];
    if (r < 94)
        return other_ports[below(sizeof(other_ports) / sizeof(other_ports[0]))];
    if (r < 95)
        return (uint16_t)(PCI_FIRST + below(PCI_LAST - PCI_FIRST + 1));
    return (uint16_t)rnd(); /* each new unclaimed port is logged once: keep these rare */
}

/* An OUT the guest must not do (see the top of the file); value matters only for port 0x92. */
static bool out_forbidden(uint16_t port, uint32_t value, bool string)
{
    if (port == MICA_PORT_DEBUG_EXIT || port == MICA_PORT_DEBUG_CONSOLE || port == PORT_COM1_DATA ||
        port == PORT_PIT0)
        return true;
    return port == PORT_92 && (string || (value & 1));
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static unsigned pick_size(void)
{
    static const unsigned sizes[] = {1, 2, 4};
    return sizes[below(3)];
}

static void check_port_in(uint16_t port, unsigned size, uint32_t v)
{
    if (port == MICA_PORT_DEBUG_CONSOLE && size == 1 && v != 0xe9)
        violation("IN 1 byte from 0xe9 read 0x%x, not 0xe9", v);
    if (port <= PCI_LAST && port + size - 1 >= PCI_FIRST && v != size_mask(size))
        violation("IN %u bytes from 0x%x (the hypervisor's PCI ports) read 0x%x", size, port, v);
}

static void op_port_in(void)
{
    uint16_t port = pick_port();
    unsigned size = pick_size();
    uint32_t v = rnd(); /* the upper part of EAX must survive a 1 or 2-byte IN */
    uint32_t before = v;
    if (size == 1)
        __asm__ volatile("inb %w1, %b0" : "+a"(v) : "Nd"(port));
    else if (size == 2)
        __asm__ volatile("inw %w1, %w0" : "+a"(v) : "Nd"(port));
    else
        __asm__ volatile("inl %w1, %0" : "+a"(v) : "Nd"(port));
    stats.port_in++;
    if (tracing())
        printf("  IN %u bytes from 0x%x: 0x%x\n", size, port, v);
    if (size < 4 && (v & ~size_mask(size)) != (before & ~size_mask(size)))
        violation("IN %u bytes from 0x%x changed EAX above the operand (0x%x -> 0x%x)", size, port,
                  before, v);
    check_port_in(port, size, v & size_mask(size));
}

static void op_port_out(void)
{
    uint16_t port = pick_port();
    unsigned size = pick_size();
    uint32_t v = rnd();
    if (out_forbidden(port, v, false)) {
        if (port != PORT_92)
            return;
        v &= ~1u;
    }
    if (tracing())
        printf("  OUT %u bytes to 0x%x: 0x%x\n", size, port, v);
    if (size == 1)
        __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
    else if (size == 2)
        __asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
    else
        __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
    stats.port_out++;
}

/* REP INS/OUTS of 1-256 elements on a scratch buffer, either direction flag; sometimes with a
 * 16-bit address size (DI/SI and CX, the buffer then in the first 64 KiB). */
static void op_string_io(void)
{
    uint16_t port = pick_port();
    unsigned size = pick_size();
    uint32_t count = 1 + below(256);
    bool in = chance(60) || out_forbidden(port, 1, true);
    bool down = chance(25);
    bool a16 = chance(10);
    uint32_t bytes = count * size;
    uint32_t index, cx = count;
    if (a16) {
        /* Anywhere below 64 KiB except the Multiboot area, whatever the wrap: only DI counts. */
        index = (rnd() & 0xffff0000u) | (below(0x7000 - bytes) + (down ? bytes : 0));
        cx |= rnd() & 0xffff0000u; /* the upper half of ECX must be left alone */
    } else {
        index = scratch(2 * bytes, 1) + (down ? bytes : 0);
    }
    uint32_t index0 = index, cx0 = cx;
    if (tracing())
        printf("  REP %s, %u x %u bytes, port 0x%x, index 0x%x%s%s\n", in ? "INS" : "OUTS", count,
               size, port, index, down ? ", DF=1" : "", a16 ? ", addr16" : "");
    if (down)
        __asm__ volatile("std" ::: "cc");
    if (in && !a16 && size == 1)
        __asm__ volatile("rep insb" : "+D"(index), "+c"(cx) : "d"(port) : "memory");
    else if (in && !a16 && size == 2)
        __asm__ volatile("rep insw" : "+D"(index), "+c"(cx) : "d"(port) : "memory");
    else if (in && !a16)
        __asm__ volatile("rep insl" : "+D"(index), "+c"(cx) : "d"(port) : "memory");
    else if (in && size == 1)
        __asm__ volatile(".byte 0x67, 0xf3, 0x6c" : "+D"(index), "+c"(cx) : "d"(port) : "memory");
    else if (in && size == 2)
        __asm__ volatile(".byte 0x66, 0x67, 0xf3, 0x6d"
                         : "+D"(index), "+c"(cx)
                         : "d"(port)
                         : "memory");
    else if (in)
        __asm__ volatile(".byte 0x67, 0xf3, 0x6d" : "+D"(index), "+c"(cx) : "d"(port) : "memory");
    else if (!a16 && size == 1)
        __asm__ volatile("rep outsb" : "+S"(index), "+c"(cx) : "d"(port) : "memory");
    else if (!a16 && size == 2)
        __asm__ volatile("rep outsw" : "+S"(index), "+c"(cx) : "d"(port) : "memory");
    else if (!a16)
        __asm__ volatile("rep outsl" : "+S"(index), "+c"(cx) : "d"(port) : "memory");
    else if (size == 1)
        __asm__ volatile(".byte 0x67, 0xf3, 0x6e" : "+S"(index), "+c"(cx) : "d"(port) : "memory");
    else if (size == 2)
        __asm__ volatile(".byte 0x66, 0x67, 0xf3, 0x6f"
                         : "+S"(index), "+c"(cx)
                         : "d"(port)
                         : "memory");
    else
        __asm__ volatile(".byte 0x67, 0xf3, 0x6f" : "+S"(index), "+c"(cx) : "d"(port) : "memory");
    __asm__ volatile("cld" ::: "cc");
    stats.string_io++;
    uint32_t mask = a16 ? 0xffffu : 0xffffffffu;
    uint32_t want = down ? index0 - bytes : index0 + bytes;
    want = (index0 & ~mask) | (want & mask);
    if (index != want || cx != (cx0 & ~mask))
        violation("REP %s%c of %u at port 0x%x%s%s: index 0x%x -> 0x%x (expected 0x%x), ECX "
                  "0x%x -> 0x%x",
                  in ? "INS" : "OUTS", "BWD"[size / 2], count, port, down ? ", DF=1" : "",
                  a16 ? ", addr16" : "", index0, index, want, cx0, cx);
}

/* ---- hypercalls ---- */

struct hc_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi;
};

/* VMCALL with every argument register set; EDI must come back unchanged too. */
static struct hc_regs do_vmcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
    struct hc_regs r = {nr, a1, a2, a3, a4, rnd()};
    uint32_t edi = r.edi;
    if (tracing())
        printf("  VMCALL 0x%x (0x%x, 0x%x, 0x%x, 0x%x)\n", nr, a1, a2, a3, a4);
    __asm__ volatile("vmcall"
                     : "+a"(r.eax), "+b"(r.ebx), "+c"(r.ecx), "+d"(r.edx), "+S"(r.esi), "+D"(edi)
                     :
                     : "memory");
    if (r.edx != a3 || r.esi != a4 || edi != r.edi)
        violation("hypercall 0x%x changed EDX/ESI/EDI (0x%x 0x%x 0x%x -> 0x%x 0x%x 0x%x)", nr, a3,
                  a4, r.edi, r.edx, r.esi, edi);
    if (r.eax > MICA_HC_EPERM)
        violation("hypercall 0x%x returned status %u, not a documented one", nr, r.eax);
    stats.hypercalls++;
    if (tracing())
        printf("  -> status %u, EBX 0x%x\n", r.eax, r.ebx);
    return r;
}

static void gen_entry(struct mica_io_op *op)
{
    op->port = pick_port();
    op->size = chance(90) ? (uint8_t)pick_size() : (uint8_t)rnd();
    op->flags = chance(90) ? (uint8_t)below(4) : (uint8_t)rnd();
    bool string = op->flags & MICA_IO_STRING;
    if (string) {
        uint32_t r = below(100);
        op->count = r < 85 ? 1 + below(64) : r < 90 ? 0 : r < 95 ? MICA_IO_STRING_MAX : rnd();
        unsigned size = op->size <= 4 ? op->size : 4;
        uint32_t room = (op->count <= MICA_IO_STRING_MAX ? op->count : MICA_IO_STRING_MAX) * size;
        r = below(100);
        if (r < 80)
            op->value = scratch(room + 4, 1);
        else if (r < 88)
            op->value = ram_end - below(room + 1); /* runs past the end of RAM */
        else if (r < 96)
            op->value = (uint64_t)beyond_ram() + (chance(50) ? rnd64() & ~0xffffffffull : 0);
        else
            op->value = ~0ull - below(64); /* wraps 2^64 */
    } else {
        op->count = chance(90) ? below(2) : rnd();
        op->value = rnd64();
    }
    if ((op->flags & MICA_IO_OUT) && out_forbidden(op->port, (uint32_t)op->value, string)) {
        if (op->port == PORT_92 && !string)
            op->value &= ~1ull;
        else
            op->flags &= (uint8_t)~MICA_IO_OUT;
    }
    if (tracing())
        printf("  entry: port 0x%x size %u flags 0x%x count %u value 0x%x%08x\n", op->port,
               op->size, op->flags, op->count, (uint32_t)(op->value >> 32), (uint32_t)op->value);
}

static void op_io_batch(void)
{
    uint32_t r = below(100), count;
    if (r < 70)
        count = 1 + below(16);
    else if (r < 82)
        count = 1 + below(MICA_IO_BATCH_MAX);
    else if (r < 92)
        count = (uint32_t[]){0, MICA_IO_BATCH_MAX, MICA_IO_BATCH_MAX + 1, 0xffffffffu}[below(4)];
    else
        count = rnd();
    uint32_t fill = count <= MICA_IO_BATCH_MAX ? count : MICA_IO_BATCH_MAX;
    uint32_t bytes = fill * MICA_IO_OP_SIZE, array;
    r = below(100);
    if (r < 76) {
        array = scratch(bytes + 16, 8);
    } else if (r < 84) {
        array = scratch(bytes + 16, 8) + 1 + below(7); /* misaligned */
    } else if (r < 92) {
        /* Ends inside the last entries or beyond the end of guest RAM. */
        array = (ram_end - below(bytes + 1)) & ~7u;
        if (array < ram_end - TAIL_SIZE)
            array = ram_end - TAIL_SIZE;
    } else {
        array = beyond_ram() & ~7u;
    }
    struct mica_io_op *q = (struct mica_io_op *)array;
    /* Only the entries wholly inside guest RAM are written (64-bit sums: no wrap at 4 GiB). */
    for (uint32_t i = 0;
         i < fill && (uint64_t)array + (uint64_t)(i + 1) * MICA_IO_OP_SIZE <= ram_end; i++)
        gen_entry(&q[i]);
    struct hc_regs res = do_vmcall(MICA_HC_IO_BATCH, array, count, rnd(), rnd());
    stats.batches++;
    stats.batch_entries += res.ebx;
    if (res.ebx > count || (res.eax == MICA_HC_OK && res.ebx != count))
        violation("IO_BATCH of %u at 0x%x: status %u with %u done", count, array, res.eax, res.ebx);
    if ((count == 0 || array % 8) && res.eax != MICA_HC_EINVAL)
        violation("IO_BATCH of %u at 0x%x: status %u, not EINVAL", count, array, res.eax);
    else if (count > MICA_IO_BATCH_MAX && array % 8 == 0 && res.eax != MICA_HC_E2BIG)
        violation("IO_BATCH of %u: status %u, not E2BIG", count, res.eax);
    else if (count >= 1 && array % 8 == 0 && array >= ram_end && count <= MICA_IO_BATCH_MAX &&
             res.eax != MICA_HC_EFAULT)
        violation("IO_BATCH at 0x%x (not RAM): status %u, not EFAULT", array, res.eax);
}

static void op_shared_page(void)
{
    uint32_t r = below(100), gpa, want;
    if (r < 30) {
        gpa = scratch(PAGE, PAGE);
        want = shared_registered ? MICA_HC_EINVAL : MICA_HC_OK;
    } else if (r < 60) {
        gpa = scratch(2 * PAGE, 1) | (1 + below(PAGE - 1)); /* unaligned */
        want = MICA_HC_EINVAL;
    } else {
        gpa = beyond_ram() & ~(PAGE - 1);
        want = shared_registered ? MICA_HC_EINVAL : MICA_HC_EFAULT;
    }
    struct hc_regs res = do_vmcall(MICA_HC_SHARED_PAGE, gpa, rnd(), rnd(), rnd());
    stats.shared++;
    if (res.eax != want)
        violation("SHARED_PAGE(0x%x): status %u, expected %u", gpa, res.eax, want);
    if (res.eax == MICA_HC_OK) {
        shared_registered = true;
        printf("fuzz_guest: shared page registered at 0x%x (operation %u)\n", gpa, op_index);
    }
}

static void op_hypercall(void)
{
    uint32_t r = below(100), nr;
    if (r < 55)
        nr = below(8);
    else if (r < 75)
        nr = (uint32_t[]){5, 6, 0x100, 0x7fffffff, 0x80000000u, 0xffffffffu}[below(6)];
    else
        nr = rnd();
    if (nr == MICA_HC_IO_BATCH) {
        op_io_batch();
        return;
    }
    if (nr == MICA_HC_SHARED_PAGE) {
        op_shared_page();
        return;
    }
    uint32_t a1 = chance(50) ? below(160) : chance(50) ? 0xffffffffu : rnd();
    struct hc_regs res = do_vmcall(nr, a1, rnd(), rnd(), rnd());
    switch (nr) {
    case MICA_HC_PING:
        if (res.eax != MICA_HC_OK || res.ebx != a1 + 1)
            violation("PING(0x%x): status %u, EBX 0x%x", a1, res.eax, res.ebx);
        break;
    case MICA_HC_EXIT_COUNT: {
        uint32_t want = (a1 < 128 || a1 == MICA_EXIT_COUNT_ALL) ? MICA_HC_OK : MICA_HC_EINVAL;
        if (res.eax != want)
            violation("EXIT_COUNT(0x%x): status %u, expected %u", a1, res.eax, want);
        break;
    }
    case MICA_HC_INTERRUPT_NOTIFY: {
        uint32_t want = shared_registered ? MICA_HC_OK : MICA_HC_EINVAL;
        if (res.eax != want)
            violation("INTERRUPT_NOTIFY: status %u, expected %u", res.eax, want);
        break;
    }
    case MICA_HC_HOST_TIME:
        if (res.eax != MICA_HC_OK)
            violation("HOST_TIME: status %u", res.eax);
        break;
    default:
        if (res.eax != MICA_HC_ENOSYS || res.ebx != a1)
            violation("hypercall 0x%x: status %u, EBX 0x%x (expected ENOSYS, EBX 0x%x)", nr,
                      res.eax, res.ebx, a1);
    }
}

/* ---- MSRs ---- */

static const uint32_t known_msrs[] = {
    0x10,       0x17,       0x1b,       0x3a,       0x8b,       0xfe,       0x174,      0x175,
    0x176,      0x179,      0x17a,      0x1a0,      0x1d9,      0x277,      0xc0000080, 0xc0000081,
    0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
};

static uint32_t pick_msr(void)
{
    uint32_t r = below(100);
    if (r < 55)
        return known_msrs[below(sizeof(known_msrs) / sizeof(known_msrs[0]))];
    if (r < 65)
        return 0x480 + below(0x12); /* VMX capabilities */
    if (r < 80)
        return below(0x2000);
    if (r < 90)
        return 0xc0000000u + below(0x2000);
    return rnd();
}

struct msr_op {
    uint32_t msr;
    uint64_t value;
};

static void do_rdmsr(void *p)
{
    struct msr_op *m = p;
    m->value = rdmsr(m->msr);
}

static void do_wrmsr(void *p)
{
    struct msr_op *m = p;
    wrmsr(m->msr, m->value);
}

static void op_rdmsr(void)
{
    struct msr_op m = {.msr = pick_msr()};
    int f = catch_fault(do_rdmsr, &m);
    if (tracing())
        printf("  RDMSR 0x%x: vector %d, 0x%x%08x\n", m.msr, f - 1, (uint32_t)(m.value >> 32),
               (uint32_t)m.value);
    stats.rdmsr++;
    stats.msr_faults += f != 0;
    if (f && f != VEC_GP + 1)
        violation("RDMSR 0x%x raised vector %d, not #GP", m.msr, f - 1);
    if (m.msr == MSR_FEATURE_CONTROL && (f || m.value != 1))
        violation("RDMSR IA32_FEATURE_CONTROL: vector %d, value 0x%x", f - 1, (uint32_t)m.value);
    if (m.msr == MSR_IA32_APIC_BASE && (f || m.value != GUEST_APIC_BASE))
        violation("RDMSR IA32_APIC_BASE: vector %d, value 0x%x", f - 1, (uint32_t)m.value);
    if (m.msr >= 0x480 && m.msr <= 0x491 && f != VEC_GP + 1)
        violation("RDMSR of VMX capability 0x%x did not raise #GP", m.msr);
}

static void op_wrmsr(void)
{
    struct msr_op m = {.msr = pick_msr()};
    uint32_t r = below(100);
    if (r < 40) {
        struct msr_op cur = {.msr = m.msr};
        catch_fault(do_rdmsr, &cur);
        m.value = cur.value ^ (1ull << below(64)); /* one bit off what it holds */
    } else if (r < 70) {
        m.value = rnd64();
    } else {
        m.value = (uint64_t[]){0,
                               1,
                               0xfee00900u,
                               0x0007040600070406ull,
                               0x801,
                               0xffff800000000000ull,
                               0x0000800000000000ull}[below(7)];
    }
    int f = catch_fault(do_wrmsr, &m);
    if (tracing())
        printf("  WRMSR 0x%x <- 0x%x%08x: vector %d\n", m.msr, (uint32_t)(m.value >> 32),
               (uint32_t)m.value, f - 1);
    stats.wrmsr++;
    stats.msr_faults += f != 0;
    if (f && f != VEC_GP + 1)
        violation("WRMSR 0x%x raised vector %d, not #GP", m.msr, f - 1);
    if ((m.msr == MSR_FEATURE_CONTROL || (m.msr >= 0x480 && m.msr <= 0x491)) && !f)
        violation("WRMSR 0x%x <- 0x%x%08x was accepted", m.msr, (uint32_t)(m.value >> 32),
                  (uint32_t)m.value);
}

/* ---- CPUID ---- */

static void op_cpuid(void)
{
    uint32_t r = below(100), leaf;
    if (r < 40)
        leaf = below(0x21);
    else if (r < 60)
        leaf = 0x80000000u + below(0x21);
    else if (r < 80)
        leaf = MICA_CPUID_BASE_LEAF + (chance(50) ? below(4) : rnd() & 0x0fffffffu);
    else
        leaf = rnd();
    uint32_t sub = chance(70) ? below(8) : rnd();
    struct cpuid_regs c = cpuid(leaf, sub);
    stats.cpuid++;
    if (leaf == 1 && (!(c.ecx & (1u << 31)) || (c.ecx & ((1u << 5) | (1u << 6) | (1u << 21)))))
        violation("CPUID.1:ECX 0x%08x: hypervisor bit clear or VMX/SMX/x2APIC shown", c.ecx);
    if (leaf == MICA_CPUID_BASE_LEAF &&
        (c.eax != MICA_CPUID_MAX_LEAF || c.ebx != MICA_CPUID_SIGNATURE_EBX ||
         c.ecx != MICA_CPUID_SIGNATURE_ECX || c.edx != MICA_CPUID_SIGNATURE_EDX))
        violation("CPUID.0x40000000: 0x%x 0x%x 0x%x 0x%x", c.eax, c.ebx, c.ecx, c.edx);
    if (leaf > MICA_CPUID_MAX_LEAF && leaf <= 0x4fffffffu && (c.eax | c.ebx | c.ecx | c.edx))
        violation("CPUID.0x%x (hypervisor range): not all zero", leaf);
}

/* ---- control registers ---- */

static void do_write_cr0(void *p)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(*(uint32_t *)p) : "memory");
}

static void do_write_cr3(void *p)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(*(uint32_t *)p) : "memory");
}

static void do_write_cr4(void *p)
{
    write_cr4(*(uint32_t *)p);
}

static void do_lmsw(void *p)
{
    __asm__ volatile("lmsw %w0" : : "r"(*(uint32_t *)p) : "memory");
}

static void do_clts(void *p)
{
    (void)p;
    __asm__ volatile("clts" ::: "memory");
}

static uint32_t flip(uint32_t v)
{
    return chance(70) ? v ^ (1u << below(32)) : rnd();
}

static void op_cr(void)
{
    uint32_t r = below(100), v;
    int f;
    if (r < 40) {
        /* CR0: any bits but PE and PG (paging stays off, protected mode stays on). */
        uint32_t old = read_cr0();
        v = (flip(old) & ~(CR0_PE | CR0_PG)) | CR0_PE;
        f = catch_fault(do_write_cr0, &v);
        uint32_t now = read_cr0();
        if (!f && ((now ^ v) & CR0_DEFINED & ~(1u << 4)))
            violation("MOV CR0 <- 0x%08x accepted, reads 0x%08x", v, now);
        if (f && now != old)
            violation("MOV CR0 <- 0x%08x faulted but CR0 went 0x%08x -> 0x%08x", v, old, now);
    } else if (r < 75) {
        uint32_t old = read_cr4();
        v = flip(old);
        f = catch_fault(do_write_cr4, &v);
        uint32_t now = read_cr4();
        if (!f && now != v)
            violation("MOV CR4 <- 0x%08x accepted, reads 0x%08x", v, now);
        if (f && now != old)
            violation("MOV CR4 <- 0x%08x faulted but CR4 went 0x%08x -> 0x%08x", v, old, now);
        if (!f && (now & CR4_VMXE))
            violation("MOV CR4 with VMXE accepted (0x%08x)", now);
    } else if (r < 85) {
        v = rnd() & (chance(50) ? 0xfffff000u : 0xffffffffu); /* paging is off: not used */
        f = catch_fault(do_write_cr3, &v);
    } else if (r < 95) {
        v = rnd() | CR0_PE; /* LMSW cannot clear PE */
        f = catch_fault(do_lmsw, &v);
    } else {
        v = 0;
        f = catch_fault(do_clts, &v);
    }
    stats.cr++;
    if (tracing())
        printf("  control register (%u) <- 0x%x: vector %d\n", r, v, f - 1);
    stats.cr_faults += f != 0;
    if (f && f != VEC_GP + 1)
        violation("control-register write 0x%08x raised vector %d, not #GP", v, f - 1);
}

/* ---- memory reads anywhere in guest RAM ---- */

static uint32_t mem_sink;

static void op_mem(void)
{
    uint32_t a = below(ram_end - 4);
    switch (below(3)) {
    case 0:
        mem_sink += *(volatile uint8_t *)a;
        break;
    case 1:
        mem_sink += *(volatile uint16_t *)a;
        break;
    default:
        mem_sink += *(volatile uint32_t *)a;
    }
    stats.mem++;
}

/* ---- instructions that exit (or must fault) ---- */

static void do_misc(void *p)
{
    switch (*(uint32_t *)p) {
    case 0:
        __asm__ volatile("wbinvd" ::: "memory");
        break;
    case 1:
        __asm__ volatile("invd" ::: "memory");
        break;
    case 2:
        __asm__ volatile("vmxoff" ::: "cc", "memory");
        break;
    case 3:
        __asm__ volatile("vmlaunch" ::: "cc", "memory");
        break;
    case 4:
        __asm__ volatile("vmresume" ::: "cc", "memory");
        break;
    case 5: {
        uint64_t region = rnd64();
        __asm__ volatile("vmxon %0" : : "m"(region) : "cc", "memory");
        break;
    }
    case 6: {
        uint64_t ptr = rnd64();
        __asm__ volatile("vmptrld %0" : : "m"(ptr) : "cc", "memory");
        break;
    }
    default:
        mem_sink += (uint32_t)rdtsc();
    }
}

static void op_misc(void)
{
    uint32_t which = below(8);
    int f = catch_fault(do_misc, &which);
    stats.misc++;
    bool vmx = which >= 2 && which <= 6;
    if (vmx && f != VEC_UD + 1)
        violation("VMX instruction %u: vector %d, not #UD", which, f - 1);
    if (!vmx && f)
        violation("instruction %u raised vector %d", which, f - 1);
}

/* ---- the run ---- */

static const struct {
    unsigned weight;
    void (*run)(void);
    const char *name;
} operations[] = {
    {14, op_hypercall, "hypercall"},
    {8, op_io_batch, "io-batch"},
    {1, op_shared_page, "shared-page"},
    {18, op_port_in, "in"},
    {14, op_port_out, "out"},
    {4, op_string_io, "string-io"},
    {4, op_rdmsr, "rdmsr"},
    {3, op_wrmsr, "wrmsr"},
    {9, op_cpuid, "cpuid"},
    {5, op_cr, "cr"},
    {17, op_mem, "mem"},
    {3, op_misc, "misc"},
};

static void run_one(void)
{
    unsigned total = 0;
    for (unsigned i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
        total += operations[i].weight;
    unsigned r = below(total);
    for (unsigned i = 0; i < sizeof(operations) / sizeof(operations[0]); i++) {
        if (r < operations[i].weight) {
            if (op_index >= trace_from)
                printf("fuzz_guest: operation %u: %s (state %08x%08x)\n", op_index,
                       operations[i].name, (uint32_t)(rng >> 32), (uint32_t)rng);
            operations[i].run();
            return;
        }
        r -= operations[i].weight;
    }
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    __asm__ volatile("cli");
    const char *cmdline = mb1_cmdline(mbi);
    ram_end = mb1_ram_end(mbi);
    if (!parse_cmdline(cmdline)) {
        uint64_t tsc = rdtsc();
        seed = (uint32_t)tsc ^ (uint32_t)(tsc >> 32);
    }
    printf("fuzz_guest: seed %u, %u operations (command line \"%s\")\n", seed, ops, cmdline);
    if (ram_end < SCRATCH_BASE + SCRATCH_SIZE + TAIL_SIZE) {
        printf("fuzz_guest: guest RAM ends at 0x%x: need at least 0x%x\n", ram_end,
               SCRATCH_BASE + SCRATCH_SIZE + TAIL_SIZE);
        guest_exit(MICA_GUEST_FAIL);
    }
    rng = ((uint64_t)seed << 32) | (seed ^ 0x9e3779b9u);
    if (rng == 0)
        rng = 1;

    for (op_index = 0; op_index < ops; op_index++) {
        run_one();
        if ((op_index + 1) % progress == 0)
            printf("fuzz_guest: %u of %u operations, %u VM exits so far\n", op_index + 1, ops,
                   mica_exit_count(MICA_EXIT_COUNT_ALL));
    }
    printf("fuzz_guest: hypercalls %u, I/O batches %u (%u entries done), shared page %u, IN %u, "
           "OUT %u, string I/O %u, RDMSR %u, WRMSR %u (%u faulted), CPUID %u, CR writes %u (%u "
           "faulted), memory reads %u, other %u\n",
           stats.hypercalls, stats.batches, stats.batch_entries, stats.shared, stats.port_in,
           stats.port_out, stats.string_io, stats.rdmsr, stats.wrmsr, stats.msr_faults, stats.cpuid,
           stats.cr, stats.cr_faults, stats.mem, stats.misc);
    if (violations) {
        printf("fuzz_guest: %u invariant violations, seed %u\n", violations, seed);
        guest_exit(MICA_GUEST_FAIL);
    }
    printf("fuzz_guest: %u operations done, seed %u\n", ops, seed);
    guest_exit(MICA_GUEST_PASS);
}
