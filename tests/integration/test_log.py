"""The kernel log: dmesg shows the kernel's messages only, with time, level and
subsystem; loglevel= on the command line quiets the console, not the log."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402


class LogTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "log.img"))

    def test_dmesg_has_kernel_records_and_no_shell_output(self):
        sh = ts.Shell(self.img)
        try:
            sh.run("echo marker-from-the-shell")
            out = sh.run("dmesg")
            self.assertRegex(out, r"\[\s*\d+\.\d{6}\] fs: / is SFS on vda")
            self.assertRegex(out, r"\] rtc: \d{4}-\d\d-\d\d")
            # -r keeps each record's level, as syslog(2) gives it: 6 is info
            self.assertRegex(sh.run("dmesg -r"), r"<6>\[\s*\d+\.\d{6}\] fs: / is SFS on vda")
            self.assertNotIn("marker-from-the-shell", out)
            self.assertNotIn(" $ ", out)  # no prompts, no escape sequences
            self.assertNotIn("\x1b", out)
            self.assertNotIn("fs: / is SFS", sh.run("dmesg -l err"))
            self.assertIn("fs: / is SFS", sh.run("dmesg -l info"))
            self.assertIn("loud", sh.run("dmesg -l loud"))
            self.assertIn("usage: dmesg", sh.run("dmesg -Z"))
            self.assertIn("fs: / is SFS", sh.run("log"))  # the first seed's name for it
        finally:
            sh.close()

    def test_loglevel_quiets_the_console_but_not_the_log(self):
        sh = ts.Shell(self.img, cmdline="loglevel=err")
        try:
            self.assertNotIn("fs: / is SFS on vda", sh.boot_log)
            self.assertIn("fs: / is SFS on vda", sh.run("dmesg"))
        finally:
            sh.close()
        sh = ts.Shell(self.img, cmdline="loglevel=shout")
        try:
            self.assertIn("loglevel=shout is not a level", sh.boot_log)
            self.assertIn("fs: / is SFS on vda", sh.boot_log)
        finally:
            sh.close()

    def test_boot_logs_the_cpus_from_the_madt(self):
        sh = ts.Shell(self.img, smp=4)
        try:
            out = sh.run("dmesg")
            self.assertIn("cpu: ACPI MADT: 4 CPUs (4 enabled), local APIC at 0xfee00000, "
                          "1 I/O APIC, 8259 PICs too", out)
            self.assertIn("cpu: ACPI MADT: 4 CPUs", sh.boot_log)  # info: on the console
            detail = sh.run("dmesg -l debug")
            for i in range(4):
                self.assertIn("cpu:   CPU %d: APIC id %d\n" % (i, i), detail)
                self.assertNotIn("cpu:   CPU %d:" % i, sh.boot_log)  # debug: log only
            self.assertIn("cpu:   I/O APIC 0 at 0xfec00000, GSI 0+", detail)
            self.assertIn("ISA IRQ 0 -> GSI 2", detail)
        finally:
            sh.close()


if __name__ == "__main__":
    unittest.main()
