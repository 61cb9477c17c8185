#!/usr/bin/env python3
"""Run the in-kernel tests (KTEST) in QEMU and report the result.

    ktest.py --kernel build/kernel.elf [--filter NAME] [--timeout S] [--cmdline EXTRA] [--uefi]

Builds an ISO that boots the kernel with `ktest` (or `ktest=NAME`), streams the
serial output, and exits 0 only if QEMU left through isa-debug-exit with the
success code and the summary line says no test failed. A timeout, a reset (triple
fault), a missing summary or any failure exits 1.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


def run(kernel, filt=None, timeout=None, extra="", echo=sys.stdout, uefi=False, smp=None):
    """Boot the tests (through OVMF if uefi); return (ok, message, Result)."""
    acc = qemu.accel(kernel)
    if timeout is None:
        timeout = 120 if acc == "kvm" else 300
    cmdline = ("ktest=%s" % filt if filt else "ktest") + (" " + extra if extra else "")
    iso = qemu.make_iso(kernel, cmdline,
                        os.path.join(qemu.BUILD, "ktest-uefi.iso" if uefi else "ktest.iso"))
    if echo:
        echo.write("ktest: booting '%s' under %s%s%s (timeout %ds)\n"
                   % (cmdline, acc, ", UEFI" if uefi else "",
                      ", %s CPUs" % smp if smp and int(smp) > 1 else "", timeout))
    # Two scratch disks: a modern-only and a legacy-only virtio-blk device.
    tag = "-uefi" if uefi else ""
    disks = [(qemu.make_scratch_disk(os.path.join(qemu.BUILD, "scratch-modern%s.img" % tag)),
              "disable-legacy=on"),
             (qemu.make_scratch_disk(os.path.join(qemu.BUILD, "scratch-legacy%s.img" % tag)),
              "disable-modern=on")]
    r = qemu.run_captured(qemu.base_args(acc, iso, extra_disks=disks, uefi=uefi, smp=smp),
                          timeout, echo=echo)
    m = SUMMARY.findall(r.output)
    if r.timed_out:
        return False, "TIMEOUT after %ds: the kernel hung" % timeout, r
    if not m:
        return False, "no summary line (QEMU exit status %s: crash or reset?)" % r.status, r
    passed, failed = int(m[-1][0]), int(m[-1][1])
    if r.status != qemu.EXIT_SUCCESS or failed or not passed:
        return False, "%d passed, %d failed (QEMU exit status %s)" % (passed, failed, r.status), r
    return True, "%d passed, 0 failed (%.1fs)" % (passed, r.seconds), r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--filter")
    ap.add_argument("--timeout", type=int)
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--uefi", action="store_true", help="boot through OVMF (UEFI)")
    ap.add_argument("--smp", type=int, help="number of CPUs (QEMU -smp)")
    a = ap.parse_args()
    ok, msg, _ = run(a.kernel, a.filter, a.timeout, a.cmdline, uefi=a.uefi, smp=a.smp)
    print("ktest: %s: %s" % ("PASS" if ok else "FAIL", msg))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
