# A guest executing at guest-physical 0x40000000, beyond its RAM: an EPT violation on the
# instruction fetch, reported with the address; the guest stopped, the hypervisor intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, lacks, shows

WHAT = (r"instruction fetch from unbacked guest-physical address 40000000 \(linear 40000000; guest "
        r"RAM ends at 4000000\)")
checks = [
    shows(r"^guest\| hostile_exec: calling guest-physical 0x40000000 \(not guest RAM\)$"),
    shows(r"^mica: guest " + WHAT + r" at RIP 40000000: stopping the guest$", 1),
    shows(r"^mica: guest stopped: " + WHAT + "$", 1),
    lacks(r"still running"),
    shows(EXIT_REPORT),
    shows(r"^  exit 48 +EPT violation +1$"),
    shows(CHECKSUM),
]
emu.run_checks("hostile-exec", "bochs", "build/test-guest-hostile_exec.iso", checks,
               end="guest-stopped", timeout=180)
