# The fuzzing guest (tests/guests/fuzz_guest.c, after Hyper-Cube): 20000 random operations with the
# seed it prints; every invariant holds, the hypervisor stays up, reports and is intact.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, lacks, shows


def done_with_printed_seed(log):
    start = re.search(r"^guest\| fuzz_guest: seed (\d+), 20000 operations ", log, re.M)
    done = re.search(r"^guest\| fuzz_guest: 20000 operations done, seed (\d+)$", log, re.M)
    if start:
        print("# seed %s (repeat: module string \"fuzz_guest seed=%s\")" % (start.group(1),
                                                                         start.group(1)))
    return start and done and start.group(1) == done.group(1)


checks = [
    ("20000 operations done, with the seed printed first", done_with_printed_seed),
    shows(r"^guest\| fuzz_guest: \d+ of 20000 operations, \d+ VM exits so far$", 20),
    lacks(r"VIOLATION"),
    shows(r"^mica: guest exited with status 0x10$"),
    shows(EXIT_REPORT),
    # hundreds of unclaimed ports touched: 64 log lines, then one saying so; in the exit report
    # one summary line and the 8 busiest, not a line each
    shows(r"^mica: guest (read|write) of \d bytes? at unclaimed port ", 64),
    shows(r"^mica: more than 64 unclaimed ports used; no more are reported one by one", 1),
    shows(r"^  unclaimed ports: \d+ touched, \d+ accesses \(reads gave all ones\); the busiest:$", 1),
    shows(r"^  port 0x[0-9a-f]{4} \(unclaimed\) +\d+$", 8),
    shows(CHECKSUM),
]
emu.run_checks("fuzz-guest", "bochs", "build/test-guest-fuzz_guest.iso", checks, end="pass",
               timeout=240)
