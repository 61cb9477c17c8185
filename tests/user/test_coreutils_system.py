"""The system utilities of user/bin/ (uname, date, which, kill, ps, free,
uptime, df, mount, umount, sync, lspci, dmesg, shutdown, reboot, clear,
write), run on the Linux host: each reads the same Linux interfaces
(/proc in Linux's formats, the Linux system calls) that Kestrel provides, so
their output is checked against the host's own tools and files.

Numbers that move between two runs (free memory, used disk space, load)
are compared with a tolerance or by shape; fixed ones (totals, names, ids)
exactly. shutdown and reboot are only ever run with KESTREL_INIT_PID
pointing at a child of the test (never at the host's process 1), and never
with -f, which would call reboot(2) on the host.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403


def host_tool(name):
    """The host's tool NAME, or None (the comparison is then skipped)."""
    return shutil.which(name)


class Uname(UtilTest):
    def test_fields_match_the_host(self):
        u = os.uname()
        self.assertEqual(self.ok("uname"), u.sysname + "\n")
        for opt, want in [("-s", u.sysname), ("-n", u.nodename), ("-r", u.release),
                          ("-v", u.version), ("-m", u.machine)]:
            self.assertEqual(self.ok("uname", opt), want + "\n")
        want = " ".join([u.sysname, u.nodename, u.release, u.version, u.machine]) + "\n"
        self.assertEqual(self.ok("uname", "-a"), want)
        self.assertEqual(self.ok("uname", "-m", "-s"), u.sysname + " " + u.machine + "\n")
        if host_tool("uname"):
            self.assertEqual(self.ok("uname", "-snrvm"), self.run_host("uname", "-snrvm").out)
        self.usage("uname", "-x")
        self.usage("uname", "extra")


