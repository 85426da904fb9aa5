/* Owns the property test "a batch (MICA_HC_IO_BATCH) is the same as the same port I/O trapped one
 * access at a time": two identical PC platforms, one driven through iobus_access(), one batched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/devices/cmos_rtc.h"
#include "vmm/devices/pic8259.h"
#include "vmm/devices/pit8254.h"
#include "vmm/devices/vuart16550.h"
#include "vmm/io_batch.h"
#include "vmm/iobus.h"

/*
 * Two platforms, A and B, each wired as vmm/platform.c wires a guest: an iobus with the 8259A pair
 * (and ELCR), the 8254 PIT (and port 0x61), the CMOS RTC and the COM1 16550A, whose IRQ lines
 * (0, 8, 4) go into that platform's own PIC (through a shim that logs each transition). Each has
 * its own fake clock and guest RAM, and a probe device at 0x84-0x87 (below); 0x80 is unclaimed.
 *
 * A random sequence of port operations (fixed seeds) is run on both. A executes it one access at a
 * time as trapped IN/OUT and REP INS/OUTS do (vmm/vmx/vmx_io.c): the value masked to the size,
 * iobus_access(), each IN result stored by the "guest" into its own RAM where B's batch writes it.
 * B executes the same sequence cut at random points into batches of 1..MICA_IO_BATCH_MAX entries:
 * the entries (and string buffers) are written into B's guest RAM and replayed by io_batch_run()
 * with the hypervisor's callbacks (vmm/hypercall.c: iobus_port_allowed(), iobus_access()). At the
 * cut points, and only there, both platforms get the same extra steps: clock advances followed by
 * pit8254_update() / cmos_rtc_update() (what platform_update() does), interrupt acknowledges
 * (pic8259_acknowledge(), vectors compared), host bytes into the UART and modem input changes.
 *
 * Time: each platform's clock advances by the same `tick_ns` after every port access (0 in half the
 * sequences: time frozen during a batch), so the k-th access of A and of B happen at the same
 * device time, however the sequence is cut. Equal clocks at each check also prove the same number
 * of accesses.
 *
 * What is compared after every batch and every extra step:
 * - all of A's and B's guest RAM, byte for byte: the IN results (non-string entries: low `size`
 *   bytes, the rest zero, as the ABI says; strings: the buffer) and that nothing else was written;
 * - every field of every device model and of the bus, one by one. Not memcmp: the structs have
 *   padding, whose bytes C leaves unspecified after struct assignments, and pointer members (the
 *   clock's and IRQ lines' ctx, the UART's tx_ctx, the bus regions' device) necessarily differ:
 *   those are compared as offsets inside their own platform (A's PIT must point at A's PIC exactly
 *   where B's points at B's), function pointers and static names for equality. A field added to a
 *   model struct must be added here too;
 * - the observable outputs (INTR, next PIT/RTC interrupt times, UART IIR/LSR peeks);
 * - the probe's hash of every (port, size, direction, whole 32-bit value) it was handed: the models
 *   only look at `size` bytes, so without it an OUT value left unmasked would go unseen;
 * - the UART transmit byte streams and the IRQ line transitions (irq, level, in order) since the
 *   last check; an acknowledge compares the two vectors.
 * The comparator itself is checked to see a difference in each kind of field
 * (test_comparator_sees_differences).
 */

#define RAM_SIZE        0x8000u
#define QUEUE_GPA       0x1000u /* plus 8 * 0..63: entries up to 0x2200 */
#define ARENA_GPA       0x2400u /* string buffers, up to 256 * (16 * 4 + 3) bytes */
#define STRING_REPS_MAX 16u
#define STRING_BYTES    (STRING_REPS_MAX * 4u)
#define SEQUENCE_OPS    512u /* at most, plus a template's tail */
#define OPS_CAP         (SEQUENCE_OPS + 8u)
#define TX_LOG_MAX      (MICA_IO_BATCH_MAX * STRING_REPS_MAX)
#define IRQ_LOG_MAX     (MICA_IO_BATCH_MAX * STRING_BYTES * 2u)
#define BUS_PORTS_USED  0x500u /* every port the sequences touch (0x4d1 + 3) is below this */
#define NS_PER_SEC      1000000000ull
#define RTC_IRQ_LINE    CMOS_RTC_IRQ
#define UART_IRQ_LINE   VUART_COM1_IRQ
#define PIT_IRQ_LINE    PIT_IRQ
#define PROBE_PORT      0x84u /* 4 ports no PC device of this platform uses */
#define PROBE_PORTS     4u
#define UNCLAIMED_PORT  0x80u

struct irq_event {
    uint8_t irq;
    uint8_t level;
};

struct platform {
    struct iobus bus;
    struct pic8259_pair pic;
    struct pit8254 pit;
    struct cmos_rtc rtc;
    struct vuart uart;
    uint64_t now_ns;
    uint64_t tick_ns; /* clock advance after each port access */
    uint8_t tx[TX_LOG_MAX];
    unsigned tx_count;
    struct irq_event irqs[IRQ_LOG_MAX];
    unsigned irq_count;
    unsigned chunks; /* io_batch chunk_done calls in the last batch */
    /* A probe device: sees the whole 32-bit value handed to a handler (the models only look at
     * `size` bytes, so they cannot tell whether the value was masked) and answers INs with all
     * 32 bits set from its history (the caller must mask them to the size). */
    uint32_t probe_hash;
    uint32_t probe_accesses;
    uint8_t ram[RAM_SIZE];
};

