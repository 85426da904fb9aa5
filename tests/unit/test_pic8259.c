/* Host unit tests of vmm/devices/pic8259.c, driven through the port bus as a guest would: init
 * sequence, register reads, priorities, EOIs, rotation, masks, triggering, spurious, cascade. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices/pic8259.h"
#include "vmm/iobus.h"

#define MASTER_CMD  PIC8259_MASTER_PORT
#define MASTER_DATA (PIC8259_MASTER_PORT + 1)
#define SLAVE_CMD   PIC8259_SLAVE_PORT
#define SLAVE_DATA  (PIC8259_SLAVE_PORT + 1)
#define ELCR_MASTER PIC8259_ELCR_PORT
#define ELCR_SLAVE  (PIC8259_ELCR_PORT + 1)

/* The init sequence of Linux and of PC BIOSes: ICW1 0x11, ICW2 0x20/0x28, ICW3 0x04/0x02,
 * ICW4 0x01. */
#define ICW1_EDGE_CASCADE_ICW4 (PIC8259_ICW1_SELECT | PIC8259_ICW1_IC4)
#define MASTER_VECTOR_BASE     0x20
#define SLAVE_VECTOR_BASE      0x28
#define ICW3_SLAVE_ON_IR2      (1u << PIC8259_CASCADE_IR)
#define ICW3_SLAVE_ID          PIC8259_CASCADE_IR
#define ICW4_8086              PIC8259_ICW4_UPM

#define OCW3_READ_IRR        (PIC8259_OCW3_SELECT | PIC8259_OCW3_RR)
#define OCW3_READ_ISR        (PIC8259_OCW3_SELECT | PIC8259_OCW3_RR | PIC8259_OCW3_RIS)
#define OCW3_POLL            (PIC8259_OCW3_SELECT | PIC8259_OCW3_P)
#define OCW3_SET_SMM         (PIC8259_OCW3_SELECT | PIC8259_OCW3_ESMM | PIC8259_OCW3_SMM)
#define OCW3_RESET_SMM       (PIC8259_OCW3_SELECT | PIC8259_OCW3_ESMM)
#define EOI                  PIC8259_OCW2_NON_SPECIFIC_EOI
#define UNMASK_ALL           0x00
#define MASK_ALL             0xff
#define NO_INTERRUPT         (-1)
#define ELCR_MASTER_WRITABLE 0xf8 /* IRQ 0, 1, 2 always edge */
#define ELCR_SLAVE_WRITABLE  0xde /* IRQ 8, 13 always edge */
#define IMR_PATTERN          0x5a /* any mask value, to read back */
#define FLOATING_BYTE        0xff /* a byte no device answers */
#define BYTE_VALUES          0x100
#define RANDOM_ITERATIONS    300000
#define RANDOM_SEED          0x8259a8259a8259a1ull

static uint8_t bit(unsigned ir)
{
    return (uint8_t)(1u << (ir % PIC8259_IRS_PER_CHIP));
}

struct fixture {
    struct iobus bus;
    struct pic8259_pair pic;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    iobus_init(&f->bus);
    pic8259_init(&f->pic);
    assert_int_equal(pic8259_attach(&f->pic, &f->bus), IOBUS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
    uint32_t v = value;
    assert_true(iobus_access(&f->bus, port, 1, IO_OUT, &v));
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
    uint32_t v = 0;
    assert_true(iobus_access(&f->bus, port, 1, IO_IN, &v));
    return (uint8_t)v;
}

static uint8_t read_irr(struct fixture *f, uint16_t cmd_port)
{
    outb(f, cmd_port, OCW3_READ_IRR);
    return inb(f, cmd_port);
}

static uint8_t read_isr(struct fixture *f, uint16_t cmd_port)
{
    outb(f, cmd_port, OCW3_READ_ISR);
    return inb(f, cmd_port);
}

/* Linux's init_8259A(): mask, ICW1-4 for master then slave, then the masks. */
static void init_pics_with_icw4(struct fixture *f, uint8_t master_icw4, uint8_t slave_icw4,
                                uint8_t master_mask, uint8_t slave_mask)
{
    outb(f, MASTER_DATA, MASK_ALL);
    outb(f, SLAVE_DATA, MASK_ALL);
    outb(f, MASTER_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    outb(f, MASTER_DATA, ICW3_SLAVE_ON_IR2);
    outb(f, MASTER_DATA, master_icw4);
    outb(f, SLAVE_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, SLAVE_DATA, SLAVE_VECTOR_BASE);
    outb(f, SLAVE_DATA, ICW3_SLAVE_ID);
    outb(f, SLAVE_DATA, slave_icw4);
    outb(f, MASTER_DATA, master_mask);
    outb(f, SLAVE_DATA, slave_mask);
}

static void init_pics(struct fixture *f, uint8_t master_mask, uint8_t slave_mask)
{
    init_pics_with_icw4(f, ICW4_8086, ICW4_8086, master_mask, slave_mask);
}

static struct irq_line line(struct fixture *f, unsigned irq)
{
    return (struct irq_line){.set = pic8259_set_irq, .ctx = &f->pic, .irq = irq};
}

static void raise_irq(struct fixture *f, unsigned irq)
{
    struct irq_line l = line(f, irq);
    irq_line_set(&l, true);
}

static void lower_irq(struct fixture *f, unsigned irq)
{
    struct irq_line l = line(f, irq);
    irq_line_set(&l, false);
}

static void pulse_irq(struct fixture *f, unsigned irq)
{
    struct irq_line l = line(f, irq);
    irq_line_pulse(&l);
}

static int ack(struct fixture *f)
{
    return pic8259_acknowledge(&f->pic);
}

static void test_power_on_state(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(inb(f, MASTER_DATA), MASK_ALL);
    assert_int_equal(inb(f, SLAVE_DATA), MASK_ALL);
    assert_int_equal(inb(f, MASTER_CMD), 0); /* IRR */
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(inb(f, ELCR_MASTER), 0);
    pulse_irq(f, 1);
    pulse_irq(f, 9);
    assert_false(pic8259_has_interrupt(&f->pic)); /* all masked */
    assert_int_equal(ack(f), NO_INTERRUPT);
    /* Unmasked, the power-on wiring already cascades: vector base 0 on both chips. */
    outb(f, MASTER_DATA, UNMASK_ALL);
    outb(f, SLAVE_DATA, UNMASK_ALL);
    assert_true(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), 1);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), 1); /* slave IR1 */
}

