# XSETBV from the guest (which owns CR4.OSXSAVE): a bad XCR0 gets #GP, a good one takes effect,
# and the hypervisor (whose CR4.OSXSAVE starts off) does not fault doing it.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("hostile-xsetbv", "bochs", "build/test-guest-hostile_xsetbv.iso", expect="pass",
             timeout=180)
