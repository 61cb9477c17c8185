"""The system end to end: the shell over the serial console, on an SFS disk.

Each test boots build/kernel.elf in QEMU with its own disk image, drives the
shell (prompt "... $ "), and checks what it prints; several then read the image
on the host with the sfs tool, or boot again on it.
"""
import os
import subprocess
import sys
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")
BIN = os.path.join(ROOT, "build", "bin")
WORK = os.path.join(ROOT, "build", "test-shell")
PROMPT = " $ "


def sfs_tool(*args, check=True):
    r = subprocess.run([os.path.join(BIN, "sfs")] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if check and r.returncode != 0:
        raise AssertionError("sfs %s failed: %s" % (" ".join(args), r.stdout.decode()))
    return r.stdout.decode(errors="replace")


def mkfs(image, size="32M", root=None):
    if os.path.exists(image):
        os.unlink(image)
    args = [os.path.join(BIN, "mkfs.sfs"), image, "--size", size]
    if root:
        args += ["--root", root]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return image


class Shell:
    """A booted system: run(cmd) types a line and returns what it printed."""

    _iso = None

    def __init__(self, disk, cmdline="", qemu_args=(), smp=None):
        """smp: the number of CPUs; None leaves it to qemu.default_smp() ($QEMU_SMP)."""
        if Shell._iso is None or cmdline:
            iso = qemu.make_iso(KERNEL, cmdline, os.path.join(WORK, "shell.iso"))
            Shell._iso = None if cmdline else iso
        else:
            iso = Shell._iso
        args = qemu.base_args(qemu.accel(KERNEL), iso, disk=disk, smp=smp) + list(qemu_args)
        self.s = qemu.Session(args, timeout=60)
        self.boot_log = self.s.expect(PROMPT, timeout=120)

    def next_prompt(self, timeout=60):
        """Wait for the next prompt at the start of a line, and return what came
        before it. The line editor scrolls a line wider than the terminal by
        redrawing it, prompt included, after a carriage return: those are not
        prompts."""
        out = ""
        while True:
            out += self.s.expect(PROMPT, timeout=timeout)
            k = max(out.rfind("\n"), out.rfind("\r"))
            if "\n" in out and out[k] == "\n":  # not "\r": a redraw
                return out
            out += PROMPT

    def run(self, line, timeout=60):
        self.s.send(line + "\r")
        out = self.next_prompt(timeout=timeout)
        # Drop the echoed command line and the next prompt's directory. A
        # console line that came between the last prompt and the echo (a
        # kernel message) goes with the echo: it is not the command's output.
        k = out.find(line)
        if k > 0:
            out = out[k:]
        out = out.split("\n", 1)[1] if "\n" in out else ""
        return out.rsplit("\n", 1)[0] + "\n" if "\n" in out else ""

    def run_expect(self, line, text, timeout=60):
        """For lines wider than the terminal (the editor redraws them, prompt
        included): type the line, then wait for @text in what follows."""
        self.s.send(line + "\r")
        self.s.expect(text, timeout=timeout)
        self.s.send("echo __sync__\r")
        self.s.expect("\n__sync__\n", timeout=timeout)
        self.s.expect(PROMPT, timeout=timeout)

    def shutdown(self):
        self.s.send("shutdown\r")
        status = self.s.wait(60)
        self.s.close()
        return status

    def close(self):
        self.s.close()


class ShellTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)

    def image(self, name, **kw):
        return mkfs(os.path.join(WORK, name + ".img"), **kw)

    def test_file_commands_and_errors(self):
        sh = Shell(self.image("cmds"))
        try:
            self.assertIn("fs: / is SFS on vda", sh.boot_log)
            self.assertEqual(sh.run("pwd"), "/\n")
            self.assertEqual(sh.run("mkdir -p /a/b/c"), "")
            self.assertEqual(sh.run("write /a/b/f hello world"), "")
            self.assertEqual(sh.run("cat /a/b/f"), "hello world\n")
            self.assertEqual(sh.run("cd /a/b"), "")
            self.assertEqual(sh.run("pwd"), "/a/b\n")
            self.assertEqual(sh.run("cat f"), "hello world\n")
            self.assertEqual(sh.run("x=var; echo 'two  words $x' \"and $x\" a\\ b > g"), "")
            self.assertEqual(sh.run("cat g"), "two  words $x and var a b\n")
            self.assertEqual(sh.run("echo more >> g; cat g"), "two  words $x and var a b\nmore\n")
            self.assertEqual(sorted(sh.run("touch t; ls").split()), ["c", "f", "g", "t"])
            self.assertRegex(sh.run("ls -l"), r"\n-rw-r--r-- 1 root root +12 \w{3} [ \d]\d [\d:]+ f\n")
            self.assertIn(". ..", " ".join(sh.run("ls -a").split()))
            self.assertEqual(sh.run("cp f f2; cat f2"), "hello world\n")
            self.assertEqual(sh.run("mv f2 c; ls c"), "f2\n")
            self.assertEqual(sh.run("ln f hard; stat hard").count("Links: 2"), 1)
            self.assertEqual(sh.run("ln -s /a/b/f soft; cat soft"), "hello world\n")
            self.assertIn("/a\n`-- b\n    |-- c\n    |   `-- f2\n", sh.run("tree /a"))
            crc = "%08x" % zlib.crc32(b"hello world\n")
            self.assertEqual(sh.run("crc32 f"), "%s  f\n" % crc)
            self.assertIn("|hello world.|", sh.run("hexdump -C f"))
            self.assertIn("symbolic link", sh.run("stat soft"))
            self.assertRegex(sh.run("df"), r"\n/dev/vda +\d+ +\d+ +\d+ +\d+% /\n")
            self.assertIn("devfs on /dev", sh.run("mount"))
            # errors: POSIX-style messages, and the shell carries on
            self.assertEqual(sh.run("rm /a/b/nope"), "rm: /a/b/nope: No such file or directory\n")
            self.assertEqual(sh.run("rmdir /a"), "rmdir: /a: Directory not empty\n")
            self.assertEqual(sh.run("cat /a"), "cat: /a: Is a directory\n")
            self.assertEqual(sh.run("cd /a/b/f"), "sh: cd: /a/b/f: Not a directory\n")
            self.assertEqual(sh.run("mkdir /a"), "mkdir: /a: File exists\n")
            self.assertIn("command not found", sh.run("frobnicate"))
            self.assertIn("usage: mv", sh.run("mv onlyone"))
            self.assertEqual(sh.run("rm c"), "rm: c: Is a directory\n")
            self.assertEqual(sorted(sh.run("rm -r c; ls").split()), ["f", "g", "hard", "soft", "t"])
            self.assertEqual(sh.run("umount /"), "umount: /: Resource busy\n")
            self.assertEqual(sh.run("umount /a"), "umount: /a: Invalid argument\n")
            self.assertIn("Resource busy", sh.run("cd /tmp; umount /tmp"))
            self.assertEqual(sh.run("cd /; umount /tmp; mount -t ramfs x /tmp; echo $?"), "0\n")
            self.assertIn("name too long", sh.run("touch /" + "x" * 300))  # musl: "Filename"
            sh.run_expect("mkdir -p /" + "/".join(["d" * 200] * 4), "/dddd")
            self.assertEqual(sh.run("echo after long names"), "after long names\n")
            # fsck refuses a mounted volume; the host checks it after a clean shutdown
            self.assertIn("/dev/vda is mounted on /", sh.run("fsck /dev/vda"))
        finally:
            sh.close()

    def test_system_commands(self):
        sh = Shell(self.image("sys"))
        try:
            self.assertEqual(sh.run("uname -srm"), "Kestrel 0.1.0 x86_64\n")
            self.assertIn(" up ", sh.run("uptime"))
            ps = sh.run("ps")
            for line in ("    1     0 S", " init\n", " sh\n", " ps\n"):
                self.assertIn(line, ps)
            self.assertRegex(sh.run("free"), r"Mem: +[1-9]")
            self.assertIn("Virtio block device", sh.run("lspci"))
            self.assertIn("1af4:1001", sh.run("lspci -n"))
            self.assertIn("usage: ls", sh.run("ls -Z"))
            self.assertIn("wait for background jobs", sh.run("help"))
            self.assertIn("/dev/vda is mounted on /", sh.run("mkfs /dev/vda"))
            self.assertEqual(sh.run("fsck /dev/nope; echo $?"),
                             "fsck.sfs: /dev/nope: No such file or directory\n8\n")
            self.assertEqual(sh.run("echo -n a; echo b"), "ab\n")
            self.assertIn("echo -n a; echo b", sh.run("history"))
            sh.run("clear")
            self.assertIn("\x1b[2J", sh.s.buf)  # the screen-clearing sequence
            # the first seed's `log` is dmesg now: the kernel's records only
            sh.s.send("log\r")
            sh.s.expect("(x86_64) booting", timeout=30)
            sh.s.expect("fs: / is SFS on vda", timeout=30)
        finally:
            sh.close()

    def test_persists_across_shutdown_and_host_reads_it(self):
        img = self.image("persist")
        sh = Shell(img)
        sh.run("mkdir /keep; write /keep/a first file; mkdir /keep/sub")
        sh.run("echo nested >> /keep/sub/b")
        chunk = "".join(chr(ord("a") + i % 26) for i in range(900))
        for _ in range(4):  # lines are at most 1023 bytes: append in pieces
            sh.run("echo -n %s >> /keep/big" % chunk)
        sh.run("echo >> /keep/big")
        blob = chunk * 4
        self.assertEqual(sh.shutdown(), qemu.EXIT_SUCCESS)
        # the host sees every byte
        self.assertEqual(sfs_tool(img, "cat", "/keep/a"), "first file\n")
        self.assertEqual(sfs_tool(img, "cat", "/keep/sub/b"), "nested\n")
        self.assertEqual(sfs_tool(img, "cat", "/keep/big"), blob + "\n")
        r = subprocess.run([os.path.join(BIN, "fsck.sfs"), img], stdout=subprocess.PIPE)
        self.assertEqual(r.returncode, 0, r.stdout)
        # and so does the next boot
        sh = Shell(img)
        try:
            self.assertEqual(sh.run("cat /keep/a /keep/sub/b"), "first file\nnested\n")
            crc = "%08x" % zlib.crc32((blob + "\n").encode())
            self.assertEqual(sh.run("crc32 /keep/big"), "%s  /keep/big\n" % crc)
        finally:
            sh.close()

    def test_reboot_syncs_first(self):
        img = self.image("reboot")
        sh = Shell(img)
        sh.run("write /before-reboot kept")
        sh.s.send("reboot\r")
        sh.s.expect("power: restarting", timeout=30)
        status = sh.s.wait(60)  # QEMU runs with -no-reboot: a reset ends it
        sh.close()
        self.assertNotEqual(status, qemu.EXIT_FAILURE)
        self.assertEqual(sfs_tool(img, "cat", "/before-reboot"), "kept\n")

    def test_image_made_on_the_host(self):
        tree = os.path.join(WORK, "hosttree")
        os.makedirs(os.path.join(tree, "docs"), exist_ok=True)
        data = bytes((i * 7 + 3) % 256 for i in range(100000))
        with open(os.path.join(tree, "docs", "data.bin"), "wb") as f:
            f.write(data)
        with open(os.path.join(tree, "readme"), "w") as f:
            f.write("made on the host\n")
        img = self.image("host", root=tree)
        sh = Shell(img)
        try:
            self.assertEqual(sh.run("cat /readme"), "made on the host\n")
            self.assertEqual(sh.run("crc32 /docs/data.bin"),
                             "%08x  /docs/data.bin\n" % zlib.crc32(data))
            sh.run("write /from-kernel written in the kernel")
            self.assertEqual(sh.shutdown(), qemu.EXIT_SUCCESS)
        finally:
            sh.close()
        self.assertEqual(sfs_tool(img, "cat", "/from-kernel"), "written in the kernel\n")

    def test_corrupt_image_gives_clear_error_and_working_shell(self):
        img = self.image("corrupt")
        with open(img, "r+b") as f:  # scribble over the superblock
            f.seek(0)
            f.write(b"\xff" * 512)
        with open(img, "rb") as f:
            before = f.read(1 << 20)
        sh = Shell(img)
        try:
            self.assertIn("fs: cannot mount vda", sh.boot_log)
            self.assertIn("/ is a ramfs", sh.boot_log)
            self.assertEqual(sh.run("write /x still works; cat /x"), "still works\n")
            self.assertIn("/dev/vda: cannot mount: not an SFS file system", sh.run("fsck /dev/vda"))
        finally:
            sh.close()
        with open(img, "rb") as f:
            self.assertEqual(f.read(1 << 20), before)  # never formatted

    def test_blank_disk_is_formatted(self):
        img = os.path.join(WORK, "blank.img")
        with open(img, "wb") as f:
            f.truncate(16 << 20)
        sh = Shell(img)
        try:
            self.assertIn("is blank", sh.boot_log)
            self.assertIn("fs: / is SFS on vda", sh.boot_log)
        finally:
            sh.close()

    def test_no_disk_means_ramfs_root(self):
        sh = Shell(None)
        try:
            self.assertIn("no disk: / is a ramfs", sh.boot_log)
            self.assertEqual(sh.run("write /f x; cat /f"), "x\n")
        finally:
            sh.close()

    def test_make_run_path_ends_cleanly_on_shutdown(self):
        # What `make run` does: qemu.py run with the terminal on serial, on
        # two CPUs. Typed ahead before boot, `shutdown` must still arrive
        # (bytes waiting in the UART are kept) and end the session with
        # status 0, not QEMU's 33.
        img = self.image("run")
        iso = os.path.join(ROOT, "build", "os.iso")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "qemu", "qemu.py"), "run",
                            "--iso", iso, "--disk", img, "--smp", "2"], input=b"shutdown\r",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertIn(b"power: power off", r.stdout)
        self.assertIn(b"smp: 2 CPUs online", r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:])

    def test_odd_input_never_breaks_the_shell(self):
        sh = Shell(self.image("odd"))
        try:
            sh.s.send(b"\x01\x02\x7f\x80\xfe\xff\x1b[Z\x1b[99~garbage\x03")
            sh.s.expect("^C", timeout=20)
            sh.s.expect(PROMPT, timeout=20)
            # a 10,000-byte line: the editor takes it whole
            sh.s.send("echo " + "y" * 10000 + "\r")
            sh.s.expect("\n" + "y" * 10000 + "\n", timeout=120)
            sh.s.expect(PROMPT, timeout=20)
            self.assertNotIn("KERNEL PANIC", sh.s.buf)
            self.assertEqual(sh.run("echo still alive"), "still alive\n")
            sh.s.send("echo 'oops\r")  # an open quote: the line goes on
            sh.s.expect("\n> ", timeout=20)
            self.assertEqual(sh.run("closed'"), "oops\nclosed\n")
            self.assertEqual(sh.run("echo ok"), "ok\n")
        finally:
            sh.close()


if __name__ == "__main__":
    unittest.main()
