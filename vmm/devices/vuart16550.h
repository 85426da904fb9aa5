/* The guest's virtual 16550A UART (vmm/devices/vuart16550.c): register model, RX FIFO, interrupt
 * logic and port-bus glue. Not the hypervisor's own console driver (drivers/uart16550.h). */
#ifndef MICA_VMM_DEVICES_VUART16550_H
#define MICA_VMM_DEVICES_VUART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"
#include "vmm/iobus.h"

/*
 * Model (National/TI PC16550D data sheet; register and bit names are the data sheet's):
 *
 * - Transmission is instantaneous: a byte written to THR (DLAB=0) goes to the tx callback at once,
 *   so THR and the transmitter are always empty (LSR.THRE and LSR.TEMT always read 1) and the
 *   transmit FIFO is always empty. Bytes pass whole whatever the word length (LCR.WLS), in both
 *   directions, as in QEMU: a guest that never programs LCR (reset value: 5 bits) still prints.
 *   While LCR.BREAK is set the line is held spacing and the byte is lost (tx_lost_break).
 *   The tx callback gets raw guest bytes: it must sanitize them before they reach a terminal
 *   (as vmm/devices/debug_console.c does).
 * - In loopback (MCR.LOOP) a byte written to THR goes into the RX FIFO instead (break is ignored),
 *   the receiver input is disconnected (vuart_receive() refuses host bytes), and MSR's status bits
 *   follow MCR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2, with their delta bits.
 * - RX FIFO: 16 bytes with FCR.FIFO_ENABLE, else the 1-byte RBR. A byte arriving when it is full is
 *   an overrun (LSR.OE): in FIFO mode the new byte is dropped; in non-FIFO mode it overwrites RBR
 *   (data sheet: the previous character is destroyed). Reading an empty RBR returns the last byte
 *   read again.
 * - There is no clock: the character timeout (IIR 0xC, FIFO mode, RX FIFO non-empty but below the
 *   trigger level) is treated as having elapsed as soon as the receiver is idle, i.e. at once.
 * - THR empty interrupt: raised when ETBEI goes 0 -> 1 (THR is always empty) and after every THR
 *   write; cleared by reading IIR while it is the source IIR reports, by writing THR (which then
 *   empties at once and raises it again), or by clearing ETBEI.
 * - IRQ: the line is asserted while an enabled interrupt is pending and MCR.OUT2 is set (the PC
 *   gates INTR through OUT2), deasserted otherwise; re-evaluated after every register access and
 *   every call below, and set through the irq_line only when the level changes. (A discrete PC
 *   UART forces its OUT2 pin inactive in loopback; like QEMU, this model follows the MCR bit so
 *   that loopback interrupt tests work.)
 * - Writes to LSR and MSR (factory test on the real part) are ignored.
 * - Port accesses wider than a byte act as consecutive byte accesses to consecutive registers,
 *   lowest port first (as the ISA bus splits them for an 8-bit device); bytes past the 8 ports
 *   read 0xff and ignore writes.
 */

#define VUART_COM1_PORT  0x3f8
#define VUART_COM1_IRQ   4
#define VUART_COM2_PORT  0x2f8
#define VUART_COM2_IRQ   3
#define VUART_PORT_COUNT 8
#define VUART_FIFO_SIZE  16
#define VUART_CLOCK_HZ   1843200u /* the PC's crystal: divisor 1 = 115200 baud (x16 clock) */

/* Register offsets from the base port. */
#define VUART_RBR 0 /* receiver buffer (read, DLAB=0) */
#define VUART_THR 0 /* transmitter holding (write, DLAB=0) */
#define VUART_DLL 0 /* divisor latch LSB (DLAB=1) */
#define VUART_IER 1 /* interrupt enable (DLAB=0) */
#define VUART_DLM 1 /* divisor latch MSB (DLAB=1) */
#define VUART_IIR 2 /* interrupt identification (read) */
#define VUART_FCR 2 /* FIFO control (write) */
#define VUART_LCR 3 /* line control */
#define VUART_MCR 4 /* modem control */
#define VUART_LSR 5 /* line status */
#define VUART_MSR 6 /* modem status */
#define VUART_SCR 7 /* scratch */

