"""The test harness tests itself: failures must be reported as failures.

Boots the real kernel with deliberately failing explicit-only KTESTs (see
tests/ktest/test_harness.c) and checks that the driver says FAIL, with the
right summary, instead of passing or hanging. Also checks that a kernel that
never finishes is reported as a timeout.
"""
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import ktest  # noqa: E402
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")


class KtestHarness(unittest.TestCase):
    def run_filter(self, name, timeout=None):
        return ktest.run(KERNEL, name, timeout=timeout, echo=None)

    def test_failed_assertion_fails_the_run(self):
        ok, msg, r = self.run_filter("harness_selftest_fails")
        self.assertFalse(ok, msg)
        self.assertIn("harness_selftest_fails ... FAILED", r.output)
        self.assertIn("2 + 2 == 5: 4 != 5", r.output)
        self.assertIn("0 passed, 1 failed", r.output)
        self.assertEqual(r.status, qemu.EXIT_FAILURE)

    def test_panic_in_a_test_fails_the_run(self):
        ok, msg, r = self.run_filter("harness_selftest_panics")
        self.assertFalse(ok, msg)
        self.assertIn("KERNEL PANIC", r.output)
        self.assertIn("deliberate panic inside a test", r.output)
        self.assertIn("harness_selftest_panics ... FAILED (panic)", r.output)
        self.assertIn("0 passed, 1 failed", r.output)
        self.assertFalse(r.timed_out)

    def test_no_test_selected_is_not_success(self):
        ok, msg, r = self.run_filter("no_such_test_anywhere")
        self.assertFalse(ok, msg)
        self.assertIn("0 passed, 0 failed", r.output)

    def test_passing_test_passes(self):
        ok, msg, r = self.run_filter("harness_assertions_pass")
        self.assertTrue(ok, msg)
        self.assertIn("1 passed, 0 failed", r.output)
        self.assertEqual(r.status, qemu.EXIT_SUCCESS)

    def test_explicit_tests_do_not_run_by_default(self):
        # A substring filter must not pick up the explicit-only failing tests.
        ok, msg, r = self.run_filter("harness_")
        self.assertTrue(ok, msg)
        self.assertNotIn("harness_selftest", r.output)

    def test_hang_is_reported_as_timeout(self):
        # Without `ktest` the kernel boots and idles forever: the driver must
        # give up after its timeout and report it.
        acc = qemu.accel(KERNEL)
        iso = qemu.make_iso(KERNEL, "", os.path.join(qemu.BUILD, "idle.iso"))
        r = qemu.run_captured(qemu.base_args(acc, iso), timeout=8)
        self.assertTrue(r.timed_out)
        self.assertIn("booting", r.output)

    def test_driver_exit_status(self):
        # The command-line driver exits non-zero on failure (what make sees).
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "qemu", "ktest.py"),
                            "--kernel", KERNEL, "--filter", "harness_selftest_fails"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"ktest: FAIL", r.stdout)


if __name__ == "__main__":
    unittest.main()
