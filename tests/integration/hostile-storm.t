# The watchdog: an exit storm and a guest sitting on a pending interrupt with interrupts off are
# each reported once with the guest's state, and the guest runs on to its end.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("hostile-storm", "bochs", "build/test-guest-hostile_storm.iso",
               [r"mica: watchdog: exit storm: \d+ VM exits in one second",
                r"mica: watchdog: the guest has not taken a pending interrupt for 2 s",
                r"exit trace: last 16 of \d+ exits",
                r"guest\| hostile_storm: still running",
                r"mica: guest exited with status 0x10",
                r"hypervisor code and read-only data unchanged .*, protection tables unchanged"],
               end="pass", timeout=240)
