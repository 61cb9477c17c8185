"""virtio-blk completion interrupts both ways: MSI-X and legacy INTx.

The default in-kernel test run (make ktest) wires each virtio-blk device's
queue to an MSI-X vector of its own, since QEMU's devices offer MSI-X on both
the modern and the legacy transport (the KTEST virtio_blk_interrupts_arrive
checks that). This test boots the same virtio-blk in-kernel tests with `nomsix`
on the command line, which makes the driver fall back to the shared legacy INTx
line, and checks that every one of them passes that way too and that no device
used MSI-X: once through the I/O APIC (the default, where QEMU's MADT makes the
PCI lines level-triggered) and once through the 8259 PICs (`noapic`).
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import ktest  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")
PROBE = re.compile(r"^virtio-blk: (vd\w) at .*, (MSI-X vector \d+|irq -?\d+)$", re.M)


class VirtioInterrupts(unittest.TestCase):
    def test_intx_fallback_with_nomsix(self):
        ok, msg, r = ktest.run(KERNEL, "virtio_blk", extra="nomsix", echo=None)
        self.assertTrue(ok, msg + "\n" + r.output[-3000:])
        wired = dict(PROBE.findall(r.output))
        self.assertGreaterEqual(len(wired), 2, r.output[-3000:])
        for name, how in wired.items():
            self.assertTrue(how.startswith("irq ") and how != "irq -1",
                            "%s: %s with nomsix" % (name, how))
        self.assertIn("virtio_blk_interrupts_arrive", r.output)

    def test_intx_through_the_pic_with_noapic(self):
        """The INTx line again, through the 8259 PICs instead of the I/O APIC."""
        ok, msg, r = ktest.run(KERNEL, "virtio_blk", extra="nomsix noapic", echo=None)
        self.assertTrue(ok, msg + "\n" + r.output[-3000:])
        self.assertIn("interrupts: 8259 PIC", r.output)
        wired = dict(PROBE.findall(r.output))
        self.assertGreaterEqual(len(wired), 2, r.output[-3000:])
        for name, how in wired.items():
            self.assertTrue(how.startswith("irq ") and how != "irq -1",
                            "%s: %s with nomsix noapic" % (name, how))


if __name__ == "__main__":
    unittest.main()
