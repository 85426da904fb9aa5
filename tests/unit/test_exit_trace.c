/* Host unit tests of the per-vCPU exit trace (vmm/exit_trace.c): ring order and wrap-around,
 * capacities 1 and 256, begin/end timing, disabled mode, and the printed table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/format.h"
#include "vmm/exit_trace.h"

#define ENTRY_FAIL EXIT_TRACE_REASON_ENTRY_FAIL

/* ---- helpers --------------------------------------------------------------------------------- */

/* Record k of a test sequence: every field derived from k, so order can be checked. */
static void begin_nth(struct exit_trace *t, unsigned k)
{
    exit_trace_begin(t, k % 70, 0x1000u + k, 0x400000u + k, k % 3 ? 0x2000u + k : EXIT_TRACE_NO_GPA,
                     100000u + 100u * k);
}

static void check_nth(const struct exit_trace_record *r, unsigned k)
{
    assert_non_null(r);
    assert_int_equal(r->reason, k % 70);
    assert_false(r->entry_failed);
    assert_int_equal(r->qualification, 0x1000u + k);
    assert_int_equal(r->guest_rip, 0x400000u + k);
    if (k % 3)
        assert_int_equal(r->gpa, 0x2000u + k);
    else
        assert_true(r->gpa == EXIT_TRACE_NO_GPA);
    assert_int_equal(r->exit_tsc, 100000u + 100u * k);
}

/* The printed table lands here, formatted by the kernel's own formatter. */
static char out[16384];
static size_t out_len;

__attribute__((format(printf, 1, 2))) static void capture(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(out) - out_len);
    out_len += (size_t)n;
}

static void capture_reset(void)
{
    out_len = 0;
    out[0] = '\0';
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static const char *names(unsigned reason)
{
    switch (reason) {
    case 10:
        return "CPUID";
    case 30:
        return "I/O instruction";
    case 33:
        return "VM-entry failure due to invalid guest state";
    default:
        return NULL;
    }
}

/* ---- init ------------------------------------------------------------------------------------ */

static void test_init_checks_capacity(void **state)
{
    (void)state;
    struct exit_trace_record storage[8];
    struct exit_trace t;
    assert_false(exit_trace_init(&t, storage, 0));
    assert_false(exit_trace_init(&t, storage, 3));
    assert_false(exit_trace_init(&t, storage, 6));
    assert_false(exit_trace_init(&t, NULL, 8));
    /* A failed init leaves a harmless, disabled, empty trace. */
    assert_false(exit_trace_enabled(&t));
    assert_int_equal(exit_trace_capacity(&t), 0);
    assert_null(exit_trace_begin(&t, 1, 2, 3, 4, 5));
    exit_trace_end(&t, 10);
    exit_trace_set_enabled(&t, true);
    assert_false(exit_trace_enabled(&t));
    assert_int_equal(exit_trace_count(&t), 0);
    assert_null(exit_trace_get(&t, 0));

    for (unsigned cap = 1; cap <= 8; cap *= 2) {
        memset(&t, 0xa5, sizeof(t));
        assert_true(exit_trace_init(&t, storage, cap));
        assert_true(exit_trace_enabled(&t));
        assert_int_equal(exit_trace_capacity(&t), cap);
        assert_int_equal(exit_trace_count(&t), 0);
        assert_int_equal(exit_trace_total(&t), 0);
        assert_null(exit_trace_get(&t, 0));
    }
}

/* ---- ring ------------------------------------------------------------------------------------ */

static void test_order_before_wrap(void **state)
{
    (void)state;
    struct exit_trace_record storage[8];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 8));
    for (unsigned k = 0; k < 5; k++) {
        begin_nth(&t, k);
        assert_int_equal(exit_trace_count(&t), k + 1);
    }
    for (unsigned i = 0; i < 5; i++)
        check_nth(exit_trace_get(&t, i), i);
    assert_null(exit_trace_get(&t, 5));
    assert_null(exit_trace_get(&t, 7));
}

