# A guest that triple-faults: its state is dumped, the guest stopped, the hypervisor intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("hostile-triple-fault", "bochs", "build/test-guest-hostile_triple_fault.iso",
               [r"mica: guest triple fault \(shutdown\) at guest RIP [0-9a-f]+: stopping the guest",
                r"GUEST_RIP +[0-9a-f]{16}",
                r"mica: guest stopped: guest triple fault",
                r"exit 2 +Triple fault +1",
                r"hypervisor code and read-only data unchanged .*, protection tables unchanged"],
               end="guest-stopped", timeout=180)
