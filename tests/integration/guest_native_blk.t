# The guest kernel booted natively in Bochs (GRUB `multiboot`, no hypervisor) with a 1 MiB disk on
# ata0-master: 256 KiB written and read back in 8-sector requests, with the elevator and with
# direct dispatch, IRQ14 on. Checks the phase lines, that the elevator merged (fewer commands), the
# verify line and the native end (final line, Bochs stopped by the guest). About 10 s.
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

SECTORS = 256 * 1024 // 512
PHASE = re.compile(r"^blk: phase=(write|read) io=native sched=(\w+) bytes=262144 req=8 "
                   r"sectors=(\d+) commands=(\d+) tsc=(\d+) exits=0 hypervisor_ticks=0 irqs=(\d+)$",
                   re.M)


def boot(sched):
    r = emu.Run("guest-native-blk-" + sched, "bochs", "build/native-guest-blk-%s.iso" % sched,
                timeout=120, disk_bytes=1 << 20)
    r.start()
    r.wait()
    r.stop()
    return r


runs = {s: boot(s) for s in ("elevator", "direct")}
checks = []
commands = {}
for sched, r in runs.items():
    log = r.log()
    phases = {m.group(1): m for m in PHASE.finditer(log) if m.group(2) == sched}
    for phase in ("write", "read"):
        m = phases.get(phase)
        checks.append(("%s: one %s phase line, %d sectors, one IRQ14 per sector" % (sched, phase,
                                                                                    SECTORS),
                       m is not None and int(m.group(3)) == SECTORS and int(m.group(6)) == SECTORS
                       and int(m.group(5)) > 0))
        commands[sched, phase] = int(m.group(4)) if m else None
    checks.append(("%s: blk: verify ok sectors=%d" % (sched, SECTORS),
                   ("blk: verify ok sectors=%d\n" % SECTORS) in log and "FAILED" not in log))
    checks.append(("%s: ends with 'mica-guest: done, status pass' and Bochs stopped by itself" %
                   sched, log.rstrip("\n").endswith("mica-guest: done, status pass") and
                   not r.timed_out and r.exit_code is not None))
for phase in ("write", "read"):
    e, d = commands["elevator", phase], commands["direct", phase]
    checks.append(("%s: direct dispatch issues one command per request (%s), the elevator merges "
                   "them up to 256 sectors (%s)" % (phase, d, e),
                   d == SECTORS // 8 and e == SECTORS // 256))

print("1..%d" % len(checks))
for n, (description, ok) in enumerate(checks, 1):
    print("%sok %d - %s" % ("" if ok else "not ", n, description))
for sched, r in runs.items():
    if not all(ok for _, ok in checks):
        print("# %s serial log %s, last lines:\n%s" % (sched, r.serial, r.tail()))
