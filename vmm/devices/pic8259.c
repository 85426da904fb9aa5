/* The guest's cascaded 8259A pair and ELCR: ICW/OCW decoding, edge/level inputs, priority with
 * rotation, special masks, INTA and poll cycles, spurious IR7, port handler, dump. */
#include "vmm/devices/pic8259.h"

#include "kernel/string.h"

/* PC IRQs whose ELCR bit is reserved (always edge): timer, keyboard, cascade, RTC, FPU error. */
#define IRQ_TIMER     0
#define IRQ_KEYBOARD  1
#define IRQ_CASCADE   PIC8259_CASCADE_IR
#define IRQ_RTC       8
#define IRQ_FPU_ERROR 13

#define ALL_IRS_MASKED    0xff
#define NO_IR             (-1)
#define BYTE_BITS         8
#define FLOATING_BUS_BYTE 0xff /* a read no device answers */
#define PORT_A0           0x1  /* the chip's A0 input: set on its odd port */

static uint8_t ir_bit(unsigned ir)
{
    return (uint8_t)(1u << (ir & PIC8259_IR_MASK));
}

static uint8_t irq_bit_on_chip(unsigned irq)
{
    return ir_bit(irq % PIC8259_IRS_PER_CHIP);
}

/* ELCR bits that can be set: all but the always-edge IRQs of each chip. */
static uint8_t elcr_writable(const struct pic8259 *chip)
{
    if (chip->is_master)
        return (uint8_t) ~(irq_bit_on_chip(IRQ_TIMER) | irq_bit_on_chip(IRQ_KEYBOARD) |
                           irq_bit_on_chip(IRQ_CASCADE));
    return (uint8_t) ~(irq_bit_on_chip(IRQ_RTC) | irq_bit_on_chip(IRQ_FPU_ERROR));
}

static uint8_t level_triggered(const struct pic8259 *chip)
{
    return (chip->icw1 & PIC8259_ICW1_LTIM) ? ALL_IRS_MASKED : chip->elcr;
}

static bool cascade_mode(const struct pic8259 *chip)
{
    return !(chip->icw1 & PIC8259_ICW1_SNGL);
}

/* Master inputs with a slave behind them, per ICW3 (none in single mode). */
static uint8_t cascade_inputs(const struct pic8259 *chip)
{
    return (chip->is_master && cascade_mode(chip)) ? chip->icw3 : 0;
}

static uint8_t vector_base(const struct pic8259 *chip)
{
    return chip->icw2 & PIC8259_ICW2_VECTOR_BASE;
}

/* 0 for the highest priority IR, 7 for the lowest. */
static unsigned priority_rank(const struct pic8259 *chip, unsigned ir)
{
    return (ir - chip->lowest_priority_ir - 1) & PIC8259_IR_MASK;
}

static int highest_priority_ir(const struct pic8259 *chip, uint8_t irs)
{
    for (unsigned rank = 0; rank < PIC8259_IRS_PER_CHIP; rank++) {
        unsigned ir = (chip->lowest_priority_ir + 1 + rank) & PIC8259_IR_MASK;
        if (irs & ir_bit(ir))
            return (int)ir;
    }
    return NO_IR;
}

/* In-service IRs that hold off lower priorities (and take a non-specific EOI). */
static uint8_t effective_in_service(const struct pic8259 *chip)
{
    uint8_t in_service = chip->isr;
    if (chip->special_mask_mode)
        in_service &= (uint8_t)~chip->imr;
    return in_service;
}

/* The priority resolver: the IR the chip would have acknowledged now, or NO_IR. */
static int accepted_request(const struct pic8259 *chip)
{
    int request = highest_priority_ir(chip, chip->irr & (uint8_t)~chip->imr);
    if (request == NO_IR)
        return NO_IR;
    int serving = highest_priority_ir(chip, effective_in_service(chip));
    if (serving == NO_IR)
        return request;
    unsigned request_rank = priority_rank(chip, (unsigned)request);
    unsigned serving_rank = priority_rank(chip, (unsigned)serving);
    if (request_rank < serving_rank)
        return request;
    if (request_rank == serving_rank && (chip->icw4 & PIC8259_ICW4_SFNM) &&
        (cascade_inputs(chip) & ir_bit((unsigned)request)))
        return request;
    return NO_IR;
}

