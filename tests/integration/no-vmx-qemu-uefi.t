# Under UEFI firmware (OVMF) on QEMU TCG, which has no VMX: the ISO boots, the hypervisor says why
# it cannot run and powers off cleanly with the no-VMX status.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("no-vmx-qemu-uefi", "qemu-uefi", "build/test-guest-vmx_basics.iso",
               [r"booted from UEFI firmware",
                r"mica: acpi: RSDP rev 2",
                r"VMX is not available: the CPU \(AuthenticAMD, "],
               end="no-vmx")
