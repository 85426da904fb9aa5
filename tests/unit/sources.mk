# Host unit tests (tests/unit/test_NAME.c) and the kernel sources each one links.
UNIT_TESTS := format cmdline multiboot2 memmap pmm acpi vmx_names vmx_controls \
	exit_qualification ept guest_loader iobus cpuid_policy mmio io_batch vuart16550 pic8259 \
	pit8254 cmos_rtc io_batch_equivalence vic acpi_power exit_trace monitor_cmd gdb_stub \
	ata_pio ata_pio_string guest_options guest_ata_taskfile guest_elevator guest_pattern \
	clock_math uart_config

test_format_SRCS             := kernel/format.c
test_cmdline_SRCS            := kernel/cmdline.c kernel/format.c drivers/uart_config.c drivers/acpi.c
test_multiboot2_SRCS         := kernel/multiboot2.c
test_memmap_SRCS             := kernel/memmap.c
test_pmm_SRCS                := kernel/pmm.c kernel/memmap.c
test_acpi_SRCS               := drivers/acpi.c
test_vmx_names_SRCS          := vmm/vmx/vmx_names.c
test_vmx_controls_SRCS       := vmm/vmx/vmx_controls.c
test_exit_qualification_SRCS := vmm/vmx/exit_qualification.c
test_ept_SRCS                := vmm/vmx/ept.c
test_guest_loader_SRCS       := vmm/guest_loader.c
test_iobus_SRCS              := vmm/iobus.c
test_cpuid_policy_SRCS       := vmm/cpuid_policy.c
test_mmio_SRCS               := vmm/mmio.c
test_io_batch_SRCS           := vmm/io_batch.c
test_vuart16550_SRCS         := vmm/devices/vuart16550.c vmm/iobus.c
test_pic8259_SRCS            := vmm/devices/pic8259.c vmm/iobus.c
test_pit8254_SRCS            := vmm/devices/pit8254.c vmm/iobus.c
test_cmos_rtc_SRCS           := vmm/devices/cmos_rtc.c vmm/iobus.c
test_io_batch_equivalence_SRCS := vmm/io_batch.c vmm/iobus.c vmm/devices/pic8259.c vmm/devices/pit8254.c vmm/devices/cmos_rtc.c vmm/devices/vuart16550.c
test_vic_SRCS                := vmm/vic.c guest/lib/soft_irq.c
test_acpi_power_SRCS         := drivers/acpi.c
test_exit_trace_SRCS         := vmm/exit_trace.c kernel/format.c
test_monitor_cmd_SRCS        := vmm/monitor_cmd.c kernel/format.c
test_gdb_stub_SRCS           := vmm/gdb_stub.c
test_ata_pio_SRCS            := vmm/devices/ata_pio.c vmm/iobus.c
test_ata_pio_string_SRCS     := vmm/devices/ata_pio.c vmm/iobus.c
test_guest_options_SRCS      := guest/kernel/options.c kernel/format.c
test_guest_ata_taskfile_SRCS := guest/kernel/ata_taskfile.c
test_guest_elevator_SRCS     := guest/kernel/elevator.c
test_guest_pattern_SRCS      := guest/kernel/pattern.c
test_clock_math_SRCS         := drivers/clock_math.c
test_uart_config_SRCS        := drivers/uart_config.c drivers/acpi.c kernel/format.c
