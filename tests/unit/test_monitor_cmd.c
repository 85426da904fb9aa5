/* Host unit tests of the monitor's command-line layer (vmm/monitor_cmd.c): line editor, Ctrl-A
 * entry detector, tokenizer, numbers, every command with good and bad arguments, help text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kernel/format.h"
#include "vmm/monitor_cmd.h"

#define CTRL_A 0x01

/* ---- helpers --------------------------------------------------------------------------------- */

static struct monitor_line_event feed(struct monitor_line *l, uint8_t c)
{
    struct monitor_line_event ev = monitor_line_feed(l, c);
    /* Invariants after every byte: in bounds and terminated. */
    assert_true(l->len <= MONITOR_LINE_MAX);
    assert_int_equal(strlen(l->buf), l->len);
    return ev;
}

/* Feeds all of s; returns the last event and checks that every event before it was one of the
 * in-line ones (no early completion). */
static struct monitor_line_event feed_str(struct monitor_line *l, const char *s)
{
    struct monitor_line_event ev = {MONITOR_LINE_NONE, 0};
    for (; *s; s++) {
        assert_false(ev.action == MONITOR_LINE_DONE || ev.action == MONITOR_LINE_TOO_LONG);
        ev = feed(l, (uint8_t)*s);
    }
    return ev;
}

static char out[8192];
static size_t out_len;

__attribute__((format(printf, 1, 2))) static void capture(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(out) - out_len);
    out_len += (size_t)n;
}

static struct monitor_cmd parse_ok(const char *line)
{
    struct monitor_cmd c;
    memset(&c, 0xa5, sizeof(c));
    if (!monitor_parse(line, &c))
        fail_msg("'%s' failed: %s / %s", line, c.error, c.usage);
    assert_string_equal(c.error, "");
    return c;
}

/* A line that must fail with this message and usage line ("" when none). */
static void parse_bad(const char *line, const char *error, const char *usage)
{
    struct monitor_cmd c;
    memset(&c, 0xa5, sizeof(c));
    if (monitor_parse(line, &c))
        fail_msg("'%s' was accepted as command %d", line, (int)c.cmd);
    assert_int_equal(c.cmd, MONITOR_CMD_NONE);
    assert_string_equal(c.error, error);
    assert_string_equal(c.usage, usage);
}

/* ---- line editor ----------------------------------------------------------------------------- */

static void test_line_basic(void **state)
{
    (void)state;
    struct monitor_line l;
    memset(&l, 0x5a, sizeof(l));
    monitor_line_init(&l);
    assert_string_equal(monitor_line_text(&l), "");
    for (const char *p = "regs"; *p; p++)
        assert_int_equal(feed(&l, (uint8_t)*p).action, MONITOR_LINE_ECHO);
    assert_string_equal(monitor_line_text(&l), "regs");
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "regs");

    /* CR LF is one line end; the LF then starts nothing. */
    assert_int_equal(feed(&l, '\n').action, MONITOR_LINE_NONE);
    assert_int_equal(feed_str(&l, "irq\n").action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "irq");
    /* LF alone completes, and LF LF is two (the second empty) lines; so is CR CR. */
    assert_int_equal(feed(&l, '\n').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "");
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "");
    /* LF CR: two line ends too. */
    assert_int_equal(feed_str(&l, "a\n").action, MONITOR_LINE_DONE);
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "");
    /* A CR, then text: the text starts a new line. */
    assert_int_equal(feed(&l, 'x').action, MONITOR_LINE_ECHO);
    assert_string_equal(monitor_line_text(&l), "x");
}

