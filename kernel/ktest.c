/* The self-test runner: selects tests by name, prints KTAP ("KTAP version 1", a plan, then
 * "ok N name" / "not ok N name" with '#' diagnostics), and says "Bail out!" on a panic. */
#include "kernel/ktest.h"

#include <stdarg.h>

#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/string.h"

extern const struct ktest ktest_table[];
extern const unsigned ktest_count;

static struct ktest current;

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    kprintf("    # %s: %s:%d: %s\n", t->name, file, line, message);
    t->failures++;
}

static void bail_out(const char *message)
{
    kprintf("Bail out! %s: %s\n", current.name ? current.name : "self-test", message);
}

static bool name_in_list(const char *name, const char *list)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

static bool known_test(const char *name, size_t len)
{
    for (unsigned i = 0; i < ktest_count; i++) {
        if (strlen(ktest_table[i].name) == len && strncmp(ktest_table[i].name, name, len) == 0)
            return true;
    }
    return false;
}

static bool check_selection(const char *selection)
{
    bool ok = true;
    if (strcmp(selection, "all") == 0)
        return true;
    for (const char *p = selection; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!known_test(p, len)) {
            kprintf("mica: unknown test '%.*s'\n", (int)len, p);
            ok = false;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (!ok) {
        kprintf("mica: known tests:");
        for (unsigned i = 0; i < ktest_count; i++)
            kprintf(" %s", ktest_table[i].name);
        kprintf(" (or test=all)\n");
    }
    return ok;
}

bool ktest_run_selected(const char *selection)
{
    bool all = strcmp(selection, "all") == 0;
    if (!check_selection(selection))
        return false;
    unsigned planned = 0;
    for (unsigned i = 0; i < ktest_count; i++)
        planned += all || name_in_list(ktest_table[i].name, selection);

    panic_set_hook(bail_out);
    kprintf("KTAP version 1\n1..%u\n", planned);
    unsigned number = 0, failed = 0;
    for (unsigned i = 0; i < ktest_count; i++) {
        if (!all && !name_in_list(ktest_table[i].name, selection))
            continue;
        current = ktest_table[i];
        current.failures = 0;
        current.run(&current);
        number++;
        kprintf("%sok %u %s\n", current.failures ? "not " : "", number, current.name);
        failed += current.failures != 0;
    }
    current.name = NULL;
    panic_set_hook(NULL);
    kprintf("# mica self-tests: %u passed, %u failed\n", number - failed, failed);
    return failed == 0;
}
