# A guest writing the MSRs that must stay the hypervisor's (#GP, value unchanged), the ones VMX
# switches (its own), VMX capability and unknown MSRs (#GP); the hypervisor intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, guest_tap_passed, lacks, shows

checks = [
    guest_tap_passed(45),
    shows(r"^mica: guest WRMSR of 0 to MSR 0x3a refused, #GP injected$"),
    shows(r"^mica: guest WRMSR of fed00900 to MSR 0x1b refused, #GP injected$"),
    shows(r"^mica: guest WRMSR of 1 to MSR 0x1d9 refused, #GP injected$"),
    shows(r"^mica: guest WRMSR of 7040600070402 to MSR 0x277 refused, #GP injected$"),
    shows(r"^mica: guest WRMSR of 2 to MSR 0xc0000080 refused, #GP injected$"),
    shows(r"^mica: guest RDMSR of MSR 0x(48[0-9a-f]|49[01]): not emulated, #GP injected$", 18),
    shows(r"^mica: guest RDMSR of MSR 0xdeadbeef: not emulated, #GP injected$"),
    # The MSRs VMX switches never exit: no refusal for them.
    lacks(r"^mica: guest (RD|WR)MSR .*MSR 0x(17[456]|c000008[1-4]|c000010[0-2])\b"),
    shows(r"^mica: guest exited with status 0x10$"),
    shows(EXIT_REPORT),
    shows(r"^  exit 31 +RDMSR +\d+$"),
    shows(r"^  exit 32 +WRMSR or WRMSRNS +\d+$"),
    shows(CHECKSUM),
]
emu.run_checks("hostile-msrs", "bochs", "build/test-guest-hostile_msrs.iso", checks, end="pass",
               timeout=180)