/* Drives one IR input: a rising edge (or a high level on a level-triggered input) sets IRR; a
 * falling line clears IRR only on a level-triggered input. */
static void set_input(struct pic8259 *chip, unsigned ir, bool level)
{
    uint8_t bit = ir_bit(ir);
    bool was_high = chip->lines & bit;
    bool level_mode = level_triggered(chip) & bit;
    if (level) {
        chip->lines |= bit;
        if (!was_high || level_mode)
            chip->irr |= bit;
    } else {
        chip->lines &= (uint8_t)~bit;
        if (level_mode)
            chip->irr &= (uint8_t)~bit;
    }
}

/* Resets the slave's latched INT, which the master sees as IR2 falling. */
static void reset_slave_int(struct pic8259_pair *pair)
{
    pair->chip[PIC8259_SLAVE].int_output = false;
    set_input(&pair->chip[PIC8259_MASTER], PIC8259_CASCADE_IR, false);
}

/* Re-evaluates the INT outputs after any change: slave first, since it drives the master's IR2. */
static void update_outputs(struct pic8259_pair *pair)
{
    struct pic8259 *master = &pair->chip[PIC8259_MASTER];
    struct pic8259 *slave = &pair->chip[PIC8259_SLAVE];
    if (!slave->int_output && accepted_request(slave) != NO_IR)
        slave->int_output = true;
    set_input(master, PIC8259_CASCADE_IR, slave->int_output);
    if (!master->int_output && accepted_request(master) != NO_IR)
        master->int_output = true;
}

/* The chip's part of an acknowledge of `ir` (INTA or poll). */
static void acknowledge_ir(struct pic8259 *chip, unsigned ir)
{
    uint8_t bit = ir_bit(ir);
    if (!((level_triggered(chip) & bit) && (chip->lines & bit)))
        chip->irr &= (uint8_t)~bit;
    if (chip->icw4 & PIC8259_ICW4_AEOI) {
        if (chip->rotate_in_aeoi)
            chip->lowest_priority_ir = (uint8_t)ir;
    } else {
        chip->isr |= bit;
    }
    chip->acknowledged++;
}

/* The slave's part of the INTA cycle when the master put `cascade_address` on CAS2-0. */
static int slave_acknowledge(struct pic8259_pair *pair, unsigned cascade_address)
{
    struct pic8259 *slave = &pair->chip[PIC8259_SLAVE];
    if (!cascade_mode(slave) || (slave->icw3 & PIC8259_ICW3_SLAVE_ID) != cascade_address)
        return PIC8259_FLOATING_BUS_VECTOR;
    int ir = accepted_request(slave);
    reset_slave_int(pair);
    if (ir == NO_IR) {
        slave->spurious++;
        return vector_base(slave) + PIC8259_DEFAULT_IR;
    }
    acknowledge_ir(slave, (unsigned)ir);
    return vector_base(slave) + ir;
}

int pic8259_acknowledge(struct pic8259_pair *pair)
{
    struct pic8259 *master = &pair->chip[PIC8259_MASTER];
    if (!master->int_output)
        return -1;
    master->int_output = false;
    int vector;
    int ir = accepted_request(master);
    if (ir == NO_IR) {
        master->spurious++;
        vector = vector_base(master) + PIC8259_DEFAULT_IR;
    } else {
        acknowledge_ir(master, (unsigned)ir);
        if (cascade_inputs(master) & ir_bit((unsigned)ir))
            vector = slave_acknowledge(pair, (unsigned)ir);
        else
            vector = vector_base(master) + ir;
    }
    update_outputs(pair);
    return vector;
}

bool pic8259_has_interrupt(const struct pic8259_pair *pair)
{
    return pair->chip[PIC8259_MASTER].int_output;
}

void pic8259_set_irq(void *ctx, unsigned irq, bool level)
{
    struct pic8259_pair *pair = ctx;
    if (irq >= PIC8259_IRQ_COUNT || irq == IRQ_CASCADE)
        return;
    set_input(&pair->chip[irq / PIC8259_IRS_PER_CHIP], irq % PIC8259_IRS_PER_CHIP, level);
    update_outputs(pair);
}

