/* The guest's Intel 8254 PIT (ports 0x40-0x43) and the PC's port 0x61: counter state and OUT
 * computed from the device clock, control/read-back commands, IRQ0 edges with bounded catch-up. */
#include "vmm/devices/pit8254.h"

#include "kernel/string.h"

#define NS_PER_SEC         1000000000ull
#define PIT_BINARY_MODULUS 65536u
#define PIT_BCD_MODULUS    10000u
#define PIT_MIN_PERIODIC   2u /* smallest count of modes 2 and 3 */
#define NO_EDGE            UINT64_MAX
#define PIT_CW_M2          0x4u /* "don't care" in modes 2 and 3 */
#define PIT_GATED_CHANNEL  2    /* the only gate not tied high on a PC */
#define BCD_DIGIT_BITS     4
#define BCD_DIGIT_MASK     0xfu
#define BCD_DIGIT_MAX      9u
#define COUNT_BITS         16
#define DECIMAL            10u
#define OPEN_BUS           0xffu

uint64_t pit8254_ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_SEC * PIT_INPUT_HZ + ns % NS_PER_SEC * PIT_INPUT_HZ / NS_PER_SEC;
}

uint64_t pit8254_ticks_to_ns(uint64_t ticks)
{
    uint64_t sec = ticks / PIT_INPUT_HZ;
    uint64_t rem = ticks % PIT_INPUT_HZ;
    if (sec > (UINT64_MAX - NS_PER_SEC) / NS_PER_SEC)
        return UINT64_MAX;
    /* Smallest ns with ns * HZ >= ticks * 1e9: a ceiling division, per whole second. */
    return sec * NS_PER_SEC + (rem * NS_PER_SEC + PIT_INPUT_HZ - 1) / PIT_INPUT_HZ;
}

static uint64_t now_ticks(const struct pit8254 *pit)
{
    return pit8254_ns_to_ticks(device_clock_now(&pit->clock));
}

/* ---- counting element arithmetic ------------------------------------------------------------ */

static unsigned decode_mode(uint8_t control)
{
    unsigned m = (control >> PIT_CW_M_SHIFT) & PIT_CW_M_MASK;
    /* M2 is "don't care" for modes 2 and 3 (110, 111). */
    return m > PIT_MODE_HARDWARE_STROBE ? m & ~PIT_CW_M2 : m;
}