static void test_init_sequence(void **state)
{
    struct fixture *f = *state;
    init_pics(f, (uint8_t)~ICW3_SLAVE_ON_IR2, MASK_ALL);
    const struct pic8259 *master = &f->pic.chip[PIC8259_MASTER];
    const struct pic8259 *slave = &f->pic.chip[PIC8259_SLAVE];
    assert_int_equal(master->init_step, PIC8259_READY);
    assert_int_equal(slave->init_step, PIC8259_READY);
    assert_int_equal(master->icw2, MASTER_VECTOR_BASE);
    assert_int_equal(master->icw3, ICW3_SLAVE_ON_IR2);
    assert_int_equal(slave->icw3, ICW3_SLAVE_ID);
    assert_int_equal(inb(f, MASTER_DATA), (uint8_t)~ICW3_SLAVE_ON_IR2);
    assert_int_equal(inb(f, SLAVE_DATA), MASK_ALL);

    /* ICW1 clears IMR; the next odd-port writes are ICWs, not masks. */
    outb(f, MASTER_CMD, ICW1_EDGE_CASCADE_ICW4);
    assert_int_equal(inb(f, MASTER_DATA), 0);
    assert_int_equal(master->init_step, PIC8259_EXPECT_ICW2);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE | 7); /* low 3 bits ignored */
    outb(f, MASTER_DATA, ICW3_SLAVE_ON_IR2);
    assert_int_equal(master->init_step, PIC8259_EXPECT_ICW4);
    outb(f, MASTER_DATA, ICW4_8086);
    assert_int_equal(inb(f, MASTER_DATA), 0);
    outb(f, MASTER_DATA, (uint8_t)~bit(0));
    assert_int_equal(inb(f, MASTER_DATA), (uint8_t)~bit(0));
    pulse_irq(f, 0);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 0);

    /* Single mode without ICW4: ICW2 is the last word; the next write is OCW1. */
    outb(f, MASTER_CMD, PIC8259_ICW1_SELECT | PIC8259_ICW1_SNGL);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    assert_int_equal(master->init_step, PIC8259_READY);
    assert_int_equal(master->icw4, 0); /* IC4 clear: ICW4 functions zero */
    outb(f, MASTER_DATA, IMR_PATTERN);
    assert_int_equal(inb(f, MASTER_DATA), IMR_PATTERN);
}

static void test_irr_isr_imr_reads(void **state)
{
    struct fixture *f = *state;
    init_pics(f, bit(3), UNMASK_ALL);
    pulse_irq(f, 3);
    /* IRR latches even while masked. */
    assert_int_equal(read_irr(f, MASTER_CMD), bit(3));
    assert_false(pic8259_has_interrupt(&f->pic));
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(inb(f, MASTER_DATA), bit(3));
    outb(f, MASTER_DATA, UNMASK_ALL);
    assert_true(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    assert_int_equal(read_irr(f, MASTER_CMD), 0);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(3));
    /* The selection stays until changed; OCW3 without RR keeps it. */
    assert_int_equal(inb(f, MASTER_CMD), bit(3));
    outb(f, MASTER_CMD, PIC8259_OCW3_SELECT);
    assert_int_equal(inb(f, MASTER_CMD), bit(3));
    outb(f, MASTER_CMD, OCW3_READ_IRR);
    assert_int_equal(inb(f, MASTER_CMD), 0);
    /* The slave's registers are its own. */
    pulse_irq(f, 12);
    assert_int_equal(read_irr(f, SLAVE_CMD), bit(4));
    assert_int_equal(read_irr(f, MASTER_CMD), bit(PIC8259_CASCADE_IR));
}

static void test_priority_order(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 5);
    pulse_irq(f, 3);
    pulse_irq(f, 6);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    /* Fully nested: lower levels wait, a higher one interrupts. */
    assert_false(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), NO_INTERRUPT);
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(1) | bit(3));
    outb(f, MASTER_CMD, EOI);
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 6);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), NO_INTERRUPT);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
}

static void test_non_specific_and_specific_eoi(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 3);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    /* Non-specific: the highest priority in service. */
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(3));
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    /* Specific: the named level, here the lower one. */
    outb(f, MASTER_CMD, PIC8259_OCW2_SPECIFIC_EOI | 3);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(1));
    outb(f, MASTER_CMD, PIC8259_OCW2_SPECIFIC_EOI | 5); /* not in service: no change */
    assert_int_equal(read_isr(f, MASTER_CMD), bit(1));
    outb(f, MASTER_CMD, PIC8259_OCW2_NOP | 1);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(1));
    outb(f, MASTER_CMD, PIC8259_OCW2_SPECIFIC_EOI | 1);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    outb(f, MASTER_CMD, EOI); /* nothing in service: harmless */
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
}

