"""O_DIRECT on the raw disk, from user space: the kbox dd with iflag=direct
reads a second virtio disk (/dev/vdb) that the host filled with random bytes,
at 4 KiB, 64 KiB and 1 MiB blocks, and must read back exactly what the host
wrote; /proc/diskstats must show the reads went in place (no bounce copy in
the kernel); and user/tests/directtest checks the rest from inside a process
(untouched pages faulted in, copy-on-write after fork, EFAULT for bad
pointers, unaligned buffers copied, direct writes). user/tests/iotest does
the same for large ordinary reads and writes of a file on SFS, which the
kernel moves in place without O_DIRECT (no kernel buffer between the file
system and the process's pages).
"""
import os
import re
import sys
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

USER = os.path.join(ts.ROOT, "build", "user", "tests")
DATA_MIB = 4


def diskstats(sh, dev="vdb"):
    """The fields of @dev's line in /proc/diskstats (Kestrel's: 22 of them)."""
    out = sh.run("cat /proc/diskstats")
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 22 and f[2] == dev:
            return f
    raise AssertionError("no %s in /proc/diskstats:\n%s" % (dev, out))


def in_place(sh, dev="vdb"):
    """Kestrel's count of requests made in place (no copy)."""
    return int(diskstats(sh, dev)[20])


def read_ahead(sh, dev="vdb"):
    """Kestrel's count of blocks read ahead of their readers."""
    return int(diskstats(sh, dev)[21])


class DirectIo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "direct.img"))
        ts.sfs_tool(cls.img, "mkdir", "/t")
        for prog in ("directtest", "iotest"):
            ts.sfs_tool(cls.img, "put", os.path.join(USER, prog), "/t/" + prog)
        cls.data = os.urandom(DATA_MIB << 20)
        cls.disk = os.path.join(ts.WORK, "direct-data.img")
        with open(cls.disk, "wb") as f:
            f.write(cls.data)
        cls.sh = ts.Shell(cls.img, qemu_args=[
            "-drive", "file=%s,if=none,id=d1,format=raw" % cls.disk,
            "-device", "virtio-blk-pci,drive=d1"])

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def test_dd_reads_what_the_host_wrote(self):
        for bs, count in (("4k", 256), ("64k", 64), ("1M", DATA_MIB)):
            n = {"4k": 4096, "64k": 65536, "1M": 1 << 20}[bs] * count
            before = in_place(self.sh)
            out = self.sh.run("/bin/dd if=/dev/vdb of=/d bs=%s count=%d iflag=direct" %
                              (bs, count), timeout=120)
            self.assertRegex(out, r"^%d\+0 records in\n%d\+0 records out\n%d bytes" %
                             (count, count, n))
            got = in_place(self.sh) - before
            # Every block came in place: at least one request per dd block.
            self.assertGreaterEqual(got, count, "%s: %d in-place requests" % (bs, got))
            crc = self.sh.run("/bin/crc32 /d")
            self.assertEqual(crc, "%08x  /d\n" % zlib.crc32(self.data[:n]), bs)
        # Without iflag=direct the same read is copied, never in place.
        before = in_place(self.sh)
        self.sh.run("/bin/dd if=/dev/vdb of=/d bs=64k count=4")
        self.assertEqual(in_place(self.sh), before)
        # A skip into the disk, direct: the right bytes from the right place.
        self.sh.run("/bin/dd if=/dev/vdb of=/d bs=64k skip=5 count=3 iflag=direct")
        self.assertEqual(self.sh.run("/bin/crc32 /d"),
                         "%08x  /d\n" % zlib.crc32(self.data[5 * 65536:8 * 65536]))
        self.sh.run("rm /d")

    def test_readahead_on_sequential_reads(self):
        # Ordinary reads of 4 KiB in a row: the kernel reads ahead, in
        # requests larger than the reads, so far fewer than one per read.
        f0 = diskstats(self.sh)
        out = self.sh.run("/bin/dd if=/dev/vdb of=/r bs=4k count=512 skip=256", timeout=120)
        self.assertTrue(out.startswith("512+0 records in\n"), out)
        f1 = diskstats(self.sh)
        ahead = int(f1[21]) - int(f0[21])
        reads = int(f1[3]) - int(f0[3])
        self.assertGreater(ahead, 512 * 8 // 2, "blocks read ahead: %d" % ahead)
        self.assertEqual(self.sh.run("/bin/crc32 /r"),
                         "%08x  /r\n" % zlib.crc32(self.data[1 << 20:3 << 20]))
        # Direct reads skip the cache and its read-ahead.
        before = read_ahead(self.sh)
        self.sh.run("/bin/dd if=/dev/vdb of=/dev/null bs=4k count=64 iflag=direct")
        self.assertEqual(read_ahead(self.sh), before)
        self.sh.run("rm /r")
        self.assertGreater(reads, 0)

    def test_iotest_large_file_transfers(self):
        out = self.sh.run("/t/iotest /", timeout=180)
        self.assertRegex(out, r"iotest: \d+ checks, all passed", out)
        self.assertIn("ok a new run of the program still sees its own .data", out)

    def test_zz_directtest(self):
        # Last (it writes to the disk): faults, copy-on-write, EFAULT, writes.
        out = self.sh.run("/t/directtest /dev/vdb", timeout=120)
        self.assertRegex(out, r"directtest: \d+ checks, all passed", out)
        self.assertIn("ok diskstats counts in-place requests", out)


if __name__ == "__main__":
    unittest.main()
