/* Host unit tests of vmm/gdb_stub.c: framing (checksums, escapes, overlong, Ctrl-C, NAK), every
 * command with good and malformed arguments against a fake target, and random input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb_stub.h"

/* ---- Fake target ----------------------------------------------------------------------------- */

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x4000u
#define OUT_MAX  (1u << 16)

struct fake {
    uint8_t mem[MEM_SIZE];
    uint64_t regs[GDB_REGS_MAX];
    unsigned nregs; /* registers read_regs reports */
    bool fail_read_regs, fail_write_regs, fail_insert, fail_remove;
    unsigned read_regs_calls, write_regs_calls, write_regs_count;
    unsigned read_mem_calls, write_mem_calls;
    size_t last_mem_len;
    unsigned insert_calls, remove_calls;
    uint64_t inserted[GDB_MAX_BREAKPOINTS + 8];
    unsigned ninserted;
    unsigned resumes;
    bool last_step;
    bool running;
    bool stop_in_resume; /* resume() reports a stop at once, from inside */
    unsigned sends;
    size_t out_len;
    char out[OUT_MAX];
    enum gdb_event events[64];
    unsigned nevents;
};

static struct fake F;
static struct gdb_stub *S;

static bool in_mem(uint64_t addr, size_t len)
{
    return addr >= MEM_BASE && addr - MEM_BASE <= MEM_SIZE && len <= MEM_SIZE - (addr - MEM_BASE);
}

static bool fake_read_regs(void *ctx, uint64_t *regs, unsigned *count)
{
    struct fake *f = ctx;
    f->read_regs_calls++;
    assert_true(*count == gdb_regs_count(S->layout));
    if (f->fail_read_regs)
        return false;
    unsigned n = f->nregs < *count ? f->nregs : *count;
    memcpy(regs, f->regs, n * sizeof(*regs));
    *count = n;
    return true;
}

static bool fake_write_regs(void *ctx, const uint64_t *regs, unsigned count)
{
    struct fake *f = ctx;
    f->write_regs_calls++;
    assert_true(count <= gdb_regs_count(S->layout));
    if (f->fail_write_regs)
        return false;
    memcpy(f->regs, regs, count * sizeof(*regs));
    f->write_regs_count = count;
    return true;
}

static void check_mem_args(uint64_t addr, size_t len)
{
    assert_true(len > 0 && len <= GDB_MEM_MAX);
    assert_true(addr + (len - 1) >= addr); /* no wrap */
}

static bool fake_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake *f = ctx;
    check_mem_args(addr, len);
    f->read_mem_calls++;
    f->last_mem_len = len;
    if (!in_mem(addr, len))
        return false;
    memcpy(buf, f->mem + (addr - MEM_BASE), len);
    return true;
}

static bool fake_write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    struct fake *f = ctx;
    check_mem_args(addr, len);
    f->write_mem_calls++;
    f->last_mem_len = len;
    if (!in_mem(addr, len))
        return false;
    memcpy(f->mem + (addr - MEM_BASE), buf, len);
    return true;
}

static int find_inserted(const struct fake *f, uint64_t addr)
{
    for (unsigned i = 0; i < f->ninserted; i++)
        if (f->inserted[i] == addr)
            return (int)i;
    return -1;
}

static bool fake_insert(void *ctx, uint64_t addr)
{
    struct fake *f = ctx;
    f->insert_calls++;
    if (f->fail_insert)
        return false;
    assert_true(find_inserted(f, addr) < 0); /* the stub never inserts twice */
    assert_true(f->ninserted < GDB_MAX_BREAKPOINTS);
    f->inserted[f->ninserted++] = addr;
    return true;
}

static bool fake_remove(void *ctx, uint64_t addr)
{
    struct fake *f = ctx;
    f->remove_calls++;
    if (f->fail_remove)
        return false;
    int i = find_inserted(f, addr);
    assert_true(i >= 0); /* the stub only removes what it inserted */
    f->inserted[i] = f->inserted[--f->ninserted];
    return true;
}

static void fake_resume(void *ctx, bool step)
{
    struct fake *f = ctx;
    assert_true(S->running); /* state is updated before the call */
    f->resumes++;
    f->last_step = step;
    f->running = true;
    if (f->stop_in_resume) {
        f->running = false;
        assert_int_equal(gdb_stub_stopped(S, GDB_STOP_TRAP), GDB_EVENT_NONE);
    }
}

static unsigned hexval(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    fail_msg("not a lower-case hex digit: 0x%02x", (unsigned char)c);
    return 0;
}

/* Every send must be a '+' or '-', or one whole packet with a correct checksum. */
static void fake_send(void *ctx, const void *buf, size_t len)
{
    struct fake *f = ctx;
    const char *p = buf;
    f->sends++;
    assert_true(len > 0);
    if (len == 1) {
        assert_true(p[0] == '+' || p[0] == '-');
    } else {
        assert_true(len >= 4 && len <= GDB_FRAMED_MAX(GDB_REPLY_MAX));
        assert_int_equal(p[0], '$');
        assert_int_equal(p[len - 3], '#');
        uint8_t sum = 0;
        for (size_t i = 1; i < len - 3; i++) {
            assert_true(p[i] != '$' && p[i] != '#');
            sum = (uint8_t)(sum + (uint8_t)p[i]);
        }
        assert_int_equal(sum, hexval(p[len - 2]) << 4 | hexval(p[len - 1]));
    }
    if (f->out_len + len > OUT_MAX)
        f->out_len = 0; /* only the random test sends this much; it does not read out[] */
    memcpy(f->out + f->out_len, buf, len);
    f->out_len += len;
}

static struct gdb_target target = {
    .read_regs = fake_read_regs,
    .write_regs = fake_write_regs,
    .read_mem = fake_read_mem,
    .write_mem = fake_write_mem,
    .insert_sw_breakpoint = fake_insert,
    .remove_sw_breakpoint = fake_remove,
    .resume = fake_resume,
    .send = fake_send,
    .ctx = &F,
};

static void reinit(enum gdb_regs_layout layout)
{
    assert_true(gdb_stub_init(S, &target, layout, false));
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    for (unsigned i = 0; i < MEM_SIZE; i++)
        F.mem[i] = (uint8_t)(i * 7 + 3);
    for (unsigned i = 0; i < GDB_REGS_MAX; i++)
        F.regs[i] = 0x1111111100000000ull * (i + 1) + 0x01020304u * (i + 1);
    F.nregs = GDB_REGS_MAX;
    S = malloc(sizeof(*S)); /* alone in its allocation: ASan sees writes past it */
    assert_non_null(S);
    memset(S, 0xa5, sizeof(*S));
    reinit(GDB_REGS_I386);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(S);
    S = NULL;
    return 0;
}

