#!/usr/bin/env python3
"""Boot-time benchmark: QEMU start -> the first shell prompt on the serial
console, side by side with the smallest multiboot2 kernel booted by the same
GRUB ISO path (GRUB's own floor), through the BIOS and through UEFI (OVMF).
Median of N runs (default 5) on the accelerator `make run` uses. The disk is a
fresh SFS image, as `make run` has.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "qemu"))
import qemu  # noqa: E402

BANNER = "(x86_64) booting"
PROMPT = "/ $ "
MINIMAL = "minimal kernel up"


def measure(args, marker, runs):
    times = []
    for _ in range(runs):
        r = qemu.run_captured(args, timeout=120, stop_when=lambda out: marker in out)
        if marker not in r.output:
            raise SystemExit("boot_time: %r not seen within 120s:\n%s" % (marker, r.output[-2000:]))
        times.append(r.seconds * 1000)
    return times


def row(what, t):
    print("| %-40s | %10.0f | %10.0f | %10.0f |" % (what, statistics.median(t), min(t), max(t)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", required=True)
    ap.add_argument("--minimal", help="the minimal multiboot2 kernel (ELF)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    acc = qemu.accel()
    disk = os.path.join(qemu.BUILD, "bench-boot.img")
    if os.path.exists(disk):
        os.unlink(disk)
    subprocess.run([os.path.join(qemu.BUILD, "bin", "mkfs.sfs"), disk, "--size", "64M"],
                   check=True, stdout=subprocess.DEVNULL)
    rows = []
    for uefi, fw in ((False, "BIOS"), (True, "UEFI")):
        ours = qemu.base_args(acc, a.iso, disk=disk, uefi=uefi)
        if a.minimal:
            iso = qemu.make_iso(a.minimal, "", os.path.join(qemu.BUILD, "bench-minimal.iso"))
            rows.append(("%s: minimal multiboot2 kernel (floor)" % fw,
                         measure(qemu.base_args(acc, iso, uefi=uefi), MINIMAL, a.runs)))
        rows.append(("%s: Kestrel banner on serial" % fw, measure(ours, BANNER, a.runs)))
        rows.append(("%s: Kestrel first shell prompt" % fw, measure(ours, PROMPT, a.runs)))
    print("Boot time from QEMU start, ms (%s, median of %d runs)" % (acc, a.runs))
    print("| %-40s | %10s | %10s | %10s |" % ("what", "median", "min", "max"))
    print("|%s|%s|%s|%s|" % ("-" * 42, "-" * 12, "-" * 12, "-" * 12))
    for what, t in rows:
        row(what, t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
