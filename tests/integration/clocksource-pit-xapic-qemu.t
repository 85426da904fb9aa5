# clocksource=pit x2apic=off com1=0x3f8,38400 in QEMU: calibration against the PIT (checked
# against the HPET by the clocksource self-test) and a console at 38400 baud that still prints.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("clocksource-pit-xapic-qemu", "qemu-bios", "build/test-pit-xapic.iso", expect="pass",
             timeout=90)
