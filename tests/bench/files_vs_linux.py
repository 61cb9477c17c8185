#!/usr/bin/env python3
"""Files from user space: Kestrel on SFS against Linux 6.1 on ext2 (issue 16).

What is measured, by one guest script (tests/bench/linux/files.sh) that both
kernels run unchanged with the same static musl dd (the kbox of user/box,
`/bin/kbox dd`, 1 MiB blocks), on a disk of the same size (--mib x 2 + 64 MiB)
attached as the second virtio disk /dev/vdb and mounted at /mnt:

- write: `dd if=/dev/zero of=/mnt/f bs=1M count=MIB` (no sync: on Linux the
  last part may still be in the page cache when dd ends; on Kestrel too);
- read, cold: the same file read back after the cache was made cold;
- write, conv=fsync: a second file, durable before dd ends;
- 4 readers at once: four files of MIB/4 MiB written, the cache made cold,
  then one dd per file, all four started together; total MiB over the wall
  time until the last one ends.

Cold cache: on Kestrel the SFS volume is unmounted and mounted again (its
block cache belongs to the mount, so nothing of the file survives; the
device's read-ahead slots, at most 8 requests, also go stale on the
unmount's writes, and the root stays on /dev/vda); on Linux `sync; echo 3 >
/proc/sys/vm/drop_caches`.

Both guests boot with the same QEMU command line from tests/qemu/qemu.py
(accelerator, one vCPU, memory, two virtio disks: a 32 MiB SFS image as vda
that only Kestrel uses, the benchmark disk as vdb), except that Linux starts
with -kernel/-initrd/-append (virtio_vs_linux.linux_args). Kestrel's disk is
made with build/bin/mkfs.sfs, Linux's with Debian's `mke2fs -t ext2` (the
ext4 driver mounts it as ext2).

Timing: the guest prints a line just before and just after each timed step;
the host stamps them as they arrive on the serial port and judges by that
clock (Kestrel's own clock loses ticks under TCG). dd's own figure is
printed too. CPU: each of those lines carries the first line of /proc/stat;
the difference gives the busy ticks (user + nice + system + irq + softirq +
steal) and the idle ticks (idle + iowait; on Kestrel, the idle threads'
ticks) of the step. Reported: the idle share, and busy CPU milliseconds per
MiB, the busy share times the step's length by the host clock (Kestrel's
timer loses ticks under TCG, so its tick counts fall short of real time).

Targets (from the issue): every row at least 1.0x Linux (for the CPU rows:
Kestrel's busy time per MiB at most Linux's). A miss is printed as such; the
exit status is non-zero if a run failed.

Needs linux-image-cloud-amd64, busybox-static (installed as
virtio_vs_linux.py does) and e2fsprogs (mk/bootstrap.sh bench). Everything
generated goes under build/fbench/. --kestrel-only --mib 8 is the quick mode
that `make check` runs (tests/integration/test_files_bench.py).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "qemu"))
sys.path.insert(0, HERE)
import qemu  # noqa: E402
import virtio_vs_linux as vvl  # noqa: E402

WORK = os.path.join(qemu.BUILD, "fbench")
PROMPT = " $ "
LINE_TIMEOUT = 1800  # the slowest step (a 256 MiB write under TCG) may take minutes
SCRIPT = os.path.join(HERE, "linux", "files.sh")
MARK = re.compile(r"^fb: (start|end) (\S+) cpu +([\d ]+)$")
DDLINE = re.compile(r"^fb: dd (\S+) (\d+) (\d+) bytes .*copied, ([\d.e+-]+) s")

# (step, label, files read or written as a fraction of MIB)
STEPS = (
    ("write", "write, 1 MiB blocks", 1),
    ("fsync", "write, 1 MiB blocks, conv=fsync", 1),
    ("read", "read, cold cache, 1 MiB blocks", 1),
    ("par4", "4 readers at once, cold cache, total", 1),
)


def die(msg):
    raise SystemExit("files_vs_linux: " + msg)


def mke2fs():
    for p in ("/sbin/mke2fs", "/usr/sbin/mke2fs", shutil.which("mke2fs") or ""):
        if p and os.access(p, os.X_OK):
            return p
    die("mke2fs not found: install e2fsprogs (mk/bootstrap.sh bench does)")


def run(args):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        die("'%s' failed: %s" % (" ".join(args), r.stdout.decode(errors="replace")))


def make_root(path, tools):
    """Kestrel's root (vda): an SFS image holding the script and /mnt."""
    if os.path.exists(path):
        os.unlink(path)
    sfs = os.path.join(tools, "sfs")
    run([os.path.join(tools, "mkfs.sfs"), path, "--size", "32M"])
    run([sfs, path, "mkdir", "/opt"])
    run([sfs, path, "mkdir", "/mnt"])
    run([sfs, path, "put", SCRIPT, "/opt/files.sh"])