static void test_line_backspace_and_kill(void **state)
{
    (void)state;
    struct monitor_line l;
    monitor_line_init(&l);
    /* Backspace and DEL on an empty line: bell, nothing else. */
    assert_int_equal(feed(&l, 0x08).action, MONITOR_LINE_BELL);
    assert_int_equal(feed(&l, 0x7f).action, MONITOR_LINE_BELL);
    assert_int_equal(l.len, 0);

    feed_str(&l, "memx");
    struct monitor_line_event ev = feed(&l, 0x08);
    assert_int_equal(ev.action, MONITOR_LINE_ERASE);
    assert_int_equal(ev.erase, 1);
    assert_string_equal(monitor_line_text(&l), "mem");
    ev = feed(&l, 0x7f);
    assert_int_equal(ev.action, MONITOR_LINE_ERASE);
    assert_int_equal(ev.erase, 1);
    assert_string_equal(monitor_line_text(&l), "me");
    feed_str(&l, "m 0x10");
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "mem 0x10");

    /* Ctrl-U erases everything typed so far, and nothing on an empty line. */
    feed_str(&l, "garbage");
    ev = feed(&l, 0x15);
    assert_int_equal(ev.action, MONITOR_LINE_ERASE);
    assert_int_equal(ev.erase, 7);
    assert_string_equal(monitor_line_text(&l), "");
    assert_int_equal(feed(&l, 0x15).action, MONITOR_LINE_NONE);
    assert_int_equal(feed(&l, 0x08).action, MONITOR_LINE_BELL);
    assert_int_equal(feed_str(&l, "step\r").action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "step");
}

static void test_line_overlong(void **state)
{
    (void)state;
    struct monitor_line l;
    monitor_line_init(&l);
    assert_int_equal(MONITOR_LINE_MAX, 128);
    char expect[MONITOR_LINE_MAX + 1];
    for (unsigned i = 0; i < MONITOR_LINE_MAX; i++) {
        expect[i] = (char)('a' + i % 26);
        assert_int_equal(feed(&l, (uint8_t)expect[i]).action, MONITOR_LINE_ECHO);
    }
    expect[MONITOR_LINE_MAX] = '\0';
    /* Exactly full is fine; one more is refused, and so is every one after it. */
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(feed(&l, 'Z').action, MONITOR_LINE_BELL);
    assert_string_equal(monitor_line_text(&l), expect);
    assert_int_equal(l.buf[MONITOR_LINE_MAX], '\0');
    /* Backspace makes room, but the line stays refused: something of it was lost. */
    assert_int_equal(feed(&l, 0x08).action, MONITOR_LINE_ERASE);
    assert_int_equal(feed(&l, 'q').action, MONITOR_LINE_ECHO);
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_TOO_LONG);
    /* The next line is fresh. */
    assert_int_equal(feed_str(&l, "help\r").action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "help");

    /* A line of exactly MONITOR_LINE_MAX characters is accepted. */
    feed_str(&l, expect);
    assert_int_equal(feed(&l, '\n').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), expect);

    /* Ctrl-U after an overflow starts over cleanly. */
    feed_str(&l, expect);
    assert_int_equal(feed(&l, 'x').action, MONITOR_LINE_BELL);
    struct monitor_line_event ev = feed(&l, 0x15);
    assert_int_equal(ev.action, MONITOR_LINE_ERASE);
    assert_int_equal(ev.erase, MONITOR_LINE_MAX);
    assert_int_equal(feed_str(&l, "exits\r").action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "exits");
}

