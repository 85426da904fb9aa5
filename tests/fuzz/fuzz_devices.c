/* libFuzzer target for the device models (PIC, PIT, RTC, UART, ATA, debug console, POST) behind
 * vmm/iobus.c, driven by a byte-coded program of port accesses, clock advances and host events. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/platform.h"

/*
 * Input: 7 bytes of RTC start date (year u16, month, day, hour, minute, second; clamped by the
 * model; bit 7 of the second byte also empties the ATA channel), then operations until the input
 * ends. Each operation starts with a control byte:
 *   bits 1:0 access size 1, 2, 4; 3 = a host event (below)
 *   port access: bit 2 OUT (else IN); bits 4:3 clock advance after it (none, ns, us, 64 ms units);
 *     bits 7:5 repeat it 2^n times (as REP INS/OUTS would, e.g. a whole ATA sector)
 *     port byte: < 0xf0 an index into ports[] (device ports and their neighbours), else a raw
 *     16-bit port follows; then the value (`size` bytes) for OUT; then the advance byte if any.
 *   host event: bits 4:2 select it, bits 7:5 are its flags:
 *     0 INTA cycle           1 platform update (timers raise their lines)
 *     2 byte to the UART     3 break to the UART       4 UART modem inputs
 *     5 another IRQ line (arg: IRQ in bits 3:0, level in bit 7)
 *     6 clock jump by a u16 number of seconds          7 queries; with flag bit 5, a dump
 * Checked after each operation: every device's state invariants (tests/fuzz/platform.c); reads of
 * unclaimed/denied ports and bytes past a model's ports give all ones; the INTA cycle answers
 * exactly when INTR is high; the timers' "next interrupt" times are honoured by the next update.
 */

#define OP_SIZE_MASK    0x03u
#define OP_EVENT        0x03u
#define OP_OUT          0x04u
#define OP_ADV_SHIFT    3
#define OP_EVENT_SHIFT  2
#define OP_REPEAT_SHIFT 5
#define RAW_PORT        0xf0u
#define NS_PER_SEC      1000000000ull

static const uint16_t ports[] = {
    0x20,  0x21,  0xa0,  0xa1,  0x4d0, 0x4d1, 0x40,  0x41,  0x42,  0x43,   0x61,   0x70,
    0x71,  0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0xe9,   0x80,   0x1f,
    0x22,  0x3f,  0x44,  0x60,  0x62,  0x6f,  0x72,  0x9f,  0xa2,  0x3f7,  0x400,  0x4cf,
    0x4d2, 0xcf8, 0xcfc, 0xcff, 0xe8,  0xea,  0x7f,  0x81,  0x2f8, 0xfffd, 0xfffe, 0xffff,
    0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6, 0x1ef,  0x1f8,  0x170,
};

static struct fuzz_platform plat;
static struct fuzz_text text;

/* The timers' own predictions of their next interrupt, kept until their ports are touched. */
static bool pit_pred_valid, rtc_pred_valid;
static uint64_t pit_pred, rtc_pred;

static bool touches(uint16_t port, unsigned size, uint32_t first, uint32_t last)
{
    return port <= last && first <= (uint32_t)port + size - 1;
}

/* The models whose header promises 0xff for bytes past their ports. */
static bool byte_lanes_documented(const struct io_region *r)
{
    return r->device == &plat.pic || r->device == &plat.pit || r->device == &plat.rtc ||
           r->device == &plat.uart || r->device == &plat.ata;
}

static void port_access(uint16_t port, unsigned size, bool out, uint32_t value)
{
    if (touches(port, size, PIT_PORT_COUNTER0, PIT_PORT_CONTROL) ||
        touches(port, size, PIT_PORT_NMI_SC, PIT_PORT_NMI_SC))
        pit_pred_valid = false;
    if (touches(port, size, CMOS_PORT_INDEX, CMOS_PORT_DATA))
        rtc_pred_valid = false;
    const struct io_region *r = iobus_find(&plat.bus, port);
    bool allowed = iobus_port_allowed(&plat.bus, port, size);
    uint32_t v = out ? value : 0x5a5a5a5au;
    bool handled = iobus_access(&plat.bus, port, size, out ? IO_OUT : IO_IN, &v);
    FUZZ_CHECK(handled == (r != NULL && allowed), "port 0x%x: handled %d, region %d, allowed %d",
               port, handled, r != NULL, allowed);
    if (out)
        return;
    if (!handled) {
        FUZZ_CHECK(v == 0xffffffffu, "IN of unclaimed/denied port 0x%x gave 0x%x", port, v);
        return;
    }
    if (!byte_lanes_documented(r))
        return;
    for (unsigned i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + i;
        if (p > r->last)
            FUZZ_CHECK(((v >> (8 * i)) & 0xff) == 0xff,
                       "IN%u at 0x%x: byte %u (port 0x%x, past %s) reads 0x%02x", size, port, i, p,
                       r->name, (v >> (8 * i)) & 0xff);
    }
}