/* Resets the chip's INT output, as its own acknowledge does. */
static void reset_int(struct pic8259_pair *pair, struct pic8259 *chip)
{
    if (chip->is_master)
        chip->int_output = false;
    else
        reset_slave_int(pair);
}

static void write_icw1(struct pic8259_pair *pair, struct pic8259 *chip, uint8_t icw1)
{
    chip->icw1 = icw1;
    if (!(icw1 & PIC8259_ICW1_IC4))
        chip->icw4 = 0;
    if (!chip->is_master)
        chip->icw3 = PIC8259_SLAVE_ID_AFTER_ICW1;
    chip->init_step = PIC8259_EXPECT_ICW2;
    chip->imr = 0;
    chip->isr = 0;
    /* Edge sense reset: edge requests are forgotten and need a new rising edge (`lines` keeps
     * the levels, so a line high now must fall first); level requests follow their lines. */
    chip->irr = chip->lines & level_triggered(chip);
    chip->lowest_priority_ir = PIC8259_DEFAULT_IR;
    chip->read_isr = false;
    chip->poll_pending = false;
    chip->special_mask_mode = false;
    chip->rotate_in_aeoi = false;
    reset_int(pair, chip);
}

static void write_ocw2(struct pic8259 *chip, uint8_t ocw2)
{
    unsigned level = ocw2 & PIC8259_OCW2_L;
    int ir;
    switch (ocw2 & PIC8259_OCW2_COMMAND) {
    case PIC8259_OCW2_NON_SPECIFIC_EOI:
    case PIC8259_OCW2_ROTATE_NON_SPECIFIC_EOI:
        ir = highest_priority_ir(chip, effective_in_service(chip));
        if (ir == NO_IR)
            break;
        chip->isr &= (uint8_t)~ir_bit((unsigned)ir);
        if (ocw2 & PIC8259_OCW2_R)
            chip->lowest_priority_ir = (uint8_t)ir;
        break;
    case PIC8259_OCW2_SPECIFIC_EOI:
        chip->isr &= (uint8_t)~ir_bit(level);
        break;
    case PIC8259_OCW2_ROTATE_SPECIFIC_EOI:
        chip->isr &= (uint8_t)~ir_bit(level);
        chip->lowest_priority_ir = (uint8_t)level;
        break;
    case PIC8259_OCW2_SET_PRIORITY:
        chip->lowest_priority_ir = (uint8_t)level;
        break;
    case PIC8259_OCW2_ROTATE_AEOI_SET:
        chip->rotate_in_aeoi = true;
        break;
    case PIC8259_OCW2_ROTATE_AEOI_CLEAR:
        chip->rotate_in_aeoi = false;
        break;
    case PIC8259_OCW2_NOP:
        break;
    }
}

static void write_ocw3(struct pic8259 *chip, uint8_t ocw3)
{
    if (ocw3 & PIC8259_OCW3_P)
        chip->poll_pending = true;
    if (ocw3 & PIC8259_OCW3_RR)
        chip->read_isr = ocw3 & PIC8259_OCW3_RIS;
    if (ocw3 & PIC8259_OCW3_ESMM)
        chip->special_mask_mode = ocw3 & PIC8259_OCW3_SMM;
}

static void write_even_port(struct pic8259_pair *pair, struct pic8259 *chip, uint8_t value)
{
    if (value & PIC8259_ICW1_SELECT)
        write_icw1(pair, chip, value);
    else if (value & PIC8259_OCW3_SELECT)
        write_ocw3(chip, value);
    else
        write_ocw2(chip, value);
}

static void write_odd_port(struct pic8259 *chip, uint8_t value)
{
    switch (chip->init_step) {
    case PIC8259_EXPECT_ICW2:
        chip->icw2 = value;
        if (cascade_mode(chip))
            chip->init_step = PIC8259_EXPECT_ICW3;
        else if (chip->icw1 & PIC8259_ICW1_IC4)
            chip->init_step = PIC8259_EXPECT_ICW4;
        else
            chip->init_step = PIC8259_READY;
        break;
    case PIC8259_EXPECT_ICW3:
        chip->icw3 = value;
        chip->init_step = (chip->icw1 & PIC8259_ICW1_IC4) ? PIC8259_EXPECT_ICW4 : PIC8259_READY;
        break;
    case PIC8259_EXPECT_ICW4:
        chip->icw4 = value;
        chip->init_step = PIC8259_READY;
        break;
    case PIC8259_READY:
        chip->imr = value; /* OCW1 */
        break;
    }
}

