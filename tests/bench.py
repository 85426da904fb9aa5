#!/usr/bin/env python3
"""`make bench`: boots the benchmark guests in Bochs (clock sync=none: the TSC counts emulated
instructions, so figures are deterministic) and prints one table, with the VM-exit counts the
hypervisor reported next to each cost (an exit itself costs no emulated time in Bochs)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu  # noqa: E402


def run_guest(name, iso):
    r = emu.Run("bench-" + name, "bochs", iso, timeout=600)
    r.start()
    r.wait()
    r.stop()
    log = r.log()
    values = {k: int(v) for k, v in re.findall(r"guest\| bench: (\w+)=(\d+)", log)}
    exits = {int(n): int(c) for n, c in re.findall(r"^  exit (\d+) .*?(\d+)$", log, re.M)}
    ports = {int(p, 16): int(c) for p, c in re.findall(r"^  port 0x([0-9a-f]+) .*?(\d+)$", log,
                                                        re.M)}
    if emu.status_of(log) != emu.STATUS["pass"]:
        sys.exit("bench: %s did not finish (serial log %s)" % (name, r.serial))
    return values, exits, ports


def main():
    values, exits, ports = run_guest("vmx_cost", "build/test-guest-vmx_cost.iso")
    rounds = values["rounds"]
    rows = [
        ("VMCALL round trip (MICA_HC_PING)", values["vmcall_round_trip_ticks"],
         exits.get(18, 0) / rounds),
        ("trapped OUT to an emulated port (0x80)", values["trapped_out_ticks"],
         ports.get(0x80, 0) / rounds),
    ]
    print()
    print("| operation | emulated instructions per operation (Bochs TSC) | VM exits per operation |")
    print("| --- | ---: | ---: |")
    for name, ticks, exits_per_op in rows:
        print("| %s | %d | %.2f |" % (name, ticks, exits_per_op))
    print()
    print("%d operations each, guest loop overhead (%d per iteration) subtracted. In Bochs a VM "
          "exit and entry cost no emulated time: the cost shown is the hypervisor's handler; on "
          "hardware add the exit/entry latency per exit." % (rounds, values["loop_overhead_ticks"]))


if __name__ == "__main__":
    main()
