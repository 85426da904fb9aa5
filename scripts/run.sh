#!/bin/sh
# `make run`: boots the ISO with the serial console on this terminal, in the best emulator here.
# Usage: run.sh auto|kvm|bochs|qemu ISO
#   kvm   QEMU with KVM and nested VMX (needs an Intel host with kvm_intel nested=1)
#   bochs Bochs, which emulates VMX with EPT (slow, but runs anywhere)
#   qemu  QEMU TCG: no VMX at all (the hypervisor reports that and stops)
set -eu
emu=$1 iso=$2
here=$(cd "$(dirname "$0")/.." && pwd)

kvm_nested_ready() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
    grep -qw vmx /proc/cpuinfo || return 1
    nested=$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null || echo N)
    [ "$nested" = Y ] || [ "$nested" = 1 ]
}

if [ "$emu" = auto ]; then
    if kvm_nested_ready; then emu=kvm; else emu=bochs; fi
    echo "mica: make run: using $emu (EMU=kvm|bochs|qemu chooses)"
fi

qemu_common="-m 512 -cdrom $iso -serial stdio -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04"
status_note() {
    # QEMU's isa-debug-exit turns the kernel's status into exit code (status << 1) | 1.
    case $1 in
    33) echo "mica: finished: pass" ;;
    35) echo "mica: finished: a test or guest failed" ;;
    37) echo "mica: finished: this CPU has no VMX" ;;
    39) echo "mica: finished: fatal error (see above)" ;;
    *) echo "mica: emulator exited with status $1" ;;
    esac
}

case $emu in
kvm)
    sh "$here/scripts/ensure-packages.sh" qemu-system-x86
    if ! kvm_nested_ready; then
        echo "mica: KVM with nested VMX is not available here." >&2
        if ! grep -qw vmx /proc/cpuinfo; then
            echo "mica: this CPU shows no vmx flag (not Intel VT-x, or it is disabled in the firmware setup)." >&2
        elif [ ! -w /dev/kvm ]; then
            echo "mica: /dev/kvm is missing or not writable: load kvm_intel, add yourself to the kvm group." >&2
        else
            echo "mica: enable nesting: echo 'options kvm_intel nested=1' | sudo tee /etc/modprobe.d/kvm-nested.conf" >&2
            echo "mica:   then: sudo modprobe -r kvm_intel && sudo modprobe kvm_intel" >&2
        fi
        echo "mica: or run under Bochs (emulates VMX): make run EMU=bochs" >&2
        exit 1
    fi
    # shellcheck disable=SC2086
    qemu-system-x86_64 -enable-kvm -cpu host,+vmx $qemu_common || status_note $?
    ;;
qemu)
    sh "$here/scripts/ensure-packages.sh" qemu-system-x86
    echo "mica: QEMU TCG emulates no VMX: expect the kernel to say so. For VMX use EMU=bochs or EMU=kvm."
    # shellcheck disable=SC2086
    qemu-system-x86_64 -accel tcg -cpu max $qemu_common || status_note $?
    ;;
bochs)
    sh "$here/scripts/ensure-packages.sh" bochs bochsbios vgabios
    dir=$here/build/run-bochs
    mkdir -p "$dir"
    : > "$dir/serial.log"
    sed -e "s|@ISO@|$(cd "$(dirname "$iso")" && pwd)/$(basename "$iso")|" \
        -e "s|@DIR@|$dir|g" "$here/scripts/bochsrc.in" > "$dir/bochsrc"
    printf 'c\nquit\n' > "$dir/debugger-commands"
    echo "mica: Bochs (VMX + EPT, cpu corei7_icelake_u); serial console below, Bochs' own log in $dir/bochs.log"
    tail -n +1 -f "$dir/serial.log" &
    tail_pid=$!
    trap 'kill $tail_pid 2>/dev/null' EXIT INT TERM
    (cd "$dir" && bochs -q -f bochsrc -rc debugger-commands > bochs.out 2>&1 < /dev/null) || true
    sleep 0.3
    grep -q "mica: power off" "$dir/serial.log" || echo "mica: Bochs stopped; see $dir/bochs.out and $dir/bochs.log"
    ;;
*)
    echo "mica: unknown EMU=$emu (choose kvm, bochs or qemu)" >&2
    exit 2
    ;;
esac
