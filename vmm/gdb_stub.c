/* GDB Remote Serial Protocol: the receive state machine, reply framing, hex and register encoding
 * and the command handlers, for the guest debugger (vmm/gdb_stub.h). Pure: no hardware access. */
#include "vmm/gdb_stub.h"

#include "kernel/string.h"

#define ERR_MALFORMED "E01"
#define ERR_NOSPACE   "E12"
#define ERR_TARGET    "E14"

#define SIGINT_NUM  2
#define SIGTRAP_NUM 5
#define THREAD_ID   1
#define CTRL_C      0x03

/* ---- Register layouts ------------------------------------------------------------------------ */

static const char *const i386_names[GDB_I386_NREGS] = {
    "eax", "ecx",    "edx", "ebx", "esp", "ebp", "esi", "edi",
    "eip", "eflags", "cs",  "ss",  "ds",  "es",  "fs",  "gs",
};

static const char *const x86_64_names[GDB_X86_64_NREGS] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi",    "rbp", "rsp", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "rip", "eflags", "cs",  "ss",  "ds", "es", "fs",  "gs",
};

unsigned gdb_regs_count(enum gdb_regs_layout layout)
{
    switch (layout) {
    case GDB_REGS_I386:
        return GDB_I386_NREGS;
    case GDB_REGS_X86_64:
        return GDB_X86_64_NREGS;
    }
    return 0;
}

unsigned gdb_reg_size(enum gdb_regs_layout layout, unsigned regno)
{
    if (regno >= gdb_regs_count(layout))
        return 0;
    if (layout == GDB_REGS_X86_64)
        return regno <= GDB_X86_64_RIP ? 8 : 4;
    return 4;
}

unsigned gdb_reg_pc(enum gdb_regs_layout layout)
{
    return layout == GDB_REGS_X86_64 ? GDB_X86_64_RIP : GDB_I386_EIP;
}

const char *gdb_reg_name(enum gdb_regs_layout layout, unsigned regno)
{
    if (regno >= gdb_regs_count(layout))
        return NULL;
    return layout == GDB_REGS_X86_64 ? x86_64_names[regno] : i386_names[regno];
}

/* ---- Hex and framing ------------------------------------------------------------------------- */

static const char hex_digits[] = "0123456789abcdef";

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t gdb_checksum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

static bool needs_escape(uint8_t c)
{
    return c == '#' || c == '$' || c == '}' || c == '*';
}

size_t gdb_frame_packet(uint8_t *out, size_t cap, const void *payload, size_t len)
{
    const uint8_t *p = payload;
    size_t need = len + 4;
    for (size_t i = 0; i < len; i++)
        need += needs_escape(p[i]);
    if (need > cap)
        return 0;
    size_t n = 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        if (needs_escape(p[i])) {
            out[n++] = '}';
            out[n++] = p[i] ^ 0x20;
        } else {
            out[n++] = p[i];
        }
    }
    uint8_t sum = gdb_checksum(out + 1, n - 1);
    out[n++] = '#';
    out[n++] = (uint8_t)hex_digits[sum >> 4];
    out[n++] = (uint8_t)hex_digits[sum & 15];
    return n;
}

size_t gdb_hex_encode(char *out, size_t cap, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len > cap / 2)
        return 0;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[p[i] >> 4];
        out[2 * i + 1] = hex_digits[p[i] & 15];
    }
    return 2 * len;
}

