# The VMX test guest under Bochs (VMX with EPT): its TAP (CPUID, VMCALL, #UD/#GP injection,
# Multiboot hand-off, port I/O) is the test; the hypervisor powers off with the guest's verdict.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("vmx-basics-bochs", "bochs", "build/test-guest-vmx_basics.iso", expect="pass",
             timeout=180)