static unsigned rw_access(const struct pit8254_channel *ch)
{
    return (ch->control >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK;
}

static bool is_bcd(const struct pit8254_channel *ch)
{
    return ch->control & PIT_CW_BCD;
}

static uint32_t modulus(const struct pit8254_channel *ch)
{
    return is_bcd(ch) ? PIT_BCD_MODULUS : PIT_BINARY_MODULUS;
}

static bool periodic_mode(unsigned mode)
{
    return mode == PIT_MODE_RATE_GENERATOR || mode == PIT_MODE_SQUARE_WAVE;
}

static uint32_t bcd_decode(uint16_t raw)
{
    uint32_t v = 0;
    for (int shift = COUNT_BITS - BCD_DIGIT_BITS; shift >= 0; shift -= BCD_DIGIT_BITS) {
        uint32_t digit = (raw >> shift) & BCD_DIGIT_MASK;
        v = v * DECIMAL + (digit > BCD_DIGIT_MAX ? BCD_DIGIT_MAX : digit);
    }
    return v;
}

static uint16_t bcd_encode(uint32_t v)
{
    uint16_t raw = 0;
    for (unsigned shift = 0; shift < COUNT_BITS; shift += BCD_DIGIT_BITS) {
        raw |= (uint16_t)((v % DECIMAL) << shift);
        v /= DECIMAL;
    }
    return raw;
}

/* The count CR stands for, as the number of pulses a segment counts. */
static uint32_t segment_count(const struct pit8254_channel *ch)
{
    uint32_t n = is_bcd(ch) ? bcd_decode(ch->cr) : ch->cr;
    if (n == 0)
        n = modulus(ch);
    if (periodic_mode(ch->mode) && n < PIT_MIN_PERIODIC)
        n = PIT_MIN_PERIODIC;
    return n;
}

static uint64_t seg_elapsed(const struct pit8254_segment *seg, uint64_t t)
{
    return seg->e0 + (seg->running && t > seg->t0 ? t - seg->t0 : 0);
}

/* CE after e pulses from a load of n (0 .. modulus - 1, binary). */
static uint32_t ce_value(unsigned mode, uint32_t n, uint64_t e, uint32_t mod)
{
    switch (mode) {
    case PIT_MODE_RATE_GENERATOR:
        return (uint32_t)((n - e % n) % mod);
    case PIT_MODE_SQUARE_WAVE: {
        /* Each half loads N (N - 1 for odd N) and counts down by two. */
        uint32_t p = (uint32_t)(e % n);
        uint32_t high = (n + 1) / 2;
        uint32_t start = (n & 1) ? n - 1 : n;
        uint32_t step = p < high ? p : p - high;
        return (start - 2 * step) % mod;
    }
    default:
        return (uint32_t)((n + mod - e % mod) % mod);
    }
}

/* Modes 2 and 3 hold OUT high while not running: gate low, or waiting for the reload that the
 * gate's rising edge triggers. */
static bool out_level(unsigned mode, uint32_t n, uint64_t e, bool running)
{
    switch (mode) {
    case PIT_MODE_TERMINAL_COUNT:
    case PIT_MODE_ONE_SHOT:
        return e >= n;
    case PIT_MODE_RATE_GENERATOR:
        return !running || e % n != n - 1;
    case PIT_MODE_SQUARE_WAVE:
        return !running || e % n < (n + 1) / 2;
    default: /* strobes */
        return e != n;
    }
}

/* Rising edges of OUT caused by counting, at elapsed 1..e. */
static uint64_t edges_upto(unsigned mode, uint32_t n, uint64_t e)
{
    switch (mode) {
    case PIT_MODE_TERMINAL_COUNT:
    case PIT_MODE_ONE_SHOT:
        return e >= n;
    case PIT_MODE_RATE_GENERATOR:
    case PIT_MODE_SQUARE_WAVE:
        return e / n;
    default:
        return e >= (uint64_t)n + 1;
    }
}

/* Elapsed count of the first counting edge after elapsed e, NO_EDGE if none. */
static uint64_t next_edge_elapsed(unsigned mode, uint32_t n, uint64_t e)
{
    switch (mode) {
    case PIT_MODE_TERMINAL_COUNT:
    case PIT_MODE_ONE_SHOT:
        return e < n ? n : NO_EDGE;
    case PIT_MODE_RATE_GENERATOR:
    case PIT_MODE_SQUARE_WAVE:
        return (e / n + 1) * n;
    default:
        return e < (uint64_t)n + 1 ? (uint64_t)n + 1 : NO_EDGE;
    }
}

/* Whether a loaded count advances with the current gate: modes 1 and 5 ignore its level. */
static bool runs_with_gate(const struct pit8254_channel *ch)
{
    if (ch->mode == PIT_MODE_ONE_SHOT || ch->mode == PIT_MODE_HARDWARE_STROBE)
        return true;
    return ch->gate;
}

/* ---- channel state at a CLK pulse ------------------------------------------------------------ */

/* The channel as it stands at pulse t: the pending load applied if it is due. */
struct pit_view {
    bool counting;
    struct pit8254_segment seg;
    uint64_t edge_base;
    bool null_count;
};

static struct pit_view channel_view(const struct pit8254_channel *ch, uint64_t t)
{
    struct pit_view v = {.counting = ch->counting,
                         .seg = ch->seg,
                         .edge_base = ch->edge_base,
                         .null_count = ch->null_count};
    if (ch->pending && t >= ch->pend_t0) {
        if (v.counting)
            v.edge_base += edges_upto(ch->mode, v.seg.n, seg_elapsed(&v.seg, ch->pend_t0));
        v.counting = true;
        v.seg = (struct pit8254_segment){
            .t0 = ch->pend_t0, .e0 = 0, .n = ch->pend_n, .running = runs_with_gate(ch)};
        v.null_count = false;
    }
    return v;
}

static uint16_t view_ce(const struct pit8254_channel *ch, const struct pit_view *v, uint64_t t)
{
    if (!v->counting)
        return ch->hold_ce;
    uint32_t ce = ce_value(ch->mode, v->seg.n, seg_elapsed(&v->seg, t), modulus(ch));
    return is_bcd(ch) ? bcd_encode(ce) : (uint16_t)ce;
}

static bool view_out(const struct pit8254_channel *ch, const struct pit_view *v, uint64_t t)
{
    if (!v->counting)
        return ch->hold_out;
    return out_level(ch->mode, v->seg.n, seg_elapsed(&v->seg, t), v->seg.running);
}

static uint64_t view_edges(const struct pit8254_channel *ch, const struct pit_view *v, uint64_t t)
{
    if (!v->counting)
        return v->edge_base;
    return v->edge_base + edges_upto(ch->mode, v->seg.n, seg_elapsed(&v->seg, t));
}

static uint8_t view_status(const struct pit8254_channel *ch, const struct pit_view *v, uint64_t t)
{
    return (uint8_t)((view_out(ch, v, t) ? PIT_STATUS_OUTPUT : 0) |
                     (v->null_count ? PIT_STATUS_NULL_COUNT : 0) |
                     (ch->control & PIT_CW_PROGRAM_MASK));
}

/* Applies a due pending load, so that the channel's fields describe pulse t. */
static void settle(struct pit8254_channel *ch, uint64_t t)
{
    if (!ch->pending || t < ch->pend_t0)
        return;
    struct pit_view v = channel_view(ch, t);
    ch->counting = v.counting;
    ch->seg = v.seg;
    ch->edge_base = v.edge_base;
    ch->null_count = v.null_count;
    ch->pending = false;
}

/* Stops counting at pulse t: CE and OUT hold their values there. */
static void hold(struct pit8254_channel *ch, uint64_t t)
{
    settle(ch, t);
    if (!ch->counting)
        return;
    struct pit_view v = channel_view(ch, t);
    ch->hold_ce = view_ce(ch, &v, t);
    ch->hold_out = view_out(ch, &v, t);
    ch->edge_base = view_edges(ch, &v, t);
    ch->counting = false;
}

static void schedule_load(struct pit8254_channel *ch, uint64_t t0, uint32_t n)
{
    ch->pending = true;
    ch->pend_t0 = t0;
    ch->pend_n = n;
}

/* ---- programming ------------------------------------------------------------------------------
 */

static void program(struct pit8254_channel *ch, uint64_t t, uint8_t cw)
{
    hold(ch, t);
    /* CE keeps its value, re-expressed if the control word changes binary/BCD counting. */
    uint32_t ce = is_bcd(ch) ? bcd_decode(ch->hold_ce) : ch->hold_ce;
    ch->control = cw & PIT_CW_PROGRAM_MASK;
    ch->hold_ce = is_bcd(ch) ? bcd_encode(ce % PIT_BCD_MODULUS) : (uint16_t)ce;
    ch->mode = (uint8_t)decode_mode(ch->control);
    /* "When a Control Word is written to a Counter, all Control Logic is immediately reset and
     * OUT goes to a known initial state": low in mode 0, high in the others. */
    ch->hold_out = ch->mode != PIT_MODE_TERMINAL_COUNT;
    ch->pending = false;
    ch->count_written = false;
    ch->null_count = true;
    ch->write_msb_next = false;
    ch->read_msb_next = false;
    ch->count_latched = false;
    ch->status_latched = false;
}

static void latch_count(struct pit8254_channel *ch, uint64_t t)
{
    if (ch->count_latched)
        return;
    struct pit_view v = channel_view(ch, t);
    ch->latched_count = view_ce(ch, &v, t);
    ch->count_latched = true;
}

static void latch_status(struct pit8254_channel *ch, uint64_t t)
{
    if (ch->status_latched)
        return;
    struct pit_view v = channel_view(ch, t);
    ch->latched_status = view_status(ch, &v, t);
    ch->status_latched = true;
}

static void control_write(struct pit8254 *pit, uint64_t t, uint8_t cw)
{
    unsigned sc = (cw >> PIT_CW_SC_SHIFT) & PIT_CW_SC_MASK;
    if (sc == PIT_CW_SC_READ_BACK) {
        for (unsigned i = 0; i < PIT_CHANNELS; i++) {
            if (!(cw & PIT_RB_CNT(i)))
                continue;
            if (!(cw & PIT_RB_COUNT_N))
                latch_count(&pit->channels[i], t);
            if (!(cw & PIT_RB_STATUS_N))
                latch_status(&pit->channels[i], t);
        }
        return;
    }
    struct pit8254_channel *ch = &pit->channels[sc];
    if (((cw >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK) == PIT_CW_RW_LATCH)
        latch_count(ch, t);
    else
        program(ch, t, cw);
}

/* A complete count is in CR: when it gets loaded depends on the mode. */
static void count_written(struct pit8254_channel *ch, uint64_t t)
{
    uint32_t n = segment_count(ch);
    ch->count_written = true;
    ch->null_count = true;
    switch (ch->mode) {
    case PIT_MODE_ONE_SHOT:
    case PIT_MODE_HARDWARE_STROBE:
        return; /* loaded by the next gate trigger */
    case PIT_MODE_RATE_GENERATOR:
    case PIT_MODE_SQUARE_WAVE:
        if (ch->pending) {
            /* A load already scheduled (period end or gate trigger) takes the new CR. */
            ch->pend_n = n;
            return;
        }
        if (ch->counting) {
            if (ch->seg.running) {
                uint64_t e = seg_elapsed(&ch->seg, t);
                uint64_t end = next_edge_elapsed(ch->mode, ch->seg.n, e);
                schedule_load(ch, t + (end - e), n);
            }
            return; /* gate low: its rising edge reloads CR */
        }
        schedule_load(ch, t + 1, n);
        return;
    default:
        schedule_load(ch, t + 1, n);
        return;
    }
}

static void counter_write(struct pit8254_channel *ch, uint64_t t, uint8_t byte)
{
    settle(ch, t);
    bool first_byte = true;
    bool complete = true;
    switch (rw_access(ch)) {
    case PIT_CW_RW_LSB:
        ch->cr = byte;
        break;
    case PIT_CW_RW_MSB:
        ch->cr = (uint16_t)(byte << 8);
        break;
    default:
        if (!ch->write_msb_next) {
            ch->write_lsb = byte;
            complete = false;
        } else {
            ch->cr = (uint16_t)(ch->write_lsb | byte << 8);
            first_byte = false;
        }
        ch->write_msb_next = !ch->write_msb_next;
        break;
    }
    if (ch->mode == PIT_MODE_TERMINAL_COUNT && first_byte) {
        /* Mode 0: writing (the first byte of) a count stops counting and sets OUT low. */
        hold(ch, t);
        ch->hold_out = false;
        ch->pending = false;
    }
    if (complete)
        count_written(ch, t);
}

static uint8_t counter_read(struct pit8254_channel *ch, uint64_t t)
{
    settle(ch, t);
    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->latched_status;
    }
    uint16_t value;
    if (ch->count_latched) {
        value = ch->latched_count;
    } else {
        struct pit_view v = channel_view(ch, t);
        value = view_ce(ch, &v, t);
    }
    uint8_t byte;
    switch (rw_access(ch)) {
    case PIT_CW_RW_LSB:
        byte = (uint8_t)value;
        ch->count_latched = false;
        break;
    case PIT_CW_RW_MSB:
        byte = (uint8_t)(value >> 8);
        ch->count_latched = false;
        break;
    default:
        if (!ch->read_msb_next) {
            byte = (uint8_t)value;
        } else {
            byte = (uint8_t)(value >> 8);
            ch->count_latched = false;
        }
        ch->read_msb_next = !ch->read_msb_next;
        break;
    }
    return byte;
}

static void set_gate(struct pit8254_channel *ch, uint64_t t, bool gate)
{
    settle(ch, t);
    if (gate == ch->gate)
        return;
    bool level_gated = ch->mode != PIT_MODE_ONE_SHOT && ch->mode != PIT_MODE_HARDWARE_STROBE;
    if (ch->counting && level_gated) {
        ch->seg.e0 = seg_elapsed(&ch->seg, t);
        ch->seg.t0 = t;
        /* Modes 2 and 3 resume only through the reload on the gate's rising edge. */
        ch->seg.running = gate && !periodic_mode(ch->mode);
        /* A count waiting for the end of a period now waits for the gate instead. */
        if (!gate && periodic_mode(ch->mode))
            ch->pending = false;
    }
    ch->gate = gate;
    bool triggered = ch->mode != PIT_MODE_TERMINAL_COUNT && ch->mode != PIT_MODE_SOFTWARE_STROBE;
    if (gate && triggered && ch->count_written)
        schedule_load(ch, t + 1, segment_count(ch));
}

/* ---- port bus ----------------------------------------------------------------------------------
 */

static uint8_t nmi_sc_read(const struct pit8254 *pit, uint64_t t)
{
    const struct pit8254_channel *ch2 = &pit->channels[PIT_GATED_CHANNEL];
    struct pit_view v = channel_view(ch2, t);
    uint8_t value = pit->nmi_sc & PIT_NMI_SC_WRITABLE;
    if ((t / PIT_REFRESH_TICKS) & 1)
        value |= PIT_NMI_SC_REF_TOGGLE;
    if (view_out(ch2, &v, t))
        value |= PIT_NMI_SC_TMR2_OUT_STS;
    return value;
}

static uint8_t pit_read(struct pit8254 *pit, uint32_t port, uint64_t t)
{
    if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2)
        return counter_read(&pit->channels[port - PIT_PORT_COUNTER0], t);
    if (port == PIT_PORT_NMI_SC)
        return nmi_sc_read(pit, t);
    return OPEN_BUS; /* the control port has no read operation; bytes past our ports */
}

