/* Command-line parsing: a table of options, each with its own value parser, applied in order.
 * Unknown options, missing values and bad values each produce a message naming the problem. */
#include "kernel/cmdline.h"

#include <stddef.h>

#include "drivers/clocksource.h"
#include "drivers/uart_config.h"
#include "kernel/format.h"
#include "kernel/string.h"

#define WORD_SHOWN_MAX 48 /* characters of a bad word quoted in its message */

struct option_value {
    const char *text; /* not NUL-terminated */
    size_t len;
};

typedef bool (*option_parser)(struct option_value v, struct kernel_config *cfg, char *why,
                              size_t why_len);

struct option {
    const char *name;
    option_parser parse;
};

static bool value_is(struct option_value v, const char *word)
{
    return strlen(word) == v.len && strncmp(v.text, word, v.len) == 0;
}

static bool parse_loglevel(struct option_value v, struct kernel_config *cfg, char *why,
                           size_t why_len)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++) {
        if (value_is(v, names[i]) || (v.len == 1 && v.text[0] == '0' + i)) {
            cfg->loglevel = i;
            return true;
        }
    }
    ksnprintf(why, why_len, "expected error, warn, info, debug or 0-3");
    return false;
}

static bool parse_console(struct option_value v, struct kernel_config *cfg, char *why,
                          size_t why_len)
{
    cfg->console_given = true;
    if (value_is(v, "com1") || value_is(v, "ttyS0")) {
        cfg->console = CONSOLE_COM1;
        return true;
    }
    if (value_is(v, "com2") || value_is(v, "ttyS1")) {
        cfg->console = CONSOLE_COM2;
        return true;
    }
    if (value_is(v, "spcr")) {
        cfg->console = CONSOLE_SPCR;
        return true;
    }
    ksnprintf(why, why_len, "expected com1, com2 or spcr");
    return false;
}

static bool parse_test(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    if (v.len >= sizeof(cfg->tests)) {
        ksnprintf(why, why_len, "list longer than %zu characters", sizeof(cfg->tests) - 1);
        return false;
    }
    for (size_t i = 0; i < v.len; i++) {
        char c = v.text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ',';
        if (!ok) {
            ksnprintf(why, why_len, "test names use a-z, 0-9 and _, separated by commas");
            return false;
        }
    }
    memcpy(cfg->tests, v.text, v.len);
    cfg->tests[v.len] = '\0';
    return true;
}

static bool parse_fatal(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    if (value_is(v, "halt")) {
        cfg->on_fatal = FATAL_HALT;
        return true;
    }
    if (value_is(v, "poweroff")) {
        cfg->on_fatal = FATAL_POWEROFF;
        return true;
    }
    ksnprintf(why, why_len, "expected halt or poweroff");
    return false;
}

