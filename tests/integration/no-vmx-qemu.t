# QEMU TCG has no VMX: the hypervisor must say so, name the CPU vendor, and power off with the
# no-VMX status (QEMU exit code 37).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("no-vmx-qemu", "qemu-bios", "build/test-guest-vmx_basics.iso",
               [r"VMX is not available: the CPU \(AuthenticAMD, ",
                r"AMD CPU with SVM, which mica does not support"],
               end="no-vmx")
