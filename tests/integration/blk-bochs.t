# The I/O study's short version (tests/bench_io.py, 256 KiB): the guest kernel writes, reads back
# and verifies its disk under mica with trapped I/O (emulated disk), batched I/O (emulated disk)
# and pass-through (Bochs' own disk), each with the elevator and with direct dispatch. Checks the
# data, and that batching and pass-through really take fewer VM exits than trapping.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import bench_io

SECTORS = 256 * 1024 // 512
res = bench_io.blk_results("test", ["trapped", "batched", "passthrough"])
checks = []
for (mode, sched), r in sorted(res.items()):
    checks.append(("%s, %s: written, read back and verified (%s)" % (mode, sched,
                                                                     r["problem"] or "ok"),
                   r["problem"] is None and
                   all(p["sectors"] == SECTORS for p in r["phases"].values())))
for sched in bench_io.SCHEDS:
    for phase in ("write", "read"):
        get = lambda mode: res[(mode, sched)]["phases"].get(phase)
        t, b, p = get("trapped"), get("batched"), get("passthrough")
        if not (t and b and p):
            checks.append(("%s %s: all three configurations report the phase" % (sched, phase),
                           False))
            continue
        checks.append(("%s %s: batching takes fewer exits per sector than trapping "
                       "(%.2f vs %.2f)" % (sched, phase, bench_io.exits_per_sector(b),
                                           bench_io.exits_per_sector(t)),
                       b["exits"] * 3 < t["exits"] * 2))
        checks.append(("%s %s: pass-through takes at most about one exit per sector (IRQ 14 "
                       "forwarded): %.2f" % (sched, phase, bench_io.exits_per_sector(p)),
                       p["exits"] <= SECTORS * 1.1))
for phase in ("write", "read"):
    e = res[("trapped", "elevator")]["phases"].get(phase, {}).get("commands")
    d = res[("trapped", "direct")]["phases"].get(phase, {}).get("commands")
    checks.append(("%s: the elevator merges requests into fewer ATA commands (%s vs %s)" %
                   (phase, e, d), e is not None and d is not None and e < d))

print("1..%d" % len(checks))
for n, (description, ok) in enumerate(checks, 1):
    print("%sok %d - %s" % ("" if ok else "not ", n, description))
for r in res.values():
    if r["problem"]:
        print("# %s %s: serial log %s" % (r["mode"], r["sched"], r["serial"]))
