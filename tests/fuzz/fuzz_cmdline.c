/* libFuzzer target for kernel/cmdline.c (with kernel/format.c): cmdline_parse() on the input as a
 * NUL-terminated command line; checks the resulting configuration and every error message. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cmdline.h"
#include "tests/fuzz/fuzz_common.h"

/* The reasons cmdline.c gives (besides "unknown option"). */
static const char *const reasons[] = {
    "needs a value (name=value)",
    "expected error, warn, info, debug or 0-3",
    "expected com1, com2 or spcr",
    "expected PORT[,BAUD] with an I/O port from 0x1 to 0xfff8, e.g. 0x3f8,115200",
    "baud rate must divide 115200 (e.g. 9600, 19200, 38400, 57600, 115200)",
    "expected auto or off",
    "expected auto, pit, hpet or cpuid",
    "list longer than 255 characters",
    "test names use a-z, 0-9 and _, separated by commas",
    "expected halt or poweroff",
    "expected a size such as 64M, 1G or 0x4000000",
    "must be a multiple of 2M between 2M and 4G",
    "expected a load address between 0x1 and 0xfffff, e.g. 0x7c00",
    "expected a rate in Hz from 0 (off) to 10000",
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "'WORD': REASON", never cut: "A long word is shortened so that the reason always fits in the
 * message". Only a message filling the whole buffer can have been cut by ksnprintf(); it must then
 * end with a whole reason. */
static void check_message(const char *msg)
{
    FUZZ_CHECK(memchr(msg, 0, CMDLINE_ERROR_LEN) != NULL, "message not terminated");
    FUZZ_CHECK(msg[0] == '\'', "message does not quote the word: %s", msg);
    FUZZ_CHECK(strstr(msg, "': ") != NULL, "message without a reason: %s", msg);
    if (strlen(msg) < CMDLINE_ERROR_LEN - 1)
        return;
    char unknown[2 * CMDLINE_ERROR_LEN];
    snprintf(unknown, sizeof(unknown), "unknown option");
    bool whole = ends_with(msg, unknown);
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]) && !whole; i++)
        whole = ends_with(msg, reasons[i]);
    FUZZ_CHECK(whole, "message cut at %d characters: \"%s\"", CMDLINE_ERROR_LEN - 1, msg);
}

static void check_config(const struct kernel_config *cfg)
{
    FUZZ_CHECK(cfg->loglevel >= 0 && cfg->loglevel <= 3, "loglevel %d", cfg->loglevel);
    FUZZ_CHECK(cfg->console == CONSOLE_COM1 || cfg->console == CONSOLE_COM2 ||
                   cfg->console == CONSOLE_SPCR,
               "console %u", cfg->console);
    for (unsigned i = 0; i < 2; i++) {
        FUZZ_CHECK(cfg->com_port[i] != 0 && cfg->com_port[i] <= CMDLINE_UART_PORT_LAST,
                   "com%u port 0x%x", i + 1, cfg->com_port[i]);
        FUZZ_CHECK(cfg->com_baud[i] != 0 && CMDLINE_BAUD_DEFAULT % cfg->com_baud[i] == 0,
                   "com%u baud %u", i + 1, cfg->com_baud[i]);
    }
    FUZZ_CHECK(cfg->clocksource <= 3, "clocksource %u", cfg->clocksource);
    FUZZ_CHECK(cfg->on_fatal == FATAL_HALT || cfg->on_fatal == FATAL_POWEROFF, "on_fatal %d",
               cfg->on_fatal);
    FUZZ_CHECK(memchr(cfg->tests, 0, sizeof(cfg->tests)) != NULL, "test list not terminated");
    size_t n = strlen(cfg->tests);
    for (size_t i = 0; i < n; i++) {
        char c = cfg->tests[i];
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ',',
                   "test list character 0x%02x", (unsigned char)c);
    }
    FUZZ_CHECK(cfg->guest_mem >= CMDLINE_GUEST_MEM_MIN && cfg->guest_mem <= CMDLINE_GUEST_MEM_MAX &&
                   cfg->guest_mem % CMDLINE_GUEST_MEM_MIN == 0,
               "guest_mem %llu", (unsigned long long)cfg->guest_mem);
    FUZZ_CHECK(cfg->rt_task_hz <= 10000, "rt_task %u", cfg->rt_task_hz);
    FUZZ_CHECK(cfg->guest_flat_load < 0x100000, "guest_flat 0x%llx",
               (unsigned long long)cfg->guest_flat_load);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Words after the optional leading path: each is an option or one error. */
static unsigned count_words(const char *s)
{
    unsigned words = 0;
    bool first = true;
    while (*s) {
        while (is_space(*s))
            s++;
        if (!*s)
            break;
        const char *w = s;
        while (*s && !is_space(*s))
            s++;
        if (!(first && w[0] == '/'))
            words++;
        first = false;
    }
    return words;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    FUZZ_CHECK(line != NULL, "out of memory");
    memcpy(line, data, size);
    line[size] = '\0';

    static struct kernel_config cfg, again;
    static struct cmdline_errors errors, errors_again;
    cmdline_defaults(&cfg);
    check_config(&cfg);
    bool ok = cmdline_parse(line, &cfg, &errors);
    FUZZ_CHECK(ok == (errors.count == 0), "returned %d with %u errors", ok, errors.count);
    FUZZ_CHECK(errors.count <= count_words(line), "%u errors for %u words", errors.count,
               count_words(line));
    for (unsigned i = 0; i < errors.count && i < CMDLINE_ERRORS_MAX; i++)
        check_message(errors.msg[i]);
    check_config(&cfg);

    /* Options only assign: parsing the same line again changes nothing. */
    memcpy(&again, &cfg, sizeof(cfg));
    cmdline_parse(line, &again, &errors_again);
    FUZZ_CHECK(again.loglevel == cfg.loglevel && again.console == cfg.console &&
                   strcmp(again.tests, cfg.tests) == 0 && again.on_fatal == cfg.on_fatal &&
                   again.guest_mem == cfg.guest_mem && again.rt_task_hz == cfg.rt_task_hz &&
                   again.guest_flat_load == cfg.guest_flat_load,
               "a second parse changed the config");
    FUZZ_CHECK(errors_again.count == errors.count, "a second parse gave %u errors, not %u",
               errors_again.count, errors.count);
    free(line);
    return 0;
}
