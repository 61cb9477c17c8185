#!/usr/bin/env python3
"""In-kernel benchmarks: boot with `kbench`, collect the `kbench: NAME VALUE UNIT`
lines the KBENCH functions print, and show them as a table."""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "qemu"))
import qemu  # noqa: E402

LINE = re.compile(r"^kbench: (\S+) (\d+) (\S+)$", re.M)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--filter", default="")
    ap.add_argument("--smp", type=int, default=1, help="number of CPUs (default 1)")
    a = ap.parse_args()
    acc = qemu.accel(a.kernel)
    cmdline = "kbench=%s" % a.filter if a.filter else "kbench"
    iso = qemu.make_iso(a.kernel, cmdline, os.path.join(qemu.BUILD, "kbench.iso"))
    # A fresh SFS disk for the storage benchmark (the root file system).
    disk = os.path.join(qemu.BUILD, "bench-disk.img")
    if os.path.exists(disk):
        os.unlink(disk)
    subprocess.run([os.path.join(qemu.BUILD, "bin", "mkfs.sfs"), disk, "--size", "128M"],
                   check=True, stdout=subprocess.DEVNULL)
    args = qemu.base_args(acc, iso, disk=disk, smp=a.smp)
    if a.smp > 1 and acc == "tcg":  # a thread per CPU: CPUs really run at once
        args[args.index("-accel") + 1] = "tcg,thread=multi"
    r = qemu.run_captured(args, timeout=600)
    if r.timed_out or "kbench: done" not in r.output:
        sys.stderr.write(r.output[-3000:])
        raise SystemExit("kernel_bench: the benchmark run did not finish")
    rows = LINE.findall(r.output)
    print("In-kernel benchmarks (%s, %d CPU%s; TSC calibrated against the PIT)"
          % (args[args.index("-accel") + 1], a.smp, "" if a.smp == 1 else "s"))
    print("| %-32s | %12s | %-10s |" % ("what", "value", "unit"))
    print("|%s|%s|%s|" % ("-" * 34, "-" * 14, "-" * 12))
    for name, value, unit in rows:
        print("| %-32s | %12s | %-10s |" % (name, value, unit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
