"""Exceptions, the double-fault path and the PS/2 keyboard, end to end in QEMU."""
import os
import re
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")
# make check-release builds it (before check-integration, in make check)
RELEASE_KERNEL = os.path.join(ROOT, "build", "release", "kernel.elf")

# "#1 0xffffffff8012c733 selftest_panic_level2+0x13 (kernel/selftest.c:63)"
FRAME = re.compile(r"#(\d+) 0x([0-9a-f]+) (\w+)\+0x[0-9a-f]+(?: \(([^ ():]+):(\d+)\))?")
PANIC_LEVELS = ["selftest_panic_level3", "selftest_panic_level2", "selftest_panic_level1",
                "selftest_run"]


def boot(cmdline, name, timeout=60, kernel=KERNEL):
    acc = qemu.accel(kernel)
    iso = qemu.make_iso(kernel, cmdline, os.path.join(qemu.BUILD, name + ".iso"))
    return qemu.run_captured(qemu.base_args(acc, iso), timeout)


def addr2line(kernel, addr):
    """(path relative to the tree, line) of addr, as binutils reads the DWARF."""
    out = subprocess.run(["addr2line", "-e", kernel, "%x" % addr], capture_output=True,
                         text=True, check=True).stdout.strip()
    path, line = out.split(" (")[0].rsplit(":", 1)
    return os.path.relpath(path, ROOT) if os.path.isabs(path) else path, int(line)


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

    def test_panic_backtrace_names_its_functions_and_lines(self):
        r = boot("selftest=panic_deep panic=exit", "selftest-panic-deep")
        self.assertFalse(r.timed_out)
        out = r.output
        self.assertIn("KERNEL PANIC", out)
        bt = out[out.index("backtrace:"):]
        frames = [m for m in FRAME.finditer(bt) if m.group(3) in PANIC_LEVELS]
        # panic_at itself, then the three levels in order, then who called them
        self.assertEqual([m.group(3) for m in frames], PANIC_LEVELS, bt)
        self.assertEqual(r.status, qemu.EXIT_FAILURE)

        # Each of the three levels names the line of its call: level3 calls
        # panic(), level2 calls level3, level1 calls level2.
        with open(os.path.join(ROOT, "kernel", "selftest.c")) as f:
            source = f.read().split("\n")
        calls = ["panic(", "selftest_panic_level3()", "selftest_panic_level2()"]
        have_addr2line = shutil.which("addr2line") is not None
        for m, call in zip(frames, calls):
            self.assertIsNotNone(m.group(4), "no file:line in " + m.group(0))
            path, line = m.group(4), int(m.group(5))
            self.assertEqual(path, "kernel/selftest.c", m.group(0))
            self.assertIn(call, source[line - 1], m.group(0))
            if have_addr2line:  # and binutils agrees (a return address: the call is at -1)
                self.assertEqual(addr2line(KERNEL, int(m.group(2), 16) - 1), (path, line),
                                 m.group(0))

    @unittest.skipUnless(os.path.exists(RELEASE_KERNEL), "no release kernel (make check-release)")
    def test_release_backtrace_names_functions_without_lines(self):
        # PROFILE=release has no debug information, so no line table: the
        # frames are function+offset only.
        r = boot("selftest=panic_deep panic=exit", "selftest-panic-deep-release",
                 kernel=RELEASE_KERNEL)
        self.assertFalse(r.timed_out)
        bt = r.output[r.output.index("backtrace:"):]
        frames = [m for m in FRAME.finditer(bt) if m.group(3) in PANIC_LEVELS]
        self.assertEqual([m.group(3) for m in frames], PANIC_LEVELS, bt)
        self.assertEqual([m.group(4) for m in frames], [None] * 4, bt)
        self.assertEqual(r.status, qemu.EXIT_FAILURE)

    def test_fault_report_names_the_faulting_function_and_line(self):
        r = boot("selftest=page_fault panic=exit", "selftest-pf-sym")
        m = re.search(r"#0 0x([0-9a-f]+) selftest_run\+0x[0-9a-f]+ \(kernel/selftest.c:(\d+)\) "
                      r"\(faulting instruction\)", r.output)
        self.assertIsNotNone(m, r.output[-2000:])
        with open(os.path.join(ROOT, "kernel", "selftest.c")) as f:
            line = f.read().split("\n")[int(m.group(2)) - 1]
        self.assertIn("*bad", line)  # the faulting instruction itself: no -1
        if shutil.which("addr2line"):
            self.assertEqual(addr2line(KERNEL, int(m.group(1), 16)),
                             ("kernel/selftest.c", int(m.group(2))))

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
