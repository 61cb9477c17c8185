#!/usr/bin/env python3
"""SMP scaling: a CPU-bound parallel workload on 1, 2 and 4 CPUs, Kestrel
against Linux, the same static program on both.

What is measured: user/bench/crcbench.c (built by make with musl-gcc -static)
forks N processes, each computing CRC-32s over a 256 KiB buffer of its own
(256 MiB each by default), with N equal to the guest's CPU count. The rate is
the MiB all processes covered per second of wall time, timed by the host
between two lines the program prints on the serial port (`crcbench clock`
just before the start, the result just after the last wait): Kestrel's own
clock loses ticks under TCG. Scaling is a row's rate over the 1-CPU row's.

Both guests run with `-smp N` under multi-threaded TCG (`-accel
tcg,thread=multi`, real parallelism on the 2-core machine: 1 -> 2 CPUs is
the judged row, 4 CPUs is reported) or KVM where it works; otherwise the QEMU
command line of tests/qemu/qemu.py (memory, disk) is the same for both.
Kestrel runs /opt/bench/crcbench from an SFS disk (/bin is the initrd's);
Linux is Debian's linux-image-cloud-amd64 with an initramfs holding Debian's
static busybox, tests/bench/linux/crcbench-init.sh as /init, and crcbench.

Target (issue "SMP"): Kestrel at least 1.8x from 1 to 2 CPUs. A miss is
printed as such; the exit status is non-zero only if a run failed.

Needs linux-image-cloud-amd64 and busybox-static (installed like
virtio_vs_linux.py does). Everything generated goes under build/sbench/.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "qemu"))
sys.path.insert(0, HERE)
import qemu  # noqa: E402
import virtio_vs_linux as vvl  # noqa: E402

WORK = os.path.join(qemu.BUILD, "sbench")
PROMPT = " $ "
RUN_TIMEOUT = 1800
RESULT = re.compile(r"^crcbench (\w+) ([\d.]+) procs=(\d+) mib=(\d+) secs=([\d.]+)$")
CLOCK = re.compile(r"^crcbench clock (\w+)$")


def die(msg):
    raise SystemExit("smp_vs_linux: " + msg)


def smp_args(args, cpus, acc):
    """@args with N CPUs, and multi-threaded TCG when not under KVM."""
    args = list(args)
    if acc == "tcg":
        i = args.index("-accel")
        args[i + 1] = "tcg,thread=multi"
    return args + ["-smp", str(cpus)]


def read_result(s, who):
    """(MiB/s by the host clock, MiB/s by the guest's clock) from crcbench's lines."""
    start = None
    while True:
        try:
            line = s.expect("\n", timeout=RUN_TIMEOUT).strip()
        except TimeoutError as e:
            die("%s: no crcbench output for %d s, or QEMU ended:\n%s"
                % (who, RUN_TIMEOUT, str(e)[-2000:]))
        now = time.monotonic()
        if CLOCK.match(line):
            start = now
            continue
        if (" error " in line and line.startswith("crcbench ")) or line.startswith("sh: "):
            die("%s: %s" % (who, line))
        m = RESULT.match(line)
        if m and start is not None:
            procs, mib, secs = int(m.group(3)), int(m.group(4)), float(m.group(5))
            return procs * mib / (now - start), float(m.group(2))


def run_kestrel(args, cpus, mib):
    with qemu.Session(args, timeout=300) as s:
        s.expect(PROMPT, timeout=300)
        s.send("/opt/bench/crcbench -p %d -m %d\r" % (cpus, mib))
        s.expect("\n", timeout=60)  # the echoed command line
        return read_result(s, "Kestrel, %d CPUs" % cpus)


def run_linux(args, cpus):
    with qemu.Session(args, timeout=300) as s:
        return read_result(s, "Linux, %d CPUs" % cpus)


def make_disk(image, crcbench, tools):
    if os.path.exists(image):
        os.unlink(image)
    sfs = os.path.join(tools, "sfs")
    for args in ([os.path.join(tools, "mkfs.sfs"), image, "--size", "32M"],
                 [sfs, image, "mkdir", "/opt"],
                 [sfs, image, "mkdir", "/opt/bench"],
                 [sfs, image, "put", crcbench, "/opt/bench/crcbench"]):
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            die("'%s' failed: %s" % (" ".join(args), r.stdout.decode(errors="replace")))


def build_initramfs(out, crcbench):
    a = vvl.Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    with open(vvl.busybox_path(), "rb") as f:
        a.file("bin/busybox", f.read(), 0o755)
    with open(os.path.join(HERE, "linux", "crcbench-init.sh"), "rb") as f:
        a.file("init", f.read(), 0o755)
    with open(crcbench, "rb") as f:
        a.file("bin/crcbench", f.read(), 0o755)
    with open(out, "wb") as f:
        f.write(a.finish())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--bins", default=os.path.join(qemu.BUILD, "user", "bench"))
    ap.add_argument("--tools", default=os.path.join(qemu.BUILD, "bin"))
    ap.add_argument("--cpus", default="1,2,4", help="CPU counts to run (the first is the base)")
    ap.add_argument("--mib", type=int, default=1024,
                    help="MiB each process covers (at 256 the fixed start-up cost hid the scaling)")
    ap.add_argument("--runs", type=int, default=3, help="runs per row; the median is reported")
    ap.add_argument("--kestrel-only", action="store_true", help="skip the Linux guest")
    ap.add_argument("--cmdline", default="", help="Kestrel's kernel command line (e.g. hz=250)")
    a = ap.parse_args()
    crcbench = os.path.join(a.bins, "crcbench")
    for p in (a.kernel, crcbench, os.path.join(a.tools, "sfs")):
        if not os.path.isfile(p):
            die("%s is missing (make all userbench)" % p)
    cpus = [int(c) for c in a.cpus.split(",")]
    os.makedirs(WORK, exist_ok=True)
    image = os.path.join(WORK, "disk.img")
    make_disk(image, crcbench, a.tools)
    acc = qemu.accel(a.kernel)
    iso = qemu.make_iso(a.kernel, a.cmdline, os.path.join(WORK, "kestrel.iso"))
    kbase = qemu.base_args(acc, iso, disk=image)
    lbase = None
    ver = "-"
    if not a.kestrel_only:
        vvl.bootstrap()
        ver, vmlinuz = vvl.linux_kernel()
        initrd = os.path.join(WORK, "initramfs.cpio")
        build_initramfs(initrd, crcbench)
        lbase = vvl.linux_args(acc, image, vmlinuz, initrd)

    started = time.monotonic()
    # Rounds of every row in turn, not every run of a row in a row: the host's
    # load drifts over minutes, and a drift should touch 1 and 2 CPUs alike.
    kruns = {n: [] for n in cpus}
    lruns = {n: [] for n in cpus}
    for _ in range(a.runs):
        for n in cpus:
            kruns[n].append(run_kestrel(smp_args(kbase, n, acc), n, a.mib)[0])
            if lbase:
                largs = smp_args(lbase, n, acc)
                largs[largs.index("-append") + 1] += " -- -p %d -m %d" % (n, a.mib)
                lruns[n].append(run_linux(largs, n)[0])
    kes = {n: statistics.median(r) for n, r in kruns.items()}
    lin = {n: statistics.median(r) for n, r in lruns.items() if r}

    mode = "tcg,thread=multi" if acc == "tcg" else acc
    print("SMP scaling: N processes on N CPUs, each a CRC-32 over its own 256 KiB buffer for "
          "%d MiB (%s, by the host clock%s; Linux %s)"
          % (a.mib, mode, ", median of %d runs" % a.runs if a.runs > 1 else "", ver))
    print("| CPUs | Kestrel MiB/s | Kestrel scaling | Linux MiB/s | Linux scaling | target | met? |")
    print("|---|---|---|---|---|---|---|")
    base = cpus[0]
    missed = 0
    for n in cpus:
        ks = kes[n] / kes[base]
        ls = "%.2f" % (lin[n] / lin[base]) if n in lin else "-"
        lv = "%.1f" % lin[n] if n in lin else "-"
        target, met = "-", "-"
        if n == 2 and base == 1:
            target, met = ">= 1.80", "yes" if ks >= 1.8 else "NO"
            missed += met != "yes"
        print("| %d | %.1f | %.2f | %s | %s | %s | %s |" % (n, kes[n], ks, lv, ls, target, met))
    if a.runs > 1:
        print("Per run (Kestrel%s MiB/s): " % (" / Linux" if lin else "") + "; ".join(
            "%d CPUs %s" % (n, ", ".join(
                "%.0f" % k + ("/%.0f" % lr if lin else "")
                for k, lr in zip(kruns[n], lruns[n] or [None] * len(kruns[n]))))
            for n in cpus))
    if base == 1 and 2 in cpus:
        print("Target met: %s." % ("yes" if missed == 0 else "NO"))
    print("QEMU runs took %.0f s." % (time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
