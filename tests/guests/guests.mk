# Test guests: 32-bit Multiboot v1 ELFs (build/guests/NAME.elf) that the hypervisor runs as its
# guest. Included by the top-level Makefile; alone: make -f tests/guests/guests.mk guests
#
# Needs only gcc (or clang), binutils and nasm: -m32 -ffreestanding uses the compiler's own
# <stdint.h>/<stdarg.h>/<stddef.h>/<stdbool.h>, so gcc-multilib is not needed. Set
# GUEST_ORDER_DEPS (e.g. to the tool-install stamp) before including to build it first.

BUILD            ?= build
NASM             ?= nasm
GUEST_DIR        := tests/guests
GUEST_BUILD      := $(BUILD)/guests
GUEST_ORDER_DEPS ?=

GUEST_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib \
	-fno-builtin -mno-sse -mno-mmx -mno-80387 -fno-asynchronous-unwind-tables -O2 -g -Wall \
	-Wextra -Werror -std=c11 -I. -MMD -MP
GUEST_NASMFLAGS := -f elf32 -g -F dwarf
GUEST_LDS     := $(GUEST_DIR)/lib/guest.ld
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -T $(GUEST_LDS)

GUEST_NAMES    := vmx_basics vmx_cost batch_cost batch_equiv devices cli_spin idle console_wait hostile_storm hostile_xsetbv hostile_unbacked hostile_triple_fault \
	hostile_hv_pages hostile_msrs hostile_hypercalls hostile_ports hostile_hlt hostile_exec hostile_ipi hostile_level_irq hostile_cr0_cache fuzz_guest
GUESTS         := $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUEST_NAMES) softirq_pv softirq_legacy)
GUEST_LIB_ASM  := $(GUEST_DIR)/lib/start.asm $(GUEST_DIR)/lib/traps.asm
GUEST_LIB_C    := $(GUEST_DIR)/lib/console.c $(GUEST_DIR)/lib/idt.c $(GUEST_DIR)/lib/tap.c \
	$(GUEST_DIR)/lib/mem.c
GUEST_ASM_OBJS := $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_BUILD)/obj/%.o,$(GUEST_LIB_ASM))
GUEST_C_OBJS   := $(patsubst $(GUEST_DIR)/%.c,$(GUEST_BUILD)/obj/%.o,$(GUEST_LIB_C)) \
	$(patsubst %,$(GUEST_BUILD)/obj/%.o,$(GUEST_NAMES))
# The paravirtual guest library (guest/lib/: batching, soft interrupt masking) is linked in too.
PV_GUEST_LIB_C    := $(wildcard guest/lib/*.c)
PV_GUEST_LIB_OBJS := $(patsubst guest/lib/%.c,$(GUEST_BUILD)/obj/pvlib/%.o,$(PV_GUEST_LIB_C))
GUEST_LIB_OBJS := $(GUEST_ASM_OBJS) $(filter $(GUEST_BUILD)/obj/lib/%,$(GUEST_C_OBJS)) \
	$(PV_GUEST_LIB_OBJS)

.PHONY: guests
guests: $(GUESTS)

$(GUESTS): $(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/obj/%.o $(GUEST_LIB_OBJS) $(GUEST_LDS)
	$(LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_OBJS) $<

$(GUEST_C_OBJS): $(GUEST_BUILD)/obj/%.o: $(GUEST_DIR)/%.c | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

# softirq.c is built twice: paravirtual (soft interrupt masking) and legacy (real cli/sti).
$(GUEST_BUILD)/obj/softirq_pv.o: $(GUEST_DIR)/softirq.c | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -DPARAVIRTUAL -c $< -o $@
$(GUEST_BUILD)/obj/softirq_legacy.o: $(GUEST_DIR)/softirq.c | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(PV_GUEST_LIB_OBJS): $(GUEST_BUILD)/obj/pvlib/%.o: guest/lib/%.c | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_ASM_OBJS): $(GUEST_BUILD)/obj/%.o: $(GUEST_DIR)/%.asm | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(NASM) $(GUEST_NASMFLAGS) -MD $(GUEST_BUILD)/obj/$*.d -MP $< -o $@

-include $(wildcard $(GUEST_BUILD)/obj/*.d $(GUEST_BUILD)/obj/lib/*.d $(GUEST_BUILD)/obj/pvlib/*.d)