/* ---- Talking to the stub --------------------------------------------------------------------- */

static void feed(const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < n; i++) {
        enum gdb_event ev = gdb_stub_feed(S, p[i]);
        if (ev != GDB_EVENT_NONE && F.nevents < 64)
            F.events[F.nevents++] = ev;
    }
}

static void feed_str(const char *s)
{
    feed(s, strlen(s));
}

/* "$payload#cs", written out here rather than with gdb_frame_packet (no escaping). */
static size_t frame(char *buf, const char *payload, size_t len)
{
    unsigned sum = 0;
    buf[0] = '$';
    memcpy(buf + 1, payload, len);
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)payload[i];
    snprintf(buf + 1 + len, 4, "#%02x", sum & 0xff);
    return len + 4;
}

static void send_packet_n(const char *payload, size_t len)
{
    char *buf = malloc(len + 8);
    assert_non_null(buf);
    size_t n = frame(buf, payload, len);
    feed(buf, n);
    free(buf);
}

static void send_packet(const char *payload)
{
    send_packet_n(payload, strlen(payload));
}

static char reply_buf[GDB_REPLY_MAX + 1];

/* The payload of the one packet at out[0..n); checksum already checked by fake_send. */
static const char *payload_of(const char *p, size_t n)
{
    assert_true(n >= 4);
    assert_int_equal(p[0], '$');
    assert_int_equal(p[n - 3], '#');
    assert_true(n - 4 <= GDB_REPLY_MAX);
    memcpy(reply_buf, p + 1, n - 4);
    reply_buf[n - 4] = 0;
    assert_null(memchr(reply_buf, '}', n - 4)); /* the stub's replies need no escapes */
    return reply_buf;
}

/* Sends one command; expects '+' and one reply packet, returns its payload. */
static const char *cmd_n(const char *payload, size_t len)
{
    F.out_len = 0;
    F.nevents = 0;
    send_packet_n(payload, len);
    assert_true(F.out_len >= 5);
    assert_int_equal(F.out[0], '+');
    return payload_of(F.out + 1, F.out_len - 1);
}

static const char *cmd(const char *payload)
{
    return cmd_n(payload, strlen(payload));
}

/* Sends one command that must get no reply (c, s, k, or a packet held while running). */
static void cmd_noreply(const char *payload)
{
    F.out_len = 0;
    F.nevents = 0;
    send_packet(payload);
    assert_int_equal(F.out_len, 1);
    assert_int_equal(F.out[0], '+');
}

static void out_is(const char *expected)
{
    assert_int_equal(F.out_len, strlen(expected));
    assert_memory_equal(F.out, expected, F.out_len);
}

/* Lower-case little-endian hex of the low size bytes of v. */
static void le_hex(char *out, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned)(uint8_t)(v >> (8 * i)));
}

/* ---- Protocol helpers ------------------------------------------------------------------------ */

static void test_checksum_and_frame(void **state)
{
    (void)state;
    uint8_t out[64];
    assert_int_equal(gdb_checksum("OK", 2), 0x9a);
    assert_int_equal(gdb_checksum("", 0), 0);
    assert_int_equal(gdb_checksum("\xff\xff", 2), 0xfe); /* modulo 256 */

    assert_int_equal(gdb_frame_packet(out, sizeof(out), "OK", 2), 6);
    assert_memory_equal(out, "$OK#9a", 6);
    assert_int_equal(gdb_frame_packet(out, sizeof(out), "", 0), 4);
    assert_memory_equal(out, "$#00", 4);
    assert_int_equal(gdb_frame_packet(out, sizeof(out), "E01", 3), 7);
    assert_memory_equal(out, "$E01#a6", 7);

    /* '#', '$', '}' and '*' are escaped; the checksum covers the escaped bytes */
    const char raw[] = "$a}\x03}\x04}]}\x0a#";
    unsigned sum = 0;
    for (size_t i = 1; i < sizeof(raw) - 2; i++)
        sum += (uint8_t)raw[i];
    char expected[32];
    memcpy(expected, raw, sizeof(raw) - 1);
    snprintf(expected + sizeof(raw) - 1, 3, "%02x", sum & 0xff);
    size_t n = gdb_frame_packet(out, sizeof(out), "a#$}*", 5);
    assert_int_equal(n, strlen(expected));
    assert_memory_equal(out, expected, n);

    /* too small: 0, nothing beyond cap written */
    memset(out, 0x55, sizeof(out));
    assert_int_equal(gdb_frame_packet(out, 5, "OK", 2), 0);
    assert_int_equal(gdb_frame_packet(out, 12, "a#$}*", 5), 0);
    assert_int_equal(out[5], 0x55);
    assert_int_equal(gdb_frame_packet(out, 13, "a#$}*", 5), 13);
    assert_int_equal(gdb_frame_packet(out, 6, "OK", 2), 6);
}

static void test_hex(void **state)
{
    (void)state;
    char out[16];
    uint8_t bytes[8];
    const uint8_t data[] = {0x00, 0xab, 0x7f, 0x10};
    assert_int_equal(gdb_hex_encode(out, sizeof(out), data, 4), 8);
    assert_memory_equal(out, "00ab7f10", 8);
    assert_int_equal(gdb_hex_encode(out, 7, data, 4), 0);
    assert_int_equal(gdb_hex_encode(out, 8, data, 4), 8);
    assert_int_equal(gdb_hex_encode(out, 0, data, 0), 0);

    assert_true(gdb_hex_decode(bytes, "00AB7f10", 8));
    assert_memory_equal(bytes, data, 4);
    assert_false(gdb_hex_decode(bytes, "00a", 3));
    assert_false(gdb_hex_decode(bytes, "0g", 2));
    assert_false(gdb_hex_decode(bytes, "g0", 2));
    assert_false(gdb_hex_decode(bytes, "0 ", 2));
    assert_true(gdb_hex_decode(bytes, "", 0));
}

