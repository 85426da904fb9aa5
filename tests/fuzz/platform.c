/* The fuzz targets' PC platform: device setup as in vmm/platform.c, a fake clock, self-checking IRQ
 * lines, a vlog() stub that checks the debug console's sanitizing, and the devices' invariants. */
#include "tests/fuzz/platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vlog.h"

#define PCI_CONFIG_PORT  0xcf8
#define PCI_CONFIG_PORTS 8
#define VLOG_LINE_MAX    512
#define CONSOLE_PREFIX   "guest| "

struct fuzz_text *fuzz_text_sink;

static struct fuzz_platform *current;

/* ---- the hypervisor's deferred log: only the debug console prints through it here ------------ */

void vlog(const char *fmt, ...)
{
    char line[VLOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(line), "vlog line of %d characters", n);
    FUZZ_CHECK(current != NULL, "vlog() with no platform selected");
    size_t prefix = strlen(CONSOLE_PREFIX);
    FUZZ_CHECK(strncmp(line, CONSOLE_PREFIX, prefix) == 0, "vlog() from elsewhere: \"%s\"", line);
    FUZZ_CHECK(line[n - 1] == '\n', "a console line not ending in a newline");
    size_t body = (size_t)n - prefix - 1;
    FUZZ_CHECK(body > 0 && body <= DEBUG_CONSOLE_LINE_MAX, "console line of %zu characters", body);
    for (size_t i = prefix; i < (size_t)n - 1; i++) {
        unsigned char c = (unsigned char)line[i];
        /* debug_console.c: control characters other than tab are shown as '.'. */
        FUZZ_CHECK(c >= 0x20 || c == '\t', "control character 0x%02x reached the console", c);
        current->console_hash = fuzz_mix(current->console_hash, c);
    }
    current->console_lines++;
}

/* ---- wiring ---------------------------------------------------------------------------------- */

static uint64_t clock_now(void *ctx)
{
    const struct fuzz_platform *p = ctx;
    return p->now_ns;
}

/* Every device line goes into the PIC, as vmm/platform.c's pic_line() does, after a check. */
static void line_set(void *ctx, unsigned irq, bool level)
{
    struct fuzz_platform *p = ctx;
    FUZZ_CHECK(irq < PIC8259_IRQ_COUNT && irq != PIC8259_CASCADE_IR, "line for IRQ %u", irq);
    /* PIT: pulses (high then low); UART and RTC: "set through the irq_line only when the level
     * changes". Either way a set never repeats the current level. */
    FUZZ_CHECK(level != p->line[irq], "IRQ %u set to its current level %d", irq, level);
    p->line[irq] = level;
    if (irq == FUZZ_PIT_IRQ && level)
        p->pit_edges++;
    pic8259_set_irq(&p->pic, irq, level);
}

static struct irq_line line_of(struct fuzz_platform *p, unsigned irq)
{
    return (struct irq_line){.set = line_set, .ctx = p, .irq = irq};
}

static void uart_tx(void *ctx, uint8_t byte)
{
    struct fuzz_platform *p = ctx;
    p->uart_tx_hash = fuzz_mix(p->uart_tx_hash, byte);
    p->uart_tx_bytes++;
    debug_console_put(&p->console, byte); /* as vmm/platform.c's uart_transmit() */
}

static void report_unclaimed(uint16_t port, unsigned size, enum io_direction dir)
{
    struct fuzz_platform *p = current;
    uint32_t bit = 1u << (port % 32);
    FUZZ_CHECK(!(p->unclaimed_seen[port / 32] & bit), "unclaimed port 0x%x reported twice", port);
    p->unclaimed_seen[port / 32] |= bit;
    FUZZ_CHECK(size == 1 || size == 2 || size == 4, "unclaimed access of size %u", size);
    p->report_hash = fuzz_mix(p->report_hash, (uint64_t)port << 8 | size << 1 | dir);
}

static void report_denied(uint16_t port, unsigned size, enum io_direction dir, const char *owner)
{
    struct fuzz_platform *p = current;
    FUZZ_CHECK(owner != NULL, "denied port 0x%x with no owner", port);
    p->report_hash = fuzz_mix(p->report_hash, 1ull << 40 | (uint64_t)port << 8 | size << 1 | dir);
}

static void must(int status, const char *what)
{
    FUZZ_CHECK(status == IOBUS_OK, "cannot attach %s: %s", what,
               iobus_strerror((enum iobus_status)status));
}