static struct platform pa, pb;

/* One operation of a sequence: the batch entry (its value is the string buffer's address once the
 * sequence is cut) and, for an OUTS, the bytes it sends. */
struct test_op {
    struct mica_io_op op;
    uint8_t data[STRING_BYTES];
};

static struct test_op seq[OPS_CAP];
static unsigned seq_len;

static struct {
    uint64_t batches, ops, ins, strings, tx_bytes, irq_events, vectors, acks;
} stats;

/* ---- random numbers (splitmix64) ------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

/* ---- the platforms --------------------------------------------------------------------------- */

static uint64_t fake_now(void *ctx)
{
    return ((const struct platform *)ctx)->now_ns;
}

/* The IRQ lines: logged (to compare A's and B's transitions), then into this platform's PIC. */
static void irq_set(void *ctx, unsigned irq, bool level)
{
    struct platform *p = ctx;
    if (p->irq_count == IRQ_LOG_MAX)
        fail_msg("IRQ log full: raise IRQ_LOG_MAX");
    p->irqs[p->irq_count++] = (struct irq_event){.irq = (uint8_t)irq, .level = level};
    pic8259_set_irq(&p->pic, irq, level);
}

static void uart_tx(void *ctx, uint8_t byte)
{
    struct platform *p = ctx;
    if (p->tx_count == TX_LOG_MAX)
        fail_msg("tx log full: raise TX_LOG_MAX");
    p->tx[p->tx_count++] = byte;
}

static void probe_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                     uint32_t *value)
{
    struct platform *p = device;
    p->probe_accesses++;
    p->probe_hash = (p->probe_hash ^ port ^ (size << 16) ^ ((unsigned)dir << 20)) * 0x01000193u;
    if (dir == IO_OUT)
        p->probe_hash = (p->probe_hash ^ *value) * 0x01000193u;
    else
        *value = p->probe_hash | 0x80808080u;
}

static void platform_build(struct platform *p, uint64_t start_ns, uint64_t tick_ns,
                           const struct rtc_datetime *date)
{
    p->now_ns = start_ns;
    p->tick_ns = tick_ns;
    p->tx_count = 0;
    p->irq_count = 0;
    p->chunks = 0;
    p->probe_hash = 0x811c9dc5u;
    p->probe_accesses = 0;
    memset(p->ram, 0, sizeof(p->ram));
    iobus_init(&p->bus);
    pic8259_init(&p->pic);
    assert_int_equal(pic8259_attach(&p->pic, &p->bus), IOBUS_OK);
    struct device_clock clock = {.now_ns = fake_now, .ctx = p};
    struct irq_line irq0 = {.set = irq_set, .ctx = p, .irq = PIT_IRQ_LINE};
    pit8254_init(&p->pit, &clock, &irq0);
    assert_int_equal(pit8254_attach(&p->pit, &p->bus), IOBUS_OK);
    struct irq_line irq8 = {.set = irq_set, .ctx = p, .irq = RTC_IRQ_LINE};
    cmos_rtc_init(&p->rtc, &clock, &irq8, date);
    assert_int_equal(cmos_rtc_attach(&p->rtc, &p->bus), IOBUS_OK);
    struct irq_line irq4 = {.set = irq_set, .ctx = p, .irq = UART_IRQ_LINE};
    vuart_init(&p->uart, VUART_COM1_PORT, &irq4, uart_tx, p);
    assert_int_equal(vuart_attach(&p->uart, &p->bus), IOBUS_OK);
    assert_int_equal(iobus_register(&p->bus, PROBE_PORT, PROBE_PORTS, probe_io, p, "probe"),
                     IOBUS_OK);
}

/* One port access, as both trapped I/O and the batch's io callback make it; time then moves on. */
static void bus_access(struct platform *p, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    iobus_access(&p->bus, port, size, out ? IO_OUT : IO_IN, value);
    p->now_ns += p->tick_ns;
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* ---- B's io_batch environment: the hypervisor's callbacks over B's guest RAM ----------------- */

static bool read_guest(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    struct platform *p = ctx;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return false;
    memcpy(dst, p->ram + gpa, len);
    return true;
}

static bool write_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct platform *p = ctx;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return false;
    memcpy(p->ram + gpa, src, len);
    return true;
}

static bool port_allowed(void *ctx, uint16_t port, unsigned size)
{
    return iobus_port_allowed(&((struct platform *)ctx)->bus, port, size);
}

static void batch_io(void *ctx, uint16_t port, unsigned size, bool out, uint32_t *value)
{
    bus_access(ctx, port, size, out, value);
}

static void chunk_done(void *ctx)
{
    ((struct platform *)ctx)->chunks++;
}

static const struct io_batch_env env_b = {
    .read_guest = read_guest,
    .write_guest = write_guest,
    .port_allowed = port_allowed,
    .io = batch_io,
    .chunk_done = chunk_done,
    .ctx = &pb,
};

/* ---- comparison ------------------------------------------------------------------------------ */

static char where[160];
static unsigned mismatches;
static bool quiet; /* the comparator's own test expects differences */

static void same_u64(const char *what, uint64_t a, uint64_t b)
{
    if (a == b)
        return;
    if (!quiet && mismatches < 12)
        print_error("%s: %s differs: A 0x%llx, B 0x%llx\n", where, what, (unsigned long long)a,
                    (unsigned long long)b);
    mismatches++;
}

