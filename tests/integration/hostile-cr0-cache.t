# CR0.CD and NW written by the guest: it sees its own values, NW without CD is #GP, and the host's
# CR0 (in the end-of-run integrity check) keeps its caches on.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_ktap("hostile-cr0-cache", "bochs", "build/test-guest-hostile_cr0_cache.iso",
             expect="pass", timeout=180)
