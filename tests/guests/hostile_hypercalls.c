/* Hostile test guest: malformed hypercalls (unknown numbers, bad I/O batches, bad shared pages, bad
 * exit reasons, VMCALL from CPL 3) get the documented errors and completed counts. Prints TAP. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/mb1.h"

#define CHECKS 58

#define PAGE            4096u
#define UNBACKED        0x40000000u /* 1 GiB: beyond any default guest RAM */
#define DENIED_PORT     0xcf8u      /* PCI configuration: the hypervisor's */
#define POISON          0xdeadbeefcafef00dull
#define EXIT_VMCALL     18u
#define EXIT_REASONS    128u /* the hypervisor counts basic exit reasons 0-127 */
#define SEL_KERNEL_DATA 0x10u
#define SEL_USER_CODE   0x1bu /* GDT entry 3, RPL 3 */
#define SEL_USER_DATA   0x23u /* GDT entry 4, RPL 3 */
#define SEL_TSS         0x28u

static struct mica_io_op queue[MICA_IO_BATCH_MAX + 1] __attribute__((aligned(16)));
static uint8_t buffer[256] __attribute__((aligned(16)));
static uint8_t pages[2 * PAGE] __attribute__((aligned(PAGE)));
static uint32_t ram_end;

static const char *status_name(uint32_t st)
{
    static const char *const names[] = {"OK", "ENOSYS", "EINVAL", "EFAULT", "E2BIG", "EPERM"};
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "(not a status)";
}

static uint32_t hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t *ebx)
{
    return vmcall(nr, a1, a2, 0, 0, ebx);
}

static struct mica_io_op op_in(uint16_t port)
{
    return (struct mica_io_op){.port = port, .size = 1, .flags = 0, .count = 1, .value = POISON};
}

static uint32_t batch(const void *array, uint32_t count, uint32_t *done)
{
    *done = 0xbad;
    return hc(MICA_HC_IO_BATCH, (uint32_t)array, count, done);
}

/* ---- hypercall numbers ---- */

static void check_numbers(void)
{
    uint32_t ebx = 0;
    uint32_t st = hc(MICA_HC_PING, 41, 0, &ebx);
    tap_ok(st == MICA_HC_OK && ebx == 42, "PING(41): OK, EBX 42 (status %u, EBX %u)", st, ebx);

    static const uint32_t unknown[] = {6, 7, 0x100, 0x7fffffff, 0x80000000, 0xffffffff};
    for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        st = hc(unknown[i], 0x1234, 0, &ebx);
        tap_ok(st == MICA_HC_ENOSYS && ebx == 0x1234,
               "hypercall 0x%x: ENOSYS, EBX preserved (status %u, EBX 0x%x)", unknown[i], st, ebx);
    }
    st = hc(MICA_HC_INTERRUPT_NOTIFY, 0, 0, &ebx);
    tap_ok(st == MICA_HC_EINVAL, "INTERRUPT_NOTIFY without a shared page: EINVAL (status %u)", st);
}

static void check_exit_count(void)
{
    static const uint32_t bad[] = {EXIT_REASONS, 0x7fffffff, 0xfffffffe};
    uint32_t st, a = 0, b = 0;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st = hc(MICA_HC_EXIT_COUNT, bad[i], 0, &a);
        tap_ok(st == MICA_HC_EINVAL, "EXIT_COUNT(reason 0x%x): EINVAL (status %u)", bad[i], st);
    }
    st = hc(MICA_HC_EXIT_COUNT, MICA_EXIT_COUNT_ALL, 0, &a);
    tap_ok(st == MICA_HC_OK && a > 0, "EXIT_COUNT(all): OK, %u exits (status %u)", a, st);
    st = hc(MICA_HC_EXIT_COUNT, EXIT_VMCALL, 0, &a);
    uint32_t st2 = hc(MICA_HC_EXIT_COUNT, EXIT_VMCALL, 0, &b);
    tap_ok(st == MICA_HC_OK && st2 == MICA_HC_OK && a > 0 && b == a + 1,
           "EXIT_COUNT(VMCALL) counts itself: %u then %u (status %u %u)", a, b, st, st2);
    st = hc(MICA_HC_EXIT_COUNT, EXIT_REASONS - 1, 0, &a);
    tap_ok(st == MICA_HC_OK && a == 0, "EXIT_COUNT(127): OK, 0 exits (status %u, %u)", st, a);
}

