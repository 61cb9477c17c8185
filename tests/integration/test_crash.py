"""A crash during `make run`: QEMU is killed (SIGKILL) while the shell is
writing files to the SFS disk, then the system boots again on the same image.

The guarantee under test (docs/sfs-format.md, "Crash guarantee"): the volume
mounts, the host's `fsck.sfs -n` finds nothing wrong after that boot,
everything synced before the crash is intact, and what was being written is
either there or not (every file left by the interrupted writes holds a prefix
of what was being written: never garbage or another file's bytes).

Boots build/os.iso, the image `make run` boots, on a 64 MiB disk as `make run`
makes one. Timing is loose on purpose (TCG on a loaded machine): a first line
of writes, syncs and removals runs whole to time it; the kill comes at a
random moment (CRASH_SEED) within that time into a later line, and a line
that finished before the kill is followed by another one, with a shorter
wait. CRASH_JOURNAL=0 formats the disk without a journal: then the
test fails (fsck finds a broken volume), as it should.
"""
import os
import random
import subprocess
import sys
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

qemu = ts.qemu
ISO = os.path.join(ts.ROOT, "build", "os.iso")
BLOB_SIZE = 3 << 20
SYNCED = 12


def words(tag, n):
    return " ".join("%s-%03d" % (tag, i) for i in range(n))


