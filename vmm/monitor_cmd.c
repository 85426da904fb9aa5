/* The debug monitor's command-line layer (vmm/monitor_cmd.h): line editor, entry key detector,
 * tokenizer, number parser and the command table behind both the parser and the help text. */
#include "vmm/monitor_cmd.h"

#include <stddef.h>

#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/string.h"

/* ---- line editor ----------------------------------------------------------------------------- */

#define CH_BS  0x08
#define CH_LF  0x0a
#define CH_CR  0x0d
#define CH_NAK 0x15 /* Ctrl-U */
#define CH_ESC 0x1b
#define CH_DEL 0x7f

enum escape_state { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

void monitor_line_init(struct monitor_line *l)
{
    memset(l, 0, sizeof(*l));
}

static bool printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7f;
}

static struct monitor_line_event event(enum monitor_line_action action, unsigned erase)
{
    return (struct monitor_line_event){.action = action, .erase = erase};
}

/* True if the byte was part of an escape sequence. A control character inside one ends the
 * sequence and is then handled as itself, so a stray ESC cannot eat a line end. */
static bool in_escape(struct monitor_line *l, uint8_t c)
{
    switch (l->escape) {
    case ESC_START:
        if (!printable(c))
            break;
        l->escape = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        return true;
    case ESC_CSI:
        if (c >= 0x20 && c <= 0x3f) /* parameter and intermediate bytes */
            return true;
        if (c >= 0x40 && c <= 0x7e) { /* final byte */
            l->escape = ESC_NONE;
            return true;
        }
        break;
    case ESC_SS3:
        if (!printable(c))
            break;
        l->escape = ESC_NONE;
        return true;
    default:
        return false;
    }
    l->escape = ESC_NONE;
    return false;
}

struct monitor_line_event monitor_line_feed(struct monitor_line *l, uint8_t c)
{
    if (l->done) {
        l->done = false;
        l->len = 0;
        l->buf[0] = '\0';
        l->overflowed = false;
    }
    bool after_cr = l->after_cr;
    l->after_cr = false;
    if (in_escape(l, c))
        return event(MONITOR_LINE_NONE, 0);
    switch (c) {
    case CH_ESC:
        l->escape = ESC_START;
        return event(MONITOR_LINE_NONE, 0);
    case CH_LF:
        if (after_cr) /* CR LF: one line end */
            return event(MONITOR_LINE_NONE, 0);
        /* fall through */
    case CH_CR:
        l->after_cr = c == CH_CR;
        l->done = true;
        return event(l->overflowed ? MONITOR_LINE_TOO_LONG : MONITOR_LINE_DONE, 0);
    case CH_BS:
    case CH_DEL:
        if (l->len == 0)
            return event(MONITOR_LINE_BELL, 0);
        l->buf[--l->len] = '\0';
        return event(MONITOR_LINE_ERASE, 1);
    case CH_NAK: {
        unsigned erased = l->len;
        l->len = 0;
        l->buf[0] = '\0';
        l->overflowed = false;
        return event(erased ? MONITOR_LINE_ERASE : MONITOR_LINE_NONE, erased);
    }
    default:
        break;
    }
    if (!printable(c))
        return event(MONITOR_LINE_NONE, 0);
    if (l->len >= MONITOR_LINE_MAX) {
        l->overflowed = true;
        return event(MONITOR_LINE_BELL, 0);
    }
    l->buf[l->len++] = (char)c;
    l->buf[l->len] = '\0';
    return event(MONITOR_LINE_ECHO, 0);
}

/* ---- entry key detector ---------------------------------------------------------------------- */

void monitor_entry_init(struct monitor_entry *e)
{
    e->held = 0;
}

struct monitor_entry_result monitor_entry_flush(struct monitor_entry *e)
{
    struct monitor_entry_result r = {.nforward = 0};
    for (; e->held > 0; e->held--)
        r.forward[r.nforward++] = MONITOR_ENTRY_KEY;
    return r;
}

struct monitor_entry_result monitor_entry_feed(struct monitor_entry *e, uint8_t byte)
{
    if (byte == MONITOR_ENTRY_KEY) {
        struct monitor_entry_result r = {.nforward = 0};
        if (++e->held == MONITOR_ENTRY_PRESSES) {
            e->held = 0;
            r.enter = true;
        }
        return r;
    }
    struct monitor_entry_result r = monitor_entry_flush(e);
    r.forward[r.nforward++] = byte;
    return r;
}

/* ---- tokens and numbers ---------------------------------------------------------------------- */

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