/* ---- MICA_HC_IO_BATCH ---- */

static void expect_batch(const void *array, uint32_t count, uint32_t want_st, uint32_t want_done,
                         const char *what)
{
    uint32_t done;
    uint32_t st = batch(array, count, &done);
    tap_ok(st == want_st && done == want_done,
           "IO_BATCH %s: status %u, %u done (got status %u, %u done)", what, want_st, want_done, st,
           done);
}

static void check_batch_arguments(void)
{
    queue[0] = op_in(MICA_PORT_DEBUG_CONSOLE);
    expect_batch(queue, 0, MICA_HC_EINVAL, 0, "count 0");
    expect_batch(queue, 0xffffffff, MICA_HC_E2BIG, 0, "count 0xffffffff");
    expect_batch(queue, MICA_IO_BATCH_MAX + 1, MICA_HC_E2BIG, 0, "count 257");
    expect_batch((const uint8_t *)queue + 4, 1, MICA_HC_EINVAL, 0, "array at +4 (misaligned)");
    expect_batch((const uint8_t *)queue + 1, 1, MICA_HC_EINVAL, 0, "array at +1 (misaligned)");
    expect_batch((const void *)UNBACKED, 1, MICA_HC_EFAULT, 0, "array at 0x40000000 (not RAM)");
    expect_batch((const void *)ram_end, 1, MICA_HC_EFAULT, 0, "array at the end of guest RAM");
    expect_batch((const void *)0xfffffff0u, 2, MICA_HC_EFAULT, 0,
                 "array at 0xfffffff0, count 2 (wraps 4 GiB)");

    /* Three entries at the very end of guest RAM, the last one half outside it. */
    struct mica_io_op *tail = (struct mica_io_op *)(ram_end - 2 * MICA_IO_OP_SIZE - 8);
    tail[0] = op_in(MICA_PORT_DEBUG_CONSOLE);
    tail[1] = op_in(MICA_PORT_DEBUG_CONSOLE);
    *(volatile uint64_t *)&tail[2] = *(const uint64_t *)&tail[0]; /* the 8 bytes that are RAM */
    uint32_t done;
    uint32_t st = batch(tail, 3, &done);
    tap_ok(st == MICA_HC_EFAULT && done == 2 && tail[0].value == 0xe9 && tail[1].value == 0xe9,
           "IO_BATCH of 3 whose last entry crosses the end of guest RAM: EFAULT, 2 done, both IN "
           "results written (status %u, %u done, values 0x%x 0x%x)",
           st, done, (uint32_t)tail[0].value, (uint32_t)tail[1].value);
}

