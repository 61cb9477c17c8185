"""Both firmwares and both screen consoles, end to end.

build/os.iso is one hybrid image: it boots under UEFI (Debian's OVMF) to the
shell with the framebuffer console, and under BIOS in VGA text mode;
build/os-fb.iso boots under BIOS with a VESA framebuffer. The in-kernel tests
run under UEFI too. Each screen check takes a QEMU screendump and reads text
off it with the console's own font, pixel for pixel, so the test fails if the
framebuffer console draws nothing, draws the wrong glyphs or the wrong colours.

Under TCG an OVMF boot takes 8-15 s before GRUB runs; BIOS takes about 2 s.
"""
import importlib.util
import os
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
sys.path.insert(0, HERE)
import ktest  # noqa: E402
import qemu  # noqa: E402
import test_shell as ts  # noqa: E402

ISO = os.path.join(ROOT, "build", "os.iso")
ISO_FB = os.path.join(ROOT, "build", "os-fb.iso")
FONT = "/usr/share/consolefonts/Lat15-VGA16.psf.gz"
BOOT_TIMEOUT = 240  # OVMF under TCG on a loaded machine
FG, BG = (0xaa, 0xaa, 0xaa), (0, 0, 0)  # the console's default colours


def load_font():
    spec = importlib.util.spec_from_file_location("psf2c", os.path.join(ROOT, "mk", "psf2c.py"))
    psf2c = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(psf2c)
    return psf2c.load(FONT)


class Screen:
    """A screendump (PPM) read as text cells of the console's font."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        magic, dims, maxval, self.pixels = data.split(b"\n", 3)
        assert magic == b"P6" and maxval == b"255", "not a binary PPM"
        self.width, self.height = map(int, dims.split())
        fw, fh, stride, _, glyphs, pairs = load_font()
        self.fw, self.fh, self.stride, self.glyphs, self.pairs = fw, fh, stride, glyphs, pairs

    def rgb(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.pixels[i:i + 3])

    def cell_is(self, row, col, ch):
        g = self.pairs[ord(ch)]
        bits = self.glyphs[g * self.fh * self.stride:(g + 1) * self.fh * self.stride]
        for y in range(self.fh):
            for x in range(self.fw):
                on = bits[y * self.stride + x // 8] & (0x80 >> (x % 8))
                if self.rgb(col * self.fw + x, row * self.fh + y) != (FG if on else BG):
                    return False
        return True

    def find_line(self, text):
        """The text row that starts with `text`, drawn pixel-exact, or None."""
        for row in range(self.height // self.fh):
            if all(self.cell_is(row, i, ch) for i, ch in enumerate(text)):
                return row
        return None


def screendump(session):
    fd, path = tempfile.mkstemp(prefix="screen-", suffix=".ppm", dir=qemu.BUILD)
    os.close(fd)
    session.monitor("screendump %s" % path)
    for _ in range(50):  # QEMU writes the file asynchronously to the command
        if os.path.getsize(path) > 0:
            break
        time.sleep(0.1)
    time.sleep(0.2)
    return path


class FirmwareTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)

    def boot(self, iso, uefi, name):
        disk = ts.mkfs(os.path.join(ts.WORK, name + ".img"))
        s = qemu.Session(qemu.base_args(qemu.accel(), iso, disk=disk, uefi=uefi), timeout=60)
        self.addCleanup(s.close)
        boot_log = s.expect(ts.PROMPT, timeout=BOOT_TIMEOUT)
        return s, boot_log

    def run_line(self, s, line):
        s.send(line + "\r")
        return s.expect(ts.PROMPT)

    def check_screen_shows(self, s, marker):
        path = screendump(s)
        self.addCleanup(os.unlink, path)
        screen = Screen(path)
        self.assertEqual((screen.width, screen.height), (1024, 768))
        row = screen.find_line(marker)
        self.assertIsNotNone(row, "%r is not drawn on the framebuffer" % marker)
        return screen, row

    def test_uefi_boots_to_the_shell_on_the_framebuffer_console(self):
        s, boot_log = self.boot(ISO, True, "uefi")
        self.assertIn("boot: firmware UEFI", boot_log)
        self.assertIn("boot: ACPI RSDP: version 2", boot_log)
        self.assertRegex(boot_log, r"fb: 1024x768x32 at 0x[0-9a-f]+: 128x48 text, font "
                                   r"Lat15-VGA16\.psf\.gz \(8x16\)")
        self.assertIn("fs: / is SFS on vda", boot_log)
        self.assertIn("uefi-ok", self.run_line(s, "echo uefi-ok"))
        screen, row = self.check_screen_shows(s, "uefi-ok")
        self.assertTrue(screen.cell_is(row + 1, 0, "/"))  # the next prompt, below
        # The messages printed before the framebuffer was mapped were replayed
        # onto it: the banner is on the screen too.
        self.assertIsNotNone(screen.find_line("Kestrel "))
        self.assertIn("firmware UEFI", self.run_line(s, "dmesg"))
        # The PS/2 keyboard works after ExitBootServices too.
        for key in ("e", "c", "h", "o", "spc", "k", "b", "d", "ret"):
            s.monitor("sendkey " + key)
        s.expect("kbd\n", timeout=30)
        s.expect(ts.PROMPT, timeout=30)
        s.send("shutdown\r")
        self.assertEqual(s.wait(60), qemu.EXIT_SUCCESS)

    def test_bios_framebuffer_entry(self):
        s, boot_log = self.boot(ISO_FB, False, "bios-fb")
        self.assertIn("boot: firmware BIOS", boot_log)
        self.assertRegex(boot_log, r"fb: 1024x768x32 at 0x[0-9a-f]+: 128x48 text")
        self.run_line(s, "echo vesa-ok")
        self.check_screen_shows(s, "vesa-ok")

    def test_bios_default_is_vga_text(self):
        s, boot_log = self.boot(ISO, False, "bios-text")
        self.assertIn("boot: firmware BIOS", boot_log)
        self.assertIn("boot: framebuffer: 80x25 type 2 at 0xb8000", boot_log)
        self.assertNotIn("fb: ", boot_log)
        path = screendump(s)
        self.addCleanup(os.unlink, path)
        with open(path, "rb") as f:
            self.assertEqual(f.read().split(b"\n")[1], b"720 400")  # VGA text mode

    def test_in_kernel_tests_pass_under_uefi(self):
        ok, msg, r = ktest.run(ts.KERNEL, echo=None, uefi=True)
        self.assertTrue(ok, msg + "\n" + r.output[-3000:])
        self.assertIn("boot: firmware UEFI", r.output)


if __name__ == "__main__":
    unittest.main()