class Date(UtilTest):
    def test_now(self):
        before = int(time.time())
        secs = int(self.ok("uname") and self.ok("date", "+%s"))
        self.assertLessEqual(before, secs)
        self.assertLessEqual(secs, int(time.time()))
        frac = self.ok("date", "+%s.%N")
        self.assertRegex(frac, r"^\d+\.\d{9}\n$")
        self.assertEqual(self.ok("date", "+%%N"), "%N\n")
        self.assertRegex(self.ok("date"), r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n$")

    def test_given_time_like_coreutils(self):
        for args in [["-u", "-d", "@0"], ["-d", "@1234567890"],
                     ["-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a %b %Z"],
                     ["-d", "@86399", "+%e|%H|%p"], ["-u", "-d", "@-1"]]:
            with self.subTest(args=args):
                ours = self.ok("date", *args)
                if host_tool("date"):
                    self.assertEqual(ours, self.run_host("date", *args).out)
        self.assertEqual(self.ok("date", "-u", "-d", "@0"), "Thu Jan  1 00:00:00 UTC 1970\n")
        self.assertEqual(self.ok("date", "-d", "@0", "+"), "\n")
        # TZ applies without -u, and -u overrides it
        env = dict(ENV, TZ="EST5")
        self.assertEqual(self.run_util("date", "-d", "@0", "+%H %Z", env=env).out, "19 EST\n")
        self.assertEqual(self.run_util("date", "-u", "-d", "@0", "+%H", env=env).out, "00\n")

    def test_bad_dates(self):
        self.fails("date", "-d", "yesterday", err="date: invalid date 'yesterday'")
        self.fails("date", "-d", "@12x", err="date: invalid date '@12x'")
        # Checked before the clock is touched: no test sets the host's clock.
        self.fails("date", "13011200", err="date: invalid date '13011200'")
        self.fails("date", "1201", err="date: invalid date '1201'")
        self.usage("date", "+%s", "+%s")
        self.usage("date", "-x")


class Which(UtilTest):
    def test_like_command_v(self):
        for name in ["sh", "ls", "cat"]:
            host = subprocess.run(["sh", "-c", "command -v " + name], stdout=subprocess.PIPE,
                                  env=ENV).stdout.decode()
            if host.startswith("/"):
                self.assertEqual(self.ok("which", name), host)

    def test_all_missing_and_paths(self):
        for d in ["one", "two", "three"]:
            os.mkdir(self.path(d))
        for d in ["one", "three"]:
            self.write(d + "/prog", "#!/bin/sh\n")
            os.chmod(self.path(d + "/prog"), 0o755)
        self.write("two/prog", "not executable")
        os.mkdir(self.path("two/dir"))
        os.chmod(self.path("two/dir"), 0o755)
        path = ":".join(self.path(d) for d in ["one", "two", "three"])
        env = dict(ENV, PATH=path)
        r = self.run_util("which", "prog", env=env)
        self.assertEqual((r.status, r.out), (0, self.path("one/prog") + "\n"))
        r = self.run_util("which", "-a", "prog", env=env)
        self.assertEqual(r.out, self.path("one/prog") + "\n" + self.path("three/prog") + "\n")
        r = self.run_util("which", "nope", "prog", "dir", env=env)
        self.assertEqual((r.status, r.out, r.err), (1, self.path("one/prog") + "\n", ""))
        r = self.run_util("which", "./one/prog", "./two/prog", env=env)
        self.assertEqual((r.status, r.out), (1, "./one/prog\n"))
        # an empty entry in PATH is the current directory
        r = self.run_util("which", "prog", env=dict(ENV, PATH="/nonexistent::"),)
        self.assertEqual(r.status, 1)
        self.usage("which")
        self.usage("which", "-x", "sh")


class Kill(UtilTest):
    def child(self, preexec_fn=None, **kw):
        def start():
            # The signals sent must end the child whatever the test runner
            # inherited (under nohup, SIGHUP is ignored, and so by sleep).
            for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):
                signal.signal(sig, signal.SIG_DFL)
            if preexec_fn:
                preexec_fn()
        p = subprocess.Popen(["sleep", "30"], preexec_fn=start, **kw)
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait()))
        return p

    def test_list(self):
        out = self.ok("kill", "-l")
        self.assertTrue(out.startswith("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV"), out)
        if os.path.exists("/bin/kill"):
            host = self.run_host("/bin/kill", "-l")
            if host.status == 0 and host.out.startswith("HUP"):
                self.assertEqual(out, host.out)
        self.assertEqual(self.ok("kill", "-l", "15", "143", "KILL", "sigusr1"),
                         "TERM\nTERM\n9\n10\n")
        self.assertEqual(self.ok("kill", "-l9"), "KILL\n")
        r = self.fails("kill", "-l", "99", "HUP", err="kill: 99: unknown signal")
        self.assertEqual(r.out, "1\n")

    def test_signals_reach_a_child(self):
        for args, sig in [([], signal.SIGTERM), (["-9"], signal.SIGKILL),
                          (["-s", "INT"], signal.SIGINT), (["-USR1"], signal.SIGUSR1),
                          (["-SIGHUP"], signal.SIGHUP), (["-s", "15"], signal.SIGTERM)]:
            with self.subTest(args=args):
                p = self.child()
                self.ok("kill", *(args + [str(p.pid)]), out="")
                self.assertEqual(p.wait(timeout=10), -sig)
        p = self.child()
        self.ok("kill", "-0", str(p.pid))
        self.assertIsNone(p.poll())

    def test_process_group(self):
        a = self.child(preexec_fn=lambda: os.setpgid(0, 0))
        b = subprocess.Popen(["sleep", "30"], preexec_fn=lambda: os.setpgid(0, a.pid))
        self.addCleanup(lambda: (b.poll() is None and b.kill(), b.wait()))
        self.ok("kill", "-KILL", "--", "-%d" % a.pid)
        self.assertEqual(a.wait(timeout=10), -signal.SIGKILL)
        self.assertEqual(b.wait(timeout=10), -signal.SIGKILL)

    def test_errors(self):
        p = self.child()
        r = self.fails("kill", "999999999", str(p.pid), "x1",
                       err=["kill: 999999999: No such process", "kill: x1: not a process id"])
        self.assertEqual(p.wait(timeout=10), -signal.SIGTERM)
        self.assertEqual(r.out, "")
        self.usage("kill")
        self.usage("kill", "-FOO", "1")
        self.usage("kill", "-s")
        self.usage("kill", "-s", "NOPE", "1")