def host_fsck(img):
    r = subprocess.run([os.path.join(ts.BIN, "fsck.sfs"), "-n", img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return r.returncode, r.stdout.decode(errors="replace")


def host_get(img, path):
    r = subprocess.run([os.path.join(ts.BIN, "sfs"), img, "get", path, "-"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.stdout if r.returncode == 0 else None


def host_ls(img, path):
    return ts.sfs_tool(img, "ls", path).split()


class Booted(ts.Shell):
    """ts.Shell on build/os.iso, as `make run` boots it."""

    def __init__(self, disk):
        self.s = qemu.Session(qemu.base_args(qemu.accel(ts.KERNEL), ISO, disk=disk), timeout=90)
        self.boot_log = self.s.expect(ts.PROMPT, timeout=180)
        self.marks = 0

    def mark(self, what):
        """A command printing a marker that its echo does not contain (the
        editor redraws a line wider than the terminal, prompt and all, so
        neither the prompt nor the typed text can tell where output starts)."""
        self.marks += 1
        return 'echo %s-"mark"-%d' % (what, self.marks), "%s-mark-%d\n" % (what, self.marks)

    def send_marked(self, line):
        """Type @line framed by markers; return the end marker."""
        start_cmd, start = self.mark("start")
        end_cmd, end = self.mark("end")
        self.s.send("%s; %s; %s\r" % (start_cmd, line, end_cmd))
        return start, end

    def run_long(self, line, timeout=120):
        """Run a line of any width; return its output."""
        start, end = self.send_marked(line)
        self.s.expect(start, timeout=timeout)
        out = self.s.expect(end, timeout=timeout)
        self.s.expect(ts.PROMPT, timeout=timeout)
        return out

    def quiet(self, line):
        """Run @line, which must print nothing; else fail with the kernel's
        recent log and memory figures beside its output."""
        out = self.run_long(line)
        if out:
            why = self.run_long("dmesg | tail -n 8; cat /proc/meminfo | head -n 3")
            raise AssertionError("%r printed %r\nkernel log and memory:\n%s" % (line, out, why))


class CrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        if not os.path.exists(ISO):
            raise unittest.SkipTest("no %s (make builds it)" % ISO)

    def test_kill_qemu_while_writing_then_boot_clean(self):
        rng = random.Random(int(os.environ.get("CRASH_SEED", time.time())))
        img = os.path.join(ts.WORK, "crash.img")
        if os.path.exists(img):
            os.unlink(img)
        # CRASH_JOURNAL=0 formats without a journal, to see this test fail.
        subprocess.run([os.path.join(ts.BIN, "mkfs.sfs"), img, "--size", "64M", "--journal",
                        os.environ.get("CRASH_JOURNAL", "1024")], check=True,
                       stdout=subprocess.DEVNULL)
        blob = bytes(rng.getrandbits(8) for _ in range(4096)) * (BLOB_SIZE // 4096)
        src = os.path.join(ts.WORK, "crash-blob")
        with open(src, "wb") as f:
            f.write(blob)
        ts.sfs_tool(img, "mkdir", "/src")
        ts.sfs_tool(img, "put", src, "/src/blob")

        # First boot: synced files, then lines of writes until a kill lands
        # in the middle of one.
        sh = Booted(img)
        killed_mid_line = False
        try:
            sh.run("mkdir /w /u")
            synced = {}
            for i in range(SYNCED):
                text = words("synced%d" % i, 20 + i)
                sh.quiet("write /w/s%d %s" % (i, text))
                synced["/w/s%d" % i] = (text + "\n").encode()
            sh.quiet("cp /src/blob /w/copy")
            synced["/w/copy"] = blob
            self.assertEqual(sh.run("sync"), "")
            pending = {}  # path -> the bytes it would hold once written
            # Line 0 runs whole and times a line; each later one is killed at
            # a random moment within that time (a shorter one after a line
            # that finished first).
            longest = None
            for attempt in range(7):
                cmds = []
                for k in range(4):
                    n = attempt * 4 + k
                    text = words("u%d" % n, 6)
                    cmds.append("write /u/f%d %s" % (n, text))
                    pending["/u/f%d" % n] = (text + "\n").encode()
                    cmds.append("cp /src/blob /u/c%d" % n)
                    pending["/u/c%d" % n] = blob
                    if k % 2:
                        cmds.append("rm /u/c%d" % n)  # frees blocks within the same run
                    else:
                        cmds.append("sync")  # commits while the line runs, too
                start, end = sh.send_marked("; ".join(cmds))
                sh.s.expect(start, timeout=120)  # the line is running
                began = time.monotonic()
                if longest is None:
                    sh.s.expect(end, timeout=300)
                    longest = line_time = time.monotonic() - began
                    sh.s.expect(ts.PROMPT, timeout=60)
                    continue
                waited = rng.uniform(0.0, longest)
                time.sleep(waited)
                if end not in sh.s.buf[sh.s.pos:]:
                    killed_mid_line = True
                    break
                sh.s.expect(end, timeout=300)  # finished first: go on, sooner
                longest /= 3
                sh.s.expect(ts.PROMPT, timeout=60)
        finally:
            sh.close()  # SIGKILL: no sync, no unmount
        self.assertTrue(killed_mid_line, "every line of writes finished before the kill")
        sys.stderr.write("\ncrash: QEMU killed in line %d of writes, %.2f s after it began "
                         "(a whole line took %.2f s)\n" % (attempt, waited, line_time))

        # Second boot: the volume is clean, the synced files are intact.
        sh = Booted(img)
        try:
            self.assertIn("fs: / is SFS on vda", sh.boot_log)
            # fsck refuses a mounted volume: the host checks it after this boot
            self.assertIn("/dev/vda is mounted", sh.run("fsck -n /dev/vda"))
            self.assertEqual(sh.run("cat /w/s3"), synced["/w/s3"].decode())
            crc = "%08x" % zlib.crc32(blob)
            self.assertEqual(sh.run("crc32 /w/copy"), "%s  /w/copy\n" % crc)
            status = sh.shutdown()
        finally:
            sh.close()
        self.assertEqual(status, qemu.EXIT_SUCCESS)

        code, out = host_fsck(img)
        self.assertEqual(code, 0, out)
        for path, data in synced.items():
            self.assertEqual(host_get(img, path), data, path)
        # What the killed line was writing: there in part or whole, or absent.
        left = host_ls(img, "/u")
        sys.stderr.write("crash: after the crash /u holds: %s\n" % " ".join(
            "%s(%d)" % (n, len(host_get(img, "/u/" + n) or b"")) for n in sorted(left)))
        for name in left:
            path = "/u/" + name
            self.assertIn(path, pending, "a file nobody wrote: %s" % path)
            got = host_get(img, path)
            self.assertIsNotNone(got, path)
            self.assertEqual(got, pending[path][:len(got)],
                             "%s holds %d bytes that are not a prefix of its data"
                             % (path, len(got)))


if __name__ == "__main__":
    unittest.main()
