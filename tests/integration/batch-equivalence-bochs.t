# The same device workload (UART text, PIT programming, CMOS) trapped and batched under Bochs:
# identical guest-visible output and results, and batching cuts the VM exits.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu


def block(log, name):
    lines = emu.guest_lines(log)
    start = lines.index("=== %s ===" % name) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("==="))
    return lines[start:end]


def without_exit_counts(lines):
    return [l for l in lines if not l.startswith("exits ")]


def exits(log, name):
    return int(re.search(r"^exits run: (\d+)$", "\n".join(block(log, name)), re.M).group(1))


emu.run_checks("batch-equivalence-bochs", "bochs", "build/test-guest-batch_equiv.iso", [
    ("the trapped run printed its UART text and results",
     lambda log: len(without_exit_counts(block(log, "trapped"))) >= 5),
    ("trapped and batched runs give identical output and IN results",
     lambda log: without_exit_counts(block(log, "trapped")) ==
     without_exit_counts(block(log, "batched"))),
    ("CMOS scratch bytes read back in both runs",
     lambda log: "\n".join(block(log, "batched")).count("pattern read back") == 1 and
     "\n".join(block(log, "trapped")).count("pattern read back") == 1),
    ("batching needs under a tenth of the trapped run's VM exits",
     lambda log: exits(log, "batched") * 10 < exits(log, "trapped")),
], end="pass", timeout=200)