static void test_line_escapes_and_controls(void **state)
{
    (void)state;
    struct monitor_line l;
    monitor_line_init(&l);
    /* Cursor keys, modified cursor keys, F1 (SS3), Home/Delete, Alt-x: all swallowed whole. */
    static const char *const seqs[] = {"\x1b[A", "\x1b[1;5C", "\x1bOP",   "\x1b[3~",
                                       "\x1b[H", "\x1bx",     "\x1b[200~"};
    feed_str(&l, "ab");
    for (unsigned i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        for (const char *p = seqs[i]; *p; p++)
            assert_int_equal(feed(&l, (uint8_t)*p).action, MONITOR_LINE_NONE);
        assert_string_equal(monitor_line_text(&l), "ab");
    }
    /* Other control characters and 8-bit bytes are ignored. */
    static const uint8_t ignored[] = {0x00, 0x03, 0x07, '\t', 0x0c, 0x80, 0xc3, 0xff};
    for (unsigned i = 0; i < sizeof(ignored); i++)
        assert_int_equal(feed(&l, ignored[i]).action, MONITOR_LINE_NONE);
    assert_string_equal(monitor_line_text(&l), "ab");
    feed(&l, 'c');
    assert_string_equal(monitor_line_text(&l), "abc");

    /* A line end inside a sequence ends the sequence and the line. */
    feed_str(&l, "\x1b[1;");
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "abc");
    feed(&l, 0x1b);
    assert_int_equal(feed(&l, '\r').action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "");
    assert_int_equal(feed_str(&l, "regs\r").action, MONITOR_LINE_DONE);
    assert_string_equal(monitor_line_text(&l), "regs");
    /* ... and the sequence is over: the next letters are text. */
    assert_int_equal(feed_str(&l, "\x1bO\x08ok").action, MONITOR_LINE_ECHO);
    assert_string_equal(monitor_line_text(&l), "ok");
}

/* ---- entry detector -------------------------------------------------------------------------- */

static void test_entry_three_ctrl_a(void **state)
{
    (void)state;
    struct monitor_entry e;
    monitor_entry_init(&e);
    struct monitor_entry_result r = monitor_entry_feed(&e, CTRL_A);
    assert_false(r.enter);
    assert_int_equal(r.nforward, 0);
    r = monitor_entry_feed(&e, CTRL_A);
    assert_false(r.enter);
    assert_int_equal(r.nforward, 0);
    r = monitor_entry_feed(&e, CTRL_A);
    assert_true(r.enter);
    assert_int_equal(r.nforward, 0);
    /* Afterwards the count starts again. */
    r = monitor_entry_feed(&e, 'q');
    assert_false(r.enter);
    assert_int_equal(r.nforward, 1);
    assert_int_equal(r.forward[0], 'q');
}

static void test_entry_interleaved(void **state)
{
    (void)state;
    struct monitor_entry e;
    monitor_entry_init(&e);
    /* Ctrl-A then x: both go to the guest, in order. */
    struct monitor_entry_result r = monitor_entry_feed(&e, CTRL_A);
    assert_int_equal(r.nforward, 0);
    r = monitor_entry_feed(&e, 'x');
    assert_false(r.enter);
    assert_int_equal(r.nforward, 2);
    assert_int_equal(r.forward[0], CTRL_A);
    assert_int_equal(r.forward[1], 'x');

    /* Two Ctrl-A then y: three bytes. */
    monitor_entry_feed(&e, CTRL_A);
    monitor_entry_feed(&e, CTRL_A);
    r = monitor_entry_feed(&e, 'y');
    assert_false(r.enter);
    assert_int_equal(r.nforward, 3);
    assert_memory_equal(r.forward, "\x01\x01y", 3);

    /* A, A, x, A, A: the x resets the count, so no entry... */
    static const uint8_t seq[] = {CTRL_A, CTRL_A, 'x', CTRL_A, CTRL_A};
    for (unsigned i = 0; i < sizeof(seq); i++)
        assert_false(monitor_entry_feed(&e, seq[i]).enter);
    /* ... until the third Ctrl-A of the new run. */
    assert_true(monitor_entry_feed(&e, CTRL_A).enter);

    /* Four in a row: the first three enter, the fourth is held, then forwarded. */
    for (unsigned i = 0; i < 2; i++)
        monitor_entry_feed(&e, CTRL_A);
    assert_true(monitor_entry_feed(&e, CTRL_A).enter);
    r = monitor_entry_feed(&e, CTRL_A);
    assert_false(r.enter);
    assert_int_equal(r.nforward, 0);
    r = monitor_entry_feed(&e, 'z');
    assert_int_equal(r.nforward, 2);
    assert_memory_equal(r.forward, "\x01z", 2);

    /* A NUL byte is an ordinary byte too. */
    monitor_entry_feed(&e, CTRL_A);
    r = monitor_entry_feed(&e, 0);
    assert_int_equal(r.nforward, 2);
    assert_memory_equal(r.forward, "\x01\x00", 2);
}