def make_disk(path, mib, kind, tools):
    """The benchmark disk (vdb), empty, formatted for @kind."""
    if os.path.exists(path):
        os.unlink(path)
    if kind == "kestrel":
        run([os.path.join(tools, "mkfs.sfs"), path, "--size", "%dM" % mib])
    else:
        with open(path, "wb") as f:
            f.truncate(mib << 20)
        run([mke2fs(), "-q", "-F", "-t", "ext2", path])


def build_initramfs(ver, out):
    """busybox, files-init.sh as /init, files.sh, the kbox and the virtio modules."""
    a = vvl.Cpio()
    for d in ("bin", "dev", "etc", "lib", "lib/modules", "mnt", "proc", "sys", "tmp"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    with open(vvl.busybox_path(), "rb") as f:
        a.file("bin/busybox", f.read(), 0o755)
    if not os.path.exists(vvl.KBOX):
        die("%s is missing (make all)" % vvl.KBOX)
    with open(vvl.KBOX, "rb") as f:
        a.file("bin/kbox", f.read(), 0o755)
    with open(os.path.join(HERE, "linux", "files-init.sh"), "rb") as f:
        a.file("init", f.read(), 0o755)
    with open(SCRIPT, "rb") as f:
        a.file("files.sh", f.read(), 0o755)
    names = vvl.add_virtio_modules(a, ver)
    a.file("etc/modules.conf", ('MODULES="%s"\n' % " ".join(names)).encode())
    with open(out, "wb") as f:
        f.write(a.finish())


def cpu_times(fields):
    """(busy, idle) ticks of a /proc/stat "cpu" line's numbers."""
    v = [int(x) for x in fields.split()] + [0] * 10
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return user + nice + system + irq + softirq + steal, idle + iowait, iowait


class Run:
    """One boot's results: {step: {"host": s, "busy": ticks, "idle": ticks,
    "iowait": ticks, "dd": [(bytes, s), ...]}} and its info lines."""

    def __init__(self, who):
        self.who = who
        self.steps = {}
        self.info = []
        self.seconds = 0.0


def read_lines(s, run):
    """Read the script's `fb:` lines from Session @s until `fb: done`."""
    started = {}
    other = []
    while True:
        try:
            line = s.expect("\n", timeout=LINE_TIMEOUT).strip()
        except TimeoutError as e:
            die("%s: no output for %d s, or QEMU ended:\n%s"
                % (run.who, LINE_TIMEOUT, str(e)[-2000:]))
        now = time.monotonic()
        if line == "fb: done":
            break
        if line.startswith("fb: error"):
            die("%s: %s\nits last lines:\n%s" % (run.who, line, "\n".join(other[-20:])))
        m = MARK.match(line)
        if m:
            what, name, cpu = m.groups()
            if what == "start":
                started[name] = (now, cpu_times(cpu))
            else:
                if name not in started:
                    die("%s: step %s ended without starting" % (run.who, name))
                t0, (b0, i0, w0) = started[name]
                b1, i1, w1 = cpu_times(cpu)
                run.steps[name] = {"host": now - t0, "busy": b1 - b0, "idle": i1 - i0,
                                   "iowait": w1 - w0, "dd": []}
            continue
        m = DDLINE.match(line)
        if m:
            name, rc, nbytes, secs = m.groups()
            step = run.steps.get(name.split(".")[0])
            if rc != "0" or step is None:
                die("%s: %s" % (run.who, line))
            step["dd"].append((int(nbytes), float(secs)))
            continue
        if line.startswith("fb: "):
            run.info.append(line[4:])
            continue
        other.append(line)
    for name, _, _ in STEPS:
        if name not in run.steps or not run.steps[name]["dd"]:
            die("%s: no result for step %s" % (run.who, name))


def check_sizes(run, mib):
    """Every step moved the MiB it should have (a short file would flatter)."""
    for name, _, _ in STEPS:
        if mib_done(run, name) != mib:
            die("%s: step %s moved %.2f MiB, not %d" % (run.who, name, mib_done(run, name), mib))


def run_kestrel(args, mib):
    run = Run("Kestrel")
    start = time.monotonic()
    with qemu.Session(args, timeout=300) as s:
        s.expect(PROMPT, timeout=600)
        s.send("mount /dev/vdb /mnt && /bin/sh /opt/files.sh kestrel %d; echo fb: done\r" % mib)
        s.expect("\n", timeout=60)  # the echoed command line
        read_lines(s, run)
    run.seconds = time.monotonic() - start
    return run


def run_linux(args):
    run = Run("Linux")
    start = time.monotonic()
    with qemu.Session(args, timeout=300) as s:
        read_lines(s, run)
    run.seconds = time.monotonic() - start
    return run


def mib_done(run, name):
    """MiB a step moved, as its dd processes reported."""
    return sum(b for b, _ in run.steps[name]["dd"]) / (1 << 20)


def rate(run, name, mib):
    """MiB/s of a step by the host's clock."""
    return mib_done(run, name) / run.steps[name]["host"]


def dd_rate(run, name):
    """MiB/s by dd's own clock (for 4 readers: the sum of their rates)."""
    return sum(b / s / (1 << 20) for b, s in run.steps[name]["dd"] if s > 0)


def cpu_ms_per_mib(run, name, mib):
    """Busy CPU time per MiB: the busy share of the step's /proc/stat ticks
    times its length by the host's clock (Kestrel's timer loses ticks under
    TCG, so its tick counts are short of the real time; the share holds)."""
    st = run.steps[name]
    total = st["busy"] + st["idle"]
    if total <= 0:
        return 0.0
    return 1000.0 * st["host"] * st["busy"] / total / mib_done(run, name)


def idle_share(run, name):
    st = run.steps[name]
    total = st["busy"] + st["idle"]
    return 100.0 * st["idle"] / total if total else 0.0


def med(runs, f):
    return statistics.median(f(r) for r in runs)


def table(kes, lin, mib):
    """Print the judged table; return the number of targets missed."""
    print("| row | Kestrel | Linux | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    missed = 0
    for name, label, _ in STEPS:
        k = med(kes, lambda r: rate(r, name, mib))
        if lin:
            li = med(lin, lambda r: rate(r, name, mib))
            ratio = k / li
            met = "yes" if ratio >= 1.0 else "NO"
            missed += met != "yes"
            print("| %s, MiB/s | %.1f | %.1f | %.2f | >= 1.00 | %s |" % (label, k, li, ratio, met))
        else:
            print("| %s, MiB/s | %.1f | - | - | >= 1.00 | - |" % (label, k))
    for name, label, _ in STEPS:
        k = med(kes, lambda r: cpu_ms_per_mib(r, name, mib))
        if lin:
            li = med(lin, lambda r: cpu_ms_per_mib(r, name, mib))
            # Linux's busy time over Kestrel's: >= 1 means Kestrel spends no more CPU.
            ratio = li / k if k > 0 else float("inf")
            met = "yes" if ratio >= 1.0 else "NO"
            missed += met != "yes"
            print("| %s, busy CPU ms per MiB | %.2f | %.2f | %.2f | >= 1.00 | %s |"
                  % (label, k, li, ratio, met))
        else:
            print("| %s, busy CPU ms per MiB | %.2f | - | - | >= 1.00 | - |" % (label, k))
    return missed


def details(who, runs, mib):
    for name, label, _ in STEPS:
        per = ", ".join("%.1f" % rate(r, name, mib) for r in runs)
        print("%s %s: host MiB/s per run %s; dd's own clock %s; CPU idle %s%s"
              % (who, name, per, ", ".join("%.1f" % dd_rate(r, name) for r in runs),
                 ", ".join("%.0f%%" % idle_share(r, name) for r in runs),
                 "" if who == "Kestrel" else "; of it iowait " + ", ".join(
                     "%.0f%%" % (100.0 * r.steps[name]["iowait"] /
                                 max(1, r.steps[name]["busy"] + r.steps[name]["idle"]))
                     for r in runs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--tools", default=os.path.join(qemu.BUILD, "bin"),
                    help="the directory holding mkfs.sfs and sfs (build/bin)")
    ap.add_argument("--mib", type=int, default=256, help="size of the big file (default 256)")
    ap.add_argument("--runs", type=int, default=3,
                    help="boot each system this many times (alternating); report the median")
    ap.add_argument("--kestrel-only", action="store_true", help="skip the Linux guest")
    a = ap.parse_args()
    if a.mib < 4 or a.mib > 4096 or a.mib % 4:
        die("--mib must be a multiple of 4 between 4 and 4096")
    for p in (a.kernel, os.path.join(a.tools, "sfs"), os.path.join(a.tools, "mkfs.sfs"), vvl.KBOX):
        if not os.path.isfile(p):
            die("%s is missing (make all)" % p)
    disk_mib = 2 * a.mib + 64
    os.makedirs(WORK, exist_ok=True)
    root = os.path.join(WORK, "root.img")
    make_root(root, a.tools)
    kdisk = os.path.join(WORK, "sfs.img")
    ldisk = os.path.join(WORK, "ext2.img")
    acc = qemu.accel(a.kernel)
    # One ISO for every run: a kernel rebuilt meanwhile cannot mix into the results.
    iso = qemu.make_iso(a.kernel, "", os.path.join(WORK, "kestrel.iso"))
    kargs = qemu.base_args(acc, iso, disk=root, extra_disks=[(kdisk, "")])
    largs, ver = None, "-"
    if not a.kestrel_only:
        vvl.bootstrap()
        mke2fs()
        ver, vmlinuz = vvl.linux_kernel()
        initrd = os.path.join(WORK, "initramfs.cpio")
        build_initramfs(ver, initrd)
        largs = vvl.linux_args(acc, root, vmlinuz, initrd, extra_disks=[(ldisk, "")])
        largs[largs.index("-append") + 1] += " -- %d" % a.mib

    kes, lin = [], []
    for _ in range(max(1, a.runs)):
        make_disk(kdisk, disk_mib, "kestrel", a.tools)
        kes.append(run_kestrel(kargs, a.mib))
        check_sizes(kes[-1], a.mib)
        if largs:
            make_disk(ldisk, disk_mib, "linux", a.tools)
            lin.append(run_linux(largs))
            check_sizes(lin[-1], a.mib)

    mem = kargs[kargs.index("-m") + 1]
    print("Files from user space: Kestrel on SFS vs Linux %s on ext2, the same static dd "
          "(%s, 1 vCPU, %s, %d MiB file on a %d MiB disk, by the host clock%s)"
          % (ver, acc, mem, a.mib, disk_mib,
             ", median of %d runs" % len(kes) if len(kes) > 1 else ""))
    missed = table(kes, lin, a.mib)
    if lin:
        print("Targets met: %d of %d." % (2 * len(STEPS) - missed, 2 * len(STEPS)))
    details("Kestrel", kes, a.mib)
    if lin:
        details("Linux", lin, a.mib)
    for who, runs in (("Kestrel", kes), ("Linux", lin)):
        if runs:
            print("%s: %s" % (who, "; ".join(runs[-1].info)))
    print("QEMU runs took %.0f s." % sum(r.seconds for r in kes + lin))
    return 0


if __name__ == "__main__":
    sys.exit(main())
