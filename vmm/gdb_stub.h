/* The GDB Remote Serial Protocol layer of the guest debugger: packet framing, replies and the
 * commands. Pure: the serial port and the guest (registers, memory, breakpoints, pause/resume) are
 * reached through struct gdb_target's callbacks, wired by the hardware side.
 *
 * Use: gdb_stub_init(), then gdb_stub_feed() every byte received from gdb and act on the event it
 * returns; call gdb_stub_stopped() whenever the guest stops (breakpoint, single step done, paused
 * after GDB_EVENT_INTERRUPT). Replies go out through target->send while a call runs.
 *
 * Session rules (all-stop mode, one thread, id 1):
 * - Commands assume the guest is paused. A packet that arrives while it runs (a gdb connecting to
 *   a running guest) is acknowledged and held: the feed returns GDB_EVENT_INTERRUPT and the packet
 *   is answered by the next gdb_stub_stopped(); bytes other than Ctrl-C are ignored meanwhile.
 * - 'c'/'s' call resume() and owe gdb a stop reply, sent by the next gdb_stub_stopped(). The
 *   stub's state is updated before resume() is called, so resume() may itself call
 *   gdb_stub_stopped() (a synchronous step).
 * - Ctrl-C (0x03 outside a packet) returns GDB_EVENT_INTERRUPT and owes a stop reply: pause the
 *   guest if it runs, then call gdb_stub_stopped(s, GDB_STOP_INTERRUPT).
 * - 'D' (reply OK) and 'k' (no reply, as the protocol says) remove every breakpoint gdb inserted,
 *   resume the guest (a guest is never killed) and return GDB_EVENT_DETACHED / GDB_EVENT_KILLED.
 * - '-' from gdb outside a packet retransmits the last reply.
 *
 * Error replies: E01 malformed packet (bad hex, missing separator, odd digit count, number wider
 * than 64 bits, bad length or register number), E14 the target refused (read_mem/write_mem/
 * read_regs/write_regs/breakpoint callback returned false, or an address range that wraps),
 * E12 breakpoint table full. Unknown packets get the empty reply. */
#ifndef MICA_VMM_GDB_STUB_H
#define MICA_VMM_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest packet accepted: data characters between '$' and '#' as sent (escapes included);
 * advertised as qSupported PacketSize. Longer packets are discarded with '-'. */
#define GDB_PACKET_MAX      4096
/* Largest reply payload, and largest 'm'/'M' transfer (bigger 'm' lengths are capped to it: the
 * reply is shorter, as the protocol allows; bigger 'M' lengths are E01). */
#define GDB_REPLY_MAX       4096
#define GDB_MEM_MAX         (GDB_REPLY_MAX / 2)
/* Framing a payload of n bytes takes at most this many bytes ('$', escapes, '#', 2 digits). */
#define GDB_FRAMED_MAX(n)   (2 * (n) + 4)
/* Software breakpoints tracked (for idempotent Z0/z0 and removal on detach). */
#define GDB_MAX_BREAKPOINTS 64

/* Register layouts of the 'g'/'G'/'p'/'P' packets: gdb's register numbers and sizes for its
 * default target description (no target.xml is sent). Values are little-endian, each register its
 * own size; the callbacks exchange them as uint64_t (truncated to the size on output, zero-extended
 * on input).
 *
 * GDB_REGS_I386: what gdb expects for a 32-bit guest (a Multiboot kernel) with `set architecture
 * i386`: 16 registers of 4 bytes, eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs.
 * gdb's i386 description goes on with the x87/SSE registers; the stub's shorter 'g' reply makes
 * gdb treat those as not in 'g', and 'p' answers them as unavailable ("xx").
 *
 * GDB_REGS_X86_64: `set architecture i386:x86-64`: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip
 * (8 bytes each), eflags cs ss ds es fs gs (4 bytes each): 24 registers, 164 bytes. */
enum gdb_regs_layout { GDB_REGS_I386, GDB_REGS_X86_64 };