static void test_entry_flush(void **state)
{
    (void)state;
    struct monitor_entry e;
    monitor_entry_init(&e);
    struct monitor_entry_result r = monitor_entry_flush(&e);
    assert_int_equal(r.nforward, 0);
    assert_false(r.enter);
    monitor_entry_feed(&e, CTRL_A);
    monitor_entry_feed(&e, CTRL_A);
    r = monitor_entry_flush(&e);
    assert_false(r.enter);
    assert_int_equal(r.nforward, 2);
    assert_memory_equal(r.forward, "\x01\x01", 2);
    /* Flushed Ctrl-As no longer count. */
    monitor_entry_feed(&e, CTRL_A);
    assert_false(monitor_entry_feed(&e, CTRL_A).enter);
    assert_true(monitor_entry_feed(&e, CTRL_A).enter);
}

/* A pseudo-random stream against a model: the guest gets the input minus each completed run of
 * three Ctrl-A, and entries happen exactly there. */
static void test_entry_stream_model(void **state)
{
    (void)state;
    static uint8_t in[20000], got[20000], want[20000];
    unsigned seed = 12345, nwant = 0, ngot = 0, want_enters = 0, got_enters = 0, run = 0;
    for (unsigned i = 0; i < sizeof(in); i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) % 8;
        in[i] = r < 5 ? CTRL_A : (uint8_t)('a' + r);
    }
    struct monitor_entry e;
    monitor_entry_init(&e);
    for (unsigned i = 0; i < sizeof(in); i++) {
        /* model */
        if (in[i] == CTRL_A) {
            if (++run == 3) {
                run = 0;
                want_enters++;
            }
        } else {
            for (; run; run--)
                want[nwant++] = CTRL_A;
            want[nwant++] = in[i];
        }
        /* detector */
        struct monitor_entry_result r = monitor_entry_feed(&e, in[i]);
        assert_true(r.nforward <= MONITOR_ENTRY_PRESSES);
        assert_false(r.enter && r.nforward);
        got_enters += r.enter;
        memcpy(got + ngot, r.forward, r.nforward);
        ngot += r.nforward;
        assert_int_equal(got_enters, want_enters);
        assert_int_equal(ngot, nwant);
    }
    struct monitor_entry_result r = monitor_entry_flush(&e);
    memcpy(got + ngot, r.forward, r.nforward);
    ngot += r.nforward;
    for (; run; run--)
        want[nwant++] = CTRL_A;
    assert_int_equal(ngot, nwant);
    assert_memory_equal(got, want, nwant);
    assert_true(want_enters > 100);
}

/* ---- tokens and numbers ---------------------------------------------------------------------- */

static void test_tokenize(void **state)
{
    (void)state;
    struct monitor_token t[3];
    assert_int_equal(monitor_tokenize("", t, 3), 0);
    assert_int_equal(monitor_tokenize(" \t  ", t, 3), 0);
    assert_int_equal(monitor_tokenize("\t mem  0x10\t8 ", t, 3), 3);
    assert_int_equal(t[0].len, 3);
    assert_memory_equal(t[0].s, "mem", 3);
    assert_int_equal(t[1].len, 4);
    assert_memory_equal(t[1].s, "0x10", 4);
    assert_int_equal(t[2].len, 1);
    assert_memory_equal(t[2].s, "8", 1);
    /* More than max: counted, not stored. */
    memset(t, 0, sizeof(t));
    assert_int_equal(monitor_tokenize("a b c d e", t, 2), 5);
    assert_int_equal(t[2].len, 0);
    assert_null(t[2].s);
    assert_int_equal(monitor_tokenize("a b", NULL, 0), 2);
}