static void same_bytes(const char *what, const void *a, const void *b, size_t len)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < len; i++) {
        if (x[i] != y[i]) {
            char name[96];
            snprintf(name, sizeof(name), "%s byte %zu", what, i);
            same_u64(name, x[i], y[i]);
            return;
        }
    }
}

/* A pointer as an offset inside its own platform (pointers elsewhere: as they are). */
static uint64_t own_offset(const struct platform *p, const void *ptr)
{
    uintptr_t u = (uintptr_t)ptr, base = (uintptr_t)p;
    return u >= base && u < base + sizeof(*p) ? u - base : u;
}

/* In every compare_* function `a` and `b` are the same struct of A and of B, `A` and `B` the
 * platforms. */
#define SAME(field)       same_u64(#field, (uint64_t)(a->field), (uint64_t)(b->field))
#define SAME_BYTES(field) same_bytes(#field, a->field, b->field, sizeof(a->field))
#define SAME_PTR(field)   same_u64(#field " is the same pointer", a->field == b->field, 1)
#define SAME_OWN_PTR(field)                                                                        \
    same_u64(#field " (offset in its platform)", own_offset(A, a->field), own_offset(B, b->field))

static void compare_bus(const struct platform *A, const struct platform *B, bool all_ports)
{
    const struct iobus *a = &A->bus, *b = &B->bus;
    SAME(region_count);
    for (unsigned i = 0; i < a->region_count && i < IOBUS_MAX_REGIONS; i++) {
        SAME(regions[i].first);
        SAME(regions[i].last);
        SAME_PTR(regions[i].handler);
        SAME_OWN_PTR(regions[i].device);
        SAME_PTR(regions[i].name);
    }
    SAME(denied_count);
    SAME(denied_accesses);
    SAME(unclaimed_accesses);
    /* Per-port counters: the ports in use at every check, all 65536 at the end of a sequence. */
    same_bytes("accesses", a->accesses, b->accesses,
               all_ports ? sizeof(a->accesses) : BUS_PORTS_USED * sizeof(a->accesses[0]));
    SAME_BYTES(unclaimed_reported);
    SAME_PTR(report_unclaimed);
    SAME_PTR(report_denied);
}

static void compare_pic(const struct platform *A, const struct platform *B)
{
    for (unsigned c = 0; c < PIC8259_CHIPS; c++) {
        const struct pic8259 *a = &A->pic.chip[c], *b = &B->pic.chip[c];
        SAME(is_master);
        SAME(irr);
        SAME(isr);
        SAME(imr);
        SAME(lines);
        SAME(elcr);
        SAME(icw1);
        SAME(icw2);
        SAME(icw3);
        SAME(icw4);
        SAME(init_step);
        SAME(lowest_priority_ir);
        SAME(read_isr);
        SAME(poll_pending);
        SAME(special_mask_mode);
        SAME(rotate_in_aeoi);
        SAME(int_output);
        SAME(acknowledged);
        SAME(spurious);
    }
    same_u64("pic8259_has_interrupt()", pic8259_has_interrupt(&A->pic),
             pic8259_has_interrupt(&B->pic));
}

static void compare_pit(const struct platform *A, const struct platform *B)
{
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        const struct pit8254_channel *a = &A->pit.channels[i], *b = &B->pit.channels[i];
        SAME(control);
        SAME(mode);
        SAME(gate);
        SAME(cr);
        SAME(write_lsb);
        SAME(write_msb_next);
        SAME(read_msb_next);
        SAME(count_written);
        SAME(null_count);
        SAME(count_latched);
        SAME(latched_count);
        SAME(status_latched);
        SAME(latched_status);
        SAME(counting);
        SAME(seg.t0);
        SAME(seg.e0);
        SAME(seg.n);
        SAME(seg.running);
        SAME(hold_ce);
        SAME(hold_out);
        SAME(pending);
        SAME(pend_t0);
        SAME(pend_n);
        SAME(edge_base);
    }
    const struct pit8254 *a = &A->pit, *b = &B->pit;
    SAME(nmi_sc);
    SAME_PTR(clock.now_ns);
    SAME_OWN_PTR(clock.ctx);
    SAME_PTR(irq0.set);
    SAME_OWN_PTR(irq0.ctx);
    SAME(irq0.irq);
    SAME(edges_accounted);
    SAME(irq_pulses);
    SAME(missed_ticks);
    SAME(updates);
    same_u64("pit8254_next_irq_ns()", pit8254_next_irq_ns(a), pit8254_next_irq_ns(b));
}

static void compare_rtc(const struct platform *A, const struct platform *B)
{
    const struct cmos_rtc *a = &A->rtc, *b = &B->rtc;
    SAME_PTR(clock.now_ns);
    SAME_OWN_PTR(clock.ctx);
    SAME_PTR(irq8.set);
    SAME_OWN_PTR(irq8.ctx);
    SAME(irq8.irq);
    SAME(index);
    SAME(nmi_disabled);
    SAME_BYTES(ram);
    SAME(reg_a);
    SAME(reg_b);
    SAME(flags);
    SAME(alarm_second);
    SAME(alarm_minute);
    SAME(alarm_hour);
    SAME(time.second);
    SAME(time.minute);
    SAME(time.hour);
    SAME(time.day_of_week);
    SAME(time.day);
    SAME(time.month);
    SAME(time.year);
    SAME(time.century);
    SAME(next_update_ns);
    SAME(last_sync_ns);
    SAME(irq_level);
    SAME(updates);
    SAME(irqs);
    same_u64("cmos_rtc_next_irq_ns()", cmos_rtc_next_irq_ns(a), cmos_rtc_next_irq_ns(b));
}

