#!/usr/bin/env python3
"""Processes and pipes: Kestrel against Linux, the same static program on both.

What is measured: user/bench/procbench.c (built by make with musl-gcc -static)
run unmodified on both kernels; its rows are a null system call (getppid),
fork + exit + wait, fork + execve of a static `true` + wait, a 1-byte pipe
ping-pong round trip between two processes, and 1 GiB through one pipe. Each
row has a fixed iteration count and is timed inside the guest with
clock_gettime(CLOCK_MONOTONIC) around the loop; each loop spans more than a
second because Kestrel's clock ticks in milliseconds.

- Kestrel: an SFS disk holding /opt/bench/procbench and
  /opt/bench/true_static (put with build/bin/sfs; /bin is the initrd's),
  booted from the GRUB ISO; `/opt/bench/procbench` typed in the shell.
- Linux: Debian's linux-image-cloud-amd64 kernel with an initramfs holding
  Debian's static busybox, tests/bench/linux/procbench-init.sh as /init, and the
  same two binaries at the same paths; /init runs /bin/procbench.

Both guests get the QEMU command line of tests/qemu/qemu.py (same binary,
accelerator, CPU model, one vCPU, memory, and the same disk attached), except
that Linux boots with -kernel/-initrd/-append (virtio_vs_linux.linux_args).
The host also stamps two lines of each row as they arrive on the serial port:
`procbench clock NAME`, printed just before the guest first reads its clock,
and the result, printed just after the second read. Their distance times the
same loop from outside (serial latency is a few ms, against loops of seconds).
The targets are judged by that host clock: Kestrel's CLOCK_MONOTONIC counts PIT
interrupts, and under TCG it loses ticks (it read 36-58% of the real time in
the first runs), while Linux's (TSC) agrees with the host to 0.1%. Both tables
are printed, with each guest's guest/host clock ratio.

Targets (from the issue): Kestrel at least as fast as Linux on every row:
Kestrel/Linux <= 1.00 for the latencies, >= 1.00 for the throughput. A miss is
printed as such; the exit status is non-zero only if a run failed (a row that
Kestrel cannot run is reported as unsupported, not as a failure).

Needs linux-image-cloud-amd64 and busybox-static (installed like
virtio_vs_linux.py does). Everything generated goes under build/pbench/.
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

WORK = os.path.join(qemu.BUILD, "pbench")
PROMPT = " $ "
LINE_TIMEOUT = 1200  # the slowest single row may take minutes under TCG

# (name, label, unit, lower is better)
ROWS = (
    ("getppid_ns", "null system call (getppid)", "ns", True),
    ("fork_exit_us", "fork + exit + wait", "µs", True),
    ("fork_exec_us", "fork + execve(/bin/true_static) + wait", "µs", True),
    ("pipe_rtt_us", "pipe ping-pong round trip (1 byte each way)", "µs", True),
    ("pipe_bw_mibs", "1 GiB through a pipe (64 KiB writes)", "MiB/s", False),
)
RESULT = re.compile(r"^procbench (\w+) (-?[\d.]+) iters=(\d+) secs=([\d.]+)$")
NOTRUN = re.compile(r"^procbench (\w+) (unsupported|error) (.*)$")
CLOCK = re.compile(r"^procbench clock (\w+)$")


def die(msg):
    raise SystemExit("proc_vs_linux: " + msg)


class Run:
    """One boot's results: {row: (value, iters, guest s, host s)} and
    {row: 'unsupported: why' or 'error: why'}."""

    def __init__(self):
        self.values = {}
        self.notrun = {}
        self.info = []
        self.seconds = 0.0


def read_rows(s, args_text, run, until_prompt):
    """Read procbench's lines from Session s as they arrive, stamping each with
    the host clock, until `procbench done`."""
    started = {}
    other = []
    while True:
        try:
            line = s.expect("\n", timeout=LINE_TIMEOUT).strip()
        except TimeoutError as e:
            die("%s: no procbench output for %d s, or QEMU ended:\n%s"
                % (args_text, LINE_TIMEOUT, str(e)[-2000:]))
        now = time.monotonic()
        if line == "procbench done":
            return
        if line.startswith("procbench error "):
            die("%s: %s" % (args_text, line))
        if line.startswith("procbench start "):
            continue
        m = CLOCK.match(line)
        if m:
            started[m.group(1)] = now
            continue
        m = RESULT.match(line)
        if m:
            name = m.group(1)
            run.values[name] = (float(m.group(2)), int(m.group(3)), float(m.group(4)),
                                now - started.get(name, now))
            continue
        m = NOTRUN.match(line)
        if m:
            run.notrun[m.group(1)] = "%s: %s" % (m.group(2), m.group(3))
            continue
        if line.startswith("pbinfo: "):
            run.info.append(line[len("pbinfo: "):])
            continue
        other.append(line)
        # The program died (a fault, a panic): the shell prints its prompt again.
        if until_prompt and s.buf[s.pos:].rstrip("\n").endswith(PROMPT.rstrip()):
            die("%s ended without `procbench done`; its last lines:\n%s"
                % (args_text, "\n".join(other[-20:])))


def make_disk(image, procbench, true, tools):
    """A fresh SFS image with the two programs, written by the host tools."""
    if os.path.exists(image):
        os.unlink(image)
    sfs = os.path.join(tools, "sfs")
    for args in ([os.path.join(tools, "mkfs.sfs"), image, "--size", "32M"],
                 [sfs, image, "mkdir", "/opt"],
                 [sfs, image, "mkdir", "/opt/bench"],
                 [sfs, image, "put", procbench, "/opt/bench/procbench"],
                 [sfs, image, "put", true, "/opt/bench/true_static"]):
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            die("'%s' failed: %s" % (" ".join(args), r.stdout.decode(errors="replace")))


def build_initramfs(out, procbench, true):
    """busybox, procbench-init.sh as /init, and the two programs."""
    a = vvl.Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    with open(vvl.busybox_path(), "rb") as f:
        a.file("bin/busybox", f.read(), 0o755)
    with open(os.path.join(HERE, "linux", "procbench-init.sh"), "rb") as f:
        a.file("init", f.read(), 0o755)
    for src, dst in ((procbench, "bin/procbench"), (true, "bin/true_static")):
        with open(src, "rb") as f:
            a.file(dst, f.read(), 0o755)
    with open(out, "wb") as f:
        f.write(a.finish())


def run_kestrel(args, extra):
    run = Run()
    start = time.monotonic()
    with qemu.Session(args, timeout=120) as s:
        s.expect(PROMPT, timeout=120)
        s.send(" ".join(["/opt/bench/procbench"] + extra) + "\r")
        s.expect("\n", timeout=60)  # the echoed command line
        read_rows(s, "Kestrel's procbench", run, until_prompt=True)
    run.seconds = time.monotonic() - start
    return run


def run_linux(args):
    run = Run()
    start = time.monotonic()
    with qemu.Session(args, timeout=120) as s:
        read_rows(s, "Linux's procbench", run, until_prompt=False)
    run.seconds = time.monotonic() - start
    return run


def by_host(v, guest_s, host_s, lower):
    """A row's value re-timed by the host clock: a time per iteration scales
    with the loop's span, a rate inversely."""
    if guest_s <= 0 or host_s <= 0:
        return None
    return v * host_s / guest_s if lower else v * guest_s / host_s


