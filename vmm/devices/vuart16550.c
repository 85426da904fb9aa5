/* The guest's virtual 16550A UART: register reads and writes with their side effects, the RX FIFO,
 * interrupt priority and the OUT2-gated IRQ line, the port handler and the dump. */
#include "vmm/devices/vuart16550.h"

#include "kernel/string.h"

/* The data sheet leaves the divisor latch undefined at power-up; start at the BIOS's 9600 baud. */
#define VUART_DIVISOR_DEFAULT 12
#define VUART_BAUD_DIVIDER    16 /* the baud generator's output is 16x the baud rate */
#define VUART_WORD_BITS_MIN   5
#define BYTE_BITS             8
#define BYTE_MASK             0xffu
#define MAX_ACCESS_SIZE       4

static bool fifo_mode(const struct vuart *v)
{
    return (v->fcr & VUART_FCR_FIFO_ENABLE) != 0;
}

static unsigned rx_capacity(const struct vuart *v)
{
    return fifo_mode(v) ? VUART_FIFO_SIZE : 1;
}

static unsigned rx_trigger_level(const struct vuart *v)
{
    switch (v->fcr & VUART_FCR_TRIGGER_MASK) {
    case VUART_FCR_TRIGGER_4:
        return 4;
    case VUART_FCR_TRIGGER_8:
        return 8;
    case VUART_FCR_TRIGGER_14:
        return 14;
    default:
        return 1;
    }
}

static unsigned word_bits(const struct vuart *v)
{
    return VUART_WORD_BITS_MIN + (v->lcr & VUART_LCR_WLS_MASK);
}

/* ---- interrupts ---------------------------------------------------------------------------- */

/* IIR bits 3:0: the highest priority enabled interrupt pending, or VUART_IIR_NO_INT_PENDING. */
static uint8_t interrupt_id(const struct vuart *v)
{
    if ((v->ier & VUART_IER_ELSI) && v->lsr_errors)
        return VUART_IIR_ID_RLS;
    if ((v->ier & VUART_IER_ERBFI) && v->rx_count > 0) {
        if (!fifo_mode(v) || v->rx_count >= rx_trigger_level(v))
            return VUART_IIR_ID_RDA;
        return VUART_IIR_ID_CTI;
    }
    if ((v->ier & VUART_IER_ETBEI) && v->thre_pending)
        return VUART_IIR_ID_THRE;
    if ((v->ier & VUART_IER_EDSSI) && (v->msr & VUART_MSR_DELTA_MASK))
        return VUART_IIR_ID_MODEM;
    return VUART_IIR_NO_INT_PENDING;
}

uint8_t vuart_peek_iir(const struct vuart *v)
{
    return (uint8_t)(interrupt_id(v) | (fifo_mode(v) ? VUART_IIR_FIFOS_ENABLED : 0));
}

static void update_irq(struct vuart *v)
{
    bool level = interrupt_id(v) != VUART_IIR_NO_INT_PENDING && (v->mcr & VUART_MCR_OUT2);
    if (level == v->irq_level)
        return;
    v->irq_level = level;
    irq_line_set(&v->irq, level);
}

/* ---- modem status -------------------------------------------------------------------------- */

/* CTS, DSR, RI, DCD as the chip sees them: the inputs, or MCR's outputs in loopback. */
static uint8_t modem_lines(const struct vuart *v)
{
    if (!(v->mcr & VUART_MCR_LOOP))
        return v->modem_inputs;
    uint8_t lines = 0;
    if (v->mcr & VUART_MCR_RTS)
        lines |= VUART_MSR_CTS;
    if (v->mcr & VUART_MCR_DTR)
        lines |= VUART_MSR_DSR;
    if (v->mcr & VUART_MCR_OUT1)
        lines |= VUART_MSR_RI;
    if (v->mcr & VUART_MCR_OUT2)
        lines |= VUART_MSR_DCD;
    return lines;
}

