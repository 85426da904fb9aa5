/* Host unit tests of vmm/devices/vuart16550.c, driven through the port bus as a guest driver would:
 * Linux 8250 probe, each register, FIFO, loopback, interrupt priority and IRQ gating, fuzzing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices/vuart16550.h"
#include "vmm/iobus.h"

#define BASE   VUART_COM1_PORT
#define TX_MAX 4096

struct fixture {
    struct iobus bus;
    struct vuart uart;
    uint8_t tx[TX_MAX];
    unsigned tx_len;
    unsigned irq_calls;
    bool irq_level;
    unsigned irq_number;
};

static void record_tx(void *ctx, uint8_t byte)
{
    struct fixture *f = ctx;
    if (f->tx_len < TX_MAX)
        f->tx[f->tx_len] = byte;
    f->tx_len++;
}

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct fixture *f = ctx;
    /* The model only calls on a change of level. */
    assert_true(level != f->irq_level);
    f->irq_calls++;
    f->irq_level = level;
    f->irq_number = irq;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    iobus_init(&f->bus);
    struct irq_line line = {.set = record_irq, .ctx = f, .irq = VUART_COM1_IRQ};
    vuart_init(&f->uart, BASE, &line, record_tx, f);
    assert_int_equal(vuart_attach(&f->uart, &f->bus), IOBUS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static uint32_t in(struct fixture *f, unsigned reg, unsigned size)
{
    uint32_t v = 0xdeadbeef;
    assert_true(iobus_access(&f->bus, (uint16_t)(BASE + reg), size, IO_IN, &v));
    return v;
}

static uint8_t inb(struct fixture *f, unsigned reg)
{
    uint32_t v = in(f, reg, 1);
    assert_int_equal(v & ~0xffu, 0);
    return (uint8_t)v;
}

static void out(struct fixture *f, unsigned reg, unsigned size, uint32_t value)
{
    assert_true(iobus_access(&f->bus, (uint16_t)(BASE + reg), size, IO_OUT, &value));
}

static void outb(struct fixture *f, unsigned reg, uint8_t value)
{
    out(f, reg, 1, value);
}

/* ---- reset and probing ---------------------------------------------------------------------- */

static void test_reset_state(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(inb(f, VUART_IER), 0x00);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    assert_int_equal(inb(f, VUART_LCR), 0x00);
    assert_int_equal(inb(f, VUART_MCR), 0x00);
    assert_int_equal(inb(f, VUART_LSR), 0x60);
    assert_int_equal(inb(f, VUART_MSR), 0xb0); /* CTS, DSR, DCD from the host, no deltas */
    assert_int_equal(inb(f, VUART_SCR), 0x00);
    outb(f, VUART_LCR, VUART_LCR_DLAB);
    assert_int_equal(inb(f, VUART_DLL), 12);
    assert_int_equal(inb(f, VUART_DLM), 0);
    assert_int_equal(f->irq_calls, 0);

    /* The 8 ports are claimed, not more; a second UART cannot overlap them. */
    assert_string_equal(iobus_find(&f->bus, BASE)->name, "vuart16550");
    assert_non_null(iobus_find(&f->bus, BASE + 7));
    assert_null(iobus_find(&f->bus, BASE + 8));
    assert_null(iobus_find(&f->bus, BASE - 1));
    struct vuart other;
    vuart_init(&other, BASE + 4, NULL, NULL, NULL);
    assert_int_equal(vuart_attach(&other, &f->bus), IOBUS_ERR_OVERLAP);
    vuart_init(&other, VUART_COM2_PORT, NULL, NULL, NULL);
    assert_int_equal(vuart_attach(&other, &f->bus), IOBUS_OK);
}

/* Linux's autoconfig() (drivers/tty/serial/8250/8250_port.c), step by step. */
static void test_linux_8250_probe(void **state)
{
    struct fixture *f = *state;
    /* IER scratch test. */
    uint8_t scratch = inb(f, VUART_IER);
    outb(f, VUART_IER, 0);
    assert_int_equal(inb(f, VUART_IER) & 0x0f, 0x00);
    outb(f, VUART_IER, 0x0f);
    assert_int_equal(inb(f, VUART_IER) & 0x0f, 0x0f);
    outb(f, VUART_IER, scratch);
    assert_int_equal(inb(f, VUART_IER), scratch);

    /* Loopback test: MCR=LOOP, then LOOP|OUT2|RTS must read back DCD|CTS. */
    uint8_t save_mcr = inb(f, VUART_MCR);
    outb(f, VUART_MCR, VUART_MCR_LOOP);
    /* The lines drop from the host's CTS|DSR|DCD to nothing: three deltas. */
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_DDCD);
    assert_int_equal(inb(f, VUART_MSR), 0x00);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2 | VUART_MCR_RTS);
    assert_int_equal(inb(f, VUART_MSR) & 0xf0, VUART_MSR_DCD | VUART_MSR_CTS);
    outb(f, VUART_MCR, 0x1f);
    assert_int_equal(inb(f, VUART_MSR) & 0xf0, 0xf0);
    outb(f, VUART_MCR, save_mcr);
    assert_int_equal(inb(f, VUART_MSR) & 0xf0, 0xb0);

    /* FIFO detection: IIR bits 7:6 = 3 means 16550A. */
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE);
    assert_int_equal(inb(f, VUART_IIR) >> 6, 3);
    outb(f, VUART_FCR, 0);
    assert_int_equal(inb(f, VUART_IIR) >> 6, 0);
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE);

    /* Not a 16650: with LCR=0xbf offset 2 is still IIR, not a zero EFR. */
    outb(f, VUART_LCR, 0xbf);
    assert_int_equal(inb(f, VUART_IIR), 0xc1);
    /* Not a 16750: the 64-byte FIFO bit (FCR5) does not show as IIR bit 5. */
    outb(f, VUART_LCR, 0);
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | 0x20);
    assert_int_equal(inb(f, VUART_IIR) >> 5, 6);
    /* Not an XScale: IER bit 6 (UUE) does not stick. */
    outb(f, VUART_IER, 0x40);
    assert_int_equal(inb(f, VUART_IER), 0x00);

    /* Nothing went out, no interrupt was raised (IER was 0 whenever OUT2 was set). */
    assert_int_equal(f->tx_len, 0);
    assert_int_equal(f->irq_calls, 0);
}