static void test_layouts(void **state)
{
    (void)state;
    assert_int_equal(gdb_regs_count(GDB_REGS_I386), 16);
    assert_int_equal(gdb_regs_count(GDB_REGS_X86_64), 24);
    assert_int_equal(gdb_regs_count((enum gdb_regs_layout)7), 0);
    unsigned total = 0;
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(gdb_reg_size(GDB_REGS_I386, i), 4);
        total += gdb_reg_size(GDB_REGS_I386, i);
    }
    assert_int_equal(total, 64);
    assert_int_equal(gdb_reg_size(GDB_REGS_I386, 16), 0);
    total = 0;
    for (unsigned i = 0; i < 24; i++)
        total += gdb_reg_size(GDB_REGS_X86_64, i);
    assert_int_equal(total, 164);
    assert_int_equal(gdb_reg_size(GDB_REGS_X86_64, GDB_X86_64_RIP), 8);
    assert_int_equal(gdb_reg_size(GDB_REGS_X86_64, GDB_X86_64_EFLAGS), 4);
    assert_int_equal(gdb_reg_size(GDB_REGS_X86_64, 24), 0);
    assert_int_equal(gdb_reg_pc(GDB_REGS_I386), 8);
    assert_int_equal(gdb_reg_pc(GDB_REGS_X86_64), 16);
    assert_string_equal(gdb_reg_name(GDB_REGS_I386, 0), "eax");
    assert_string_equal(gdb_reg_name(GDB_REGS_I386, 1), "ecx");
    assert_string_equal(gdb_reg_name(GDB_REGS_I386, 3), "ebx");
    assert_string_equal(gdb_reg_name(GDB_REGS_I386, 8), "eip");
    assert_string_equal(gdb_reg_name(GDB_REGS_I386, 15), "gs");
    assert_string_equal(gdb_reg_name(GDB_REGS_X86_64, 1), "rbx");
    assert_string_equal(gdb_reg_name(GDB_REGS_X86_64, 8), "r8");
    assert_string_equal(gdb_reg_name(GDB_REGS_X86_64, 17), "eflags");
    assert_string_equal(gdb_reg_name(GDB_REGS_X86_64, 23), "gs");
    assert_null(gdb_reg_name(GDB_REGS_I386, 16));
    assert_null(gdb_reg_name(GDB_REGS_X86_64, 24));
}

static void test_init_rejects(void **state)
{
    (void)state;
    size_t offsets[] = {
        offsetof(struct gdb_target, read_regs),
        offsetof(struct gdb_target, write_regs),
        offsetof(struct gdb_target, read_mem),
        offsetof(struct gdb_target, write_mem),
        offsetof(struct gdb_target, insert_sw_breakpoint),
        offsetof(struct gdb_target, remove_sw_breakpoint),
        offsetof(struct gdb_target, resume),
        offsetof(struct gdb_target, send),
    };
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        struct gdb_target t = target;
        memset((char *)&t + offsets[i], 0, sizeof(void (*)(void)));
        assert_false(gdb_stub_init(S, &t, GDB_REGS_I386, false));
    }
    assert_false(gdb_stub_init(S, NULL, GDB_REGS_I386, false));
    assert_false(gdb_stub_init(S, &target, (enum gdb_regs_layout)7, false));
    assert_true(gdb_stub_init(S, &target, GDB_REGS_X86_64, true));
    assert_true(S->running);
}

/* ---- Framing --------------------------------------------------------------------------------- */

static void test_good_packet(void **state)
{
    (void)state;
    feed_str("$?#3f");
    out_is("+$T05thread:01;#07");
    assert_int_equal(S->packets, 1);
    /* upper-case checksum digits are accepted */
    F.out_len = 0;
    feed_str("$?#3F");
    out_is("+$T05thread:01;#07");
}

static void test_bad_checksum(void **state)
{
    (void)state;
    feed_str("$g#68"); /* 'g' is 0x67 */
    out_is("-");
    assert_int_equal(F.read_regs_calls, 0);
    assert_int_equal(S->bad_checksums, 1);
    F.out_len = 0;
    feed_str("$g#6z"); /* not a digit */
    out_is("-");
    F.out_len = 0;
    feed_str("$g#z7");
    out_is("-");
    assert_int_equal(S->bad_checksums, 3);
    assert_int_equal(S->packets, 0);
    /* and the next good packet is served */
    assert_string_equal(cmd("qC"), "QC1");
}

static void test_escapes(void **state)
{
    (void)state;
    /* "}m" is 'M' escaped: M1000,2:abcd; the checksum covers '}' and 'm' */
    char buf[64];
    const char raw[] = "}m1000,2:abcd";
    size_t n = frame(buf, raw, strlen(raw));
    F.out_len = 0;
    feed(buf, n);
    assert_int_equal(F.out[0], '+');
    assert_string_equal(payload_of(F.out + 1, F.out_len - 1), "OK");
    assert_int_equal(F.mem[0], 0xab);
    assert_int_equal(F.mem[1], 0xcd);

    /* an escaped '#', '$' and '}' inside a packet are data, not framing: an unknown packet */
    const char raw2[] = "v}\x03}\x04}]";
    n = frame(buf, raw2, strlen(raw2));
    F.out_len = 0;
    feed(buf, n);
    out_is("+$#00");
    assert_int_equal(S->in_len, 4);
    assert_memory_equal(S->in, "v#$}", 4);

    /* a dangling escape before '#' is corrupt even with the right checksum */
    n = frame(buf, "g}", 2);
    F.out_len = 0;
    feed(buf, n);
    out_is("-");
    assert_int_equal(F.read_regs_calls, 0);
}

static void test_overlong(void **state)
{
    (void)state;
    char *p = malloc(GDB_PACKET_MAX + 1);
    assert_non_null(p);
    /* exactly GDB_PACKET_MAX: accepted (an unknown query) */
    p[0] = 'q';
    memset(p + 1, 'x', GDB_PACKET_MAX - 1);
    assert_string_equal(cmd_n(p, GDB_PACKET_MAX), "");
    assert_int_equal(S->overlong, 0);
    /* one more: discarded with '-' */
    p[GDB_PACKET_MAX] = 'x';
    F.out_len = 0;
    send_packet_n(p, GDB_PACKET_MAX + 1);
    out_is("-");
    assert_int_equal(S->overlong, 1);
    free(p);
    /* one much longer, of an 'M' that would write everything if it were taken */
    size_t big = 20 * GDB_PACKET_MAX;
    p = malloc(big);
    assert_non_null(p);
    memcpy(p, "M1000,1:", 8);
    memset(p + 8, '0', big - 8);
    F.out_len = 0;
    send_packet_n(p, big);
    out_is("-");
    free(p);
    assert_int_equal(S->overlong, 2);
    assert_int_equal(F.write_mem_calls, 0);
    assert_int_equal(S->layout, GDB_REGS_I386); /* nothing past in[] was overwritten */
    assert_false(S->running);
    assert_string_equal(cmd("qC"), "QC1");
}