/* The data sheet's example: IS4 and IS6 set, IR7 lowest. A rotate on non-specific EOI resets IS4
 * and makes IR4 the lowest priority, IR5 the highest. */
static void test_rotate_on_non_specific_eoi(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 6);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 6);
    pulse_irq(f, 4);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(4) | bit(6));
    outb(f, MASTER_CMD, PIC8259_OCW2_ROTATE_NON_SPECIFIC_EOI);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(6));
    assert_int_equal(f->pic.chip[PIC8259_MASTER].lowest_priority_ir, 4);
    /* Order now 5 6 7 0 1 2 3 4: IR5 beats IR3 and nests above IS6; IR3 waits for IS6. */
    pulse_irq(f, 3);
    pulse_irq(f, 5);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(6));
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
}

static void test_set_priority_and_rotate_on_specific_eoi(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    outb(f, MASTER_CMD, PIC8259_OCW2_SET_PRIORITY | 5); /* order 6 7 0 1 2 3 4 5 */
    pulse_irq(f, 0);
    pulse_irq(f, 6);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 6);
    assert_false(pic8259_has_interrupt(&f->pic)); /* IR0 ranks below IS6 */
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 0);
    outb(f, MASTER_CMD, PIC8259_OCW2_ROTATE_SPECIFIC_EOI | 0); /* order 1 ... 7 0 */
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    pulse_irq(f, 0);
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 0);
    outb(f, MASTER_CMD, EOI);
    /* ICW1 restores IR7 as the lowest priority. */
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 7);
    pulse_irq(f, 0);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 0);
}

static void test_special_mask_mode(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 3);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    pulse_irq(f, 5);
    assert_false(pic8259_has_interrupt(&f->pic));
    /* Masking the level in service is not enough without special mask mode. */
    outb(f, MASTER_DATA, bit(3));
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_CMD, OCW3_SET_SMM);
    assert_true(f->pic.chip[PIC8259_MASTER].special_mask_mode);
    assert_true(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(3) | bit(5));
    /* A non-specific EOI skips the masked IS3. */
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(3));
    outb(f, MASTER_CMD, OCW3_RESET_SMM);
    assert_false(f->pic.chip[PIC8259_MASTER].special_mask_mode);
    outb(f, MASTER_DATA, UNMASK_ALL);
    pulse_irq(f, 5);
    assert_false(pic8259_has_interrupt(&f->pic)); /* nested again under IS3 */
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
}

static void test_edge_and_level_triggering(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    /* The always-edge IRQs cannot be made level. */
    outb(f, ELCR_MASTER, MASK_ALL);
    outb(f, ELCR_SLAVE, MASK_ALL);
    assert_int_equal(inb(f, ELCR_MASTER), ELCR_MASTER_WRITABLE);
    assert_int_equal(inb(f, ELCR_SLAVE), ELCR_SLAVE_WRITABLE);
    outb(f, ELCR_MASTER, bit(5));
    outb(f, ELCR_SLAVE, bit(10));
    assert_int_equal(inb(f, ELCR_SLAVE), bit(10));

    /* Edge: IRR stays latched after the line falls. */
    outb(f, MASTER_DATA, MASK_ALL);
    pulse_irq(f, 3);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(3));
    /* Level: IRR follows the line. */
    raise_irq(f, 5);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(3) | bit(5));
    lower_irq(f, 5);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(3));
    outb(f, MASTER_CMD, PIC8259_ICW1_SELECT); /* re-init clears the edge request */
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    outb(f, MASTER_DATA, ICW3_SLAVE_ON_IR2);
    assert_int_equal(read_irr(f, MASTER_CMD), 0);
    outb(f, MASTER_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    outb(f, MASTER_DATA, ICW3_SLAVE_ON_IR2);
    outb(f, MASTER_DATA, ICW4_8086);

    /* Level: still requesting after the EOI while the line is high. */
    raise_irq(f, 5);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(5));
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    lower_irq(f, 5);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), NO_INTERRUPT);

    /* Edge: a line held high requests once. */
    raise_irq(f, 4);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    outb(f, MASTER_CMD, EOI);
    raise_irq(f, 4);
    assert_int_equal(ack(f), NO_INTERRUPT);
    /* ICW1 resets edge sense: the line must fall and rise again. */
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    assert_int_equal(read_irr(f, MASTER_CMD), 0);
    lower_irq(f, 4);
    raise_irq(f, 4);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    outb(f, MASTER_CMD, EOI);

    /* ICW1.LTIM makes every input of the chip level-triggered, ELCR or not. */
    outb(f, MASTER_CMD, ICW1_EDGE_CASCADE_ICW4 | PIC8259_ICW1_LTIM);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    outb(f, MASTER_DATA, ICW3_SLAVE_ON_IR2);
    outb(f, MASTER_DATA, ICW4_8086);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(4)); /* IRQ 4 still high */
    pulse_irq(f, 6);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(4));
}

static void test_spurious_irq7(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    outb(f, ELCR_MASTER, bit(5));
    raise_irq(f, 5);
    assert_true(pic8259_has_interrupt(&f->pic));
    lower_irq(f, 5); /* gone before the INTA cycle */
    assert_true(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + PIC8259_DEFAULT_IR);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(f->pic.chip[PIC8259_MASTER].spurious, 1);
    assert_false(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), NO_INTERRUPT);
    /* A real IR7 sets its ISR bit, which is how a handler tells them apart. */
    pulse_irq(f, 7);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 7);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(7));
    assert_int_equal(f->pic.chip[PIC8259_MASTER].spurious, 1);
}