/* Samples the lines into MSR, setting delta bits for the changes since the last sample. */
static void sample_modem_lines(struct vuart *v)
{
    uint8_t now = modem_lines(v);
    uint8_t before = v->msr & VUART_MSR_STATUS_MASK;
    uint8_t changed = now ^ before;
    uint8_t deltas = v->msr & VUART_MSR_DELTA_MASK;
    if (changed & VUART_MSR_CTS)
        deltas |= VUART_MSR_DCTS;
    if (changed & VUART_MSR_DSR)
        deltas |= VUART_MSR_DDSR;
    if (changed & VUART_MSR_DCD)
        deltas |= VUART_MSR_DDCD;
    if ((before & VUART_MSR_RI) && !(now & VUART_MSR_RI))
        deltas |= VUART_MSR_TERI;
    v->msr = (uint8_t)(now | deltas);
}

/* ---- receiver ------------------------------------------------------------------------------ */

static void rx_clear(struct vuart *v)
{
    v->rx_head = 0;
    v->rx_count = 0;
    v->fifo_error = false;
}

static bool rx_has_error_byte(const struct vuart *v)
{
    for (unsigned i = 0; i < v->rx_count; i++) {
        if (v->rx_flags[(v->rx_head + i) % VUART_FIFO_SIZE])
            return true;
    }
    return false;
}

/* The byte at the top of the FIFO shows its errors in LSR (data sheet: "revealed to the CPU when
 * its associated character is at the top of the FIFO"). */
static void reveal_top_errors(struct vuart *v)
{
    if (v->rx_count > 0)
        v->lsr_errors |= v->rx_flags[v->rx_head];
}

static bool rx_push(struct vuart *v, uint8_t byte, uint8_t flags)
{
    if (v->rx_count == rx_capacity(v)) {
        v->lsr_errors |= VUART_LSR_OE;
        v->rx_overruns++;
        if (fifo_mode(v))
            return false; /* the shift register is overwritten; the FIFO keeps its bytes */
        /* Non-FIFO: the new character replaces the unread one in RBR. */
        v->rx_data[v->rx_head] = byte;
        v->rx_flags[v->rx_head] = flags;
        v->lsr_errors |= flags;
        return false;
    }
    unsigned slot = (v->rx_head + v->rx_count) % VUART_FIFO_SIZE;
    v->rx_data[slot] = byte;
    v->rx_flags[slot] = flags;
    v->rx_count++;
    if (flags && fifo_mode(v))
        v->fifo_error = true;
    if (v->rx_count == 1)
        reveal_top_errors(v);
    return true;
}

static uint8_t rx_pop(struct vuart *v)
{
    if (v->rx_count == 0)
        return v->rbr;
    v->rbr = v->rx_data[v->rx_head];
    v->rx_head = (v->rx_head + 1) % VUART_FIFO_SIZE;
    v->rx_count--;
    reveal_top_errors(v);
    return v->rbr;
}

static bool receive(struct vuart *v, uint8_t byte, uint8_t flags)
{
    bool accepted;
    if (v->mcr & VUART_MCR_LOOP) {
        v->rx_refused++;
        accepted = false;
    } else {
        accepted = rx_push(v, byte, flags);
        if (accepted)
            v->rx_bytes++;
    }
    update_irq(v);
    return accepted;
}

bool vuart_receive(struct vuart *v, uint8_t byte)
{
    return receive(v, byte, 0);
}

bool vuart_receive_break(struct vuart *v)
{
    return receive(v, 0, VUART_LSR_BI);
}

unsigned vuart_rx_room(const struct vuart *v)
{
    if (v->mcr & VUART_MCR_LOOP)
        return 0;
    return rx_capacity(v) - v->rx_count;
}

/* ---- transmitter --------------------------------------------------------------------------- */

static void transmit(struct vuart *v, uint8_t byte)
{
    if (v->mcr & VUART_MCR_LOOP) {
        v->loop_bytes++;
        rx_push(v, byte, 0);
    } else if (v->lcr & VUART_LCR_BREAK) {
        v->tx_lost_break++;
    } else {
        v->tx_bytes++;
        if (v->tx)
            v->tx(v->tx_ctx, byte);
    }
    /* The byte left THR at once: THR is empty again, which is a new THRE interrupt (kept only
     * while ETBEI is set; enabling ETBEI samples THRE anew). */
    v->thre_pending = (v->ier & VUART_IER_ETBEI) != 0;
}

/* ---- registers ----------------------------------------------------------------------------- */

uint8_t vuart_peek_lsr(const struct vuart *v)
{
    uint8_t lsr = VUART_LSR_THRE | VUART_LSR_TEMT | v->lsr_errors;
    if (v->rx_count > 0)
        lsr |= VUART_LSR_DR;
    if (fifo_mode(v) && v->fifo_error)
        lsr |= VUART_LSR_FIFO_ERROR;
    return lsr;
}