static enum monitor_number_status num(const char *s, uint64_t *v)
{
    *v = 0x5a5a5a5a;
    return monitor_parse_u64(s, (unsigned)strlen(s), v);
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint64_t v;
    } good[] = {
        {"0", 0},
        {"00", 0},
        {"7", 7},
        {"4096", 4096},
        {"0x0", 0},
        {"0x1000", 0x1000},
        {"0X1000", 0x1000},
        {"0xaBcDeF", 0xabcdef},
        {"010", 10}, /* decimal, not octal */
        {"18446744073709551615", UINT64_MAX},
        {"018446744073709551615", UINT64_MAX},
        {"18446744073709551614", UINT64_MAX - 1},
        {"0xffffffffffffffff", UINT64_MAX},
        {"0xFFFFFFFFFFFFFFFF", UINT64_MAX},
        {"0x0000000000000000ffffffffffffffff", UINT64_MAX},
        {"0x8000000000000000", 0x8000000000000000ull},
        {"1844674407370955161", 1844674407370955161ull},
    };
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        uint64_t v;
        if (num(good[i].s, &v) != MONITOR_NUMBER_OK || v != good[i].v)
            fail_msg("'%s' gave %lx", good[i].s, (unsigned long)v);
    }
    static const char *const overflow[] = {
        "18446744073709551616", "18446744073709551620",  "18446744073709551699",
        "99999999999999999999", "184467440737095516150", "0x10000000000000000",
        "0xfffffffffffffffff",  "0x1ffffffffffffffff",
    };
    for (unsigned i = 0; i < sizeof(overflow) / sizeof(overflow[0]); i++) {
        uint64_t v;
        if (num(overflow[i], &v) != MONITOR_NUMBER_OVERFLOW)
            fail_msg("'%s' did not overflow", overflow[i]);
        assert_int_equal(v, 0x5a5a5a5a); /* untouched */
    }
    static const char *const bad[] = {"",    "0x",   "x10",   "-1",
                                      "+1",  "1a",   "0x1g",  "0b1",
                                      "1.5", "0xx1", "1_000", "99999999999999999999z"};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v;
        if (num(bad[i], &v) != MONITOR_NUMBER_BAD)
            fail_msg("'%s' was not refused", bad[i]);
    }
    /* Only len characters are read. */
    uint64_t v;
    assert_int_equal(monitor_parse_u64("12zz", 2, &v), MONITOR_NUMBER_OK);
    assert_int_equal(v, 12);
}

/* ---- commands -------------------------------------------------------------------------------- */

static void test_blank_lines(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("").cmd, MONITOR_CMD_NONE);
    assert_int_equal(parse_ok("   \t ").cmd, MONITOR_CMD_NONE);
}

static void test_commands_without_arguments(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum monitor_command cmd;
    } cmds[] = {
        {"help", MONITOR_CMD_HELP},         {"regs", MONITOR_CMD_REGS},
        {"vmcs", MONITOR_CMD_VMCS},         {"exits", MONITOR_CMD_EXITS},
        {"irq", MONITOR_CMD_IRQ},           {"step", MONITOR_CMD_STEP},
        {"continue", MONITOR_CMD_CONTINUE}, {"reset", MONITOR_CMD_RESET},
    };
    for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char line[64], err[128], usage[64];
        assert_int_equal(parse_ok(cmds[i].name).cmd, cmds[i].cmd);
        snprintf(line, sizeof(line), "  %s\t ", cmds[i].name);
        assert_int_equal(parse_ok(line).cmd, cmds[i].cmd);
        assert_string_equal(monitor_command_name(cmds[i].cmd), cmds[i].name);
        snprintf(line, sizeof(line), "%s now", cmds[i].name);
        snprintf(err, sizeof(err), "%s takes no arguments", cmds[i].name);
        snprintf(usage, sizeof(usage), "usage: %s", cmds[i].name);
        parse_bad(line, err, usage);
        /* Names are exact: no prefixes, no upper case, no extra letters. */
        snprintf(line, sizeof(line), "%.*s", (int)strlen(cmds[i].name) - 1, cmds[i].name);
        snprintf(err, sizeof(err), "unknown command '%s' (help lists them)", line);
        parse_bad(line, err, "");
        snprintf(line, sizeof(line), "%sx", cmds[i].name);
        snprintf(err, sizeof(err), "unknown command '%s' (help lists them)", line);
        parse_bad(line, err, "");
    }
    parse_bad("HELP", "unknown command 'HELP' (help lists them)", "");
}

