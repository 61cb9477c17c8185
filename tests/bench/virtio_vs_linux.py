#!/usr/bin/env python3
"""Our virtio-blk driver against Linux's on the same QEMU device (issue 6).

What is measured: sequential read throughput of one disk image (1 GiB by
default: a sparse file of zeros whose sector 0 starts with KESTREL-VIRTIO-BENCH)
attached as `-drive file=IMG,if=none,id=d0,format=raw -device
virtio-blk-pci,drive=d0`, with 4 KiB, 64 KiB and 1 MiB requests issued one at a
time, the whole image (at most 1 GiB) read per size, in MiB/s (2^20 bytes/s).
Both guests get the same QEMU command line from tests/qemu/qemu.py (accelerator,
memory, device), except that Kestrel boots from its GRUB ISO and Linux from
`-kernel/-initrd/-append`.

- Kestrel: the KBENCH `virtio_blk_seq_read` (tests/ktest/bench_virtio.c) calls
  block_read() on vda with each request size over the whole disk; timed with the
  TSC around the loop only (PIT-calibrated). Booted with `noreadahead`, so
  every read goes to the device as asked, as Linux's O_DIRECT reads do.
- Linux: Debian's `linux-image-cloud-amd64` kernel with Debian's static busybox
  in a small initramfs built here (tests/bench/linux/init.sh plus the virtio
  modules if that kernel has them as modules). It runs
  `dd if=/dev/vda of=/dev/null bs=SIZE count=N iflag=direct` (O_DIRECT: no page
  cache, no readahead; the data lands in dd's buffer without a copy), timed by
  reading the clock with busybox adjtimex (microseconds) just before and after
  dd. The cost of that frame with no data (the same commands with count=0,
  median of several) is subtracted, which can only make Linux's figure higher.

From user space (issue 16): the same static musl `dd` on both kernels (the
kbox of user/box, which Kestrel's initrd runs as /bin/dd and which the Linux
initramfs gets as /bin/kbox), `dd if=DISK of=/dev/null bs=SIZE iflag=direct`
over the whole image per size, timed by dd itself (clock_gettime around its
loop, the "copied, T s" figure). On Kestrel the image is the second disk
(/dev/vdb) of a normal boot to the shell (an empty SFS disk as vda); on Linux
it is /dev/vda, read right after busybox's dd.

Targets (from the issue): Kestrel at least 80% of Linux's rate at 4 KiB, at
least 50% at 64 KiB and 1 MiB. A miss is printed as such; the exit status is
non-zero only if a run failed.

Needs the packages linux-image-cloud-amd64 and busybox-static: installed with
apt-get when run as root, otherwise the exact command is printed and the script
fails (the same policy as mk/bootstrap.sh). Everything generated goes under
build/vbench/.
"""
import argparse
import glob
import gzip
import lzma
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "qemu"))
import qemu  # noqa: E402

PACKAGES = ("linux-image-cloud-amd64", "busybox-static")
MAGIC = b"KESTREL-VIRTIO-BENCH"  # must match VBENCH_MAGIC in tests/ktest/bench_virtio.c
SIZES = ((4096, "4 KiB", 0.80), (65536, "64 KiB", 0.50), (1 << 20, "1 MiB", 0.50))
WORK = os.path.join(qemu.BUILD, "vbench")
DD_REPS = 10
RUN_TIMEOUT = 1800

KBENCH_LINE = re.compile(r"^kbench: virtio_seq_read_(\w+?)_(bytes|ns) (\d+) ", re.M)
MEMCPY_LINE = re.compile(r"^kbench: virtio_seq_read_memcpy_rate (\d+) ", re.M)
IDLE_LINE = re.compile(r"^kbench: virtio_seq_read_(\w+?)_idle (\d+) ", re.M)
READ_LINE = re.compile(r"^vbench: read (\d+) (\d+) (-?\d+) (\d+) ?(.*)$", re.M)
OVERHEAD_LINE = re.compile(r"^vbench: overhead (\d+) (-?\d+)$", re.M)
KDD_LINE = re.compile(r"^vbench: kdd (\d+) (\d+) (\d+) (\d+) bytes .*copied, ([\d.e+-]+) s", re.M)
DD_LINE = re.compile(r"^(\d+) bytes .*copied, ([\d.e+-]+) s", re.M)
KBOX = os.path.join(qemu.BUILD, "user", "bin", "kbox")
SHELL_PROMPT = " $ "
TAGS = {4096: "4KiB", 65536: "64KiB", 1 << 20: "1MiB"}


