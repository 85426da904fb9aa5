#!/usr/bin/env python3
"""Boots an ISO in one emulator with a timeout and turns what the kernel printed on its serial port
into TAP for `prove`. Used by tests/integration/*.t (and runnable by hand: see --help).

Every run prints "START"/"END" lines with its elapsed time on stderr. On failure the output names
the serial log and shows its last lines."""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS_LINE = re.compile(r"mica: power off, status 0x([0-9a-f]{2})")
STATUS = {"pass": 0x10, "fail": 0x11, "no-vmx": 0x12, "fatal": 0x13, "guest-stopped": 0x14}
GUEST_PREFIX = "guest| "  # the hypervisor marks guest console lines with it
OVMF = "/usr/share/ovmf/OVMF.fd"

# The emulated CMOS clock starts at this fixed moment (2026-01-01 00:00:00 UTC) rather than the
# host's time: with sync=none everything else in a Bochs run is a function of the instruction
# count, and a start time that varied would shift the RTC's second boundaries (which the
# hypervisor and guests wait on) and with them the benchmarks' figures from run to run.
BOCHS_TIME0 = 1767225600

BOCHSRC = """\
megs: {megs}
cpu: model={cpu_model}, count=1, ips=200000000, ignore_bad_msrs=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
vgaromimage: file=/usr/share/vgabios/vgabios.bin
{drives}
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
port_e9_hack: enabled=1
display_library: rfb, options="timeout=0"
log: {bochs_log}
panic: action=fatal
error: action=report
clock: sync=none, time0={time0}
sound: driver=dummy

"""


def qemu_command(emu, iso, serial, megs):
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-m", str(megs), "-cdrom", iso,
           "-serial", "file:" + serial, "-display", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if emu == "qemu-bios":
        cmd += ["-cpu", "max"]
    elif emu == "qemu-uefi":
        cmd += ["-cpu", "max", "-bios", OVMF]
    elif emu == "qemu-nolm":
        cmd += ["-cpu", "qemu32"]  # a 32-bit CPU: no long mode
    else:
        raise SystemExit("unknown emulator " + emu)
    return cmd


# Bochs 2.7 takes a flat disk image's geometry from the bochsrc: a whole number of cylinders of
# DISK_HEADS x DISK_SPT sectors (the default translation of ATA disks), which must match its size.
DISK_HEADS, DISK_SPT, SECTOR = 16, 63, 512
CYLINDER_BYTES = DISK_HEADS * DISK_SPT * SECTOR


