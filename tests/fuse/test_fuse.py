"""sfs-fuse mounted for real (docs/fuse.md): a tree of real files unpacked and
compared after a remount, POSIX metadata and names, the fsx exerciser with and
without direct_io, SIGKILL in the middle of writes, read-only mounts and
images that must be refused. Every test checks the image with fsck.sfs at the
end.

Needs /dev/fuse and fusermount3 (CI runs as root with both); without
/dev/fuse every test is skipped with that reason. FSX_OPS sets the number of
fsx operations (default 100000 per run); FSDIFF_SEEDS and FSDIFF_OPS the
differential test's sequences (default 8 of 5000 calls). KESTREL_BUILD names the build
directory (default build/).
"""
import ctypes
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import test_shell  # noqa: E402  (boots the kernel and drives its shell)
BUILD = os.path.join(ROOT, os.environ.get("KESTREL_BUILD", "build"))
BIN = os.path.join(BUILD, "bin")
SFS_FUSE = os.path.join(BIN, "sfs-fuse")
MKFS = os.path.join(BIN, "mkfs.sfs")
FSCK = os.path.join(BIN, "fsck.sfs")
FSX = os.path.join(BUILD, "tests", "fuse", "fsx")
FSX_OPS = int(os.environ.get("FSX_OPS", "100000"))
FSDIFF = os.path.join(BUILD, "host", "tests", "test_fsdiff")
FSDIFF_SEEDS = int(os.environ.get("FSDIFF_SEEDS", "8"))
FSDIFF_OPS = int(os.environ.get("FSDIFF_OPS", "5000"))
TREE = "/usr/include"

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


def fuse_missing():
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine: FUSE mounts cannot be tested"
    if not shutil.which("fusermount3"):
        return "fusermount3 is missing (Debian package fuse3; mk/bootstrap.sh installs it)"
    return None


def run(*args, timeout=600, **kw):
    return subprocess.run(list(args), capture_output=True, timeout=timeout, **kw)


def renameat2(old, new, flags):
    libc = ctypes.CDLL(None, use_errno=True)
    r = libc.renameat2(-100, os.fsencode(old), -100, os.fsencode(new), flags)
    return 0 if r == 0 else ctypes.get_errno()


