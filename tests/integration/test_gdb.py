"""gdb on the kernel, as `make debug` sets it up: QEMU paused with its gdb stub,
gdb in batch mode breaking at kmain, reading a variable, continuing to a later
function and checking the backtrace."""
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "kernel.elf")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_debug_info(elf):
    """False for a PROFILE=release kernel, whose debug info is stripped."""
    with open(elf, "rb") as f:
        return b".debug_info" in f.read()


@unittest.skipUnless(shutil.which("gdb"), "gdb is not installed (make check installs it)")
@unittest.skipUnless(os.path.exists(KERNEL) and has_debug_info(KERNEL),
                     "the kernel has no debug info (PROFILE=release)")
class GdbTests(unittest.TestCase):
    def test_break_at_kmain_read_a_variable_and_backtrace(self):
        iso = qemu.make_iso(KERNEL, "", os.path.join(qemu.BUILD, "gdb.iso"))
        port = free_port()
        args = qemu.base_args(qemu.accel(KERNEL), iso) + ["-gdb", "tcp:127.0.0.1:%d" % port, "-S"]
        q = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            gdb = subprocess.run(
                ["gdb", "-nx", "-batch", KERNEL,
                 "-ex", "set architecture i386:x86-64",
                 "-ex", "target remote 127.0.0.1:%d" % port,
                 "-ex", "hbreak kmain",
                 "-ex", "continue",
                 "-ex", "printf \"magic=%#x\\n\", magic",
                 "-ex", "delete",
                 "-ex", "hbreak kernel_fs_init",
                 "-ex", "continue",
                 "-ex", "bt"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
            out = gdb.stdout
        finally:
            q.kill()
            q.wait()
        self.assertIn("Breakpoint 1, kmain", out)
        self.assertIn("magic=0x36d76289", out)  # the multiboot2 boot magic
        self.assertIn("kernel_fs_init", out)
        frames = [l for l in out.splitlines() if l.startswith("#")]
        self.assertTrue(frames and "kernel_fs_init" in frames[0], out)
        self.assertTrue(any("kmain" in f for f in frames[1:]), out)


if __name__ == "__main__":
    unittest.main()
