# A malformed command line gets a message naming each bad option, then the fatal= action.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("bad-cmdline", "qemu-bios", "build/test-badcmdline.iso",
               [r"bad command line option 'loglevel=loud': expected error, warn, info, debug",
                r"bad command line option 'frobnicate=1': unknown option",
                r"bad command line option 'console': needs a value",
                r"fatal: 3 bad command line options"],
               end="fatal")