/* ---- registers one by one ------------------------------------------------------------------- */

static void test_divisor_latch_and_dlab(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_IER, VUART_IER_ERBFI | VUART_IER_ELSI);
    outb(f, VUART_LCR, VUART_LCR_DLAB | 0x03);
    outb(f, VUART_DLL, 0x01);
    outb(f, VUART_DLM, 0x02);
    assert_int_equal(inb(f, VUART_DLL), 0x01);
    assert_int_equal(inb(f, VUART_DLM), 0x02);
    assert_int_equal(f->uart.divisor, 0x0201);
    /* DLAB hid THR and IER: nothing sent, IER kept. */
    assert_int_equal(f->tx_len, 0);
    assert_int_equal(f->uart.ier, VUART_IER_ERBFI | VUART_IER_ELSI);

    /* DLAB hides RBR: a received byte stays in the FIFO while DLL is read. */
    assert_true(vuart_receive(&f->uart, 'x'));
    assert_int_equal(inb(f, VUART_RBR), 0x01);
    assert_int_equal(f->uart.rx_count, 1);
    assert_int_equal(inb(f, VUART_LSR), 0x61);

    outb(f, VUART_LCR, 0x03);
    assert_int_equal(inb(f, VUART_IER), VUART_IER_ERBFI | VUART_IER_ELSI);
    assert_int_equal(inb(f, VUART_RBR), 'x');
    /* IER and THR with DLAB=0 leave the divisor alone. */
    outb(f, VUART_IER, 0x00);
    outb(f, VUART_THR, 'T');
    assert_int_equal(f->tx_len, 1);
    outb(f, VUART_LCR, VUART_LCR_DLAB);
    assert_int_equal(inb(f, VUART_DLL), 0x01);
    assert_int_equal(inb(f, VUART_DLM), 0x02);
    /* 115200 baud. */
    outb(f, VUART_DLL, 0x01);
    outb(f, VUART_DLM, 0x00);
    assert_int_equal(f->uart.divisor, 1);
}