static void pit_write(struct pit8254 *pit, uint32_t port, uint64_t t, uint8_t byte)
{
    if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2) {
        counter_write(&pit->channels[port - PIT_PORT_COUNTER0], t, byte);
    } else if (port == PIT_PORT_CONTROL) {
        control_write(pit, t, byte);
    } else if (port == PIT_PORT_NMI_SC) {
        pit->nmi_sc = byte & PIT_NMI_SC_WRITABLE;
        set_gate(&pit->channels[PIT_GATED_CHANNEL], t, byte & PIT_NMI_SC_TIM_CNT2_EN);
    }
}

static void pit8254_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                       uint32_t *value)
{
    struct pit8254 *pit = device;
    uint64_t t = now_ticks(pit);
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + i;
        if (dir == IO_OUT)
            pit_write(pit, p, t, (uint8_t)(*value >> (8 * i)));
        else
            result |= (uint32_t)pit_read(pit, p, t) << (8 * i);
    }
    if (dir == IO_IN)
        *value = result;
}

void pit8254_init(struct pit8254 *pit, const struct device_clock *clock,
                  const struct irq_line *irq0)
{
    memset(pit, 0, sizeof(*pit));
    pit->clock = *clock;
    if (irq0)
        pit->irq0 = *irq0;
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        struct pit8254_channel *ch = &pit->channels[i];
        ch->control = PIT_CW(0u, PIT_CW_RW_LSB_MSB, PIT_MODE_TERMINAL_COUNT, false);
        ch->mode = PIT_MODE_TERMINAL_COUNT;
        ch->gate = i != PIT_GATED_CHANNEL; /* gate 2 is port 0x61 bit 0, 0 at reset */
        ch->null_count = true;
    }
}

