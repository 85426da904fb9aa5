# Boots the self-test ISO in bochs; the kernel's KTAP output is the test.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("selftest-bochs", "bochs", "build/test-selftest.iso", expect="pass",
             timeout=180)
