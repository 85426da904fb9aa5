# clocksource=cpuid where CPUID gives no TSC frequency (QEMU TCG's max CPU): a message naming the
# option and why, then the fatal= action.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("clocksource-cpuid-absent", "qemu-bios", "build/test-cpuid-absent.iso",
               [r"fatal: clocksource=cpuid: CPUID leaves 0x15 and 0x16 give no TSC frequency"],
               end="fatal")
