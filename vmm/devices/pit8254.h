/* The guest's Intel 8254 PIT at ports 0x40-0x43 and the PC's port 0x61 (vmm/devices/pit8254.c):
 * counters computed from the device clock, channel 0's IRQ0 edges. Not the host's PIT driver. */
#ifndef MICA_VMM_DEVICES_PIT8254_H
#define MICA_VMM_DEVICES_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices/device.h"
#include "vmm/iobus.h"

/*
 * Model (Intel 8254 data sheet, 231164; register and bit names are the data sheet's; port 0x61
 * is the PC/AT "system control port B", named as the PIIX4's NMI Status and Control register):
 *
 * - Time: the input clock CLK runs at PIT_INPUT_HZ. Its pulse count at clock time t ns is
 *   floor(t * 1193182 / 1e9), computed exactly in 64 bits by splitting whole seconds off
 *   (pit8254_ns_to_ticks()); pulse k happens at the first ns for which that count reaches k
 *   (pit8254_ticks_to_ns()). Nothing is accumulated per access, so there is no drift: every
 *   counter state, OUT level and IRQ0 edge is a function of absolute time and of the last
 *   programming event.
 * - Wiring of a PC: all three counters run from CLK. Gates 0 and 1 are tied high; gate 2 is
 *   port 0x61 bit 0 (TIM_CNT2_EN). OUT0 drives IRQ0, OUT1 (DRAM refresh) is not connected, OUT2
 *   is read back as port 0x61 bit 5 (TMR2_OUT_STS). Channel 1 is modelled like the others.
 * - Loading: a count written to a counter goes into the count register (CR) and is loaded into
 *   the counting element (CE) on the next CLK pulse (so a mode 0 count N makes OUT rise N + 1
 *   pulses after the write, as in the data sheet's timing diagrams). Modes 1 and 5 load CR on the
 *   pulse after a gate trigger (a rising edge of the gate) instead. In modes 2 and 3 a count
 *   written while counting takes effect at the end of the current period (the data sheet says
 *   the end of the current half-cycle for mode 3; the model uses the end of the full period, so
 *   the square wave never has a shortened half). Count 0 means 65536 (10000 in BCD). Count 1 is
 *   illegal in modes 2 and 3 (data sheet); the model counts it as 2.
 * - Modes: 0 interrupt on terminal count (OUT low from the control word, high when CE reaches
 *   0, stays high; the count wraps and goes on), 1 hardware one-shot, 2 rate generator (OUT low
 *   for the one pulse where CE = 1), 3 square wave (OUT high for (N+1)/2 pulses, low for
 *   (N-1)/2; CE counts down by two), 4 software strobe and 5 hardware strobe (OUT low for the one
 *   pulse where CE = 0). Mode numbers 6 and 7 are modes 2 and 3 (M2 is "don't care"). Gate low
 *   suspends counting in modes 0, 2, 3 and 4, and forces OUT high in modes 2 and 3, whose gate's
 *   rising edge reloads CR. In mode 0 writing a count (its first byte with LSB/MSB access) sets
 *   OUT low and stops counting until the count is complete.
 * - BCD (control word bit 0) is implemented: CE counts modulo 10000 and reads back in BCD; a
 *   written count with a nibble above 9 uses 9 for that digit.
 * - Access (RW1 RW0): LSB only, MSB only, or LSB then MSB, with one flip-flop for reads and an
 *   independent one for writes (the data sheet allows interleaving a read between the two
 *   bytes of a write). A control word resets both flip-flops, drops any latched count or
 *   status and stops counting until a count is written; CE keeps its value (re-expressed when
 *   the control word switches between binary and BCD).
 * - Latches: the counter latch command (RW = 00) and the read-back command latch the count
 *   and/or the status byte; a second latch before the first is read is ignored. Reads return
 *   the latched status first, then the count bytes, from the latch while one is held, with the
 *   byte chosen by the read flip-flop. The latch is released when a read completes the
 *   programmed format (after the MSB in LSB/MSB access). So a latch between the LSB and the MSB
 *   of a read sequence yields the latched MSB next, then the read starts over with the live
 *   LSB: the flip-flop continues rather than restarting.
 * - Status byte (read-back): OUTPUT, NULL COUNT (set when a control word or a count is written,
 *   cleared when CR is loaded into CE), then RW1 RW0 M2 M1 M0 BCD as programmed. Read-back bit 0
 *   (reserved, must be 0) is ignored. Reading port 0x43 returns 0xff (no read operation there).
 * - Reset state (pit8254_init()): every counter as if just given control word "mode 0, LSB/MSB,
 *   binary" and no count: OUT low, CE 0, NULL COUNT set. (Firmware, absent here, would program
 *   counter 0 for mode 3 at 18.2 Hz; guests that need it do it themselves.)
 * - Port 0x61: bits 0-3 (TIM_CNT2_EN, SPKR_DAT_EN, PCI_SERR_EN, IOCHK_NMI_EN) read back as
 *   written (the speaker is not emulated; bits 2 and 3 are only stored); bit 4 (REF_TOGGLE)
 *   toggles every 18 CLK pulses (15.085 us, the PC's refresh period from counter 1) computed
 *   from time; bit 5 is OUT2; bits 6-7 (NMI source status) read 0.
 * - Wider accesses are split into byte accesses at consecutive ports, as the ISA bus does;
 *   bytes at ports the device does not own read 0xff and are dropped on writes.
 * - IRQ0: each rising edge of OUT0 caused by counting is one irq_line_pulse() on the IRQ0 line:
 *   mode 2 once per period, mode 3 at each period start, mode 0 once at terminal count, mode 4
 *   after its strobe. The jump of OUT to its initial level on a control word is not an edge
 *   delivered to IRQ0 (guests expect the first interrupt one period after programming).
 *   Edges are delivered only by pit8254_update(), which the hypervisor calls at
 *   pit8254_next_irq_ns() (and whenever it likes). Catch-up bound: when it finds more than
 *   PIT_MAX_CATCHUP_TICKS edges due since the previous update (the guest was not run for a
 *   while), it pulses the line PIT_MAX_CATCHUP_TICKS times and counts the others in
 *   missed_ticks; they are never delivered later. Edges are counted from absolute time, so
 *   dropping some does not shift the ones that follow.
 */