unsigned monitor_tokenize(const char *line, struct monitor_token *tokens, unsigned max)
{
    unsigned n = 0;
    const char *p = line;
    for (;;) {
        while (blank(*p))
            p++;
        if (*p == '\0')
            return n;
        const char *start = p;
        while (*p && !blank(*p))
            p++;
        if (n < max)
            tokens[n] = (struct monitor_token){.s = start, .len = (unsigned)(p - start)};
        n++;
    }
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum monitor_number_status monitor_parse_u64(const char *s, unsigned len, uint64_t *value)
{
    unsigned base = 10;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return MONITOR_NUMBER_BAD;
    for (unsigned i = 0; i < len; i++) {
        int d = digit_value(s[i]);
        if (d < 0 || (unsigned)d >= base)
            return MONITOR_NUMBER_BAD;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++) {
        unsigned d = (unsigned)digit_value(s[i]);
        if (v > (UINT64_MAX - d) / base)
            return MONITOR_NUMBER_OVERFLOW;
        v = v * base + d;
    }
    *value = v;
    return MONITOR_NUMBER_OK;
}

/* ---- the command table ----------------------------------------------------------------------- */

enum arg_kind { ARG_GPA = 1, ARG_LEN, ARG_COUNT, ARG_NAME, ARG_LEVEL };
#define MAX_ARGS 2

struct command_desc {
    const char *name;
    const char *args; /* the synopsis after the name, "" for none */
    const char *help;
    unsigned min_args;
    unsigned max_args;
    enum arg_kind arg[MAX_ARGS];
    const char *arg_name[MAX_ARGS]; /* for "missing <gpa>" */
};

static const struct command_desc commands[MONITOR_CMD_COUNT] = {
    [MONITOR_CMD_HELP] = {.name = "help", .args = "", .help = "this list"},
    [MONITOR_CMD_REGS] = {.name = "regs",
                          .args = "",
                          .help = "guest registers, RIP, RSP, RFLAGS and control registers"},
    [MONITOR_CMD_VMCS] = {.name = "vmcs",
                          .args = "",
                          .help = "VMCS dump: guest state, controls, exit information"},
    [MONITOR_CMD_EXITS] = {.name = "exits", .args = "", .help = "VM exit counts by reason"},
    [MONITOR_CMD_TRACE] = {.name = "trace",
                           .args = "[n]",
                           .help = "the last n VM exits, newest last (default 16, at most 65536)",
                           .max_args = 1,
                           .arg = {ARG_COUNT},
                           .arg_name = {"n"}},
    [MONITOR_CMD_MEM] = {.name = "mem",
                         .args = "<gpa> [len]",
                         .help = "hex dump of guest-physical memory (len default 64, at most 4096)",
                         .min_args = 1,
                         .max_args = 2,
                         .arg = {ARG_GPA, ARG_LEN},
                         .arg_name = {"gpa", "len"}},
    [MONITOR_CMD_EPT] = {.name = "ept",
                         .args = "<gpa>",
                         .help = "EPT walk of a guest-physical address, entry by entry",
                         .min_args = 1,
                         .max_args = 1,
                         .arg = {ARG_GPA},
                         .arg_name = {"gpa"}},
    [MONITOR_CMD_IRQ] = {.name = "irq",
                         .args = "",
                         .help = "interrupt state: pending vectors, masking, injection counts"},
    [MONITOR_CMD_DEV] = {.name = "dev",
                         .args = "<name>",
                         .help = "state of an emulated device",
                         .min_args = 1,
                         .max_args = 1,
                         .arg = {ARG_NAME},
                         .arg_name = {"name"}},
    [MONITOR_CMD_LOG] = {.name = "log",
                         .args = "<level>",
                         .help = "log level: error, warn, info, debug (or 0-3)",
                         .min_args = 1,
                         .max_args = 1,
                         .arg = {ARG_LEVEL},
                         .arg_name = {"level"}},
    [MONITOR_CMD_STEP] = {.name = "step",
                          .args = "",
                          .help = "run one guest instruction, then come back here"},
    [MONITOR_CMD_CONTINUE] = {.name = "continue",
                              .args = "",
                              .help = "leave the monitor, the guest runs on"},
    [MONITOR_CMD_RESET] = {.name = "reset", .args = "", .help = "reset the machine"},
};

const char *monitor_command_name(enum monitor_command cmd)
{
    if ((unsigned)cmd >= MONITOR_CMD_COUNT)
        return NULL;
    return commands[cmd].name;
}

static void synopsis(char *buf, size_t size, const struct command_desc *d)
{
    ksnprintf(buf, size, "%s%s%s", d->name, d->args[0] ? " " : "", d->args);
}

void monitor_print_help(monitor_printf_fn print)
{
    print("monitor commands (numbers are decimal or 0x hex):\n");
    for (unsigned i = 0; i < MONITOR_CMD_COUNT; i++) {
        if (!commands[i].name)
            continue;
        char syn[32];
        synopsis(syn, sizeof(syn), &commands[i]);
        print("  %-18s %s\n", syn, commands[i].help);
    }
}

/* ---- parsing --------------------------------------------------------------------------------- */

#define QUOTE_MAX 40 /* longest word quoted back in an error message */

__attribute__((format(printf, 3, 4))) static bool
fail(struct monitor_cmd *out, const struct command_desc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(out->error, sizeof(out->error), fmt, ap);
    va_end(ap);
    if (d) {
        char syn[32];
        synopsis(syn, sizeof(syn), d);
        ksnprintf(out->usage, sizeof(out->usage), "usage: %s", syn);
    }
    out->cmd = MONITOR_CMD_NONE;
    return false;
}

static int quote_len(const struct monitor_token *t)
{
    return (int)(t->len < QUOTE_MAX ? t->len : QUOTE_MAX);
}

static const char *quote_more(const struct monitor_token *t)
{
    return t->len > QUOTE_MAX ? "..." : "";
}

static bool token_is(const struct monitor_token *t, const char *word)
{
    size_t n = strlen(word);
    return t->len == n && strncmp(t->s, word, n) == 0;
}

/* A number in [min, max]; a number out of range or too large gives range_msg. */
static bool parse_ranged(struct monitor_cmd *out, const struct command_desc *d,
                         const struct monitor_token *t, const char *what, uint64_t min,
                         uint64_t max, uint64_t *value)
{
    enum monitor_number_status st = monitor_parse_u64(t->s, t->len, value);
    if (st == MONITOR_NUMBER_BAD)
        return fail(out, d, "%s: %s '%.*s%s' is not a number (decimal or 0x hex)", d->name, what,
                    quote_len(t), t->s, quote_more(t));
    if (st == MONITOR_NUMBER_OVERFLOW || *value < min || *value > max) {
        if (max == UINT64_MAX)
            return fail(out, d, "%s: %s '%.*s%s' is larger than 2^64-1", d->name, what,
                        quote_len(t), t->s, quote_more(t));
        return fail(out, d, "%s: %s '%.*s%s' is out of range (%lu to %lu)", d->name, what,
                    quote_len(t), t->s, quote_more(t), (unsigned long)min, (unsigned long)max);
    }
    return true;
}

static bool parse_level(struct monitor_cmd *out, const struct command_desc *d,
                        const struct monitor_token *t)
{
    static const char *const names[] = {
        [LOG_ERROR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug"};
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (token_is(t, names[i])) {
            out->level = i;
            return true;
        }
    }
    uint64_t v;
    if (monitor_parse_u64(t->s, t->len, &v) == MONITOR_NUMBER_OK && v <= LOG_DEBUG) {
        out->level = (unsigned)v;
        return true;
    }
    return fail(out, d, "log: '%.*s%s' is not a level (error, warn, info, debug or 0-3)",
                quote_len(t), t->s, quote_more(t));
}

static bool parse_arg(struct monitor_cmd *out, const struct command_desc *d, enum arg_kind kind,
                      const struct monitor_token *t)
{
    uint64_t v;
    switch (kind) {
    case ARG_GPA:
        return parse_ranged(out, d, t, "address", 0, UINT64_MAX, &out->gpa);
    case ARG_LEN:
        return parse_ranged(out, d, t, "length", 1, MONITOR_MEM_LEN_MAX, &out->len);
    case ARG_COUNT:
        if (!parse_ranged(out, d, t, "count", 1, MONITOR_TRACE_MAX, &v))
            return false;
        out->count = (unsigned)v;
        return true;
    case ARG_NAME:
        if (t->len > MONITOR_NAME_MAX)
            return fail(out, d, "%s: name '%.*s%s' is longer than %u characters", d->name,
                        quote_len(t), t->s, quote_more(t), MONITOR_NAME_MAX);
        memcpy(out->name, t->s, t->len);
        out->name[t->len] = '\0';
        return true;
    case ARG_LEVEL:
        return parse_level(out, d, t);
    }
    return fail(out, d, "%s: internal error: bad argument kind %d", d->name, (int)kind);
}

bool monitor_parse(const char *line, struct monitor_cmd *out)
{
    memset(out, 0, sizeof(*out));
    struct monitor_token tok[1 + MAX_ARGS];
    unsigned n = monitor_tokenize(line, tok, 1 + MAX_ARGS);
    if (n == 0)
        return true; /* MONITOR_CMD_NONE */

    const struct command_desc *d = NULL;
    unsigned cmd;
    for (cmd = 0; cmd < MONITOR_CMD_COUNT; cmd++) {
        if (commands[cmd].name && token_is(&tok[0], commands[cmd].name)) {
            d = &commands[cmd];
            break;
        }
    }
    if (!d)
        return fail(out, NULL, "unknown command '%.*s%s' (help lists them)", quote_len(&tok[0]),
                    tok[0].s, quote_more(&tok[0]));

    unsigned nargs = n - 1;
    if (nargs > d->max_args) {
        if (d->max_args == 0)
            return fail(out, d, "%s takes no arguments", d->name);
        return fail(out, d, "%s: too many arguments", d->name);
    }
    if (nargs < d->min_args)
        return fail(out, d, "%s: missing <%s>", d->name, d->arg_name[nargs]);

    out->len = MONITOR_MEM_LEN_DEFAULT;
    out->count = MONITOR_TRACE_DEFAULT;
    for (unsigned i = 0; i < nargs; i++) {
        if (!parse_arg(out, d, d->arg[i], &tok[1 + i]))
            return false;
    }
    if (cmd == MONITOR_CMD_MEM && out->len - 1 > UINT64_MAX - out->gpa)
        return fail(out, d, "mem: %lu bytes at %lx go past the top of the address space (2^64)",
                    (unsigned long)out->len, (unsigned long)out->gpa);
    out->cmd = (enum monitor_command)cmd;
    return true;
}
