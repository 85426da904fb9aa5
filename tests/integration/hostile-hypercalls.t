# A guest making malformed hypercalls (unknown numbers, bad I/O batches, bad shared pages, bad exit
# reasons, VMCALL from CPL 3): the documented errors and counts, the hypervisor intact.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import emu
from guest_tap import CHECKSUM, EXIT_REPORT, guest_tap_passed, lacks, shows

checks = [
    guest_tap_passed(58),
    # Only the two unclaimed ports the batches read are reported; refused batch entries (EPERM)
    # never reach the port bus.
    shows(r"^mica: guest read of 4 bytes at unclaimed port 0xcf4 \(reads give all ones; reported "
          r"once per port\)$", 1),
    shows(r"^mica: guest read of 2 bytes at unclaimed port 0xd00 ", 1),
    lacks(r"refused: the port belongs to"),
    shows(r"^mica: guest exited with status 0x10$"),
    shows(EXIT_REPORT),
    shows(r"^  hypercall \(unknown number\) +6$"),
    shows(r"^  hypercall \(refused: CPL > 0\) +2$"),  # PING and IO_BATCH from ring 3
    shows(r"^  hypercall io-batch +29$"),
    shows(r"^  hypercall shared-page +9$"),
    shows(r"^  io-batch: 29 batches, 293 entries, "),
    shows(r"^  interrupts injected: 0 \(paravirtual: 0 raised, 0 coalesced, shared page at "
          r"[0-9a-f]+\)$"),
    shows(CHECKSUM),
]
emu.run_checks("hostile-hypercalls", "bochs", "build/test-guest-hostile_hypercalls.iso", checks,
               end="pass", timeout=180)
