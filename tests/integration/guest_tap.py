# Shared by the hostile-guest .t files: did the guest's own TAP (relayed by the hypervisor as
# "guest| " lines) run its whole plan with every check passing? And small log-matching helpers.
import re

import emu


def guest_tap(log):
    """(plan, passed, failed lines) of the guest's TAP; plan is None without exactly one plan."""
    lines = emu.guest_lines(log)
    plans = [int(l[3:]) for l in lines if re.fullmatch(r"1\.\.\d+", l)]
    passed = [l for l in lines if re.match(r"ok \d+ - ", l)]
    failed = [l for l in lines if l.startswith("not ok")]
    return (plans[0] if len(plans) == 1 else None), passed, failed


def guest_tap_passed(n):
    """A check: the guest planned n checks, ran n and all passed (failures are printed)."""
    def check(log):
        plan, passed, failed = guest_tap(log)
        for l in failed:
            print("# guest: " + l)
        return plan == n and len(passed) == n and not failed
    return ("the guest's TAP: %d checks planned, all ran and passed" % n, check)


def shows(pattern, count=None):
    """A check: the log matches pattern (a regex on one line), exactly count times if given."""
    def check(log):
        found = len(re.findall(pattern, log, re.M))
        return found == count if count is not None else found > 0
    if count is None:
        return ("serial log shows /%s/" % pattern, check)
    return ("serial log shows /%s/ exactly %d time%s" % (pattern, count, "" if count == 1 else "s"),
            check)


def lacks(pattern):
    """A check: no line of the log matches pattern."""
    return ("serial log has no /%s/" % pattern, lambda log: not re.search(pattern, log, re.M))


# What every hostile test ends with: the exit report and the hypervisor's own integrity check.
EXIT_REPORT = r"^mica: exit statistics: \d+ VM exits$"
CHECKSUM = (r"^mica: hypervisor code and read-only data unchanged \(checksum [0-9a-f]{16}\), "
            r"protection tables unchanged \(checksum [0-9a-f]{16}\)$")