@unittest.skipIf(fuse_missing(), fuse_missing())
class FuseTest(unittest.TestCase):
    def setUp(self):
        for prog in (SFS_FUSE, MKFS, FSCK, FSX, FSDIFF):
            self.assertTrue(os.access(prog, os.X_OK), f"{prog} not built (make check-fuse)")
        self.tmp = tempfile.mkdtemp(prefix="sfs-fuse-")
        self.img = os.path.join(self.tmp, "disk.img")
        self.mnt = os.path.join(self.tmp, "mnt")
        os.mkdir(self.mnt)
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        # Also a dead daemon's mount, which ismount() cannot see (ENOTCONN).
        run("fusermount3", "-u", "-z", self.mnt)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- helpers ----

    def mkfs(self, size="256M"):
        r = run(MKFS, self.img, "--size", size)
        self.assertEqual(r.returncode, 0, r.stderr.decode())

    def mount(self, *opts, preexec_fn=None):
        """Start sfs-fuse in the foreground and wait until the mount is there."""
        args = [SFS_FUSE, self.img, self.mnt, "-f"] + [x for o in opts for x in ("-o", o)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=preexec_fn)
        deadline = time.time() + 30
        while not os.path.ismount(self.mnt):
            if self.proc.poll() is not None:
                self.fail(f"sfs-fuse exited {self.proc.returncode}: "
                          + self.proc.stderr.read().decode())
            self.assertLess(time.time(), deadline, "sfs-fuse did not mount in 30 s")
            time.sleep(0.05)

    def umount(self):
        """Unmount cleanly; sfs-fuse must exit 0 having written a clean volume."""
        r = run("fusermount3", "-u", self.mnt)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        out, err = self.proc.communicate(timeout=120)
        self.assertEqual(self.proc.returncode, 0, err.decode())
        self.proc = None
        return err.decode()

    def fsck_clean(self):
        r = run(FSCK, "-n", self.img)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())
        self.assertIn(b"clean", r.stdout)

    def path(self, *names):
        return os.path.join(self.mnt, *names)

    # ---- tests ----

    def test_tree_survives_remount(self):
        """Unpack /usr/include, remount, diff -r against the original."""
        tarball = os.path.join(self.tmp, "tree.tar")
        r = run("tar", "-C", os.path.dirname(TREE), "-cf", tarball, os.path.basename(TREE))
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.mkfs("512M")
        self.mount()
        r = run("tar", "-C", self.mnt, "-xf", tarball)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.umount()
        self.fsck_clean()
        self.mount("ro")
        copy = self.path(os.path.basename(TREE))
        r = run("diff", "-r", "--no-dereference", TREE, copy)
        self.assertEqual(r.returncode, 0, r.stdout.decode()[-3000:] + r.stderr.decode())
        # diff compares contents; the metadata tar restores must match too.
        n = 0
        for dirpath, dirnames, filenames in os.walk(TREE):
            for name in dirnames + filenames:
                a = os.lstat(os.path.join(dirpath, name))
                b = os.lstat(os.path.join(copy, os.path.relpath(dirpath, TREE), name))
                self.assertEqual((a.st_mode, a.st_uid, a.st_gid), (b.st_mode, b.st_uid, b.st_gid),
                                 name)
                if not stat.S_ISDIR(a.st_mode):
                    self.assertEqual((a.st_size, int(a.st_mtime)), (b.st_size, int(b.st_mtime)),
                                     name)
                n += 1
        self.assertGreater(n, 1000)
        self.umount()
        self.fsck_clean()

    def fsx(self, *mount_opts, direct=False):
        self.mkfs("64M")
        self.mount(*mount_opts)
        args = [FSX, "-n", str(FSX_OPS), "-s", "7"] + (["-d"] if direct else [])
        r = run(*args, self.path("fsx.data"), timeout=1800)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode()[-4000:])
        print(r.stdout.decode().strip())
        self.umount()
        self.fsck_clean()

    def test_fsx_page_cache(self):
        self.fsx()

    def test_fsx_direct_io(self):
        self.fsx("direct_io", direct=True)

    def test_fsdiff_against_tmpfs(self):
        """The differential POSIX test through the mount (tests/posix/fsdiff.h):
        random calls, some as other users, run on a fresh image mounted as
        docs/fuse.md recommends and on a fresh tmpfs directory; every result,
        errno, content and stat must match, then the whole trees. Every other
        sequence runs with -o direct_io."""
        for k in range(FSDIFF_SEEDS):
            seed = 1 + k
            opts = ["default_permissions"] + (["direct_io"] if k % 2 else [])
            with self.subTest(seed=seed, opts=opts):
                if os.path.exists(self.img):
                    os.unlink(self.img)
                self.mkfs("64M")
                self.mount(*opts)
                try:
                    # "now" on both sides within 0.5 s: a missed time update shows
                    r = run(FSDIFF, "--seed", str(seed), "--ops", str(FSDIFF_OPS), "--slack",
                            "500", self.mnt, timeout=600)
                finally:
                    self.umount()
                out = r.stdout.decode()
                print(out.strip().splitlines()[-1] if out.strip() else "(no output)")
                self.assertEqual(r.returncode, 0, out[-6000:] + r.stderr.decode()[-2000:])
                self.fsck_clean()

    def test_posix_metadata_and_names(self):
        self.mkfs()
        self.mount()
        f = self.path("f")
        with open(f, "wb") as fh:
            fh.write(b"data")
        os.chown(f, 1234, 5678)
        os.chmod(f, 0o4751)  # after chown, which clears set-user-ID
        os.utime(f, ns=(1_500_000_000_123_456_789, 1_600_000_000_987_654_321))
        os.mkfifo(self.path("fifo"), 0o600)
        os.mknod(self.path("chr"), 0o644 | stat.S_IFCHR, os.makedev(4, 64))
        os.mknod(self.path("blk"), 0o644 | stat.S_IFBLK, os.makedev(8, 1))
        os.link(f, self.path("f2"))
        os.symlink("f", self.path("ln"))
        os.mkdir(self.path("d"), 0o750)
        # New inodes get the time with nanoseconds (whole seconds: 1 in 10^9).
        self.assertTrue(any(os.lstat(self.path(n)).st_mtime_ns % 10**9
                            for n in ("fifo", "chr", "blk", "ln", "d")))
        # RENAME_NOREPLACE refuses an existing name; RENAME_EXCHANGE swaps two.
        self.assertEqual(renameat2(self.path("ln"), f, RENAME_NOREPLACE), 17)  # EEXIST
        self.assertEqual(renameat2(self.path("ln"), self.path("ln2"), RENAME_NOREPLACE), 0)
        ino_f, ino_d = os.lstat(f).st_ino, os.lstat(self.path("d")).st_ino
        self.assertEqual(renameat2(f, self.path("d"), RENAME_EXCHANGE), 0)
        self.assertEqual(os.lstat(f).st_ino, ino_d)
        self.assertEqual(os.lstat(self.path("d")).st_ino, ino_f)
        self.assertEqual(renameat2(f, self.path("d"), RENAME_EXCHANGE), 0)  # and back
        self.assertEqual(os.lstat(f).st_ino, ino_f)
        self.assertEqual(renameat2(f, self.path("nope"), RENAME_EXCHANGE), 2)  # ENOENT
        self.assertEqual(renameat2(f, self.path("d"), RENAME_EXCHANGE | RENAME_NOREPLACE), 22)
        # A directory removed while the kernel still knows it (an open fd, which
        # for a directory holds no libsfs handle) is not freed under it, and its
        # inode number is not reused meanwhile.
        os.mkdir(self.path("rm"))
        dfd = os.open(self.path("rm"), os.O_RDONLY)
        os.rmdir(self.path("rm"))
        with open(self.path("new"), "w") as fh:
            fh.write("new")
        st = os.fstat(dfd)
        self.assertTrue(stat.S_ISDIR(st.st_mode))
        self.assertNotEqual(st.st_ino, os.lstat(self.path("new")).st_ino)
        os.close(dfd)
        os.unlink(self.path("new"))
        # A file unlinked while open stays readable until closed.
        with open(self.path("gone"), "w+b") as fh:
            fh.write(b"still here")
            fh.flush()
            os.unlink(self.path("gone"))
            fh.seek(0)
            self.assertEqual(fh.read(), b"still here")
        self.umount()
        self.fsck_clean()

        os.chmod(self.tmp, 0o755)
        self.mount("allow_other")  # root may; the user below needs it
        st = os.lstat(f)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o4751)
        self.assertEqual((st.st_uid, st.st_gid, st.st_nlink), (1234, 5678, 2))
        self.assertEqual(st.st_atime_ns, 1_500_000_000_123_456_789)
        self.assertEqual(st.st_mtime_ns, 1_600_000_000_987_654_321)
        self.assertTrue(stat.S_ISFIFO(os.lstat(self.path("fifo")).st_mode))
        c = os.lstat(self.path("chr"))
        self.assertTrue(stat.S_ISCHR(c.st_mode))
        self.assertEqual(c.st_rdev, os.makedev(4, 64))
        self.assertEqual(os.lstat(self.path("blk")).st_rdev, os.makedev(8, 1))
        self.assertEqual(os.readlink(self.path("ln2")), "f")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("d")).st_mode), 0o750)
        self.assertFalse(os.path.exists(self.path("gone")))
        names = sorted(os.listdir(self.mnt))
        self.assertEqual(names, ["blk", "chr", "d", "f", "f2", "fifo", "ln2"])
        # Another user's new files are theirs, and default_permissions applies.
        os.chmod(self.path("d"), 0o777)
        r = run("setpriv", "--reuid=4321", "--regid=4321", "--clear-groups", "sh", "-c",
                f"echo x > {self.path('d', 'mine')} && cat {f}")
        self.assertEqual(r.returncode, 1, r.stderr)  # created, then f (0751, other --x) refused
        self.assertIn(b"Permission denied", r.stderr)
        st = os.lstat(self.path("d", "mine"))
        self.assertEqual((st.st_uid, st.st_gid), (4321, 4321))
        sv = os.statvfs(self.mnt)
        self.assertEqual(sv.f_bsize, 4096)
        self.assertGreater(sv.f_bfree, 0)
        self.umount()
        self.fsck_clean()

    def kill_daemon(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate()
        self.proc = None
        run("fusermount3", "-u", "-z", self.mnt)

    def test_sigkill_during_writes(self):
        """SIGKILL: fsynced data is intact, and the journal recovers mid-write."""
        self.mkfs()
        # Only fsync commits here (no periodic commit): what fsync promises.
        self.mount("commit=0")
        synced = {}
        for i in range(20):
            data = os.urandom(50_000 + 1000 * i)
            p = self.path(f"synced{i}")
            with open(p, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            synced[p] = data
        with open(self.path("synced0"), "r+b") as fh:  # unsynced: may go either way
            fh.write(b"x" * 1000)
        self.kill_daemon()
        self.mount()
        for p, data in synced.items():
            with open(p, "rb") as fh:
                got = fh.read()
            if p.endswith("synced0"):  # the unsynced overwrite, whole or not at all
                self.assertIn(got, (data, b"x" * 1000 + data[1000:]))
            else:
                self.assertEqual(got, data, p)
        # A shell loop creating, writing and removing files, killed mid-write.
        writer = subprocess.Popen(
            ["sh", "-c", f"i=0; while :; do i=$((i+1)); mkdir -p {self.mnt}/w$((i%7)); "
             f"head -c $((i*3000%200000)) /dev/urandom > {self.mnt}/w$((i%7))/f$i; "
             f"rm -f {self.mnt}/w$(((i+3)%7))/f$((i-5)); done"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2.0)
        self.kill_daemon()
        writer.kill()
        writer.wait()
        r = run(FSCK, "-n", self.img)  # a journal awaiting replay, nothing else
        self.assertIn(r.returncode, (0, 4), r.stdout.decode() + r.stderr.decode())
        self.mount()
        for p, data in synced.items():
            if not p.endswith("synced0"):
                with open(p, "rb") as fh:
                    self.assertEqual(fh.read(), data, p)
        err = self.umount()
        self.assertIn("journal recovered", err)
        self.fsck_clean()

    def test_sigterm_unmounts_cleanly(self):
        self.mkfs("32M")
        self.mount()
        with open(self.path("f"), "w") as fh:
            fh.write("kept")
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=60)
        self.assertEqual(self.proc.returncode, 0, err.decode())
        self.proc = None
        self.assertFalse(os.path.ismount(self.mnt))
        self.fsck_clean()
        self.mount("ro")
        with open(self.path("f")) as fh:
            self.assertEqual(fh.read(), "kept")
        self.assertNotIn("recovered", self.umount())

    def test_io_error_is_eio(self):
        """Writes past a file-size limit on the daemon fail in the image backend:
        the caller gets EIO, the daemon lives on, and the image keeps its last
        committed state."""
        import resource

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (12 << 20, 12 << 20))

        self.mkfs("64M")
        self.mount()
        with open(self.path("before"), "wb") as fh:
            fh.write(b"committed")
        self.umount()
        self.mount(preexec_fn=limit)
        with self.assertRaises(OSError) as cm:
            with open(self.path("big"), "wb") as fh:
                for _ in range(48):
                    fh.write(os.urandom(1 << 20))
                os.fsync(fh.fileno())
        self.assertEqual(cm.exception.errno, 5, cm.exception)  # EIO
        self.assertIsNone(self.proc.poll(), "sfs-fuse died on an I/O error")
        try:  # still answering: with the journal aborted, maybe with EIO
            os.listdir(self.mnt)
        except OSError as e:
            self.assertEqual(e.errno, 5)
        run("fusermount3", "-u", self.mnt)
        _, err = self.proc.communicate(timeout=60)
        self.proc = None
        self.assertIn("reported as EIO", err.decode())
        self.mount()
        with open(self.path("before"), "rb") as fh:
            self.assertEqual(fh.read(), b"committed")
        self.umount()
        self.fsck_clean()

    def test_read_only(self):
        self.mkfs("32M")
        self.mount()
        with open(self.path("f"), "w") as fh:
            fh.write("x")
        self.umount()
        with open(self.img, "rb") as fh:
            before = fh.read()
        self.mount("ro")
        with self.assertRaises(OSError) as cm:
            open(self.path("g"), "w")
        self.assertEqual(cm.exception.errno, 30)  # EROFS
        with open(self.path("f")) as fh:
            self.assertEqual(fh.read(), "x")
        self.umount()
        with open(self.img, "rb") as fh:
            self.assertEqual(fh.read(), before, "a read-only mount changed the image")

    def refused(self, why):
        r = run(SFS_FUSE, self.img, self.mnt, "-f", timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(why, r.stderr.decode())
        self.assertFalse(os.path.ismount(self.mnt))

    def test_bad_images_refused(self):
        with open(self.img, "wb") as fh:
            fh.write(os.urandom(1 << 20))
        self.refused("not an SFS image")
        self.mkfs("32M")
        with open(self.img, "r+b") as fh:  # the superblock's block count
            fh.seek(12)
            fh.write(b"\xff\xff\xff\x7f")
        self.refused("corrupt")
        os.unlink(self.img)
        self.refused("No such file")
        self.mkfs("32M")
        self.mount()
        second = run(SFS_FUSE, self.img, self.tmp, "-f", timeout=30)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("is mounted on", second.stderr.decode())
        # Past the mount-table check, the image's lock still refuses it.
        env = dict(os.environ, SFS_MOUNTS="/dev/null")
        second = run(SFS_FUSE, self.img, self.tmp, "-f", timeout=30, env=env)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("in use by another program", second.stderr.decode())
        self.umount()
        self.fsck_clean()

    def test_tree_made_by_the_kernel(self):
        """Files made by Kestrel's own shell on its SFS disk, read through FUSE."""
        self.assertTrue(os.path.exists(test_shell.KERNEL), "kernel.elf not built")
        seed = os.path.join(self.tmp, "seed")
        os.makedirs(os.path.join(seed, "seed"))
        big = os.urandom(700_000)
        with open(os.path.join(seed, "seed", "big"), "wb") as fh:
            fh.write(big)
        r = run(MKFS, self.img, "--size", "32M", "--root", seed)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        os.makedirs(test_shell.WORK, exist_ok=True)
        sh = test_shell.Shell(self.img)
        try:
            for line in ("mkdir -p /k/a/b", "write /k/a/f hello from kestrel",
                         "echo second > /k/a/b/g", "echo more >> /k/a/b/g",
                         "ln /k/a/f /k/a/hard", "ln -s f /k/a/soft", "cp /seed/big /k/big2",
                         "mkdir /k/gone", "rmdir /k/gone", "touch /k/empty", "mv /k/empty /k/a/e"):
                self.assertEqual(sh.run(line, timeout=120), "", line)
            self.assertEqual(sh.shutdown(), test_shell.qemu.EXIT_SUCCESS)
        finally:
            sh.close()
        self.fsck_clean()
        self.mount("ro")
        k = self.path("k")
        self.assertEqual(sorted(os.listdir(k)), ["a", "big2"])
        self.assertEqual(sorted(os.listdir(os.path.join(k, "a"))),
                         ["b", "e", "f", "hard", "soft"])
        with open(os.path.join(k, "a", "f"), "rb") as fh:
            self.assertEqual(fh.read(), b"hello from kestrel\n")
        with open(os.path.join(k, "a", "b", "g"), "rb") as fh:
            self.assertEqual(fh.read(), b"second\nmore\n")
        self.assertEqual(os.lstat(os.path.join(k, "a", "hard")).st_nlink, 2)
        self.assertEqual(os.lstat(os.path.join(k, "a", "f")).st_ino,
                         os.lstat(os.path.join(k, "a", "hard")).st_ino)
        self.assertEqual(os.readlink(os.path.join(k, "a", "soft")), "f")
        self.assertEqual(os.path.getsize(os.path.join(k, "a", "e")), 0)
        with open(os.path.join(k, "big2"), "rb") as fh:
            self.assertEqual(fh.read(), big)
        self.umount()
        self.fsck_clean()


if __name__ == "__main__":
    unittest.main()