static void test_lcr_mcr_ier_scr_read_back(void **state)
{
    struct fixture *f = *state;
    for (unsigned i = 0; i < 256; i++) {
        outb(f, VUART_LCR, (uint8_t)i);
        assert_int_equal(inb(f, VUART_LCR), i);
        outb(f, VUART_SCR, (uint8_t)i);
        assert_int_equal(inb(f, VUART_SCR), i);
        outb(f, VUART_MCR, (uint8_t)i);
        assert_int_equal(inb(f, VUART_MCR), i & 0x1f);
    }
    outb(f, VUART_LCR, 0x03);
    for (unsigned i = 0; i < 256; i++) {
        outb(f, VUART_IER, (uint8_t)i);
        assert_int_equal(inb(f, VUART_IER), i & 0x0f);
    }
    /* LSR and MSR ignore writes. */
    outb(f, VUART_MCR, 0);
    outb(f, VUART_LSR, 0x1f);
    outb(f, VUART_MSR, 0x0f);
    assert_int_equal(inb(f, VUART_LSR), 0x60);
    assert_int_equal(inb(f, VUART_MSR) & 0xf0, 0xb0);
    assert_int_equal(inb(f, VUART_MSR), 0xb0);
}

static void test_transmit_reaches_callback(void **state)
{
    struct fixture *f = *state;
    const uint8_t text[] = {'H', 'i', '\r', '\n', 0x1b, 0xff};
    outb(f, VUART_LCR, 0x03);
    for (unsigned i = 0; i < sizeof(text); i++) {
        outb(f, VUART_THR, text[i]);
        assert_int_equal(inb(f, VUART_LSR), 0x60); /* THRE and TEMT stay set */
    }
    assert_int_equal(f->tx_len, sizeof(text));
    assert_memory_equal(f->tx, text, sizeof(text)); /* raw: sanitizing is the consumer's job */
    assert_int_equal(f->uart.tx_bytes, sizeof(text));

    /* Bytes pass whole whatever the word length: 7 bits, then the reset value (5 bits). */
    outb(f, VUART_LCR, 0x02);
    outb(f, VUART_THR, 0xe9);
    outb(f, VUART_LCR, 0x00);
    outb(f, VUART_THR, 0xff);
    assert_int_equal(f->tx_len, 8);
    assert_int_equal(f->tx[6], 0xe9);
    assert_int_equal(f->tx[7], 0xff);

    /* While break is set the line is spacing: the byte is lost. */
    outb(f, VUART_LCR, VUART_LCR_BREAK | 0x03);
    outb(f, VUART_THR, 'z');
    assert_int_equal(f->tx_len, 8);
    assert_int_equal(f->uart.tx_lost_break, 1);
    outb(f, VUART_LCR, 0x03);
    outb(f, VUART_THR, 'z');
    assert_int_equal(f->tx_len, 9);
    assert_int_equal(f->tx[8], 'z');

    /* Without a callback bytes are counted and dropped. */
    struct vuart quiet;
    vuart_init(&quiet, BASE, NULL, NULL, NULL);
    uint32_t v = 'q';
    vuart_io(&quiet, BASE + VUART_THR, 1, IO_OUT, &v);
    assert_int_equal(quiet.tx_bytes, 1);
}

static void test_loopback(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_LCR, 0x03);
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_RCVR_RESET | VUART_FCR_XMIT_RESET);
    outb(f, VUART_MCR, VUART_MCR_LOOP);
    outb(f, VUART_THR, 'a');
    outb(f, VUART_THR, 'b');
    outb(f, VUART_THR, 'c');
    assert_int_equal(f->tx_len, 0);
    assert_int_equal(f->uart.loop_bytes, 3);
    assert_int_equal(inb(f, VUART_LSR), 0x61);
    assert_int_equal(inb(f, VUART_RBR), 'a');
    assert_int_equal(inb(f, VUART_RBR), 'b');
    assert_int_equal(inb(f, VUART_RBR), 'c');
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* The receiver input is disconnected. */
    assert_int_equal(vuart_rx_room(&f->uart), 0);
    assert_false(vuart_receive(&f->uart, 'h'));
    assert_int_equal(f->uart.rx_refused, 1);
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* MSR follows MCR, with delta bits. */
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_DDCD);
    assert_int_equal(inb(f, VUART_MSR), 0x00);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DSR | VUART_MSR_DDSR);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DSR);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DSR | VUART_MSR_CTS | VUART_MSR_DCTS);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS | VUART_MCR_OUT1);
    /* RI rising: no delta (TERI is the trailing edge only). */
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DSR | VUART_MSR_CTS | VUART_MSR_RI);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DSR | VUART_MSR_CTS | VUART_MSR_TERI);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS | VUART_MCR_OUT2);
    assert_int_equal(inb(f, VUART_MSR),
                     VUART_MSR_DSR | VUART_MSR_CTS | VUART_MSR_DCD | VUART_MSR_DDCD);

    /* Looped bytes pass whole too. */
    outb(f, VUART_LCR, 0x02);
    outb(f, VUART_THR, 0xc1);
    assert_int_equal(inb(f, VUART_RBR), 0xc1);

    /* Out of loopback: the host's lines again (same CTS|DSR|DCD: no delta), bytes go out. */
    outb(f, VUART_MCR, 0);
    assert_int_equal(inb(f, VUART_MSR), 0xb0);
    outb(f, VUART_THR, 'o');
    assert_int_equal(f->tx_len, 1);
    assert_true(vuart_receive(&f->uart, 'h'));
    assert_int_equal(inb(f, VUART_RBR), 'h');
}

