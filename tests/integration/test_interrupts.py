"""Exceptions, the double-fault path and the PS/2 keyboard, end to end in QEMU."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")


def boot(cmdline, name, timeout=60):
    acc = qemu.accel(KERNEL)
    iso = qemu.make_iso(KERNEL, cmdline, os.path.join(qemu.BUILD, name + ".iso"))
    return qemu.run_captured(qemu.base_args(acc, iso), timeout)


class Interrupts(unittest.TestCase):
    def test_stack_overflow_ends_in_double_fault_handler(self):
        r = boot("selftest=stack_overflow", "selftest-overflow")
        self.assertFalse(r.timed_out, r.output[-2000:])
        self.assertIn("Double fault (vector 8)", r.output)
        self.assertIn("kernel stack overflow", r.output)
        self.assertIn('selftest stack overflow in thread "main": PASS', r.output)
        self.assertEqual(r.status, qemu.EXIT_SUCCESS, r.output[-2000:])

    def test_thread_stack_overflow_ends_in_double_fault_handler(self):
        r = boot("selftest=thread_stack_overflow", "selftest-thread-overflow")
        self.assertFalse(r.timed_out, r.output[-2000:])
        self.assertIn("kernel stack overflow", r.output)
        self.assertIn('selftest stack overflow in thread "overflow": PASS', r.output)
        self.assertEqual(r.status, qemu.EXIT_SUCCESS, r.output[-2000:])

    def test_unhandled_page_fault_reports_and_panics(self):
        r = boot("selftest=page_fault panic=exit", "selftest-pf")
        self.assertFalse(r.timed_out)
        out = r.output
        self.assertIn("Page fault (vector 14) in kernel mode", out)
        self.assertIn("read from a not-present page in kernel mode", out)
        self.assertIn("faulting address (cr2): 0xffffffff81234000", out)
        self.assertIn("rip ", out)
        self.assertIn("backtrace:", out)
        self.assertIn("KERNEL PANIC", out)
        self.assertIn("unhandled exception: Page fault", out)
        # panic=exit turned the halt into a failure exit (not a reset: -no-reboot)
        self.assertEqual(r.status, qemu.EXIT_FAILURE)

    def test_panic_backtrace_names_its_functions(self):
        r = boot("selftest=panic_deep panic=exit", "selftest-panic-deep")
        self.assertFalse(r.timed_out)
        out = r.output
        self.assertIn("KERNEL PANIC", out)
        bt = out[out.index("backtrace:"):]
        names = re.findall(r"#\d+ 0x[0-9a-f]+ (\w+)\+0x[0-9a-f]+", bt)
        # panic_at itself, then the three levels in order, then who called them
        want = ["selftest_panic_level3", "selftest_panic_level2", "selftest_panic_level1",
                "selftest_run"]
        found = [n for n in names if n in want]
        self.assertEqual(found, want, bt)
        self.assertEqual(r.status, qemu.EXIT_FAILURE)

    def test_fault_report_names_the_faulting_function(self):
        r = boot("selftest=page_fault panic=exit", "selftest-pf-sym")
        self.assertRegex(r.output, r"#0 0x[0-9a-f]+ selftest_run\+0x[0-9a-f]+ \(faulting instruction\)")

    def test_keystrokes_reach_the_console_through_ps2(self):
        acc = qemu.accel(KERNEL)
        iso = qemu.make_iso(KERNEL, "", os.path.join(qemu.BUILD, "kbd.iso"))
        with qemu.Session(qemu.base_args(acc, iso)) as s:
            s.expect("/ $ ", timeout=60)
            # "echo hI1!" typed on the PS/2 keyboard, through QEMU's monitor
            for key in ("e", "c", "h", "o", "spc", "h", "shift-i", "1", "shift-1", "ret"):
                s.monitor("sendkey " + key)
            s.expect("hI1!\n", timeout=20)
            s.expect("/ $ ", timeout=20)
            s.send("echo serial\r")  # and the serial console is read too
            s.expect("serial\n", timeout=20)


if __name__ == "__main__":
    unittest.main()
