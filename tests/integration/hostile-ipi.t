# A guest sending INIT, SIPI and NMI at the host's processors: the x2APIC MSRs give #GP, the xAPIC
# page is not mapped (EPT violation: the guest is stopped with the address). The host keeps
# running (an INIT would have reset it), reports, and powers off with its tables intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, guest_tap_passed, lacks, shows

checks = [
    guest_tap_passed(6),
    shows(r"^mica: guest WRMSR of [0-9a-f]+ to MSR 0x830 refused, #GP injected$", 3),
    shows(r"^mica: guest write to unbacked guest-physical address fee00310"),
    shows(r"^mica: guest stopped: write to unbacked guest-physical address fee00310"),
    lacks(r"still running"),
    shows(EXIT_REPORT),
    shows(r"^  exit 48 +EPT violation +1$"),
    shows(CHECKSUM),
]
emu.run_checks("hostile-ipi", "bochs", "build/test-guest-hostile_ipi.iso", checks,
               end="guest-stopped", timeout=180)