static void test_modem_inputs(void **state)
{
    struct fixture *f = *state;
    vuart_set_modem_inputs(&f->uart, VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_RI | 0x0f);
    assert_int_equal(inb(f, VUART_MSR),
                     VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_RI | VUART_MSR_DDCD);
    vuart_set_modem_inputs(&f->uart, 0);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_TERI);
    assert_int_equal(inb(f, VUART_MSR), 0);
    /* Inputs are disconnected in loopback and come back after it. */
    vuart_set_modem_inputs(&f->uart, VUART_MSR_DCD);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DCD | VUART_MSR_DDCD);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
    vuart_set_modem_inputs(&f->uart, VUART_MSR_CTS);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_DCD);
    outb(f, VUART_MCR, 0);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_CTS | VUART_MSR_DCTS | VUART_MSR_DDCD);
}

/* ---- receiver ------------------------------------------------------------------------------- */

static void test_rx_fifo_order_limit_and_overrun(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_LCR, 0x03);
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_RCVR_RESET);
    for (unsigned i = 0; i < VUART_FIFO_SIZE; i++) {
        assert_int_equal(vuart_rx_room(&f->uart), VUART_FIFO_SIZE - i);
        assert_true(vuart_receive(&f->uart, (uint8_t)('A' + i)));
    }
    assert_int_equal(vuart_rx_room(&f->uart), 0);
    assert_int_equal(inb(f, VUART_LSR), 0x61);
    assert_false(vuart_receive(&f->uart, '!'));
    assert_int_equal(f->uart.rx_overruns, 1);
    assert_int_equal(inb(f, VUART_LSR), 0x63); /* DR, OE */
    assert_int_equal(inb(f, VUART_LSR), 0x61); /* OE cleared by the read */
    for (unsigned i = 0; i < VUART_FIFO_SIZE; i++)
        assert_int_equal(inb(f, VUART_RBR), 'A' + i); /* '!' was dropped */
    assert_int_equal(inb(f, VUART_LSR), 0x60);
    assert_int_equal(inb(f, VUART_RBR), 'P'); /* empty: the last byte again */
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* Wrap around the ring. */
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 10; i++)
            assert_true(vuart_receive(&f->uart, (uint8_t)(round * 10 + i)));
        for (unsigned i = 0; i < 10; i++)
            assert_int_equal(inb(f, VUART_RBR), round * 10 + i);
    }

    /* FCR1 clears the RX FIFO; so does turning FIFOs off. */
    assert_true(vuart_receive(&f->uart, 1));
    assert_true(vuart_receive(&f->uart, 2));
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_RCVR_RESET);
    assert_int_equal(inb(f, VUART_LSR), 0x60);
    assert_true(vuart_receive(&f->uart, 3));
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_XMIT_RESET); /* RX kept */
    assert_int_equal(inb(f, VUART_LSR), 0x61);
    outb(f, VUART_FCR, 0);
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* Non-FIFO mode holds one byte; an overrun destroys the unread one. */
    assert_int_equal(vuart_rx_room(&f->uart), 1);
    assert_true(vuart_receive(&f->uart, 'x'));
    assert_false(vuart_receive(&f->uart, 'y'));
    assert_int_equal(inb(f, VUART_LSR), 0x63);
    assert_int_equal(inb(f, VUART_RBR), 'y');
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* Received bytes pass whole, even with the reset LCR (5-bit words). */
    outb(f, VUART_LCR, 0x00);
    assert_true(vuart_receive(&f->uart, 0xc1));
    assert_int_equal(inb(f, VUART_RBR), 0xc1);
}

