# The same in Bochs, whose CPU has x2APIC: x2apic=off must keep xAPIC mode (the timers self-test
# checks IA32_APIC_BASE.EXTD), and Bochs' UART, timed at the programmed rate, prints at 38400.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("clocksource-pit-xapic-bochs", "bochs", "build/test-pit-xapic.iso", expect="pass",
             timeout=180)