def die(msg):
    raise SystemExit("virtio_vs_linux: " + msg)


# ---- packages --------------------------------------------------------------

def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.returncode == 0 and r.stdout.decode().endswith("installed")


def bootstrap():
    """Install the Linux side's packages like mk/bootstrap.sh does."""
    if not shutil.which("dpkg-query"):
        die("needs a Debian system (dpkg-query not found) for %s" % " ".join(PACKAGES))
    need = [p for p in PACKAGES if not installed(p)]
    if not need:
        return
    cmd = "apt-get install -y --no-install-recommends " + " ".join(need)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.stderr.write("virtio_vs_linux: missing packages: %s\n" % " ".join(need))
        sys.stderr.write("virtio_vs_linux: run:  sudo apt-get update && sudo %s\n" % cmd)
        raise SystemExit(1)
    print("virtio_vs_linux: installing %s" % " ".join(need), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (["apt-get", "update", "-qq"], cmd.split() + ["-qq"]):
        r = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode(errors="replace")[-3000:])
            die("'%s' failed" % " ".join(args))


def version_key(v):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", v)]


def linux_kernel():
    """(version, vmlinuz) of the newest installed cloud kernel."""
    found = []
    for path in glob.glob("/boot/vmlinuz-*-cloud-amd64"):
        ver = os.path.basename(path)[len("vmlinuz-"):]
        if os.path.isdir(os.path.join("/lib/modules", ver)):
            found.append((version_key(ver), ver, path))
    if not found:
        die("no /boot/vmlinuz-*-cloud-amd64 with its /lib/modules (is %s installed?)"
            % PACKAGES[0])
    _, ver, path = max(found)
    if not os.access(path, os.R_OK):
        die("%s is not readable" % path)
    return ver, path


def busybox_path():
    r = subprocess.run(["dpkg-query", "-L", "busybox-static"], stdout=subprocess.PIPE)
    for line in r.stdout.decode().splitlines():
        if re.search(r"/s?bin/busybox$", line) and os.path.isfile(line):
            return line
    die("busybox-static is installed but its busybox binary was not found")


# ---- the initramfs ---------------------------------------------------------

def kernel_config(ver):
    cfg = {}
    try:
        with open("/boot/config-%s" % ver) as f:
            for line in f:
                m = re.match(r"^(CONFIG_\w+)=(.*)$", line.strip())
                if m:
                    cfg[m.group(1)] = m.group(2)
    except OSError as e:
        die("cannot read the kernel configuration: %s" % e)
    return cfg