static void test_break_and_fifo_error(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE);
    outb(f, VUART_IER, VUART_IER_ERBFI | VUART_IER_ELSI);
    assert_true(vuart_receive(&f->uart, 'a'));
    assert_true(vuart_receive_break(&f->uart));
    assert_true(vuart_receive(&f->uart, 'b'));
    /* The break byte is in the FIFO (LSR7) but not at its top yet (no BI). */
    assert_int_equal(vuart_peek_lsr(&f->uart), 0xe1);
    assert_int_equal(inb(f, VUART_IIR), 0xc4);
    assert_int_equal(inb(f, VUART_RBR), 'a');
    /* Now it is: BI shows and the line status interrupt is the highest. */
    assert_int_equal(inb(f, VUART_IIR), 0xc6);
    assert_int_equal(inb(f, VUART_LSR), 0xf1);
    assert_int_equal(inb(f, VUART_LSR), 0xe1); /* BI reported once; LSR7 while it is queued */
    assert_int_equal(inb(f, VUART_IIR), 0xc4);
    assert_int_equal(inb(f, VUART_RBR), 0x00);
    assert_int_equal(inb(f, VUART_LSR), 0xe1); /* LSR7 cleared by this read only */
    assert_int_equal(inb(f, VUART_LSR), 0x61);
    assert_int_equal(inb(f, VUART_RBR), 'b');
    assert_int_equal(inb(f, VUART_LSR), 0x60);

    /* Non-FIFO mode: BI at once, never LSR7. */
    outb(f, VUART_FCR, 0);
    assert_true(vuart_receive_break(&f->uart));
    assert_int_equal(inb(f, VUART_IIR), 0x06);
    assert_int_equal(inb(f, VUART_LSR), 0x71);
    assert_int_equal(inb(f, VUART_IIR), 0x04);
    assert_int_equal(inb(f, VUART_RBR), 0x00);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
}

/* ---- interrupts ----------------------------------------------------------------------------- */

static void test_iir_priority_order(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_RCVR_RESET | VUART_FCR_TRIGGER_14);
    outb(f, VUART_MCR, VUART_MCR_OUT2);
    /* All four sources at once: THRE (ETBEI enabled), modem (DCD drops), data (16 bytes, over
     * the trigger level of 14), line status (the 17th byte overruns). */
    outb(f, VUART_IER, 0x0f);
    vuart_set_modem_inputs(&f->uart, VUART_MSR_CTS | VUART_MSR_DSR);
    for (unsigned i = 0; i <= VUART_FIFO_SIZE; i++)
        vuart_receive(&f->uart, (uint8_t)i);
    assert_true(f->irq_level);

    assert_int_equal(inb(f, VUART_IIR), 0xc6);
    assert_int_equal(inb(f, VUART_IIR), 0xc6); /* reading IIR does not clear line status */
    assert_int_equal(inb(f, VUART_LSR), 0x63);
    assert_int_equal(inb(f, VUART_IIR), 0xc4);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(inb(f, VUART_RBR), i);
    /* 13 bytes: below the trigger level, so the character timeout. */
    assert_int_equal(inb(f, VUART_IIR), 0xcc);
    for (unsigned i = 3; i < VUART_FIFO_SIZE; i++)
        assert_int_equal(inb(f, VUART_RBR), i);
    assert_int_equal(inb(f, VUART_IIR), 0xc2);
    assert_int_equal(inb(f, VUART_IIR), 0xc0); /* THRE cleared by the read that reported it */
    assert_true(f->irq_level);
    assert_int_equal(inb(f, VUART_MSR), VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DDCD);
    assert_int_equal(inb(f, VUART_IIR), 0xc1);
    assert_false(f->irq_level);
}

static void test_rx_trigger_levels(void **state)
{
    struct fixture *f = *state;
    const struct {
        uint8_t bits;
        unsigned level;
    } triggers[] = {{VUART_FCR_TRIGGER_1, 1},
                    {VUART_FCR_TRIGGER_4, 4},
                    {VUART_FCR_TRIGGER_8, 8},
                    {VUART_FCR_TRIGGER_14, 14}};
    outb(f, VUART_IER, VUART_IER_ERBFI);
    for (unsigned t = 0; t < 4; t++) {
        outb(f, VUART_FCR,
             (uint8_t)(VUART_FCR_FIFO_ENABLE | VUART_FCR_RCVR_RESET | triggers[t].bits));
        assert_int_equal(inb(f, VUART_IIR), 0xc1);
        for (unsigned i = 0; i + 1 < triggers[t].level; i++)
            assert_true(vuart_receive(&f->uart, 'x'));
        assert_int_equal(inb(f, VUART_IIR), triggers[t].level == 1 ? 0xc1 : 0xcc);
        assert_true(vuart_receive(&f->uart, 'y'));
        assert_int_equal(inb(f, VUART_IIR), 0xc4);
    }
    /* FCR bits other than FCR0 are not programmed while FCR0 is written 0; IIR bits 7:6 follow
     * FCR0 only. */
    outb(f, VUART_FCR, VUART_FCR_TRIGGER_4);
    assert_int_equal(f->uart.fcr, VUART_FCR_TRIGGER_14);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE);
    assert_int_equal(f->uart.fcr, VUART_FCR_FIFO_ENABLE);
}

