# A guest writing 2 MiB over the guest-physical range where the hypervisor sits in host-physical
# memory: under EPT that is the guest's own RAM; the hypervisor's checksum must be unchanged.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("hostile-hv-pages", "bochs", "build/test-guest-hostile_hv_pages.iso",
               [r"guest\| .*wrote 2 MiB at the hypervisor's host-physical address",
                r"mica: guest exited with status 0x10",
                r"hypervisor code and read-only data unchanged .*, protection tables unchanged"],
               end="pass", timeout=180)
