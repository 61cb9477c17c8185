"""Interrupt delivery both ways: the local APIC and I/O APIC (the default) and
the 8259 PICs with the PIT (`noapic` on the command line, as on a machine
without a MADT).

The default in-kernel test run (make ktest) checks APIC mode from the inside
(tests/ktest/test_apic.c); here the whole in-kernel suite runs again under
`noapic`, and the keyboard (IRQ 1) and COM1 (IRQ 4) are driven from outside
under both, as a user would: keys typed through QEMU's monitor and a line
typed on the serial port must reach the shell.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import ktest  # noqa: E402
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")


class InterruptControllers(unittest.TestCase):
    def test_ktests_pass_with_noapic(self):
        ok, msg, r = ktest.run(KERNEL, extra="noapic", echo=None)
        self.assertTrue(ok, msg + "\n" + r.output[-3000:])
        self.assertIn("interrupts: 8259 PIC, IRQs at vectors 32-47, PIT at", r.output)
        self.assertIn("apic_mode_follows_the_command_line ... ok", r.output)

    def keyboard_and_serial(self, cmdline, controller, tick):
        acc = qemu.accel(KERNEL)
        iso = qemu.make_iso(KERNEL, cmdline, os.path.join(qemu.BUILD, "irq-%s.iso"
                                                          % (cmdline or "apic")))
        with qemu.Session(qemu.base_args(acc, iso)) as s:
            log = s.expect("/ $ ", timeout=120)
            self.assertIn("interrupts: %s, IRQs at vectors 32-47, %s at" % (controller, tick),
                          log)
            for key in ("e", "c", "h", "o", "spc", "k", "b", "d", "ret"):
                s.monitor("sendkey " + key)
            s.expect("kbd\n", timeout=30)
            s.expect("/ $ ", timeout=30)
            s.send("echo com1\r")
            s.expect("com1\n", timeout=30)
            s.expect("/ $ ", timeout=30)

    def test_keyboard_and_serial_through_the_ioapic(self):
        self.keyboard_and_serial("", "I/O APIC", "local APIC timer")

    def test_keyboard_and_serial_through_the_pic(self):
        self.keyboard_and_serial("noapic", "8259 PIC", "PIT")


if __name__ == "__main__":
    unittest.main()
