/* The guest's two cascaded Intel 8259A PICs and the ELCR (vmm/devices/pic8259.c): registers,
 * priorities, INTA cycle, port-bus glue. Not the host's PIC driver (drivers/pic8259.h). */
#ifndef MICA_VMM_DEVICES_PIC8259_H
#define MICA_VMM_DEVICES_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"
#include "vmm/iobus.h"

/*
 * Model (Intel 8259A data sheet; register and bit names are the data sheet's; the ELCR is the
 * PC chipset's edge/level control, e.g. PIIX4 and ICH):
 *
 * - Wiring of a PC: master at 0x20/0x21 (SP/EN strapped high), slave at 0xa0/0xa1 whose INT
 *   output drives the master's IR2. IRQ n < 8 is master IRn, IRQ n >= 8 is slave IR(n-8).
 *   IRQ 2 is the cascade, not a device line: pic8259_set_irq() ignores it (and irq > 15).
 * - Triggering: an input is level-triggered when ICW1.LTIM is set on its chip or its ELCR bit is
 *   set (ELCR at 0x4d0 for IRQ 0-7, 0x4d1 for IRQ 8-15; the bits of IRQ 0, 1, 2, 8 and 13 are
 *   always 0, edge). Edge: a rising edge of the line sets IRR, which stays set when the line
 *   falls (so a pulse from irq_line_pulse() is not lost) until the INTA cycle clears it. Level:
 *   IRR follows the line (set while high, cleared when it falls, still set after an INTA while
 *   the line is high). IRR latches regardless of IMR.
 * - Priority: IRs rank from the one after the lowest-priority IR (IR7 at reset; moved by the
 *   rotate commands and OCW2 set priority). A request (IRR and not IMR) is accepted when it ranks
 *   above every in-service IR (fully nested mode). In special mask mode, in-service IRs that are
 *   masked do not count, which lets lower levels in; a non-specific EOI then skips them too (data
 *   sheet: a masked IS bit is not cleared by a non-specific EOI). In special fully nested mode
 *   (ICW4.SFNM, master only) a request on a cascade input is also accepted when that same input
 *   is the highest in service (a higher request from the slave).
 * - INT outputs: a chip's INT rises when it has an accepted request and then stays high until
 *   that chip is acknowledged (INTA cycle addressed to it, or a poll read) or gets ICW1. The
 *   master's INT is the CPU's INTR (pic8259_has_interrupt()). So, as the data sheet describes,
 *   when the request goes away before the INTA cycle (line fallen on a level input, IRQ masked,
 *   ELCR changed), the acknowledge finds no request and answers with the default IR7: vector
 *   base+7, no ISR bit set (counted in `spurious`). For the slave this happens behind the master's
 *   IR2, whose edge was latched: the master sets IS2 (unless AEOI) and the vector is the slave's
 *   base+7.
 * - INTA cycle (pic8259_acknowledge()): the master takes its best accepted request; for a cascade
 *   input (cascade mode and its ICW3 bit set) the slave answers if it is in cascade mode and its
 *   ICW3 id equals that IR, else nobody drives the bus and the vector is
 *   PIC8259_FLOATING_BUS_VECTOR. The acknowledged IR's IRR bit is cleared (edge), its ISR bit set
 *   unless ICW4.AEOI, in which case the IR becomes lowest priority if rotate in AEOI is on.
 * - Vectors are ICW2 with its low 3 bits replaced by the IR (8086 mode). MCS-80/85 mode
 *   (ICW4.uPM clear, also implied by ICW1 without IC4) is recorded but vectors are formed the same
 *   way, since an x86 CPU runs the 8086 INTA sequence. ICW1.ADI and A7-A5, ICW4.BUF and ICW4.M/S
 *   are recorded only (the master/slave role comes from the wiring).
 * - ICW1 starts initialization: IMR, ISR and (edge) IRR cleared, edge sense reset (a line already
 *   high must fall and rise again), IR7 lowest priority, special mask mode and rotate in AEOI off,
 *   read register IRR, a pending poll cancelled, the slave's id set to 7, ICW4 cleared when IC4 is
 *   not set. ICW2, ICW3 (unless SNGL) and ICW4 (if IC4) then follow on the odd port; writes to
 *   the even port are still decoded as OCW2/OCW3 meanwhile. (The data sheet's list leaves ISR
 *   unstated; it is cleared, as QEMU and Bochs do.)
 * - Poll (OCW3.P): the next read of that chip, on either port, is an acknowledge of that chip
 *   alone: it sets the ISR bit (or applies AEOI) and returns PIC8259_POLL_I | IR, or 0 when there
 *   is no accepted request. Poll takes precedence over a register read selected with RR.
 * - Reads of the even port return IRR or ISR as OCW3 last selected; the odd port returns IMR.
 * - Power-on state (pic8259_init()): as after a BIOS initialization with vector base 0: ICW1
 *   cascade mode with ICW4, master ICW3 slave on IR2, slave id 2, ICW4 8086 mode, no AEOI; IMR
 *   0xff (nothing is delivered before the guest sets its vectors), IRR, ISR, ELCR clear, all lines
 *   low, IR7 lowest priority.
 * - Port accesses wider than a byte act as consecutive byte accesses to consecutive ports, lowest
 *   first; bytes past a region's ports read 0xff and ignore writes.
 */