/* IER */
#define VUART_IER_ERBFI    0x01 /* received data available (and character timeout) */
#define VUART_IER_ETBEI    0x02 /* transmitter holding register empty */
#define VUART_IER_ELSI     0x04 /* receiver line status */
#define VUART_IER_EDSSI    0x08 /* modem status */
#define VUART_IER_WRITABLE 0x0f /* bits 7:4 always read 0 */

/* IIR: bit 0 is 0 while an interrupt is pending; bits 3:1 identify the highest priority one. */
#define VUART_IIR_NO_INT_PENDING 0x01
#define VUART_IIR_ID_MASK        0x0e
#define VUART_IIR_ID_RLS         0x06 /* receiver line status: OE, PE, FE or BI (highest) */
#define VUART_IIR_ID_RDA         0x04 /* received data available (trigger level reached) */
#define VUART_IIR_ID_CTI         0x0c /* character timeout (FIFO mode) */
#define VUART_IIR_ID_THRE        0x02 /* transmitter holding register empty */
#define VUART_IIR_ID_MODEM       0x00 /* modem status (lowest) */
#define VUART_IIR_FIFOS_ENABLED  0xc0 /* both set when FCR0 is set */

/* FCR */
#define VUART_FCR_FIFO_ENABLE  0x01 /* FCR0 */
#define VUART_FCR_RCVR_RESET   0x02 /* FCR1: clear the RX FIFO (self-clearing) */
#define VUART_FCR_XMIT_RESET   0x04 /* FCR2: clear the TX FIFO (self-clearing) */
#define VUART_FCR_DMA_MODE     0x08 /* FCR3: RXRDY/TXRDY mode, stored only */
#define VUART_FCR_TRIGGER_MASK 0xc0 /* FCR7:6: RX trigger level */
#define VUART_FCR_TRIGGER_1    0x00
#define VUART_FCR_TRIGGER_4    0x40
#define VUART_FCR_TRIGGER_8    0x80
#define VUART_FCR_TRIGGER_14   0xc0
#define VUART_FCR_STORED_BITS  (VUART_FCR_FIFO_ENABLE | VUART_FCR_DMA_MODE | VUART_FCR_TRIGGER_MASK)

/* LCR */
#define VUART_LCR_WLS_MASK 0x03 /* word length select: 5 + WLS bits */
#define VUART_LCR_STB      0x04 /* 2 stop bits (1.5 with 5-bit words) */
#define VUART_LCR_PEN      0x08 /* parity enable */
#define VUART_LCR_EPS      0x10 /* even parity select */
#define VUART_LCR_STICK    0x20 /* stick parity */
#define VUART_LCR_BREAK    0x40 /* set break */
#define VUART_LCR_DLAB     0x80 /* divisor latch access bit */

/* MCR */
#define VUART_MCR_DTR      0x01
#define VUART_MCR_RTS      0x02
#define VUART_MCR_OUT1     0x04
#define VUART_MCR_OUT2     0x08 /* on the PC: enables the IRQ output */
#define VUART_MCR_LOOP     0x10
#define VUART_MCR_WRITABLE 0x1f /* bits 7:5 always read 0 */

/* LSR */
#define VUART_LSR_DR         0x01 /* data ready */
#define VUART_LSR_OE         0x02 /* overrun error */
#define VUART_LSR_PE         0x04 /* parity error */
#define VUART_LSR_FE         0x08 /* framing error */
#define VUART_LSR_BI         0x10 /* break interrupt */
#define VUART_LSR_THRE       0x20 /* transmitter holding register empty */
#define VUART_LSR_TEMT       0x40 /* transmitter empty */
#define VUART_LSR_FIFO_ERROR 0x80 /* error in RCVR FIFO (FIFO mode) */
#define VUART_LSR_ERRORS     (VUART_LSR_OE | VUART_LSR_PE | VUART_LSR_FE | VUART_LSR_BI)

