# The GDB stub on COM2 driven by real gdb in batch mode (Bochs COM2 on a socket): break on a guest
# function, continue, hit it, read a variable, single-step, continue to the end.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

log, out, run = emu.run_gdb_session(
    "gdb-bochs", "build/test-gdb.iso", "build/guests/devices.elf",
    ["break test_rtc", "continue", "print ticks", "info registers eip", "stepi",
     "info registers eip", "delete", "continue"])
eips = [int(x, 16) for x in re.findall(r"^eip +0x([0-9a-f]+)", out, re.M)]
checks = [
    ("gdb attached and stopped the guest before its first instruction",
     re.search(r"_start \(\) at tests/guests/lib/start.asm", out)),
    ("the breakpoint on test_rtc was hit", re.search(r"Breakpoint 1, test_rtc \(\)", out)),
    ("a guest variable was read (ticks = 100)", re.search(r"^\$1 = 100$", out, re.M)),
    ("stepi moved EIP forward by one instruction",
     len(eips) == 2 and 0 < eips[1] - eips[0] <= 15),
    ("after continue the guest finished and passed",
     emu.status_of(log) == emu.STATUS["pass"]),
]
print("1..%d" % len(checks))
for i, (what, ok) in enumerate(checks, 1):
    print("%sok %d - %s" % ("" if ok else "not ", i, what))
if not all(ok for _, ok in checks):
    print("# gdb output:\n" + "\n".join("#   " + l for l in out.splitlines()[-20:]))
    print("# serial log %s" % run.serial)