#define PIC8259_MASTER_PORT     0x20 /* A0=0: ICW1, OCW2, OCW3; A0=1 (0x21): ICW2-4, OCW1 */
#define PIC8259_SLAVE_PORT      0xa0
#define PIC8259_PORT_COUNT      2
#define PIC8259_ELCR_PORT       0x4d0 /* 0x4d0: IRQ 0-7, 0x4d1: IRQ 8-15 */
#define PIC8259_ELCR_PORT_COUNT 2

#define PIC8259_IRS_PER_CHIP        8
#define PIC8259_IRQ_COUNT           16
#define PIC8259_CASCADE_IR          2    /* the master input the slave's INT drives */
#define PIC8259_DEFAULT_IR          7    /* the data sheet's "default IR7": spurious vector */
#define PIC8259_FLOATING_BUS_VECTOR 0xff /* INTA answered by no chip */

/* ICW1 (even port, D4 set). */
#define PIC8259_ICW1_IC4    0x01 /* ICW4 needed */
#define PIC8259_ICW1_SNGL   0x02 /* single (no ICW3); clear: cascade mode */
#define PIC8259_ICW1_ADI    0x04 /* call address interval 4 (MCS-80/85 only) */
#define PIC8259_ICW1_LTIM   0x08 /* level triggered mode */
#define PIC8259_ICW1_SELECT 0x10 /* D4: this is ICW1 */
#define PIC8259_ICW1_A7_A5  0xe0 /* MCS-80/85 vector address bits */

/* ICW2 (odd port, first after ICW1): T7-T3 of the vector; the low bits are the IR. */
#define PIC8259_ICW2_VECTOR_BASE 0xf8
#define PIC8259_IR_MASK          0x07

/* ICW3 (odd port, cascade mode): master: a bit per IR with a slave; slave: its id. */
#define PIC8259_ICW3_SLAVE_ID       0x07
#define PIC8259_SLAVE_ID_AFTER_ICW1 7 /* "the slave mode address is set to 7" */

/* ICW4 (odd port, when ICW1.IC4). */
#define PIC8259_ICW4_UPM  0x01 /* 8086/8088 mode; clear: MCS-80/85 */
#define PIC8259_ICW4_AEOI 0x02 /* automatic end of interrupt */
#define PIC8259_ICW4_MS   0x04 /* buffered mode: master (set) or slave */
#define PIC8259_ICW4_BUF  0x08 /* buffered mode */
#define PIC8259_ICW4_SFNM 0x10 /* special fully nested mode */