static void test_thre_interrupt(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* Enabling ETBEI with THR empty raises it; the IIR read that reports it clears it. */
    outb(f, VUART_IER, VUART_IER_ETBEI);
    assert_int_equal(inb(f, VUART_IIR), 0x02);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* Rewriting IER without an edge does not raise it again... */
    outb(f, VUART_IER, VUART_IER_ETBEI);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* ...toggling does (Linux's THRE test relies on this). */
    outb(f, VUART_IER, 0);
    outb(f, VUART_IER, VUART_IER_ETBEI);
    assert_int_equal(inb(f, VUART_IIR), 0x02);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* A THR write empties at once: THRE again, one pending interrupt for two writes. */
    outb(f, VUART_THR, 'x');
    assert_int_equal(vuart_peek_iir(&f->uart), 0x02);
    outb(f, VUART_THR, 'y');
    assert_int_equal(inb(f, VUART_IIR), 0x02);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* Clearing ETBEI drops a pending one. */
    outb(f, VUART_THR, 'z');
    outb(f, VUART_IER, 0);
    assert_false(f->uart.thre_pending);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    /* An IIR read reporting a higher source leaves THRE pending. */
    outb(f, VUART_IER, VUART_IER_ERBFI | VUART_IER_ETBEI);
    assert_true(vuart_receive(&f->uart, 'r'));
    assert_int_equal(inb(f, VUART_IIR), 0x04);
    assert_int_equal(inb(f, VUART_IIR), 0x04);
    assert_int_equal(inb(f, VUART_RBR), 'r');
    assert_int_equal(inb(f, VUART_IIR), 0x02);
    assert_int_equal(inb(f, VUART_IIR), 0x01);
    assert_int_equal(f->tx_len, 3);
}

static void test_irq_gated_by_out2(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_IER, VUART_IER_ETBEI); /* pending, but OUT2 is clear */
    assert_int_equal(vuart_peek_iir(&f->uart), 0x02);
    assert_int_equal(f->irq_calls, 0);
    outb(f, VUART_MCR, VUART_MCR_OUT2);
    assert_true(f->irq_level);
    assert_int_equal(f->irq_number, VUART_COM1_IRQ);
    assert_int_equal(f->irq_calls, 1);
    outb(f, VUART_MCR, VUART_MCR_OUT2 | VUART_MCR_DTR | VUART_MCR_RTS);
    assert_int_equal(f->irq_calls, 1); /* unchanged level: no call */
    inb(f, VUART_IIR);
    assert_false(f->irq_level);
    assert_int_equal(f->irq_calls, 2);

    outb(f, VUART_IER, VUART_IER_ERBFI);
    assert_int_equal(f->irq_calls, 2); /* ETBEI 1 -> 0 with nothing pending */
    assert_true(vuart_receive(&f->uart, 'a'));
    assert_true(f->irq_level);
    outb(f, VUART_MCR, VUART_MCR_DTR);
    assert_false(f->irq_level);
    assert_false(vuart_receive(&f->uart, 'b')); /* non-FIFO: overrun, 'b' replaces 'a' */
    assert_false(f->irq_level);
    outb(f, VUART_MCR, VUART_MCR_OUT2);
    assert_true(f->irq_level);
    assert_int_equal(inb(f, VUART_RBR), 'b');
    assert_false(f->irq_level);
    assert_int_equal(f->irq_calls, 6);
    assert_int_equal(inb(f, VUART_LSR), 0x62); /* OE latched (ELSI off, so no interrupt) */

    /* Modem status and line status sources, and the interrupt enable gating them. */
    outb(f, VUART_IER, VUART_IER_EDSSI);
    vuart_set_modem_inputs(&f->uart, 0);
    assert_true(f->irq_level);
    inb(f, VUART_MSR);
    assert_false(f->irq_level);
    outb(f, VUART_IER, VUART_IER_ELSI);
    assert_true(vuart_receive_break(&f->uart));
    assert_true(f->irq_level);
    outb(f, VUART_IER, 0);
    assert_false(f->irq_level);
    outb(f, VUART_IER, VUART_IER_ELSI);
    assert_true(f->irq_level);
    inb(f, VUART_LSR);
    assert_false(f->irq_level);

    /* In loopback the interrupt still follows the OUT2 bit. */
    outb(f, VUART_IER, VUART_IER_ERBFI);
    outb(f, VUART_MCR, VUART_MCR_LOOP);
    outb(f, VUART_THR, 'l');
    assert_false(f->irq_level);
    outb(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
    assert_true(f->irq_level);

    /* Reset drops it. */
    vuart_reset(&f->uart);
    assert_false(f->irq_level);
    assert_int_equal(inb(f, VUART_IER), 0);
}

/* ---- access sizes and dump ------------------------------------------------------------------ */

static void test_wide_accesses(void **state)
{
    struct fixture *f = *state;
    out(f, VUART_THR, 2, 0x0541); /* THR 'A', IER 0x05 */
    assert_int_equal(f->tx_len, 1);
    assert_int_equal(f->tx[0], 'A');
    assert_int_equal(inb(f, VUART_IER), 0x05);
    outb(f, VUART_LCR, 0x03);
    outb(f, VUART_MCR, 0x0b);
    assert_int_equal(in(f, VUART_LCR, 4), 0xb0600b03); /* LCR, MCR, LSR, MSR */
    outb(f, VUART_SCR, 0x5a);
    assert_int_equal(in(f, VUART_SCR, 2), 0xff5a); /* past the 8 ports: all ones */
    assert_int_equal(in(f, VUART_MSR, 4), 0xffff5ab0);
    out(f, VUART_SCR, 4, 0x12345678);
    assert_int_equal(inb(f, VUART_SCR), 0x78);
    /* Reading two bytes at RBR pops one byte and reads IER. */
    assert_true(vuart_receive(&f->uart, 'r'));
    assert_false(vuart_receive(&f->uart, 's')); /* non-FIFO: overrun, 's' replaces 'r' */
    assert_int_equal(in(f, VUART_RBR, 2), 0x0573);
}

static char dump_buf[4096];
static size_t dump_len;

__attribute__((format(printf, 1, 2))) static void dump_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dump_buf + dump_len, sizeof(dump_buf) - dump_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(dump_buf) - dump_len);
    dump_len += (size_t)n;
}