static void check_batch_entries(void)
{
    static const struct {
        struct mica_io_op op;
        uint32_t status;
        const char *what;
    } bad[] = {
        {{.port = 0xe9, .size = 3, .count = 1}, MICA_HC_EINVAL, "size 3"},
        {{.port = 0xe9, .size = 0, .count = 1}, MICA_HC_EINVAL, "size 0"},
        {{.port = 0xe9, .size = 8, .count = 1}, MICA_HC_EINVAL, "size 8"},
        {{.port = 0xe9, .size = 1, .flags = 0x04, .count = 1}, MICA_HC_EINVAL, "flags 0x04"},
        {{.port = 0xe9, .size = 1, .flags = 0x80, .count = 1}, MICA_HC_EINVAL, "flags 0x80"},
        {{.port = 0xe9, .size = 1, .count = 2}, MICA_HC_EINVAL, "count 2, not a string"},
        {{.port = 0xe9, .size = 1, .flags = MICA_IO_STRING, .count = 0},
         MICA_HC_EINVAL,
         "string count 0"},
        {{.port = 0xe9, .size = 1, .flags = MICA_IO_STRING, .count = MICA_IO_STRING_MAX + 1},
         MICA_HC_E2BIG,
         "string count 4097"},
        {{.port = DENIED_PORT, .size = 4, .count = 1}, MICA_HC_EPERM, "IN of 4 bytes at 0xcf8"},
        {{.port = DENIED_PORT, .size = 4, .flags = MICA_IO_OUT, .count = 1, .value = 0x80000000},
         MICA_HC_EPERM,
         "OUT of 4 bytes at 0xcf8"},
        {{.port = 0xcfc, .size = 1, .count = 1}, MICA_HC_EPERM, "IN of 1 byte at 0xcfc"},
        {{.port = 0xcff, .size = 1, .count = 1}, MICA_HC_EPERM, "IN of 1 byte at 0xcff"},
        {{.port = 0xcf6, .size = 4, .count = 1}, MICA_HC_EPERM, "IN of 4 bytes at 0xcf6 (0xcf6-9)"},
        {{.port = 0xe9, .size = 1, .flags = MICA_IO_STRING, .count = 16, .value = UNBACKED},
         MICA_HC_EFAULT,
         "string IN into 0x40000000"},
        {{.port = 0x80,
          .size = 1,
          .flags = MICA_IO_STRING | MICA_IO_OUT,
          .count = 16,
          .value = UNBACKED},
         MICA_HC_EFAULT,
         "string OUT from 0x40000000"},
        {{.port = 0xe9,
          .size = 4,
          .flags = MICA_IO_STRING,
          .count = 8,
          .value = 0xfffffffffffffff0ull},
         MICA_HC_EFAULT,
         "string IN whose buffer wraps 2^64"},
    };
    /* Each bad entry comes after two good ones: those take effect, the bad one stops the batch. */
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        queue[0] = op_in(MICA_PORT_DEBUG_CONSOLE);
        queue[1] = op_in(0x80);
        queue[2] = bad[i].op;
        queue[3] = op_in(MICA_PORT_DEBUG_CONSOLE);
        uint32_t done;
        uint32_t st = batch(queue, 4, &done);
        tap_ok(st == bad[i].status && done == 2 && queue[0].value == 0xe9 &&
                   queue[1].value == 0xff && queue[3].value == POISON,
               "IO_BATCH entry 2 %s: %s, 2 done (got %s, %u done, values 0x%x 0x%x)", bad[i].what,
               status_name(bad[i].status), status_name(st), done, (uint32_t)queue[0].value,
               (uint32_t)queue[1].value);
    }

    /* A string IN whose buffer runs past the end of guest RAM. */
    queue[0] = (struct mica_io_op){
        .port = 0xe9, .size = 1, .flags = MICA_IO_STRING, .count = 8, .value = ram_end - 4};
    uint32_t done;
    uint32_t st = batch(queue, 1, &done);
    tap_ok(st == MICA_HC_EFAULT && done == 0,
           "IO_BATCH string IN of 8 bytes at 4 bytes before the end of guest RAM: EFAULT, 0 done "
           "(status %u, %u done)",
           st, done);

    /* Ports next to the denied range are not denied. */
    queue[0] = (struct mica_io_op){.port = 0xcf4, .size = 4, .count = 1, .value = POISON};
    queue[1] = (struct mica_io_op){.port = 0xd00, .size = 2, .count = 1, .value = POISON};
    st = batch(queue, 2, &done);
    tap_ok(st == MICA_HC_OK && done == 2 && queue[0].value == 0xffffffffull &&
               queue[1].value == 0xffffull,
           "IO_BATCH IN 4 bytes at 0xcf4 and 2 at 0xd00 (unclaimed): OK, all ones, upper bytes "
           "zeroed (status %u, %u done, 0x%08x%08x 0x%08x%08x)",
           st, done, (uint32_t)(queue[0].value >> 32), (uint32_t)queue[0].value,
           (uint32_t)(queue[1].value >> 32), (uint32_t)queue[1].value);
}