static void test_spurious_irq15(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    outb(f, ELCR_SLAVE, bit(10));
    raise_irq(f, 10);
    assert_true(pic8259_has_interrupt(&f->pic));
    lower_irq(f, 10);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + PIC8259_DEFAULT_IR);
    assert_int_equal(read_isr(f, SLAVE_CMD), 0);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(PIC8259_CASCADE_IR));
    assert_int_equal(f->pic.chip[PIC8259_SLAVE].spurious, 1);
    assert_int_equal(f->pic.chip[PIC8259_MASTER].spurious, 0);
    outb(f, MASTER_CMD, EOI); /* what Linux does: EOI the master only */
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    pulse_irq(f, 15);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 7);
    assert_int_equal(read_isr(f, SLAVE_CMD), bit(7));
}

static void test_masking_pending_irq(void **state)
{
    struct fixture *f = *state;
    init_pics(f, bit(4), UNMASK_ALL);
    pulse_irq(f, 4);
    assert_false(pic8259_has_interrupt(&f->pic));
    assert_int_equal(ack(f), NO_INTERRUPT);
    outb(f, MASTER_DATA, UNMASK_ALL);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    outb(f, MASTER_CMD, EOI);
    /* Masked after INTR rose (the CPU had interrupts off): default IR7, the request stays. */
    pulse_irq(f, 4);
    assert_true(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_DATA, bit(4));
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + PIC8259_DEFAULT_IR);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(read_irr(f, MASTER_CMD), bit(4));
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_DATA, UNMASK_ALL);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    /* Masking the cascade input holds back every slave IRQ. */
    outb(f, MASTER_CMD, EOI);
    outb(f, MASTER_DATA, bit(PIC8259_CASCADE_IR));
    pulse_irq(f, 11);
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_DATA, UNMASK_ALL);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 3);
}

static void test_cascade(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    for (unsigned irq = 8; irq < PIC8259_IRQ_COUNT; irq++) {
        pulse_irq(f, irq);
        assert_int_equal(ack(f), SLAVE_VECTOR_BASE + irq - 8);
        assert_int_equal(read_isr(f, SLAVE_CMD), bit(irq));
        assert_int_equal(read_isr(f, MASTER_CMD), bit(PIC8259_CASCADE_IR));
        outb(f, SLAVE_CMD, EOI);
        outb(f, MASTER_CMD, EOI);
    }
    /* Slave IRQs rank at the master's IR2: above IR3, below IR1. */
    pulse_irq(f, 3);
    pulse_irq(f, 9);
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 1);
    outb(f, SLAVE_CMD, EOI);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    outb(f, MASTER_CMD, EOI);

    /* Two slave requests: the second comes once the master's IS2 is cleared. */
    pulse_irq(f, 12);
    pulse_irq(f, 14);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 4);
    outb(f, SLAVE_CMD, EOI);
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 6);
    outb(f, SLAVE_CMD, EOI);
    outb(f, MASTER_CMD, EOI);

    /* Normally nested: a higher slave IRQ waits while IS2 is set on the master... */
    pulse_irq(f, 12);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 4);
    pulse_irq(f, 9);
    assert_false(pic8259_has_interrupt(&f->pic));
    outb(f, SLAVE_CMD, EOI);
    outb(f, MASTER_CMD, EOI);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 1);
    outb(f, SLAVE_CMD, EOI);
    outb(f, MASTER_CMD, EOI);
    /* ...and in special fully nested mode it comes through. */
    init_pics_with_icw4(f, ICW4_8086 | PIC8259_ICW4_SFNM, ICW4_8086, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 12);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 4);
    pulse_irq(f, 14);
    assert_false(pic8259_has_interrupt(&f->pic)); /* lower on the slave: held by the slave */
    pulse_irq(f, 9);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 1);
    pulse_irq(f, 3);
    assert_false(pic8259_has_interrupt(&f->pic)); /* lower on the master: held by IS2 */
    assert_int_equal(read_isr(f, SLAVE_CMD), bit(9) | bit(12));
}

static void test_cascade_follows_icw3(void **state)
{
    struct fixture *f = *state;
    /* No slave declared on IR2: the master answers with its own IR2 vector. */
    outb(f, MASTER_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, MASTER_DATA, MASTER_VECTOR_BASE);
    outb(f, MASTER_DATA, 0);
    outb(f, MASTER_DATA, ICW4_8086);
    outb(f, SLAVE_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, SLAVE_DATA, SLAVE_VECTOR_BASE);
    outb(f, SLAVE_DATA, ICW3_SLAVE_ID);
    outb(f, SLAVE_DATA, ICW4_8086);
    pulse_irq(f, 10);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + PIC8259_CASCADE_IR);
    assert_int_equal(read_isr(f, SLAVE_CMD), 0);
    outb(f, MASTER_CMD, EOI);
    /* A slave with another id does not answer the cascade address: nobody drives the bus. */
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    outb(f, SLAVE_CMD, ICW1_EDGE_CASCADE_ICW4);
    outb(f, SLAVE_DATA, SLAVE_VECTOR_BASE);
    outb(f, SLAVE_DATA, ICW3_SLAVE_ID + 1);
    outb(f, SLAVE_DATA, ICW4_8086);
    pulse_irq(f, 10);
    assert_int_equal(ack(f), PIC8259_FLOATING_BUS_VECTOR);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(PIC8259_CASCADE_IR));
    assert_int_equal(read_isr(f, SLAVE_CMD), 0);
}