static void test_trace(void **state)
{
    (void)state;
    struct monitor_cmd c = parse_ok("trace");
    assert_int_equal(c.cmd, MONITOR_CMD_TRACE);
    assert_int_equal(c.count, MONITOR_TRACE_DEFAULT);
    assert_int_equal(parse_ok("trace 5").count, 5);
    assert_int_equal(parse_ok("trace 0x20").count, 32);
    assert_int_equal(parse_ok("trace 1").count, 1);
    assert_int_equal(parse_ok("trace 65536").count, MONITOR_TRACE_MAX);
    const char *u = "usage: trace [n]";
    parse_bad("trace 0", "trace: count '0' is out of range (1 to 65536)", u);
    parse_bad("trace 65537", "trace: count '65537' is out of range (1 to 65536)", u);
    parse_bad("trace 4294967297", "trace: count '4294967297' is out of range (1 to 65536)", u);
    parse_bad("trace 18446744073709551616",
              "trace: count '18446744073709551616' is out of range (1 to 65536)", u);
    parse_bad("trace ten", "trace: count 'ten' is not a number (decimal or 0x hex)", u);
    parse_bad("trace -1", "trace: count '-1' is not a number (decimal or 0x hex)", u);
    parse_bad("trace 1 2", "trace: too many arguments", u);
}

static void test_mem(void **state)
{
    (void)state;
    struct monitor_cmd c = parse_ok("mem 0x1000");
    assert_int_equal(c.cmd, MONITOR_CMD_MEM);
    assert_int_equal(c.gpa, 0x1000);
    assert_int_equal(c.len, MONITOR_MEM_LEN_DEFAULT);
    c = parse_ok("mem\t4096   16 ");
    assert_int_equal(c.gpa, 4096);
    assert_int_equal(c.len, 16);
    c = parse_ok("mem 0 0x1000");
    assert_int_equal(c.gpa, 0);
    assert_int_equal(c.len, MONITOR_MEM_LEN_MAX);
    assert_int_equal(MONITOR_MEM_LEN_MAX, 4096);
    c = parse_ok("mem 0xffffffffffffffff 1");
    assert_true(c.gpa == UINT64_MAX);
    assert_int_equal(c.len, 1);
    c = parse_ok("mem 0xfffffffffffff000 4096");
    assert_true(c.gpa == 0xfffffffffffff000ull);
    c = parse_ok("mem 18446744073709551615 1");
    assert_true(c.gpa == UINT64_MAX);

    const char *u = "usage: mem <gpa> [len]";
    parse_bad("mem", "mem: missing <gpa>", u);
    parse_bad("mem 0x1000 16 2", "mem: too many arguments", u);
    parse_bad("mem 0x1000 0", "mem: length '0' is out of range (1 to 4096)", u);
    parse_bad("mem 0x1000 4097", "mem: length '4097' is out of range (1 to 4096)", u);
    parse_bad("mem 0x1000 0x10000000000000000",
              "mem: length '0x10000000000000000' is out of range (1 to 4096)", u);
    parse_bad("mem 0x1000 len", "mem: length 'len' is not a number (decimal or 0x hex)", u);
    parse_bad("mem zz", "mem: address 'zz' is not a number (decimal or 0x hex)", u);
    parse_bad("mem 0x", "mem: address '0x' is not a number (decimal or 0x hex)", u);
    parse_bad("mem 18446744073709551616",
              "mem: address '18446744073709551616' is larger than 2^64-1", u);
    parse_bad("mem 0x10000000000000000 4",
              "mem: address '0x10000000000000000' is larger than 2^64-1", u);
    parse_bad("mem 0xffffffffffffffff 2",
              "mem: 2 bytes at ffffffffffffffff go past the top of the address space (2^64)", u);
    parse_bad("mem 0xfffffffffffff001 4096",
              "mem: 4096 bytes at fffffffffffff001 go past the top of the address space (2^64)", u);
    parse_bad("mem 0xffffffffffffffc1",
              "mem: 64 bytes at ffffffffffffffc1 go past the top of the address space (2^64)", u);
    /* A long bad word is quoted shortened. */
    parse_bad("mem 0x11111111111111111111111111111111111111111111111111",
              "mem: address '0x11111111111111111111111111111111111111...' is larger than 2^64-1",
              u);
}