static void check_batch_full(void)
{
    for (unsigned i = 0; i < MICA_IO_BATCH_MAX; i++)
        queue[i] = op_in(MICA_PORT_DEBUG_CONSOLE);
    uint32_t done;
    uint32_t st = batch(queue, MICA_IO_BATCH_MAX, &done);
    unsigned right = 0;
    for (unsigned i = 0; i < MICA_IO_BATCH_MAX; i++)
        right += queue[i].value == 0xe9;
    tap_ok(st == MICA_HC_OK && done == MICA_IO_BATCH_MAX && right == MICA_IO_BATCH_MAX,
           "IO_BATCH of 256 INs (the maximum): OK, 256 done, %u of 256 results 0xe9 (status %u, "
           "%u done)",
           right, st, done);

    for (unsigned i = 0; i < sizeof(buffer); i++)
        buffer[i] = 0;
    queue[0] = (struct mica_io_op){
        .port = 0xe9, .size = 1, .flags = MICA_IO_STRING, .count = 100, .value = (uint32_t)buffer};
    st = batch(queue, 1, &done);
    right = 0;
    for (unsigned i = 0; i < sizeof(buffer); i++)
        right += buffer[i] == (i < 100 ? 0xe9 : 0);
    tap_ok(st == MICA_HC_OK && done == 1 && right == sizeof(buffer),
           "IO_BATCH string IN of 100 bytes: OK, exactly 100 bytes written (status %u, %u done, "
           "%u of %u bytes right)",
           st, done, right, (unsigned)sizeof(buffer));
}

/* ---- MICA_HC_SHARED_PAGE ---- */

static void expect_shared(uint32_t gpa, uint32_t want, const char *what)
{
    uint32_t ebx;
    uint32_t st = hc(MICA_HC_SHARED_PAGE, gpa, 0, &ebx);
    tap_ok(st == want, "SHARED_PAGE(0x%x) %s: %s (got %s)", gpa, what, status_name(want),
           status_name(st));
}

static void check_shared_page(void)
{
    struct mica_vcpu_shared *s = (struct mica_vcpu_shared *)pages;
    expect_shared((uint32_t)pages + 8, MICA_HC_EINVAL, "unaligned by 8");
    expect_shared((uint32_t)pages + 1, MICA_HC_EINVAL, "unaligned by 1");
    expect_shared(UNBACKED, MICA_HC_EFAULT, "beyond guest RAM");
    expect_shared(ram_end, MICA_HC_EFAULT, "at the end of guest RAM");
    expect_shared(0xfffff000u, MICA_HC_EFAULT, "last page of 4 GiB");
    expect_shared(ram_end - PAGE + 8, MICA_HC_EINVAL, "unaligned, crossing the end of RAM");

    /* Junk in the page: the hypervisor must scrub vectors 0-31 and write its statistics. */
    s->soft_interrupt_enable = 0;
    s->pending[0] = 0xffffffffu;
    s->delivered_by_injection = 0xdeadbeef;
    expect_shared((uint32_t)pages, MICA_HC_OK, "a page of guest RAM");
    tap_ok(s->pending[0] == 0 && s->delivered_by_injection == 0,
           "the registered page: vectors 0-31 scrubbed, statistics written (pending[0] 0x%x, "
           "delivered %u)",
           s->pending[0], s->delivered_by_injection);
    expect_shared((uint32_t)pages, MICA_HC_EINVAL, "again");
    expect_shared((uint32_t)pages + PAGE, MICA_HC_EINVAL, "a second page");
    uint32_t ebx;
    uint32_t st = hc(MICA_HC_INTERRUPT_NOTIFY, 0, 0, &ebx);
    tap_ok(st == MICA_HC_OK, "INTERRUPT_NOTIFY with a shared page: OK (status %u)", st);
}

/* ---- VMCALL from CPL 3 ----
 * A GDT with ring-3 segments and a TSS (for the way back to ring 0), an IRET to user code that
 * makes the hypercall and then executes UD2: the #UD lands in catch_fault(). */

struct __attribute__((packed)) tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static struct tss32 tss;
static uint8_t ring0_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
uint32_t user_nr, user_a1, user_a2, user_status, user_ebx;

/* Runs at CPL 3: the hypercall in user_nr with user_a1/user_a2, results to user_status/ebx. */
void user_vmcall(void);
__asm__(".text\n"
        ".globl user_vmcall\n"
        "user_vmcall:\n"
        "    movl user_nr, %eax\n"
        "    movl user_a1, %ebx\n"
        "    movl user_a2, %ecx\n"
        "    xorl %edx, %edx\n"
        "    xorl %esi, %esi\n"
        "    vmcall\n"
        "    movl %eax, user_status\n"
        "    movl %ebx, user_ebx\n"
        "    ud2\n");