void fuzz_platform_select(struct fuzz_platform *p)
{
    current = p;
}

/* What every disk holds at init: each sector a different byte sequence. */
static const uint8_t *disk_pattern(void)
{
    static uint8_t *pattern;
    if (!pattern) {
        pattern = malloc(FUZZ_DISK_BYTES);
        FUZZ_CHECK(pattern != NULL, "out of memory");
        for (size_t i = 0; i < FUZZ_DISK_BYTES; i++)
            pattern[i] = (uint8_t)(i / ATA_SECTOR_SIZE * 7 + i % ATA_SECTOR_SIZE);
    }
    return pattern;
}

void fuzz_platform_init(struct fuzz_platform *p, const struct rtc_datetime *date,
                        uint16_t deny_first, unsigned deny_count, bool ata_drive)
{
    /* The disk outlives the platform: allocated once, brought back to its pattern if written. */
    uint8_t *disk = p->disk;
    bool dirty = p->ata.sectors_written > 0;
    if (!disk) {
        disk = malloc(FUZZ_DISK_BYTES);
        FUZZ_CHECK(disk != NULL, "out of memory");
        dirty = true;
    }
    if (dirty)
        memcpy(disk, disk_pattern(), FUZZ_DISK_BYTES);
    memset(p, 0, sizeof(*p));
    p->disk = disk;
    p->console_hash = p->uart_tx_hash = p->report_hash = FUZZ_HASH_INIT;
    fuzz_platform_select(p);
    iobus_init(&p->bus);
    p->bus.report_unclaimed = report_unclaimed;
    p->bus.report_denied = report_denied;
    must(iobus_deny(&p->bus, PCI_CONFIG_PORT, PCI_CONFIG_PORTS, "PCI configuration"), "deny");
    if (deny_count > 0 && (uint32_t)deny_first + deny_count <= IOBUS_PORTS)
        must(iobus_deny(&p->bus, deny_first, deny_count, "fuzz"), "the fuzzed denied range");
    must(debug_console_attach(&p->console, &p->bus), "the debug console");
    must(post_port_attach(&p->post, &p->bus), "the POST port");

    struct device_clock clock = {.now_ns = clock_now, .ctx = p};
    pic8259_init(&p->pic);
    must(pic8259_attach(&p->pic, &p->bus), "the PICs");
    struct irq_line irq0 = line_of(p, FUZZ_PIT_IRQ);
    pit8254_init(&p->pit, &clock, &irq0);
    must(pit8254_attach(&p->pit, &p->bus), "the PIT");
    struct irq_line irq8 = line_of(p, FUZZ_RTC_IRQ);
    cmos_rtc_init(&p->rtc, &clock, &irq8, date);
    must(cmos_rtc_attach(&p->rtc, &p->bus), "the RTC");
    struct irq_line irq4 = line_of(p, FUZZ_UART_IRQ);
    vuart_init(&p->uart, VUART_COM1_PORT, &irq4, uart_tx, p);
    must(vuart_attach(&p->uart, &p->bus), "the UART");
    struct irq_line irq14 = line_of(p, FUZZ_ATA_IRQ);
    FUZZ_CHECK(ata_pio_init(&p->ata, ata_drive ? disk : NULL, FUZZ_DISK_BYTES, &irq14),
               "ATA init refused a %u-byte disk", FUZZ_DISK_BYTES);
    must(ata_pio_attach(&p->ata, &p->bus), "the ATA channel");
}

void fuzz_platform_advance(struct fuzz_platform *p, uint64_t ns)
{
    p->now_ns = ns > FUZZ_CLOCK_MAX - p->now_ns ? FUZZ_CLOCK_MAX : p->now_ns + ns;
}

void fuzz_platform_update(struct fuzz_platform *p)
{
    pit8254_update(&p->pit);
    cmos_rtc_update(&p->rtc);
}

/* ---- invariants ------------------------------------------------------------------------------ */

