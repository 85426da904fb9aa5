# The emulated PC devices under Bochs: PIT at 1 kHz through the PIC (100 interrupts in sti;hlt
# loops, checked against the TSC), UART loopback and transmit, RTC; the guest's TAP is the test.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("devices-bochs", "bochs", "build/test-guest-devices.iso", expect="pass", timeout=200)