def module_load_order(ver, names):
    """Paths (relative to /lib/modules/VER) of modules `names` and their
    dependencies, dependencies first (from modules.dep)."""
    deps = {}
    with open(os.path.join("/lib/modules", ver, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod.strip()] = rest.split()

    def base(path):
        return re.sub(r"\.ko(\.\w+)?$", "", os.path.basename(path)).replace("-", "_")

    by_name = {base(p): p for p in deps}
    order = []

    def visit(path, depth=0):
        if depth > 50:
            die("module dependency loop at %s" % path)
        for d in deps.get(path, []):
            visit(d, depth + 1)
        if path not in order:
            order.append(path)

    for n in names:
        if n not in by_name:
            die("module %s is not in /lib/modules/%s/modules.dep" % (n, ver))
        visit(by_name[n])
    return order


def module_bytes(path):
    """A module file's contents, decompressed (insmod needs a plain .ko)."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".ko.xz"):
        return lzma.decompress(data)
    if path.endswith(".ko.gz"):
        return gzip.decompress(data)
    if path.endswith(".ko"):
        return data
    die("cannot decompress %s with the Python standard library" % path)


class Cpio:
    """A newc ("070701") cpio archive, as the kernel unpacks initramfs images."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        nameb = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(nameb), 0)
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % v for v in fields) + nameb
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def dir(self, name):
        self._entry(name, 0o040755)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def add_virtio_modules(a, ver):
    """Put the virtio modules kernel @ver does not have built in (and their
    dependencies) into Cpio @a as lib/modules/NAME.ko, in load order; return
    their names (what an /init passes to insmod)."""
    cfg = kernel_config(ver)
    wanted = []
    for opt, mod in (("CONFIG_VIRTIO_PCI", "virtio_pci"), ("CONFIG_VIRTIO_BLK", "virtio_blk")):
        state = cfg.get(opt)
        if state == "m":
            wanted.append(mod)
        elif state != "y":
            die("%s is not enabled in /boot/config-%s" % (opt, ver))
    names = []
    for m in module_load_order(ver, wanted) if wanted else []:
        name = re.sub(r"\.ko(\.\w+)?$", ".ko", os.path.basename(m))
        a.file("lib/modules/" + name, module_bytes(os.path.join("/lib/modules", ver, m)))
        names.append(name)
    return names