static void test_ept(void **state)
{
    (void)state;
    struct monitor_cmd c = parse_ok("ept 0xfee00000");
    assert_int_equal(c.cmd, MONITOR_CMD_EPT);
    assert_int_equal(c.gpa, 0xfee00000u);
    assert_true(parse_ok("ept 18446744073709551615").gpa == UINT64_MAX);
    assert_int_equal(parse_ok("ept 0").gpa, 0);
    const char *u = "usage: ept <gpa>";
    parse_bad("ept", "ept: missing <gpa>", u);
    parse_bad("ept 1 2", "ept: too many arguments", u);
    parse_bad("ept 18446744073709551616",
              "ept: address '18446744073709551616' is larger than 2^64-1", u);
    parse_bad("ept 0x1_000", "ept: address '0x1_000' is not a number (decimal or 0x hex)", u);
}

static void test_dev(void **state)
{
    (void)state;
    struct monitor_cmd c = parse_ok("dev uart0");
    assert_int_equal(c.cmd, MONITOR_CMD_DEV);
    assert_string_equal(c.name, "uart0");
    char line[64], name[40];
    memset(name, 'n', 31);
    name[31] = '\0';
    snprintf(line, sizeof(line), "dev %s", name);
    assert_string_equal(parse_ok(line).name, name);
    name[31] = 'n';
    name[32] = '\0';
    snprintf(line, sizeof(line), "dev %s", name);
    char err[128];
    snprintf(err, sizeof(err), "dev: name '%s' is longer than 31 characters", name);
    const char *u = "usage: dev <name>";
    parse_bad(line, err, u);
    parse_bad("dev", "dev: missing <name>", u);
    parse_bad("dev pit pic", "dev: too many arguments", u);
}

static void test_log(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        unsigned level;
    } good[] = {{"log error", 0}, {"log warn", 1}, {"log info", 2}, {"log debug", 3},
                {"log 0", 0},     {"log 3", 3},    {"log 0x2", 2}};
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct monitor_cmd c = parse_ok(good[i].line);
        assert_int_equal(c.cmd, MONITOR_CMD_LOG);
        assert_int_equal(c.level, good[i].level);
    }
    const char *u = "usage: log <level>";
    parse_bad("log", "log: missing <level>", u);
    parse_bad("log 4", "log: '4' is not a level (error, warn, info, debug or 0-3)", u);
    parse_bad("log verbose", "log: 'verbose' is not a level (error, warn, info, debug or 0-3)", u);
    parse_bad("log INFO", "log: 'INFO' is not a level (error, warn, info, debug or 0-3)", u);
    parse_bad("log infos", "log: 'infos' is not a level (error, warn, info, debug or 0-3)", u);
    parse_bad("log info debug", "log: too many arguments", u);
}

static void test_unknown(void **state)
{
    (void)state;
    parse_bad("x", "unknown command 'x' (help lists them)", "");
    parse_bad("  frobnicate 1 2 3 4 5", "unknown command 'frobnicate' (help lists them)", "");
    char line[MONITOR_LINE_MAX + 1];
    memset(line, 'q', MONITOR_LINE_MAX);
    line[MONITOR_LINE_MAX] = '\0';
    parse_bad(line,
              "unknown command 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq...' (help lists them)",
              "");
}