static void test_wrap_around(void **state)
{
    (void)state;
    struct exit_trace_record storage[4];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 4));
    for (unsigned k = 0; k < 11; k++) {
        begin_nth(&t, k);
        unsigned held = k + 1 < 4 ? k + 1 : 4;
        assert_int_equal(exit_trace_count(&t), held);
        /* Always the newest 'held' records, oldest first. */
        for (unsigned i = 0; i < held; i++)
            check_nth(exit_trace_get(&t, i), k + 1 - held + i);
        assert_null(exit_trace_get(&t, held));
    }
    assert_int_equal(exit_trace_total(&t), 11);
    check_nth(exit_trace_get(&t, 0), 7);
    check_nth(exit_trace_get(&t, 3), 10);
}

static void test_capacity_1(void **state)
{
    (void)state;
    struct exit_trace_record storage[1];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 1));
    for (unsigned k = 0; k < 5; k++) {
        struct exit_trace_record *r =
            exit_trace_begin(&t, 30, k, 0x400000u + k, EXIT_TRACE_NO_GPA, 1000u * k);
        assert_ptr_equal(r, &storage[0]);
        assert_int_equal(exit_trace_count(&t), 1);
        assert_ptr_equal(exit_trace_get(&t, 0), &storage[0]);
        assert_int_equal(exit_trace_get(&t, 0)->qualification, k);
        assert_true(exit_trace_get(&t, 0)->handler_tsc == EXIT_TRACE_PENDING);
        exit_trace_end(&t, 1000u * k + 7 + k);
        assert_int_equal(exit_trace_get(&t, 0)->handler_tsc, 7 + k);
        assert_null(exit_trace_get(&t, 1));
    }
    assert_int_equal(exit_trace_total(&t), 5);
}

static void test_capacity_256(void **state)
{
    (void)state;
    static struct exit_trace_record storage[EXIT_TRACE_DEFAULT_CAPACITY];
    struct exit_trace t;
    assert_int_equal(EXIT_TRACE_DEFAULT_CAPACITY, 256);
    assert_true(exit_trace_init(&t, storage, EXIT_TRACE_DEFAULT_CAPACITY));
    for (unsigned k = 0; k < 256; k++)
        begin_nth(&t, k);
    assert_int_equal(exit_trace_count(&t), 256);
    for (unsigned i = 0; i < 256; i++)
        check_nth(exit_trace_get(&t, i), i);
    for (unsigned k = 256; k < 256 + 300; k++)
        begin_nth(&t, k);
    assert_int_equal(exit_trace_count(&t), 256);
    assert_int_equal(exit_trace_total(&t), 556);
    for (unsigned i = 0; i < 256; i++)
        check_nth(exit_trace_get(&t, i), 300 + i);
    assert_null(exit_trace_get(&t, 256));
}

static void test_reason_and_entry_failure(void **state)
{
    (void)state;
    struct exit_trace_record storage[2];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 2));
    const struct exit_trace_record *r = exit_trace_begin(&t, ENTRY_FAIL | 33, 0, 0xfff0, 0, 0);
    assert_int_equal(r->reason, 33);
    assert_true(r->entry_failed);
    /* Bits between 16 and 30 (e.g. 27, enclave mode; 29, pending MTF) are not the reason. */
    r = exit_trace_begin(&t, (1u << 27) | (1u << 29) | 48, 0, 0, 0, 0);
    assert_int_equal(r->reason, 48);
    assert_false(r->entry_failed);
    r = exit_trace_begin(&t, 0xffff, 0, 0, 0, 0);
    assert_int_equal(r->reason, 0xffff);
}

/* ---- begin / end ----------------------------------------------------------------------------- */

