# The guest kernel (guest/kernel/): build/guest/mica-guest.elf, a 32-bit Multiboot v1 ELF that runs
# under mica (as the guest module) and natively (GRUB's `multiboot`). Included by the top-level
# Makefile after tests/guests/guests.mk, whose runtime objects (start, traps, IDT, mem) and
# paravirtual library (guest/lib) it links, with the kernel's formatter (kernel/format.c).

GUEST_KERNEL_BUILD := $(BUILD)/guest
GUEST_KERNEL_ELF   := $(GUEST_KERNEL_BUILD)/mica-guest.elf
GUEST_KERNEL_C     := $(sort $(wildcard guest/kernel/*.c)) kernel/format.c
GUEST_KERNEL_ASM   := $(sort $(wildcard guest/kernel/*.asm))
GUEST_KERNEL_OBJS  := $(patsubst %.c,$(GUEST_KERNEL_BUILD)/obj/%.o,$(GUEST_KERNEL_C)) \
	$(patsubst %.asm,$(GUEST_KERNEL_BUILD)/obj/%.o,$(GUEST_KERNEL_ASM))
# From tests/guests/guests.mk: start.asm, traps.asm, idt.c, mem.c (not console.c or tap.c: the
# guest kernel's console is COM1) and guest/lib.
GUEST_KERNEL_RUNTIME := $(GUEST_ASM_OBJS) $(GUEST_BUILD)/obj/lib/idt.o $(GUEST_BUILD)/obj/lib/mem.o \
	$(PV_GUEST_LIB_OBJS)

.PHONY: guest-kernel
guest-kernel: $(GUEST_KERNEL_ELF)

$(GUEST_KERNEL_ELF): $(GUEST_KERNEL_OBJS) $(GUEST_KERNEL_RUNTIME) $(GUEST_LDS)
	$(LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_KERNEL_RUNTIME) $(GUEST_KERNEL_OBJS)

$(GUEST_KERNEL_BUILD)/obj/%.o: %.c | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_KERNEL_BUILD)/obj/%.o: %.asm | $(GUEST_ORDER_DEPS)
	@mkdir -p $(dir $@)
	$(NASM) $(GUEST_NASMFLAGS) -MD $(GUEST_KERNEL_BUILD)/obj/$*.d -MP $< -o $@

# The guest kernel booted natively by GRUB (no hypervisor), with a default command line.
NATIVE_GUEST_BLK_ARGS ?= test=blk size=4M req=8 sched=elevator irq=on
$(BUILD)/native-guest-blk.iso: $(GUEST_KERNEL_ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(GUEST_KERNEL_ELF) multiboot "$(NATIVE_GUEST_BLK_ARGS)"
# The native ISOs of the integration test (tests/integration/guest_native_blk.t).
$(BUILD)/native-guest-blk-%.iso: $(GUEST_KERNEL_ELF) scripts/make-iso.sh
	sh scripts/make-iso.sh $@ $(GUEST_KERNEL_ELF) multiboot "test=blk size=256K req=8 sched=$* irq=on"

-include $(wildcard $(GUEST_KERNEL_BUILD)/obj/guest/kernel/*.d $(GUEST_KERNEL_BUILD)/obj/kernel/*.d)