def make_disk(path, min_bytes):
    """Creates a zero-filled (sparse) flat disk image of at least min_bytes, rounded up to whole
    cylinders for Bochs; returns its size."""
    size = max(1, -(-min_bytes // CYLINDER_BYTES)) * CYLINDER_BYTES
    with open(path, "wb") as f:
        f.truncate(size)
    return size


def bochs_drives(iso, disk):
    """Without a disk the CD-ROM is ata0-master; with one, the disk is ata0-master (the primary
    channel, where the guest kernel's ATA driver looks) and the CD-ROM moves to ata1-master
    (the BIOS boots from it all the same: `boot: cdrom` takes the first CD-ROM drive)."""
    if disk is None:
        return "ata0-master: type=cdrom, path=%s, status=inserted" % iso
    size = os.path.getsize(disk)
    if size == 0 or size % CYLINDER_BYTES:
        raise SystemExit("disk image %s: %d bytes is not a whole number of %d-byte cylinders "
                         "(use make_disk)" % (disk, size, CYLINDER_BYTES))
    return ("ata0-master: type=disk, path=%s, mode=flat, cylinders=%d, heads=%d, spt=%d\n"
            "ata1-master: type=cdrom, path=%s, status=inserted" %
            (os.path.abspath(disk), size // CYLINDER_BYTES, DISK_HEADS, DISK_SPT, iso))


def bochs_command(workdir, iso, serial, megs, cpu_model, disk=None):
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(megs=megs, cpu_model=cpu_model,
                               drives=bochs_drives(os.path.abspath(iso), disk),
                               serial=os.path.abspath(serial),
                               bochs_log=os.path.join(os.path.abspath(workdir), "bochs.log"),
                               time0=BOCHS_TIME0))
    cmds = os.path.join(workdir, "debugger-commands")
    with open(cmds, "w") as f:
        f.write("c\nquit\n")  # Bochs' built-in debugger stops at the first instruction
    # Each run's disk image is its own (made afresh in the run's directory or owned by the
    # caller), so a leftover disk.img.lock can only be stale: one once made a run fail at
    # start-up with "image locked" and no cause found. -unlock removes such a lock.
    unlock = ["-unlock"] if disk else []
    return ["bochs", "-q"] + unlock + ["-f", rc, "-rc", cmds]


class Run:
    def __init__(self, name, emu, iso, timeout, megs=256, cpu_model="corei7_icelake_u",
                 disk=None, disk_bytes=None):
        """Bochs only: disk = a flat image (made with make_disk: whole cylinders) on ata0-master,
        or disk_bytes = a zero-filled one of at least that size, created in the run's directory
        as disk.img. self.disk is the image used."""
        self.name, self.emu, self.timeout = name, emu, timeout
        self.iso = iso = os.path.join(ROOT, iso)
        self.workdir = os.path.join(ROOT, "build", "runs", name)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.serial = os.path.join(self.workdir, "serial.log")
        open(self.serial, "w").close()
        self.disk = os.path.abspath(disk) if disk else None
        if disk_bytes is not None:
            self.disk = os.path.join(self.workdir, "disk.img")
            make_disk(self.disk, disk_bytes)
        if self.disk and emu != "bochs":
            raise SystemExit("a disk is supported with Bochs only")
        if emu == "bochs":
            self.cmd = bochs_command(self.workdir, iso, self.serial, megs, cpu_model, self.disk)
        else:
            self.cmd = qemu_command(emu, iso, self.serial, megs)
        self.exit_code = None
        self.timed_out = False

    def start(self):
        sys.stderr.write("[emu] START %s (%s)\n" % (self.name, self.emu))
        sys.stderr.flush()
        self.t0 = time.monotonic()
        for attempt in range(5):
            self.out = open(os.path.join(self.workdir, "emulator.out"), "w")
            self.proc = subprocess.Popen(self.cmd, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                         stdout=self.out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            if self.emu != "bochs" or not self.rfb_port_busy():
                return
            # Bochs' headless display is a VNC server on the first free port of 5900-5949:
            # with many emulators running at once (other jobs too) none may be free. Retry.
            self.proc.wait()
            self.out.close()
            open(self.serial, "w").close()
            time.sleep(2 + attempt)

    def rfb_port_busy(self):
        time.sleep(0.5)
        with open(os.path.join(self.workdir, "emulator.out"), errors="replace") as f:
            return "RFB could not bind" in f.read()

    def elapsed(self):
        return time.monotonic() - self.t0

    def log(self):
        with open(self.serial, errors="replace") as f:
            return f.read().replace("\r\n", "\n")

    def wait(self, until=None):
        """Waits for the emulator to exit, the timeout, or until(log) to be true."""
        while self.proc.poll() is None:
            if self.elapsed() > self.timeout:
                self.timed_out = True
                break
            if until and until(self.log()):
                return True
            time.sleep(0.2)
        if self.proc.poll() is not None:
            self.exit_code = self.proc.returncode
        return False

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.out.close()
        state = "timed out" if self.timed_out else "exit %s" % self.exit_code
        sys.stderr.write("[emu] END   %s (%s) %.1f s, %s\n" % (self.name, self.emu, self.elapsed(),
                                                             state))
        sys.stderr.flush()

    def tail(self, n=15):
        lines = self.log().rstrip("\n").split("\n")
        return "\n".join("#   " + l for l in lines[-n:])


def status_of(log):
    m = STATUS_LINE.findall(log)
    return int(m[-1], 16) if m else None


def run_ktap(name, emu, iso, expect="pass", timeout=120, **kw):
    """The kernel prints KTAP; pass it through and fail loudly on a hang or a wrong status."""
    r = Run(name, emu, iso, timeout, **kw)
    r.start()
    r.wait()
    r.stop()
    log = r.log()
    for line in log.split("\n"):
        if line.startswith(GUEST_PREFIX):
            line = line[len(GUEST_PREFIX):]
        if line.startswith(("KTAP", "TAP", "1..", "ok ", "not ok ", "Bail out!", "#", "    #")):
            print(line.strip() if line.startswith("    #") else line)
    status = status_of(log)
    problem = None
    if r.timed_out:
        problem = "the machine did not power off within %d s (hang?)" % timeout
    elif status is None:
        problem = "no power-off status line (emulator exit %s)" % r.exit_code
    elif status != STATUS[expect]:
        problem = "status 0x%02x, expected 0x%02x (%s)" % (status, STATUS[expect], expect)
    elif emu.startswith("qemu") and r.exit_code != (STATUS[expect] << 1 | 1):
        problem = "QEMU exit code %s, expected %d" % (r.exit_code, STATUS[expect] << 1 | 1)
    if problem:
        print("# serial log %s, last lines:\n%s" % (r.serial, r.tail()))
        print("Bail out! %s: %s (log: %s)" % (name, problem, r.serial))
        sys.exit(1)


def run_expect(name, emu, iso, patterns, end="halt", timeout=60, **kw):
    """Checks that the serial log shows each pattern, then that the machine halts (stays up,
    prints nothing more, no reboot) or powers off with the given status."""
    r = Run(name, emu, iso, timeout, **kw)
    r.start()
    regexes = [re.compile(p) for p in patterns]
    if end == "halt":
        seen = r.wait(until=lambda log: all(x.search(log) for x in regexes))
    else:  # a power-off is expected: wait for it
        r.wait()
        seen = all(x.search(r.log()) for x in regexes)
    grace_log = None
    if seen and end == "halt":
        time.sleep(3)  # a reboot loop or a late crash would show within this
        grace_log = r.log()
        still_running = r.proc.poll() is None
    r.stop()
    log = r.log()
    print("1..%d" % (len(patterns) + 1))
    n = 0
    for p, x in zip(patterns, regexes):
        n += 1
        print("%sok %d - serial log shows /%s/" % ("" if x.search(log) else "not ", n, p))
    n += 1
    if end == "halt":
        ok = seen and still_running and grace_log == log and log.count("\n\nmica ") <= 1
        print("%sok %d - the machine halted (still running, silent, no reboot)" %
              ("" if ok else "not ", n))
    else:
        ok = status_of(log) == STATUS[end] and (not emu.startswith("qemu") or
                                                r.exit_code == (STATUS[end] << 1 | 1))
        print("%sok %d - powered off with status %s" % ("" if ok else "not ", n, end))
    if not (ok and seen):
        print("# serial log %s, last lines:\n%s" % (r.serial, r.tail()))


def run_checks(name, emu, iso, checks, end="pass", timeout=180, **kw):
    """Boots, waits for the power-off, then reports TAP for each (description, fn(log) -> bool)
    check plus the expected power-off status."""
    r = Run(name, emu, iso, timeout, **kw)
    r.start()
    r.wait()
    r.stop()
    log = r.log()
    print("1..%d" % (len(checks) + 1))
    failed = False
    for n, (description, fn) in enumerate(checks, 1):
        try:
            ok = bool(fn(log))
        except Exception as e:  # a check that cannot even parse the log fails
            ok = False
            description += " (%s)" % e
        failed |= not ok
        print("%sok %d - %s" % ("" if ok else "not ", n, description))
    ok = status_of(log) == STATUS[end]
    failed |= not ok
    print("%sok %d - powered off with status %s" % ("" if ok else "not ", len(checks) + 1, end))
    if failed:
        print("# serial log %s, last lines:\n%s" % (r.serial, r.tail()))


def free_tcp_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def run_console_session(name, iso, steps, timeout=180):
    """Bochs with COM1 on a TCP socket: for each (regex, bytes) step, waits until the console
    output matches regex (searching only output after the previous step), then types bytes.
    Everything received is saved as the run's serial log; returns (log, completed steps)."""
    import socket
    r = Run(name, "bochs", iso, timeout)
    port = free_tcp_port()
    rc = os.path.join(r.workdir, "bochsrc")
    with open(rc) as f:
        text = f.read()
    text = re.sub(r"com1: .*", "com1: enabled=1, mode=socket-server, dev=localhost:%d" % port, text)
    with open(rc, "w") as f:
        f.write(text)
    r.start()
    sock = None
    deadline = time.monotonic() + 20
    while sock is None and time.monotonic() < deadline:
        try:
            sock = socket.create_connection(("localhost", port), timeout=1)
        except OSError:
            time.sleep(0.3)
    buf = b""
    done = 0
    if sock is not None:
        sock.settimeout(0.3)
        mark = 0
        for pattern, data in steps:
            x = re.compile(pattern.encode())
            text = lambda: buf.replace(b"\r", b"")  # patterns see \n line ends
            while time.monotonic() - r.t0 < timeout and not x.search(text(), mark):
                try:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
                except socket.timeout:
                    pass
            if not x.search(text(), mark):
                break
            mark = len(text())
            if data:
                for byte in data:  # typed, not pasted: one byte at a time
                    sock.sendall(bytes([byte]))
                    time.sleep(0.02)
            done += 1
        while time.monotonic() - r.t0 < timeout and r.proc.poll() is None:
            try:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buf += chunk
            except socket.timeout:
                pass
        sock.close()
    r.wait()
    r.stop()
    log = buf.decode(errors="replace").replace("\r\n", "\n")
    with open(r.serial, "w") as f:
        f.write(log)
    return log, done, r


def run_gdb_session(name, iso, elf, gdb_commands, timeout=180):
    """Bochs with COM2 on a TCP socket and real gdb (batch mode) attached to it; returns the
    serial log, gdb's output and the run."""
    r = Run(name, "bochs", iso, timeout)
    port = free_tcp_port()
    rc = os.path.join(r.workdir, "bochsrc")
    with open(rc) as f:
        text = f.read()
    text = re.sub(r"(com1: .*)", r"\1\ncom2: enabled=1, mode=socket-server, dev=localhost:%d" % port,
                  text)
    with open(rc, "w") as f:
        f.write(text)
    script = os.path.join(r.workdir, "commands.gdb")
    with open(script, "w") as f:
        f.write("set pagination off\nset confirm off\nset architecture i386\n"
                "set remotetimeout 120\ntarget remote localhost:%d\n" % port)
        f.write("\n".join(gdb_commands) + "\n")
    r.start()
    time.sleep(1)
    try:
        out = subprocess.run(["gdb", "-batch", "-nx", "-x", script, elf], capture_output=True,
                             text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + "\n(gdb timed out)"
    with open(os.path.join(r.workdir, "gdb.out"), "w") as f:
        f.write(out)
    r.wait()
    r.stop()
    return r.log(), out, r


def guest_lines(log):
    return [l[len(GUEST_PREFIX):] for l in log.split("\n") if l.startswith(GUEST_PREFIX)]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--emu", required=True, choices=["qemu-bios", "qemu-uefi", "qemu-nolm", "bochs"])
    ap.add_argument("--iso", required=True)
    ap.add_argument("--name", default="manual")
    ap.add_argument("--expect", default="pass", choices=sorted(STATUS))
    ap.add_argument("--timeout", type=int, default=120)
    a = ap.parse_args()
    run_ktap(a.name, a.emu, a.iso, a.expect, a.timeout)
