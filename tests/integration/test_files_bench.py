"""The Kestrel side of tests/bench/files_vs_linux.py in its quick mode (an
8 MiB file): the guest script (tests/bench/linux/files.sh) runs under
Kestrel's /bin/sh with the same kbox dd as on Linux, through the unmount and
mount that make the cache cold, four readers at once and the /proc/stat lines
around each step. The script fails loudly (non-zero exit) if any step fails,
moves the wrong number of bytes, or reports nothing.
"""
import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class FilesBench(unittest.TestCase):
    def test_quick_mode_runs_every_step(self):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bench", "files_vs_linux.py"),
                            "--kestrel-only", "--mib", "8", "--runs", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        out = r.stdout.decode(errors="replace")
        self.assertEqual(r.returncode, 0, out)
        for row in ("write, 1 MiB blocks, MiB/s", "conv=fsync, MiB/s", "read, cold cache",
                    "4 readers at once", "busy CPU ms per MiB"):
            self.assertIn(row, out)
        # Every step moved data (a rate) and the CPU counters moved.
        rates = re.findall(r"^\| [^|]*, MiB/s \| ([\d.]+) \|", out, re.M)
        self.assertEqual(len(rates), 4, out)
        self.assertTrue(all(float(x) > 0 for x in rates), out)
        self.assertRegex(out, r"Kestrel read: .*CPU idle \d+%")


if __name__ == "__main__":
    unittest.main()