static void check_pic(const struct fuzz_platform *p)
{
    static const uint8_t always_edge[PIC8259_CHIPS] = {0x07, 0x21}; /* IRQ 0 1 2; 8 13 */
    for (unsigned c = 0; c < PIC8259_CHIPS; c++) {
        const struct pic8259 *chip = &p->pic.chip[c];
        FUZZ_CHECK(chip->lowest_priority_ir <= PIC8259_IR_MASK, "lowest priority IR %u",
                   chip->lowest_priority_ir);
        FUZZ_CHECK(chip->init_step <= PIC8259_EXPECT_ICW4, "init step %d", chip->init_step);
        FUZZ_CHECK(!(chip->elcr & always_edge[c]), "chip %u ELCR 0x%02x has a reserved bit", c,
                   chip->elcr);
        /* Level-triggered inputs: IRR follows the line. */
        uint8_t level = (chip->icw1 & PIC8259_ICW1_LTIM) ? 0xff : chip->elcr;
        FUZZ_CHECK(!((chip->irr ^ chip->lines) & level),
                   "chip %u: level inputs 0x%02x, IRR 0x%02x, lines 0x%02x", c, level, chip->irr,
                   chip->lines);
    }
    FUZZ_CHECK(((p->pic.chip[PIC8259_MASTER].lines >> PIC8259_CASCADE_IR) & 1) ==
                   p->pic.chip[PIC8259_SLAVE].int_output,
               "master IR2 line differs from the slave's INT");
    for (unsigned irq = 0; irq < PIC8259_IRQ_COUNT; irq++) {
        if (irq == PIC8259_CASCADE_IR)
            continue;
        bool in = (p->pic.chip[irq / 8].lines >> (irq % 8)) & 1;
        FUZZ_CHECK(in == p->line[irq], "IRQ %u: line %d, PIC input %d", irq, p->line[irq], in);
    }
}

static void check_pit(const struct fuzz_platform *p)
{
    const struct pit8254 *pit = &p->pit;
    for (unsigned i = 0; i < PIT_CHANNELS; i++) {
        const struct pit8254_channel *ch = &pit->channels[i];
        FUZZ_CHECK(ch->mode <= PIT_MODE_HARDWARE_STROBE, "counter %u mode %u", i, ch->mode);
        FUZZ_CHECK(!(ch->control & ~PIT_CW_PROGRAM_MASK), "counter %u control 0x%02x", i,
                   ch->control);
        unsigned m = (ch->control >> PIT_CW_M_SHIFT) & PIT_CW_M_MASK;
        FUZZ_CHECK(ch->mode == (m >= 6 ? m - 4 : m), "counter %u mode %u for M 0x%x", i, ch->mode,
                   m);
        bool periodic = ch->mode == PIT_MODE_RATE_GENERATOR || ch->mode == PIT_MODE_SQUARE_WAVE;
        uint32_t min = periodic ? 2 : 1;
        if (ch->counting)
            FUZZ_CHECK(ch->seg.n >= min && ch->seg.n <= 65536, "counter %u n %u", i, ch->seg.n);
        if (ch->pending)
            FUZZ_CHECK(ch->pend_n >= min && ch->pend_n <= 65536, "counter %u pending n %u", i,
                       ch->pend_n);
    }
    FUZZ_CHECK(pit->channels[0].gate && pit->channels[1].gate, "gates 0 and 1 are tied high");
    FUZZ_CHECK(pit->channels[2].gate == (pit->nmi_sc & PIT_NMI_SC_TIM_CNT2_EN),
               "gate 2 differs from port 0x61 bit 0");
    FUZZ_CHECK(!(pit->nmi_sc & ~PIT_NMI_SC_WRITABLE), "port 0x61 state 0x%02x", pit->nmi_sc);
    FUZZ_CHECK(pit->irq_pulses + pit->missed_ticks == pit->edges_accounted,
               "pulses %llu + missed %llu != edges accounted %llu",
               (unsigned long long)pit->irq_pulses, (unsigned long long)pit->missed_ticks,
               (unsigned long long)pit->edges_accounted);
    FUZZ_CHECK(p->pit_edges == pit->irq_pulses, "IRQ0 rose %llu times, the PIT counted %llu",
               (unsigned long long)p->pit_edges, (unsigned long long)pit->irq_pulses);
}