int pit8254_attach(struct pit8254 *pit, struct iobus *bus)
{
    enum iobus_status status =
        iobus_register(bus, PIT_PORT_COUNTER0, PIT_PORT_COUNT, pit8254_io, pit, "pit8254");
    if (status != IOBUS_OK)
        return status;
    return iobus_register(bus, PIT_PORT_NMI_SC, 1, pit8254_io, pit, "pit8254-port61");
}

/* ---- IRQ0 --------------------------------------------------------------------------------------
 */

void pit8254_update(struct pit8254 *pit)
{
    uint64_t t = now_ticks(pit);
    struct pit8254_channel *ch0 = &pit->channels[0];
    settle(ch0, t);
    pit->updates++;
    struct pit_view v = channel_view(ch0, t);
    uint64_t total = view_edges(ch0, &v, t);
    if (total <= pit->edges_accounted)
        return;
    uint64_t due = total - pit->edges_accounted;
    uint64_t deliver = due < PIT_MAX_CATCHUP_TICKS ? due : PIT_MAX_CATCHUP_TICKS;
    pit->edges_accounted = total;
    pit->missed_ticks += due - deliver;
    pit->irq_pulses += deliver;
    for (uint64_t i = 0; i < deliver; i++)
        irq_line_pulse(&pit->irq0);
}

