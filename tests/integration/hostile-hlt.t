# A guest executing CLI; HLT, which nothing could ever wake: the hypervisor stops it (naming the
# RIP after the HLT, where it would resume) instead of idling forever; the hypervisor intact.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, lacks, shows


def stop_rip_is_after_hlt(log):
    printed = re.search(r"^guest\| hostile_hlt: cli; hlt \(the instruction after HLT is at "
                        r"0x([0-9a-f]+)\)$", log, re.M)
    stopped = re.search(r"^mica: guest stopped: halted with interrupts disabled \(HLT with "
                        r"RFLAGS\.IF = 0\) at RIP ([0-9a-f]+)$", log, re.M)
    return printed and stopped and int(printed.group(1), 16) == int(stopped.group(1), 16)


checks = [
    shows(r"^mica: guest executed HLT with interrupts disabled: it can never wake up$", 1),
    ("the stop message names the guest's RIP after its HLT", stop_rip_is_after_hlt),
    lacks(r"still running"),
    shows(EXIT_REPORT),
    shows(r"^  exit 12 +HLT +1$"),
    shows(CHECKSUM),
]
emu.run_checks("hostile-hlt", "bochs", "build/test-guest-hostile_hlt.iso", checks,
               end="guest-stopped", timeout=180)
