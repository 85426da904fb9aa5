# The debug monitor driven through the serial port (Bochs COM1 on a socket): Ctrl-A three times
# opens it while the guest waits for input, each command answers, a bad command gets its message,
# `continue` resumes, and a line typed afterwards reaches the guest's virtual UART.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

steps = [
    (r"waiting for a line on COM1", b"\x01\x01\x01"),
    (r"mica> ", b"help\r"),
    (r"continue +leave the monitor.*\n.*\n.*mica> ", b"regs\r"),
    (r"RIP [0-9a-f]{16} RSP.*\n(.*\n)*mica> ", b"exits\r"),
    (r"exit statistics: \d+ VM exits(.*\n)*mica> ", b"trace 3\r"),
    (r"exit trace: last 3 of \d+ exits(.*\n)*mica> ", b"mem 0x100000 16\r"),
    (r"0000000000100000: 02 b0 ad 1b .*\nmica> ", b"ept 0x100000\r"),
    (r"ept 100000 -> host-physical [0-9a-f]+, RWX, memory type 6.*\nmica> ", b"irq\r"),
    (r"legacy delivery(.*\n)*mica> ", b"dev pit\r"),
    (r"pit8254 at \d+ ns(.*\n)*mica> ", b"mem\r"),
    (r"usage: mem <gpa> \[len\]\nmica> ", b"bogus\r"),
    (r"unknown command 'bogus' \(help lists them\)\nmica> ", b"step\r"),
    (r"stepped one guest instruction\n  RIP [0-9a-f]{16}(.*\n)*mica> ", b"continue\r"),
    (r"monitor closed, guest resumed", b"hello monitor\r"),
    (r"got \"hello monitor\"", None),
]
log, done, run = emu.run_console_session("monitor-bochs", "build/test-guest-console_wait.iso",
                                         steps)
print("1..%d" % (len(steps) + 1))
for i, (pattern, data) in enumerate(steps, 1):
    what = "sent %r" % data if data else "end"
    print("%sok %d - console shows /%s/, then %s" % ("" if i <= done else "not ", i,
                                                      pattern.split("\\n")[0][:60], what))
ok = emu.status_of(log) == emu.STATUS["pass"]
print("%sok %d - the guest finished and the machine powered off" % ("" if ok else "not ",
                                                                      len(steps) + 1))
if done < len(steps) or not ok:
    print("# serial log %s, last lines:\n%s" % (run.serial, run.tail()))
