/* The guest kernel's entry (called by tests/guests/lib/start.asm after the GDT and IDT): console,
 * command line, platform (mica or native), then the chosen benchmark and its verdict. */
#include "guest/kernel/bench.h"
#include "guest/kernel/options.h"
#include "guest/kernel/platform.h"
#include "guest/kernel/uart.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/mb1.h"

#define MB1_BOOTLOADER_MAGIC 0x2badb002u

void guest_main(uint32_t magic, uint32_t mbi)
{
    uart_init();
    if (magic != MB1_BOOTLOADER_MAGIC) {
        printf("mica-guest: not started by a Multiboot loader (EAX=0x%08x)\n", magic);
        guest_exit(MICA_GUEST_FAIL);
    }
    const char *cmdline = mb1_cmdline(mbi);
    platform_init();
    printf("mica-guest: %s, TSC %u ticks/ms, command line \"%s\"\n",
           platform_on_mica() ? "running on mica" : "running natively", tsc_per_ms, cmdline);

    static struct guest_options options;
    char error[OPTIONS_ERROR_SIZE];
    if (!options_parse(&options, cmdline, error, sizeof(error))) {
        printf("mica-guest: bad command line: %s\n", error);
        printf("mica-guest: options: test=blk|timer size=N[K|M] req=N plug=N max_sectors=N "
               "lba=N seed=N sched=elevator|direct io=auto|trap|batch irq=on|off "
               "lba48=auto|on timer=1000|100|oneshot idle_ms=N\n");
        guest_exit(MICA_GUEST_FAIL);
    }
    __asm__ volatile("sti" ::: "memory"); /* IF stays 1 from here; masking is irq_disable() */
    bool pass = options.test == GUEST_TEST_BLK ? bench_blk(&options, mb1_ram_end(mbi))
                                               : bench_timer(&options);
    guest_exit(pass ? MICA_GUEST_PASS : MICA_GUEST_FAIL);
}