static void test_handler_time(void **state)
{
    (void)state;
    struct exit_trace_record storage[4];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 4));
    exit_trace_end(&t, 50); /* nothing begun: no effect, no crash */
    assert_int_equal(exit_trace_count(&t), 0);

    exit_trace_begin(&t, 10, 0, 0x100, EXIT_TRACE_NO_GPA, 1000);
    exit_trace_end(&t, 1234);
    assert_int_equal(exit_trace_get(&t, 0)->handler_tsc, 234);
    exit_trace_end(&t, 5000); /* already ended: kept */
    assert_int_equal(exit_trace_get(&t, 0)->handler_tsc, 234);

    /* Only the last begun record gets the end. */
    exit_trace_begin(&t, 10, 0, 0x100, EXIT_TRACE_NO_GPA, 2000);
    exit_trace_begin(&t, 10, 0, 0x100, EXIT_TRACE_NO_GPA, 3000);
    exit_trace_end(&t, 3010);
    assert_true(exit_trace_get(&t, 1)->handler_tsc == EXIT_TRACE_PENDING);
    assert_int_equal(exit_trace_get(&t, 2)->handler_tsc, 10);

    /* A TSC that went backwards gives 0, not a huge number. */
    exit_trace_begin(&t, 10, 0, 0x100, EXIT_TRACE_NO_GPA, 9000);
    exit_trace_end(&t, 8000);
    assert_int_equal(exit_trace_get(&t, 3)->handler_tsc, 0);

    /* The end of a record that wrapped onto slot 0 lands in that record, not the old one. */
    exit_trace_begin(&t, 12, 0, 0x100, EXIT_TRACE_NO_GPA, 10000);
    exit_trace_end(&t, 10042);
    assert_int_equal(exit_trace_get(&t, 3)->handler_tsc, 42);
    assert_int_equal(exit_trace_get(&t, 3)->reason, 12);
    assert_int_equal(storage[0].handler_tsc, 42);
}

static void test_disabled_records_nothing(void **state)
{
    (void)state;
    struct exit_trace_record storage[4], copy[4];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 4));
    memset(storage, 0x5a, sizeof(storage));
    memcpy(copy, storage, sizeof(storage));
    exit_trace_set_enabled(&t, false);
    assert_false(exit_trace_enabled(&t));
    for (unsigned k = 0; k < 10; k++) {
        assert_null(exit_trace_begin(&t, 30, k, k, k, k));
        exit_trace_end(&t, 1000);
    }
    assert_int_equal(exit_trace_count(&t), 0);
    assert_int_equal(exit_trace_total(&t), 0);
    assert_null(exit_trace_get(&t, 0));
    assert_memory_equal(storage, copy, sizeof(storage));

    /* Turned off between begin and end: the record stays held and pending. */
    exit_trace_set_enabled(&t, true);
    assert_non_null(exit_trace_begin(&t, 30, 1, 2, 3, 100));
    exit_trace_set_enabled(&t, false);
    exit_trace_end(&t, 150);
    exit_trace_set_enabled(&t, true);
    exit_trace_end(&t, 160); /* the pending end was dropped with the switch */
    assert_int_equal(exit_trace_count(&t), 1);
    assert_true(exit_trace_get(&t, 0)->handler_tsc == EXIT_TRACE_PENDING);
}

static void test_clear(void **state)
{
    (void)state;
    struct exit_trace_record storage[4];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 4));
    for (unsigned k = 0; k < 6; k++)
        begin_nth(&t, k);
    exit_trace_clear(&t);
    assert_int_equal(exit_trace_count(&t), 0);
    assert_int_equal(exit_trace_total(&t), 0);
    assert_null(exit_trace_get(&t, 0));
    assert_true(exit_trace_enabled(&t));
    exit_trace_end(&t, 1); /* the open record went with the clear */
    assert_true(storage[1].handler_tsc == EXIT_TRACE_PENDING);
    begin_nth(&t, 40);
    assert_int_equal(exit_trace_count(&t), 1);
    check_nth(exit_trace_get(&t, 0), 40);
}

/* ---- print ----------------------------------------------------------------------------------- */

#define HEADER                                                                                     \
    "         #    qualification        guest RIP              GPA      TSC at exit      handler " \
    " reason\n"