enum {
    GDB_I386_EAX,
    GDB_I386_ECX,
    GDB_I386_EDX,
    GDB_I386_EBX,
    GDB_I386_ESP,
    GDB_I386_EBP,
    GDB_I386_ESI,
    GDB_I386_EDI,
    GDB_I386_EIP,
    GDB_I386_EFLAGS,
    GDB_I386_CS,
    GDB_I386_SS,
    GDB_I386_DS,
    GDB_I386_ES,
    GDB_I386_FS,
    GDB_I386_GS,
    GDB_I386_NREGS
};

enum {
    GDB_X86_64_RAX,
    GDB_X86_64_RBX,
    GDB_X86_64_RCX,
    GDB_X86_64_RDX,
    GDB_X86_64_RSI,
    GDB_X86_64_RDI,
    GDB_X86_64_RBP,
    GDB_X86_64_RSP,
    GDB_X86_64_R8,
    GDB_X86_64_R9,
    GDB_X86_64_R10,
    GDB_X86_64_R11,
    GDB_X86_64_R12,
    GDB_X86_64_R13,
    GDB_X86_64_R14,
    GDB_X86_64_R15,
    GDB_X86_64_RIP,
    GDB_X86_64_EFLAGS,
    GDB_X86_64_CS,
    GDB_X86_64_SS,
    GDB_X86_64_DS,
    GDB_X86_64_ES,
    GDB_X86_64_FS,
    GDB_X86_64_GS,
    GDB_X86_64_NREGS
};

#define GDB_REGS_MAX GDB_X86_64_NREGS

/* Number of registers of a layout (0 for an unknown layout). */
unsigned gdb_regs_count(enum gdb_regs_layout layout);
/* Size in bytes of register regno; 0 when the layout has no such register. */
unsigned gdb_reg_size(enum gdb_regs_layout layout, unsigned regno);
/* The program counter's register number (eip or rip). */
unsigned gdb_reg_pc(enum gdb_regs_layout layout);
/* gdb's name for register regno ("eax", "r8", ...), or NULL. */
const char *gdb_reg_name(enum gdb_regs_layout layout, unsigned regno);

/* The hardware side. Every callback is required; ctx is passed to each. */
struct gdb_target {
    /* Registers in the stub's layout order. On entry *count is gdb_regs_count(layout), the
     * number of slots in regs; fill them and set *count to how many leading registers are valid
     * (the others are reported unavailable). false: the registers cannot be read. */
    bool (*read_regs)(void *ctx, uint64_t *regs, unsigned *count);
    /* Write registers 0..count-1 (values zero-extended from each register's size); registers
     * 'P' or 'G' did not change hold what read_regs returned. false: refused. */
    bool (*write_regs)(void *ctx, const uint64_t *regs, unsigned count);
    /* Guest memory as the guest sees it at addr; false if any byte is inaccessible. len is at
     * most GDB_MEM_MAX and never 0; addr + len does not wrap. */
    bool (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);
    bool (*write_mem)(void *ctx, uint64_t addr, const void *buf, size_t len);
    /* Plant or restore an int3 at addr (the target keeps the original byte). Called once per
     * address: the stub tracks what is inserted. A #BP from a planted int3 must be reported as
     * GDB_STOP_SWBREAK with the program counter at the int3's address. */
    bool (*insert_sw_breakpoint)(void *ctx, uint64_t addr);
    bool (*remove_sw_breakpoint)(void *ctx, uint64_t addr);
    /* Let the guest run (step: one instruction, e.g. with the monitor trap flag) and return;
     * report its next stop with gdb_stub_stopped(). */
    void (*resume)(void *ctx, bool step);
    /* Bytes for gdb (the serial port). */
    void (*send)(void *ctx, const void *buf, size_t len);
    void *ctx;
};

enum gdb_stop_reason {
    GDB_STOP_TRAP,      /* single step done, or any other trap: T05 */
    GDB_STOP_SWBREAK,   /* an inserted int3 was hit: T05, with swbreak: when gdb supports it */
    GDB_STOP_INTERRUPT, /* paused on gdb's request (Ctrl-C): T02 */
};