static void test_garbage_and_resync(void **state)
{
    (void)state;
    feed_str("xyz+#12\r\n}}\xff");
    assert_int_equal(F.out_len, 0);
    feed_str("$qC#b4garbage");
    out_is("+$QC1#c5");
    /* a '$' inside a packet starts a new one */
    F.out_len = 0;
    feed_str("$qfoo$qC#b4");
    out_is("+$QC1#c5");
    /* and inside the checksum */
    F.out_len = 0;
    feed_str("$qC#b$qC#b4");
    out_is("+$QC1#c5");
    assert_int_equal(S->packets, 3);
}

static void test_empty_packet(void **state)
{
    (void)state;
    assert_string_equal(cmd(""), "");
}

static void test_ctrl_c(void **state)
{
    (void)state;
    cmd_noreply("c");
    assert_true(F.running);
    F.out_len = 0;
    feed_str("\x03");
    assert_int_equal(F.nevents, 1);
    assert_int_equal(F.events[0], GDB_EVENT_INTERRUPT);
    assert_int_equal(F.out_len, 0);
    assert_int_equal(S->interrupts, 1);
    assert_int_equal(gdb_stub_stopped(S, GDB_STOP_INTERRUPT), GDB_EVENT_NONE);
    out_is("$T02thread:01;#04");
    assert_false(S->running);
    /* Ctrl-C while stopped is still answered with a stop reply */
    F.out_len = 0;
    F.nevents = 0;
    feed_str("\x03");
    assert_int_equal(F.events[0], GDB_EVENT_INTERRUPT);
    gdb_stub_stopped(S, GDB_STOP_INTERRUPT);
    out_is("$T02thread:01;#04");
    /* 0x03 inside a packet is data */
    assert_string_equal(cmd("q\x03"), "");
    assert_int_equal(F.nevents, 0);
    assert_int_equal(S->interrupts, 2);
}

static void test_nak_retransmits(void **state)
{
    (void)state;
    feed_str("-"); /* nothing sent yet */
    assert_int_equal(F.out_len, 0);
    assert_string_equal(cmd("qC"), "QC1");
    F.out_len = 0;
    feed_str("+");
    assert_int_equal(F.out_len, 0);
    feed_str("-");
    out_is("$QC1#c5");
    assert_int_equal(S->retransmits, 1);
}

/* ---- Stop replies ---------------------------------------------------------------------------- */

static void test_stop_reason(void **state)
{
    (void)state;
    assert_string_equal(cmd("?"), "T05thread:01;");
    gdb_stub_stopped(S, GDB_STOP_INTERRUPT);
    assert_string_equal(cmd("?"), "T02thread:01;");
    gdb_stub_stopped(S, GDB_STOP_SWBREAK);
    assert_string_equal(cmd("?"), "T05thread:01;"); /* gdb did not offer swbreak+ */
    cmd("qSupported:multiprocess+;swbreak+;hwbreak+");
    assert_string_equal(cmd("?"), "T05swbreak:;thread:01;");
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    assert_string_equal(cmd("?"), "T05thread:01;");
    assert_string_equal(cmd("?x"), "E01");
    /* a stop nobody asked for sends nothing */
    F.out_len = 0;
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    assert_int_equal(F.out_len, 0);
}

/* ---- Registers ------------------------------------------------------------------------------- */

static void regs_hex(char *out, enum gdb_regs_layout layout, unsigned count)
{
    size_t n = 0;
    for (unsigned i = 0; i < count; i++) {
        unsigned size = gdb_reg_size(layout, i);
        le_hex(out + n, F.regs[i], size);
        n += 2 * size;
    }
    out[n] = 0;
}

static void test_read_regs(void **state)
{
    (void)state;
    char expected[512];
    F.regs[0] = 0xdeadbeef11223344ull;
    regs_hex(expected, GDB_REGS_I386, 16);
    const char *r = cmd("g");
    assert_int_equal(strlen(r), 128);
    assert_string_equal(r, expected);
    assert_memory_equal(r, "44332211", 8); /* eax, truncated to 32 bits, little-endian */

    reinit(GDB_REGS_X86_64);
    regs_hex(expected, GDB_REGS_X86_64, 24);
    r = cmd("g");
    assert_int_equal(strlen(r), 328);
    assert_string_equal(r, expected);
    assert_memory_equal(r, "44332211efbeadde", 16);
    char eflags[9];
    le_hex(eflags, F.regs[GDB_X86_64_EFLAGS], 4);
    assert_memory_equal(r + 17 * 16, eflags, 8);

    /* fewer registers: a shorter reply; none, or failure: E14; junk: E01 */
    reinit(GDB_REGS_I386);
    F.nregs = 9;
    assert_int_equal(strlen(cmd("g")), 72);
    F.nregs = 0;
    assert_string_equal(cmd("g"), "E14");
    F.nregs = GDB_REGS_MAX;
    F.fail_read_regs = true;
    assert_string_equal(cmd("g"), "E14");
    F.fail_read_regs = false;
    assert_string_equal(cmd("g0"), "E01");
}

static void test_write_regs(void **state)
{
    (void)state;
    uint64_t before[GDB_REGS_MAX];
    memcpy(before, F.regs, sizeof(before));
    char g[160];
    for (unsigned i = 0; i < 16; i++)
        le_hex(g + 1 + 8 * i, 0xa0b0c000u + i, 4);
    g[0] = 'G';
    assert_string_equal(cmd(g), "OK");
    assert_int_equal(F.write_regs_count, 16);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(F.regs[i], 0xa0b0c000u + i);

    /* two registers given: the rest keep what read_regs returned */
    memcpy(F.regs, before, sizeof(before));
    assert_string_equal(cmd("G7856341221436587"), "OK");
    assert_int_equal(F.regs[0], 0x12345678);
    assert_int_equal(F.regs[1], 0x87654321);
    for (unsigned i = 2; i < 16; i++)
        assert_int_equal(F.regs[i], before[i]);

    unsigned writes = F.write_regs_calls;
    assert_string_equal(cmd("G"), "E01");
    assert_string_equal(cmd("G785634122"), "E01");        /* odd digit count */
    assert_string_equal(cmd("G785634"), "E01");           /* part of a register */
    assert_string_equal(cmd("G7856341221436x87"), "E01"); /* not hex */
    g[129] = '0';
    g[130] = '0';
    g[131] = 0;
    assert_string_equal(cmd(g), "E01"); /* more than the layout */
    assert_int_equal(F.write_regs_calls, writes);

    F.fail_write_regs = true;
    assert_string_equal(cmd("G78563412"), "E14");
    F.fail_write_regs = false;
    F.fail_read_regs = true;
    assert_string_equal(cmd("G78563412"), "E14");
}

