# libFuzzer targets (tests/fuzz/fuzz_NAME.c) and the kernel/vmm sources each one links; included by
# the fuzzing block at the end of the Makefile (`make fuzz-smoke`, `make fuzz`).
#
# Each target is built with clang -fsanitize=fuzzer,address,undefined and checks invariants of the
# code under test (results in range, agreement with a reference, nothing written where it must not
# be), not only the absence of crashes. Seeds: tests/fuzz/corpus/NAME/, made by
# tests/fuzz/make_seeds.c (regenerate: cc -std=c11 tests/fuzz/make_seeds.c -o build/make_seeds,
# then build/make_seeds tests/fuzz/corpus).
# Inputs that once broke a target go in tests/fuzz/regressions/NAME/ (replay: build/fuzz/fuzz_NAME
# FILE...). tests/fuzz/run.sh runs the targets and reports; its header describes the output.
FUZZ_TARGETS := io_batch io_batch_devices exit_qualification devices multiboot2 acpi cmdline \
	guest_loader monitor_cmd gdb_stub

FUZZ_PLATFORM_SRCS := tests/fuzz/platform.c vmm/iobus.c vmm/devices/pic8259.c \
	vmm/devices/pit8254.c vmm/devices/cmos_rtc.c vmm/devices/vuart16550.c \
	vmm/devices/debug_console.c vmm/devices/post.c vmm/devices/ata_pio.c

fuzz_io_batch_SRCS           := vmm/io_batch.c tests/fuzz/io_batch_ref.c
fuzz_io_batch_devices_SRCS   := vmm/io_batch.c tests/fuzz/io_batch_ref.c $(FUZZ_PLATFORM_SRCS)
fuzz_exit_qualification_SRCS := vmm/vmx/exit_qualification.c
fuzz_devices_SRCS            := $(FUZZ_PLATFORM_SRCS)
fuzz_multiboot2_SRCS         := kernel/multiboot2.c
fuzz_acpi_SRCS               := drivers/acpi.c
fuzz_cmdline_SRCS            := kernel/cmdline.c kernel/format.c drivers/uart_config.c drivers/acpi.c
fuzz_guest_loader_SRCS       := vmm/guest_loader.c
fuzz_monitor_cmd_SRCS        := vmm/monitor_cmd.c kernel/format.c
fuzz_gdb_stub_SRCS           := vmm/gdb_stub.c

# Headers (a change rebuilds every target).
FUZZ_HEADERS := $(wildcard tests/fuzz/*.h include/mica/*.h kernel/*.h drivers/*.h vmm/*.h \
	vmm/devices/*.h vmm/vmx/*.h)