static void test_auto_eoi(void **state)
{
    struct fixture *f = *state;
    init_pics_with_icw4(f, ICW4_8086 | PIC8259_ICW4_AEOI, ICW4_8086, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 3);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    pulse_irq(f, 5); /* not held off: nothing in service */
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 5);
    /* Master AEOI, slave normal (Linux's auto_eoi setup). */
    pulse_irq(f, 10);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 2);
    assert_int_equal(read_isr(f, MASTER_CMD), 0);
    assert_int_equal(read_isr(f, SLAVE_CMD), bit(10));
    outb(f, SLAVE_CMD, EOI);

    /* Rotate in AEOI mode: the IR just acknowledged becomes the lowest priority. */
    outb(f, MASTER_CMD, PIC8259_OCW2_ROTATE_AEOI_SET);
    pulse_irq(f, 1);
    pulse_irq(f, 3);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    pulse_irq(f, 1);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 3); /* IR1 is lowest now */
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 1);
    assert_int_equal(f->pic.chip[PIC8259_MASTER].lowest_priority_ir, 1);
    outb(f, MASTER_CMD, PIC8259_OCW2_ROTATE_AEOI_CLEAR);
    pulse_irq(f, 4);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    assert_int_equal(f->pic.chip[PIC8259_MASTER].lowest_priority_ir, 1);

    /* A slave in AEOI mode with two requests: its INT falls at the INTA and rises again. */
    init_pics_with_icw4(f, ICW4_8086 | PIC8259_ICW4_AEOI, ICW4_8086 | PIC8259_ICW4_AEOI, UNMASK_ALL,
                        UNMASK_ALL);
    pulse_irq(f, 9);
    pulse_irq(f, 13);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 1);
    assert_int_equal(ack(f), SLAVE_VECTOR_BASE + 5);
    assert_int_equal(ack(f), NO_INTERRUPT);
}

static void test_poll_command(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pulse_irq(f, 5);
    pulse_irq(f, 3);
    outb(f, MASTER_CMD, OCW3_POLL);
    assert_int_equal(inb(f, MASTER_CMD), PIC8259_POLL_I | 3);
    assert_int_equal(read_isr(f, MASTER_CMD), bit(3));
    assert_int_equal(read_irr(f, MASTER_CMD), bit(5));
    /* IR5 ranks below IS3: no request. */
    outb(f, MASTER_CMD, OCW3_POLL);
    assert_int_equal(inb(f, MASTER_CMD), 0);
    outb(f, MASTER_CMD, EOI);
    /* Poll takes precedence over RR; the read select takes effect afterwards. */
    outb(f, MASTER_CMD, OCW3_POLL | OCW3_READ_ISR);
    assert_int_equal(inb(f, MASTER_CMD), PIC8259_POLL_I | 5);
    assert_int_equal(inb(f, MASTER_CMD), bit(5));
    outb(f, MASTER_CMD, EOI);
    assert_false(pic8259_has_interrupt(&f->pic)); /* the poll was the acknowledge */
    /* The next read on either port is the poll. */
    pulse_irq(f, 6);
    outb(f, MASTER_CMD, OCW3_POLL);
    assert_int_equal(inb(f, MASTER_DATA), PIC8259_POLL_I | 6);
    assert_int_equal(inb(f, MASTER_DATA), UNMASK_ALL);
    outb(f, MASTER_CMD, EOI);
    /* Cascade: the master reports IR2, then the slave its own IR. */
    pulse_irq(f, 11);
    outb(f, MASTER_CMD, OCW3_POLL);
    assert_int_equal(inb(f, MASTER_CMD), PIC8259_POLL_I | PIC8259_CASCADE_IR);
    outb(f, SLAVE_CMD, OCW3_POLL);
    assert_int_equal(inb(f, SLAVE_CMD), PIC8259_POLL_I | 3);
    assert_int_equal(read_isr(f, SLAVE_CMD), bit(11));
    assert_int_equal(read_isr(f, MASTER_CMD), bit(PIC8259_CASCADE_IR));
    assert_int_equal(f->pic.chip[PIC8259_SLAVE].acknowledged, 1);
}

static void test_irq_line_interface(void **state)
{
    struct fixture *f = *state;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    pic8259_set_irq(&f->pic, PIC8259_CASCADE_IR, true); /* the cascade is not a device line */
    pic8259_set_irq(&f->pic, PIC8259_IRQ_COUNT, true);
    assert_int_equal(read_irr(f, MASTER_CMD), 0);
    assert_int_equal(read_irr(f, SLAVE_CMD), 0);
    assert_false(pic8259_has_interrupt(&f->pic));
    struct irq_line timer = {.set = pic8259_set_irq, .ctx = &f->pic, .irq = 0};
    irq_line_pulse(&timer);
    assert_int_equal(ack(f), MASTER_VECTOR_BASE);
}

