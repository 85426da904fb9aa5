/* The debug monitor's command-line layer: the serial line editor, the Ctrl-A Ctrl-A Ctrl-A entry
 * detector, and the table-driven command parser with its help text. Pure C, no global state. */
#ifndef MICA_VMM_MONITOR_CMD_H
#define MICA_VMM_MONITOR_CMD_H

#include <stdbool.h>
#include <stdint.h>

/* ---- line editor ------------------------------------------------------------------------------
 * Fed one byte at a time from the serial port. Printable ASCII (0x20-0x7e) is appended up to
 * MONITOR_LINE_MAX characters; backspace (0x08) and DEL (0x7f) erase one, Ctrl-U the whole line;
 * CR or LF completes it (an LF right after a CR is the same line end and is skipped). Escape
 * sequences (ESC x, ESC [ ... final, ESC O x: cursor keys and the like) are swallowed whole; other
 * control characters and bytes >= 0x80 are ignored. Characters past the limit are rejected (the
 * caller rings the bell) and the whole line is then refused when completed, so a truncated
 * command never runs. The editor does no output: each event says what to echo. */

#define MONITOR_LINE_MAX 128

enum monitor_line_action {
    MONITOR_LINE_NONE,     /* nothing to show */
    MONITOR_LINE_ECHO,     /* echo the byte just fed */
    MONITOR_LINE_ERASE,    /* erase .erase characters before the cursor ("\b \b" each) */
    MONITOR_LINE_BELL,     /* rejected (line full, or backspace on an empty line): "\a" */
    MONITOR_LINE_DONE,     /* line complete: monitor_line_text(); echo a newline */
    MONITOR_LINE_TOO_LONG, /* line complete, but characters were rejected: say so, run nothing */
};

struct monitor_line_event {
    enum monitor_line_action action;
    unsigned erase; /* MONITOR_LINE_ERASE: characters to erase (1, or the line for Ctrl-U) */
};

struct monitor_line {
    char buf[MONITOR_LINE_MAX + 1]; /* NUL-terminated */
    unsigned len;
    bool overflowed; /* a character of this line was rejected */
    bool after_cr;   /* the last byte was the CR completing a line */
    bool done;       /* the last event was DONE or TOO_LONG: the next byte starts a new line */
    uint8_t escape;  /* escape-sequence state (monitor_cmd.c) */
};

void monitor_line_init(struct monitor_line *l);
struct monitor_line_event monitor_line_feed(struct monitor_line *l, uint8_t byte);
/* The line being edited, or after DONE the completed line (valid until the next feed). */
static inline const char *monitor_line_text(const struct monitor_line *l)
{
    return l->buf;
}

/* ---- entry key detector -----------------------------------------------------------------------
 * While the guest owns the console: MONITOR_ENTRY_PRESSES Ctrl-A (0x01) bytes in a row enter the
 * monitor (Xen's convention). A Ctrl-A is held back until it is known whether it belongs to the
 * sequence; any other byte ends the run and is forwarded after the held Ctrl-As, so the guest sees
 * every byte that is not part of a completed sequence, in order. */

#define MONITOR_ENTRY_KEY     0x01u /* Ctrl-A */
#define MONITOR_ENTRY_PRESSES 3u

struct monitor_entry {
    unsigned held; /* Ctrl-A bytes held back, < MONITOR_ENTRY_PRESSES */
};

struct monitor_entry_result {
    uint8_t forward[MONITOR_ENTRY_PRESSES]; /* bytes for the guest, in order */
    unsigned nforward;
    bool enter; /* the sequence is complete: enter the monitor (its bytes are not forwarded) */
};

void monitor_entry_init(struct monitor_entry *e);
struct monitor_entry_result monitor_entry_feed(struct monitor_entry *e, uint8_t byte);
/* Hands over the held Ctrl-As (e.g. after a second without input), so that a lone Ctrl-A still
 * reaches the guest. */
struct monitor_entry_result monitor_entry_flush(struct monitor_entry *e);

/* ---- commands ---------------------------------------------------------------------------------
 * A line is split at spaces and tabs; the first word names the command, exactly (lower case).
 * Numbers are decimal or 0x/0X hexadecimal, 0 to 2^64-1, with nothing after them. */

enum monitor_command {
    MONITOR_CMD_NONE, /* empty line: do nothing */
    MONITOR_CMD_HELP,
    MONITOR_CMD_REGS,
    MONITOR_CMD_VMCS,
    MONITOR_CMD_EXITS,
    MONITOR_CMD_TRACE,
    MONITOR_CMD_MEM,
    MONITOR_CMD_EPT,
    MONITOR_CMD_IRQ,
    MONITOR_CMD_DEV,
    MONITOR_CMD_LOG,
    MONITOR_CMD_STEP,
    MONITOR_CMD_CONTINUE,
    MONITOR_CMD_RESET,
    MONITOR_CMD_COUNT
};

#define MONITOR_MEM_LEN_DEFAULT 64u   /* mem without a length */
#define MONITOR_MEM_LEN_MAX     4096u /* mem's longest dump */
#define MONITOR_TRACE_DEFAULT   16u   /* trace without n */
#define MONITOR_TRACE_MAX       65536u
#define MONITOR_NAME_MAX        31u /* dev's name */
#define MONITOR_ERROR_MAX       160u

struct monitor_cmd {
    enum monitor_command cmd;
    uint64_t gpa;                    /* mem, ept */
    uint64_t len;                    /* mem: 1..MONITOR_MEM_LEN_MAX; gpa + len - 1 < 2^64 */
    unsigned count;                  /* trace: 1..MONITOR_TRACE_MAX */
    unsigned level;                  /* log: enum log_level (kernel/log.h), 0 error .. 3 debug */
    char name[MONITOR_NAME_MAX + 1]; /* dev */
    /* When monitor_parse() fails: what is wrong, and (for a known command) its usage line, e.g.
     * "usage: mem <gpa> [len]" (else empty). */
    char error[MONITOR_ERROR_MAX];
    char usage[MONITOR_ERROR_MAX];
};

/* Parses one completed line. True with out->cmd set (MONITOR_CMD_NONE for a blank line); false
 * with out->error (and out->usage) set, e.g. "unknown command 'x' (help lists them)". */
bool monitor_parse(const char *line, struct monitor_cmd *out);

/* Output goes through this (the monitor's console, or a test's buffer). */
typedef void (*monitor_printf_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line per command, from the same table the parser uses. */
void monitor_print_help(monitor_printf_fn print);
/* The command's name ("mem"), or NULL for NONE and out-of-range values. */
const char *monitor_command_name(enum monitor_command cmd);

/* The pieces, exposed for tests and for other parsers. */
struct monitor_token {
    const char *s; /* into the line, not NUL-terminated */
    unsigned len;
};
/* Stores up to max tokens; returns how many the line has (may be more than max). */
unsigned monitor_tokenize(const char *line, struct monitor_token *tokens, unsigned max);
enum monitor_number_status { MONITOR_NUMBER_OK, MONITOR_NUMBER_BAD, MONITOR_NUMBER_OVERFLOW };
enum monitor_number_status monitor_parse_u64(const char *s, unsigned len, uint64_t *value);

#endif