static void test_read_reg(void **state)
{
    (void)state;
    char expected[32];
    le_hex(expected, F.regs[8], 4);
    expected[8] = 0;
    assert_string_equal(cmd("p8"), expected);
    reinit(GDB_REGS_X86_64);
    le_hex(expected, F.regs[16], 8);
    expected[16] = 0;
    assert_string_equal(cmd("p10"), expected);
    reinit(GDB_REGS_I386);
    assert_string_equal(cmd("p10"), "xx"); /* st0: not in the layout */
    assert_string_equal(cmd("pffffffff"), "xx");
    F.nregs = 4;
    assert_string_equal(cmd("p5"), "xxxxxxxx"); /* in the layout, not provided */
    assert_string_equal(cmd("p"), "E01");
    assert_string_equal(cmd("pz"), "E01");
    assert_string_equal(cmd("p8x"), "E01");
    assert_string_equal(cmd("p10000000000000000"), "E01"); /* wider than 64 bits */
    F.fail_read_regs = true;
    assert_string_equal(cmd("p8"), "E14");
}

static void test_write_reg(void **state)
{
    (void)state;
    uint64_t before[GDB_REGS_MAX];
    memcpy(before, F.regs, sizeof(before));
    assert_string_equal(cmd("P8=78563412"), "OK");
    assert_int_equal(F.regs[8], 0x12345678);
    assert_int_equal(F.write_regs_count, 16);
    for (unsigned i = 0; i < 16; i++)
        if (i != 8)
            assert_int_equal(F.regs[i], before[i]);

    reinit(GDB_REGS_X86_64);
    assert_string_equal(cmd("P10=0807060504030201"), "OK");
    assert_int_equal(F.regs[16], 0x0102030405060708ull);
    assert_string_equal(cmd("P11=78563412"), "OK"); /* eflags: 4 bytes */
    assert_int_equal(F.regs[17], 0x12345678);
    assert_string_equal(cmd("P10=78563412"), "E01"); /* rip needs 8 bytes */
    reinit(GDB_REGS_I386);

    unsigned writes = F.write_regs_calls;
    assert_string_equal(cmd("P8=785634"), "E01");
    assert_string_equal(cmd("P8=78563412aa"), "E01");
    assert_string_equal(cmd("P8=7856341"), "E01");
    assert_string_equal(cmd("P8=7856341z"), "E01");
    assert_string_equal(cmd("P10=00000000"), "E01");
    assert_string_equal(cmd("P8"), "E01");
    assert_string_equal(cmd("P=00000000"), "E01");
    assert_string_equal(cmd("P8:00000000"), "E01");
    assert_int_equal(F.write_regs_calls, writes);

    F.nregs = 4;
    assert_string_equal(cmd("P5=00000000"), "E14");
    F.nregs = GDB_REGS_MAX;
    F.fail_write_regs = true;
    assert_string_equal(cmd("P8=00000000"), "E14");
}

/* ---- Memory ---------------------------------------------------------------------------------- */

static void test_read_mem(void **state)
{
    (void)state;
    char expected[16];
    for (unsigned i = 0; i < 4; i++)
        snprintf(expected + 2 * i, 3, "%02x", F.mem[0x10 + i]);
    assert_string_equal(cmd("m1010,4"), expected);
    assert_string_equal(cmd("m1010,0"), "");
    snprintf(expected, sizeof(expected), "%02x%02x%02x%02x", F.mem[MEM_SIZE - 4],
             F.mem[MEM_SIZE - 3], F.mem[MEM_SIZE - 2], F.mem[MEM_SIZE - 1]);
    assert_string_equal(cmd("m4ffc,4"), expected); /* the last bytes */
    assert_string_equal(cmd("m4ffd,4"), "E14");    /* one past the end */
    assert_string_equal(cmd("m0,1"), "E14");

    /* capped to GDB_MEM_MAX */
    const char *r = cmd("m1000,10000");
    assert_int_equal(F.last_mem_len, GDB_MEM_MAX);
    assert_int_equal(strlen(r), 2 * GDB_MEM_MAX);
    for (unsigned i = 0; i < GDB_MEM_MAX; i++)
        assert_int_equal(16 * hexval(r[2 * i]) + hexval(r[2 * i + 1]), F.mem[i]);

    assert_int_equal(strlen(cmd("m1000,801")), 2 * GDB_MEM_MAX);
    assert_int_equal(F.last_mem_len, GDB_MEM_MAX);
    assert_int_equal(strlen(cmd("m1000,ffffffffffffffff")), 2 * GDB_MEM_MAX);
    assert_int_equal(strlen(cmd("m1000,7ff")), 2 * 0x7ff);

    unsigned calls = F.read_mem_calls;
    assert_string_equal(cmd("mffffffffffffffff,2"), "E14"); /* wraps */
    assert_int_equal(F.read_mem_calls, calls);
    assert_string_equal(cmd("mffffffffffffffff,1"), "E14"); /* the target refuses */
    assert_int_equal(F.read_mem_calls, calls + 1);

    calls = F.read_mem_calls;
    assert_string_equal(cmd("m1000"), "E01");
    assert_string_equal(cmd("m1000,"), "E01");
    assert_string_equal(cmd("m,4"), "E01");
    assert_string_equal(cmd("m1000,4x"), "E01");
    assert_string_equal(cmd("m1000;4"), "E01");
    assert_string_equal(cmd("m10000000000000000,1"), "E01");
    assert_string_equal(cmd("m1000,10000000000000000"), "E01");
    assert_string_equal(cmd("m"), "E01");
    assert_int_equal(F.read_mem_calls, calls);
}