/* Parses a decimal or 0x-prefixed number with an optional K/M/G suffix (binary units). */
static bool parse_size(struct option_value v, uint64_t *out)
{
    uint64_t value = 0;
    size_t i = 0;
    unsigned base = 10;
    if (v.len > 2 && v.text[0] == '0' && (v.text[1] == 'x' || v.text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    size_t digits_start = i;
    for (; i < v.len; i++) {
        char c = v.text[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        if (value > (UINT64_MAX - d) / base)
            return false;
        value = value * base + d;
    }
    if (i == digits_start)
        return false;
    unsigned shift = 0;
    if (i < v.len) {
        char unit = v.text[i++];
        if (unit == 'K' || unit == 'k')
            shift = 10;
        else if (unit == 'M' || unit == 'm')
            shift = 20;
        else if (unit == 'G' || unit == 'g')
            shift = 30;
        else
            return false;
    }
    if (i != v.len || (shift && value > (UINT64_MAX >> shift)))
        return false;
    *out = value << shift;
    return true;
}

static bool parse_guest_mem(struct option_value v, struct kernel_config *cfg, char *why,
                            size_t why_len)
{
    uint64_t size;
    if (!parse_size(v, &size)) {
        ksnprintf(why, why_len, "expected a size such as 64M, 1G or 0x4000000");
        return false;
    }
    if (size < CMDLINE_GUEST_MEM_MIN || size > CMDLINE_GUEST_MEM_MAX ||
        size % CMDLINE_GUEST_MEM_MIN) {
        ksnprintf(why, why_len, "must be a multiple of 2M between 2M and 4G");
        return false;
    }
    cfg->guest_mem = size;
    return true;
}

static bool parse_guest_flat(struct option_value v, struct kernel_config *cfg, char *why,
                             size_t why_len)
{
    uint64_t addr;
    /* Real mode reaches the first MiB; the entry is CS:IP = (addr >> 4):(addr & 0xf). */
    if (!parse_size(v, &addr) || addr == 0 || addr >= 0x100000) {
        ksnprintf(why, why_len, "expected a load address between 0x1 and 0xfffff, e.g. 0x7c00");
        return false;
    }
    cfg->guest_flat_load = addr;
    return true;
}

static bool parse_rt_task(struct option_value v, struct kernel_config *cfg, char *why,
                          size_t why_len)
{
    uint64_t hz;
    if (!parse_size(v, &hz) || hz > 10000) {
        ksnprintf(why, why_len, "expected a rate in Hz from 0 (off) to 10000");
        return false;
    }
    cfg->rt_task_hz = (unsigned)hz;
    return true;
}

static bool parse_exit_trace(struct option_value v, struct kernel_config *cfg, char *why,
                             size_t why_len)
{
    if (value_is(v, "on") || value_is(v, "1")) {
        cfg->exit_trace = true;
        return true;
    }
    if (value_is(v, "off") || value_is(v, "0")) {
        cfg->exit_trace = false;
        return true;
    }
    ksnprintf(why, why_len, "expected on or off");
    return false;
}

static bool parse_disk(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    static const struct {
        const char *name;
        enum disk_kind kind;
    } kinds[] = {{"none", DISK_NONE}, {"module", DISK_MODULE}, {"passthrough", DISK_PASSTHROUGH}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (value_is(v, kinds[i].name)) {
            cfg->disk = kinds[i].kind;
            cfg->disk_size = 0;
            return true;
        }
    }
    uint64_t size;
    if (!parse_size(v, &size)) {
        ksnprintf(why, why_len, "expected none, module, passthrough or a size such as 8M");
        return false;
    }
    if (size == 0 || size % CMDLINE_DISK_SECTOR || size > CMDLINE_DISK_MAX) {
        ksnprintf(why, why_len, "a disk size must be a multiple of 512 bytes, from 512 to 1G");
        return false;
    }
    cfg->disk = DISK_MEMORY;
    cfg->disk_size = size;
    return true;
}

static bool parse_gdb(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    if (value_is(v, "com2") || value_is(v, "ttyS1")) {
        cfg->gdb_com2 = true;
        return true;
    }
    if (value_is(v, "off")) {
        cfg->gdb_com2 = false;
        return true;
    }
    ksnprintf(why, why_len, "expected com2 or off (com1 is the console)");
    return false;
}

/* A plain decimal or 0x-prefixed number: parse_size() without its K/M/G suffixes. */
static bool parse_number(struct option_value v, uint64_t *out)
{
    if (v.len == 0)
        return false;
    char last = v.text[v.len - 1];
    if (last == 'k' || last == 'K' || last == 'm' || last == 'M' || last == 'g' || last == 'G')
        return false;
    return parse_size(v, out);
}

/* com1=PORT[,BAUD] and com2=PORT[,BAUD]: a 16550's I/O port and, optionally, its baud rate. */
static bool parse_com(struct option_value v, unsigned index, struct kernel_config *cfg, char *why,
                      size_t why_len)
{
    size_t comma = v.len;
    for (size_t i = 0; i < v.len; i++) {
        if (v.text[i] == ',') {
            comma = i;
            break;
        }
    }
    uint64_t port, baud = CMDLINE_BAUD_DEFAULT;
    struct option_value port_text = {.text = v.text, .len = comma};
    if (!parse_number(port_text, &port) || port == 0 || port > CMDLINE_UART_PORT_LAST) {
        ksnprintf(why, why_len,
                  "expected PORT[,BAUD] with an I/O port from 0x1 to 0x%x, e.g. "
                  "0x3f8,115200",
                  CMDLINE_UART_PORT_LAST);
        return false;
    }
    if (comma < v.len) {
        struct option_value baud_text = {.text = v.text + comma + 1, .len = v.len - comma - 1};
        if (!parse_number(baud_text, &baud) || baud > UINT32_MAX ||
            !uart_baud_valid(UART_CLOCK_DEFAULT_HZ, (uint32_t)baud)) {
            ksnprintf(why, why_len,
                      "baud rate must divide 115200 (e.g. 9600, 19200, 38400, "
                      "57600, 115200)");
            return false;
        }
    }
    cfg->com_port[index] = (uint16_t)port;
    cfg->com_baud[index] = (uint32_t)baud;
    return true;
}

static bool parse_com1(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    return parse_com(v, 0, cfg, why, why_len);
}

static bool parse_com2(struct option_value v, struct kernel_config *cfg, char *why, size_t why_len)
{
    return parse_com(v, 1, cfg, why, why_len);
}

static bool parse_x2apic(struct option_value v, struct kernel_config *cfg, char *why,
                         size_t why_len)
{
    if (value_is(v, "auto") || value_is(v, "off")) {
        cfg->x2apic_off = value_is(v, "off");
        return true;
    }
    ksnprintf(why, why_len, "expected auto or off");
    return false;
}

static bool parse_clocksource(struct option_value v, struct kernel_config *cfg, char *why,
                              size_t why_len)
{
    static const struct {
        const char *name;
        enum clocksource source;
    } sources[] = {{"auto", CLOCKSOURCE_AUTO},
                   {"pit", CLOCKSOURCE_PIT},
                   {"hpet", CLOCKSOURCE_HPET},
                   {"cpuid", CLOCKSOURCE_CPUID}};
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        if (value_is(v, sources[i].name)) {
            cfg->clocksource = sources[i].source;
            return true;
        }
    }
    ksnprintf(why, why_len, "expected auto, pit, hpet or cpuid");
    return false;
}

static const struct option options[] = {
    {.name = "loglevel", .parse = parse_loglevel},
    {.name = "console", .parse = parse_console},
    {.name = "test", .parse = parse_test},
    {.name = "fatal", .parse = parse_fatal},
    {.name = "guest_mem", .parse = parse_guest_mem},
    {.name = "guest_flat", .parse = parse_guest_flat},
    {.name = "rt_task", .parse = parse_rt_task},
    {.name = "exit_trace", .parse = parse_exit_trace},
    {.name = "gdb", .parse = parse_gdb},
    {.name = "disk", .parse = parse_disk},
    {.name = "com1", .parse = parse_com1},
    {.name = "com2", .parse = parse_com2},
    {.name = "x2apic", .parse = parse_x2apic},
    {.name = "clocksource", .parse = parse_clocksource},
};

const char *cmdline_usage(void)
{
    return "options: loglevel=error|warn|info|debug console=com1|com2|spcr com1=PORT[,BAUD] "
           "com2=PORT[,BAUD] test=all|NAME[,NAME] fatal=halt|poweroff guest_mem=SIZE "
           "guest_flat=ADDR rt_task=HZ exit_trace=on|off gdb=com2 x2apic=auto|off "
           "clocksource=auto|pit|hpet|cpuid disk=none|SIZE|module|passthrough";
}

void cmdline_defaults(struct kernel_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->loglevel = 2; /* info */
    cfg->console = CONSOLE_COM1;
    cfg->com_port[0] = CMDLINE_COM1_PORT_DEFAULT;
    cfg->com_port[1] = CMDLINE_COM2_PORT_DEFAULT;
    cfg->com_baud[0] = cfg->com_baud[1] = CMDLINE_BAUD_DEFAULT;
    cfg->on_fatal = FATAL_HALT;
    cfg->guest_mem = CMDLINE_GUEST_MEM_DEFAULT;
    cfg->exit_trace = true;
}

static void add_error(struct cmdline_errors *errors, const char *word, size_t len, const char *what)
{
    if (errors->count < CMDLINE_ERRORS_MAX) {
        /* A long word is shortened so that the reason always fits in the message. */
        bool shorten = len > WORD_SHOWN_MAX;
        ksnprintf(errors->msg[errors->count], CMDLINE_ERROR_LEN, "'%.*s%s': %s",
                  (int)(shorten ? WORD_SHOWN_MAX : len), word, shorten ? "..." : "", what);
    }
    errors->count++;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void parse_word(const char *word, size_t len, struct kernel_config *cfg,
                       struct cmdline_errors *errors)
{
    const char *eq = NULL;
    for (size_t i = 0; i < len; i++) {
        if (word[i] == '=') {
            eq = word + i;
            break;
        }
    }
    size_t name_len = eq ? (size_t)(eq - word) : len;
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        const struct option *opt = &options[i];
        if (strlen(opt->name) != name_len || strncmp(opt->name, word, name_len) != 0)
            continue;
        if (!eq || eq + 1 == word + len) {
            add_error(errors, word, len, "needs a value (name=value)");
            return;
        }
        char why[96];
        struct option_value v = {.text = eq + 1, .len = len - name_len - 1};
        if (!opt->parse(v, cfg, why, sizeof(why)))
            add_error(errors, word, len, why);
        return;
    }
    /* The option list is printed once after the errors (cmdline_usage()), not in each one, so
     * that every message fits whole. */
    add_error(errors, word, len, "unknown option");
}

bool cmdline_parse(const char *cmdline, struct kernel_config *cfg, struct cmdline_errors *errors)
{
    errors->count = 0;
    if (!cmdline)
        return true;
    const char *p = cmdline;
    bool first = true;
    while (*p) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        size_t len = (size_t)(p - word);
        if (first && word[0] == '/') {
            first = false; /* the image path some boot loaders put first */
            continue;
        }
        first = false;
        parse_word(word, len, cfg, errors);
    }
    return errors->count == 0;
}