static void check_rtc(const struct fuzz_platform *p)
{
    const struct cmos_rtc *rtc = &p->rtc;
    const struct cmos_rtc_time *tm = &rtc->time;
    FUZZ_CHECK(tm->second <= 59 && tm->minute <= 59 && tm->hour <= 23, "time %u:%u:%u out of range",
               tm->hour, tm->minute, tm->second);
    FUZZ_CHECK(tm->day >= 1 && tm->day <= 31 && tm->month >= 1 && tm->month <= 12,
               "date day %u month %u out of range", tm->day, tm->month);
    FUZZ_CHECK(tm->year <= 99 && tm->century <= 99, "year %u century %u", tm->year, tm->century);
    FUZZ_CHECK(tm->day_of_week >= 1 && tm->day_of_week <= 7, "day of week %u", tm->day_of_week);
    FUZZ_CHECK(rtc->index <= CMOS_INDEX_MASK, "index 0x%x", rtc->index);
    FUZZ_CHECK(!(rtc->reg_a & CMOS_A_UIP), "UIP stored in register A");
    FUZZ_CHECK(!(rtc->flags & ~(CMOS_C_PF | CMOS_C_AF | CMOS_C_UF)), "flags 0x%02x", rtc->flags);
    uint8_t f = rtc->flags, b = rtc->reg_b;
    bool irqf = ((f & CMOS_C_PF) && (b & CMOS_B_PIE)) || ((f & CMOS_C_AF) && (b & CMOS_B_AIE)) ||
                ((f & CMOS_C_UF) && (b & CMOS_B_UIE));
    FUZZ_CHECK(rtc->irq_level == irqf, "IRQ8 level %d with IRQF %d", rtc->irq_level, irqf);
    FUZZ_CHECK(p->line[FUZZ_RTC_IRQ] == rtc->irq_level, "IRQ8 line differs from the RTC's level");
    FUZZ_CHECK(!((b & CMOS_B_SET) && (b & CMOS_B_UIE)), "UIE set while SET is (B 0x%02x)", b);
}

static uint8_t uart_modem_lines(const struct vuart *v)
{
    if (!(v->mcr & VUART_MCR_LOOP))
        return v->modem_inputs;
    return (uint8_t)(((v->mcr & VUART_MCR_RTS) ? VUART_MSR_CTS : 0) |
                     ((v->mcr & VUART_MCR_DTR) ? VUART_MSR_DSR : 0) |
                     ((v->mcr & VUART_MCR_OUT1) ? VUART_MSR_RI : 0) |
                     ((v->mcr & VUART_MCR_OUT2) ? VUART_MSR_DCD : 0));
}

static void check_uart(const struct fuzz_platform *p)
{
    const struct vuart *v = &p->uart;
    unsigned capacity = (v->fcr & VUART_FCR_FIFO_ENABLE) ? VUART_FIFO_SIZE : 1;
    FUZZ_CHECK(v->rx_count <= capacity, "RX holds %u bytes, capacity %u", v->rx_count, capacity);
    FUZZ_CHECK(v->rx_head < VUART_FIFO_SIZE, "RX head %u", v->rx_head);
    FUZZ_CHECK(!(v->ier & ~VUART_IER_WRITABLE), "IER 0x%02x", v->ier);
    FUZZ_CHECK(!(v->mcr & ~VUART_MCR_WRITABLE), "MCR 0x%02x", v->mcr);
    FUZZ_CHECK(!(v->fcr & ~VUART_FCR_STORED_BITS), "FCR 0x%02x", v->fcr);
    FUZZ_CHECK(!(v->lsr_errors & ~VUART_LSR_ERRORS), "LSR errors 0x%02x", v->lsr_errors);
    FUZZ_CHECK((v->msr & VUART_MSR_STATUS_MASK) == uart_modem_lines(v),
               "MSR 0x%02x does not show the modem lines 0x%02x", v->msr, uart_modem_lines(v));
    uint8_t iir = vuart_peek_iir(v);
    uint8_t id = iir & 0x0f;
    FUZZ_CHECK(id == VUART_IIR_NO_INT_PENDING || id == VUART_IIR_ID_RLS || id == VUART_IIR_ID_RDA ||
                   id == VUART_IIR_ID_CTI || id == VUART_IIR_ID_THRE || id == VUART_IIR_ID_MODEM,
               "IIR 0x%02x", iir);
    bool level = !(iir & VUART_IIR_NO_INT_PENDING) && (v->mcr & VUART_MCR_OUT2);
    FUZZ_CHECK(v->irq_level == level, "UART IRQ level %d, pending/OUT2 say %d", v->irq_level,
               level);
    FUZZ_CHECK(p->line[FUZZ_UART_IRQ] == v->irq_level, "IRQ4 line differs from the UART's level");
    uint8_t lsr = vuart_peek_lsr(v);
    FUZZ_CHECK((lsr & (VUART_LSR_THRE | VUART_LSR_TEMT)) == (VUART_LSR_THRE | VUART_LSR_TEMT),
               "LSR 0x%02x: the transmitter is always empty", lsr);
    FUZZ_CHECK(!(lsr & VUART_LSR_DR) == !v->rx_count, "LSR.DR with %u bytes", v->rx_count);
    unsigned room = vuart_rx_room(v);
    FUZZ_CHECK(room <= capacity - v->rx_count, "RX room %u", room);
}