/* MSR */
#define VUART_MSR_DCTS        0x01 /* delta clear to send */
#define VUART_MSR_DDSR        0x02 /* delta data set ready */
#define VUART_MSR_TERI        0x04 /* trailing edge ring indicator (RI went 1 -> 0) */
#define VUART_MSR_DDCD        0x08 /* delta data carrier detect */
#define VUART_MSR_CTS         0x10
#define VUART_MSR_DSR         0x20
#define VUART_MSR_RI          0x40
#define VUART_MSR_DCD         0x80
#define VUART_MSR_DELTA_MASK  0x0f
#define VUART_MSR_STATUS_MASK 0xf0

/* Modem inputs outside loopback after vuart_init(): a host terminal connected and ready. */
#define VUART_MODEM_INPUTS_DEFAULT (VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD)

typedef void (*vuart_tx_fn)(void *ctx, uint8_t byte);

/* All state; read it freely (dumps, tests), change it only through the functions below. */
struct vuart {
    uint16_t base;
    struct irq_line irq;
    vuart_tx_fn tx;
    void *tx_ctx;

    uint8_t ier;
    uint8_t fcr; /* VUART_FCR_STORED_BITS as last programmed */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t scr;
    uint16_t divisor;
    uint8_t lsr_errors;   /* OE, PE, FE, BI: latched until LSR is read */
    bool fifo_error;      /* LSR bit 7 */
    uint8_t msr;          /* status bits as the chip sees them now, delta bits until MSR is read */
    uint8_t modem_inputs; /* CTS, DSR, RI, DCD from outside (MSR bit positions) */
    bool thre_pending;    /* THR empty interrupt not yet acknowledged */
    bool irq_level;       /* the level last driven on the irq_line */

    uint8_t rx_data[VUART_FIFO_SIZE];
    uint8_t rx_flags[VUART_FIFO_SIZE]; /* per byte: PE, FE, BI as LSR bits */
    unsigned rx_head;
    unsigned rx_count;
    uint8_t rbr; /* last byte read (an empty RBR reads it again) */

    /* Counters, for the dump. */
    uint64_t tx_bytes;      /* sent to the tx callback */
    uint64_t tx_lost_break; /* written while LCR.BREAK was set */
    uint64_t loop_bytes;    /* looped back into the RX FIFO */
    uint64_t rx_bytes;      /* accepted from the host */
    uint64_t rx_overruns;   /* characters lost to an overrun */
    uint64_t rx_refused;    /* host bytes refused in loopback */
};

/* Master reset state at `base_port` (e.g. VUART_COM1_PORT). `irq` (copied; may be NULL for no
 * interrupt line) carries the IRQ number, e.g. VUART_COM1_IRQ. `tx` may be NULL (bytes are then
 * counted and discarded). Does not call irq or tx. */
void vuart_init(struct vuart *vuart, uint16_t base_port, const struct irq_line *irq, vuart_tx_fn tx,
                void *tx_ctx);
/* Master reset (MR pin): registers to their reset values, RX FIFO emptied, IRQ deasserted. The
 * divisor latch and SCR keep their values, as on the chip. */
void vuart_reset(struct vuart *vuart);
/* Claims the 8 ports at the base port. */
enum iobus_status vuart_attach(struct vuart *vuart, struct iobus *bus);
/* The port handler (an io_handler) that vuart_attach() registers. */
void vuart_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value);

/* A byte from the host side of the line. Returns false when it was lost: overrun (the guest sees
 * LSR.OE) or loopback (receiver disconnected). */
bool vuart_receive(struct vuart *vuart, uint8_t byte);
/* A break condition on the line: a 0 byte with LSR.BI, as the data sheet describes. */
bool vuart_receive_break(struct vuart *vuart);
/* Bytes vuart_receive() can take now without loss (0 in loopback), for flow control. */
unsigned vuart_rx_room(const struct vuart *vuart);
/* Sets the modem inputs CTS, DSR, RI, DCD (VUART_MSR_* status bits; others ignored). */
void vuart_set_modem_inputs(struct vuart *vuart, uint8_t msr_status_bits);
/* IIR as a read would return it, without a read's side effect. */
uint8_t vuart_peek_iir(const struct vuart *vuart);
/* LSR as a read would return it, without a read's side effect. */
uint8_t vuart_peek_lsr(const struct vuart *vuart);

/* Registers, line settings, FIFO contents (hex) and counters. */
void vuart_dump(const struct vuart *vuart, device_printf_fn print);

#endif