static void test_write_mem(void **state)
{
    (void)state;
    assert_string_equal(cmd("M1002,3:a1B2c3"), "OK");
    assert_int_equal(F.mem[2], 0xa1);
    assert_int_equal(F.mem[3], 0xb2);
    assert_int_equal(F.mem[4], 0xc3);
    assert_int_equal(F.last_mem_len, 3);
    assert_string_equal(cmd("M4fff,1:5a"), "OK");
    assert_int_equal(F.mem[MEM_SIZE - 1], 0x5a);
    assert_string_equal(cmd("M4fff,2:5a5a"), "E14");
    unsigned calls = F.write_mem_calls;
    assert_string_equal(cmd("M1000,0:"), "OK");
    assert_int_equal(F.write_mem_calls, calls);
    assert_string_equal(cmd("Mffffffffffffffff,2:0000"), "E14");
    assert_int_equal(F.write_mem_calls, calls);

    uint8_t snapshot[MEM_SIZE];
    memcpy(snapshot, F.mem, MEM_SIZE);
    assert_string_equal(cmd("M1000,2:abc"), "E01");    /* odd */
    assert_string_equal(cmd("M1000,2:abcdef"), "E01"); /* more data than len */
    assert_string_equal(cmd("M1000,2:ab"), "E01");     /* less */
    assert_string_equal(cmd("M1000,2:zzzz"), "E01");
    assert_string_equal(cmd("M1000,2"), "E01");
    assert_string_equal(cmd("M1000:abcd"), "E01");
    assert_string_equal(cmd("M1000,801:"), "E01"); /* over GDB_MEM_MAX */
    assert_string_equal(cmd("M1000,ffffffffffffffff:00"), "E01");
    assert_string_equal(cmd("M1000,10000000000000000:00"), "E01");
    assert_string_equal(cmd("M1000,8000000000000000:"), "E01"); /* 2 * len wraps to 0 */
    assert_int_equal(F.write_mem_calls, calls);
    assert_memory_equal(snapshot, F.mem, MEM_SIZE);

    /* the largest write that fits in a packet */
    char *p = malloc(GDB_PACKET_MAX + 1);
    assert_non_null(p);
    size_t len = (GDB_PACKET_MAX - strlen("M1000,7fb:")) / 2;
    assert_int_equal(len, 0x7fb);
    int h = snprintf(p, GDB_PACKET_MAX + 1, "M1000,%zx:", len);
    memset(p + h, 'e', 2 * len);
    assert_string_equal(cmd_n(p, (size_t)h + 2 * len), "OK");
    assert_int_equal(F.last_mem_len, len);
    assert_int_equal(F.mem[len - 1], 0xee);
    assert_int_equal(F.mem[len], snapshot[len]);
    free(p);
}

/* ---- Breakpoints ----------------------------------------------------------------------------- */

static void test_breakpoints(void **state)
{
    (void)state;
    assert_string_equal(cmd("Z0,1010,1"), "OK");
    assert_int_equal(F.insert_calls, 1);
    assert_int_equal(F.inserted[0], 0x1010);
    assert_string_equal(cmd("Z0,1010,1"), "OK"); /* idempotent */
    assert_int_equal(F.insert_calls, 1);
    assert_string_equal(cmd("z0,1010,1"), "OK");
    assert_int_equal(F.remove_calls, 1);
    assert_int_equal(F.ninserted, 0);
    assert_string_equal(cmd("z0,1010,1"), "OK");
    assert_int_equal(F.remove_calls, 1);

    /* other types: unsupported */
    for (char t = '1'; t <= '4'; t++) {
        char p[16];
        snprintf(p, sizeof(p), "Z%c,1010,1", t);
        assert_string_equal(cmd(p), "");
        p[0] = 'z';
        assert_string_equal(cmd(p), "");
    }
    assert_string_equal(cmd("Z0,1010"), "E01");
    assert_string_equal(cmd("Z0,1010,"), "E01");
    assert_string_equal(cmd("Z0,,1"), "E01");
    assert_string_equal(cmd("Z0,1010,1;X1,ff"), "E01");
    assert_string_equal(cmd("Z0"), "E01");
    assert_string_equal(cmd("Z"), "E01");
    assert_string_equal(cmd("Zq,1,1"), "E01");
    assert_string_equal(cmd("z0,g,1"), "E01");
    assert_int_equal(F.insert_calls, 1);
    assert_int_equal(F.remove_calls, 1);

    /* refused: E14 and not tracked */
    F.fail_insert = true;
    assert_string_equal(cmd("Z0,2000,1"), "E14");
    F.fail_insert = false;
    assert_string_equal(cmd("z0,2000,1"), "OK");
    assert_int_equal(F.remove_calls, 1);
    assert_string_equal(cmd("Z0,2000,1"), "OK");
    F.fail_remove = true;
    assert_string_equal(cmd("z0,2000,1"), "E14");
    F.fail_remove = false;
    assert_string_equal(cmd("z0,2000,1"), "OK"); /* still tracked: removed now */
    assert_int_equal(F.ninserted, 0);

    /* the table fills up */
    char p[32];
    for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++) {
        snprintf(p, sizeof(p), "Z0,%x,1", 0x3000 + i);
        assert_string_equal(cmd(p), "OK");
    }
    assert_string_equal(cmd("Z0,4000,1"), "E12");
    assert_string_equal(cmd("Z0,3000,1"), "OK"); /* already there */
    assert_int_equal(F.ninserted, GDB_MAX_BREAKPOINTS);
    assert_string_equal(cmd("z0,3005,1"), "OK");
    assert_string_equal(cmd("Z0,4000,1"), "OK");
}

/* ---- Execution ------------------------------------------------------------------------------- */

static void test_continue_step(void **state)
{
    (void)state;
    cmd_noreply("c");
    assert_int_equal(F.resumes, 1);
    assert_false(F.last_step);
    assert_true(S->running);
    F.out_len = 0;
    assert_int_equal(gdb_stub_stopped(S, GDB_STOP_SWBREAK), GDB_EVENT_NONE);
    out_is("$T05thread:01;#07");
    assert_false(S->running);

    cmd_noreply("s");
    assert_int_equal(F.resumes, 2);
    assert_true(F.last_step);
    gdb_stub_stopped(S, GDB_STOP_TRAP);

    unsigned writes = F.write_regs_calls;
    cmd_noreply("c1234");
    assert_int_equal(F.regs[GDB_I386_EIP], 0x1234);
    assert_int_equal(F.write_regs_calls, writes + 1);
    assert_false(F.last_step);
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    cmd_noreply("s5678");
    assert_int_equal(F.regs[GDB_I386_EIP], 0x5678);
    assert_true(F.last_step);
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    cmd_noreply("C05");
    assert_false(F.last_step);
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    cmd_noreply("S05;2000");
    assert_true(F.last_step);
    assert_int_equal(F.regs[GDB_I386_EIP], 0x2000);
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    assert_int_equal(F.resumes, 6);

    assert_string_equal(cmd("cxyz"), "E01");
    assert_string_equal(cmd("c12x"), "E01");
    assert_string_equal(cmd("s10000000000000000"), "E01");
    assert_string_equal(cmd("C"), "E01");
    assert_string_equal(cmd("C05;"), "E01");
    assert_string_equal(cmd("S05;1x"), "E01");
    assert_string_equal(cmd("C05x"), "E01");
    F.fail_write_regs = true;
    assert_string_equal(cmd("c1234"), "E14");
    F.fail_write_regs = false;
    F.nregs = 8; /* no eip */
    assert_string_equal(cmd("c1234"), "E14");
    assert_int_equal(F.resumes, 6);
    assert_false(S->running);
}