bool gdb_hex_decode(void *out, const char *hex, size_t hex_len)
{
    uint8_t *o = out;
    if (hex_len % 2)
        return false;
    for (size_t i = 0; i < hex_len; i += 2) {
        int hi = hex_value((uint8_t)hex[i]);
        int lo = hex_value((uint8_t)hex[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        o[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* ---- Replies --------------------------------------------------------------------------------- */

static void reply_reset(struct gdb_stub *s)
{
    s->reply_len = 0;
}

static void reply_bytes(struct gdb_stub *s, const char *p, size_t n)
{
    if (n > GDB_REPLY_MAX - s->reply_len)
        n = GDB_REPLY_MAX - s->reply_len; /* cannot happen: every reply is sized beforehand */
    memcpy(s->reply + s->reply_len, p, n);
    s->reply_len += n;
}

static void reply_str(struct gdb_stub *s, const char *str)
{
    reply_bytes(s, str, strlen(str));
}

static void reply_hex_byte(struct gdb_stub *s, uint8_t b)
{
    char h[2] = {hex_digits[b >> 4], hex_digits[b & 15]};
    reply_bytes(s, h, 2);
}

/* A number in hex without leading zeros. */
static void reply_hex_num(struct gdb_stub *s, uint64_t v)
{
    char h[16];
    unsigned n = 0;
    do {
        h[sizeof(h) - 1 - n++] = hex_digits[v & 15];
        v >>= 4;
    } while (v);
    reply_bytes(s, h + sizeof(h) - n, n);
}

/* A register value: size bytes, little-endian. */
static void reply_reg(struct gdb_stub *s, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        reply_hex_byte(s, (uint8_t)(value >> (8 * i)));
}

static void send_reply(struct gdb_stub *s)
{
    s->out_len = gdb_frame_packet(s->out, sizeof(s->out), s->reply, s->reply_len);
    s->target.send(s->target.ctx, s->out, s->out_len);
}

static void send_str(struct gdb_stub *s, const char *str)
{
    reply_reset(s);
    reply_str(s, str);
    send_reply(s);
}

static void send_stop_reply(struct gdb_stub *s)
{
    reply_reset(s);
    reply_str(s, "T");
    reply_hex_byte(s, s->last_stop == GDB_STOP_INTERRUPT ? SIGINT_NUM : SIGTRAP_NUM);
    if (s->last_stop == GDB_STOP_SWBREAK && s->swbreak)
        reply_str(s, "swbreak:;");
    reply_str(s, "thread:");
    reply_hex_byte(s, THREAD_ID);
    reply_str(s, ";");
    send_reply(s);
}

/* ---- Packet parsing -------------------------------------------------------------------------- */

/* The command handlers run on a packet of at least one byte (its command letter); their cursor
 * starts after it. */

struct cursor {
    const uint8_t *p;
    size_t n;
};

static bool at_end(const struct cursor *c)
{
    return c->n == 0;
}

static bool take_char(struct cursor *c, uint8_t ch)
{
    if (c->n == 0 || *c->p != ch)
        return false;
    c->p++;
    c->n--;
    return true;
}

/* One or more hex digits; false if none or the value needs more than 64 bits. */
static bool take_hex(struct cursor *c, uint64_t *value)
{
    uint64_t v = 0;
    size_t digits = 0;
    int d;
    while (c->n > 0 && (d = hex_value(*c->p)) >= 0) {
        if (v >> 60)
            return false;
        v = v << 4 | (uint64_t)d;
        c->p++;
        c->n--;
        digits++;
    }
    *value = v;
    return digits > 0;
}

/* Does the packet (after its first byte) equal str, or start with str followed by sep? */
static bool is_query(const struct gdb_stub *s, const char *str, char sep, struct cursor *args)
{
    size_t n = strlen(str);
    if (s->in_len < n || memcmp(s->in, str, n) != 0)
        return false;
    if (s->in_len == n) {
        *args = (struct cursor){s->in + n, 0};
        return true;
    }
    if (sep && s->in[n] == (uint8_t)sep) {
        *args = (struct cursor){s->in + n + 1, s->in_len - n - 1};
        return true;
    }
    return false;
}

/* ---- Registers ------------------------------------------------------------------------------- */

static bool read_regs(struct gdb_stub *s, uint64_t *regs, unsigned *count)
{
    unsigned max = gdb_regs_count(s->layout);
    memset(regs, 0, sizeof(uint64_t) * GDB_REGS_MAX);
    *count = max;
    if (!s->target.read_regs(s->target.ctx, regs, count))
        return false;
    if (*count > max)
        *count = max;
    return true;
}

static uint64_t reg_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void cmd_read_regs(struct gdb_stub *s)
{
    uint64_t regs[GDB_REGS_MAX];
    unsigned count;
    if (!read_regs(s, regs, &count) || count == 0) {
        reply_str(s, ERR_TARGET);
        return;
    }
    for (unsigned i = 0; i < count; i++)
        reply_reg(s, regs[i], gdb_reg_size(s->layout, i));
}

/* Little-endian register value from 2 * size hex digits. */
static bool decode_reg(const uint8_t *hex, unsigned size, uint64_t *value)
{
    uint8_t bytes[8];
    if (!gdb_hex_decode(bytes, (const char *)hex, 2 * size))
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)bytes[i] << (8 * i);
    *value = v;
    return true;
}

static void cmd_write_regs(struct gdb_stub *s)
{
    uint64_t given[GDB_REGS_MAX];
    unsigned k = 0, max = gdb_regs_count(s->layout);
    const uint8_t *p = s->in + 1;
    size_t n = s->in_len - 1;
    if (n == 0 || n % 2) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    while (n > 0) {
        unsigned size = gdb_reg_size(s->layout, k);
        if (k >= max || n < 2 * (size_t)size || !decode_reg(p, size, &given[k])) {
            reply_str(s, ERR_MALFORMED);
            return;
        }
        p += 2 * size;
        n -= 2 * size;
        k++;
    }
    uint64_t regs[GDB_REGS_MAX];
    unsigned count;
    if (!read_regs(s, regs, &count)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    memcpy(regs, given, sizeof(uint64_t) * k);
    if (count < k)
        count = k;
    if (!s->target.write_regs(s->target.ctx, regs, count)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    reply_str(s, "OK");
}

static void cmd_read_reg(struct gdb_stub *s)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t regno;
    if (!take_hex(&c, &regno) || !at_end(&c)) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    uint64_t regs[GDB_REGS_MAX];
    unsigned count;
    if (!read_regs(s, regs, &count)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    unsigned size = regno < GDB_REGS_MAX ? gdb_reg_size(s->layout, (unsigned)regno) : 0;
    if (size == 0) {
        reply_str(s, "xx"); /* not in this layout (x87, SSE...): unavailable */
    } else if (regno >= count) {
        for (unsigned i = 0; i < size; i++)
            reply_str(s, "xx");
    } else {
        reply_reg(s, regs[regno], size);
    }
}

static void cmd_write_reg(struct gdb_stub *s)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t regno, value;
    if (!take_hex(&c, &regno) || !take_char(&c, '=')) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    unsigned size = regno < GDB_REGS_MAX ? gdb_reg_size(s->layout, (unsigned)regno) : 0;
    if (size == 0 || c.n != 2 * (size_t)size || !decode_reg(c.p, size, &value)) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    uint64_t regs[GDB_REGS_MAX];
    unsigned count;
    if (!read_regs(s, regs, &count) || regno >= count) {
        reply_str(s, ERR_TARGET);
        return;
    }
    regs[regno] = value & reg_mask(size);
    if (!s->target.write_regs(s->target.ctx, regs, count)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    reply_str(s, "OK");
}

/* ---- Memory ---------------------------------------------------------------------------------- */

static bool wraps(uint64_t addr, uint64_t len)
{
    return len > 0 && addr + (len - 1) < addr;
}

static void cmd_read_mem(struct gdb_stub *s)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t addr, len;
    if (!take_hex(&c, &addr) || !take_char(&c, ',') || !take_hex(&c, &len) || !at_end(&c)) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    if (len > GDB_MEM_MAX)
        len = GDB_MEM_MAX;
    if (wraps(addr, len)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    if (len == 0)
        return; /* zero bytes: the empty reply */
    if (!s->target.read_mem(s->target.ctx, addr, s->mem, (size_t)len)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    s->reply_len = gdb_hex_encode(s->reply, sizeof(s->reply), s->mem, (size_t)len);
}

static void cmd_write_mem(struct gdb_stub *s)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t addr, len;
    if (!take_hex(&c, &addr) || !take_char(&c, ',') || !take_hex(&c, &len) || !take_char(&c, ':') ||
        len > GDB_MEM_MAX || c.n != 2 * len || !gdb_hex_decode(s->mem, (const char *)c.p, c.n)) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    if (wraps(addr, len)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    if (len > 0 && !s->target.write_mem(s->target.ctx, addr, s->mem, (size_t)len)) {
        reply_str(s, ERR_TARGET);
        return;
    }
    reply_str(s, "OK");
}

/* ---- Breakpoints ----------------------------------------------------------------------------- */

static int find_breakpoint(const struct gdb_stub *s, uint64_t addr)
{
    for (unsigned i = 0; i < s->breakpoint_count; i++)
        if (s->breakpoints[i] == addr)
            return (int)i;
    return -1;
}

/* Z/z type,addr,kind. Only type 0 (software); the others get the empty reply (unsupported). */
static void cmd_breakpoint(struct gdb_stub *s, bool insert)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t type, addr, kind;
    if (!take_hex(&c, &type) || !take_char(&c, ',')) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    if (type != 0)
        return;
    if (!take_hex(&c, &addr) || !take_char(&c, ',') || !take_hex(&c, &kind) || !at_end(&c)) {
        reply_str(s, ERR_MALFORMED);
        return;
    }
    int i = find_breakpoint(s, addr);
    if (insert && i < 0) {
        if (s->breakpoint_count == GDB_MAX_BREAKPOINTS) {
            reply_str(s, ERR_NOSPACE);
            return;
        }
        if (!s->target.insert_sw_breakpoint(s->target.ctx, addr)) {
            reply_str(s, ERR_TARGET);
            return;
        }
        s->breakpoints[s->breakpoint_count++] = addr;
    } else if (!insert && i >= 0) {
        if (!s->target.remove_sw_breakpoint(s->target.ctx, addr)) {
            reply_str(s, ERR_TARGET);
            return;
        }
        s->breakpoints[i] = s->breakpoints[--s->breakpoint_count];
    }
    reply_str(s, "OK");
}

static void remove_all_breakpoints(struct gdb_stub *s)
{
    for (unsigned i = 0; i < s->breakpoint_count; i++)
        s->target.remove_sw_breakpoint(s->target.ctx, s->breakpoints[i]);
    s->breakpoint_count = 0;
}

/* ---- Execution ------------------------------------------------------------------------------- */

static void resume(struct gdb_stub *s, bool step, bool reply_owed)
{
    s->running = true;
    s->reply_owed = reply_owed;
    s->target.resume(s->target.ctx, step);
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr] (the signal is ignored: a bare guest has no
 * signals). Replies only on error; the stop reply follows the stop. */
static bool cmd_resume(struct gdb_stub *s, bool step, bool with_signal)
{
    struct cursor c = {s->in + 1, s->in_len - 1};
    uint64_t addr = 0, sig;
    bool has_addr = false;
    if (with_signal) {
        if (!take_hex(&c, &sig)) {
            reply_str(s, ERR_MALFORMED);
            return false;
        }
        if (take_char(&c, ';')) {
            if (!take_hex(&c, &addr)) {
                reply_str(s, ERR_MALFORMED);
                return false;
            }
            has_addr = true;
        }
    } else if (!at_end(&c)) {
        if (!take_hex(&c, &addr)) {
            reply_str(s, ERR_MALFORMED);
            return false;
        }
        has_addr = true;
    }
    if (!at_end(&c)) {
        reply_str(s, ERR_MALFORMED);
        return false;
    }
    if (has_addr) {
        uint64_t regs[GDB_REGS_MAX];
        unsigned count, pc = gdb_reg_pc(s->layout);
        if (!read_regs(s, regs, &count) || pc >= count) {
            reply_str(s, ERR_TARGET);
            return false;
        }
        regs[pc] = addr & reg_mask(gdb_reg_size(s->layout, pc));
        if (!s->target.write_regs(s->target.ctx, regs, count)) {
            reply_str(s, ERR_TARGET);
            return false;
        }
    }
    resume(s, step, true);
    return true;
}

static enum gdb_event leave(struct gdb_stub *s, bool kill)
{
    remove_all_breakpoints(s);
    s->swbreak = false;
    resume(s, false, false);
    return kill ? GDB_EVENT_KILLED : GDB_EVENT_DETACHED;
}

/* ---- Queries --------------------------------------------------------------------------------- */

/* qSupported[:feature;feature...]: note whether gdb understands swbreak stop reasons. */
static void cmd_supported(struct gdb_stub *s, struct cursor args)
{
    static const char swbreak[] = "swbreak+";
    s->swbreak = false;
    while (args.n > 0) {
        size_t len = 0;
        while (len < args.n && args.p[len] != ';')
            len++;
        if (len == sizeof(swbreak) - 1 && memcmp(args.p, swbreak, len) == 0)
            s->swbreak = true;
        args.p += len;
        args.n -= len;
        take_char(&args, ';');
    }
    reply_str(s, "PacketSize=");
    reply_hex_num(s, GDB_PACKET_MAX);
    reply_str(s, ";swbreak+");
}

/* Thread ids: "-1" (all), or hex (0 = any). */
static bool take_thread_id(struct cursor *c, uint64_t *id)
{
    if (take_char(c, '-')) {
        *id = ~0ull;
        return take_char(c, '1');
    }
    return take_hex(c, id);
}

static void cmd_query(struct gdb_stub *s)
{
    struct cursor args;
    if (is_query(s, "qSupported", ':', &args))
        cmd_supported(s, args);
    else if (is_query(s, "qAttached", ':', &args))
        reply_str(s, "1"); /* attached to a running guest: detach, never kill */
    else if (is_query(s, "qC", 0, &args))
        reply_str(s, "QC1");
    else if (is_query(s, "qfThreadInfo", 0, &args))
        reply_str(s, "m1");
    else if (is_query(s, "qsThreadInfo", 0, &args))
        reply_str(s, "l");
}

/* ---- Dispatch -------------------------------------------------------------------------------- */

static bool exact(const struct gdb_stub *s)
{
    return s->in_len == 1;
}

/* Answers the packet in in[]. */
static enum gdb_event handle_packet(struct gdb_stub *s)
{
    struct cursor c = {s->in + 1, s->in_len > 0 ? s->in_len - 1 : 0};
    uint64_t id;
    reply_reset(s);
    switch (s->in_len ? s->in[0] : 0) {
    case '?':
        if (!exact(s)) {
            reply_str(s, ERR_MALFORMED);
            break;
        }
        send_stop_reply(s);
        return GDB_EVENT_NONE;
    case 'g':
        if (exact(s))
            cmd_read_regs(s);
        else
            reply_str(s, ERR_MALFORMED);
        break;
    case 'G':
        cmd_write_regs(s);
        break;
    case 'p':
        cmd_read_reg(s);
        break;
    case 'P':
        cmd_write_reg(s);
        break;
    case 'm':
        cmd_read_mem(s);
        break;
    case 'M':
        cmd_write_mem(s);
        break;
    case 'Z':
    case 'z':
        cmd_breakpoint(s, s->in[0] == 'Z');
        break;
    case 'c':
    case 's':
    case 'C':
    case 'S':
        if (cmd_resume(s, s->in[0] == 's' || s->in[0] == 'S', s->in[0] == 'C' || s->in[0] == 'S'))
            return GDB_EVENT_NONE;
        break;
    case 'q':
        cmd_query(s);
        break;
    case 'H':
        /* H op thread (Hg0, Hc-1...): one thread, any selection is fine. */
        c = (struct cursor){s->in + 2, s->in_len > 2 ? s->in_len - 2 : 0};
        if (s->in_len < 3 || !take_thread_id(&c, &id) || !at_end(&c))
            reply_str(s, ERR_MALFORMED);
        else
            reply_str(s, "OK");
        break;
    case 'T':
        if (!take_thread_id(&c, &id) || !at_end(&c) || id != THREAD_ID)
            reply_str(s, ERR_MALFORMED);
        else
            reply_str(s, "OK");
        break;
    case 'D':
        if (!exact(s) && (!take_char(&c, ';') || !take_hex(&c, &id) || !at_end(&c))) {
            reply_str(s, ERR_MALFORMED);
            break;
        }
        send_str(s, "OK");
        return leave(s, false);
    case 'k':
        return leave(s, true);
    default:
        break; /* unknown (vCont?, vMustReplyEmpty, X, qTStatus...): the empty reply */
    }
    send_reply(s);
    return GDB_EVENT_NONE;
}

/* ---- Receiver -------------------------------------------------------------------------------- */

static void rx_start(struct gdb_stub *s)
{
    s->rx_state = GDB_RX_DATA;
    s->rx_overlong = false;
    s->rx_bad_escape = false;
    s->rx_sum = 0;
    s->rx_raw = 0;
    s->in_len = 0;
}

static void send_byte(struct gdb_stub *s, char c)
{
    s->target.send(s->target.ctx, &c, 1);
}

static enum gdb_event interrupt(struct gdb_stub *s)
{
    s->interrupts++;
    s->reply_owed = true;
    return GDB_EVENT_INTERRUPT;
}

static enum gdb_event rx_complete(struct gdb_stub *s)
{
    s->rx_state = GDB_RX_IDLE;
    if (s->rx_overlong) {
        s->overlong++;
        send_byte(s, '-');
        return GDB_EVENT_NONE;
    }
    if (s->rx_bad_escape || s->rx_csum != s->rx_sum) {
        s->bad_checksums++;
        send_byte(s, '-');
        return GDB_EVENT_NONE;
    }
    s->packets++;
    send_byte(s, '+');
    if (s->running) {
        s->deferred = true;
        return GDB_EVENT_INTERRUPT;
    }
    return handle_packet(s);
}

enum gdb_event gdb_stub_feed(struct gdb_stub *s, uint8_t byte)
{
    if (s->deferred)
        return byte == CTRL_C ? interrupt(s) : GDB_EVENT_NONE;
    if (byte == '$') {
        rx_start(s); /* also restarts on a '$' inside a packet: resynchronize */
        return GDB_EVENT_NONE;
    }
    switch (s->rx_state) {
    case GDB_RX_IDLE:
        if (byte == CTRL_C)
            return interrupt(s);
        if (byte == '-' && s->out_len > 0) {
            s->retransmits++;
            s->target.send(s->target.ctx, s->out, s->out_len);
        }
        return GDB_EVENT_NONE; /* '+' and anything else between packets */
    case GDB_RX_DATA:
    case GDB_RX_ESCAPE:
        if (byte == '#') {
            s->rx_bad_escape = s->rx_state == GDB_RX_ESCAPE;
            s->rx_state = GDB_RX_CSUM1;
            return GDB_EVENT_NONE;
        }
        s->rx_sum = (uint8_t)(s->rx_sum + byte);
        if (s->rx_raw++ >= GDB_PACKET_MAX)
            s->rx_overlong = true;
        if (s->rx_state == GDB_RX_ESCAPE) {
            byte ^= 0x20;
            s->rx_state = GDB_RX_DATA;
        } else if (byte == '}') {
            s->rx_state = GDB_RX_ESCAPE;
            return GDB_EVENT_NONE;
        }
        if (!s->rx_overlong)
            s->in[s->in_len++] = byte;
        return GDB_EVENT_NONE;
    case GDB_RX_CSUM1:
    case GDB_RX_CSUM2: {
        int d = hex_value(byte);
        if (d < 0) {
            s->rx_bad_escape = true; /* a bad digit: reject as corrupt */
            d = 0;
        }
        if (s->rx_state == GDB_RX_CSUM1) {
            s->rx_csum = (uint8_t)(d << 4);
            s->rx_state = GDB_RX_CSUM2;
            return GDB_EVENT_NONE;
        }
        s->rx_csum |= (uint8_t)d;
        return rx_complete(s);
    }
    }
    return GDB_EVENT_NONE;
}

/* ---- Setup and stops ------------------------------------------------------------------------- */

bool gdb_stub_init(struct gdb_stub *s, const struct gdb_target *target, enum gdb_regs_layout layout,
                   bool guest_running)
{
    memset(s, 0, sizeof(*s));
    if (!target || !target->read_regs || !target->write_regs || !target->read_mem ||
        !target->write_mem || !target->insert_sw_breakpoint || !target->remove_sw_breakpoint ||
        !target->resume || !target->send || gdb_regs_count(layout) == 0)
        return false;
    s->target = *target;
    s->layout = layout;
    s->rx_state = GDB_RX_IDLE;
    s->running = guest_running;
    s->last_stop = GDB_STOP_TRAP;
    return true;
}

enum gdb_event gdb_stub_stopped(struct gdb_stub *s, enum gdb_stop_reason why)
{
    s->running = false;
    s->last_stop = why;
    if (s->reply_owed) {
        s->reply_owed = false;
        send_stop_reply(s);
    }
    if (s->deferred) {
        s->deferred = false;
        return handle_packet(s);
    }
    return GDB_EVENT_NONE;
}
