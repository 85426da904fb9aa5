/* In-kernel self-tests: each test is a function in a designated table (kernel/ktests.c);
 * results go to the serial console as KTAP (as Linux KUnit prints them) for `prove`. */
#ifndef MICA_KERNEL_KTEST_H
#define MICA_KERNEL_KTEST_H

#include <stdbool.h>

struct ktest {
    const char *name;
    void (*run)(struct ktest *t);
    unsigned failures;
};

/* Records a failed check with its location; the test goes on (like KUnit's EXPECT). */
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define KT_EXPECT(t, cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ktest_fail((t), __FILE__, __LINE__, "expected " #cond ": " __VA_ARGS__);               \
    } while (0)

/* Runs the tests named by the test= option ("all" or a comma list); returns true if all passed.
 * Unknown names are a failure with a message listing the known ones. */
bool ktest_run_selected(const char *selection);

#endif
