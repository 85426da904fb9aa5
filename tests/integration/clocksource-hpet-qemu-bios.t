# TSC calibration forced to the HPET (clocksource=hpet) in QEMU with SeaBIOS: the clocksource
# self-test checks that the HPET was used and that the PIT measures the same TSC and APIC timer
# rates within 2 % (and within 5 % of the boot calibration).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("clocksource-hpet-qemu-bios", "qemu-bios", "build/test-hpet.iso", expect="pass",
             timeout=90)
