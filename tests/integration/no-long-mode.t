# A 32-bit CPU: a clear message that long mode is missing, then a halt.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("no-long-mode", "qemu-nolm", "build/test-selftest.iso",
               [r"this CPU has no long mode"], end="halt")