def median_cell(runs, name, lower, host):
    """(median value or None, text) of one row over the runs, by the guest's
    clock or (host=True) by the host's."""
    vals = []
    for r in runs:
        if name not in r.values:
            return None, next((r.notrun[name] for r in runs if name in r.notrun), "no result")
        v, _, guest_s, host_s = r.values[name]
        vals.append(by_host(v, guest_s, host_s, lower) if host else v)
    if None in vals:
        return None, "clock did not move"
    v = statistics.median(vals)
    return v, "%.0f" % v if v >= 100 else "%.1f" % v


def table(kes, lin, host):
    """Print one table; the number of targets missed."""
    print("| row | unit | Kestrel | Linux | Kestrel/Linux | target | met? |")
    print("|---|---|---|---|---|---|---|")
    missed = 0
    for name, label, unit, lower in ROWS:
        k, ktext = median_cell(kes, name, lower, host)
        li, ltext = median_cell(lin, name, lower, host)
        target = "<= 1.00" if lower else ">= 1.00"
        if k is None or li is None or li <= 0:
            ratio, met = "-", "NO"
        else:
            r = k / li
            ratio, met = "%.2f" % r, "yes" if (r <= 1.0 if lower else r >= 1.0) else "NO"
        missed += met != "yes"
        print("| %s | %s | %s | %s | %s | %s | %s |"
              % (label, unit, ktext, ltext, ratio, target, met))
    return missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--bins", default=os.path.join(qemu.BUILD, "user", "bench"),
                    help="the directory holding procbench and true (build/user/bench)")
    ap.add_argument("--tools", default=os.path.join(qemu.BUILD, "bin"),
                    help="the directory holding mkfs.sfs and sfs (build/bin)")
    ap.add_argument("--runs", type=int, default=3,
                    help="boot each system this many times (alternating); report the median")
    ap.add_argument("--divisor", type=int, default=1,
                    help="divide every iteration count (smoke runs only: loops get short)")
    a = ap.parse_args()
    procbench = os.path.join(a.bins, "procbench")
    true = os.path.join(a.bins, "true")
    for p in (a.kernel, procbench, true, os.path.join(a.tools, "sfs")):
        if not os.path.isfile(p):
            die("%s is missing (make all userbench)" % p)
    vvl.bootstrap()
    ver, vmlinuz = vvl.linux_kernel()
    os.makedirs(WORK, exist_ok=True)
    image = os.path.join(WORK, "disk.img")
    make_disk(image, procbench, true, a.tools)
    initrd = os.path.join(WORK, "initramfs.cpio")
    build_initramfs(initrd, procbench, true)
    acc = qemu.accel(a.kernel)
    # One ISO for every run: a kernel rebuilt meanwhile cannot mix into the results.
    iso = qemu.make_iso(a.kernel, "", os.path.join(WORK, "kestrel.iso"))
    kargs = qemu.base_args(acc, iso, disk=image)
    largs = vvl.linux_args(acc, image, vmlinuz, initrd)
    extra = ["-d", str(a.divisor)] if a.divisor > 1 else []
    if extra:  # the kernel hands what follows "--" to /init, which passes it on
        largs[largs.index("-append") + 1] += " -- " + " ".join(extra)

    kes, lin = [], []
    for _ in range(max(1, a.runs)):
        kes.append(run_kestrel(kargs, extra))
        lin.append(run_linux(largs))

    mem = kargs[kargs.index("-m") + 1]
    cpus = kargs[kargs.index("-smp") + 1] if "-smp" in kargs else "1"  # QEMU's default
    head = "Kestrel vs Linux %s, the same static musl binary (%s, %s vCPU, %s%s)" % (
        ver, acc, cpus, mem, ", median of %d runs" % len(kes) if len(kes) > 1 else "")
    print("Processes and pipes by the host's clock (judged): " + head)
    missed = table(kes, lin, host=True)
    print("Targets met: %d of %d." % (len(ROWS) - missed, len(ROWS)))
    print()
    print("The same runs by each guest's own CLOCK_MONOTONIC (what procbench prints):")
    table(kes, lin, host=False)
    print()
    for who, runs in (("Kestrel", kes), ("Linux", lin)):
        spans, rates = [], []
        for name, _, _, _ in ROWS:
            got = [r.values[name] for r in runs if name in r.values]
            if not got:
                continue
            g = statistics.median(v[2] for v in got)
            h = statistics.median(v[3] for v in got)
            spans.append("%s %d x in %.2f s (host %.2f s)%s"
                         % (name, got[0][1], g, h, "" if g >= 1.0 else " SHORTER THAN 1 s"))
            rates.append(g / h if h > 0 else 0.0)
        print("%s timed loops, own clock (host clock): %s" % (who, "; ".join(spans)))
        if rates:
            lo, hi = min(rates), max(rates)
            print("%s clock check: guest seconds / host seconds %.2f-%.2f%s"
                  % (who, lo, hi, "" if lo >= 0.97 and hi <= 1.03 else
                     " -- this guest's clock does not keep real time; judge by the host's"))
    if lin[0].info:
        print("Linux: " + "; ".join(lin[0].info))
    print("QEMU runs took %.0f s." % sum(r.seconds for r in kes + lin))
    failed = [n for r in kes + lin for n, why in r.notrun.items() if why.startswith("error")]
    failed += [n for n, *_ in ROWS for r in lin if n not in r.values]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