static void test_dump(void **state)
{
    struct fixture *f = *state;
    outb(f, VUART_LCR, VUART_LCR_DLAB | 0x03);
    outb(f, VUART_DLL, 1);
    outb(f, VUART_DLM, 0);
    outb(f, VUART_LCR, 0x1e); /* 7E2 */
    outb(f, VUART_FCR, VUART_FCR_FIFO_ENABLE | VUART_FCR_TRIGGER_8);
    outb(f, VUART_MCR, VUART_MCR_OUT2 | VUART_MCR_LOOP);
    outb(f, VUART_IER, VUART_IER_ERBFI);
    outb(f, VUART_THR, 0x1b); /* looped back: an escape byte must not reach the dump raw */
    outb(f, VUART_THR, 'B');
    dump_len = 0;
    dump_buf[0] = '\0';
    vuart_dump(&f->uart, dump_print);
    assert_non_null(strstr(dump_buf, "vuart16550 at 0x3f8, irq 4 asserted\n"));
    assert_non_null(strstr(dump_buf, "ier 0x01 iir 0xcc fcr 0x81 lcr 0x1e mcr 0x18 lsr 0x61"));
    assert_non_null(strstr(dump_buf, "divisor 1 (115200 baud), 7E2, loopback\n"));
    assert_non_null(strstr(dump_buf, "rx fifo 2/16, trigger 8, thre interrupt clear: 1b 42\n"));
    assert_non_null(strstr(dump_buf, "looped back 2,"));
    assert_null(strchr(dump_buf, 0x1b));
}

/* ---- randomized ----------------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* The interrupt identification, computed here from the state independently of the model. */
static uint8_t expected_iir_id(const struct vuart *u)
{
    static const unsigned trigger[4] = {1, 4, 8, 14};
    bool fifo = u->fcr & 0x01;
    if ((u->ier & 0x04) && (u->lsr_errors & 0x1e))
        return 0x06;
    if ((u->ier & 0x01) && u->rx_count)
        return (!fifo || u->rx_count >= trigger[u->fcr >> 6]) ? 0x04 : 0x0c;
    if ((u->ier & 0x02) && u->thre_pending)
        return 0x02;
    if ((u->ier & 0x08) && (u->msr & 0x0f))
        return 0x00;
    return 0x01;
}

