"""The initrd: the system programs come from the boot image, not the disk.

GRUB loads build/initrd.cpio (mk/initrd.mk) as the multiboot2 module
"initrd"; the kernel unpacks each of its top-level directories into a ramfs
mounted over the root (/bin, /etc, /sbin), and starts /sbin/init from it.
These tests boot with a normal disk, a disk holding its own (stale) /bin/ls,
no disk at all, no initrd (the disk's own /bin/sh is process 1), and hostile
initrds (truncated, garbage, a `..` path): with no disk either, nothing can
run, and the kernel must say why and power off.

KESTREL_BUILD=DIR runs it against another build directory than build/.
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

qemu = ts.qemu
BUILD = os.path.join(ts.ROOT, os.environ.get("KESTREL_BUILD", "build"))
INITRD = os.path.join(BUILD, "initrd.cpio")
SH = os.path.join(BUILD, "user", "sh", "sh")
LACKS = re.compile(r"used system call (\d+), which Kestrel lacks")


def newc(entries):
    """A cpio newc archive of (name, mode, data) entries, with its trailer."""
    out = b""
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        n = name.encode() + b"\0"
        out += ("070701" + "%08x" * 13 % (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                                          len(n), 0)).encode() + n
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return out


def archive_files(path, kinds=(0o100000,)):
    """{top-level directory: names of the files under it} in a newc archive: the
    regular files, or those of the given kinds (S_IFREG, S_IFLNK, ...)."""
    with open(path, "rb") as f:
        data = f.read()
    tops, off = {}, 0
    while data[off:off + 6] == b"070701":
        fields = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        off += size + (-size % 4)
        if name == "TRAILER!!!":
            break
        if "/" in name and mode & 0o170000 in kinds:
            top, rest = name.split("/", 1)
            tops.setdefault(top, []).append(rest)
    return tops


def plural(n, what):
    return "%d %s%s" % (n, what, "" if n == 1 else "s")


def dir_summary(path, top):
    """How the kernel's initrd line describes one top-level directory of an
    archive: "/bin (1 file, 46 symbolic links)"."""
    files = len(archive_files(path).get(top, []))
    links = len(archive_files(path, kinds=(0o120000,)).get(top, []))
    return "/%s (%s%s)" % (top, plural(files, "file"),
                           ", " + plural(links, "symbolic link") if links else "")


def boot_line(path):
    """The kernel's "initrd: /bin (N files, M symbolic links), ..." line for an archive."""
    tops = archive_files(path, kinds=(0o100000, 0o120000, 0o040000))
    return "initrd: " + ", ".join(dir_summary(path, t) for t in sorted(tops))


class BootedWith(ts.Shell):
    """ts.Shell on an ISO made with a given initrd (a path, or None for none)."""

    def __init__(self, disk, initrd, name, until=ts.PROMPT):
        iso = qemu.make_iso(ts.KERNEL, "", os.path.join(ts.WORK, name + ".iso"), initrd=initrd)
        self.s = qemu.Session(qemu.base_args(qemu.accel(ts.KERNEL), iso, disk=disk), timeout=60)
        self.boot_log = self.s.expect(until, timeout=120)


class InitrdTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if BUILD != os.path.join(ts.ROOT, "build"):
            ts.KERNEL = os.path.join(BUILD, "kernel.elf")
            ts.BIN = os.path.join(BUILD, "bin")
            ts.WORK = os.path.join(BUILD, "test-shell")
        os.makedirs(ts.WORK, exist_ok=True)
        if not os.path.exists(INITRD):
            raise unittest.SkipTest("no %s (make builds it)" % INITRD)

    def run_ok(self, sh, line):
        out = sh.run(line + "; echo \"#status=$?\"")
        self.assertIsNone(LACKS.search(out), "%s: %s" % (line, out))
        self.assertTrue(out.endswith("#status=0\n"), "%s: %s" % (line, out))
        return out[:-len("#status=0\n")]

    def test_normal_boot_has_bin_and_motd(self):
        sh = ts.Shell(ts.mkfs(os.path.join(ts.WORK, "initrd-normal.img")))
        try:
            self.assertIn(boot_line(INITRD) + "\n", sh.boot_log)
            names = self.run_ok(sh, "/bin/ls -1 /bin").split()
            for p in ("cat", "echo", "ls", "crc32", "stat", "dd", "ps", "sh", "yes"):
                self.assertIn(p, names)
            listed = archive_files(INITRD, kinds=(0o100000, 0o120000))  # and symlinks
            self.assertEqual(sorted(names), sorted(listed["bin"]))
            names = self.run_ok(sh, "/bin/ls -1 /sbin").split()
            for p in ("init", "mount", "umount", "reboot", "shutdown", "fsck", "fsck.sfs", "mkfs",
                      "mkfs.sfs", "poweroff", "halt"):
                self.assertIn(p, names)
            motd = self.run_ok(sh, "/bin/cat /etc/motd")
            self.assertIn("Kestrel", motd)
            self.assertIn("/bin/ls -l /", motd)
            # one program, kbox, under every name (mk/userbox.mk)
            self.assertRegex(self.run_ok(sh, "ls -l /bin/ls /sbin/init /sbin/fsck"),
                             r"^l[rwx-]{9} .* /bin/ls -> kbox\n"
                             r"l[rwx-]{9} .* /sbin/fsck -> fsck\.sfs\n"
                             r"l[rwx-]{9} .* /sbin/init -> /bin/kbox\n$")
            self.assertEqual(self.run_ok(sh, "which ls sh fsck"), "/bin/ls\n/bin/sh\n/sbin/fsck\n")
            # a copy on the disk runs by its name; kbox runs any of them by argument
            self.run_ok(sh, "mkdir -p /mine && cp /bin/cat /mine/cat")
            self.assertEqual(self.run_ok(sh, "/mine/cat /etc/fstab"),
                             self.run_ok(sh, "cat /etc/fstab"))
            self.assertEqual(self.run_ok(sh, "kbox echo hi"), "hi\n")
            out = sh.run("cp /bin/cat /mine/other; /mine/other; echo \"#status=$?\"")
            self.assertIn("kbox: other: not one of its programs", out)
            self.assertTrue(out.endswith("#status=127\n"), out)
        finally:
            sh.close()

    def test_old_disk_bin_is_hidden_not_changed(self):
        img = ts.mkfs(os.path.join(ts.WORK, "initrd-old.img"))
        stale = os.path.join(ts.WORK, "stale-ls")
        with open(stale, "w") as f:
            f.write("not a program: the disk's own /bin/ls\n")
        ts.sfs_tool(img, "mkdir", "/bin")
        ts.sfs_tool(img, "put", stale, "/bin/ls")
        sh = ts.Shell(img)
        try:
            out = self.run_ok(sh, "/bin/ls /etc")
            self.assertEqual(out.split(), ["fstab", "group", "motd", "passwd"])
            self.assertIn("crc32", self.run_ok(sh, "/bin/ls /bin"))
            self.assertEqual(sh.shutdown(), qemu.EXIT_SUCCESS)
        finally:
            sh.close()
        # the disk's /bin was only hidden: it still holds just the stale file
        self.assertEqual(ts.sfs_tool(img, "cat", "/bin/ls"),
                         "not a program: the disk's own /bin/ls\n")

    def test_no_disk_still_has_programs(self):
        sh = ts.Shell(None)
        try:
            self.assertIn("no disk: / is a ramfs", sh.boot_log)
            self.assertIn("initrd: " + dir_summary(INITRD, "bin"),
                          sh.boot_log)
            self.assertEqual(self.run_ok(sh, "/bin/echo hi"), "hi\n")
        finally:
            sh.close()

    def test_no_initrd_runs_the_disks_shell(self):
        # Without a boot image the kernel looks for init where Linux does, on
        # the disk too: a disk with its own /bin/sh still gives a shell.
        img = ts.mkfs(os.path.join(ts.WORK, "initrd-none.img"))
        ts.sfs_tool(img, "mkdir", "/bin")
        ts.sfs_tool(img, "put", SH, "/bin/sh")
        sh = BootedWith(img, None, "initrd-none")
        try:
            self.assertIn("initrd: none (no system programs in /bin)", sh.boot_log)
            self.assertEqual(sh.run("echo x > /f; read l < /f; echo got $l"), "got x\n")
            self.assertIn("not found", sh.run("ls"))
        finally:
            sh.close()

    def hostile(self, name, data, reason):
        # No disk and no usable boot image: nothing can be process 1. The
        # kernel says why and powers off (never a hang, never a panic).
        path = os.path.join(ts.WORK, name + ".cpio")
        with open(path, "wb") as f:
            f.write(data)
        sh = BootedWith(None, path, name, until="power: power off")
        try:
            self.assertRegex(sh.boot_log,
                             r"initrd: malformed archive: (%s)[^\n]* \(entry at byte \d+" % reason)
            self.assertNotIn("initrd: /bin", sh.boot_log)
            self.assertIn("init: nothing to run as process 1", sh.boot_log)
            self.assertNotIn("PANIC", sh.boot_log)
            self.assertEqual(sh.s.wait(60), qemu.EXIT_SUCCESS)
        finally:
            sh.close()

    def test_truncated_initrd(self):
        with open(INITRD, "rb") as f:
            data = f.read()
        self.hostile("initrd-truncated", data[:len(data) // 2],
                     "file data runs past the end|truncated header|name runs past the end")

    def test_garbage_initrd(self):
        self.hostile("initrd-garbage", bytes(range(256)) * 64, "bad magic")

    def test_escaping_initrd(self):
        archive = newc([("bin", 0o040755, b""), ("bin/../../x", 0o100644, b"boo")])
        self.hostile("initrd-escape", archive, r"'\.\.' in a path")

    def test_sizes_beyond_the_end(self):
        data = bytearray(newc([("bin/x", 0o100644, b"abc")]))
        data[6 + 8 * 6:6 + 8 * 7] = b"7fffffff"  # filesize
        self.hostile("initrd-size", bytes(data), "file data runs past the end")


if __name__ == "__main__":
    unittest.main()