/* A poll read: the chip's own acknowledge (resetting its INT even when it finds no request),
 * reported as a byte. */
static uint8_t poll(struct pic8259_pair *pair, struct pic8259 *chip)
{
    chip->poll_pending = false;
    int ir = accepted_request(chip);
    reset_int(pair, chip);
    if (ir == NO_IR)
        return 0;
    acknowledge_ir(chip, (unsigned)ir);
    return (uint8_t)(PIC8259_POLL_I | (unsigned)ir);
}

static uint8_t read_pic_port(struct pic8259_pair *pair, struct pic8259 *chip, bool odd_port)
{
    if (chip->poll_pending)
        return poll(pair, chip);
    if (odd_port)
        return chip->imr;
    return chip->read_isr ? chip->isr : chip->irr;
}

static void write_elcr(struct pic8259 *chip, uint8_t value)
{
    chip->elcr = value & elcr_writable(chip);
    /* Level inputs' IRR follows their lines from now on. */
    uint8_t level = level_triggered(chip);
    chip->irr = (uint8_t)((chip->irr & ~level) | (chip->lines & level));
}

/* One byte access. Returns the byte read (FLOATING_BUS_BYTE for a port not ours). */
static uint8_t access_byte(struct pic8259_pair *pair, uint16_t port, enum io_direction dir,
                           uint8_t value)
{
    struct pic8259 *chip;
    uint8_t result = FLOATING_BUS_BYTE;
    if (port >= PIC8259_MASTER_PORT && port < PIC8259_MASTER_PORT + PIC8259_PORT_COUNT)
        chip = &pair->chip[PIC8259_MASTER];
    else if (port >= PIC8259_SLAVE_PORT && port < PIC8259_SLAVE_PORT + PIC8259_PORT_COUNT)
        chip = &pair->chip[PIC8259_SLAVE];
    else if (port >= PIC8259_ELCR_PORT && port < PIC8259_ELCR_PORT + PIC8259_ELCR_PORT_COUNT)
        chip = &pair->chip[port - PIC8259_ELCR_PORT];
    else
        return result;

    if (port >= PIC8259_ELCR_PORT) {
        if (dir == IO_IN)
            result = chip->elcr;
        else
            write_elcr(chip, value);
    } else {
        bool odd_port = port & PORT_A0;
        if (dir == IO_IN)
            result = read_pic_port(pair, chip, odd_port);
        else if (odd_port)
            write_odd_port(chip, value);
        else
            write_even_port(pair, chip, value);
    }
    update_outputs(pair);
    return result;
}

void pic8259_io(void *device, uint16_t port, unsigned size, enum io_direction dir, uint32_t *value)
{
    struct pic8259_pair *pair = device;
    uint32_t read = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned shift = BYTE_BITS * i;
        uint8_t byte = (uint8_t)((dir == IO_OUT ? *value : 0) >> shift);
        uint8_t result = access_byte(pair, (uint16_t)(port + i), dir, byte);
        read |= (uint32_t)result << shift;
    }
    if (dir == IO_IN)
        *value = read;
}

static void init_chip(struct pic8259 *chip, bool is_master)
{
    memset(chip, 0, sizeof(*chip));
    chip->is_master = is_master;
    chip->icw1 = PIC8259_ICW1_SELECT | PIC8259_ICW1_IC4;
    chip->icw3 = is_master ? ir_bit(PIC8259_CASCADE_IR) : PIC8259_CASCADE_IR;
    chip->icw4 = PIC8259_ICW4_UPM;
    chip->init_step = PIC8259_READY;
    chip->imr = ALL_IRS_MASKED;
    chip->lowest_priority_ir = PIC8259_DEFAULT_IR;
}