static void test_attach_and_wide_accesses(void **state)
{
    struct fixture *f = *state;
    unsigned regions = f->bus.region_count;
    struct pic8259_pair other;
    pic8259_init(&other);
    assert_int_equal(pic8259_attach(&other, &f->bus), IOBUS_ERR_OVERLAP);
    assert_int_equal(f->bus.region_count, regions);
    assert_string_equal(iobus_find(&f->bus, ELCR_SLAVE)->name, "elcr");

    /* All or nothing: a taken ELCR range leaves the PIC ports unclaimed. */
    struct iobus *bus = calloc(1, sizeof(*bus));
    assert_non_null(bus);
    iobus_init(bus);
    assert_int_equal(iobus_register(bus, ELCR_SLAVE, 1, pic8259_io, &other, "x"), IOBUS_OK);
    assert_int_equal(pic8259_attach(&other, bus), IOBUS_ERR_OVERLAP);
    assert_null(iobus_find(bus, MASTER_CMD));
    free(bus);

    /* 16-bit accesses are two byte accesses, low port first. */
    uint32_t v = bit(3) | (uint32_t)bit(10) << 8;
    assert_true(iobus_access(&f->bus, ELCR_MASTER, 2, IO_OUT, &v));
    assert_int_equal(inb(f, ELCR_MASTER), bit(3));
    assert_int_equal(inb(f, ELCR_SLAVE), bit(10));
    v = 0;
    assert_true(iobus_access(&f->bus, ELCR_MASTER, 2, IO_IN, &v));
    assert_int_equal(v, bit(3) | (uint32_t)bit(10) << 8);
    outb(f, MASTER_DATA, IMR_PATTERN);
    v = 0;
    assert_true(iobus_access(&f->bus, MASTER_DATA, 2, IO_IN, &v));
    assert_int_equal(v, IMR_PATTERN | FLOATING_BYTE << 8); /* 0x22 is not a PIC port */
    pulse_irq(f, 4);
    v = 0;
    assert_true(iobus_access(&f->bus, MASTER_CMD, 2, IO_IN, &v)); /* IRR, then IMR */
    assert_int_equal(v, bit(4) | IMR_PATTERN << 8);
}

static char dump_text[4096];
static size_t dump_len;

__attribute__((format(printf, 1, 2))) static void capture(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dump_text + dump_len, sizeof(dump_text) - dump_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(dump_text) - dump_len);
    dump_len += (size_t)n;
}

static void test_dump(void **state)
{
    struct fixture *f = *state;
    init_pics(f, bit(6), UNMASK_ALL);
    outb(f, ELCR_SLAVE, bit(11));
    pulse_irq(f, 6);
    pulse_irq(f, 4);
    dump_len = 0;
    dump_text[0] = '\0';
    pic8259_dump(&f->pic, capture);
    assert_non_null(strstr(dump_text, "pic8259 master: irr 0x50 isr 0x00 imr 0x40"));
    assert_non_null(strstr(dump_text, "pic8259 slave: irr 0x00 isr 0x00 imr 0x00"));
    assert_non_null(strstr(dump_text, "elcr 0x08"));
    assert_non_null(strstr(dump_text, "vector base 0x28"));
    assert_non_null(strstr(dump_text, "INTR asserted"));
    assert_int_equal(ack(f), MASTER_VECTOR_BASE + 4);
    dump_len = 0;
    pic8259_dump(&f->pic, capture);
    assert_non_null(strstr(dump_text, "isr 0x10"));
    assert_non_null(strstr(dump_text, "acknowledged 1, spurious 0"));
    assert_non_null(strstr(dump_text, "INTR clear"));
}

/* ---- randomized: random port operations and line changes, checking invariants ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static unsigned rng_below(unsigned n)
{
    return rng() % n;
}

struct random_stats {
    unsigned master_vectors, slave_vectors, master_spurious, slave_spurious, floating, polls,
        no_interrupt;
};

static uint8_t requests(const struct pic8259 *chip)
{
    return chip->irr & (uint8_t)~chip->imr;
}

static uint8_t cascade_inputs(const struct pic8259 *master)
{
    return (master->icw1 & PIC8259_ICW1_SNGL) ? 0 : master->icw3;
}

static uint8_t level_inputs(const struct pic8259 *chip)
{
    return (chip->icw1 & PIC8259_ICW1_LTIM) ? MASK_ALL : chip->elcr;
}

static bool aeoi(const struct pic8259 *chip)
{
    return chip->icw4 & PIC8259_ICW4_AEOI;
}

/* Holds after every operation. */
static void check_state(const struct pic8259_pair *pic)
{
    const struct pic8259 *master = &pic->chip[PIC8259_MASTER];
    const struct pic8259 *slave = &pic->chip[PIC8259_SLAVE];
    for (unsigned c = 0; c < PIC8259_CHIPS; c++) {
        const struct pic8259 *chip = &pic->chip[c];
        assert_true(chip->lowest_priority_ir < PIC8259_IRS_PER_CHIP);
        assert_true(chip->init_step <= PIC8259_EXPECT_ICW4);
        uint8_t writable = c == PIC8259_MASTER ? ELCR_MASTER_WRITABLE : ELCR_SLAVE_WRITABLE;
        assert_int_equal(chip->elcr & ~writable, 0);
        /* Level inputs: IRR is the line. */
        assert_int_equal((chip->irr ^ chip->lines) & level_inputs(chip), 0);
        /* Nothing in service (that could hold it off) and an unmasked request: INT is up. */
        if (chip->isr == 0 && requests(chip))
            assert_true(chip->int_output);
    }
    assert_int_equal(!!(master->lines & bit(PIC8259_CASCADE_IR)), slave->int_output);
    assert_int_equal(pic8259_has_interrupt(pic), master->int_output);
}

