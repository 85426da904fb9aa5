# mica: build the hypervisor image and ISO, run it, test it. `make help` lists the targets.
# Every target that needs a tool installs it first (scripts/ensure-packages.sh; apt-get as root).

NAME          := mica
BUILD         := build
CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC            := $(CROSS_COMPILE)gcc
endif
LD            := $(CROSS_COMPILE)ld
NM            := $(CROSS_COMPILE)nm
NASM          ?= nasm
HOSTCC        ?= gcc
EMU           ?= auto
PROVE_JOBS    ?= 2

# Freestanding kernel: no red zone (interrupts use the stack), no SSE/x87 state, frame pointers
# kept for backtraces.
KCFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib \
	-fno-stack-protector -fno-pic -fno-pie -mcmodel=small -mno-red-zone \
	-mno-mmx -mno-sse -mno-sse2 -mno-80387 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -I. -MMD -MP $(EXTRA_KCFLAGS)
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -T linker.ld
NASMFLAGS := -f elf64 -g -F dwarf

KERNEL_DIRS := kernel drivers vmm vmm/devices vmm/vmx
KERNEL_C    := $(sort $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c)))
KERNEL_ASM  := $(sort $(wildcard boot/*.asm) $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.asm)))
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.asm,$(BUILD)/%.o,$(KERNEL_ASM))

ELF := $(BUILD)/$(NAME).elf
ISO := $(BUILD)/$(NAME).iso

# Debian packages each target needs (scripts/ensure-packages.sh installs what is missing).
PKGS_BUILD := nasm binutils gcc make grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
PKGS_QEMU  := qemu-system-x86 ovmf
PKGS_BOCHS := bochs bochsbios vgabios
PKGS_TEST  := libcmocka-dev perl python3 gdb
ENSURE     := sh scripts/ensure-packages.sh

.SECONDEXPANSION:
.PHONY: all iso run debug test bench unit-tests integration-tests deps clean format help \
	compile_commands.json

all: $(ISO)

help:
	@echo "make            build $(ELF) and $(ISO)"
	@echo "make run        boot the ISO in the best emulator present (EMU=kvm|bochs|qemu to choose)"
	@echo "make debug      QEMU (TCG) halted at the first instruction, with its gdb stub on :1234"
	@echo "make test       host unit tests, then boot tests in QEMU (BIOS and UEFI) and Bochs"
	@echo "make bench      deterministic cost figures from Bochs (emulated instructions, exits)"
	@echo "make format     clang-format every C source"
	@echo "make compile_commands.json   for clangd (uses bear)"

deps:
	@$(ENSURE) $(PKGS_BUILD) $(PKGS_QEMU) $(PKGS_BOCHS) $(PKGS_TEST)

$(BUILD)/.build-deps: scripts/ensure-packages.sh
	@mkdir -p $(BUILD)
	@$(ENSURE) $(PKGS_BUILD)
	@touch $@

$(BUILD)/%.o: %.c | $(BUILD)/.build-deps
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm | $(BUILD)/.build-deps
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(BUILD)/$*.d -MP $< -o $@

# Two links: the first gives the addresses, which become the embedded symbol table (.ksyms);
# .ksyms lies after all code, so the second link moves no code (checked below).
$(BUILD)/ksyms-empty.S: scripts/gen-ksyms.sh
	@mkdir -p $(BUILD)
	sh scripts/gen-ksyms.sh > $@
$(BUILD)/ksyms.S: $(BUILD)/$(NAME).stage1.elf scripts/gen-ksyms.sh
	NM=$(NM) sh scripts/gen-ksyms.sh $< > $@
$(BUILD)/ksyms%.o: $(BUILD)/ksyms%.S
	$(CC) -c $< -o $@
$(BUILD)/ksyms.o: $(BUILD)/ksyms.S
	$(CC) -c $< -o $@

$(BUILD)/$(NAME).stage1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o
$(ELF): $(KERNEL_OBJS) $(BUILD)/ksyms.o linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.o
	@$(NM) -n $(BUILD)/$(NAME).stage1.elf | grep ' [tT] ' > $(BUILD)/syms.stage1
	@$(NM) -n $@ | grep ' [tT] ' > $(BUILD)/syms.final
	@cmp -s $(BUILD)/syms.stage1 $(BUILD)/syms.final || \
		{ echo "error: code moved between the two links (see linker.ld about .ksyms)"; exit 1; }

# ISOs: the main one (menu: run, self-test) and one per boot-test scenario, each with its own
# default command line, since an emulator cannot pass one to GRUB.
# The guests (tests/guests/guests.mk): 32-bit Multiboot ELFs; vmx_basics is also make run's guest.
GUEST_ORDER_DEPS := $(BUILD)/.build-deps
include tests/guests/guests.mk
include guest/guest.mk

# The I/O study (tests/bench_io.py): the guest kernel's block benchmark, one ISO per configuration
# (native; mica with trapped, batched or passed-through I/O) and dispatch mode, at BLK_BENCH_SIZE
# for make bench and BLK_TEST_SIZE for make test; and its idle timer, three ways, under mica.
BLK_BENCH_SIZE := 4M
BLK_TEST_SIZE  := 256K
BLK_MODES      := native trapped batched passthrough
BLK_SCHEDS     := elevator direct
TIMER_MODES    := 1000 100 oneshot
blk_args = test=blk size=$(1) req=8 sched=$(3) irq=on io=$(if $(filter batched,$(2)),batch,trap)
blk_disk = $(if $(filter passthrough,$(1)),passthrough,8M)
# $(1) bench|test, $(2) mode, $(3) dispatch, $(4) size
define BLK_ISO_RULE
ifeq ($(2),native)
$(BUILD)/$(1)-blk-$(2)-$(3).iso: $$(GUEST_KERNEL_ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $$@ $$(GUEST_KERNEL_ELF) multiboot "$$(call blk_args,$(4),$(2),$(3))"
else
$(BUILD)/$(1)-blk-$(2)-$(3).iso: $$(ELF) $$(GUEST_KERNEL_ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $$@ $$(ELF) multiboot2 "fatal=poweroff disk=$$(call blk_disk,$(2))" \
		$$(GUEST_KERNEL_ELF) "mica-guest $$(call blk_args,$(4),$(2),$(3))"
endif
endef
$(foreach m,$(BLK_MODES),$(foreach s,$(BLK_SCHEDS),\
	$(eval $(call BLK_ISO_RULE,bench,$(m),$(s),$(BLK_BENCH_SIZE)))\
	$(eval $(call BLK_ISO_RULE,test,$(m),$(s),$(BLK_TEST_SIZE)))))
BLK_BENCH_ISOS := $(foreach m,$(BLK_MODES),$(foreach s,$(BLK_SCHEDS),$(BUILD)/bench-blk-$(m)-$(s).iso))
# Short versions in make test (the native ones are tests/integration/guest_native_blk.t's).
BLK_TEST_ISOS  := $(foreach m,$(filter-out native,$(BLK_MODES)),\
	$(foreach s,$(BLK_SCHEDS),$(BUILD)/test-blk-$(m)-$(s).iso))
TIMER_BENCH_ISOS := $(patsubst %,$(BUILD)/bench-timer-%.iso,$(TIMER_MODES))
$(BUILD)/bench-timer-%.iso: $(ELF) $(GUEST_KERNEL_ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff" $(GUEST_KERNEL_ELF) \
		"mica-guest test=timer timer=$* idle_ms=1000"

DEMO_GUEST := $(GUEST_BUILD)/vmx_basics.elf

iso: $(ISO)
$(ISO): $(ELF) $(DEMO_GUEST) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) menu $(DEMO_GUEST)

TEST_ISOS := $(BUILD)/test-selftest.iso $(BUILD)/test-badcmdline.iso $(BUILD)/test-multiboot1.iso \
	$(patsubst %,$(BUILD)/test-guest-%.iso,$(GUEST_NAMES) softirq_pv softirq_legacy) \
	$(BUILD)/test-guest-realmode.iso $(BUILD)/test-gdb.iso $(BUILD)/test-gdb-on-console.iso \
	$(BUILD)/native-guest-blk-elevator.iso $(BUILD)/native-guest-blk-direct.iso $(BLK_TEST_ISOS)
$(BUILD)/test-selftest.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "test=all fatal=poweroff"
$(BUILD)/test-badcmdline.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff loglevel=loud frobnicate=1 console"
$(BUILD)/test-multiboot1.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot "test=all"

# Host hardware paths (docs/hardware.md): TSC calibration forced to the HPET (checked against
# the PIT), the PIT with COM1 at 38400 baud and the local APIC kept in xAPIC mode, a forced
# clock source that is absent, and bad serial port options.
HW_TEST_ISOS := $(BUILD)/test-hpet.iso $(BUILD)/test-pit-xapic.iso $(BUILD)/test-cpuid-absent.iso \
	$(BUILD)/test-badserial.iso
TEST_ISOS += $(HW_TEST_ISOS)
$(BUILD)/test-hpet.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "test=timers,clocksource,acpi fatal=poweroff clocksource=hpet"
$(BUILD)/test-pit-xapic.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 \
		"test=timers,clocksource,acpi fatal=poweroff clocksource=pit x2apic=off com1=0x3f8,38400"
$(BUILD)/test-cpuid-absent.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff clocksource=cpuid"
$(BUILD)/test-badserial.iso: $(ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 \
		"fatal=poweroff com1=0x3f8,56000 com2=0x10000 console=com3 x2apic=on clocksource=tsc"

# A flat binary guest entered in real mode (guest_flat=).
$(GUEST_BUILD)/realmode.bin: tests/guests/realmode.asm | $(BUILD)/.build-deps
	@mkdir -p $(dir $@)
	$(NASM) -f bin $< -o $@
$(BUILD)/test-guest-realmode.iso: $(ELF) $(GUEST_BUILD)/realmode.bin scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff guest_flat=0x7c00" \
		$(GUEST_BUILD)/realmode.bin realmode

# The GDB stub on COM2, exercised with the devices guest.
$(BUILD)/test-gdb.iso: $(ELF) $(GUEST_BUILD)/devices.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff gdb=com2" \
		$(GUEST_BUILD)/devices.elf devices
$(BUILD)/test-gdb-on-console.iso: $(ELF) $(GUEST_BUILD)/devices.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff com2=0x3f8 gdb=com2" \
		$(GUEST_BUILD)/devices.elf devices

# The fuzzing guest in make test: a fixed seed so that a run can be repeated exactly.
$(BUILD)/test-guest-fuzz_guest.iso: $(ELF) $(GUEST_BUILD)/fuzz_guest.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff" $(GUEST_BUILD)/fuzz_guest.elf \
		"fuzz_guest seed=1 ops=20000"

# One ISO per test guest: the hypervisor runs it and powers off with its verdict.
$(BUILD)/test-guest-%.iso: $(ELF) $(GUEST_BUILD)/%.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff" $(GUEST_BUILD)/$*.elf "$*"

run: $(ISO)
	@sh scripts/run.sh $(EMU) $(ISO)

debug: $(ISO)
	@$(ENSURE) $(PKGS_QEMU)
	@echo "QEMU is halted at the first instruction. In another terminal:"
	@echo "  gdb $(ELF) -ex 'target remote :1234' -ex 'break kernel_main' -ex continue"
	qemu-system-x86_64 -accel tcg -cpu max -m 256 -cdrom $(ISO) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -s -S

# ---- tests ----------------------------------------------------------------------------------
# Host unit tests: the kernel's pure-C files built for the host with cmocka, ASan and UBSan.
# Each test lists the kernel sources it links (tests/unit/sources.mk).
include tests/unit/sources.mk
UNIT_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

$(BUILD)/.test-deps: scripts/ensure-packages.sh
	@mkdir -p $(BUILD)
	@$(ENSURE) $(PKGS_TEST)
	@touch $@

$(BUILD)/unit/test_%: tests/unit/test_%.c $$(test_%_SRCS) tests/unit/sources.mk | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $< $(test_$*_SRCS) -lcmocka -o $@

unit-tests: $(UNIT_BINS)
	@echo "== host unit tests (cmocka, ASan+UBSan)"
	CMOCKA_MESSAGE_OUTPUT=TAP prove --exec '' $(UNIT_BINS)

$(BUILD)/.emu-deps: scripts/ensure-packages.sh
	@mkdir -p $(BUILD)
	@$(ENSURE) $(PKGS_QEMU) $(PKGS_BOCHS)
	@touch $@

integration-tests: $(TEST_ISOS) | $(BUILD)/.emu-deps $(BUILD)/.test-deps
	@echo "== boot tests (each emulator run prints START/END with its time)"
	prove -j$(PROVE_JOBS) --exec 'python3' tests/integration/*.t

PKGS_BENCH := gnuplot-nox
$(BUILD)/.bench-deps: scripts/ensure-packages.sh
	@mkdir -p $(BUILD)
	@$(ENSURE) $(PKGS_BENCH)
	@touch $@

# The real-time task's lateness under three guests, each with rt_task=1000.
# The hypervisor's RT task beside the guests' 1 kHz tick: at 997 Hz the two beat, so deadlines
# sweep every phase of the guest's work (at 1000 Hz a boot-time offset fixed the phase and with
# it the figures). tests/bench.py reads the rate from RT_TASK_HZ.
RT_TASK_HZ    := 997
export RT_TASK_HZ
RT_BENCH_ISOS := $(patsubst %,$(BUILD)/bench-rt-%.iso,idle softirq_pv softirq_legacy)
$(BUILD)/bench-rt-%.iso: $(ELF) $(GUEST_BUILD)/%.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff rt_task=$(RT_TASK_HZ)" $(GUEST_BUILD)/$*.elf "$*"

$(BUILD)/bench-notrace-vmx_cost.iso: $(ELF) $(GUEST_BUILD)/vmx_cost.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff exit_trace=off" \
		$(GUEST_BUILD)/vmx_cost.elf vmx_cost

bench: $(BUILD)/test-guest-vmx_cost.iso $(BUILD)/bench-notrace-vmx_cost.iso \
		$(BUILD)/test-guest-batch_cost.iso \
		$(BUILD)/test-guest-softirq_pv.iso $(BUILD)/test-guest-softirq_legacy.iso $(RT_BENCH_ISOS) \
		$(BLK_BENCH_ISOS) $(TIMER_BENCH_ISOS) | $(BUILD)/.emu-deps $(BUILD)/.bench-deps
	@python3 tests/bench.py

test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory unit-tests && \
	$(MAKE) --no-print-directory fuzz-smoke FUZZ_SMOKE_SECONDS=5 && \
	$(MAKE) --no-print-directory integration-tests; rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s, $$( [ $$rc = 0 ] && echo passed || echo FAILED )"; \
	exit $$rc

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

compile_commands.json:
	@$(ENSURE) bear
	$(MAKE) clean
	bear --output $@ -- $(MAKE) $(ELF) $(UNIT_BINS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- fuzzing (tests/fuzz/) ----------------------------------------------------------------------
# libFuzzer targets of the parsers of guest- and user-controlled data, built with clang, ASan and
# UBSan (tests/fuzz/sources.mk). `make fuzz-smoke`: every target for a bounded time on a copy of its
# seeds, fixed seed; `make fuzz`: every target for FUZZ_SECONDS, corpus kept in build/fuzz/corpus/.
# Both first replay tests/fuzz/regressions/NAME/, print one line per target and fail, naming the
# reproducer, if a target crashes, breaks one of its invariants or hangs.
include tests/fuzz/sources.mk
PKGS_FUZZ          := clang libclang-rt-14-dev
FUZZ_CC            ?= clang
FUZZ_CFLAGS        := -std=c11 -g -O1 -Wall -Wextra -Werror -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS       ?= 300
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SMOKE_RUNS    ?= 2000000
FUZZ_BINS          := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke

$(BUILD)/.fuzz-deps: scripts/ensure-packages.sh
	@mkdir -p $(BUILD)
	@$(ENSURE) $(PKGS_FUZZ)
	@touch $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_%_SRCS) $(FUZZ_HEADERS) tests/fuzz/sources.mk \
		| $(BUILD)/.fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(fuzz_$*_SRCS) -o $@

fuzz-smoke: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh smoke $(BUILD)/fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_SMOKE_RUNS) \
		$(FUZZ_TARGETS)

# The fuzzing guest (tests/guests/fuzz_guest.c) under Bochs: FUZZ_GUEST_OPS random operations
# against the running hypervisor, which must survive them all. A million operations take about
# 13 minutes in Bochs; `make fuzz` runs them next to the libFuzzer targets (two jobs).
FUZZ_GUEST_OPS  ?= 1000000
FUZZ_GUEST_SEED ?= 1
$(BUILD)/fuzz-guest.iso: $(ELF) $(GUEST_BUILD)/fuzz_guest.elf scripts/make-iso.sh FORCE
	sh scripts/make-iso.sh $@ $(ELF) multiboot2 "fatal=poweroff" $(GUEST_BUILD)/fuzz_guest.elf \
		"fuzz_guest seed=$(FUZZ_GUEST_SEED) ops=$(FUZZ_GUEST_OPS)"
.PHONY: FORCE fuzz-guest
FORCE:

fuzz-guest: $(BUILD)/fuzz-guest.iso | $(BUILD)/.emu-deps
	@python3 tests/emu.py --emu bochs --iso $(BUILD)/fuzz-guest.iso --name fuzz-guest \
		--expect pass --timeout 7200 > $(BUILD)/fuzz-guest.tap; rc=$$?; \
	grep -E 'fuzz_guest: .*(operations|seed)|exit statistics|unchanged|power off' \
		$(BUILD)/runs/fuzz-guest/serial.log; grep -h 'Bail out' $(BUILD)/fuzz-guest.tap; \
	exit $$rc

# `make fuzz`: the libFuzzer targets one after the other (FUZZ_SECONDS each) and, at the same time,
# the fuzzing guest (FUZZ_GUEST_OPS operations, seed FUZZ_GUEST_SEED); fails if either fails.
.PHONY: fuzz-targets
fuzz-targets: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh long $(BUILD)/fuzz $(FUZZ_SECONDS) 0 $(FUZZ_TARGETS)

fuzz:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory -j2 fuzz-targets fuzz-guest; rc=$$?; \
	echo "make fuzz: $$(( $$(date +%s) - start )) s, $$( [ $$rc = 0 ] && echo passed || echo FAILED )"; \
	exit $$rc
