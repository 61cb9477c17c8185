"""Modes, owners, times and special files on Kestrel: the system calls through
user/tests/attrtest.c (chmod, chown, utimensat with nanoseconds, mknod, device
nodes, FIFOs between processes, bad pointers and modes), run on /tmp (ramfs)
and on the SFS disk; then chmod, chown and mkfifo typed in /bin/sh on both,
a FIFO between two processes of the shell, and a reboot that finds the SFS
disk's modes, owners and FIFO as they were. attrtest's own expectations are
Linux's: it passes on the Linux host too (as root).
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402
from test_proc import kernel_state  # noqa: E402

USER = os.path.join(ts.ROOT, "build", "user", "tests")
LACKS = re.compile(r"used system call (?!28,)(\d+), which Kestrel lacks")


class AttrOnKestrel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "attr.img"))
        ts.sfs_tool(cls.img, "mkdir", "/t")
        ts.sfs_tool(cls.img, "mkdir", "/data")
        ts.sfs_tool(cls.img, "put", os.path.join(USER, "attrtest"), "/t/attrtest")
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def run_line(self, line, timeout=60):
        out = self.sh.run(line, timeout=timeout)
        self.assertIsNone(LACKS.search(out), "%s: %s" % (line, out))
        return out

    def test_1_system_calls_on_ramfs_and_sfs(self):
        self.run_line("/t/attrtest /tmp", timeout=120)  # warm the caches
        before = kernel_state(self.sh)
        for where in ("/tmp", "/data"):
            out = self.run_line("/t/attrtest %s; echo status $?" % where, timeout=120)
            self.assertRegex(out, r"attrtest: \d+ checks, all passed\nstatus 0\n$", out)
        self.assertEqual(kernel_state(self.sh), before, "attrtest leaked")

    def test_2_utilities_fifo_and_reboot(self):
        for d in ("/tmp", "/data"):
            self.assertEqual(self.run_line("cd %s && mkfifo p && mkfifo -m 600 q" % d), "")
            self.assertEqual(self.run_line("stat -c '%F %a' p q"), "fifo 644\nfifo 600\n")
            self.assertTrue(self.run_line("ls -l p").startswith("prw-r--r-- "))
            # a FIFO between two processes: the reader waits for the writer
            self.assertEqual(self.run_line("cat p & echo hi > p; wait"), "hi\n")
            self.assertEqual(self.run_line("(echo one; echo two) > q & cat q"), "one\ntwo\n")
            self.assertEqual(self.run_line("touch f && chmod 640 f && chmod u+x,g-r f"), "")
            self.assertEqual(self.run_line("chmod -R go+rX f; stat -c %a f"), "755\n")
            self.assertEqual(self.run_line("chown 12:34 f p && stat -c '%u %g' f p"),
                             "12 34\n12 34\n")
            self.assertRegex(self.run_line("ls -l f"), r"^-rwxr-xr-x +1 12 +34 ")
            self.assertEqual(self.run_line("chown root f; stat -c '%U:%g' f"), "root:34\n")
            self.assertEqual(self.run_line("chmod 4755 f; chown 1 f; stat -c %a f"), "755\n")
            out = self.run_line("chmod 9 f; echo $?")
            self.assertEqual(out, "chmod: 9: invalid mode\nusage: chmod [-R] MODE FILE...\n2\n")
            self.assertEqual(self.run_line("chown nobody-x f; echo $?"),
                             "chown: nobody-x: invalid user\n"
                             "usage: chown [-R] [-h] OWNER[:GROUP] FILE...\n2\n")
            self.assertEqual(self.run_line("chmod 600 nope; echo $?"),
                             "chmod: nope: No such file or directory\n1\n")
            self.assertEqual(self.run_line("mkfifo p; echo $?"), "mkfifo: p: File exists\n1\n")
        self.assertEqual(self.run_line("chown 7:8 /data/f && chmod 2750 /data/f"), "")
        self.assertEqual(self.run_line("cd /; sync"), "")
        self.sh.shutdown()
        self.__class__.sh = ts.Shell(self.img)
        self.assertEqual(self.run_line("stat -c '%F %a %u %g' /data/p /data/q /data/f"),
                         "fifo 644 12 34\nfifo 600 0 0\nregular empty file 2750 7 8\n")
        self.assertEqual(self.run_line("cat /data/p & echo again > /data/p; wait"), "again\n")
        self.assertEqual(self.run_line("ls /tmp"), "")  # ramfs starts empty


if __name__ == "__main__":
    unittest.main()
