"""The system utilities of user/bin/ on Kestrel itself, from the initrd's
/bin and /sbin, typed by path in the shell: the same static musl binaries
that tests/user/ checks on the Linux host.

Those that need only what Kestrel has today (uname, date, write, dd on files
and on /dev/vda with O_DIRECT, du, tree, which, kill, clear, fsck) are
checked exactly, and must not hit a missing system call. Those that read
/proc or use system calls still being added (df, free, uptime, ps, lspci,
dmesg, mount, sync) must either work or fail cleanly, saying which file or
call is missing: never crash.

KESTREL_BUILD=DIR runs it against another build directory than build/.
"""
import os
import re
import sys
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

BUILD = os.path.join(ts.ROOT, os.environ.get("KESTREL_BUILD", "build"))
LACKS = re.compile(r"used system call (\d+), which Kestrel lacks")


class SysutilsOnKestrel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if BUILD != os.path.join(ts.ROOT, "build"):
            ts.KERNEL = os.path.join(BUILD, "kernel.elf")
            ts.BIN = os.path.join(BUILD, "bin")
            ts.WORK = os.path.join(BUILD, "test-shell")
        if not os.path.exists(os.path.join(BUILD, "initrd.cpio")):
            raise unittest.SkipTest("no initrd.cpio (make builds it)")
        os.makedirs(ts.WORK, exist_ok=True)
        cls.sh = ts.Shell(ts.mkfs(os.path.join(ts.WORK, "sysutils.img")))

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def run_ok(self, line, timeout=60):
        out = self.sh.run(line, timeout=timeout)
        self.assertIsNone(LACKS.search(out), "%s: %s" % (line, out))
        self.assertNotRegex(out, r": exit status \d+\n", out)
        return out

    def test_uname_date_write(self):
        out = self.run_ok("/bin/uname -a")
        fields = out.split()
        self.assertEqual(fields[0], "Kestrel")
        self.assertEqual(fields[-1], "x86_64")
        self.assertEqual(self.run_ok("/bin/uname -s -m"), "Kestrel x86_64\n")
        secs = int(self.run_ok("/bin/date +%s"))
        self.assertLess(abs(secs - time.time()), 300)  # the RTC is the host's clock
        self.assertEqual(self.run_ok("/bin/date -u -d @0"), "Thu Jan  1 00:00:00 UTC 1970\n")
        self.assertEqual(self.run_ok("/bin/write /w hello kestrel"), "")
        self.assertEqual(self.run_ok("/bin/cat /w"), "hello kestrel\n")

    def test_dd_files_and_the_disk(self):
        out = self.run_ok("/bin/dd if=/dev/zero of=/z bs=64k count=16")
        self.assertTrue(out.startswith("16+0 records in\n16+0 records out\n"
                                       "1048576 bytes (1.0 MB, 1.0 MiB) copied, "), out)
        out = self.run_ok("/bin/dd if=/z of=/z2 bs=4k oflag=direct conv=fsync")
        self.assertTrue(out.startswith("256+0 records in\n256+0 records out\n"), out)
        out = self.run_ok("/bin/dd if=/z of=/z3 ibs=1000 obs=3000 count=10")
        self.assertTrue(out.startswith("10+0 records in\n3+1 records out\n"), out)
        crc = zlib.crc32(bytes(1 << 20))
        self.assertEqual(self.run_ok("/bin/crc32 /z /z2"), "%08x  /z\n%08x  /z2\n" % (crc, crc))
        out = self.run_ok("/bin/dd if=/dev/vda of=/dev/null bs=1M count=4 iflag=direct")
        self.assertRegex(out, r"^4\+0 records in\n4\+0 records out\n4194304 bytes "
                              r"\(4\.2 MB, 4\.0 MiB\) copied, [\d.e-]+ s, [\d.]+ [kMG]?B/s\n$")

    def test_walks_and_names(self):
        self.assertEqual(self.run_ok("/bin/mkdir -p /t/a/b; /bin/write /t/a/f x"), "")
        self.assertEqual(self.run_ok("/bin/tree /t"),
                         "/t\n`-- a\n    |-- b\n    `-- f\n\n2 directories, 1 file\n")
        self.assertRegex(self.run_ok("/bin/du -a /t"), r"\d+\t/t/a/b\n\d+\t/t/a/f\n\d+\t/t/a\n"
                                                      r"\d+\t/t\n$")
        self.assertEqual(self.run_ok("/bin/which ls mount"), "/bin/ls\n/sbin/mount\n")
        self.assertIn("HUP INT QUIT", self.run_ok("/bin/kill -l"))
        self.assertEqual(self.run_ok("/bin/kill -l 9"), "KILL\n")
        self.run_ok("/bin/clear")  # its bytes are checked on the host; the harness drops escapes

    def test_fsck_the_disk(self):
        # read-only: clean, or refused if /proc/mounts shows it mounted
        out = self.sh.run("/sbin/fsck /dev/vda")
        self.assertIsNone(LACKS.search(out), out)
        self.assertTrue(re.search(r"/dev/vda: clean, \d+/\d+ blocks used", out) or
                        "/dev/vda is mounted on /; unmount it first" in out, out)

    def test_proc_readers_work_or_say_why(self):
        for line in ["/bin/df /", "/bin/free", "/bin/uptime", "/bin/ps -e", "/bin/lspci",
                     "/bin/dmesg", "/sbin/mount", "/bin/sync"]:
            with self.subTest(line=line):
                out = self.sh.run(line)
                prog = line.split()[0].rsplit("/", 1)[1]
                if re.search(r": exit status \d+\n", out) or LACKS.search(out):
                    self.assertRegex(out, r"(%s: /proc/\S+: No such file or directory|"
                                          r"%s: \S+: Function not implemented|"
                                          r"used system call \d+, which Kestrel lacks)"
                                     % (prog, prog), out)
                self.assertNotIn("Segmentation", out)
                self.assertNotIn("killed", out)


if __name__ == "__main__":
    unittest.main()