static void update(void)
{
    uint64_t now = plat.now_ns;
    uint64_t accounted = plat.pit.edges_accounted, irqs = plat.rtc.irqs;
    bool pit_due = pit_pred_valid && now >= pit_pred;
    fuzz_platform_update(&plat);
    if (pit_pred_valid)
        FUZZ_CHECK((plat.pit.edges_accounted > accounted) == pit_due,
                   "PIT said its next IRQ0 edge is at %llu ns; at %llu ns the update found %llu",
                   (unsigned long long)pit_pred, (unsigned long long)now,
                   (unsigned long long)(plat.pit.edges_accounted - accounted));
    if (rtc_pred_valid && now < rtc_pred)
        FUZZ_CHECK(plat.rtc.irqs == irqs, "RTC raised IRQ8 at %llu ns, before its %llu ns",
                   (unsigned long long)now, (unsigned long long)rtc_pred);
    pit_pred = pit8254_next_irq_ns(&plat.pit);
    FUZZ_CHECK(pit_pred == UINT64_MAX || pit_pred > now,
               "PIT next IRQ0 at %llu ns right after an update at %llu ns",
               (unsigned long long)pit_pred, (unsigned long long)now);
    rtc_pred = cmos_rtc_next_irq_ns(&plat.rtc);
    FUZZ_CHECK(rtc_pred == UINT64_MAX || (!plat.rtc.irq_level && rtc_pred >= now),
               "RTC next IRQ8 at %llu ns (now %llu, line %d)", (unsigned long long)rtc_pred,
               (unsigned long long)now, plat.rtc.irq_level);
    pit_pred_valid = rtc_pred_valid = true;
}

static void queries(bool dump)
{
    uint64_t now = plat.now_ns;
    uint64_t t = pit8254_ns_to_ticks(now);
    uint64_t start = pit8254_ticks_to_ns(t), next = pit8254_ticks_to_ns(t + 1);
    FUZZ_CHECK(start <= now && next > now && pit8254_ns_to_ticks(start) == t &&
                   pit8254_ns_to_ticks(next) == t + 1 &&
                   (start == 0 || pit8254_ns_to_ticks(start - 1) < t),
               "CLK pulse %llu at %llu ns: starts %llu, next %llu", (unsigned long long)t,
               (unsigned long long)now, (unsigned long long)start, (unsigned long long)next);
    uint64_t p = pit8254_next_irq_ns(&plat.pit), r = cmos_rtc_next_irq_ns(&plat.rtc);
    FUZZ_CHECK(p == UINT64_MAX || p >= now, "PIT next IRQ0 at %llu ns, now %llu",
               (unsigned long long)p, (unsigned long long)now);
    FUZZ_CHECK(r == UINT64_MAX || r >= now, "RTC next IRQ8 at %llu ns, now %llu",
               (unsigned long long)r, (unsigned long long)now);
    if (dump)
        fuzz_platform_dump(&plat, &text);
}

static void event(unsigned which, uint8_t flags, struct fuzz_reader *in)
{
    switch (which) {
    case 0: {
        bool intr = pic8259_has_interrupt(&plat.pic);
        int vector = pic8259_acknowledge(&plat.pic);
        FUZZ_CHECK(intr ? vector >= 0 && vector <= 0xff : vector == -1,
                   "INTA with INTR %d answered %d", intr, vector);
        break;
    }
    case 1:
        update();
        break;
    case 2: {
        uint8_t byte = fuzz_u8(in);
        unsigned room = vuart_rx_room(&plat.uart);
        bool taken = vuart_receive(&plat.uart, byte);
        FUZZ_CHECK(taken == (room > 0), "UART took a byte: %d with room %u", taken, room);
        break;
    }
    case 3:
        vuart_receive_break(&plat.uart);
        break;
    case 4:
        vuart_set_modem_inputs(&plat.uart, fuzz_u8(in));
        break;
    case 5: {
        uint8_t arg = fuzz_u8(in);
        unsigned irq = arg & 0x0f;
        /* Lines the devices drive stay theirs (their levels are checked). */
        if (irq == FUZZ_PIT_IRQ || irq == FUZZ_UART_IRQ || irq == FUZZ_RTC_IRQ ||
            irq == FUZZ_ATA_IRQ)
            break;
        bool level = arg & 0x80;
        if (irq != PIC8259_CASCADE_IR)
            plat.line[irq] = level;
        pic8259_set_irq(&plat.pic, irq, level);
        break;
    }
    case 6:
        fuzz_platform_advance(&plat, fuzz_u16(in) * NS_PER_SEC);
        break;
    default:
        queries(flags & 1);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_reader in = {data, size};
    struct rtc_datetime date = {.year = fuzz_u16(&in)};
    date.month = fuzz_u8(&in);
    date.day = fuzz_u8(&in);
    date.hour = fuzz_u8(&in);
    date.minute = fuzz_u8(&in);
    date.second = fuzz_u8(&in);
    fuzz_platform_init(&plat, &date, 0, 0, !(date.second & 0x80));
    pit_pred_valid = rtc_pred_valid = false;
    fuzz_platform_check(&plat);

    while (fuzz_more(&in)) {
        uint8_t ctl = fuzz_u8(&in);
        if ((ctl & OP_SIZE_MASK) == OP_EVENT) {
            event((ctl >> OP_EVENT_SHIFT) & 7, ctl >> 5, &in);
        } else {
            static const unsigned sizes[] = {1, 2, 4};
            unsigned sz = sizes[ctl & OP_SIZE_MASK];
            uint8_t sel = fuzz_u8(&in);
            uint16_t port =
                sel < RAW_PORT ? ports[sel % (sizeof(ports) / sizeof(ports[0]))] : fuzz_u16(&in);
            bool out = ctl & OP_OUT;
            uint32_t value = 0;
            for (unsigned i = 0; out && i < sz; i++)
                value |= (uint32_t)fuzz_u8(&in) << (8 * i);
            for (unsigned rep = 0; rep < 1u << (ctl >> OP_REPEAT_SHIFT); rep++) {
                port_access(port, sz, out, value);
                fuzz_platform_check(&plat);
            }
            static const uint64_t units[] = {0, 1, 1000, 1ull << 26};
            unsigned scale = (ctl >> OP_ADV_SHIFT) & 3;
            if (scale)
                fuzz_platform_advance(&plat, fuzz_u8(&in) * units[scale]);
        }
        fuzz_platform_check(&plat);
    }
    fuzz_platform_dump(&plat, &text);
    return 0;
}