#define PIT_PORT_COUNTER0 0x40
#define PIT_PORT_COUNTER1 0x41
#define PIT_PORT_COUNTER2 0x42
#define PIT_PORT_CONTROL  0x43
#define PIT_PORT_COUNT    4
#define PIT_PORT_NMI_SC   0x61 /* PC/AT system control port B */
#define PIT_IRQ           0

#define PIT_CHANNELS          3
#define PIT_INPUT_HZ          1193182u
#define PIT_MAX_CATCHUP_TICKS 4u
#define PIT_REFRESH_TICKS     18u /* counter 1's DRAM refresh count on a PC: 15.085 us */

/* Control word (port 0x43). */
#define PIT_CW_SC_SHIFT     6 /* SC1 SC0: counter select */
#define PIT_CW_SC_MASK      0x3u
#define PIT_CW_SC_READ_BACK 3u
#define PIT_CW_RW_SHIFT     4 /* RW1 RW0: read/write access */
#define PIT_CW_RW_MASK      0x3u
#define PIT_CW_RW_LATCH     0u /* counter latch command */
#define PIT_CW_RW_LSB       1u
#define PIT_CW_RW_MSB       2u
#define PIT_CW_RW_LSB_MSB   3u
#define PIT_CW_M_SHIFT      1 /* M2 M1 M0: mode */
#define PIT_CW_M_MASK       0x7u
#define PIT_CW_BCD          0x01u
#define PIT_CW_PROGRAM_MASK 0x3fu /* RW1 RW0 M2 M1 M0 BCD, as the status byte reports them */

#define PIT_CW(sc, rw, mode, bcd)                                                                  \
    ((uint8_t)(((sc) << PIT_CW_SC_SHIFT) | ((rw) << PIT_CW_RW_SHIFT) |                             \
               ((mode) << PIT_CW_M_SHIFT) | ((bcd) ? PIT_CW_BCD : 0u)))

/* Read-back command (control word with SC = 11). COUNT and STATUS are active low. */
#define PIT_RB_COUNT_N  0x20u
#define PIT_RB_STATUS_N 0x10u
#define PIT_RB_CNT(n)   (0x02u << (n)) /* CNT0 bit 1, CNT1 bit 2, CNT2 bit 3 */

/* Status byte. */
#define PIT_STATUS_OUTPUT     0x80u
#define PIT_STATUS_NULL_COUNT 0x40u

enum pit8254_mode {
    PIT_MODE_TERMINAL_COUNT = 0,
    PIT_MODE_ONE_SHOT = 1,
    PIT_MODE_RATE_GENERATOR = 2,
    PIT_MODE_SQUARE_WAVE = 3,
    PIT_MODE_SOFTWARE_STROBE = 4,
    PIT_MODE_HARDWARE_STROBE = 5,
};