static void compare_uart(const struct platform *A, const struct platform *B)
{
    const struct vuart *a = &A->uart, *b = &B->uart;
    SAME(base);
    SAME_PTR(irq.set);
    SAME_OWN_PTR(irq.ctx);
    SAME(irq.irq);
    SAME_PTR(tx);
    SAME_OWN_PTR(tx_ctx);
    SAME(ier);
    SAME(fcr);
    SAME(lcr);
    SAME(mcr);
    SAME(scr);
    SAME(divisor);
    SAME(lsr_errors);
    SAME(fifo_error);
    SAME(msr);
    SAME(modem_inputs);
    SAME(thre_pending);
    SAME(irq_level);
    SAME_BYTES(rx_data); /* the whole ring: stale slots were written by the same operations */
    SAME_BYTES(rx_flags);
    SAME(rx_head);
    SAME(rx_count);
    SAME(rbr);
    SAME(tx_bytes);
    SAME(tx_lost_break);
    SAME(loop_bytes);
    SAME(rx_bytes);
    SAME(rx_overruns);
    SAME(rx_refused);
    same_u64("vuart_peek_iir()", vuart_peek_iir(a), vuart_peek_iir(b));
    same_u64("vuart_peek_lsr()", vuart_peek_lsr(a), vuart_peek_lsr(b));
    same_u64("vuart_rx_room()", vuart_rx_room(a), vuart_rx_room(b));
}

/* Platform-level: the clocks, the streams since the last check (then consumed). */
static void compare_outputs(const struct platform *A, const struct platform *B)
{
    const struct platform *a = A, *b = B;
    SAME(now_ns);
    SAME(probe_hash);
    SAME(probe_accesses);
    SAME(tx_count);
    if (a->tx_count == b->tx_count)
        same_bytes("uart tx stream", a->tx, b->tx, a->tx_count);
    SAME(irq_count);
    if (a->irq_count == b->irq_count)
        same_bytes("irq line transitions", a->irqs, b->irqs, a->irq_count * sizeof(a->irqs[0]));
}

static unsigned compare_platforms(bool all_ports)
{
    mismatches = 0;
    compare_bus(&pa, &pb, all_ports);
    compare_pic(&pa, &pb);
    compare_pit(&pa, &pb);
    compare_rtc(&pa, &pb);
    compare_uart(&pa, &pb);
    compare_outputs(&pa, &pb);
    return mismatches;
}

static void check(bool all_ports)
{
    if (compare_platforms(all_ports))
        fail_msg("%s: %u difference(s) between the trapped (A) and batched (B) platforms", where,
                 mismatches);
    stats.tx_bytes += pa.tx_count;
    stats.irq_events += pa.irq_count;
    pa.tx_count = pb.tx_count = 0;
    pa.irq_count = pb.irq_count = 0;
}

/* ---- sequences ------------------------------------------------------------------------------- */

static const uint16_t ports[] = {
    PIC8259_MASTER_PORT, PIC8259_MASTER_PORT + 1, PIC8259_SLAVE_PORT,  PIC8259_SLAVE_PORT + 1,
    PIC8259_ELCR_PORT,   PIC8259_ELCR_PORT + 1,   PIT_PORT_COUNTER0,   PIT_PORT_COUNTER1,
    PIT_PORT_COUNTER2,   PIT_PORT_CONTROL,        PIT_PORT_NMI_SC,     CMOS_PORT_INDEX,
    CMOS_PORT_DATA,      VUART_COM1_PORT,         VUART_COM1_PORT + 1, VUART_COM1_PORT + 2,
    VUART_COM1_PORT + 3, VUART_COM1_PORT + 4,     VUART_COM1_PORT + 5, VUART_COM1_PORT + 6,
    VUART_COM1_PORT + 7,
};
#define PORT_COUNT (sizeof(ports) / sizeof(ports[0]))

static void emit(uint16_t port, unsigned size, bool out, bool string, unsigned count,
                 uint64_t value)
{
    if (seq_len == OPS_CAP)
        return;
    struct test_op *t = &seq[seq_len++];
    t->op = (struct mica_io_op){
        .port = port,
        .size = (unsigned char)size,
        .flags = (unsigned char)((out ? MICA_IO_OUT : 0) | (string ? MICA_IO_STRING : 0)),
        .count = count,
        .value = value,
    };
    for (unsigned i = 0; i < STRING_BYTES; i++)
        t->data[i] = (uint8_t)rnd();
}

/* Non-string entries: count 0 and 1 both mean one access; the value's upper bits are garbage
 * that the replay must ignore (OUT) or overwrite with zeros (IN). */
static void out8(uint16_t port, uint8_t value)
{
    unsigned count = below(2); /* (one random draw per statement: the same sequence whatever
                                  order a compiler evaluates arguments in) */
    emit(port, 1, true, false, count, (rnd() & ~0xffull) | value);
}

static void in8(uint16_t port)
{
    unsigned count = below(2);
    emit(port, 1, false, false, count, rnd());
}