static void check_ata(const struct fuzz_platform *p)
{
    const struct ata_pio *d = &p->ata;
    FUZZ_CHECK(d->phase <= ATA_PIO_DATA_OUT, "phase %d", d->phase);
    FUZZ_CHECK(d->offset <= ATA_SECTOR_SIZE, "buffer offset %u", d->offset);
    FUZZ_CHECK(d->multiple <= ATA_PIO_MAX_MULTIPLE, "multiple count %u", d->multiple);
    FUZZ_CHECK(d->chs_heads <= ATA_CHS_MAX_HEADS, "%u heads", d->chs_heads);
    bool srst = d->control & ATA_CONTROL_SRST;
    uint8_t status = ata_pio_peek_status(d);
    if (d->image && !srst && !(d->device & ATA_DEVICE_DEV)) {
        FUZZ_CHECK(!(status & ATA_STATUS_BSY), "BSY 0x%02x without SRST", status);
        FUZZ_CHECK(!!(status & ATA_STATUS_DRQ) == (d->phase != ATA_PIO_IDLE),
                   "status 0x%02x in phase %d", status, d->phase);
    }
    if (d->phase != ATA_PIO_IDLE) {
        FUZZ_CHECK(d->block_left >= 1 && d->block_left <= d->sectors_left &&
                       d->block_left <= d->block_size && d->block_size <= ATA_PIO_MAX_MULTIPLE,
                   "transfer: %u left, block %u of %u", d->sectors_left, d->block_left,
                   d->block_size);
        if (d->media)
            FUZZ_CHECK(d->lba < d->sectors && d->sectors_left <= d->sectors - d->lba,
                       "transfer of %u sectors at LBA %llu on a %llu-sector disk", d->sectors_left,
                       (unsigned long long)d->lba, (unsigned long long)d->sectors);
    }
    bool level = d->intrq && !(d->device & ATA_DEVICE_DEV) && !(d->control & ATA_CONTROL_NIEN);
    FUZZ_CHECK(d->image != NULL || !d->irq_level, "IRQ14 raised with no drive");
    FUZZ_CHECK(d->irq_level == (d->image != NULL && level),
               "IRQ14 level %d, INTRQ %d DEV %d nIEN %d", d->irq_level, d->intrq,
               !!(d->device & ATA_DEVICE_DEV), !!(d->control & ATA_CONTROL_NIEN));
    FUZZ_CHECK(p->line[FUZZ_ATA_IRQ] == d->irq_level, "IRQ14 line differs from the ATA's level");
}

void fuzz_platform_check(const struct fuzz_platform *p)
{
    FUZZ_CHECK(p->now_ns <= FUZZ_CLOCK_MAX, "clock past its bound");
    FUZZ_CHECK(p->bus.region_count <= IOBUS_MAX_REGIONS, "%u regions", p->bus.region_count);
    FUZZ_CHECK(p->console.len < DEBUG_CONSOLE_LINE_MAX, "console holds %u characters",
               p->console.len);
    check_pic(p);
    check_pit(p);
    check_rtc(p);
    check_uart(p);
    check_ata(p);
}

void fuzz_platform_dump(const struct fuzz_platform *p, struct fuzz_text *t)
{
    t->len = 0;
    t->buf[0] = '\0';
    fuzz_text_sink = t;
    pic8259_dump(&p->pic, fuzz_text_printf);
    pit8254_dump(&p->pit, fuzz_text_printf);
    cmos_rtc_dump(&p->rtc, fuzz_text_printf);
    vuart_dump(&p->uart, fuzz_text_printf);
    ata_pio_dump(&p->ata, fuzz_text_printf);
    fuzz_text_sink = NULL;
    FUZZ_CHECK(t->len > 0 && strlen(t->buf) == t->len, "dump of %zu characters", t->len);
}