static void test_parse_clears_previous(void **state)
{
    (void)state;
    struct monitor_cmd c;
    assert_false(monitor_parse("mem zz", &c));
    assert_true(monitor_parse("regs", &c));
    assert_string_equal(c.error, "");
    assert_string_equal(c.usage, "");
    assert_true(monitor_parse("dev pit", &c));
    assert_true(monitor_parse("dev", &c) == false);
    assert_string_equal(c.name, "");
}

static void test_names(void **state)
{
    (void)state;
    assert_null(monitor_command_name(MONITOR_CMD_NONE));
    assert_null(monitor_command_name(MONITOR_CMD_COUNT));
    assert_null(monitor_command_name((enum monitor_command)1000));
    assert_string_equal(monitor_command_name(MONITOR_CMD_MEM), "mem");
    assert_string_equal(monitor_command_name(MONITOR_CMD_TRACE), "trace");
    /* Every command has a name, and each name parses back to its command. */
    for (unsigned i = MONITOR_CMD_NONE + 1; i < MONITOR_CMD_COUNT; i++) {
        const char *name = monitor_command_name((enum monitor_command)i);
        assert_non_null(name);
        struct monitor_cmd c;
        bool ok = monitor_parse(name, &c);
        if (ok)
            assert_int_equal(c.cmd, i);
        else /* it needs an argument: the error names it */
            assert_true(strncmp(c.usage, "usage: ", 7) == 0 &&
                        strncmp(c.usage + 7, name, strlen(name)) == 0);
    }
}

static void test_help(void **state)
{
    (void)state;
    out_len = 0;
    out[0] = '\0';
    monitor_print_help(capture);
    static const char *const synopses[] = {
        "help",      "regs", "vmcs",       "exits",       "trace [n]", "mem <gpa> [len]",
        "ept <gpa>", "irq",  "dev <name>", "log <level>", "step",      "continue",
        "reset"};
    unsigned lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + MONITOR_CMD_COUNT - 1); /* a heading, one line per command */
    assert_int_equal(sizeof(synopses) / sizeof(synopses[0]), MONITOR_CMD_COUNT - 1);
    const char *prev = out;
    for (unsigned i = 0; i < sizeof(synopses) / sizeof(synopses[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "\n  %-18s ", synopses[i]);
        const char *at = strstr(out, want);
        if (!at)
            fail_msg("help lacks '%s':\n%s", synopses[i], out);
        assert_true(at >= prev); /* table order */
        prev = at;
        /* The usage line of an error is the same synopsis. */
        struct monitor_cmd c;
        char line[64], usage[64];
        snprintf(line, sizeof(line), "%s a b c", monitor_command_name(i + 1));
        assert_false(monitor_parse(line, &c));
        snprintf(usage, sizeof(usage), "usage: %s", synopses[i]);
        assert_string_equal(c.usage, usage);
    }
    assert_non_null(strstr(out, "  mem <gpa> [len]    hex dump of guest-physical memory (len "
                                "default 64, at most 4096)\n"));
}

/* The editor and the parser together, as the monitor will use them. */
static void test_editor_to_parser(void **state)
{
    (void)state;
    struct monitor_line l;
    monitor_line_init(&l);
    assert_int_equal(feed_str(&l, "mex\x7fm 0x2000\x1b[D 32\r").action, MONITOR_LINE_DONE);
    struct monitor_cmd c = parse_ok(monitor_line_text(&l));
    assert_int_equal(c.cmd, MONITOR_CMD_MEM);
    assert_int_equal(c.gpa, 0x2000);
    assert_int_equal(c.len, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_basic),
        cmocka_unit_test(test_line_backspace_and_kill),
        cmocka_unit_test(test_line_overlong),
        cmocka_unit_test(test_line_escapes_and_controls),
        cmocka_unit_test(test_entry_three_ctrl_a),
        cmocka_unit_test(test_entry_interleaved),
        cmocka_unit_test(test_entry_flush),
        cmocka_unit_test(test_entry_stream_model),
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_commands_without_arguments),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_mem),
        cmocka_unit_test(test_ept),
        cmocka_unit_test(test_dev),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_parse_clears_previous),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_editor_to_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