/* First pulse after t at which the segment has a counting edge, NO_EDGE if none. */
static uint64_t seg_next_edge_tick(unsigned mode, const struct pit8254_segment *seg, uint64_t t)
{
    if (!seg->running)
        return NO_EDGE;
    uint64_t from = t > seg->t0 ? t : seg->t0;
    uint64_t e = seg_elapsed(seg, from);
    uint64_t next = next_edge_elapsed(mode, seg->n, e);
    return next == NO_EDGE ? NO_EDGE : from + (next - e);
}

uint64_t pit8254_next_irq_ns(const struct pit8254 *pit)
{
    uint64_t now = device_clock_now(&pit->clock);
    uint64_t t = pit8254_ns_to_ticks(now);
    const struct pit8254_channel *ch = &pit->channels[0];
    struct pit_view v = channel_view(ch, t);
    if (view_edges(ch, &v, t) > pit->edges_accounted)
        return now;
    uint64_t tick = v.counting ? seg_next_edge_tick(ch->mode, &v.seg, t) : NO_EDGE;
    if (ch->pending && t < ch->pend_t0 && (tick == NO_EDGE || tick > ch->pend_t0)) {
        /* The current segment ends before its next edge; the pending load's counting starts. */
        struct pit8254_segment next = {
            .t0 = ch->pend_t0, .e0 = 0, .n = ch->pend_n, .running = runs_with_gate(ch)};
        tick = seg_next_edge_tick(ch->mode, &next, ch->pend_t0);
    }
    return tick == NO_EDGE ? UINT64_MAX : pit8254_ticks_to_ns(tick);
}

