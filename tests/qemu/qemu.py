#!/usr/bin/env python3
"""The one place that knows how to start QEMU for this system.

Used by `make run`, `make debug`, the in-kernel test driver (ktest.py), the
harness self-tests and the benchmarks. Standard library only.

    qemu.py run   --iso build/os.iso --disk build/disk.img [--gui] [--uefi]
    qemu.py debug --iso build/os.iso --disk build/disk.img --elf build/kernel.elf
    qemu.py accel                      print the accelerator that will be used

CPUs: a caller that passes no count to base_args() gets $QEMU_SMP CPUs (QEMU's
default, 1, when it is unset), so a whole test suite can run on N CPUs
(`make check-integration QEMU_SMP=4`); a caller that asks for a count keeps it.

Accelerator: ACCEL=kvm|tcg forces one. Otherwise KVM is used only if /dev/kvm
can be opened *and* a probe guest (our kernel, booted with a test filter that
matches nothing) runs to completion under it within a timeout: nested KVM can
hang guests, so the device node alone is not trusted. The answer is cached in
build/accel.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
ACCEL_CACHE = os.path.join(BUILD, "accel")

# isa-debug-exit turns a write of v to port 0xf4 into exit status (v << 1) | 1.
EXIT_SUCCESS = (0x10 << 1) | 1  # 33
EXIT_FAILURE = (0x11 << 1) | 1  # 35

PROBE_TIMEOUT = 20

# UEFI firmware: Debian's OVMF (package ovmf). The code is read-only; the
# variable store is a copy in build/ (ovmf_vars()).
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def ovmf_vars():
    """build/ovmf-vars.fd: this tree's writable copy of OVMF's variable store."""
    path = os.path.join(BUILD, "ovmf-vars.fd")
    if not os.path.exists(path):
        if not os.path.exists(OVMF_VARS):
            raise SystemExit("qemu: %s is missing: install Debian's ovmf package" % OVMF_VARS)
        os.makedirs(BUILD, exist_ok=True)
        shutil.copyfile(OVMF_VARS, path + ".tmp")
        os.replace(path + ".tmp", path)
    return path


def uefi_args(persistent=False):
    """Firmware flash for a UEFI boot. Tests keep the variable store unchanged
    (snapshot=on: writes go to a temporary overlay), so runs never share state."""
    return ["-drive", "if=pflash,format=raw,readonly=on,file=%s" % OVMF_CODE,
            "-drive", "if=pflash,format=raw,file=%s%s"
            % (ovmf_vars(), "" if persistent else ",snapshot=on")]


def default_smp():
    """The CPU count for runs that do not choose one: $QEMU_SMP, else 1."""
    value = os.environ.get("QEMU_SMP", "").strip()
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 16:
        raise SystemExit("QEMU_SMP must be a CPU count from 1 to 16, not %r" % value)
    return int(value)


def base_args(accel, iso, disk=None, gui=False, memory="256M", extra_disks=(), uefi=False,
              smp=None):
    """The QEMU command line (DEVELOPERS.md lists the flags that must work).

    extra_disks: (image, device options) pairs attached as further virtio-blk
    devices, e.g. ("a.img", "disable-legacy=on").
    uefi: boot through OVMF instead of the BIOS (True, or "persistent" to keep
    the firmware's variable store between runs, as `make run UEFI=1` does).
    smp: the number of CPUs; when None, default_smp() ($QEMU_SMP, else 1).
    """
    args = ["qemu-system-x86_64", "-m", memory, "-no-reboot",
            "-cdrom", iso, "-boot", "d",
            "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if uefi:
        args += uefi_args(persistent=uefi == "persistent")
    if disk:
        args += ["-drive", "file=%s,if=none,id=d0,format=raw" % disk,
                 "-device", "virtio-blk-pci,drive=d0"]
    for i, (img, opts) in enumerate(extra_disks):
        args += ["-drive", "file=%s,if=none,id=x%d,format=raw" % (img, i),
                 "-device", "virtio-blk-pci,drive=x%d%s" % (i, "," + opts if opts else "")]
    if accel == "kvm":
        args += ["-accel", "kvm", "-cpu", "host"]
    else:
        args += ["-accel", "tcg"]
    if smp is None:
        smp = default_smp()
    if int(smp) > 1:
        args += ["-smp", str(int(smp))]
    if not gui:
        args += ["-display", "none"]
    return args


def make_iso(kernel, cmdline, out_iso, initrd="auto"):
    """Build a GRUB ISO that boots `kernel` with `cmdline` straight away.

    initrd: a file given to the kernel as the multiboot2 module "initrd"; by
    default the initrd.cpio beside `kernel` when there is one; None for none.
    """
    if initrd == "auto":
        initrd = os.path.join(os.path.dirname(os.path.abspath(kernel)), "initrd.cpio")
        initrd = initrd if os.path.exists(initrd) else None
    with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
        os.makedirs(os.path.join(tmp, "boot", "grub"))
        shutil.copy(kernel, os.path.join(tmp, "boot", "kernel.elf"))
        module = ""
        if initrd:
            shutil.copy(initrd, os.path.join(tmp, "boot", "initrd.cpio"))
            module = "    module2 /boot/initrd.cpio initrd\n"
        with open(os.path.join(tmp, "boot", "grub", "grub.cfg"), "w") as f:
            # As kernel/grub.cfg: video drivers for UEFI's GOP; VGA text under BIOS.
            f.write("set timeout=0\nset default=0\ninsmod all_video\n"
                    'menuentry "test" {\n    multiboot2 /boot/kernel.elf %s\n%s'
                    '    if [ "$grub_platform" = "pc" ]; then set gfxpayload=text; fi\n'
                    "    boot\n}\n" % (cmdline, module))
        r = subprocess.run(["grub-mkrescue", "-o", out_iso, tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode(errors="replace"))
            raise RuntimeError("grub-mkrescue failed")
    return out_iso


SCRATCH_MAGIC = b"KESTREL-SCRATCH-DISK"


def make_scratch_disk(path, mib=16):
    """A disk the in-kernel tests may overwrite: zeros behind a marker in sector 0."""
    with open(path, "wb") as f:
        f.write(SCRATCH_MAGIC)
        f.truncate(mib << 20)
    return path


class Result:
    """What a QEMU run produced."""

    def __init__(self, status, output, timed_out, seconds):
        self.status = status
        self.output = output
        self.timed_out = timed_out
        self.seconds = seconds


def run_captured(args, timeout, echo=None, stop_when=None):
    """Run QEMU, collecting serial output; kill it after `timeout` seconds.

    echo: a file to copy output to as it arrives (or None).
    stop_when: a function of the output so far; when it returns True the run
    ends early (QEMU is killed) and counts as not timed out.
    """
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    chunks = []
    stopped = threading.Event()

    def reader():
        while True:
            data = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
            if not data:
                break
            text = data.decode(errors="replace")
            chunks.append(text)
            if echo:
                echo.write(text.replace("\r", ""))
                echo.flush()
            if stop_when and stop_when("".join(chunks)):
                stopped.set()
                p.kill()
                break

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    timed_out = False
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = not stopped.is_set()
        p.kill()
        p.wait()
    t.join(timeout=5)
    p.stdout.close()
    output = "".join(chunks).replace("\r\n", "\n")
    return Result(p.returncode, output, timed_out, time.monotonic() - start)


class Session:
    """An interactive QEMU run: read the serial console, type into it (stdin is
    the serial port), and send commands to the QEMU monitor (a unix socket).

        with Session(args) as s:
            s.expect("$ ")
            s.send("ls\\n")
            s.monitor("sendkey a")
    """

    def __init__(self, args, timeout=60):
        import socket
        self._socket = socket
        self.timeout = timeout
        self.mon_path = tempfile.mktemp(prefix="qemu-mon-", suffix=".sock", dir=BUILD)
        args = list(args) + ["-monitor", "unix:%s,server,nowait" % self.mon_path]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = ""
        self.pos = 0  # expect() searches from here
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.mon = None

    def _read(self):
        carry = ""  # a "\r" at the end of a chunk may be half of a "\r\n"
        while True:
            data = self.p.stdout.read1(4096)
            if not data:
                break
            text = carry + data.decode(errors="replace")
            carry = ""
            if text.endswith("\r"):
                carry, text = "\r", text[:-1]
            with self.lock:
                self.buf += text.replace("\r\n", "\n")
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def expect(self, text, timeout=None):
        """Wait until `text` appears after the previous match; return what came before it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self.lock:
            while True:
                i = self.buf.find(text, self.pos)
                if i >= 0:
                    before = self.buf[self.pos:i]
                    self.pos = i + len(text)
                    return before
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    raise TimeoutError("did not see %r; last output:\n%s"
                                       % (text, self.buf[-1500:]))
                self.lock.wait(min(left, 0.5))

    def send(self, text):
        """Type on the serial console."""
        self.p.stdin.write(text.encode() if isinstance(text, str) else text)
        self.p.stdin.flush()

    def monitor(self, command):
        """Run a QEMU monitor command (e.g. "sendkey a") and return its output."""
        if self.mon is None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self.mon = self._socket.socket(self._socket.AF_UNIX)
                    self.mon.connect(self.mon_path)
                    break
                except OSError:
                    self.mon.close()
                    self.mon = None
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            self._mon_read_until("(qemu) ")
        self.mon.sendall((command + "\n").encode())
        return self._mon_read_until("(qemu) ")

    def _mon_read_until(self, marker):
        data = b""
        self.mon.settimeout(10)
        while not data.endswith(marker.encode()):
            chunk = self.mon.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace")

    def close(self):
        if self.mon:
            self.mon.close()
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()
        self.p.stdin.close()
        self.reader.join(timeout=5)
        try:
            os.unlink(self.mon_path)
        except OSError:
            pass
        return self.p.returncode

    def wait(self, timeout=None):
        """Wait for QEMU to exit; return its status."""
        self.p.wait(timeout=timeout or self.timeout)
        self.reader.join(timeout=5)
        return self.p.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


def probe_accel(kernel):
    """Does a guest run to completion under KVM here?"""
    if not kvm_usable():
        return "tcg", "/dev/kvm cannot be opened"
    if not os.path.exists(kernel):
        return "tcg", "no kernel to probe with"
    os.makedirs(BUILD, exist_ok=True)
    iso = make_iso(kernel, "ktest=__accel_probe__", os.path.join(BUILD, "accel-probe.iso"))
    r = run_captured(base_args("kvm", iso), PROBE_TIMEOUT)
    if r.timed_out:
        return "tcg", "a KVM guest hung for %ds" % PROBE_TIMEOUT
    if "0 passed, 0 failed" not in r.output:
        return "tcg", "a KVM guest did not finish (status %s)" % r.status
    return "kvm", "a KVM guest booted in %.1fs" % r.seconds


def accel(kernel=os.path.join(BUILD, "kernel.elf"), quiet=False):
    """The accelerator to use: $ACCEL, else the cached probe, else a new probe."""
    forced = os.environ.get("ACCEL", "").strip()
    if forced:
        if forced not in ("kvm", "tcg"):
            raise SystemExit("ACCEL must be kvm or tcg, not %r" % forced)
        return forced
    try:
        with open(ACCEL_CACHE) as f:
            cached = f.read().split()
            if cached and cached[0] in ("kvm", "tcg"):
                return cached[0]
    except OSError:
        pass
    choice, why = probe_accel(kernel)
    if not quiet:
        sys.stderr.write("qemu: using %s (%s; set ACCEL=kvm|tcg to force)\n" % (choice, why))
    os.makedirs(BUILD, exist_ok=True)
    with open(ACCEL_CACHE, "w") as f:
        f.write("%s %s\n" % (choice, why))
    return choice


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "debug"):
        p = sub.add_parser(name)
        p.add_argument("--iso", required=True)
        p.add_argument("--disk")
        p.add_argument("--gui", action="store_true")
        p.add_argument("--elf", default=os.path.join(BUILD, "kernel.elf"))
        p.add_argument("--gdb", action="store_true", help="debug: start gdb attached too")
        p.add_argument("--uefi", action="store_true", help="boot through OVMF (UEFI)")
        p.add_argument("--smp", type=int, default=1, help="number of CPUs")
    sub.add_parser("accel")
    a = ap.parse_args()

    if a.cmd == "accel":
        print(accel())
        return 0
    if a.smp < 1:
        print("qemu: --smp must be at least 1", file=sys.stderr)
        return 2
    args = base_args(accel(a.elf), a.iso, a.disk, a.gui, uefi="persistent" if a.uefi else False,
                     smp=a.smp)
    if a.cmd == "debug":
        args += ["-s", "-S"]
        gdb = ["gdb", os.path.relpath(a.elf), "-ex", "set architecture i386:x86-64",
               "-ex", "target remote localhost:1234", "-ex", "hbreak kmain", "-ex", "continue"]
        if a.gdb:
            # QEMU in the background (its serial console in build/debug-serial.log),
            # gdb in the foreground on this terminal.
            log = open(os.path.join(BUILD, "debug-serial.log"), "w")
            q = subprocess.Popen([x if x != "stdio" else "file:" + log.name for x in args],
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            print("qemu: serial console in %s" % log.name, file=sys.stderr)
            try:
                return subprocess.call(gdb)
            finally:
                q.kill()
                q.wait()
        print("QEMU is paused, waiting for gdb on localhost:1234. In another terminal run:\n"
              "  %s\n(or run `make debug GDB=1` to start both)\n"
              % " ".join(x if " " not in x else "'%s'" % x for x in gdb))
        sys.stdout.flush()
        os.execvp(args[0], args)
    if a.cmd == "run" and sys.stdin.isatty():
        # The terminal is the console: Ctrl-C must reach the guest's shell (it
        # stops the running program there), so QEMU's stdio ignores signals;
        # its multiplexer's Ctrl-A X quits instead.
        i = args.index("-serial")
        args[i:i + 2] = ["-chardev", "stdio,id=con0,mux=on,signal=off", "-serial", "chardev:con0"]
        print("qemu: %s  ('shutdown' or Ctrl-A X quits; Ctrl-C goes to the running program)"
              % " ".join(args[1:]), file=sys.stderr)
    else:
        print("qemu: %s  (Ctrl-C or 'shutdown' quits)" % " ".join(args[1:]), file=sys.stderr)
    sys.stdout.flush()
    try:
        status = subprocess.call(args)
    except KeyboardInterrupt:
        status = 0
    # `shutdown` leaves through isa-debug-exit with the success code: that is a
    # normal end of the session, not an error for make.
    if status == EXIT_SUCCESS:
        return 0
    if status == EXIT_FAILURE:
        print("qemu: the kernel reported a failure", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
