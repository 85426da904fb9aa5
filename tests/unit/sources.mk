# Host unit tests (tests/unit/test_NAME.c) and the kernel sources each one links.
UNIT_TESTS := format cmdline multiboot2 memmap pmm acpi vmx_names

test_format_SRCS     := kernel/format.c
test_cmdline_SRCS    := kernel/cmdline.c kernel/format.c
test_multiboot2_SRCS := kernel/multiboot2.c
test_memmap_SRCS     := kernel/memmap.c
test_pmm_SRCS        := kernel/pmm.c kernel/memmap.c
test_acpi_SRCS       := drivers/acpi.c
test_vmx_names_SRCS  := vmm/vmx/vmx_names.c
