"""User processes end to end: static musl programs put on the SFS disk with
the host's `sfs put`, typed by path in the shell.

The programs come from user/tests/ and are built by make with Debian's
musl-gcc (build/user/tests/). Each scenario checks what the program printed
and how the shell reported its end; the last one checks that running them
again leaks no frames.
"""
import os
import re
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

USER = os.path.join(ts.ROOT, "build", "user", "tests")
PROGS = ["hello", "hello-glibc", "forkexec", "forkregs", "fault", "pipetest", "sigtest", "sysfuzz"]


def kernel_state(sh):
    """What must come back after any scenario, read from /proc by one `cat`:
    the kernel's memory outside its heap (frames in use, less the heap's
    (VmallocUsed), the page tables, every process's resident pages of its own
    (statm's resident less shared, which the shell's own malloc moves) and the
    programs' file pages (Cached less Shmem), counted once however many
    processes map them: the shell and `cat` are one program, and which of its
    pages both have touched depends on the paths each took), the heap's live
    allocations (the rows of /proc/slabinfo), and the number of processes."""
    out = sh.run("cat /proc/meminfo /proc/slabinfo /proc/[0-9]*/statm")
    mem = dict(re.findall(r"^(\w+):\s+(\d+) kB$", out, re.M))
    live = re.findall(r"^kmalloc-\S+\s+(\d+)", out, re.M)
    statm = re.findall(r"^\d+ (\d+) (\d+) \d+ \d+ \d+ \d+$", out, re.M)
    assert mem and live and statm, out
    own = sum(int(resident) - int(shared) for resident, shared in statm)
    used = (int(mem["MemTotal"]) - int(mem["MemFree"]) - int(mem["VmallocUsed"]) -
            int(mem["PageTables"]) - 4 * own - (int(mem["Cached"]) - int(mem["Shmem"])))
    return {"kB in use by the kernel outside its heap": used,
            "live heap allocations": sum(map(int, live)), "processes": len(statm)}


class ProcessTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "proc.img"))
        ts.sfs_tool(cls.img, "mkdir", "/t")
        for p in PROGS:
            ts.sfs_tool(cls.img, "put", os.path.join(USER, p), "/t/" + p)
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def test_arguments_environment_and_exit_status(self):
        out = self.sh.run("/t/hello 7 'two words'")
        self.assertRegex(out, r"argc=3 envc=\d+ \[/t/hello\] \[7\] \[two words\]")
        self.assertIn("float: 6.00", out)  # SSE state works in ring 3
        self.assertIn("int 0x80 getpid: same", out)  # the DPL-3 gate, as the seed had
        self.assertTrue(self.sh.run("/t/hello 7 'two words'; echo $?").endswith("\n7\n"))
        self.assertTrue(self.sh.run("/t/hello 0; echo $?").endswith("\n0\n"))
        out = self.sh.run("/t/forkexec /t/hello 5")
        self.assertIn("exited with 5", out)

    def test_wall_clock_from_the_rtc(self):
        import time
        out = self.sh.run("/t/hello")
        m = re.search(r"time: (\d+)", out)
        self.assertTrue(m, out)
        self.assertLess(abs(int(m.group(1)) - time.time()), 300)  # QEMU's RTC is the host's
        self.assertIn(time.strftime("%Y-%m-%d", time.gmtime()), self.sh.run("date -u +%F"))

    def test_smep_and_smap_with_a_cpu_that_has_them(self):
        # QEMU's default TCG CPU has neither; its "max" CPU has both. With
        # SMAP on, any kernel access to user memory outside the checked
        # copies would fault: run programs that pass pointers every way.
        acc = ts.qemu.accel(ts.KERNEL)
        img = os.path.join(ts.WORK, "proc-smap.img")  # the shared boot holds proc.img
        shutil.copyfile(self.img, img)
        args = ts.qemu.base_args(acc, ts.Shell._iso or ts.qemu.make_iso(
            ts.KERNEL, "", os.path.join(ts.WORK, "shell.iso")), disk=img)
        if acc == "kvm":
            self.skipTest("under KVM the CPU is the host's")
        s = ts.qemu.Session(args + ["-cpu", "max"], timeout=60)
        try:
            boot = s.expect(ts.PROMPT, timeout=120)
            self.assertIn("SMEP on, SMAP on", boot)
            for line, want in [("/t/hello 3", "argc=2"), ("/t/sigtest", "sigtest: all passed"),
                               ("/t/pipetest inherit", "parent: read ' offset'"),
                               ("/t/fault kernel", "Segmentation fault")]:
                s.send(line + "\r")
                self.assertIn(want, s.expect(ts.PROMPT, timeout=120))
        finally:
            s.close()

    def test_static_glibc_program_starts(self):
        out = self.sh.run("/t/hello-glibc 4 g")
        self.assertRegex(out, r"argc=3 envc=\d+ \[/t/hello-glibc\] \[4\] \[g\]")
        self.assertIn("float: 6.00", out)

    def test_orphans_go_to_init(self):
        # pipetest's grandchild is orphaned: init (pid 1) adopts and reaps it
        out = self.sh.run("/t/pipetest orphan", timeout=60)
        self.assertIn("orphan: the grandchild's parent became 1; reaped: yes", out)
        ps = self.sh.run("ps -e")
        self.assertNotIn("pipetest", ps)  # nothing left behind
        self.assertNotIn(" Z ", ps)

    def test_debian_busybox_static_runs(self):
        # A glibc-linked static binary from Debian's busybox-static package.
        if not os.path.exists("/bin/busybox"):
            self.skipTest("busybox-static is not installed (make check installs it)")
        img = os.path.join(ts.WORK, "proc-busybox.img")  # the shared boot holds proc.img
        ts.mkfs(img)
        ts.sfs_tool(img, "put", "/bin/busybox", "/busybox")
        sh = ts.Shell(img)
        try:
            out = sh.run("/busybox echo hello from busybox")
            self.assertIn("hello from busybox", out)
            self.assertNotIn("lacks", out)  # prctl(PR_SET_NAME) is answered
            out = sh.run("/busybox ls /")  # time(2) among its calls
            self.assertIn("busybox", out)
            self.assertNotIn("lacks", out)
            import time
            year = time.strftime("%Y", time.gmtime())
            self.assertIn(year, sh.run("/busybox date -u +%Y"))
            self.assertIn("Kestrel", sh.run("/busybox uname -a"))
        finally:
            sh.close()

    def test_fork_exec_wait_and_copy_on_write(self):
        out = self.sh.run("/t/forkexec /t/hello a b")
        self.assertIn("[/t/hello] [a] [b]", out)
        # the child wrote 2 into its copy; the parent still sees its own 3
        self.assertRegex(out, r"parent \d+: value 3, child \d+ exited with 0")

    def test_pipe_carries_64_mib_intact(self):
        out = self.sh.run("/t/pipetest big 64", timeout=600)
        m = re.search(r"writer crc (\w+)\nreader crc (\w+), (\d+) bytes, writer status 0", out)
        self.assertTrue(m, out)
        self.assertEqual(m.group(1), m.group(2))
        self.assertEqual(int(m.group(3)), 64 << 20)

    def test_large_pipe_read_returns_what_is_there(self):
        out = self.sh.run("/t/pipetest shortread", timeout=60)
        self.assertIn("short read: 65536 bytes, writer status 0", out)

    def test_pipe_without_reader_raises_sigpipe(self):
        self.assertIn("writer without reader: signal 13", self.sh.run("/t/pipetest epipe"))

    def test_kill_ends_a_process_spinning_in_user_mode(self):
        out = self.sh.run("/t/pipetest kill")
        for sig in (15, 2, 9):  # SIGTERM, SIGINT, SIGKILL: each ends it
            self.assertIn("spinning child: signal %d" % sig, out)

    def test_fork_keeps_the_callers_registers(self):
        # The ABI clobbers only RAX, RCX and R11, in the child too. A child
        # that got a kernel address in RBX once made the system-call fuzzer
        # a fork bomb: it went on fuzzing instead of exiting.
        out = self.sh.run("/t/forkregs; echo status $?")
        for call in ("fork", "vfork", "clone"):
            self.assertIn("forkregs: %s: parent and child kept every register" % call, out)
        self.assertIn("status 0", out)

    def test_execve_closes_cloexec_descriptors(self):
        self.assertIn("cloexec: exec'd child exited 0", self.sh.run("/t/pipetest cloexec"))

    def test_signal_handlers_masks_and_ignoring(self):
        out = self.sh.run("/t/sigtest")
        self.assertNotIn("FAILED", out)
        self.assertIn("sigtest: all passed", out)
        self.assertEqual(out.count("sigtest: ok:"), 11)

    def test_descriptors_and_working_directory_are_inherited(self):
        out = self.sh.run("/t/pipetest inherit")
        self.assertIn("child: cwd /tmp, read 'shared'", out)
        self.assertIn("parent: read ' offset' after the child", out)

    def test_faults_kill_only_the_process(self):
        for what, report in [("null", "Segmentation fault"), ("kernel", "Segmentation fault"),
                             ("gp", "Segmentation fault"),
                             ("text", "Segmentation fault"), ("ud", "Illegal instruction"),
                             ("div", "Floating point exception"),
                             ("stack", "Segmentation fault")]:
            with self.subTest(fault=what):
                self.assertIn(report, self.sh.run("/t/fault " + what, timeout=120))
        # the kernel log names the faulting function (the ELF's symbol table)
        self.assertRegex(self.sh.run("dmesg | tail -1"),
                         r"killed by signal 11 \(Segmentation fault\) at ip 0x[0-9a-f]+, "
                         r"recurse\+0x[0-9a-f]+ in /t/fault\n")  # the stack overflow
        self.sh.run("/t/fault null")
        self.assertRegex(self.sh.run("dmesg | tail -1"),
                         r"proc: fault \(pid \d+\) killed by signal 11 \(Segmentation fault\) "
                         r"at ip 0x[0-9a-f]+, main\+0x[0-9a-f]+ in /t/fault\n")
        # a fault seen by the parent through wait4
        out = self.sh.run("/t/forkexec /t/fault null")
        self.assertIn("killed by signal 11", out)
        self.assertIn("hello", self.sh.run("/t/hello"))  # the system runs on

    def test_bad_programs_are_refused(self):
        self.assertIn("sh: /t/nope: No such file or directory", self.sh.run("/t/nope"))
        self.assertIn("sh: /bin: Is a directory", self.sh.run("/bin"))
        self.sh.run("printf '\\177ELF\\002\\000not a program' > /t/text")  # binary: refused
        self.assertIn("sh: /t/text: Exec format error", self.sh.run("/t/text"))
        self.sh.run("echo echo a script > /t/text")  # text: a script of the shell
        self.assertEqual(self.sh.run("/t/text"), "a script\n")
        self.assertIn("hello", self.sh.run("/t/hello"))

    def test_no_frames_leak(self):
        lines = ["/t/hello x", "/t/forkexec /t/hello", "/t/fault null",
                 "/t/forkexec /t/fault ud", "/t/pipetest big 1", "/t/pipetest epipe",
                 "/t/pipetest kill", "/t/pipetest inherit", "/t/sigtest"]
        for line in lines:  # warm up: the heap grows once, caches fill
            self.sh.run(line)
        before = kernel_state(self.sh)
        for _ in range(3):
            for line in lines:
                self.sh.run(line)
        self.assertEqual(kernel_state(self.sh), before)

    def test_syscall_fuzzer_neither_panics_nor_leaks(self):
        # 10^5 random system calls with hostile arguments (bad pointers, huge
        # lengths, invalid descriptors), after a warm-up that lets the heap
        # and the frame reference counts reach their working size.
        self.sh.run("/t/sysfuzz 10000 1", timeout=600)
        before = kernel_state(self.sh)
        out = self.sh.run("/t/sysfuzz 100000 2", timeout=900)
        self.assertIn("sysfuzz: 100000 calls in 100 batches", out)
        self.assertEqual(kernel_state(self.sh), before)
        self.assertIn("hello", self.sh.run("/t/hello"))  # and the system still works


if __name__ == "__main__":
    unittest.main()