static void emit_string(uint16_t port, unsigned size, bool out)
{
    emit(port, size, out, true, 1 + below(STRING_REPS_MAX), 0);
}

static unsigned random_size(void)
{
    unsigned r = below(20);
    return r < 17 ? 1 : r < 19 ? 2 : 4;
}

/* Anything at all on the devices' ports; now and then the probe or a port nobody claims. */
static void emit_random(void)
{
    unsigned pick = below(64);
    uint16_t port = pick == 0   ? UNCLAIMED_PORT
                    : pick <= 3 ? (uint16_t)(PROBE_PORT + below(PROBE_PORTS))
                                : ports[below(PORT_COUNT)];
    unsigned size = random_size();
    bool out = below(2);
    if (below(16) == 0)
        emit_string(port, size, out);
    else {
        unsigned count = below(2);
        emit(port, size, out, false, count, rnd());
    }
}

/* Short stretches of what drivers do, so that interrupts are programmed, raised and taken. */
static void emit_template(void)
{
    uint16_t u = VUART_COM1_PORT;
    switch (below(22)) {
    case 0: /* master PIC initialization */
        out8(PIC8259_MASTER_PORT, 0x11);
        out8(PIC8259_MASTER_PORT + 1, below(2) ? 0x20 : 0x08);
        out8(PIC8259_MASTER_PORT + 1, 0x04);
        out8(PIC8259_MASTER_PORT + 1, below(4) ? 0x01 : 0x03);
        break;
    case 1: /* slave PIC initialization */
        out8(PIC8259_SLAVE_PORT, 0x11);
        out8(PIC8259_SLAVE_PORT + 1, below(2) ? 0x28 : 0x70);
        out8(PIC8259_SLAVE_PORT + 1, 0x02);
        out8(PIC8259_SLAVE_PORT + 1, below(4) ? 0x01 : 0x03);
        break;
    case 2: /* unmask */
        out8(PIC8259_MASTER_PORT + 1, below(2) ? 0x00 : (uint8_t)(rnd() & 0xea));
        out8(PIC8259_SLAVE_PORT + 1, below(2) ? 0x00 : 0xfe);
        break;
    case 3: { /* EOIs: non-specific, specific */
        uint16_t port = below(2) ? PIC8259_SLAVE_PORT : PIC8259_MASTER_PORT;
        out8(port, below(3) ? 0x20 : (uint8_t)(0x60 | below(8)));
        out8(PIC8259_MASTER_PORT, 0x20);
        break;
    }
    case 4: { /* OCW3: read IRR, ISR, or poll; then read */
        static const uint8_t ocw3[] = {0x0a, 0x0b, 0x0c, 0x68, 0x48};
        uint16_t port = below(2) ? PIC8259_SLAVE_PORT : PIC8259_MASTER_PORT;
        out8(port, ocw3[below(5)]);
        in8((uint16_t)(port + below(2)));
        break;
    }
    case 5: { /* ELCR */
        uint16_t port = (uint16_t)(PIC8259_ELCR_PORT + below(2));
        out8(port, (uint8_t)rnd());
        in8((uint16_t)(PIC8259_ELCR_PORT + below(2)));
        break;
    }
    case 6: { /* counter 0: a mode and a small count */
        unsigned count = 2 + below(0x800), mode = below(6);
        bool bcd = below(8) == 0;
        out8(PIT_PORT_CONTROL, PIT_CW(0u, PIT_CW_RW_LSB_MSB, mode, bcd));
        out8(PIT_PORT_COUNTER0, (uint8_t)count);
        out8(PIT_PORT_COUNTER0, (uint8_t)(count >> 8));
        break;
    }
    case 7: { /* counter latch, then two reads */
        unsigned ch = below(3);
        out8(PIT_PORT_CONTROL, (uint8_t)(ch << PIT_CW_SC_SHIFT));
        in8((uint16_t)(PIT_PORT_COUNTER0 + ch));
        in8((uint16_t)(PIT_PORT_COUNTER0 + ch));
        break;
    }
    case 8: { /* read-back, then reads */
        unsigned ch = below(3);
        out8(PIT_PORT_CONTROL, (uint8_t)(0xc0 | (rnd() & 0x30) | PIT_RB_CNT(ch)));
        in8((uint16_t)(PIT_PORT_COUNTER0 + ch));
        in8((uint16_t)(PIT_PORT_COUNTER0 + ch));
        in8((uint16_t)(PIT_PORT_COUNTER0 + ch));
        break;
    }
    case 9: /* port 0x61: gate 2 */
        out8(PIT_PORT_NMI_SC, (uint8_t)below(16));
        in8(PIT_PORT_NMI_SC);
        break;
    case 10: { /* counter 2, as a TSC calibration does */
        unsigned count = 1 + below(0x4000);
        out8(PIT_PORT_CONTROL, PIT_CW(2u, PIT_CW_RW_LSB_MSB, below(6), false));
        out8(PIT_PORT_COUNTER2, (uint8_t)count);
        out8(PIT_PORT_COUNTER2, (uint8_t)(count >> 8));
        break;
    }
    case 11: /* RTC register read */
    {
        uint8_t index = (uint8_t)below(14);
        out8(CMOS_PORT_INDEX, (uint8_t)(index | (below(4) ? 0 : CMOS_INDEX_NMI_DISABLE)));
        in8(CMOS_PORT_DATA);
        break;
    }
    case 12: /* RTC interrupt enables and formats */
        out8(CMOS_PORT_INDEX, CMOS_REG_B);
        out8(CMOS_PORT_DATA, (uint8_t)(CMOS_B_24H | (rnd() & 0x75)));
        break;
    case 13: /* RTC rate (rarely: divider reset) */
        out8(CMOS_PORT_INDEX, CMOS_REG_A);
        {
            uint8_t dv = below(8) ? CMOS_A_DV_32768HZ : CMOS_A_DV_RESET;
            out8(CMOS_PORT_DATA, (uint8_t)(dv | below(16)));
            break;
        }
    case 14: /* RTC register C: read clears the flags and drops IRQ8 */
        out8(CMOS_PORT_INDEX, CMOS_REG_C);
        in8(CMOS_PORT_DATA);
        break;
    case 15: /* index and data in one word write */
        emit(CMOS_PORT_INDEX, 2, true, false, 1, rnd() & 0xff7f);
        break;
    case 16: /* UART divisor and line settings */
        out8((uint16_t)(u + VUART_LCR), VUART_LCR_DLAB);
        out8((uint16_t)(u + VUART_DLL), (uint8_t)(1 + below(12)));
        out8((uint16_t)(u + VUART_DLM), 0);
        out8((uint16_t)(u + VUART_LCR), (uint8_t)(below(8) ? 0x03 : rnd() & 0x7f));
        break;
    case 17: /* UART interrupt enables, OUT2, sometimes loopback */
        out8((uint16_t)(u + VUART_IER), (uint8_t)below(16));
        {
            uint8_t lines = (uint8_t)(rnd() & 0x07);
            out8((uint16_t)(u + VUART_MCR),
                 (uint8_t)(VUART_MCR_OUT2 | lines | (below(3) ? 0 : VUART_MCR_LOOP)));
            break;
        }
    case 18: /* FIFOs */
        out8((uint16_t)(u + VUART_FCR), below(4) ? (uint8_t)(0x07 | (rnd() & 0xc0)) : 0);
        break;
    case 19: /* transmit (8N1, DLAB off, no break): a string (REP OUTSB) or a byte */
        if (below(2))
            out8((uint16_t)(u + VUART_LCR), 0x03);
        if (below(2))
            emit_string((uint16_t)(u + VUART_THR), 1, true);
        else
            out8((uint16_t)(u + VUART_THR), (uint8_t)rnd());
        break;
    case 20: /* status, identification, data */
        in8((uint16_t)(u + VUART_IIR));
        in8((uint16_t)(u + VUART_LSR));
        in8((uint16_t)(u + VUART_RBR));
        in8((uint16_t)(u + VUART_MSR));
        break;
    default: /* receive: a string (REP INSB) from RBR, or from the RTC's data port */
        emit_string(below(4) ? (uint16_t)(u + VUART_RBR) : CMOS_PORT_DATA, 1, false);
        break;
    }
}