class Ps(UtilTest):
    def test_finds_its_own_process_and_a_child(self):
        out = self.ok("ps", "-e")
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["PID", "PPID", "STAT", "TIME", "CMD"])
        rows = [l.split(None, 4) for l in lines[1:]]
        mine = [r for r in rows if r[4] == "ps" and r[1] == str(os.getpid())]
        self.assertEqual(len(mine), 1, out)
        self.assertEqual(mine[0][2], "R")
        pids = [int(r[0]) for r in rows]
        self.assertEqual(pids, sorted(pids))
        self.assertIn(1, pids)
        self.assertEqual(self.ok("ps", "-A").splitlines()[0], lines[0])

    def test_full_and_pid_list(self):
        p = subprocess.Popen(["sleep", "30"])
        self.addCleanup(lambda: (p.kill(), p.wait()))
        out = self.ok("ps", "-f", "-p", "%d,%d" % (p.pid, os.getpid()))
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["UID", "PID", "PPID", "PSR", "STAT", "TIME", "CMD"])
        self.assertEqual(len(lines), 3, out)
        row = [l for l in lines if l.split()[1] == str(p.pid)][0].split(None, 6)
        self.assertEqual(row[0], "root" if os.geteuid() == 0 else str(os.geteuid()))
        self.assertEqual(row[2], str(os.getpid()))
        self.assertEqual(row[6], "sleep 30")
        self.assertRegex(row[5], r"^\d\d:\d\d:\d\d$")
        if host_tool("ps"):
            host = self.run_host("ps", "-o", "pid=,ppid=,comm=", "-p", str(p.pid)).out.split()
            self.assertEqual(host, [str(p.pid), str(os.getpid()), "sleep"])
        # PSR: the CPU it last ran on (field 39 of /proc/PID/stat).
        self.assertLess(int(row[3]), os.cpu_count())

    def test_nothing_selected_and_usage(self):
        r = self.fails("ps", "-p", "999999999")
        self.assertEqual(r.out.split(), ["PID", "PPID", "STAT", "TIME", "CMD"])
        self.usage("ps", "-p", "abc")
        self.usage("ps", "-x")


def meminfo():
    with open("/proc/meminfo") as f:
        return {l.split(":")[0]: int(l.split()[1]) for l in f}


class Free(UtilTest):
    def test_layout_and_totals(self):
        m = meminfo()
        out = self.ok("free")
        lines = out.splitlines()
        self.assertEqual(lines[0], "               total        used        free      shared"
                                   "  buff/cache   available")
        self.assertEqual(len(lines), 3)
        mem, swap = lines[1].split(), lines[2].split()
        self.assertEqual(mem[0], "Mem:")
        self.assertEqual(int(mem[1]), m["MemTotal"])
        self.assertEqual(swap[:2], ["Swap:", str(m.get("SwapTotal", 0))])
        self.assertEqual(int(self.ok("free", "-m").split()[7]), m["MemTotal"] // 1024)
        self.assertEqual(int(self.ok("free", "-b").split()[7]), m["MemTotal"] * 1024)
        self.assertEqual(int(self.ok("free", "-g").split()[7]), m["MemTotal"] >> 20)
        self.assertRegex(self.ok("free", "-h").splitlines()[1],
                         r"^Mem:( +[\d.]+(B|Ki|Mi|Gi|Ti)){6}$")
        if host_tool("free"):
            host = self.run_host("free").out.splitlines()
            self.assertEqual(host[0], lines[0])
            # the columns line up with procps' (the numbers move between runs)
            self.assertEqual([m.end() for m in re.finditer(r"\S+", host[1])],
                             [m.end() for m in re.finditer(r"\S+", lines[1])])
            self.assertEqual(host[1].split()[1], mem[1])
        self.usage("free", "-x")


class Uptime(UtilTest):
    def test_uptime(self):
        out = self.ok("uptime")
        self.assertRegex(out, r"^ \d\d:\d\d:\d\d up (\d+ days?, )?( ?\d+:\d\d|\d+ min),  "
                              r"load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\n$")
        # Units from weeks down, comma-separated; 0 minutes is left out after a
        # larger unit, as procps does ("up 12 hours" on the hour).
        unit_end = r"(, (?=\d)|(?=\n))"
        self.assertRegex(self.ok("uptime", "-p"),
                         r"\Aup (?!\n)(\d+ weeks?%s)?(\d+ days?%s)?(\d+ hours?%s)?"
                         r"(\d+ minutes?)?\n\Z" % (unit_end, unit_end, unit_end))
        with open("/proc/uptime") as f:
            up = float(f.read().split()[0])
        boot = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - up))
        ours = self.ok("uptime", "-s").strip()
        diff = abs(time.mktime(time.strptime(ours, "%Y-%m-%d %H:%M:%S")) -
                   time.mktime(time.strptime(boot, "%Y-%m-%d %H:%M:%S")))
        self.assertLessEqual(diff, 2, (ours, boot))
        if host_tool("uptime"):
            # procps also counts users from utmp, a field ours leaves out; the
            # clock may tick between the two runs, so a few tries are allowed
            for _ in range(3):
                ours = self.ok("uptime").split("load")[0]
                host = re.sub(r"\d+ users?,  ", "", self.run_host("uptime").out).split("load")[0]
                if ours == host:
                    break
            self.assertEqual(ours, host)
        self.usage("uptime", "-x")