static void test_stop_inside_resume(void **state)
{
    (void)state;
    F.stop_in_resume = true;
    F.out_len = 0;
    send_packet("s");
    out_is("+$T05thread:01;#07");
    assert_false(S->running);
    assert_int_equal(F.resumes, 1);
}

static void test_packet_while_running(void **state)
{
    (void)state;
    cmd_noreply("c");
    /* gdb reconnects: its packet waits for the stop */
    cmd_noreply("?");
    assert_int_equal(F.nevents, 1);
    assert_int_equal(F.events[0], GDB_EVENT_INTERRUPT);
    F.out_len = 0;
    feed_str("$qC#b4"); /* ignored meanwhile */
    assert_int_equal(F.out_len, 0);
    feed_str("\x03");
    assert_int_equal(F.events[F.nevents - 1], GDB_EVENT_INTERRUPT);
    assert_int_equal(gdb_stub_stopped(S, GDB_STOP_INTERRUPT), GDB_EVENT_NONE);
    /* the owed stop reply, then the held packet's answer */
    out_is("$T02thread:01;#04$T02thread:01;#04");
    assert_string_equal(cmd("qC"), "QC1");

    /* after a detach, nothing is owed: only the held packet is answered */
    F.out_len = 0;
    send_packet("D");
    out_is("+$OK#9a");
    cmd_noreply("qC");
    assert_int_equal(F.events[0], GDB_EVENT_INTERRUPT);
    F.out_len = 0;
    gdb_stub_stopped(S, GDB_STOP_INTERRUPT);
    out_is("$QC1#c5");

    /* a held 'c' resumes from inside gdb_stub_stopped */
    F.out_len = 0;
    send_packet("D");
    cmd_noreply("c");
    unsigned resumes = F.resumes;
    F.out_len = 0;
    assert_int_equal(gdb_stub_stopped(S, GDB_STOP_INTERRUPT), GDB_EVENT_NONE);
    assert_int_equal(F.out_len, 0);
    assert_int_equal(F.resumes, resumes + 1);
    assert_true(S->running);
    /* a held 'k' reports the kill from gdb_stub_stopped */
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    send_packet("D");
    cmd_noreply("k");
    assert_int_equal(gdb_stub_stopped(S, GDB_STOP_INTERRUPT), GDB_EVENT_KILLED);
}

static void test_detach_kill(void **state)
{
    (void)state;
    assert_string_equal(cmd("Z0,1010,1"), "OK");
    assert_string_equal(cmd("Z0,1020,1"), "OK");
    cmd("qSupported:swbreak+");
    assert_true(S->swbreak);
    assert_string_equal(cmd("D"), "OK");
    assert_int_equal(F.nevents, 1);
    assert_int_equal(F.events[0], GDB_EVENT_DETACHED);
    assert_int_equal(F.remove_calls, 2);
    assert_int_equal(F.ninserted, 0);
    assert_int_equal(F.resumes, 1);
    assert_false(F.last_step);
    assert_true(S->running);
    assert_false(S->swbreak);
    F.out_len = 0;
    gdb_stub_stopped(S, GDB_STOP_SWBREAK); /* nobody waits */
    assert_int_equal(F.out_len, 0);

    assert_string_equal(cmd("D;1"), "OK");
    assert_int_equal(F.events[0], GDB_EVENT_DETACHED);
    gdb_stub_stopped(S, GDB_STOP_TRAP);
    unsigned resumes = F.resumes;
    assert_string_equal(cmd("D;"), "E01");
    assert_string_equal(cmd("Dx"), "E01");
    assert_string_equal(cmd("D;1x"), "E01");
    assert_int_equal(F.resumes, resumes);
    assert_int_equal(F.nevents, 0);

    assert_string_equal(cmd("Z0,1030,1"), "OK");
    cmd_noreply("k");
    assert_int_equal(F.nevents, 1);
    assert_int_equal(F.events[0], GDB_EVENT_KILLED);
    assert_int_equal(F.resumes, resumes + 1);
    assert_int_equal(F.ninserted, 0);
}

/* ---- Queries and threads --------------------------------------------------------------------- */

static void test_queries(void **state)
{
    (void)state;
    assert_string_equal(cmd("qSupported"), "PacketSize=1000;swbreak+");
    assert_false(S->swbreak);
    assert_string_equal(cmd("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+"),
                        "PacketSize=1000;swbreak+");
    assert_true(S->swbreak);
    assert_string_equal(cmd("qSupported:swbreak-;xswbreak+;swbreak+x"), "PacketSize=1000;swbreak+");
    assert_false(S->swbreak);
    assert_string_equal(cmd("qSupportedX"), "");
    assert_string_equal(cmd("qAttached"), "1");
    assert_string_equal(cmd("qAttached:1"), "1");
    assert_string_equal(cmd("qC"), "QC1");
    assert_string_equal(cmd("qCRC:1000,4"), "");
    assert_string_equal(cmd("qfThreadInfo"), "m1");
    assert_string_equal(cmd("qsThreadInfo"), "l");
    assert_string_equal(cmd("qTStatus"), "");
    assert_string_equal(cmd("qOffsets"), "");
    assert_string_equal(cmd("q"), "");
    assert_string_equal(cmd("vCont?"), "");
    assert_string_equal(cmd("vMustReplyEmpty"), "");
    assert_string_equal(cmd("QStartNoAckMode"), "");
    assert_string_equal(cmd("X1000,0:"), "");
    assert_string_equal(cmd("!"), "");
    assert_string_equal(cmd("\x80\xff"), "");
    assert_int_equal(F.resumes, 0);
}