static void generate_sequence(unsigned ops)
{
    seq_len = 0;
    while (seq_len < ops) {
        if (below(8) < 3)
            emit_template();
        else
            emit_random();
    }
}

/* ---- running --------------------------------------------------------------------------------- */

/* One entry as trapped I/O runs it (vmm/vmx/vmx_io.c), on A, with A's "guest" storing each IN
 * result where the batch would have written it back. */
static void run_trapped(struct platform *p, const struct mica_io_op *e, uint64_t entry_gpa)
{
    bool out = e->flags & MICA_IO_OUT;
    if (e->flags & MICA_IO_STRING) {
        for (unsigned i = 0; i < e->count; i++) {
            uint8_t *buf = p->ram + e->value + (uint64_t)i * e->size;
            uint32_t value = 0;
            if (out)
                memcpy(&value, buf, e->size);
            bus_access(p, e->port, e->size, out, &value);
            if (!out)
                memcpy(buf, &value, e->size);
        }
        return;
    }
    uint32_t value = (uint32_t)e->value & size_mask(e->size);
    bus_access(p, e->port, e->size, out, &value);
    if (!out) {
        uint64_t result = value & size_mask(e->size);
        memcpy(p->ram + entry_gpa + offsetof(struct mica_io_op, value), &result, sizeof(result));
    }
}

/* All of guest RAM: what a batch writes outside its queue and buffers is a difference too. */
static void compare_ram(uint64_t queue, unsigned k)
{
    if (memcmp(pa.ram, pb.ram, RAM_SIZE) == 0)
        return;
    for (uint64_t i = 0; i < RAM_SIZE; i++) {
        if (pa.ram[i] == pb.ram[i])
            continue;
        char what[96];
        if (i >= queue && i < queue + (uint64_t)k * MICA_IO_OP_SIZE)
            snprintf(what, sizeof(what), "guest RAM at 0x%llx (queue entry %llu, byte %llu)",
                     (unsigned long long)i, (unsigned long long)((i - queue) / MICA_IO_OP_SIZE),
                     (unsigned long long)((i - queue) % MICA_IO_OP_SIZE));
        else
            snprintf(what, sizeof(what), "guest RAM at 0x%llx", (unsigned long long)i);
        same_u64(what, pa.ram[i], pb.ram[i]);
        return;
    }
}