static void test_print_exact(void **state)
{
    (void)state;
    struct exit_trace_record storage[4];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 4));
    exit_trace_begin(&t, 30, 0x70, 0xfff0, EXIT_TRACE_NO_GPA, 1000);
    exit_trace_end(&t, 1250);
    exit_trace_begin(&t, 48, 0x181, 0xffffffff81000000ull, 0xfee00000, 0x123456789a);
    exit_trace_begin(&t, ENTRY_FAIL | 33, 0, 0x7c00, EXIT_TRACE_NO_GPA, 0x200000000);
    exit_trace_end(&t, 0x200000000 + 99);

    capture_reset();
    exit_trace_print(&t, 10, names, capture);
    const char *expect =
        "exit trace: last 3 of 3 exits (3 held, capacity 4)\n" HEADER
        "         0               70             fff0                -              3e8          "
        "250  30 I/O instruction\n"
        "         1              181 ffffffff81000000         fee00000       123456789a          "
        "  -  48\n"
        "         2                0             7c00                -        200000000          "
        " 99  33 VM-entry failure due to invalid guest state (VM entry failed)\n";
    assert_string_equal(out, expect);

    /* Without a name function: numbers only. */
    capture_reset();
    exit_trace_print(&t, 1, NULL, capture);
    assert_string_equal(out, "exit trace: last 1 of 3 exits (3 held, capacity 4)\n" HEADER
                             "         2                0             7c00                -      "
                             "  200000000           99  33 (VM entry failed)\n");
}

static void test_print_last_n(void **state)
{
    (void)state;
    struct exit_trace_record storage[8];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 8));
    for (unsigned k = 0; k < 13; k++) /* 8 held: #5 .. #12 */
        exit_trace_begin(&t, 10, k, 0x1000 + k, EXIT_TRACE_NO_GPA, k);

    /* 0, and larger than held: everything held, oldest first. */
    static const unsigned all[] = {0, 8, 9, 1000};
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        capture_reset();
        exit_trace_print(&t, all[i], names, capture);
        assert_int_equal(count_lines(out), 2 + 8);
        assert_non_null(strstr(out, "last 8 of 13 exits (8 held, capacity 8)"));
        const char *p5 = strstr(out, "\n         5 "), *p12 = strstr(out, "\n        12 ");
        assert_non_null(p5);
        assert_non_null(p12);
        assert_true(p5 < p12);
        assert_null(strstr(out, "\n         4 "));
    }

    /* The newest 3, newest last. */
    capture_reset();
    exit_trace_print(&t, 3, names, capture);
    assert_int_equal(count_lines(out), 2 + 3);
    const char *a = strstr(out, "\n        10 "), *b = strstr(out, "\n        11 "),
               *c = strstr(out, "\n        12 ");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
    assert_null(strstr(out, "\n         9 "));
    assert_non_null(strstr(c, " 100c                -                c            -  10 CPUID\n"));
}

static void test_print_empty_and_disabled(void **state)
{
    (void)state;
    struct exit_trace_record storage[2];
    struct exit_trace t;
    assert_true(exit_trace_init(&t, storage, 2));
    capture_reset();
    exit_trace_print(&t, 5, names, capture);
    assert_string_equal(out, "exit trace: last 0 of 0 exits (0 held, capacity 2)\n");

    exit_trace_begin(&t, 10, 0, 0, 0, 0);
    exit_trace_set_enabled(&t, false);
    capture_reset();
    exit_trace_print(&t, 0, names, capture);
    assert_int_equal(count_lines(out), 3);
    const char *head = "exit trace: last 1 of 1 exits (1 held, capacity 2, recording off)\n" HEADER;
    assert_memory_equal(out, head, strlen(head));
    assert_non_null(strstr(out + strlen(head), "  10 CPUID\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_checks_capacity),
        cmocka_unit_test(test_order_before_wrap),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_capacity_1),
        cmocka_unit_test(test_capacity_256),
        cmocka_unit_test(test_reason_and_entry_failure),
        cmocka_unit_test(test_handler_time),
        cmocka_unit_test(test_disabled_records_nothing),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_print_exact),
        cmocka_unit_test(test_print_last_n),
        cmocka_unit_test(test_print_empty_and_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