/* OCW2 (even port, D4 and D3 clear): R, SL, EOI select the command, L2-L0 the IR. */
#define PIC8259_OCW2_L                       0x07
#define PIC8259_OCW2_EOI                     0x20
#define PIC8259_OCW2_SL                      0x40
#define PIC8259_OCW2_R                       0x80
#define PIC8259_OCW2_COMMAND                 (PIC8259_OCW2_R | PIC8259_OCW2_SL | PIC8259_OCW2_EOI)
#define PIC8259_OCW2_ROTATE_AEOI_CLEAR       0x00
#define PIC8259_OCW2_NON_SPECIFIC_EOI        PIC8259_OCW2_EOI
#define PIC8259_OCW2_NOP                     PIC8259_OCW2_SL
#define PIC8259_OCW2_SPECIFIC_EOI            (PIC8259_OCW2_SL | PIC8259_OCW2_EOI)
#define PIC8259_OCW2_ROTATE_AEOI_SET         PIC8259_OCW2_R
#define PIC8259_OCW2_ROTATE_NON_SPECIFIC_EOI (PIC8259_OCW2_R | PIC8259_OCW2_EOI)
#define PIC8259_OCW2_SET_PRIORITY            (PIC8259_OCW2_R | PIC8259_OCW2_SL)
#define PIC8259_OCW2_ROTATE_SPECIFIC_EOI     (PIC8259_OCW2_R | PIC8259_OCW2_SL | PIC8259_OCW2_EOI)

/* OCW3 (even port, D4 clear, D3 set). */
#define PIC8259_OCW3_RIS    0x01 /* with RR: read ISR (set) or IRR */
#define PIC8259_OCW3_RR     0x02 /* read register command */
#define PIC8259_OCW3_P      0x04 /* poll command */
#define PIC8259_OCW3_SELECT 0x08 /* D3: this is OCW3 */
#define PIC8259_OCW3_SMM    0x20 /* with ESMM: set (or reset) special mask mode */
#define PIC8259_OCW3_ESMM   0x40 /* enable special mask mode change */

/* The byte a poll read returns: I set when there is an interrupt, W2-W0 its IR. */
#define PIC8259_POLL_I 0x80
#define PIC8259_POLL_W 0x07

enum pic8259_chip_index { PIC8259_MASTER, PIC8259_SLAVE, PIC8259_CHIPS };

enum pic8259_init_step {
    PIC8259_READY,       /* initialized: the odd port is OCW1 */
    PIC8259_EXPECT_ICW2, /* ICW1 written */
    PIC8259_EXPECT_ICW3,
    PIC8259_EXPECT_ICW4,
};

/* One 8259A. */
struct pic8259 {
    bool is_master; /* SP/EN: the chip whose INT is the CPU's INTR */
    uint8_t irr;
    uint8_t isr;
    uint8_t imr;
    uint8_t lines; /* IR input levels (the master's IR2 is the slave's INT) */
    uint8_t elcr;  /* level-triggered inputs (ELCR; bits of always-edge IRQs stay 0) */
    uint8_t icw1;
    uint8_t icw2;
    uint8_t icw3;
    uint8_t icw4;
    enum pic8259_init_step init_step;
    uint8_t lowest_priority_ir; /* 0-7 */
    bool read_isr;              /* OCW3 RR/RIS: the even port reads ISR (else IRR) */
    bool poll_pending;          /* OCW3 P: the next read is a poll */
    bool special_mask_mode;
    bool rotate_in_aeoi;
    bool int_output; /* INT pin, latched until this chip's acknowledge */
    /* Counters, for the dump. */
    uint32_t acknowledged; /* requests acknowledged (INTA or poll) */
    uint32_t spurious;     /* default IR7 answers */
};

/* All state; read it freely (dumps, tests), change it only through the functions below. */
struct pic8259_pair {
    struct pic8259 chip[PIC8259_CHIPS];
};

/* Power-on state (see above). Raises no interrupt. */
void pic8259_init(struct pic8259_pair *pair);
/* Claims 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1, all or none: on an error nothing is registered. */
enum iobus_status pic8259_attach(struct pic8259_pair *pair, struct iobus *bus);
/* The port handler (an io_handler) that pic8259_attach() registers, for all three ranges. */
void pic8259_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value);
/* An irq_line's set(): `pair` is the struct pic8259_pair, `irq` 0-15, `level` the line level. */
void pic8259_set_irq(void *pair, unsigned irq, bool level);
/* The INTR output: the master's INT pin. */
bool pic8259_has_interrupt(const struct pic8259_pair *pair);
/* The INTA cycle: returns the vector (spurious and floating-bus answers included) and updates
 * ISR/IRR on the chips that take part; -1 when INTR is low (no INTA cycle then). */
int pic8259_acknowledge(struct pic8259_pair *pair);
/* Both chips' registers, modes and counters, and the ELCR. */
void pic8259_dump(const struct pic8259_pair *pair, device_printf_fn print);

#endif
