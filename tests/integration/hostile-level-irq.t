# A level-triggered interrupt line the guest holds high under paravirtual delivery: the
# hypervisor takes one vector per entry and keeps running the guest (it once looped forever).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("hostile-level-irq", "bochs", "build/test-guest-hostile_level_irq.iso",
             expect="pass", timeout=180)
