# A flat binary loaded at 0x7c00 and entered in real mode (guest_flat=0x7c00) under unrestricted
# guest: it prints, checks CR0.PE is 0, and passes.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("realmode-bochs", "bochs", "build/test-guest-realmode.iso",
               [r"mica: guest 'realmode': flat binary, \d+ bytes, loaded at 7c00-[0-9a-f]+, "
                r"entry 7c00 \(real mode\)",
                r"guest\| realmode: hello from real mode at 0000:7c00",
                r"mica: guest exited with status 0x10"],
               end="pass", timeout=180)
