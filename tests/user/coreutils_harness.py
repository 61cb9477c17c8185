"""The harness the core-utility tests share (test_coreutils_*.py): where the
binaries are, and UtilTest, which runs one in a fresh temporary directory and
compares it with the host's own tool where they agree."""
import os
import pty
import shutil
import subprocess
import tempfile
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
USERBIN = os.environ.get("USERBIN") or os.path.join(ROOT, "build", "user", "bin")
ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
ENOENT = "No such file or directory"


class Result:
    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, err

    def __repr__(self):
        return "status %d, stdout %r, stderr %r" % (self.status, self.out, self.err)


class UtilTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="coreutils-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode=None):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read().decode()

    def _run(self, argv, stdin=None, env=None):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        r = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=self.dir, env=env or ENV, timeout=30)
        return Result(r.returncode, r.stdout.decode(errors="replace"),
                      r.stderr.decode(errors="replace"))

    def run_util(self, prog, *args, stdin=None, env=None):
        """Our build/user/bin/PROG."""
        exe = os.path.join(USERBIN, prog)
        self.assertTrue(os.access(exe, os.X_OK), "%s is not built (make userbin)" % exe)
        return self._run([exe] + list(args), stdin, env)

    def run_host(self, prog, *args, stdin=None):
        return self._run([prog] + list(args), stdin)

    def ok(self, prog, *args, stdin=None, out=None):
        """Run PROG; it must succeed silently on stderr (and print OUT)."""
        r = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual((r.status, r.err), (0, ""), r)
        if out is not None:
            self.assertEqual(r.out, out)
        return r.out

    def fails(self, prog, *args, status=1, err=None, stdin=None):
        """Run PROG; it must fail with STATUS and say ERR (a line, or a list)."""
        r = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual(r.status, status, r)
        if err is not None:
            for line in [err] if isinstance(err, str) else err:
                self.assertIn(line + "\n", r.err)
        return r

    def usage(self, prog, *args):
        r = self.fails(prog, *args, status=2)
        self.assertIn("usage: %s " % prog, r.err)

    def same(self, prog, *args, stdin=None, status=0):
        """Ours and the host's PROG print the same and end the same way."""
        ours = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual(ours.status, status, ours)
        if shutil.which(prog):
            theirs = self.run_host(prog, *args, stdin=stdin)
            self.assertEqual((ours.out, ours.status), (theirs.out, theirs.status),
                             "%s %s: ours %r, host %r" % (prog, " ".join(args), ours, theirs))
        return ours.out