/* Port 0x61 (PIIX4 NMI_SC bit names). */
#define PIT_NMI_SC_TIM_CNT2_EN   0x01u /* gate of counter 2 */
#define PIT_NMI_SC_SPKR_DAT_EN   0x02u /* speaker data enable */
#define PIT_NMI_SC_PCI_SERR_EN   0x04u
#define PIT_NMI_SC_IOCHK_NMI_EN  0x08u
#define PIT_NMI_SC_WRITABLE      0x0fu
#define PIT_NMI_SC_REF_TOGGLE    0x10u /* refresh cycle toggle, read-only */
#define PIT_NMI_SC_TMR2_OUT_STS  0x20u /* OUT2, read-only */
#define PIT_NMI_SC_IOCHK_NMI_STS 0x40u /* read-only, always 0 here */
#define PIT_NMI_SC_SERR_NMI_STS  0x80u /* read-only, always 0 here */

/* A stretch of counting from one load of CE: elapsed(t) = e0 + (running ? t - t0 : 0) pulses. */
struct pit8254_segment {
    uint64_t t0;  /* CLK pulse number where elapsed = e0 */
    uint64_t e0;  /* pulses counted since the load, at t0 */
    uint32_t n;   /* the count loaded (1..65536, 2..65536 in modes 2 and 3) */
    bool running; /* counting (false while a gate holds it) */
};

struct pit8254_channel {
    uint8_t control; /* RW1 RW0 M2 M1 M0 BCD as programmed */
    uint8_t mode;    /* enum pit8254_mode */
    bool gate;
    uint16_t cr;         /* count register, as written (BCD when BCD is set) */
    uint8_t write_lsb;   /* first byte of an LSB/MSB write */
    bool write_msb_next; /* write flip-flop */
    bool read_msb_next;  /* read flip-flop */
    bool count_written;  /* a complete count was written since the control word */
    bool null_count;     /* CR written, not yet loaded (unless `pending` is due) */
    bool count_latched;
    uint16_t latched_count;
    bool status_latched;
    uint8_t latched_status;
    /* Counting element: either counting in `seg`, or held at hold_ce with OUT = hold_out. */
    bool counting;
    struct pit8254_segment seg;
    uint16_t hold_ce;
    bool hold_out;
    /* A load of CE scheduled at CLK pulse pend_t0 with count pend_n (it replaces `seg`). */
    bool pending;
    uint64_t pend_t0;
    uint32_t pend_n;
    uint64_t edge_base; /* counting edges of OUT in the segments before `seg` */
};

struct pit8254 {
    struct pit8254_channel channels[PIT_CHANNELS];
    uint8_t nmi_sc; /* port 0x61 bits 0-3 */
    struct device_clock clock;
    struct irq_line irq0;
    uint64_t edges_accounted; /* channel 0 edges delivered or dropped */
    uint64_t irq_pulses;      /* IRQ0 pulses delivered */
    uint64_t missed_ticks;    /* IRQ0 edges dropped by the catch-up bound */
    uint64_t updates;
};

/* Reset state (see above). The clock is copied; irq0 may be NULL (no line). */
void pit8254_init(struct pit8254 *pit, const struct device_clock *clock,
                  const struct irq_line *irq0);
/* Claims ports 0x40-0x43 and 0x61; returns an iobus_status (IOBUS_OK or why not). */
int pit8254_attach(struct pit8254 *pit, struct iobus *bus);
/* Pulses IRQ0 for the edges of OUT0 due since the last update, at most PIT_MAX_CATCHUP_TICKS. */
void pit8254_update(struct pit8254 *pit);
/* Clock time (ns) at which pit8254_update() has an IRQ0 edge to deliver: now if one is already
 * due, UINT64_MAX if OUT0 will not rise again without new programming. */
uint64_t pit8254_next_irq_ns(const struct pit8254 *pit);
void pit8254_dump(const struct pit8254 *pit, device_printf_fn print);

/* CLK pulses up to clock time ns, and the first ns at which `ticks` pulses have happened
 * (UINT64_MAX past the end of the clock). Exact, no 128-bit arithmetic. */
uint64_t pit8254_ns_to_ticks(uint64_t ns);
uint64_t pit8254_ticks_to_ns(uint64_t ticks);

#endif