static void test_threads(void **state)
{
    (void)state;
    assert_string_equal(cmd("Hg0"), "OK");
    assert_string_equal(cmd("Hc-1"), "OK");
    assert_string_equal(cmd("Hg1"), "OK");
    assert_string_equal(cmd("H"), "E01");
    assert_string_equal(cmd("Hg"), "E01");
    assert_string_equal(cmd("Hgx"), "E01");
    assert_string_equal(cmd("Hc-2"), "E01");
    assert_string_equal(cmd("Hg1x"), "E01");
    assert_string_equal(cmd("T1"), "OK");
    assert_string_equal(cmd("T01"), "OK");
    assert_string_equal(cmd("T2"), "E01");
    assert_string_equal(cmd("T"), "E01");
    assert_string_equal(cmd("T-1"), "E01");
}

/* ---- Random input ---------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random, mostly well-formed command near the fake memory. */
static size_t well_formed(char *p)
{
    uint64_t addr = MEM_BASE - 8 + rnd() % (MEM_SIZE + 16);
    unsigned len = (unsigned)(rnd() % 40);
    int n = 0;
    switch (rnd() % 14) {
    case 0:
        n = sprintf(p, "m%llx,%x", (unsigned long long)addr, len);
        break;
    case 1:
    case 2:
        n = sprintf(p, "M%llx,%x:", (unsigned long long)addr, len);
        if (rnd() % 8 == 0)
            len++; /* one byte more than announced */
        for (unsigned i = 0; i < len; i++)
            n += sprintf(p + n, "%02x", (unsigned)(uint8_t)rnd());
        break;
    case 3:
        n = sprintf(p, "%c0,%llx,1", rnd() % 2 ? 'Z' : 'z', (unsigned long long)(addr & ~63ull));
        break;
    case 4:
        n = sprintf(p, "%c", "cs?gkD"[rnd() % 6]);
        break;
    case 5:
        n = sprintf(p, "%c%llx", rnd() % 2 ? 'c' : 's', (unsigned long long)addr);
        break;
    case 6:
        n = sprintf(p, "G");
        for (unsigned i = 0; i < len; i++)
            n += sprintf(p + n, "%02x", (unsigned)(uint8_t)rnd());
        break;
    case 7:
        n = sprintf(p, "p%x", (unsigned)(rnd() % 20));
        break;
    case 8: {
        unsigned regno = (unsigned)(rnd() % 20);
        n = sprintf(p, "P%x=%08x", regno, (unsigned)rnd());
        break;
    }
    case 9:
        n = sprintf(p, "qSupported:swbreak+");
        break;
    case 10: {
        char op = rnd() % 2 ? 'g' : 'c';
        n = sprintf(p, "H%c%d", op, (int)(rnd() % 3) - 1);
        break;
    }
    default:
        n = sprintf(p, "%c", "cs?gkD"[rnd() % 3]);
        break;
    }
    return (size_t)n;
}

static void test_random(void **state)
{
    (void)state;
    static const char alphabet[] = "?gGpPmMZzcsCSqHTDkv0123456789abcdefABCDEF,:;=-#$}*xXS\x03";
    char payload[GDB_PACKET_MAX + 64];
    uint8_t framed[GDB_FRAMED_MAX(GDB_PACKET_MAX + 64)];
    unsigned stops = 0;
    for (unsigned iter = 0; iter < 200000; iter++) {
        unsigned kind = (unsigned)(rnd() % 16);
        F.nevents = 0;
        if (kind < 3) { /* raw bytes */
            unsigned n = (unsigned)(rnd() % 32);
            for (unsigned i = 0; i < n; i++) {
                uint8_t b = (uint8_t)rnd();
                feed(&b, 1);
                F.nevents = 0;
            }
        } else {
            size_t len;
            if (kind == 3) { /* occasionally too long */
                len = GDB_PACKET_MAX - 8 + (size_t)(rnd() % 24);
            } else if (kind < 12) {
                len = (size_t)(rnd() % 24);
            } else {
                len = (size_t)(rnd() % 600);
            }
            if (kind >= 8 && kind != 15) {
                len = well_formed(payload);
            } else { /* mostly plausible characters */
                for (size_t i = 0; i < len; i++)
                    payload[i] = (rnd() % 8) ? alphabet[rnd() % (sizeof(alphabet) - 1)]
                                             : (char)(uint8_t)rnd();
            }
            if (len > 0 && rnd() % 8 == 0) /* one wrong byte */
            {
                size_t at = (size_t)(rnd() % len);
                payload[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
            }
            size_t n = gdb_frame_packet(framed, sizeof(framed), payload, len);
            assert_true(n > 0);
            if (rnd() % 16 == 0)
                framed[n - 1 - rnd() % 2] ^= 1; /* corrupt the checksum */
            if (rnd() % 16 == 0)
                n = (size_t)(rnd() % n); /* cut short */
            feed(framed, n);
        }
        /* the hardware side: stop the guest now and then */
        bool interrupt = false;
        for (unsigned i = 0; i < F.nevents; i++)
            interrupt |= F.events[i] == GDB_EVENT_INTERRUPT;
        if ((interrupt || S->running) && rnd() % 3 == 0) {
            gdb_stub_stopped(S, (enum gdb_stop_reason)(rnd() % 3));
            stops++;
        }
        assert_true(S->breakpoint_count <= GDB_MAX_BREAKPOINTS);
        assert_true(S->in_len <= GDB_PACKET_MAX);
        assert_int_equal(S->breakpoint_count, F.ninserted);
        assert_int_equal(S->layout, GDB_REGS_I386);
    }
    /* the input did reach every part */
    print_message("# %llu packets, %llu bad, %llu overlong, %llu ^C, %u/%u mem, %u resumes, "
                  "%u stops, %u/%u bp\n",
                  (unsigned long long)S->packets, (unsigned long long)S->bad_checksums,
                  (unsigned long long)S->overlong, (unsigned long long)S->interrupts,
                  F.read_mem_calls, F.write_mem_calls, F.resumes, stops, F.insert_calls,
                  F.remove_calls);
    assert_true(S->packets > 50000);
    assert_true(S->bad_checksums > 1000);
    assert_true(S->overlong > 100);
    assert_true(S->interrupts > 100);
    assert_true(F.read_mem_calls > 100 && F.write_mem_calls > 10);
    assert_true(F.resumes > 100 && stops > 100);
    assert_true(F.insert_calls > 10 && F.read_regs_calls > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_checksum_and_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_and_resync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ctrl_c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nak_retransmits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_regs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_regs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_reg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_reg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breakpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continue_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_inside_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packet_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detach_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
