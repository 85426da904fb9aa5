#!/bin/sh
# Builds a hybrid BIOS+UEFI GRUB ISO holding the kernel.
# Usage: make-iso.sh OUT.iso KERNEL.elf menu [GUEST.elf]
#        make-iso.sh OUT.iso KERNEL.elf multiboot2|multiboot "COMMAND LINE" [GUEST.elf ["GUEST ARGS"]]
# (the second form makes one entry that boots at once). GUEST.elf becomes the first module.
set -eu
out=$1 kernel=$2 mode=$3
if [ "$mode" = menu ]; then
    cmdline="" guest=${4:-}
else
    cmdline=${4:-} guest=${5:-}
fi
guest_args=${6:-$(basename "${guest:-guest}" .elf)}
dir=$(mktemp -d "${out%.iso}.tree.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/mica.elf"
module=""
if [ -n "$guest" ]; then
    cp "$guest" "$dir/boot/guest.elf"
    module="module2 /boot/guest.elf $guest_args"
fi
if [ "$mode" = menu ]; then
    cat > "$dir/boot/grub/grub.cfg" <<CFG
# The GRUB menu is on the screen and on COM1 (115200 8N1), as is mica's console.
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input console serial
terminal_output console serial
set timeout=2
set default=0
menuentry "mica hypervisor" {
    multiboot2 /boot/mica.elf loglevel=info
    $module
    boot
}
menuentry "mica self-tests (KTAP on the serial console)" {
    multiboot2 /boot/mica.elf test=all
    boot
}
menuentry "mica hypervisor, debug log" {
    multiboot2 /boot/mica.elf loglevel=debug
    $module
    boot
}
CFG
else
    # Test ISOs keep GRUB off the serial line so the log holds only the kernel's output.
    cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry "mica test" {
    $mode /boot/mica.elf $cmdline
    $module
    boot
}
CFG
fi
grub-mkrescue -o "$out" "$dir" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
