"""Processes on several CPUs: booted with -smp 4, busy processes spread over
the CPUs (ps -f's PSR column, from /proc/PID/stat), a parallel workload of
forked processes finishes with every worker's result right, the shell stays
usable after killing them, and a burst of fork/exec/wait comes out right.

Kernel code runs under the big kernel lock (docs/architecture.md, "Threads
on every CPU, under a big kernel lock"), so what this checks is that user
code runs on the application processors and nothing is lost between CPUs.
"""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "kernel.elf")
CRCBENCH = os.path.join(BUILD, "user", "bench", "crcbench")
WORK = os.path.join(BUILD, "test-shell")
PROMPT = "/ $ "


class SmpScheduling(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for p in (KERNEL, CRCBENCH):
            if not os.path.exists(p):
                raise unittest.SkipTest("no %s (make builds it)" % p)
        os.makedirs(WORK, exist_ok=True)
        cls.img = os.path.join(WORK, "smp-sched.img")
        if os.path.exists(cls.img):
            os.unlink(cls.img)
        tools = os.path.join(BUILD, "bin")
        for args in ([os.path.join(tools, "mkfs.sfs"), cls.img, "--size", "16M"],
                     [os.path.join(tools, "sfs"), cls.img, "mkdir", "/opt"],
                     [os.path.join(tools, "sfs"), cls.img, "put", CRCBENCH, "/opt/crcbench"]):
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    def run_cmd(self, s, cmd, timeout=120):
        s.send(cmd + "\r")
        s.expect("\n", timeout=timeout)  # the echo
        return s.expect(PROMPT, timeout=timeout)

    def test_processes_spread_and_finish(self):
        acc = qemu.accel(KERNEL)
        iso = qemu.make_iso(KERNEL, "", os.path.join(qemu.BUILD, "smp.iso"))
        with qemu.Session(qemu.base_args(acc, iso, disk=self.img, smp=4), timeout=300) as s:
            s.expect(PROMPT, timeout=180)
            self.run_cmd(s, "yes > /dev/null & a=$!; yes > /dev/null & b=$!; "
                            "yes > /dev/null & c=$!")
            # Where each ran last, sampled until two CPUs show up (a second
            # apart: idle CPUs steal at their ticks).
            seen = set()
            for _ in range(10):
                self.run_cmd(s, "sleep 1")
                ps = self.run_cmd(s, "ps -f")
                rows = [r.split() for r in ps.splitlines() if r.endswith(" yes")]
                self.assertEqual(len(rows), 3, ps)
                seen |= {r[3] for r in rows}
                if len(seen) >= 2:
                    break
            self.assertGreaterEqual(len(seen), 2, ps)
            out = self.run_cmd(s, "kill $a $b $c; wait; echo killed")
            self.assertIn("killed", out)
            self.assertNotIn(" yes", self.run_cmd(s, "ps -f"))
            out = self.run_cmd(s, "/opt/crcbench -p 4 -m 2", timeout=300)
            self.assertRegex(out, r"crcbench crc_p4 [\d.]+ procs=4 mib=2 secs=", out)
            self.assertNotIn("error", out)
            out = self.run_cmd(s, "i=0; while [ $i -lt 40 ]; do /bin/true || echo bad; "
                                  "i=$((i+1)); done; echo loops $i", timeout=300)
            self.assertIn("loops 40", out)
            self.assertNotIn("bad", out)
            self.assertIn("still-here", self.run_cmd(s, "echo still-here"))


if __name__ == "__main__":
    unittest.main()
