"""/proc and the file-system calls, end to end.

The system boots with its SFS disk and a spare SFS disk (vdb). The initrd's
`cat` and `ls` read /proc's files, whose formats are checked against Linux's
(meminfo, uptime, loadavg, mounts, version, cpuinfo, filesystems, kmsg,
bus/pci/devices, self/status, self/stat); the musl programs
user/tests/proctest.c (cmdline, status, stat, fd links, a child running, a
zombie, reaped) and user/tests/fstest.c (mount, umount2, statfs, fstatfs,
sync, syncfs, sysinfo, syslog, getrusage, times, with their errors) run from
the disk. Free frames are back where they were after the programs ran.
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402
from test_proc import USER, kernel_state  # noqa: E402

qemu = ts.qemu
LACKS = re.compile(r"used system call (\d+), which Kestrel lacks")


class TwoDisks(ts.Shell):
    """ts.Shell with a second virtio disk."""

    def __init__(self, disk, spare):
        iso = qemu.make_iso(ts.KERNEL, "", os.path.join(ts.WORK, "procfs.iso"))
        args = qemu.base_args(qemu.accel(ts.KERNEL), iso, disk=disk, extra_disks=[(spare, "")])
        self.s = qemu.Session(args, timeout=60)
        self.boot_log = self.s.expect(ts.PROMPT, timeout=120)


class ProcfsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        img = ts.mkfs(os.path.join(ts.WORK, "procfs.img"))
        spare = ts.mkfs(os.path.join(ts.WORK, "procfs-spare.img"), size="8M")
        ts.sfs_tool(img, "mkdir", "/t")
        for prog in ("fstest", "proctest"):
            ts.sfs_tool(img, "put", os.path.join(USER, prog), "/t/" + prog)
        cls.busybox = os.path.exists("/bin/busybox")
        if cls.busybox:  # Debian's busybox-static: Linux's own readers of /proc
            ts.sfs_tool(img, "put", "/bin/busybox", "/t/busybox")
        cls.sh = TwoDisks(img, spare)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def cat(self, path):
        out = self.sh.run("/bin/cat " + path)
        self.assertIsNone(LACKS.search(out), out)
        self.assertNotIn("exit status", out)
        return out

    def test_meminfo(self):
        out = self.cat("/proc/meminfo")
        lines = out.splitlines()
        self.assertTrue(all(re.fullmatch(r"[A-Za-z()]+:\s+\d+ kB", ln) for ln in lines), out)
        self.assertEqual([ln.split(":")[0] for ln in lines[:5]],
                         ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached"])
        kb = {ln.split(":")[0]: int(ln.split()[1]) for ln in lines}
        self.assertGreater(kb["MemTotal"], 200 * 1024)  # QEMU's 256 MiB, less the kernel
        self.assertLess(kb["MemFree"], kb["MemTotal"])
        self.assertGreater(kb["MemFree"], kb["MemTotal"] // 2)
        self.assertGreater(kb["Slab"], 0)
        self.assertGreaterEqual(kb["Buffers"], 1024)  # the root disk's SFS cache
        self.assertGreater(kb["Cached"], 0)  # the initrd's files in ramfs
        # ...and the running programs' pages (the shell's and cat's: kbox),
        # which the cache holds whole while the two map only what they touched.
        self.assertGreater(kb["Cached"] - kb["Shmem"], 64)
        self.assertLessEqual(kb["Inactive(file)"], kb["Cached"] - kb["Shmem"])
        self.assertEqual(len(lines[0]), len("MemTotal:       ") + 8 + 3)  # Linux's columns

    def test_uptime_loadavg_version_cpuinfo_filesystems(self):
        self.assertRegex(self.cat("/proc/uptime"), r"^\d+\.\d\d \d+\.\d\d\n$")
        self.assertRegex(self.cat("/proc/loadavg"),
                         r"^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n$")
        self.assertRegex(self.cat("/proc/version"), r"^Kestrel version 0\.1\.0 \(.*\) #1")
        cpu = self.cat("/proc/cpuinfo")
        for key in ("processor\t: 0", "vendor_id\t: ", "cpu family\t: ", "model name\t: ",
                    "flags\t\t: fpu ", "address sizes\t: "):
            self.assertIn(key, cpu)
        self.assertRegex(cpu, r"cpu MHz\t\t: \d+\.\d{3}\n")
        self.assertRegex(cpu, r"flags\t\t:.* lm( |\n)")
        fs = self.cat("/proc/filesystems")
        self.assertIn("nodev\tproc\n", fs)
        self.assertIn("nodev\tramfs\n", fs)
        self.assertRegex(fs, r"(^|\n)\tsfs\n")

    def test_mounts(self):
        out = self.cat("/proc/mounts")
        self.assertIn("/dev/vda / sfs rw 0 0\n", out)
        self.assertIn("proc /proc proc rw,nosuid,nodev,noexec 0 0\n", out)
        self.assertIn("devfs /dev devfs rw 0 0\n", out)
        self.assertIn(" /bin ramfs rw 0 0\n", out)
        self.assertTrue(all(len(ln.split(" ")) == 6 for ln in out.splitlines()), out)

    def test_pci_devices(self):
        lines = self.cat("/proc/bus/pci/devices").splitlines()
        self.assertGreaterEqual(len(lines), 4)
        for ln in lines:
            f = ln.split("\t")
            self.assertEqual(len(f), 18, ln)  # devfn, ids, irq, 7 bases, 7 sizes, driver
            self.assertRegex(f[0], r"^[0-9a-f]{4}$")
            self.assertRegex(f[1], r"^[0-9a-f]{8}$")
            self.assertTrue(all(re.fullmatch(r" *[0-9a-f]+", x) and len(x) == 16 for x in f[3:17]))
        blk = [ln.split("\t") for ln in lines if ln.split("\t")[1] == "1af41001"]
        self.assertEqual(len(blk), 2)  # the two disks
        self.assertEqual(blk[0][17], "virtio-blk")
        self.assertTrue(any(int(x, 16) & 1 for x in blk[0][3:9]), "an I/O BAR has bit 0 set")

    def test_listing_self_and_kmsg(self):
        names = self.sh.run("/bin/ls /proc").split()
        for n in ("meminfo", "uptime", "loadavg", "mounts", "version", "cpuinfo", "self", "bus",
                  "kmsg", "filesystems"):
            self.assertIn(n, names)
        self.assertTrue(any(n.isdigit() for n in names), names)  # ls itself
        status = self.cat("/proc/self/status")
        self.assertRegex(status, r"^Name:\tcat\n")
        self.assertRegex(status, r"\nPid:\t\d+\n")
        self.assertRegex(status, r"\nVmSize:\t +\d+ kB\n")
        stat = self.cat("/proc/self/stat").strip()
        self.assertRegex(stat, r"^\d+ \(cat\) R ")
        self.assertEqual(len(stat.split(" ")), 52)
        self.assertRegex(stat.split(" ")[38], r"^\d+$")  # processor: the CPU cat runs on
        self.assertRegex(self.sh.run("ps -f -p 1"),
                         r"^UID +PID +PPID PSR STAT +TIME CMD\nroot +1 +0 +\d+ S +[\d:]+ /sbin/init\n$")
        kmsg = self.cat("/proc/kmsg")
        self.assertRegex(kmsg, r"<6>\[ +\d+\.\d{6}\] fs: / is SFS on vda\n")

    def test_system_stat(self):
        out = self.cat("/proc/stat")
        self.assertRegex(out, r"^cpu  \d+ 0 0 \d+ 0 0 0 0 0 0\ncpu0 \d+ 0 0 \d+ 0 0 0 0 0 0\n")
        for key in ("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked"):
            self.assertRegex(out, r"\n%s \d+" % key)

    def test_busybox_reads_proc_as_on_linux(self):
        if not self.busybox:
            self.skipTest("busybox-static is not installed (make check installs it)")
        bb = "/t/busybox "
        self.assertRegex(self.sh.run(bb + "ps"),
                         r"PID +USER +COMMAND\n +1 root +/sbin/init\n(.*\n)* +\d+ root +/t/busybox ps\n")
        free = self.sh.run(bb + "free")
        self.assertRegex(free, r"Mem: +\d{6} +\d+ +\d+ +\d+ +\d+ +\d+\n")
        self.assertRegex(self.sh.run(bb + "uptime"), r"up .*load average: \d+\.\d\d, ")
        df = self.sh.run(bb + "df")
        self.assertRegex(df, r"\n/dev/vda +32768 +\d+ +\d+ +\d+% /\n")
        self.assertIn("proc on /proc type proc (rw,nosuid,nodev,noexec)\n", self.sh.run(bb + "mount"))
        self.assertRegex(self.sh.run(bb + "dmesg"), r"\[ +\d+\.\d{6}\] fs: / is SFS on vda\n")
        top = self.sh.run(bb + "top -b -n 1")
        self.assertRegex(top, r"Mem: \d+K used, \d+K free")
        self.assertRegex(top, r"Load average: \d+\.\d\d ")
        self.assertIn("/t/busybox top -b -n 1", top)

    def test_load_average_rises_with_a_busy_process(self):
        out = self.sh.run("/t/proctest --load", timeout=300)
        m = re.search(r"(\d+\.\d\d) (\d+\.\d\d) (\d+\.\d\d) \d+/\d+ \d+\n", out)
        self.assertIsNotNone(m, out)
        self.assertIn("proctest: load seen", out)
        # One 5-second sample of one busy thread: 1 - 1884/2048 = 0.08 for 1 minute,
        # less for 5 and 15.
        self.assertGreaterEqual(float(m.group(1)), 0.08, out)
        self.assertGreater(float(m.group(1)), float(m.group(3)), out)

    def test_proctest_program(self):
        out = self.sh.run("/t/proctest one two", timeout=120)
        self.assertIsNone(LACKS.search(out), out)
        self.assertRegex(out, r"proctest: \d+ checks, all passed\n", out)

    def test_fstest_program_and_no_leak(self):
        self.sh.run("/t/fstest /dev/vdb", timeout=120)  # warm the caches
        before = kernel_state(self.sh)
        out = self.sh.run("/t/fstest /dev/vdb", timeout=120)
        self.assertIsNone(LACKS.search(out), out)
        self.assertRegex(out, r"fstest: \d+ checks, all passed\n", out)
        self.assertEqual(kernel_state(self.sh), before, "fstest leaked")
        self.assertNotIn("fstest.", self.sh.run("/bin/ls /tmp"))
        out = self.sh.run("/t/fstest - clear", timeout=120)  # syslog's CLEAR too
        self.assertRegex(out, r"fstest: \d+ checks, all passed\n", out)


if __name__ == "__main__":
    unittest.main()