/* An INTA cycle, checked against the state before it. */
static void random_acknowledge(struct fixture *f, struct random_stats *stats)
{
    const struct pic8259_pair before = f->pic;
    const struct pic8259 *m0 = &before.chip[PIC8259_MASTER], *s0 = &before.chip[PIC8259_SLAVE];
    const struct pic8259 *m1 = &f->pic.chip[PIC8259_MASTER], *s1 = &f->pic.chip[PIC8259_SLAVE];
    int vector = ack(f);
    if (!m0->int_output) {
        assert_int_equal(vector, NO_INTERRUPT);
        assert_memory_equal(&before, &f->pic, sizeof(before));
        stats->no_interrupt++;
        return;
    }
    assert_in_range(vector, 0, BYTE_VALUES - 1);
    unsigned master_spurious = m1->spurious - m0->spurious;
    unsigned master_acked = m1->acknowledged - m0->acknowledged;
    unsigned slave_spurious = s1->spurious - s0->spurious;
    unsigned slave_acked = s1->acknowledged - s0->acknowledged;
    uint8_t master_new_isr = m1->isr & (uint8_t)~m0->isr;
    uint8_t slave_new_isr = s1->isr & (uint8_t)~s0->isr;
    unsigned master_base = m0->icw2 & PIC8259_ICW2_VECTOR_BASE;
    unsigned slave_base = s0->icw2 & PIC8259_ICW2_VECTOR_BASE;
    assert_int_equal(master_spurious + master_acked, 1);
    assert_true(slave_spurious + slave_acked <= 1);

    if (master_spurious) {
        assert_int_equal(vector, master_base + PIC8259_DEFAULT_IR);
        assert_int_equal(slave_spurious + slave_acked, 0);
        assert_int_equal(master_new_isr | slave_new_isr, 0);
        stats->master_spurious++;
        return;
    }
    /* The master acknowledged an unmasked request; at most that ISR bit is new. */
    assert_true(master_new_isr == 0 || (master_new_isr & requests(m0)) == master_new_isr);
    assert_true((master_new_isr & (master_new_isr - 1)) == 0);
    /* (None when AEOI, or in special fully nested mode when IS2 was already set.) */
    assert_true(master_new_isr || aeoi(m0) || (m0->icw4 & PIC8259_ICW4_SFNM));
    if (slave_spurious + slave_acked) {
        if (master_new_isr)
            assert_true(master_new_isr & cascade_inputs(m0));
        if (slave_spurious) {
            assert_int_equal(vector, slave_base + PIC8259_DEFAULT_IR);
            assert_int_equal(slave_new_isr, 0);
            stats->slave_spurious++;
        } else {
            assert_in_range(vector, slave_base, slave_base + PIC8259_IR_MASK);
            unsigned ir = (unsigned)vector - slave_base;
            assert_true(requests(s0) & bit(ir)); /* never a masked request */
            assert_int_equal(slave_new_isr, aeoi(s0) ? 0 : bit(ir));
            stats->slave_vectors++;
        }
        return;
    }
    assert_int_equal(slave_new_isr, 0);
    /* A cascade input nobody answered: the bus floats. (When ISR does not show the IR, under
     * AEOI or SFNM, 0xff with a cascade input requested is taken as that; it could also be IR7 of
     * vector base 0xf8, whose checks it would pass as well.) */
    if (master_new_isr & cascade_inputs(m0)) {
        assert_int_equal(vector, PIC8259_FLOATING_BUS_VECTOR);
        stats->floating++;
        return;
    }
    if (!master_new_isr && vector == PIC8259_FLOATING_BUS_VECTOR &&
        (requests(m0) & cascade_inputs(m0))) {
        stats->floating++;
        return;
    }
    assert_in_range(vector, master_base, master_base + PIC8259_IR_MASK);
    unsigned ir = (unsigned)vector - master_base;
    assert_true(requests(m0) & bit(ir)); /* never a masked request */
    assert_int_equal(master_new_isr, aeoi(m0) ? 0 : bit(ir));
    stats->master_vectors++;
}

static const uint16_t random_ports[] = {MASTER_CMD, MASTER_DATA, SLAVE_CMD,
                                        SLAVE_DATA, ELCR_MASTER, ELCR_SLAVE};
#define RANDOM_PORT_COUNT (sizeof(random_ports) / sizeof(random_ports[0]))

static const uint8_t ocw2_commands[] = {
    PIC8259_OCW2_ROTATE_AEOI_CLEAR,
    PIC8259_OCW2_NON_SPECIFIC_EOI,
    PIC8259_OCW2_NOP,
    PIC8259_OCW2_SPECIFIC_EOI,
    PIC8259_OCW2_ROTATE_AEOI_SET,
    PIC8259_OCW2_ROTATE_NON_SPECIFIC_EOI,
    PIC8259_OCW2_SET_PRIORITY,
    PIC8259_OCW2_ROTATE_SPECIFIC_EOI,
};

/* A port read, checked: only a pending poll may set an ISR bit, and only the one it reports. */
static void random_read(struct fixture *f, struct random_stats *stats)
{
    uint16_t port = random_ports[rng_below(RANDOM_PORT_COUNT)];
    const struct pic8259_pair before = f->pic;
    unsigned c = port == SLAVE_CMD || port == SLAVE_DATA ? PIC8259_SLAVE : PIC8259_MASTER;
    bool is_pic_port = port < PIC8259_ELCR_PORT;
    uint8_t value = inb(f, port);
    for (unsigned i = 0; i < PIC8259_CHIPS; i++) {
        uint8_t new_isr = f->pic.chip[i].isr & (uint8_t)~before.chip[i].isr;
        bool polled = is_pic_port && i == c && before.chip[i].poll_pending;
        if (polled && (value & PIC8259_POLL_I)) {
            unsigned ir = value & PIC8259_POLL_W;
            assert_true(requests(&before.chip[i]) & bit(ir));
            assert_int_equal(new_isr & (uint8_t)~bit(ir), 0);
            assert_int_equal(f->pic.chip[i].isr & bit(ir), aeoi(&before.chip[i]) ? 0 : bit(ir));
            assert_int_equal(f->pic.chip[i].acknowledged, before.chip[i].acknowledged + 1);
            stats->polls++;
        } else {
            if (polled)
                assert_int_equal(value, 0);
            assert_int_equal(new_isr, 0);
            assert_int_equal(f->pic.chip[i].acknowledged, before.chip[i].acknowledged);
        }
    }
}

