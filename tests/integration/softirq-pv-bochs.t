# Interrupt delivery under a cli-heavy workload (paravirtual): a 1 kHz tick during masked sections of
# random lengths; the guest checks that every tick is accounted for and counts the exits.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("softirq-pv-bochs", "bochs", "build/test-guest-softirq_pv.iso", expect="pass",
             timeout=300)
