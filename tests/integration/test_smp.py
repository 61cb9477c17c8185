"""Application processors: booted with -smp 4, every CPU comes online (the boot
log says so, /proc/cpuinfo lists four with distinct APIC ids) and the shell
works; with -smp 1 there is one, and the system is the same.

test_smp_sched.py checks that the APs run processes; this one that bringing
them up disturbs nothing.
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")
PROMPT = "/ $ "


class Smp(unittest.TestCase):
    def boot_and_count(self, cpus):
        acc = qemu.accel(KERNEL)
        iso = qemu.make_iso(KERNEL, "", os.path.join(qemu.BUILD, "smp.iso"))
        with qemu.Session(qemu.base_args(acc, iso, smp=cpus)) as s:
            log = s.expect(PROMPT, timeout=120)
            if cpus > 1:
                self.assertIn("smp: %d CPUs online" % cpus, log)
            else:
                self.assertNotIn("CPUs online", log)
            s.send("cat /proc/cpuinfo\r")
            out = s.expect(PROMPT, timeout=60)
            s.send("echo still-here\r")
            s.expect("still-here\n", timeout=60)
            s.expect(PROMPT, timeout=60)
        procs = re.findall(r"^processor\s*: (\d+)", out, re.M)
        apics = re.findall(r"^apicid\s*: (\d+)", out, re.M)
        self.assertEqual(procs, [str(i) for i in range(cpus)], out)
        self.assertEqual(len(set(apics)), cpus, out)
        self.assertIn("siblings\t: %d" % cpus, out)

    def test_four_cpus_online(self):
        self.boot_and_count(4)

    def test_one_cpu(self):
        self.boot_and_count(1)


if __name__ == "__main__":
    unittest.main()
