/* libFuzzer target for the debug monitor's input layer (vmm/monitor_cmd.c): the entry-sequence
 * detector, the line editor and the command parser, fed the input byte by byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/monitor_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct monitor_entry entry;
    struct monitor_line line;
    monitor_entry_init(&entry);
    monitor_line_init(&line);
    size_t forwarded = 0, entries = 0;
    for (size_t i = 0; i < size; i++) {
        struct monitor_entry_result r = monitor_entry_feed(&entry, data[i]);
        if (r.nforward > MONITOR_ENTRY_PRESSES)
            abort();
        forwarded += r.nforward;
        entries += r.enter;
        struct monitor_line_event ev = monitor_line_feed(&line, data[i]);
        if (strlen(monitor_line_text(&line)) > MONITOR_LINE_MAX)
            abort(); /* the line never outgrows its buffer */
        if (ev.action == MONITOR_LINE_DONE) {
            struct monitor_cmd cmd;
            if (monitor_parse(monitor_line_text(&line), &cmd)) {
                if (cmd.cmd >= MONITOR_CMD_COUNT)
                    abort();
                if (cmd.cmd == MONITOR_CMD_MEM && (cmd.len == 0 || cmd.len > MONITOR_MEM_LEN_MAX))
                    abort();
            } else if (cmd.error[0] == '\0') {
                abort(); /* a refusal always says why */
            }
            monitor_line_init(&line);
        } else if (ev.action == MONITOR_LINE_TOO_LONG) {
            monitor_line_init(&line);
        }
    }
    struct monitor_entry_result r = monitor_entry_flush(&entry);
    forwarded += r.nforward;
    /* Every byte is either forwarded to the guest or part of a completed entry sequence. */
    if (forwarded + entries * MONITOR_ENTRY_PRESSES != size)
        abort();
    return 0;
}