static void random_init(struct fixture *f)
{
    bool slave = rng_below(2);
    uint16_t cmd = slave ? SLAVE_CMD : MASTER_CMD;
    uint8_t icw1 = PIC8259_ICW1_SELECT | (uint8_t)(rng() & (PIC8259_ICW1_IC4 | PIC8259_ICW1_SNGL |
                                                            PIC8259_ICW1_ADI | PIC8259_ICW1_LTIM));
    outb(f, cmd, icw1);
    outb(f, cmd + 1, (uint8_t)rng());
    if (!(icw1 & PIC8259_ICW1_SNGL))
        outb(f, cmd + 1, (uint8_t)rng());
    if (icw1 & PIC8259_ICW1_IC4)
        outb(f, cmd + 1, (uint8_t)rng());
}

static void random_operation(struct fixture *f, struct random_stats *stats)
{
    /* Drawn up front, one per statement, so that the sequence does not depend on the compiler's
     * order of evaluating arguments. */
    unsigned op = rng_below(100);
    uint16_t cmd = rng_below(2) ? SLAVE_CMD : MASTER_CMD;
    uint32_t choice = rng();
    uint32_t byte = rng() % BYTE_VALUES;
    const struct pic8259_pair before = f->pic;
    bool may_acknowledge = false;
    if (op < 25) {
        pic8259_set_irq(&f->pic, choice % (PIC8259_IRQ_COUNT + 1), byte & 1);
    } else if (op < 35) {
        pulse_irq(f, choice % PIC8259_IRQ_COUNT);
    } else if (op < 55) {
        random_acknowledge(f, stats);
        may_acknowledge = true;
    } else if (op < 68) {
        outb(f, cmd, ocw2_commands[choice % sizeof(ocw2_commands)] | (byte & PIC8259_OCW2_L));
    } else if (op < 75) {
        outb(f, cmd,
             PIC8259_OCW3_SELECT | (byte & (PIC8259_OCW3_ESMM | PIC8259_OCW3_SMM | PIC8259_OCW3_P |
                                            PIC8259_OCW3_RR | PIC8259_OCW3_RIS)));
    } else if (op < 82) {
        outb(f, cmd + 1, (choice & 1) ? UNMASK_ALL : (uint8_t)byte);
    } else if (op < 88) {
        random_read(f, stats);
        may_acknowledge = true; /* checked there */
    } else if (op < 91) {
        outb(f, (choice & 1) ? ELCR_SLAVE : ELCR_MASTER, (uint8_t)byte);
    } else if (op < 93) {
        random_init(f);
    } else if (op < 95) {
        outb(f, random_ports[choice % RANDOM_PORT_COUNT], (uint8_t)byte);
    } else if (op < 97) {
        init_pics(f, UNMASK_ALL, UNMASK_ALL);
    } else {
        init_pics_with_icw4(f, (uint8_t)(ICW4_8086 | (choice & PIC8259_ICW4_AEOI)),
                            (uint8_t)(ICW4_8086 | (byte & PIC8259_ICW4_AEOI)), UNMASK_ALL,
                            UNMASK_ALL);
    }
    if (!may_acknowledge) {
        /* ISR bits are set only by an acknowledge. */
        for (unsigned c = 0; c < PIC8259_CHIPS; c++) {
            assert_int_equal(f->pic.chip[c].isr & (uint8_t)~before.chip[c].isr, 0);
            assert_int_equal(f->pic.chip[c].acknowledged, before.chip[c].acknowledged);
        }
    }
    check_state(&f->pic);
}

static void test_random_operations(void **state)
{
    struct fixture *f = *state;
    struct random_stats stats = {0};
    rng_state = RANDOM_SEED;
    init_pics(f, UNMASK_ALL, UNMASK_ALL);
    for (unsigned i = 0; i < RANDOM_ITERATIONS; i++)
        random_operation(f, &stats);
    print_message("random: %u master vectors, %u slave vectors, %u master spurious, %u slave "
                  "spurious, %u floating, %u polls, %u without INTR\n",
                  stats.master_vectors, stats.slave_vectors, stats.master_spurious,
                  stats.slave_spurious, stats.floating, stats.polls, stats.no_interrupt);
    /* The run must have exercised every outcome, or it checked little. */
    assert_true(stats.master_vectors > 1000);
    assert_true(stats.slave_vectors > 1000);
    assert_true(stats.master_spurious > 10);
    assert_true(stats.slave_spurious > 10);
    assert_true(stats.floating > 0);
    assert_true(stats.polls > 100);
    assert_true(stats.no_interrupt > 1000);
}

#define PIC_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PIC_TEST(test_power_on_state),
        PIC_TEST(test_init_sequence),
        PIC_TEST(test_irr_isr_imr_reads),
        PIC_TEST(test_priority_order),
        PIC_TEST(test_non_specific_and_specific_eoi),
        PIC_TEST(test_rotate_on_non_specific_eoi),
        PIC_TEST(test_set_priority_and_rotate_on_specific_eoi),
        PIC_TEST(test_special_mask_mode),
        PIC_TEST(test_edge_and_level_triggering),
        PIC_TEST(test_spurious_irq7),
        PIC_TEST(test_spurious_irq15),
        PIC_TEST(test_masking_pending_irq),
        PIC_TEST(test_cascade),
        PIC_TEST(test_cascade_follows_icw3),
        PIC_TEST(test_auto_eoi),
        PIC_TEST(test_poll_command),
        PIC_TEST(test_irq_line_interface),
        PIC_TEST(test_attach_and_wide_accesses),
        PIC_TEST(test_dump),
        PIC_TEST(test_random_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