/* ops [first, first + k) of the sequence: A access by access, B as one io_batch_run(). */
static void run_batch(unsigned first, unsigned k)
{
    struct mica_io_op entries[MICA_IO_BATCH_MAX];
    uint64_t queue = QUEUE_GPA + 8u * below(64);
    uint64_t next = ARENA_GPA;
    /* Interrupt points expected (vmm/io_batch.h): after IO_BATCH_CHUNK entries or
     * IO_BATCH_CHUNK_ACCESSES accesses since the last, whichever first, not at the end. */
    unsigned expect_chunks = 0, since_entries = 0, since_accesses = 0;
    for (unsigned i = 0; i < k; i++) {
        entries[i] = seq[first + i].op;
        uint32_t n = (entries[i].flags & MICA_IO_STRING) ? entries[i].count : 1;
        for (uint32_t a = 0; a < n; a++) {
            if (++since_accesses == IO_BATCH_CHUNK_ACCESSES) {
                expect_chunks += !(i == k - 1 && a == n - 1);
                since_accesses = since_entries = 0;
            }
        }
        if (++since_entries == IO_BATCH_CHUNK) {
            expect_chunks += i != k - 1;
            since_accesses = since_entries = 0;
        }
        if (entries[i].flags & MICA_IO_STRING) {
            next += below(4); /* buffers at any alignment */
            entries[i].value = next;
            next += (uint64_t)entries[i].count * entries[i].size;
            stats.strings++;
        } else if (!(entries[i].flags & MICA_IO_OUT)) {
            stats.ins++;
        }
    }
    assert_true(next <= RAM_SIZE);
    /* The same guest memory on both sides: poison, the queue, the OUTS data. */
    memset(pa.ram, (int)below(256), next);
    for (unsigned i = 0; i < k; i++) {
        memcpy(pa.ram + queue + (uint64_t)i * MICA_IO_OP_SIZE, &entries[i], sizeof(entries[i]));
        if ((entries[i].flags & MICA_IO_STRING) && (entries[i].flags & MICA_IO_OUT))
            memcpy(pa.ram + entries[i].value, seq[first + i].data,
                   (size_t)entries[i].count * entries[i].size);
    }
    memcpy(pb.ram, pa.ram, next);

    for (unsigned i = 0; i < k; i++)
        run_trapped(&pa, &entries[i], queue + (uint64_t)i * MICA_IO_OP_SIZE);

    pb.chunks = 0;
    struct io_batch_result r = io_batch_run(&env_b, queue, k);
    if (r.status != MICA_HC_OK || r.completed != k)
        fail_msg("%s: io_batch_run: status %u, completed %u of %u", where, r.status, r.completed,
                 k);
    assert_int_equal(pb.chunks, expect_chunks);

    mismatches = 0;
    compare_ram(queue, k);
    if (mismatches)
        fail_msg("%s: guest memory differs after the batch", where);
    stats.batches++;
    stats.ops += k;
}

static unsigned batch_size(unsigned left)
{
    static const unsigned limits[] = {4, 16, 64, MICA_IO_BATCH_MAX};
    unsigned k = 1 + below(limits[below(4)]);
    return k < left ? k : left;
}

static void advance_clock(void)
{
    static const uint64_t scales[] = {3000, 2000000, 100000000, 3 * NS_PER_SEC};
    unsigned s = below(16);
    uint64_t delta = rnd() % scales[s < 6 ? 0 : s < 12 ? 1 : s < 15 ? 2 : 3];
    pa.now_ns += delta;
    pb.now_ns += delta;
    pit8254_update(&pa.pit);
    pit8254_update(&pb.pit);
    cmos_rtc_update(&pa.rtc);
    cmos_rtc_update(&pb.rtc);
}

static void acknowledge(void)
{
    unsigned n = 1 + below(3);
    for (unsigned i = 0; i < n; i++) {
        int va = pic8259_acknowledge(&pa.pic);
        int vb = pic8259_acknowledge(&pb.pic);
        if (va != vb)
            fail_msg("%s: acknowledge %u: vector %d on A, %d on B", where, i, va, vb);
        stats.acks++;
        if (va >= 0)
            stats.vectors++;
    }
}

/* What happens between two batches, at the same point for both platforms. */
static void between_batches(void)
{
    unsigned events = below(3);
    for (unsigned e = 0; e < events; e++) {
        unsigned r = below(16);
        if (r < 8) {
            advance_clock();
        } else if (r < 13) {
            acknowledge();
        } else if (r < 15) {
            uint8_t byte = (uint8_t)rnd();
            bool ra = vuart_receive(&pa.uart, byte), rb = vuart_receive(&pb.uart, byte);
            if (ra != rb)
                fail_msg("%s: vuart_receive(): %d on A, %d on B", where, ra, rb);
        } else {
            uint8_t inputs = (uint8_t)(rnd() & VUART_MSR_STATUS_MASK);
            vuart_set_modem_inputs(&pa.uart, inputs);
            vuart_set_modem_inputs(&pb.uart, inputs);
        }
        check(false);
    }
}

