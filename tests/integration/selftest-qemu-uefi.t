# Boots the self-test ISO in qemu-uefi; the kernel's KTAP output is the test.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("selftest-qemu-uefi", "qemu-uefi", "build/test-selftest.iso", expect="pass",
             timeout=90)
