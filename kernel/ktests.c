/* The in-kernel self-tests (test=all or test=NAME,...): what only the running kernel can check,
 * such as exception delivery, page protections, the allocator over real RAM, timers and ACPI. */
#include "drivers/clock_math.h"
#include "drivers/clocksource.h"
#include "drivers/lapic.h"
#include "drivers/pic8259.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/string.h"
#include "kernel/trap.h"

static void test_format(struct ktest *t)
{
    char buf[64];
    int n = ksnprintf(buf, sizeof(buf), "[%5d|%-4s|%08lx|%c]", -42, "ab", 0xbeefUL, 'z');
    KT_EXPECT(t, strcmp(buf, "[  -42|ab  |0000beef|z]") == 0, "got \"%s\"", buf);
    KT_EXPECT(t, n == (int)strlen(buf), "returned %d", n);
}

static void raise_breakpoint(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
}

static void raise_invalid_opcode(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

static void test_exceptions(struct ktest *t)
{
    int rc = fault_catch_call(raise_breakpoint, NULL);
    KT_EXPECT(t, rc == EXC_BP + 1, "int3 gave %d", rc);
    rc = fault_catch_call(raise_invalid_opcode, NULL);
    KT_EXPECT(t, rc == EXC_UD + 1, "ud2 gave %d", rc);
    KT_EXPECT(t,
              fault_catch_last()->rip == (uint64_t)raise_invalid_opcode ||
                  ksym_lookup(fault_catch_last()->rip, NULL) != NULL,
              "fault RIP %lx not in kernel text", fault_catch_last()->rip);
}

static void write_byte(void *arg)
{
    *(volatile uint8_t *)arg = 0x90;
}

static void read_byte(void *arg)
{
    (void)*(volatile uint8_t *)arg;
}

static void call_code(void *arg)
{
    ((void (*)(void))arg)();
}

static uint8_t data_code[16] = {0xc3}; /* ret, in a writable (so no-execute) page */

static void test_paging(struct ktest *t)
{
    uint8_t *text = (uint8_t *)test_paging;
    uint8_t before = *text;
    int rc = fault_catch_call(write_byte, text);
    KT_EXPECT(t, rc == EXC_PF + 1, "write to kernel text gave %d", rc);
    KT_EXPECT(t, fault_catch_last()->error_code == (PF_ERR_PRESENT | PF_ERR_WRITE),
              "error code %lx", fault_catch_last()->error_code);
    KT_EXPECT(t, fault_catch_last()->cr2 == (uint64_t)text, "CR2 %lx", fault_catch_last()->cr2);
    KT_EXPECT(t, *text == before, "kernel text changed");

    rc = fault_catch_call(read_byte, (void *)0);
    KT_EXPECT(t, rc == EXC_PF + 1, "read of address 0 gave %d", rc);
    KT_EXPECT(t, !(fault_catch_last()->error_code & PF_ERR_PRESENT), "page 0 is mapped");

    if (boot.cpu.nx) {
        rc = fault_catch_call(call_code, data_code);
        KT_EXPECT(t, rc == EXC_PF + 1, "executing data gave %d", rc);
        KT_EXPECT(t, fault_catch_last()->error_code & PF_ERR_FETCH, "error code %lx",
                  fault_catch_last()->error_code);
    }
    KT_EXPECT(t, read_cr0() & CR0_WP, "CR0.WP is off");

    uint64_t entry, size;
    KT_EXPECT(t, paging_lookup(boot.lapic.base, &entry, &size), "local APIC not mapped");
    KT_EXPECT(t, entry & PTE_PCD, "local APIC page is cacheable: %lx", entry);
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < b_end && b < a_end;
}

#define PMM_TEST_PAGES 64

static void test_pmm(struct ktest *t)
{
    uint64_t pages[PMM_TEST_PAGES];
    uint64_t free_before = pmm_free_count(&boot.pmm);
    for (unsigned i = 0; i < PMM_TEST_PAGES; i++) {
        KT_EXPECT(t, pmm_alloc_page(&boot.pmm, &pages[i]), "allocation %u failed", i);
        uint64_t p = pages[i], e = p + PAGE_SIZE;
        KT_EXPECT(t, !overlaps(p, e, (uint64_t)__kernel_start, (uint64_t)__kernel_end),
                  "page %lx is in the kernel image", p);
        KT_EXPECT(t, !overlaps(p, e, boot.mbi_phys, boot.mbi_phys + boot.mb2.total_size),
                  "page %lx holds the boot information", p);
        KT_EXPECT(t, p >= (1ull << 20), "page %lx is below 1 MiB", p);
        memset((void *)p, (int)i, PAGE_SIZE); /* really usable RAM */
        for (unsigned j = 0; j < i; j++)
            KT_EXPECT(t, pages[j] != p, "page %lx handed out twice", p);
    }
    for (unsigned i = 0; i < PMM_TEST_PAGES; i++)
        KT_EXPECT(t, *(volatile uint8_t *)(pages[i] + PAGE_SIZE - 1) == (uint8_t)i,
                  "page %lx lost its contents", pages[i]);
    for (unsigned i = 0; i < PMM_TEST_PAGES; i++)
        KT_EXPECT(t, pmm_free_page(&boot.pmm, pages[i]) == PMM_OK, "free %lx failed", pages[i]);
    KT_EXPECT(t, pmm_free_count(&boot.pmm) == free_before, "free count %lu, was %lu",
              pmm_free_count(&boot.pmm), free_before);
    KT_EXPECT(t, pmm_free_page(&boot.pmm, pages[0]) == PMM_ERR_DOUBLE_FREE,
              "double free not detected");
    KT_EXPECT(t, pmm_free_page(&boot.pmm, (uint64_t)__kernel_start) == PMM_ERR_NOT_USABLE,
              "freeing a kernel page not refused");
}

static void test_ksyms(struct ktest *t)
{
    uint64_t off = 99;
    const char *name = ksym_lookup((uint64_t)test_ksyms + 3, &off);
    KT_EXPECT(t, name && strcmp(name, "test_ksyms") == 0, "got %s", name ? name : "(none)");
    KT_EXPECT(t, off == 3, "offset %lu", off);
    KT_EXPECT(t,
              ksym_address("kernel_main") == (uint64_t)ksym_address("kernel_main") &&
                  ksym_address("panic") == (uint64_t)panic,
              "panic at %lx, table says %lx", (uint64_t)panic, ksym_address("panic"));
    KT_EXPECT(t, ksym_lookup(0x1000, NULL) == NULL, "address outside text symbolized");
}

static bool running_on_qemu_tcg(void)
{
    if (!boot.cpu.hypervisor)
        return false;
    struct cpuid_regs r = cpuid(0x40000000, 0);
    return r.ebx == 0x54474354 && r.ecx == 0x43544743 && r.edx == 0x47435447; /* "TCGTCGTCGTCG" */
}

static __attribute__((noinline)) unsigned backtrace_inner(uint64_t *frames, unsigned max)
{
    unsigned n = backtrace_collect((uint64_t)__builtin_frame_address(0), frames, max);
    __asm__ volatile("" ::: "memory"); /* keep this a real call, not a tail call */
    return n;
}

static __attribute__((noinline)) unsigned backtrace_outer(uint64_t *frames, unsigned max)
{
    unsigned n = backtrace_inner(frames, max);
    __asm__ volatile("" ::: "memory");
    return n;
}

/* GCC may name a specialised copy "fn.constprop.0" or "fn.isra.0". */
static bool is_function(const char *name, const char *function)
{
    size_t n = strlen(function);
    return name && strncmp(name, function, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static void test_backtrace(struct ktest *t)
{
    uint64_t frames[16];
    unsigned n = backtrace_outer(frames, 16);
    KT_EXPECT(t, n >= 3, "only %u frames", n);
    const char *want[] = {"backtrace_outer", "test_backtrace", "ktest_run_selected"};
    for (unsigned i = 0; i < 3 && i < n; i++) {
        const char *name = ksym_lookup(frames[i] - 1, NULL);
        KT_EXPECT(t, is_function(name, want[i]), "frame %u is %s, expected %s", i,
                  name ? name : "?", want[i]);
    }
}

static void test_msr_safe(struct ktest *t)
{
    uint64_t v = 0;
    KT_EXPECT(t, rdmsr_safe(MSR_IA32_APIC_BASE, &v), "IA32_APIC_BASE read faulted");
    KT_EXPECT(t, (v & APIC_BASE_ADDR_MASK) == boot.lapic.base, "APIC base %lx", v);
    /* No CPU implements MSR 0xdead (an unassigned index): RDMSR raises #GP. QEMU's TCG reads
     * unknown MSRs as 0 instead, so there only the non-canonical write below is checked. */
    if (!running_on_qemu_tcg()) {
        KT_EXPECT(t, !rdmsr_safe(0xdead, &v), "reading a nonexistent MSR did not fault");
        KT_EXPECT(t, fault_catch_last()->vector == EXC_GP, "vector %u", fault_catch_last()->vector);
    }
    int rc = fault_catch_call(read_byte, (void *)0x8000000000000000ul);
    KT_EXPECT(t, rc == EXC_GP + 1, "non-canonical read gave %d", rc);
}

static void test_timers(struct ktest *t)
{
    KT_EXPECT(t, boot.lapic_calibrated, "local APIC timer not calibrated");
    KT_EXPECT(t, boot.lapic.tsc_hz > 1000000, "TSC %lu Hz", boot.lapic.tsc_hz);
    KT_EXPECT(t, boot.lapic.timer_hz > 1000, "APIC timer %lu Hz", boot.lapic.timer_hz);
    if (boot.legacy.pic8259)
        KT_EXPECT(t, pic_read_masks() == 0xffff, "legacy PIC masks %x", pic_read_masks());
    /* The mode the banner names is the one IA32_APIC_BASE holds, and x2APIC mode is used
     * whenever the CPU has it (unless x2apic=off). */
    bool extd = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD;
    KT_EXPECT(t, extd == (boot.lapic.mode == LAPIC_MODE_X2APIC), "EXTD %d, mode %s", extd,
              lapic_mode_name(boot.lapic.mode));
    if (boot.cpu.x2apic && !kernel_config.x2apic_off)
        KT_EXPECT(t, boot.lapic.mode == LAPIC_MODE_X2APIC, "CPU has x2APIC, mode %s",
                  lapic_mode_name(boot.lapic.mode));
    if (kernel_config.x2apic_off && !boot.lapic.x2apic_by_firmware)
        KT_EXPECT(t, boot.lapic.mode == LAPIC_MODE_XAPIC, "x2apic=off, mode %s",
                  lapic_mode_name(boot.lapic.mode));
    /* The APIC timer counts down while running. */
    lapic_write(LAPIC_REG_TIMER_INITIAL, 0x10000000u);
    uint32_t a = lapic_read(LAPIC_REG_TIMER_CURRENT);
    for (volatile int i = 0; i < 10000; i++)
        ;
    uint32_t b = lapic_read(LAPIC_REG_TIMER_CURRENT);
    lapic_write(LAPIC_REG_TIMER_INITIAL, 0);
    KT_EXPECT(t, b < a, "APIC timer did not count down (%x then %x)", a, b);
}

/* Reference clocks must agree: each source present is measured three times over 50 ms (the
 * median is kept) and compared with the others and with the boot calibration. */
#define CLOCK_TEST_MS     50u
#define CLOCK_TEST_RUNS   3u
#define CLOCK_SOURCES_PPM 20000u /* 2 % between two sources measured here */
#define CLOCK_BOOT_PPM    50000u /* 5 % from the boot calibration (one 10 ms interval) */
#define HZ_PER_KHZ        1000u

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
    if ((a <= b && b <= c) || (c <= b && b <= a))
        return b;
    if ((b <= a && a <= c) || (c <= a && a <= b))
        return a;
    return c;
}

static bool measure_median(struct ktest *t, enum clocksource src, struct clock_rates *out)
{
    struct clock_rates r[CLOCK_TEST_RUNS];
    char why[CLOCKSOURCE_WHY_LEN];
    for (unsigned i = 0; i < CLOCK_TEST_RUNS; i++) {
        if (!clocksource_measure(&boot.clocks, src, CLOCK_TEST_MS, &r[i], why, sizeof(why))) {
            KT_EXPECT(t, false, "%s did not measure: %s", clocksource_name(src), why);
            return false;
        }
    }
    out->tsc_hz = median3(r[0].tsc_hz, r[1].tsc_hz, r[2].tsc_hz);
    out->timer_hz = median3(r[0].timer_hz, r[1].timer_hz, r[2].timer_hz);
    return true;
}

static void test_clocksource(struct ktest *t)
{
    KT_EXPECT(t, boot.lapic_calibrated, "not calibrated");
    enum clocksource forced = (enum clocksource)kernel_config.clocksource;
    if (forced != CLOCKSOURCE_AUTO)
        KT_EXPECT(t, boot.clocksource == forced, "clocksource=%s but calibrated against %s",
                  clocksource_name(forced), clocksource_name(boot.clocksource));
    kprintf("    # clocksource: boot calibration against %s: TSC %lu kHz, APIC timer %lu kHz\n",
            clocksource_name(boot.clocksource), boot.lapic.tsc_hz / HZ_PER_KHZ,
            boot.lapic.timer_hz / HZ_PER_KHZ);
    const enum clocksource all[] = {CLOCKSOURCE_PIT, CLOCKSOURCE_HPET, CLOCKSOURCE_CPUID};
    struct clock_rates first = {0};
    enum clocksource first_src = CLOCKSOURCE_AUTO;
    bool saw_boot_source = false;
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        enum clocksource src = all[i];
        bool present = src == CLOCKSOURCE_PIT    ? boot.clocks.pit_expected
                       : src == CLOCKSOURCE_HPET ? boot.clocks.hpet
                                                 : boot.clocks.cpuid15_hz || boot.clocks.cpuid16_hz;
        if (!present)
            continue;
        struct clock_rates r;
        if (!measure_median(t, src, &r))
            continue;
        uint64_t boot_ppm = clock_deviation_ppm(r.tsc_hz, boot.lapic.tsc_hz);
        kprintf("    # clocksource: %s: TSC %lu kHz (%lu ppm from boot), APIC timer %lu kHz\n",
                clocksource_name(src), r.tsc_hz / HZ_PER_KHZ, boot_ppm, r.timer_hz / HZ_PER_KHZ);
        saw_boot_source |= src == boot.clocksource;
        if (src == boot.clocksource || src != CLOCKSOURCE_CPUID)
            KT_EXPECT(t, boot_ppm <= CLOCK_BOOT_PPM, "%s: TSC %lu Hz, boot %lu Hz",
                      clocksource_name(src), r.tsc_hz, boot.lapic.tsc_hz);
        if (first_src == CLOCKSOURCE_AUTO) {
            first = r;
            first_src = src;
        } else if (src != CLOCKSOURCE_CPUID) {
            /* CPUID's figure is a statement, not a measurement (an emulator's may be fiction). */
            uint64_t tsc_ppm = clock_deviation_ppm(r.tsc_hz, first.tsc_hz);
            uint64_t timer_ppm = clock_deviation_ppm(r.timer_hz, first.timer_hz);
            kprintf("    # clocksource: %s vs %s: TSC %lu ppm, APIC timer %lu ppm apart "
                    "(tolerance %u)\n",
                    clocksource_name(src), clocksource_name(first_src), tsc_ppm, timer_ppm,
                    CLOCK_SOURCES_PPM);
            KT_EXPECT(t, tsc_ppm <= CLOCK_SOURCES_PPM, "TSC %lu Hz by %s, %lu Hz by %s", r.tsc_hz,
                      clocksource_name(src), first.tsc_hz, clocksource_name(first_src));
            KT_EXPECT(t, timer_ppm <= CLOCK_SOURCES_PPM, "APIC timer %lu Hz by %s, %lu by %s",
                      r.timer_hz, clocksource_name(src), first.timer_hz,
                      clocksource_name(first_src));
        }
    }
    KT_EXPECT(t, saw_boot_source, "the boot source %s was not measured again",
              clocksource_name(boot.clocksource));
}

static void test_acpi(struct ktest *t)
{
    KT_EXPECT(t, boot.acpi_ok, "ACPI tables not found or invalid");
    unsigned enabled = 0;
    for (unsigned i = 0; i < boot.madt.cpu_count; i++)
        enabled += boot.madt.cpus[i].enabled;
    KT_EXPECT(t, enabled >= 1, "no enabled CPU in the MADT");
    KT_EXPECT(t, boot.madt.lapic_phys == boot.lapic.base, "MADT says local APIC at %lx, MSR %lx",
              boot.madt.lapic_phys, boot.lapic.base);
    bool self = false;
    for (unsigned i = 0; i < boot.madt.cpu_count; i++)
        self |= boot.madt.cpus[i].apic_id == boot.lapic.id;
    KT_EXPECT(t, self, "this CPU (APIC id %u) is not in the MADT", boot.lapic.id);
}

const struct ktest ktest_table[] = {
    {.name = "format", .run = test_format},
    {.name = "exceptions", .run = test_exceptions},
    {.name = "paging", .run = test_paging},
    {.name = "pmm", .run = test_pmm},
    {.name = "ksyms", .run = test_ksyms},
    {.name = "backtrace", .run = test_backtrace},
    {.name = "msr_safe", .run = test_msr_safe},
    {.name = "timers", .run = test_timers},
    {.name = "clocksource", .run = test_clocksource},
    {.name = "acpi", .run = test_acpi},
};
const unsigned ktest_count = sizeof(ktest_table) / sizeof(ktest_table[0]);