enum gdb_event {
    GDB_EVENT_NONE,
    GDB_EVENT_INTERRUPT, /* pause the guest (if it runs), then gdb_stub_stopped() */
    GDB_EVENT_DETACHED,  /* 'D': breakpoints removed, guest resumed, gdb gone */
    GDB_EVENT_KILLED,    /* 'k': likewise */
};

enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_ESCAPE, GDB_RX_CSUM1, GDB_RX_CSUM2 };

/* The stub's whole state; the caller provides the storage (about 19 KiB). Read-only outside
 * vmm/gdb_stub.c, except that the counters may be reset. */
struct gdb_stub {
    struct gdb_target target;
    enum gdb_regs_layout layout;

    /* Receiver. */
    enum gdb_rx_state rx_state;
    bool rx_overlong;   /* more than GDB_PACKET_MAX data characters: discarded */
    bool rx_bad_escape; /* '}' right before '#' */
    uint8_t rx_sum;     /* sum of the data characters */
    uint8_t rx_csum;    /* checksum digits received */
    size_t rx_raw;      /* data characters received */
    size_t in_len;      /* unescaped bytes in in[] */
    uint8_t in[GDB_PACKET_MAX];

    /* Session. */
    bool running;    /* the guest runs (resumed, or not yet stopped) */
    bool reply_owed; /* gdb waits for a stop reply */
    bool deferred;   /* in[] holds a packet that arrived while the guest ran */
    bool swbreak;    /* gdb's qSupported offered swbreak+ */
    enum gdb_stop_reason last_stop;
    unsigned breakpoint_count;
    uint64_t breakpoints[GDB_MAX_BREAKPOINTS];

    /* Output: the reply being built, and the last packet sent (kept for retransmission). */
    size_t reply_len;
    char reply[GDB_REPLY_MAX];
    size_t out_len;
    uint8_t out[GDB_FRAMED_MAX(GDB_REPLY_MAX)];
    uint8_t mem[GDB_MEM_MAX];

    /* Counters. */
    uint64_t packets;       /* good packets received */
    uint64_t bad_checksums; /* '-' sent: checksum mismatch, bad digits or a dangling escape */
    uint64_t overlong;      /* '-' sent: packet too long */
    uint64_t interrupts;    /* Ctrl-C received */
    uint64_t retransmits;   /* replies sent again on gdb's '-' */
};

/* false (stub unusable) if a callback is NULL or the layout unknown. guest_running: whether the
 * guest runs now; if it is stopped, '?' reports GDB_STOP_TRAP until the first stop. */
bool gdb_stub_init(struct gdb_stub *s, const struct gdb_target *target, enum gdb_regs_layout layout,
                   bool guest_running);
/* One byte from gdb. Acknowledgements and replies are sent from within. */
enum gdb_event gdb_stub_feed(struct gdb_stub *s, uint8_t byte);
/* The guest stopped (it no longer runs). Sends the stop reply gdb waits for, if any, then answers
 * a packet held while the guest ran (which may resume it again: the event is that packet's). */
enum gdb_event gdb_stub_stopped(struct gdb_stub *s, enum gdb_stop_reason why);

/* Protocol helpers, also used by the tests. */
uint8_t gdb_checksum(const void *data, size_t len);
/* "$payload#cs" with '#', '$', '}' and '*' escaped as '}' (c ^ 0x20); the checksum covers the
 * escaped characters. Returns the framed length, 0 if it does not fit in cap. */
size_t gdb_frame_packet(uint8_t *out, size_t cap, const void *payload, size_t len);
/* Lower-case hex of len bytes in memory order; returns 2 * len, 0 if it does not fit in cap. */
size_t gdb_hex_encode(char *out, size_t cap, const void *data, size_t len);
/* hex_len hex digits (either case) into hex_len / 2 bytes; false on an odd count or a non-digit
 * (out may then be partly written). */
bool gdb_hex_decode(void *out, const char *hex, size_t hex_len);

#endif