static void run_sequence(unsigned seed, bool ticking)
{
    static const struct rtc_datetime dates[] = {
        {.year = 2024, .month = 2, .day = 28, .hour = 23, .minute = 59, .second = 57},
        {.year = 1999, .month = 12, .day = 31, .hour = 23, .minute = 59, .second = 59},
        {.year = 2000, .month = 1, .day = 1},
    };
    rng = 0x6d696361ull * (seed + 1) + (ticking ? 0x10000 : 0);
    uint64_t start = rnd() % (10 * NS_PER_SEC);
    static const uint64_t ticks[] = {1, 838, 4000, 250000}; /* ns per access */
    uint64_t tick = ticking ? ticks[below(4)] : 0;
    const struct rtc_datetime *date = &dates[below(3)];
    platform_build(&pa, start, tick, date);
    platform_build(&pb, start, tick, date);
    snprintf(where, sizeof(where), "seed %u%s: after build", seed, ticking ? " (ticking)" : "");
    check(true);

    generate_sequence(200 + below(SEQUENCE_OPS - 200));
    unsigned batch = 0;
    for (unsigned pos = 0; pos < seq_len; batch++) {
        snprintf(where, sizeof(where), "seed %u%s: before batch %u (op %u)", seed,
                 ticking ? " (ticking)" : "", batch, pos);
        between_batches();
        unsigned k = batch_size(seq_len - pos);
        snprintf(where, sizeof(where), "seed %u%s: batch %u (ops %u..%u)", seed,
                 ticking ? " (ticking)" : "", batch, pos, pos + k - 1);
        run_batch(pos, k);
        check(false);
        pos += k;
    }
    snprintf(where, sizeof(where), "seed %u%s: at the end", seed, ticking ? " (ticking)" : "");
    advance_clock();
    acknowledge();
    check(true);
}

#define SEQUENCES 300u

static void run_sequences(bool ticking)
{
    memset(&stats, 0, sizeof(stats));
    for (unsigned seed = 0; seed < SEQUENCES; seed++)
        run_sequence(seed, ticking);
    print_message("%llu batches, %llu entries (%llu IN, %llu string), %llu UART bytes sent, "
                  "%llu IRQ line changes, %llu of %llu acknowledges with a vector\n",
                  (unsigned long long)stats.batches, (unsigned long long)stats.ops,
                  (unsigned long long)stats.ins, (unsigned long long)stats.strings,
                  (unsigned long long)stats.tx_bytes, (unsigned long long)stats.irq_events,
                  (unsigned long long)stats.vectors, (unsigned long long)stats.acks);
    /* The sequences exercise what they claim to. */
    assert_true(stats.batches > SEQUENCES * 4);
    assert_true(stats.ins > 1000);
    assert_true(stats.strings > 100);
    assert_true(stats.tx_bytes > 1000);
    assert_true(stats.irq_events > 100);
    assert_true(stats.vectors > 100);
}

/* Time frozen during each batch; it moves only between batches. */
static void test_batched_equals_trapped_clock_still(void **state)
{
    (void)state;
    run_sequences(false);
}

/* Time moving by a fixed step after every access, on both platforms alike. */
static void test_batched_equals_trapped_clock_ticking(void **state)
{
    (void)state;
    run_sequences(true);
}

/* The comparator notices a difference in each kind of field, and only then. */
static void test_comparator_sees_differences(void **state)
{
    (void)state;
    static const struct rtc_datetime date = {.year = 2024, .month = 1, .day = 1};
    snprintf(where, sizeof(where), "comparator self-test");
    quiet = true;
    platform_build(&pa, 0, 0, &date);
    platform_build(&pb, 0, 0, &date);
    assert_int_equal(compare_platforms(true), 0);

    pb.pic.chip[PIC8259_SLAVE].spurious++;
    assert_int_equal(compare_platforms(true), 1);
    pb.pic.chip[PIC8259_SLAVE].spurious--;

    pb.pit.channels[2].seg.e0 = 1;
    assert_true(compare_platforms(true) >= 1);
    pb.pit.channels[2].seg.e0 = 0;

    pb.rtc.ram[0x7f] = 1;
    assert_int_equal(compare_platforms(true), 1);
    pb.rtc.ram[0x7f] = 0;

    pb.uart.rx_flags[VUART_FIFO_SIZE - 1] = 1;
    assert_int_equal(compare_platforms(true), 1);
    pb.uart.rx_flags[VUART_FIFO_SIZE - 1] = 0;

    pb.uart.irq.ctx = &pb.rtc; /* B's UART wired to the wrong device of its own platform */
    assert_int_equal(compare_platforms(true), 1);
    pb.rtc.irq8.ctx = &pa; /* B's RTC wired into A */
    assert_int_equal(compare_platforms(true), 2);
    pb.uart.irq.ctx = &pb;
    pb.rtc.irq8.ctx = &pb;

    pb.probe_hash ^= 1;
    assert_int_equal(compare_platforms(true), 1);
    pb.probe_hash ^= 1;

    pb.bus.accesses[0xffff] = 1; /* seen only when every port is compared */
    assert_int_equal(compare_platforms(false), 0);
    assert_int_equal(compare_platforms(true), 1);
    pb.bus.accesses[0xffff] = 0;

    pa.tx[0] = 'a';
    pb.tx[0] = 'b';
    pa.tx_count = pb.tx_count = 1;
    assert_int_equal(compare_platforms(true), 1);
    pb.tx_count = 0;
    assert_int_equal(compare_platforms(true), 1);

    pb.now_ns = 1;
    pa.tx_count = 0;
    assert_int_equal(compare_platforms(true), 1);
    pb.now_ns = 0;
    assert_int_equal(compare_platforms(true), 0);
    quiet = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparator_sees_differences),
        cmocka_unit_test(test_batched_equals_trapped_clock_still),
        cmocka_unit_test(test_batched_equals_trapped_clock_ticking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
