"""The *at system calls with real directory descriptors, end to end: the musl
program user/tests/attest.c, put on the SFS disk with the host's `sfs put`
and typed by path in the shell, runs every call (openat, mkdirat, newfstatat
with AT_EMPTY_PATH, unlinkat, readlinkat, renameat, renameat2, linkat,
symlinkat, faccessat, faccessat2, fchdir and getcwd after it) once on the SFS
root and once on the ramfs mounted at /tmp. Running it again leaks nothing
(the calls use temporary VFS contexts from the kernel heap).
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402
from test_proc import USER, kernel_state  # noqa: E402


class AtTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "at.img"))
        ts.sfs_tool(cls.img, "mkdir", "/t")
        ts.sfs_tool(cls.img, "put", os.path.join(USER, "attest"), "/t/attest")
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def test_at_calls_with_directory_descriptors_on_sfs_and_ramfs(self):
        runs = [("/", "sfs"), ("/tmp", "ramfs")]
        for base, fs in runs:
            with self.subTest(fs=fs):
                out = self.sh.run("/t/attest " + base)
                self.assertNotIn("FAILED", out)
                self.assertNotIn("RENAME_EXCHANGE exchanged", out)  # Kestrel: -EINVAL
                self.assertIn("renameat2 RENAME_EXCHANGE is EINVAL", out)
                self.assertIn("attest: 48 checks, all passed", out)
                # fchdir into a directory renamed after it was opened
                prefix = "/tmp/" if base == "/tmp" else "/"
                self.assertRegex(out, r"attest: cwd %sattest\.\d+/moved\n" % re.escape(prefix))
        self.assertNotIn("attest.", self.sh.run("ls /") + self.sh.run("ls /tmp"))
        self.assertIn("/", self.sh.run("pwd"))  # the shell's own directory is untouched
        # leaks: a warm-up run above; two more rounds leave the kernel as it was
        before = kernel_state(self.sh)
        for _ in range(2):
            for base, _fs in runs:
                self.assertIn("all passed", self.sh.run("/t/attest " + base))
        self.assertEqual(kernel_state(self.sh), before)


if __name__ == "__main__":
    unittest.main()
