#!/usr/bin/env python3
"""Boot-time benchmark: QEMU start -> the kernel's banner on the serial console.

Runs the ISO N times (default 5) on the same accelerator `make run` uses and
prints a table with the median, min and max.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "qemu"))
import qemu  # noqa: E402

BANNER = "(x86_64) booting"


def measure(iso, runs, acc):
    times = []
    for _ in range(runs):
        r = qemu.run_captured(qemu.base_args(acc, iso), timeout=120,
                              stop_when=lambda out: BANNER in out)
        if BANNER not in r.output:
            raise SystemExit("boot_time: no banner within 120s:\n" + r.output[-2000:])
        times.append(r.seconds)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    acc = qemu.accel()
    t = measure(a.iso, a.runs, acc)
    print("Boot time: QEMU start -> banner on serial (%s, %d runs)" % (acc, a.runs))
    print("| %-28s | %10s | %10s | %10s |" % ("what", "median ms", "min ms", "max ms"))
    print("|%s|%s|%s|%s|" % ("-" * 30, "-" * 12, "-" * 12, "-" * 12))
    print("| %-28s | %10.0f | %10.0f | %10.0f |" % (
        "os.iso (GRUB + kernel)", statistics.median(t) * 1000, min(t) * 1000, max(t) * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
