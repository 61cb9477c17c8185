"""dd of user/bin/, run on the Linux host against coreutils' dd: the bytes
copied (by checksum), the "N+M records in/out" counts and the layout of the
transfer line, for the block sizes, counts, offsets, conversions and flags
the storage benchmarks use. Timing and rate vary, so the transfer line is
compared by shape.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403

XFER = re.compile(r"^(\d+) bytes? (\(\d+(\.\d)? [kMGT]?B(, \d+(\.\d)? [KMGT]iB)?\) )?copied, "
                  r"[\d.e+-]+ s, ([\d.]+ [kMGT]?B|Infinity B)/s$")


class Dd(UtilTest):
    def setUp(self):
        super().setUp()
        self.data = os.urandom(100000)
        self.write("in", self.data)

    def stats(self, err):
        lines = err.splitlines()
        return lines[:2], lines[2:]

    def compare(self, *args, stdin=None, out_file="out"):
        """Run ours and the host's dd with ARGS; the same bytes and counts."""
        ours = self.run_util("dd", *args, stdin=stdin)
        got = self.read_bytes(out_file) if out_file else ours.out
        if shutil.which("dd"):
            if out_file:
                os.rename(self.path(out_file), self.path(out_file + ".ours"))
            host = self.run_host("dd", *args, stdin=stdin)
            self.assertEqual(ours.status, host.status, (ours, host))
            self.assertEqual(self.stats(ours.err)[0], self.stats(host.err)[0], (ours, host))
            if out_file:
                self.assertEqual(zlib.crc32(got), zlib.crc32(self.read_bytes(out_file)))
            else:
                self.assertEqual(ours.out, host.out)
        return ours, got

    def read_bytes(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def test_round_trips(self):
        for args in [[], ["bs=4k"], ["bs=1M"], ["ibs=1000", "obs=3000"], ["ibs=7", "obs=4096"],
                     ["bs=512", "count=3"], ["bs=1k", "skip=10"], ["bs=1k", "count=5", "skip=90"],
                     ["bs=4096", "conv=sync"], ["bs=2x1k", "count=2"], ["bs=1b"],
                     ["bs=10kB", "count=3"], ["bs=4k", "conv=fsync"], ["bs=4k", "conv=fdatasync"],
                     ["count=0"], ["bs=300000"]]:
            with self.subTest(args=args):
                r, got = self.compare("if=in", "of=out", *args)
                self.assertEqual(r.status, 0, r)
                lines = r.err.splitlines()
                self.assertEqual(len(lines), 3, r)
                self.assertRegex(lines[2], XFER)
                self.assertEqual(int(lines[2].split()[0]), len(got))
        # the plain copy is exact
        self.run_util("dd", "if=in", "of=copy", "bs=64k")
        self.assertEqual(self.read_bytes("copy"), self.data)

    def test_record_counts(self):
        r = self.run_util("dd", "if=in", "of=out", "bs=4096")
        self.assertEqual(r.err.splitlines()[:2], ["24+1 records in", "24+1 records out"])
        r = self.run_util("dd", "if=in", "of=out", "ibs=1000", "obs=3000")
        self.assertEqual(r.err.splitlines()[:2], ["100+0 records in", "33+1 records out"])
        r = self.run_util("dd", "if=in", "of=out", "bs=4096", "conv=sync")
        self.assertEqual(r.err.splitlines()[:2], ["24+1 records in", "25+0 records out"])
        self.assertEqual(self.read_bytes("out"), self.data + b"\0" * (25 * 4096 - len(self.data)))

    def test_transfer_line(self):
        for bs, count, want in [("1", "1", "1 byte copied"), ("512", "1", "512 bytes copied"),
                                ("1000", "1", "1000 bytes (1.0 kB) copied"),
                                ("1M", "1", "1048576 bytes (1.0 MB, 1.0 MiB) copied"),
                                ("10000", "1", "10000 bytes (10 kB, 9.8 KiB) copied"),
                                ("999999", "1", "999999 bytes (1.0 MB, 977 KiB) copied")]:
            r = self.run_util("dd", "if=/dev/zero", "of=/dev/null", "bs=" + bs, "count=" + count)
            line = r.err.splitlines()[2]
            self.assertTrue(line.startswith(want + ", "), line)
            self.assertRegex(line, XFER)
        r = self.run_util("dd", "if=/dev/zero", "of=/dev/null", "count=0")
        self.assertRegex(r.err.splitlines()[2], r"^0 bytes copied, \S+ s, 0\.0 kB/s$")

    def test_seek_notrunc_and_pipes(self):
        self.write("out", b"x" * 10000)
        self.compare("if=in", "of=out", "bs=1000", "count=2", "seek=3", "conv=notrunc",
                     out_file=None)
        got = self.read_bytes("out")
        self.assertEqual(got, b"x" * 3000 + self.data[:2000] + b"x" * 5000)
        self.run_util("dd", "if=in", "of=out", "bs=1000", "count=2", "seek=3")
        self.assertEqual(self.read_bytes("out"), b"x" * 3000 + self.data[:2000])
        # standard input and output; skip on a pipe reads the blocks
        self.compare("bs=1000", "skip=2", "count=3", stdin=self.data, out_file=None)
        p = subprocess.run([os.path.join(USERBIN, "dd"), "bs=1000", "skip=2", "count=3"],
                           input=self.data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.stdout, self.data[2000:5000])
        # iflag=fullblock collects short pipe reads into whole blocks
        cat = subprocess.Popen(["sh", "-c", "for i in 1 2 3 4; do printf 0123456789; sleep 0.05; "
                                "done"], stdout=subprocess.PIPE)
        p = subprocess.run([os.path.join(USERBIN, "dd"), "bs=20", "iflag=fullblock"],
                           stdin=cat.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        cat.wait()
        cat.stdout.close()
        self.assertEqual(p.stdout, b"0123456789" * 4)
        self.assertEqual(p.stderr.decode().splitlines()[:2], ["2+0 records in", "2+0 records out"])

    def test_direct_io(self):
        # Whether the test directory's file system takes O_DIRECT at all,
        # asked without dd so that dd's own failure cannot skip the test.
        import mmap
        buf = mmap.mmap(-1, 4096)
        try:
            fd = os.open(self.path("probe"), os.O_WRONLY | os.O_CREAT | os.O_DIRECT)
            try:
                os.write(fd, buf)
            finally:
                os.close(fd)
        except OSError as e:
            self.skipTest("no O_DIRECT on the test directory's file system: %s" % e)
        r = self.run_util("dd", "if=in", "of=direct", "bs=4096", "iflag=direct", "oflag=direct")
        self.assertEqual(r.status, 0, r)
        # the last, partial block is written with O_DIRECT turned off
        self.assertEqual(self.read_bytes("direct"), self.data)
        self.assertEqual(r.err.splitlines()[:2], ["24+1 records in", "24+1 records out"])

    def test_status_and_flags(self):
        r = self.run_util("dd", "if=in", "of=out", "status=none")
        self.assertEqual((r.status, r.err), (0, ""))
        r = self.run_util("dd", "if=in", "of=out", "status=noxfer", "bs=50000")
        self.assertEqual(r.err, "2+0 records in\n2+0 records out\n")
        r = self.run_util("dd", "if=in", "of=out", "status=progress", "bs=1k")
        self.assertEqual(r.status, 0)
        self.assertRegex(r.err.splitlines()[-1], XFER)
        self.run_util("dd", "if=in", "of=excl", "conv=excl")
        r = self.run_util("dd", "if=in", "of=excl", "conv=excl")
        self.assertEqual(r.status, 1)
        self.assertIn("dd: excl: File exists\n", r.err)
        r = self.run_util("dd", "if=in", "of=absent", "conv=nocreat")
        self.assertEqual((r.status, r.err), (1, "dd: absent: " + ENOENT + "\n"))

    def test_errors(self):
        r = self.run_util("dd", "if=nope", "of=out")
        self.assertEqual((r.status, r.err), (1, "dd: nope: " + ENOENT + "\n"))
        os.mkdir(self.path("d"))
        r = self.run_util("dd", "if=d", "of=out")
        self.assertEqual(r.status, 1)
        self.assertIn("dd: d: Is a directory\n", r.err)
        self.assertIn("0+0 records in\n", r.err)
        for bad in ["bs=0", "bs=12q", "count=-1", "conv=bogus", "iflag=bogus", "status=loud",
                    "nonsense", "foo=1", "=1", "oflag=fullblock"]:
            with self.subTest(bad=bad):
                r = self.run_util("dd", bad)
                self.assertEqual(r.status, 2, r)
                self.assertIn("usage: dd ", r.err)

    def test_sigint_prints_statistics(self):
        p = subprocess.Popen([os.path.join(USERBIN, "dd"), "if=/dev/zero", "of=/dev/null"],
                             stderr=subprocess.PIPE)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=10)[1].decode()
        self.assertEqual(p.returncode, -signal.SIGINT)
        self.assertRegex(err, r"^\d+\+0 records in\n\d+\+0 records out\n")
        self.assertRegex(err.splitlines()[2], XFER)


if __name__ == "__main__":
    unittest.main()
