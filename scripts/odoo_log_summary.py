"""Read the log of an Odoo test run and decide whether it passed.

Usage: odoo_log_summary.py LOG ODOO_EXIT_CODE

Fails when Odoo exited non-zero, when the closing test report is missing,
when a test failed or errored, or when any ERROR/CRITICAL line was logged.
Prints the offending lines and a closing line ``Odoo: N passed, N failed``.
"""

import re
import sys

REPORT = re.compile(
    r"odoo\.tests\.result: (?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) "
    r"of (?P<total>\d+) tests when loading database"
)
# "2026-11-22 10:00:00,000 1234 ERROR db odoo.x: message"
LEVEL = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) ")
TEST_LINE = re.compile(r"^(FAIL|ERROR): ")


def summarize(lines):
    """Return (passed, failed, problems) for the lines of an Odoo log."""
    problems = []
    report = None
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        match = REPORT.search(line)
        if match:
            report = match
        level = LEVEL.match(line)
        if (level and level["level"] in ("ERROR", "CRITICAL")) or TEST_LINE.match(line):
            problems.append(f"{number}: {line}")
    if report is None:
        problems.append("no test report in the log: the add-on did not load")
        return 0, 0, problems
    failed = int(report["failed"]) + int(report["errors"])
    passed = int(report["total"]) - failed
    if int(report["total"]) == 0:
        problems.append("the Odoo suite ran no test")
    return passed, failed, problems


def main(argv):
    path, exit_code = argv[1], int(argv[2])
    with open(path, encoding="utf-8", errors="replace") as log:
        passed, failed, problems = summarize(log)
    if exit_code:
        problems.append(f"odoo exited with code {exit_code}")
    for problem in problems[:200]:
        print(problem)
    if len(problems) > 200:
        print(f"... and {len(problems) - 200} more, see {path}")
    print(f"Odoo: {passed} passed, {failed} failed")
    return 1 if (problems or failed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