static void check_invariants(struct fixture *f)
{
    const struct vuart *u = &f->uart;
    bool fifo = u->fcr & 0x01;
    assert_true(u->rx_count <= (fifo ? 16u : 1u));
    assert_true(u->rx_head < 16);
    uint8_t lsr = vuart_peek_lsr(u);
    assert_int_equal((lsr & 0x01) != 0, u->rx_count > 0);
    assert_int_equal(lsr & 0x60, 0x60);
    if (!fifo)
        assert_int_equal(lsr & 0x80, 0);
    assert_int_equal(u->ier & 0xf0, 0);
    assert_int_equal(u->mcr & 0xe0, 0);
    uint8_t status = u->msr & 0xf0;
    if (u->mcr & 0x10) {
        uint8_t m = u->mcr;
        uint8_t expect = (uint8_t)(((m & 0x02) ? 0x10 : 0) | ((m & 0x01) ? 0x20 : 0) |
                                   ((m & 0x04) ? 0x40 : 0) | ((m & 0x08) ? 0x80 : 0));
        assert_int_equal(status, expect);
    } else {
        assert_int_equal(status, u->modem_inputs);
    }
    bool pending = expected_iir_id(u) != 0x01;
    bool expect_irq = pending && (u->mcr & 0x08);
    assert_int_equal(f->irq_level, expect_irq);
    assert_int_equal(u->irq_level, expect_irq);
    assert_int_equal(f->tx_len, u->tx_bytes);
}

static void test_randomized(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned iir_reads = 0, overruns_seen = 0, irq_high_seen = 0;
    for (unsigned it = 0; it < 200000; it++) {
        uint64_t r = rng_next(&seed);
        unsigned op = (unsigned)(r % 16);
        unsigned reg = (unsigned)(r >> 8) & 7;
        uint8_t byte = (uint8_t)(r >> 16);
        if (op < 10) {
            unsigned sizes[4] = {1, 1, 2, 4};
            unsigned size = sizes[(r >> 24) & 3];
            if (op < 5) {
                bool iir_read = reg == VUART_IIR && size == 1;
                uint8_t expect = 0;
                if (iir_read)
                    expect = (uint8_t)(expected_iir_id(&f->uart) | ((f->uart.fcr & 1) ? 0xc0 : 0));
                uint32_t v = in(f, reg, size);
                if (iir_read) {
                    assert_int_equal(v, expect);
                    iir_reads++;
                }
            } else {
                /* Keep loopback and break rarer so that most bytes go out and come in. */
                if (reg == VUART_MCR && (r >> 32) % 4)
                    byte &= (uint8_t)~VUART_MCR_LOOP;
                if (reg == VUART_LCR && (r >> 32) % 4)
                    byte &= (uint8_t) ~(VUART_LCR_BREAK | VUART_LCR_DLAB);
                out(f, reg, size, byte | (uint32_t)(r >> 40) << 8);
            }
        } else if (op < 14) {
            unsigned room = vuart_rx_room(&f->uart);
            bool ok = vuart_receive(&f->uart, byte);
            assert_int_equal(ok, room > 0);
            if (!ok && !(f->uart.mcr & VUART_MCR_LOOP))
                overruns_seen++;
        } else if (op == 14) {
            vuart_receive_break(&f->uart);
        } else {
            vuart_set_modem_inputs(&f->uart, byte);
        }
        check_invariants(f);
        if (it % 8 == 0) {
            bool dr = f->uart.rx_count > 0;
            assert_int_equal(inb(f, VUART_LSR) & 0x61, 0x60 | (dr ? 0x01 : 0));
            check_invariants(f);
        }
        if (f->irq_level)
            irq_high_seen++;
    }
    /* The walk reached the interesting states. */
    assert_true(iir_reads > 1000);
    assert_true(overruns_seen > 100);
    assert_true(irq_high_seen > 1000);
    assert_true(f->uart.tx_bytes > 1000);
    assert_true(f->uart.loop_bytes > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_8250_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divisor_latch_and_dlab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lcr_mcr_ier_scr_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transmit_reaches_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modem_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_fifo_order_limit_and_overrun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_break_and_fifo_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iir_priority_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_trigger_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thre_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_gated_by_out2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_accesses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_randomized, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