/* ---- dump
 * ---------------------------------------------------------------------------------------- */

static const char *const access_names[] = {"latch", "lsb", "msb", "lsb/msb"};

void pit8254_dump(const struct pit8254 *pit, device_printf_fn print)
{
    uint64_t now = device_clock_now(&pit->clock);
    uint64_t t = pit8254_ns_to_ticks(now);
    print("pit8254 at %llu ns (CLK pulse %llu), port 0x61 0x%02x\n", (unsigned long long)now,
          (unsigned long long)t, (unsigned)nmi_sc_read(pit, t));
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        const struct pit8254_channel *ch = &pit->channels[i];
        struct pit_view v = channel_view(ch, t);
        print("  counter %u: mode %u %s%s cr 0x%04x ce 0x%04x out %u gate %u%s%s%s%s\n", i,
              (unsigned)ch->mode, access_names[rw_access(ch)], is_bcd(ch) ? " bcd" : "",
              (unsigned)ch->cr, (unsigned)view_ce(ch, &v, t), (unsigned)view_out(ch, &v, t),
              (unsigned)ch->gate, v.null_count ? ", null count" : "",
              v.counting ? "" : ", not counting", ch->count_latched ? ", count latched" : "",
              ch->status_latched ? ", status latched" : "");
    }
    uint64_t next = pit8254_next_irq_ns(pit);
    print("  irq0: %llu pulses, %llu missed, %llu updates, next ",
          (unsigned long long)pit->irq_pulses, (unsigned long long)pit->missed_ticks,
          (unsigned long long)pit->updates);
    if (next == UINT64_MAX)
        print("never\n");
    else
        print("at %llu ns\n", (unsigned long long)next);
}
