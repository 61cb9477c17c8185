"""The line table inside build/kernel.elf, checked against binutils' addr2line
at every call site of the kernel (return address minus one, as backtraces look
them up) and at addresses between and around the functions.

The table is read out of the kernel image itself (__ksyms_start..__ksyms_end)
and decoded by mk/klines.py's reference decoder, which follows the layout in
arch/ksyms.h as libarch/ksyms.c does (that one is unit-tested against an
encoder of its own, and booted in test_interrupts.py)."""
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "mk"))
import klines  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")


def ksyms_section(elf):
    """The bytes of the .ksyms section in the linked kernel."""
    syms = dict((name, int(addr, 16)) for addr, _, name in
                (line.split() for line in subprocess.run(
                    ["nm", elf], capture_output=True, text=True, check=True).stdout.splitlines()
                 if line.count(" ") == 2))
    start, end = syms["__ksyms_start"], syms["__ksyms_end"]
    for data, _, addr, size in klines.elf_sections(elf).values():
        if addr <= start and end <= addr + size and data:
            return data[start - addr:end - addr]
    raise AssertionError("no section holds __ksyms_start..__ksyms_end")


def addr2line(elf, addrs):
    out = subprocess.run(["addr2line", "-e", elf] + ["%x" % a for a in addrs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    res = []
    for line in out:
        path, num = line.split(" (")[0].rsplit(":", 1)
        if path == "??" or num in ("?", "0"):
            res.append(None)
        else:
            res.append((os.path.relpath(path, ROOT) if os.path.isabs(path) else path, int(num)))
    return res


@unittest.skipUnless(shutil.which("addr2line") and shutil.which("objdump"), "needs binutils")
class LineTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(KERNEL, "rb") as f:
            cls.has_debug = b".debug_line" in f.read()
        section = ksyms_section(KERNEL)
        magic, version, _, _, lines_off, lines_len = struct.unpack_from("<6I", section, 0)
        assert (magic, version) == (0x4D59534B, 1), "bad .ksyms header"
        cls.table = section[lines_off:lines_off + lines_len]

    def lookup(self, addr):
        return klines.decode_lookup(self.table, addr) if self.table else None

    def test_every_call_site_agrees_with_addr2line(self):
        if not self.has_debug:
            self.skipTest("a release kernel: no debug information, no line table")
        dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", KERNEL],
                             capture_output=True, text=True, check=True).stdout
        # the byte before each return address: the last byte of each call
        insns = re.findall(r"^\s*([0-9a-f]+):\s+(\S+)", dis, re.M)
        sites = [int(insns[i + 1][0], 16) - 1 for i in range(len(insns) - 1)
                 if insns[i][1].startswith("call")]
        self.assertGreater(len(sites), 1000)
        want = addr2line(KERNEL, sites)
        bad = [(hex(a), self.lookup(a), w) for a, w in zip(sites, want) if self.lookup(a) != w]
        self.assertEqual(bad[:10], [], "%d of %d call sites differ" % (len(bad), len(sites)))
        # nearly all of them have a line (some assembly stubs may not)
        self.assertLess(want.count(None), len(sites) // 20, want.count(None))

    def test_addresses_around_and_between_functions(self):
        if not self.has_debug:
            self.skipTest("a release kernel: no debug information, no line table")
        text = [(a, a + size) for _, flags, a, size in klines.elf_sections(KERNEL).values()
                if flags & klines.SHF_EXECINSTR]
        rnd = random.Random(14)
        addrs = []
        for lo, hi in text:
            addrs += [lo - 1, lo, hi - 1, hi] + [rnd.randrange(lo, hi) for _ in range(1500)]
        want = addr2line(KERNEL, addrs)
        got = [self.lookup(a) for a in addrs]
        bad = [(hex(a), g, w) for a, g, w in zip(addrs, got, want) if g != w]
        self.assertEqual(bad[:10], [], "%d of %d addresses differ" % (len(bad), len(addrs)))
        self.assertIn(None, got)  # some fell between functions, or outside the text

    def test_the_table_is_compact(self):
        if not self.has_debug:
            self.assertEqual(self.table, b"")
            return
        debug_line = klines.elf_sections(KERNEL)[".debug_line"][0]
        # docs/architecture.md gives ~53 KB against ~230 KB of .debug_line
        self.assertLess(len(self.table), len(debug_line) * 0.35)
        self.assertEqual(struct.unpack_from("<I", self.table, 0)[0], klines.MAGIC)


if __name__ == "__main__":
    unittest.main()