def build_initramfs(ver, out, nbytes):
    """The initramfs: busybox, init.sh as /init, its configuration and the
    virtio modules the kernel does not have built in. Returns the modules."""
    a = Cpio()
    for d in ("bin", "dev", "etc", "lib", "lib/modules", "proc", "sys", "tmp"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    with open(busybox_path(), "rb") as f:
        a.file("bin/busybox", f.read(), 0o755)
    with open(os.path.join(HERE, "linux", "init.sh"), "rb") as f:
        a.file("init", f.read(), 0o755)
    names = add_virtio_modules(a, ver)
    if os.path.exists(KBOX):
        with open(KBOX, "rb") as f:
            a.file("bin/kbox", f.read(), 0o755)
    conf = 'MODULES="%s"\nSIZES="%s"\nBYTES=%d\nDD_REPS=%d\n' % (
        " ".join(names), " ".join(str(s) for s, _, _ in SIZES), nbytes, DD_REPS)
    a.file("etc/vbench.conf", conf.encode())
    with open(out, "wb") as f:
        f.write(a.finish())
    return names


# ---- the runs --------------------------------------------------------------

def make_image(path, mib):
    """A sparse image of zeros with the benchmark's marker in sector 0."""
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.truncate(mib << 20)


def run_kestrel(iso, acc, image):
    """({size: (bytes, seconds)}, memcpy MiB/s or None) from the KBENCH."""
    r = qemu.run_captured(qemu.base_args(acc, iso, disk=image), timeout=RUN_TIMEOUT,
                          stop_when=lambda out: "kbench: done" in out)
    if r.timed_out or "kbench: done" not in r.output:
        sys.stderr.write(r.output[-3000:])
        die("the Kestrel run did not finish")
    if "kbench: running virtio_blk_seq_read" not in r.output:
        die("the kernel has no KBENCH virtio_blk_seq_read: add tests/ktest/bench_virtio.c "
            "to KTEST_SRCS in tests/ktest/module.mk and rebuild")
    got = {}
    for tag, what, value in KBENCH_LINE.findall(r.output):
        got.setdefault(tag, {})[what] = int(value)
    res = {}
    for size, _, _ in SIZES:
        g = got.get(TAGS[size], {})
        if "bytes" not in g or "ns" not in g:
            sys.stderr.write(r.output[-3000:])
            die("the Kestrel run reported nothing for %d-byte requests" % size)
        res[size] = (g["bytes"], g["ns"] / 1e9)
    idle = {tag: int(v) for tag, v in IDLE_LINE.findall(r.output)}
    for size, _, _ in SIZES:
        res[size] += (idle.get(TAGS[size]),)
    m = MEMCPY_LINE.search(r.output)
    return res, int(m.group(1)) if m else None, r.seconds


def run_kestrel_dd(kernel, acc, image, nbytes):
    """{size: (bytes, seconds)}: the kbox dd reading /dev/vdb with iflag=direct
    from Kestrel's shell, its own timing."""
    root = os.path.join(WORK, "root.img")
    if os.path.exists(root):
        os.unlink(root)
    subprocess.run([os.path.join(qemu.BUILD, "bin", "mkfs.sfs"), root, "--size", "32M"],
                   check=True, stdout=subprocess.DEVNULL)
    iso = qemu.make_iso(kernel, "", os.path.join(WORK, "kestrel-shell.iso"))
    args = qemu.base_args(acc, iso, disk=root, extra_disks=[(image, "")])
    res = {}
    s = qemu.Session(args, timeout=RUN_TIMEOUT)
    try:
        s.expect(SHELL_PROMPT, timeout=600)
        for size, _, _ in SIZES:
            count = nbytes // size
            s.send("/bin/dd if=/dev/vdb of=/dev/null bs=%d count=%d iflag=direct\r"
                   % (size, count))
            out = s.expect(SHELL_PROMPT, timeout=RUN_TIMEOUT)
            m = DD_LINE.search(out.replace("\r", ""))
            if not m or int(m.group(1)) != size * count:
                die("Kestrel's dd with bs=%d failed: %s" % (size, out[-500:]))
            res[size] = (int(m.group(1)), float(m.group(2)))
    finally:
        s.close()
    return res


def kdd_results(output, nbytes):
    """{size: (bytes, seconds)} of the kbox dd lines in a Linux run (empty if none)."""
    res = {}
    for bs, count, rc, nb, secs in KDD_LINE.findall(output):
        if rc != "0" or int(nb) != nbytes:
            die("Linux's run of the kbox dd with bs=%s failed (status %s)" % (bs, rc))
        res[int(bs)] = (int(nb), float(secs))
    return res


# Issue 16's targets for the user-space rows: every row level with Linux at
# least, 1 MiB reads 1.5x (no copy at all where Linux copies none).
DD_TARGETS = {4096: 1.00, 65536: 1.00, 1 << 20: 1.50}


def dd_table(kes, lin):
    """The user-space rows: Kestrel and (if run) Linux, the same dd binary."""
    print("From user space: the same static musl dd (kbox), iflag=direct, timed by dd")
    if lin:
        print("| request size | Kestrel MiB/s | Linux MiB/s | ratio | target | met? |")
        print("|---|---|---|---|---|---|")
    else:
        print("| request size | Kestrel MiB/s |")
        print("|---|---|")
    for size, label, _ in SIZES:
        k = statistics.median(mib_s(*r[size]) for r in kes)
        if lin:
            li = statistics.median(mib_s(*r[size]) for r in lin)
            ratio, target = k / li, DD_TARGETS[size]
            print("| %s | %.1f | %.1f | %.2f | >= %.2f | %s |"
                  % (label, k, li, ratio, target, "yes" if ratio >= target else "NO"))
        else:
            print("| %s | %.1f |" % (label, k))
    if len(kes) > 1:
        print("Per run (Kestrel%s MiB/s): " % (" / Linux" if lin else "") + "; ".join(
            "%s %s" % (label, ", ".join(
                "%.0f" % mib_s(*k[size]) + ("/%.0f" % mib_s(*li[size]) if li else "")
                for k, li in zip(kes, lin or [None] * len(kes))))
            for size, label, _ in SIZES))


def linux_args(acc, image, vmlinuz, initrd, extra_disks=()):
    """qemu.base_args() with the GRUB ISO swapped for -kernel/-initrd/-append, so
    the accelerator, memory and disk flags are exactly those Kestrel gets."""
    args = qemu.base_args(acc, "ISO", disk=image, extra_disks=extra_disks)
    i = args.index("-cdrom")
    if args[i:i + 4] != ["-cdrom", "ISO", "-boot", "d"]:
        die("unexpected qemu.base_args() layout: %s" % " ".join(args))
    args[i:i + 4] = ["-kernel", vmlinuz, "-initrd", initrd,
                     "-append", "console=ttyS0 panic=-1 quiet"]
    return args


def run_linux(acc, image, vmlinuz, initrd, nbytes):
    """({size: (bytes, seconds)}, notes) from the Linux guest."""
    r = qemu.run_captured(linux_args(acc, image, vmlinuz, initrd), timeout=RUN_TIMEOUT,
                          stop_when=lambda out: "vbench: done" in out)
    if r.timed_out or "vbench: done" not in r.output or "vbench: error" in r.output:
        sys.stderr.write(r.output[-3000:])
        die("the Linux run did not finish")
    m = re.search(r"^vbench: disk_bytes (\d+)$", r.output, re.M)
    if not m or int(m.group(1)) != nbytes:
        die("Linux sees a disk of %s bytes, not %d" % (m.group(1) if m else "unknown", nbytes))
    samples = {}
    for bs, us in OVERHEAD_LINE.findall(r.output):
        samples.setdefault(int(bs), []).append(int(us) / 1e6)
    overhead = {bs: statistics.median(v) for bs, v in samples.items()}
    res = {}
    for bs, count, us, rc, first in READ_LINE.findall(r.output):
        bs, count = int(bs), int(count)
        if rc != "0" or not first.startswith("%d+0 records in" % count):
            sys.stderr.write(r.output[-3000:])
            die("Linux's dd with bs=%d failed (status %s: %s)" % (bs, rc, first))
        if bs * count != nbytes:
            die("Linux read %d bytes with bs=%d, not the %d of the image"
                % (bs * count, bs, nbytes))
        secs = int(us) / 1e6 - overhead.get(bs, 0.0)
        res[bs] = (bs * count, secs)
    for size, _, _ in SIZES:
        if size not in res or res[size][1] <= 0:
            sys.stderr.write(r.output[-3000:])
            die("no usable Linux figure for %d-byte requests" % size)
    res["kdd"] = kdd_results(r.output, nbytes)
    notes = [line[len("vbench: "):] for line in r.output.splitlines()
             if line.startswith(("vbench: kernel", "vbench: queue"))]
    notes.append("timing frame (count=0, median of %d) subtracted: %s" % (DD_REPS, ", ".join(
        "%s %.1f ms" % (label, overhead.get(s, 0.0) * 1e3) for s, label, _ in SIZES)))
    return res, notes, r.seconds


def mib_s(nbytes, secs, *_):
    return nbytes / secs / (1 << 20)


def idle_share(runs, size):
    """The idle thread's median share of a pass, in per cent, or None."""
    vals = [r[size][2] for r in runs if r[size][2] is not None]
    return statistics.median(vals) / 10 if vals else None


def kestrel_only(a):
    os.makedirs(WORK, exist_ok=True)
    image = os.path.join(WORK, "disk-%dM.img" % a.mib)
    make_image(image, a.mib)
    acc = qemu.accel(a.kernel)
    iso = qemu.make_iso(a.kernel, "kbench=virtio_blk_seq_read noreadahead", os.path.join(WORK, "kestrel.iso"))
    kes = [run_kestrel(iso, acc, image)[0] for _ in range(max(1, a.runs))]
    kdd = [run_kestrel_dd(a.kernel, acc, image, a.mib << 20) for _ in range(max(1, a.runs))]
    print("virtio-blk sequential reads, Kestrel only (%s, %d MiB, median of %d runs)"
          % (acc, a.mib, len(kes)))
    print("| request size | Kestrel MiB/s | CPU idle during the pass |")
    print("|---|---|---|")
    for size, label, _ in SIZES:
        idle = idle_share(kes, size)
        print("| %s | %.1f | %s |" % (label, statistics.median(mib_s(*r[size]) for r in kes),
                                     "?" if idle is None else "%.1f%%" % idle))
    dd_table(kdd, None)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(qemu.BUILD, "kernel.elf"))
    ap.add_argument("--mib", type=int, default=1024,
                    help="disk image size in MiB, all of it read per request size (default 1024)")
    ap.add_argument("--runs", type=int, default=3,
                    help="boot each system this many times (alternating); report the median")
    ap.add_argument("--kestrel-only", action="store_true",
                    help="run only Kestrel's side (rates and idle share, no Linux)")
    a = ap.parse_args()
    if a.mib < 1 or a.mib > 1024:
        die("--mib must be between 1 and 1024")
    if a.kestrel_only:
        return kestrel_only(a)
    bootstrap()
    ver, vmlinuz = linux_kernel()
    os.makedirs(WORK, exist_ok=True)
    image = os.path.join(WORK, "disk-%dM.img" % a.mib)
    make_image(image, a.mib)
    nbytes = a.mib << 20
    initrd = os.path.join(WORK, "initramfs.cpio")
    modules = build_initramfs(ver, initrd, nbytes)
    acc = qemu.accel(a.kernel)
    # One ISO for every run: a kernel rebuilt meanwhile cannot mix into the results.
    iso = qemu.make_iso(a.kernel, "kbench=virtio_blk_seq_read noreadahead", os.path.join(WORK, "kestrel.iso"))

    kes, lin, notes, copy, secs = [], [], [], [], 0.0
    kdd, lin_kdd = [], []
    for _ in range(max(1, a.runs)):
        k, c, s1 = run_kestrel(iso, acc, image)
        if any(k[size][0] != nbytes for size, _, _ in SIZES):
            die("Kestrel read %s bytes, not the %d of the image"
                % ([k[size][0] for size, _, _ in SIZES], nbytes))
        if c is not None:
            copy.append(c)
        li, notes, s2 = run_linux(acc, image, vmlinuz, initrd, nbytes)
        kes.append(k)
        lin.append(li)
        secs += s1 + s2
        kdd.append(run_kestrel_dd(a.kernel, acc, image, nbytes))
        if li["kdd"]:
            lin_kdd.append(li["kdd"])

    print("virtio-blk sequential reads: Kestrel vs Linux %s on the same QEMU device (%s, "
          "%d MiB image read per size, one read call at a time%s)"
          % (ver, acc, a.mib, ", median of %d runs" % len(kes) if len(kes) > 1 else ""))
    print("| request size | Kestrel MiB/s | Linux MiB/s | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for size, label, target in SIZES:
        k = statistics.median(mib_s(*r[size]) for r in kes)
        li = statistics.median(mib_s(*r[size]) for r in lin)
        ratio = k / li
        print("| %s | %.1f | %.1f | %.2f | >= %.2f | %s |"
              % (label, k, li, ratio, target, "yes" if ratio >= target else "NO"))
    if len(kes) > 1:
        print("Per run (Kestrel / Linux MiB/s): " + "; ".join(
            "%s %s" % (label, ", ".join("%.0f/%.0f" % (mib_s(*k[size]), mib_s(*li[size]))
                                        for k, li in zip(kes, lin)))
            for size, label, _ in SIZES))
    idle = ["%s %.1f%%" % (label, idle_share(kes, size))
            for size, label, _ in SIZES if idle_share(kes, size) is not None]
    if idle:
        print("Kestrel's CPU idle (idle thread) while reading: " + ", ".join(idle))
    if copy:
        print("Kestrel's memcpy() in this guest: %d MiB/s (for scale: what copying every byte "
              "read would cost; the reads above land in place)" % statistics.median(copy))
    dd_table(kdd, lin_kdd if len(lin_kdd) == len(kdd) else None)
    print("Linux: modules %s; %s" % (" ".join(modules) or "(built in)", "; ".join(notes)))
    print("Timed: Kestrel, rdtsc around the block_read() loop; Linux, adjtimex around "
          "dd iflag=direct minus the same frame with count=0. QEMU runs took %.0f s." % secs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