static uint8_t read_register(struct vuart *v, unsigned offset)
{
    bool dlab = (v->lcr & VUART_LCR_DLAB) != 0;
    uint8_t value;
    switch (offset) {
    case VUART_RBR:
        return dlab ? (uint8_t)(v->divisor & BYTE_MASK) : rx_pop(v);
    case VUART_IER:
        return dlab ? (uint8_t)(v->divisor >> BYTE_BITS) : v->ier;
    case VUART_IIR:
        value = vuart_peek_iir(v);
        if ((value & VUART_IIR_ID_MASK) == VUART_IIR_ID_THRE && !(value & VUART_IIR_NO_INT_PENDING))
            v->thre_pending = false;
        return value;
    case VUART_LCR:
        return v->lcr;
    case VUART_MCR:
        return v->mcr;
    case VUART_LSR:
        value = vuart_peek_lsr(v);
        v->lsr_errors = 0;
        v->fifo_error = fifo_mode(v) && rx_has_error_byte(v);
        return value;
    case VUART_MSR:
        value = v->msr;
        v->msr &= VUART_MSR_STATUS_MASK;
        return value;
    case VUART_SCR:
        return v->scr;
    }
    return (uint8_t)BYTE_MASK;
}

static void write_fcr(struct vuart *v, uint8_t value)
{
    bool was_fifo = fifo_mode(v);
    bool fifo = (value & VUART_FCR_FIFO_ENABLE) != 0;
    if (fifo != was_fifo)
        rx_clear(v); /* changing FCR0 clears both FIFOs */
    if (!fifo) {
        /* "FCR0 must be 1 when other FCR bits are written to or they will not be programmed." */
        v->fcr &= (uint8_t)~VUART_FCR_FIFO_ENABLE;
        return;
    }
    v->fcr = value & VUART_FCR_STORED_BITS;
    if (value & VUART_FCR_RCVR_RESET)
        rx_clear(v);
    /* VUART_FCR_XMIT_RESET: the transmit FIFO is always empty. */
}

static void write_register(struct vuart *v, unsigned offset, uint8_t value)
{
    bool dlab = (v->lcr & VUART_LCR_DLAB) != 0;
    switch (offset) {
    case VUART_THR:
        if (dlab)
            v->divisor = (uint16_t)((v->divisor & ~BYTE_MASK) | value);
        else
            transmit(v, value);
        return;
    case VUART_IER:
        if (dlab) {
            v->divisor = (uint16_t)((v->divisor & BYTE_MASK) | ((unsigned)value << BYTE_BITS));
        } else {
            uint8_t old = v->ier;
            v->ier = value & VUART_IER_WRITABLE;
            /* Enabling ETBEI while THR is empty (always, here) raises the THRE interrupt;
             * disabling it drops the pending one (as QEMU and Bochs do; Linux's THRE test and
             * Windows rely on the re-trigger). */
            if ((old ^ v->ier) & VUART_IER_ETBEI)
                v->thre_pending = (v->ier & VUART_IER_ETBEI) != 0;
        }
        return;
    case VUART_FCR:
        write_fcr(v, value);
        return;
    case VUART_LCR:
        v->lcr = value;
        return;
    case VUART_MCR:
        v->mcr = value & VUART_MCR_WRITABLE;
        sample_modem_lines(v);
        return;
    case VUART_SCR:
        v->scr = value;
        return;
    default:
        return; /* LSR, MSR: factory test registers on the chip; ignored */
    }
}

void vuart_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value)
{
    struct vuart *v = device;
    uint32_t result = 0;
    if (size > MAX_ACCESS_SIZE)
        size = MAX_ACCESS_SIZE;
    for (unsigned i = 0; i < size; i++) {
        uint32_t offset = (uint32_t)port + i - v->base;
        unsigned shift = BYTE_BITS * i;
        if (offset >= VUART_PORT_COUNT) {
            result |= BYTE_MASK << shift; /* past the UART's ports: nothing answers */
            continue;
        }
        if (dir == IO_IN)
            result |= (uint32_t)read_register(v, offset) << shift;
        else
            write_register(v, offset, (uint8_t)(*value >> shift));
        update_irq(v);
    }
    if (dir == IO_IN)
        *value = result;
}

