# A guest using the hypervisor's PCI configuration ports (refused), unclaimed ports (all ones), string
# I/O edge cases, then a REP INSB past the end of guest RAM: the guest stopped, the hypervisor intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, guest_tap_passed, lacks, shows

REFUSED = (r"refused: the port belongs to the hypervisor \(PCI configuration\) \(reported once per "
           r"port and direction\)$")
checks = [
    guest_tap_passed(21),
    shows(r"^mica: guest read of 4 bytes at port 0xcf8 " + REFUSED, 1),
    shows(r"^mica: guest write of 4 bytes at port 0xcf8 " + REFUSED, 1),
    shows(r"^mica: guest read of 4 bytes at port 0xcfc " + REFUSED, 1),
    shows(r"^mica: guest read of 1 byte at port 0xcfe " + REFUSED, 1),
    shows(r"^mica: guest read of 2 bytes at port 0xcfa " + REFUSED, 1),
    shows(r"^mica: guest read of 4 bytes at port 0xcf6 " + REFUSED, 1),
    shows(r"^mica: guest read of 1 byte at unclaimed port 0x64 \(reads give all ones; reported "
          r"once per port\)$", 1),
    shows(r"unclaimed port 0x64 ", 1),  # three accesses, one report
    shows(r"^guest\| # REP OUTSB through FS: this line came from FS:ESI$", 1),
    shows(r"^guest\| # REP INSB of 64 bytes at 0x3fffff0, 16 bytes before the end of guest RAM$"),
    shows(r"^mica: guest INS at guest-physical 4000000 outside guest RAM$", 1),
    shows(r"^mica: guest stopped: INS with a buffer outside guest RAM \(4000000\) at RIP "
          r"[0-9a-f]+$"),
    lacks(r"still running"),
    shows(EXIT_REPORT),
    shows(r"^  port 0x0064 \(unclaimed\) +3$"),
    shows(r"^  port 0x0cf8 \(refused\) +\d+$"),  # the hypervisor's PCI ports, named as such
    shows(CHECKSUM),
]
emu.run_checks("hostile-ports", "bochs", "build/test-guest-hostile_ports.iso", checks,
               end="guest-stopped", timeout=180)