static void setup_ring3(void)
{
    uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
    gdt[0] = 0;
    gdt[1] = 0x00cf9a000000ffffull; /* 0x08: code, DPL 0 (as lib/start.asm's) */
    gdt[2] = 0x00cf92000000ffffull; /* 0x10: data, DPL 0 */
    gdt[3] = 0x00cffa000000ffffull; /* 0x18: code, DPL 3 */
    gdt[4] = 0x00cff2000000ffffull; /* 0x20: data, DPL 3 */
    gdt[5] = (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | (0x89ull << 40) |
             ((uint64_t)(limit >> 16) << 48) | ((uint64_t)(base >> 24) << 56); /* 32-bit TSS */
    tss.ss0 = SEL_KERNEL_DATA;
    tss.esp0 = (uint32_t)(ring0_stack + sizeof(ring0_stack));
    tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
    struct descriptor_ptr p = {.limit = sizeof(gdt) - 1, .base = (uint32_t)gdt};
    __asm__ volatile("lgdt %0; ltr %w1" : : "m"(p), "r"(SEL_TSS) : "memory");
}

static void enter_ring3(void *unused)
{
    (void)unused;
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs\n"
                     "pushl %0\n"           /* SS */
                     "pushl %1\n"           /* ESP */
                     "pushl $0x2\n"         /* EFLAGS: IF = 0, IOPL 0 */
                     "pushl %2\n"           /* CS */
                     "pushl $user_vmcall\n" /* EIP */
                     "iret"
                     :
                     : "r"(SEL_USER_DATA), "r"((uint32_t)(user_stack + sizeof(user_stack))),
                       "r"(SEL_USER_CODE)
                     : "memory");
}

static int vmcall_from_ring3(uint32_t nr, uint32_t a1, uint32_t a2)
{
    user_nr = nr;
    user_a1 = a1;
    user_a2 = a2;
    user_status = user_ebx = 0xbad;
    int f = catch_fault(enter_ring3, NULL);
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs"
                     :
                     : "r"(SEL_KERNEL_DATA));
    return f;
}

static void check_user_mode(void)
{
    setup_ring3();
    int f = vmcall_from_ring3(MICA_HC_PING, 41, 0);
    tap_ok(f == VEC_UD + 1 && user_status == MICA_HC_EPERM && user_ebx == 41,
           "PING(41) from CPL 3: EPERM, EBX preserved (status %u, EBX %u, then vector %d)",
           user_status, user_ebx, f - 1);

    queue[0] = op_in(MICA_PORT_DEBUG_CONSOLE);
    f = vmcall_from_ring3(MICA_HC_IO_BATCH, (uint32_t)queue, 1);
    tap_ok(f == VEC_UD + 1 && user_status == MICA_HC_EPERM && user_ebx == (uint32_t)queue &&
               queue[0].value == POISON,
           "IO_BATCH from CPL 3: EPERM, nothing done (status %u, EBX 0x%x, value 0x%x, then "
           "vector %d)",
           user_status, user_ebx, (uint32_t)queue[0].value, f - 1);

    uint32_t ebx = 0;
    uint32_t st = hc(MICA_HC_PING, 7, 0, &ebx);
    tap_ok(st == MICA_HC_OK && ebx == 8, "PING(7) back at CPL 0: OK, EBX 8 (status %u, EBX %u)", st,
           ebx);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    printf("hostile_hypercalls: malformed hypercalls get errors, never a hypervisor fault\n");
    ram_end = mb1_ram_end(mbi);
    tap_plan(CHECKS);
    if (!tap_ok(ram_end >= (16u << 20) && ram_end % PAGE == 0,
                "guest RAM end from the Multiboot memory map: 0x%x", ram_end))
        tap_done();
    check_numbers();
    check_exit_count();
    check_batch_arguments();
    check_batch_entries();
    check_batch_full();
    check_shared_page();
    check_user_mode();
    tap_done();
}