/* ---- setup --------------------------------------------------------------------------------- */

void vuart_reset(struct vuart *v)
{
    v->ier = 0;
    v->fcr = 0;
    v->lcr = 0;
    v->mcr = 0;
    v->lsr_errors = 0;
    v->thre_pending = false;
    rx_clear(v);
    v->msr = modem_lines(v); /* no deltas after reset */
    update_irq(v);
}

void vuart_init(struct vuart *v, uint16_t base_port, const struct irq_line *irq, vuart_tx_fn tx,
                void *tx_ctx)
{
    memset(v, 0, sizeof(*v));
    v->base = base_port;
    if (irq)
        v->irq = *irq;
    v->tx = tx;
    v->tx_ctx = tx_ctx;
    v->divisor = VUART_DIVISOR_DEFAULT;
    v->modem_inputs = VUART_MODEM_INPUTS_DEFAULT;
    vuart_reset(v); /* irq_level is already false: no callback */
}

enum iobus_status vuart_attach(struct vuart *v, struct iobus *bus)
{
    return iobus_register(bus, v->base, VUART_PORT_COUNT, vuart_io, v, "vuart16550");
}

void vuart_set_modem_inputs(struct vuart *v, uint8_t msr_status_bits)
{
    v->modem_inputs = msr_status_bits & VUART_MSR_STATUS_MASK;
    sample_modem_lines(v);
    update_irq(v);
}

/* ---- dump ---------------------------------------------------------------------------------- */

static char parity_letter(uint8_t lcr)
{
    if (!(lcr & VUART_LCR_PEN))
        return 'N';
    if (lcr & VUART_LCR_STICK)
        return (lcr & VUART_LCR_EPS) ? 'S' : 'M'; /* stick: the bit is EPS inverted */
    return (lcr & VUART_LCR_EPS) ? 'E' : 'O';
}

static const char *stop_bits(const struct vuart *v)
{
    if (!(v->lcr & VUART_LCR_STB))
        return "1";
    return word_bits(v) == VUART_WORD_BITS_MIN ? "1.5" : "2";
}

void vuart_dump(const struct vuart *v, device_printf_fn print)
{
    print("vuart16550 at 0x%x, irq %u %s\n", (unsigned)v->base, v->irq.irq,
          v->irq_level ? "asserted" : "deasserted");
    print("  ier 0x%02x iir 0x%02x fcr 0x%02x lcr 0x%02x mcr 0x%02x lsr 0x%02x msr 0x%02x "
          "scr 0x%02x\n",
          v->ier, vuart_peek_iir(v), v->fcr, v->lcr, v->mcr, vuart_peek_lsr(v), v->msr, v->scr);
    /* Divisor 0 is not allowed by the data sheet: no baud clock. */
    unsigned baud = v->divisor ? VUART_CLOCK_HZ / VUART_BAUD_DIVIDER / v->divisor : 0;
    print("  divisor %u (%u baud), %u%c%s%s%s%s\n", (unsigned)v->divisor, baud, word_bits(v),
          parity_letter(v->lcr), stop_bits(v), (v->lcr & VUART_LCR_BREAK) ? ", break" : "",
          (v->lcr & VUART_LCR_DLAB) ? ", dlab" : "", (v->mcr & VUART_MCR_LOOP) ? ", loopback" : "");
    print("  rx %s %u/%u, trigger %u, thre interrupt %s:", fifo_mode(v) ? "fifo" : "rbr",
          v->rx_count, rx_capacity(v), rx_trigger_level(v), v->thre_pending ? "pending" : "clear");
    /* Guest data in hex only: raw bytes could drive the operator's terminal. */
    for (unsigned i = 0; i < v->rx_count; i++)
        print(" %02x", v->rx_data[(v->rx_head + i) % VUART_FIFO_SIZE]);
    print("\n");
    print("  tx %llu, lost to break %llu, looped back %llu, rx %llu, overruns %llu, refused in "
          "loopback %llu\n",
          (unsigned long long)v->tx_bytes, (unsigned long long)v->tx_lost_break,
          (unsigned long long)v->loop_bytes, (unsigned long long)v->rx_bytes,
          (unsigned long long)v->rx_overruns, (unsigned long long)v->rx_refused);
}
