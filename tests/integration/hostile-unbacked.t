# A guest reading/writing guest-physical memory beyond its RAM: reported with the address, the
# guest stopped, the hypervisor intact and powering off normally.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("hostile-unbacked", "bochs", "build/test-guest-hostile_unbacked.iso",
               [r"mica: guest read of unbacked guest-physical address 40000000",
                r"mica: guest stopped: read of unbacked guest-physical address 40000000",
                r"mica: exit statistics: \d+ VM exits",
                r"exit 48 +EPT violation +1",
                r"hypervisor code and read-only data unchanged .*, protection tables unchanged"],
               end="guest-stopped", timeout=180)