class Df(UtilTest):
    def test_root_like_the_host(self):
        out = self.ok("df", "/")
        self.assertEqual(out.splitlines()[0].split(),
                         ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted", "on"])
        row = out.splitlines()[1].split()
        st = os.statvfs("/")
        self.assertEqual(int(row[1]), st.f_blocks * st.f_frsize // 1024)
        self.assertEqual(row[5], "/")
        if host_tool("df"):
            host = self.run_host("df", "/").out.splitlines()
            self.assertEqual(host[0], out.splitlines()[0])
            hrow = host[1].split()
            self.assertEqual((hrow[0], hrow[1], hrow[5]), (row[0], row[1], row[5]))
            for i in (2, 3):  # used and available move as other programs write
                self.assertLess(abs(int(hrow[i]) - int(row[i])), int(row[1]) // 100 + 1024)
            hh = self.run_host("df", "-h", "/").out.splitlines()
            oh = self.ok("df", "-h", "/").splitlines()
            self.assertEqual(hh[0], oh[0])
            self.assertEqual(hh[1].split()[1], oh[1].split()[1])
            self.assertEqual(self.run_host("df", "-T", "/").out.splitlines()[1].split()[:3],
                             self.ok("df", "-T", "/").splitlines()[1].split()[:3])

    def test_all_mounts_and_errors(self):
        out = self.ok("df")
        self.assertTrue(any(l.endswith(" /") for l in out.splitlines()), out)
        self.assertNotIn(" /proc\n", out)  # size 0: only with -a
        self.assertIn(" /proc\n", self.ok("df", "-a"))
        self.assertRegex(self.ok("df", "/proc"), r"\n\S+ +0 +0 +0 +- /proc\n$")
        r = self.fails("df", "/", "nope", err="df: nope: " + ENOENT)
        self.assertEqual(len(r.out.splitlines()), 2)
        self.usage("df", "-x")


class MountUmountSync(UtilTest):
    def test_list_like_proc_mounts(self):
        want = []
        with open("/proc/mounts") as f:
            for line in f:
                src, d, t, o = [re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), x)
                                for x in line.split()[:4]]
                want.append("%s on %s type %s (%s)" % (src, d, t, o))
        self.assertEqual(self.ok("mount").splitlines(), want)
        self.assertEqual(self.ok("mount", "-t", "proc").splitlines(),
                         [l for l in want if " type proc " in l])

    def test_mount_and_umount(self):
        os.mkdir(self.path("m"))
        r = self.run_util("mount", "-t", "tmpfs", "-o", "ro,size=1m", "kestrel-test",
                          self.path("m"))
        if r.status != 0:
            self.assertIn("Operation not permitted", r.err)
            self.skipTest("mount(2) not allowed here: " + r.err)
        self.addCleanup(lambda: os.path.ismount(self.path("m")) and
                        subprocess.run(["umount", self.path("m")]))
        self.assertTrue(os.path.ismount(self.path("m")))
        self.assertIn("kestrel-test on %s type tmpfs (ro," % self.path("m"), self.ok("mount"))
        self.fails("write", "m/f", "x", err="write: m/f: Read-only file system")
        self.ok("mount", "-o", "remount,rw", "kestrel-test", self.path("m"))
        self.ok("write", "m/f", "x")
        self.ok("umount", self.path("m"), out="")
        self.assertFalse(os.path.ismount(self.path("m")))

    def test_errors(self):
        os.mkdir(self.path("m"))
        self.fails("umount", self.path("m"), err="umount: %s: Invalid argument" % self.path("m"))
        self.fails("umount", "nope", err="umount: nope: " + ENOENT)
        self.fails("mount", "-t", "tmpfs", "x", "nope", err="mount: nope: " + ENOENT)
        self.usage("mount", "a", "b", "c")
        self.usage("mount", "-t")
        self.usage("umount")

    def test_sync(self):
        self.write("f", "data")
        self.ok("sync", out="")
        self.ok("sync", "f", ".", out="")
        self.fails("sync", "f", "nope", err="sync: nope: " + ENOENT)


class Lspci(UtilTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists("/proc/bus/pci/devices"):
            self.skipTest("no /proc/bus/pci/devices on this host")

    def test_against_sysfs(self):
        with open("/proc/bus/pci/devices") as f:
            lines = f.read().splitlines()
        out = self.ok("lspci", "-n").splitlines()
        self.assertEqual(len(out), len(lines))
        for line, ours in zip(lines, out):
            bdf, ids = int(line.split()[0], 16), line.split()[1]
            slot = "%02x:%02x.%x" % (bdf >> 8, (bdf & 0xff) >> 3, bdf & 7)
            want = "%s %s: %s:%s" % (slot, "[0-9a-f?]{4}", ids[:4], ids[4:])
            self.assertRegex(ours, "^" + want + r"( \(rev [0-9a-f]{2}\))?$")
            sysfs = "/sys/bus/pci/devices/0000:" + slot
            if os.path.exists(sysfs + "/class"):
                with open(sysfs + "/class") as f:
                    self.assertEqual(ours.split()[1], f.read().strip()[2:6] + ":")
        names = self.ok("lspci").splitlines()
        self.assertEqual([l.split()[0] for l in names], [l.split()[0] for l in out])
        both = self.ok("lspci", "-nn").splitlines()
        self.assertTrue(all(re.search(r"\[[0-9a-f]{4}:[0-9a-f]{4}\]", l) for l in both), both)
        self.usage("lspci", "-x")


class Dmesg(UtilTest):
    def test_log(self):
        r = self.run_util("dmesg")
        if r.status != 0:
            # reading the log may need privilege on Linux: say so, honestly
            self.assertEqual((r.status, r.err), (1, "dmesg: syslog: Operation not permitted\n"))
            self.skipTest("syslog(2) not permitted here")
        raw = self.ok("dmesg", "-r").splitlines()
        self.assertTrue(all(re.match(r"<\d+>", l) for l in raw[:20]), raw[:5])
        plain = r.out.splitlines()
        self.assertEqual(plain[:20], [re.sub(r"^<\d+>", "", l) for l in raw[:20]])
        errs = self.ok("dmesg", "-l", "err,3,warn").splitlines()
        want = [re.sub(r"^<\d+>", "", l) for l in raw if re.match(r"<(\d+)>", l) and
                int(re.match(r"<(\d+)>", l).group(1)) & 7 in (3, 4)]
        self.assertEqual(errs[:10], want[:10])
        if host_tool("dmesg"):
            host = self.run_host("dmesg", "-S")
            if host.status == 0:
                self.assertEqual(host.out.splitlines()[:10], plain[:10])
        self.usage("dmesg", "-l", "loud")
        self.usage("dmesg", "x")


class ShutdownReboot(UtilTest):
    def signalled(self, prog, *args):
        p = subprocess.Popen(["sleep", "30"])
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait()))
        r = self.run_util(prog, *args, env=dict(ENV, KESTREL_INIT_PID=str(p.pid)))
        self.assertEqual((r.status, r.out, r.err), (0, "", ""))
        return -p.wait(timeout=10)

    def test_init_is_asked_by_signal(self):
        self.assertEqual(self.signalled("reboot"), signal.SIGTERM)
        self.assertEqual(self.signalled("shutdown"), signal.SIGUSR2)
        self.assertEqual(self.signalled("shutdown", "-h", "now"), signal.SIGUSR2)
        self.assertEqual(self.signalled("shutdown", "-r", "+0"), signal.SIGTERM)
        self.assertEqual(self.signalled("shutdown", "-H"), signal.SIGUSR1)
        self.assertEqual(self.signalled("reboot", "-P"), signal.SIGUSR2)

    def test_errors(self):
        env = dict(ENV, KESTREL_INIT_PID="999999999")
        r = self.run_util("reboot", env=env)
        self.assertEqual((r.status, r.err),
                         (1, "reboot: cannot signal init (process 999999999): No such process\n"))
        r = self.run_util("shutdown", "23:00", env=env)
        self.assertEqual(r.status, 2)
        self.assertIn('shutdown: 23:00: only "now" is supported\n', r.err)
        r = self.run_util("shutdown", "-x", env=env)
        self.assertEqual(r.status, 2)


class ClearWrite(UtilTest):
    def test_clear(self):
        r = self.ok("clear", out="\x1b[H\x1b[2J\x1b[3J")
        if host_tool("clear"):
            host = subprocess.run(["clear"], stdout=subprocess.PIPE, env=dict(ENV, TERM="xterm"))
            if host.returncode == 0:
                self.assertEqual(host.stdout.decode(), r)
        self.usage("clear", "x")

    def test_write(self):
        self.ok("write", "f", "hello,", "world", out="")
        self.assertEqual(self.read("f"), "hello, world\n")
        self.ok("write", "f", "short")
        self.assertEqual(self.read("f"), "short\n")
        self.ok("write", "empty")
        self.assertEqual(self.read("empty"), "\n")
        self.assertEqual(os.stat(self.path("empty")).st_mode & 0o777, 0o644 & ~0o022)
        self.fails("write", "no/f", "x", err="write: no/f: " + ENOENT)
        os.mkdir(self.path("d"))
        self.fails("write", "d", "x", err="write: d: Is a directory")
        self.usage("write")


if __name__ == "__main__":
    unittest.main()
