/* Debug monitor: entry detection on console input, a line editor with echo, the command table
 * (vmm/monitor_cmd.c parses) and what each command prints. Runs with the guest paused. */
#include "vmm/monitor.h"

#include <stdarg.h>

#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/monitor_cmd.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vlog.h"
#include "vmm/vmm.h"

static struct monitor_entry entry;
static bool entry_ready;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("%s", buf);
}

static int read_console_byte(void)
{
    int c;
    while ((c = console_getc()) < 0)
        cpu_relax();
    return c;
}

static void hexdump(struct vcpu *vcpu, uint64_t gpa, uint64_t len)
{
    for (uint64_t off = 0; off < len; off += 16) {
        uint8_t row[16];
        uint64_t n = len - off < 16 ? len - off : 16;
        if (!copy_from_guest(vcpu->guest, row, gpa + off, n)) {
            out("  %016lx: not guest RAM\n", gpa + off);
            return;
        }
        char hex[16 * 3 + 1] = {0}, text[17] = {0};
        for (uint64_t i = 0; i < n; i++) {
            ksnprintf(hex + 3 * i, 4, "%02x ", row[i]);
            text[i] = row[i] >= 0x20 && row[i] < 0x7f ? (char)row[i] : '.';
        }
        out("  %016lx: %-48s %s\n", gpa + off, hex, text);
    }
}

static void show_irq(struct vcpu *vcpu)
{
    const struct vic *v = &vcpu->vic;
    if (vic_active(v)) {
        out("  paravirtual delivery: soft_interrupt_enable %u, pending words", 
            v->shared->soft_interrupt_enable);
        for (unsigned i = 0; i < MICA_PENDING_WORDS; i++)
            out(" %08x", v->shared->pending[i]);
        out("\n  raised %lu, injected %lu, coalesced %lu\n", v->raised, v->injected, v->coalesced);
    } else {
        out("  legacy delivery (RFLAGS.IF and interrupt windows); %lu injected\n",
            vcpu->interrupts_injected);
    }
    pic8259_dump(&vcpu->guest->pic, out);
}

static void show_device(struct vcpu *vcpu, const char *name)
{
    struct guest *g = vcpu->guest;
    if (strcmp(name, "pic") == 0)
        pic8259_dump(&g->pic, out);
    else if (strcmp(name, "pit") == 0)
        pit8254_dump(&g->pit, out);
    else if (strcmp(name, "rtc") == 0)
        cmos_rtc_dump(&g->rtc, out);
    else if (strcmp(name, "uart") == 0 || strcmp(name, "com1") == 0)
        vuart_dump(&g->uart, out);
    else if (strcmp(name, "post") == 0)
        out("  POST port: last code 0x%02x, %lu writes\n", g->post.last_code, g->post.writes);
    else
        out("dev: unknown device '%s' (pic, pit, rtc, uart, post)\n", name);
}

/* Runs one command; returns true when the guest should run again. */
static bool run_command(struct vcpu *vcpu, const struct monitor_cmd *c)
{
    switch (c->cmd) {
    case MONITOR_CMD_NONE:
        return false;
    case MONITOR_CMD_HELP:
        monitor_print_help(out);
        return false;
    case MONITOR_CMD_REGS:
        vendor_dump_registers(vcpu);
        return false;
    case MONITOR_CMD_VMCS:
        vendor_dump_vmcs(vcpu);
        return false;
    case MONITOR_CMD_EXITS:
        vmm_print_exit_statistics(vcpu);
        return false;
    case MONITOR_CMD_TRACE:
        exit_trace_print(&vcpu->trace, c->count, vendor_exit_reason_name, out);
        return false;
    case MONITOR_CMD_MEM:
        hexdump(vcpu, c->gpa, c->len);
        return false;
    case MONITOR_CMD_EPT:
        vendor_describe_gpa(vcpu, c->gpa);
        return false;
    case MONITOR_CMD_IRQ:
        show_irq(vcpu);
        return false;
    case MONITOR_CMD_DEV:
        show_device(vcpu, c->name);
        return false;
    case MONITOR_CMD_LOG:
        log_set_level((enum log_level)c->level);
        out("log level set to %u\n", c->level);
        return false;
    case MONITOR_CMD_STEP:
        if (!vendor_request_single_step(vcpu)) {
            out("step: this CPU has no monitor trap flag\n");
            return false;
        }
        vcpu->single_step = true;
        return true;
    case MONITOR_CMD_CONTINUE:
        out("mica: monitor closed, guest resumed\n");
        return true;
    case MONITOR_CMD_RESET:
        guest_stop(vcpu->guest, "reset requested from the debug monitor");
        return true;
    case MONITOR_CMD_COUNT:
        break;
    }
    return false;
}

static void run_monitor(struct vcpu *vcpu)
{
    vlog_drain();
    out("\nmica: debug monitor (guest paused; 'help' lists commands, 'continue' resumes)\n");
    struct monitor_line line;
    for (;;) {
        out("mica> ");
        monitor_line_init(&line);
        struct monitor_line_event ev;
        do {
            int c = read_console_byte();
            ev = monitor_line_feed(&line, (uint8_t)c);
            if (ev.action == MONITOR_LINE_ECHO)
                console_write((const char[]){(char)c}, 1);
            else if (ev.action == MONITOR_LINE_ERASE)
                for (unsigned i = 0; i < ev.erase; i++)
                    console_write("\b \b", 3);
            else if (ev.action == MONITOR_LINE_BELL)
                console_write("\a", 1);
        } while (ev.action != MONITOR_LINE_DONE && ev.action != MONITOR_LINE_TOO_LONG);
        out("\n");
        if (ev.action == MONITOR_LINE_TOO_LONG) {
            out("line longer than %u characters: ignored\n", MONITOR_LINE_MAX);
            continue;
        }
        struct monitor_cmd cmd;
        if (!monitor_parse(monitor_line_text(&line), &cmd)) {
            out("%s\n", cmd.error);
            if (cmd.usage[0])
                out("%s\n", cmd.usage);
            continue;
        }
        if (run_command(vcpu, &cmd))
            return;
    }
}

void monitor_console_byte(struct vcpu *vcpu, uint8_t byte)
{
    if (!entry_ready) {
        monitor_entry_init(&entry);
        entry_ready = true;
    }
    struct monitor_entry_result r = monitor_entry_feed(&entry, byte);
    for (unsigned i = 0; i < r.nforward; i++)
        platform_console_input(vcpu->guest, r.forward[i]);
    if (r.enter)
        run_monitor(vcpu);
}

void monitor_after_step(struct vcpu *vcpu)
{
    vcpu->single_step = false;
    out("mica: stepped one guest instruction\n");
    vendor_dump_registers(vcpu);
    run_monitor(vcpu);
}
