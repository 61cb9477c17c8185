"""fsck and mkfs as Kestrel runs them: build/user/bin/fsck.sfs and mkfs.sfs
(tools/ and libsfs compiled with musl-gcc, static; `fsck` and `mkfs` are
links to them), run on the Linux host on image files.

Both refuse a mounted file system. The mount table is /proc/mounts, or the
file named by SFS_MOUNTS for the tests that describe a mount without making
one: an image file listed as a mount source, and a device node listed under
another name with the same device number. Where the host lets the test
mount, a real loop mount of an image (ext2: Linux cannot mount SFS) is
refused too.
"""
import os
import shutil
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403


class SfsTools(UtilTest):
    def mounts(self, *lines):
        self.write("mounts", "".join(l + "\n" for l in lines))
        return dict(ENV, SFS_MOUNTS=self.path("mounts"))

    def test_format_check_and_names(self):
        for prog in ["mkfs", "mkfs.sfs"]:
            self.assertTrue(os.path.isfile(os.path.join(USERBIN, prog)))
        self.assertEqual(os.readlink(os.path.join(USERBIN, "fsck")), "fsck.sfs")
        out = self.ok("mkfs", "-t", "sfs", "disk.img", "--size", "4M")
        self.assertRegex(out, r"^disk\.img: 1024 blocks of 4096 bytes, \d+ inodes")
        self.assertEqual(os.path.getsize(self.path("disk.img")), 4 << 20)
        out = self.ok("fsck", "disk.img")
        self.assertRegex(out, r"^disk\.img: clean, \d+/1024 blocks used, 1/\d+ inodes used, "
                              r"0 problems\n$")
        self.ok("fsck.sfs", "-t", "sfs", "-q", "disk.img", out="")
        # the tree of --root, checked by the host's own sfs tool where it is built
        self.write("root/dir/file", "hello\n")
        self.ok("mkfs.sfs", "full.img", "--size", "4M", "--root", self.path("root"))
        self.ok("fsck.sfs", "full.img")
        host_sfs = os.path.join(ROOT, "build", "bin", "sfs")
        if os.access(host_sfs, os.X_OK):
            r = subprocess.run([host_sfs, self.path("full.img"), "cat", "/dir/file"],
                               stdout=subprocess.PIPE)
            self.assertEqual(r.stdout, b"hello\n")

    def test_bad_input(self):
        r = self.run_util("fsck", "-t", "ext4", "x.img")
        self.assertEqual((r.status, r.err),
                         (8, "fsck.sfs: ext4: unsupported file-system type (only sfs)\n"))
        r = self.run_util("mkfs", "-t", "vfat", "x.img", "--size", "4M")
        self.assertEqual(r.status, 2)
        self.assertFalse(os.path.exists(self.path("x.img")))
        self.assertEqual(self.run_util("fsck").status, 16)
        self.assertEqual(self.run_util("fsck", "nope.img").status, 8)
        self.write("junk.img", b"\xff" * (1 << 20))
        r = self.run_util("fsck", "junk.img")
        self.assertEqual(r.status, 8)
        self.assertIn("fsck.sfs: junk.img: cannot mount: ", r.err)

    def test_refuses_a_listed_image(self):
        self.ok("mkfs", "disk.img", "--size", "4M")
        with open(self.path("disk.img"), "rb") as f:
            before = f.read()
        # listed under another path to the same file, with an escaped space
        os.mkdir(self.path("a dir"))
        os.link(self.path("disk.img"), self.path("a dir/same.img"))
        env = self.mounts("proc /proc proc rw 0 0",
                          self.path("a dir/same.img").replace(" ", "\\040") + " /mnt sfs rw 0 0")
        for prog, status in [("mkfs", 1), ("fsck", 8), ("fsck.sfs", 8)]:
            r = self.run_util(prog, "disk.img", env=env)
            self.assertEqual((r.status, r.err),
                             (status, "%s.sfs: disk.img is mounted on /mnt; unmount it first\n"
                              % prog.split(".")[0]))
        with open(self.path("disk.img"), "rb") as f:
            self.assertEqual(f.read(), before)
        # another file is not refused, and neither is anything without a table
        self.ok("mkfs", "other.img", "--size", "4M")
        r = self.run_util("fsck", "other.img", env=env)
        self.assertEqual(r.status, 0, r)
        r = self.run_util("fsck", "disk.img", env=dict(ENV, SFS_MOUNTS=self.path("none")))
        self.assertEqual(r.status, 0, r)

    def test_refuses_a_listed_device(self):
        try:
            os.mknod(self.path("dev-a"), stat.S_IFBLK | 0o600, os.makedev(7, 250))
            os.mknod(self.path("dev-b"), stat.S_IFBLK | 0o600, os.makedev(7, 250))
            os.mknod(self.path("dev-c"), stat.S_IFBLK | 0o600, os.makedev(7, 251))
        except PermissionError:
            self.skipTest("cannot make device nodes here")
        env = self.mounts(self.path("dev-b") + " /data sfs rw 0 0")
        r = self.run_util("mkfs", self.path("dev-a"), env=env)
        self.assertEqual((r.status, r.err), (1, "mkfs.sfs: %s is mounted on /data; unmount it "
                                                "first\n" % self.path("dev-a")))
        r = self.run_util("fsck", self.path("dev-a"), env=env)
        self.assertEqual(r.status, 8)
        # same major, another minor: not the mounted device (it then fails to open)
        r = self.run_util("fsck", self.path("dev-c"), env=env)
        self.assertNotIn("is mounted", r.err)

    def test_refuses_a_loop_mounted_image(self):
        if not shutil.which("mkfs.ext2") or not shutil.which("mount"):
            self.skipTest("no mkfs.ext2 or mount on this host")
        with open(self.path("ext.img"), "wb") as f:
            f.truncate(4 << 20)
        subprocess.run(["mkfs.ext2", "-q", self.path("ext.img")], check=True)
        os.mkdir(self.path("m"))
        r = subprocess.run(["mount", "-o", "loop", self.path("ext.img"), self.path("m")],
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            self.skipTest("cannot loop-mount here: " + r.stderr.decode())
        try:
            for prog, status in [("mkfs", 1), ("fsck", 8)]:
                r = self.run_util(prog, "ext.img")
                self.assertEqual((r.status, r.err),
                                 (status, "%s.sfs: ext.img is mounted on %s; unmount it first\n"
                                  % (prog, self.path("m"))))
        finally:
            subprocess.run(["umount", self.path("m")], check=True)
        # unmounted, it is an ext2 image that mkfs may format
        self.ok("mkfs", "ext.img")
        self.ok("fsck", "ext.img")


if __name__ == "__main__":
    unittest.main()