void pic8259_init(struct pic8259_pair *pair)
{
    init_chip(&pair->chip[PIC8259_MASTER], true);
    init_chip(&pair->chip[PIC8259_SLAVE], false);
}

enum iobus_status pic8259_attach(struct pic8259_pair *pair, struct iobus *bus)
{
    static const struct {
        uint16_t first;
        unsigned count;
        const char *name;
    } ranges[] = {
        {PIC8259_MASTER_PORT, PIC8259_PORT_COUNT, "pic8259-master"},
        {PIC8259_SLAVE_PORT, PIC8259_PORT_COUNT, "pic8259-slave"},
        {PIC8259_ELCR_PORT, PIC8259_ELCR_PORT_COUNT, "elcr"},
    };
    const unsigned range_count = sizeof(ranges) / sizeof(ranges[0]);
    /* Check everything first so that a failure leaves the bus as it was. */
    if (bus->region_count + range_count > IOBUS_MAX_REGIONS)
        return IOBUS_ERR_FULL;
    for (unsigned i = 0; i < range_count; i++) {
        for (unsigned p = 0; p < ranges[i].count; p++) {
            if (iobus_find(bus, (uint16_t)(ranges[i].first + p)))
                return IOBUS_ERR_OVERLAP;
        }
    }
    for (unsigned i = 0; i < range_count; i++) {
        enum iobus_status status =
            iobus_register(bus, ranges[i].first, ranges[i].count, pic8259_io, pair, ranges[i].name);
        if (status != IOBUS_OK)
            return status;
    }
    return IOBUS_OK;
}

static const char *init_step_name(enum pic8259_init_step step)
{
    switch (step) {
    case PIC8259_READY:
        return "ready";
    case PIC8259_EXPECT_ICW2:
        return "expecting ICW2";
    case PIC8259_EXPECT_ICW3:
        return "expecting ICW3";
    case PIC8259_EXPECT_ICW4:
        return "expecting ICW4";
    }
    return "?";
}

static const char *on_off(bool on)
{
    return on ? "on" : "off";
}

static void dump_chip(const struct pic8259 *chip, device_printf_fn print)
{
    print("pic8259 %s: irr 0x%02x isr 0x%02x imr 0x%02x lines 0x%02x elcr 0x%02x, int %s\n",
          chip->is_master ? "master" : "slave", chip->irr, chip->isr, chip->imr, chip->lines,
          chip->elcr, chip->int_output ? "high" : "low");
    print("  icw1 0x%02x icw2 0x%02x icw3 0x%02x icw4 0x%02x: vector base 0x%02x, %s, %s, %s "
          "mode, aeoi %s, sfnm %s, buffered %s (%s)\n",
          chip->icw1, chip->icw2, chip->icw3, chip->icw4, vector_base(chip),
          cascade_mode(chip) ? "cascade" : "single",
          (chip->icw1 & PIC8259_ICW1_LTIM) ? "level-triggered" : "edge-triggered",
          (chip->icw4 & PIC8259_ICW4_UPM) ? "8086" : "MCS-80/85",
          on_off(chip->icw4 & PIC8259_ICW4_AEOI), on_off(chip->icw4 & PIC8259_ICW4_SFNM),
          on_off(chip->icw4 & PIC8259_ICW4_BUF),
          (chip->icw4 & PIC8259_ICW4_MS) ? "master" : "slave");
    print("  %s, lowest priority IR%u, reads %s%s, special mask %s, rotate in aeoi %s, "
          "acknowledged %u, spurious %u\n",
          init_step_name(chip->init_step), (unsigned)chip->lowest_priority_ir,
          chip->read_isr ? "ISR" : "IRR", chip->poll_pending ? " (poll pending)" : "",
          on_off(chip->special_mask_mode), on_off(chip->rotate_in_aeoi),
          (unsigned)chip->acknowledged, (unsigned)chip->spurious);
}

void pic8259_dump(const struct pic8259_pair *pair, device_printf_fn print)
{
    for (unsigned i = 0; i < PIC8259_CHIPS; i++)
        dump_chip(&pair->chip[i], print);
    print("pic8259 INTR %s\n", pair->chip[PIC8259_MASTER].int_output ? "asserted" : "clear");
}
