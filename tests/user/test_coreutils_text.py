"""The core utilities of user/bin/ that read and show text and metadata, run
on the Linux host (the file tools are in test_coreutils_files.py).

They are static musl binaries, so the very files Kestrel runs also run here:
each test runs build/user/bin/NAME (or $USERBIN/NAME, as `make check-user`
sets it) in a fresh temporary directory and checks its output, its messages
("prog: path: reason") and its exit status. Where GNU coreutils (or
util-linux's hexdump) behave the same for the options tested, the output is
also compared with the host's own tool, run with LC_ALL=C and TZ=UTC.
Builds nothing: make builds the binaries first.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403


class Wc(UtilTest):
    def test_counts(self):
        self.write("a", "hello world\n")
        self.write("b", "one two  three\nfour\n\n  five")
        for args in [["a"], ["a", "b"], ["-l", "a"], ["-w", "b"], ["-c", "b"], ["-lw", "a", "b"],
                     ["-m", "a"], ["-cl", "b"]]:
            with self.subTest(args=args):
                self.same("wc", *args)
        self.assertEqual(self.same("wc", "a"), " 1  2 12 a\n")
        self.assertEqual(self.same("wc", stdin="x y\nz\n"), "      2       3       6\n")
        self.assertEqual(self.same("wc", "-l", stdin="x y\nz\n"), "2\n")
        self.assertEqual(self.same("wc", "-w", "b", "-", stdin="s t\n"),
                         "      5 b\n      2 -\n      7 total\n")

    def test_errors(self):
        self.write("a", "x\n")
        r = self.fails("wc", "-l", "a", "nope", err="wc: nope: " + ENOENT)
        self.assertEqual(r.out, "1 a\n1 total\n")
        self.usage("wc", "-q")


class HeadTail(UtilTest):
    def setUp(self):
        super().setUp()
        self.write("n", "".join("%d\n" % i for i in range(1, 21)))
        self.write("short", "a\nb")

    def test_head(self):
        for args in [["n"], ["-n", "3", "n"], ["-n3", "n"], ["-2", "n"], ["-n", "0", "n"],
                     ["-n", "5", "short"], ["-n", "2", "n", "short"], ["n", "short"]]:
            with self.subTest(args=args):
                self.same("head", *args)
        self.assertEqual(self.same("head", "-n", "1", stdin="x\ny\n"), "x\n")

    def test_tail(self):
        for args in [["n"], ["-n", "3", "n"], ["-n3", "n"], ["-2", "n"], ["-n", "0", "n"],
                     ["-n", "+18", "n"], ["-n", "+1", "short"], ["-n", "1", "short"],
                     ["-n", "5", "short"], ["-n", "2", "n", "short"]]:
            with self.subTest(args=args):
                self.same("tail", *args)
        self.assertEqual(self.same("tail", "-n", "1", stdin="x\ny\n"), "y\n")
        big = "".join("line %d\n" % i for i in range(100000))
        self.assertEqual(self.same("tail", "-n", "2", stdin=big), "line 99998\nline 99999\n")

    def test_errors(self):
        for prog in ["head", "tail"]:
            with self.subTest(prog=prog):
                r = self.fails(prog, "-n", "1", "nope", "short",
                               err="%s: nope: %s" % (prog, ENOENT))
                self.assertIn("==> short <==\n", r.out)
                self.usage(prog, "-n", "x")
                self.usage(prog, "-n")


class Tee(UtilTest):
    def test_tee(self):
        self.ok("tee", "a", "b", stdin="data\n", out="data\n")
        self.assertEqual(self.read("a"), "data\n")
        self.assertEqual(self.read("b"), "data\n")
        self.ok("tee", "-a", "a", stdin="more\n", out="more\n")
        self.assertEqual(self.read("a"), "data\nmore\n")
        self.ok("tee", "b", stdin="", out="")
        self.assertEqual(self.read("b"), "")
        self.ok("tee", "-i", stdin="x", out="x")

    def test_errors_carry_on(self):
        r = self.fails("tee", "no/dir", "ok", stdin="y\n", err="tee: no/dir: " + ENOENT)
        self.assertEqual(r.out, "y\n")
        self.assertEqual(self.read("ok"), "y\n")
        self.usage("tee", "-z")


class Sort(UtilTest):
    LINES = "pear\nApple\n10\n9\n-3\n2.5\napple\n\nbanana\n  7\npear\n-0\n0\nx1\n"

    def test_options(self):
        self.write("f", self.LINES)
        for args in [[], ["-r"], ["-n"], ["-rn"], ["-u"], ["-nu"], ["-ru"], ["-n", "-r", "-u"]]:
            with self.subTest(args=args):
                self.same("sort", *(args + ["f"]))
        self.assertEqual(self.ok("sort", "-n", stdin="10\n9\n-1\n1.5\n"), "-1\n1.5\n9\n10\n")
        self.assertEqual(self.ok("sort", "-u", stdin="b\na\nb\n"), "a\nb\n")

    def test_numeric_big_and_stable_unique(self):
        nums = "123456789012345678901234567890\n99\n-123456789012345678901234567891\n0.001\n.5\n"
        self.same("sort", "-n", stdin=nums)
        # -nu keeps the first of equal numbers, as they came
        self.assertEqual(self.same("sort", "-nu", stdin="2 b\n1 z\n2 a\n1 y\n"), "1 z\n2 b\n")

    def test_files_merged_output_and_no_newline(self):
        self.write("a", "c\na")
        self.write("b", "b\n")
        self.assertEqual(self.same("sort", "a", "b"), "a\nb\nc\n")
        self.ok("sort", "-o", "a", "a", "b")
        self.assertEqual(self.read("a"), "a\nb\nc\n")
        lines = ["%05d" % ((i * 7919) % 50000) for i in range(50000)]
        self.assertEqual(self.ok("sort", stdin="\n".join(lines) + "\n"),
                         "\n".join(sorted(lines)) + "\n")

    def test_errors(self):
        self.fails("sort", "nope", status=2, err="sort: nope: " + ENOENT)
        self.usage("sort", "-k")


class Uniq(UtilTest):
    TEXT = "a\na\nb\na\nc\nc\nc\n\n\nd"

    def test_options(self):
        self.write("t", self.TEXT)
        for args in [[], ["-c"], ["-d"], ["-u"], ["-cd"], ["-cu"]]:
            with self.subTest(args=args):
                self.same("uniq", *(args + ["t"]))
        self.assertEqual(self.ok("uniq", "-c", stdin="x\nx\ny\n"), "      2 x\n      1 y\n")
        self.assertEqual(self.ok("uniq", stdin="x\nx"), "x\n")

    def test_output_file_and_errors(self):
        self.write("t", "q\nq\n")
        self.ok("uniq", "t", "out", out="")
        self.assertEqual(self.read("out"), "q\n")
        self.fails("uniq", "nope", err="uniq: nope: " + ENOENT)
        self.usage("uniq", "a", "b", "c")


class Grep(UtilTest):
    def setUp(self):
        super().setUp()
        self.write("a", "Hello world\nhello again\nbye\nHELLO\n")
        self.write("b", "nothing\nhello b\n")

    def test_options(self):
        for args in [["hello", "a"], ["-i", "hello", "a"], ["-v", "hello", "a"],
                     ["-n", "hello", "a"], ["-c", "hello", "a"], ["-ic", "hello", "a"],
                     ["-vn", "hello", "a"], ["-vc", "HELLO", "a"], ["hello", "a", "b"],
                     ["-c", "hello", "a", "b"], ["-h", "hello", "a", "b"],
                     ["-H", "bye", "a"], ["-l", "hello", "a", "b"], ["-in", "^h.*o$", "a"],
                     ["-E", "wor|aga", "a"], ["-F", "o w", "a"], ["-iF", "HELLO B", "b"],
                     ["-e", "bye", "-e", "again", "a"], ["hel*o", "a"], ["-E", "l{2}o w", "a"],
                     ["-n", "", "b"]]:
            with self.subTest(args=args):
                self.same("grep", *args)
        self.assertEqual(self.same("grep", "-n", "b", stdin="a\nb\n"), "2:b\n")
        self.assertEqual(self.same("grep", "-c", "z", "-", stdin="a\n", status=1), "0\n")

    def test_exit_statuses(self):
        self.assertEqual(self.same("grep", "-q", "bye", "a"), "")
        self.same("grep", "zzz", "a", status=1)
        self.same("grep", "-q", "zzz", "a", status=1)
        self.fails("grep", "x", "nope", status=2, err="grep: nope: " + ENOENT)
        r = self.fails("grep", "bye", "nope", "a", status=2, err="grep: nope: " + ENOENT)
        self.assertEqual(r.out, "a:bye\n")
        self.assertEqual(self.run_util("grep", "-q", "bye", "nope", "a").status, 0)
        r = self.fails("grep", "-s", "bye", "nope", status=2)
        self.assertEqual(r.err, "")
        self.fails("grep", "-E", "a{", "a", status=2)
        self.fails("grep", "\\(", "a", status=2)
        self.usage("grep")
        self.usage("grep", "-y", "x")


class Sleep(UtilTest):
    def test_sleep(self):
        start = time.monotonic()
        self.ok("sleep", "0.3", out="")
        self.ok("sleep", "0.1", "0.1s")
        self.assertGreaterEqual(time.monotonic() - start, 0.5)
        self.ok("sleep", "0")
        self.usage("sleep", "-1")  # an unknown option
        for bad in ["x", "1q", "", "0x10", "inf", "1..2"]:
            with self.subTest(arg=bad):
                r = self.fails("sleep", bad, status=2)
                self.assertIn("sleep: %s: invalid time interval" % bad, r.err)
        self.usage("sleep")


class Env(UtilTest):
    def test_print_and_modify(self):
        out = self.ok("env")
        self.assertIn("LC_ALL=C\n", out)
        self.assertEqual(self.ok("env", "-i"), "")
        self.assertEqual(self.ok("env", "-i", "A=1", "B=two words"), "A=1\nB=two words\n")
        out = self.ok("env", "-u", "LC_ALL", "X=y")
        self.assertNotIn("LC_ALL=", out)
        self.assertIn("X=y\n", out)
        self.assertEqual(self.ok("env", "-", "Q=1"), "Q=1\n")

    def test_runs_a_utility(self):
        env_bin = os.path.join(USERBIN, "env")
        self.assertEqual(self.ok("env", "-i", "Z=9", env_bin), "Z=9\n")
        self.assertEqual(self.ok("env", "PATH=" + USERBIN, "echo", "-n", "hi"), "hi")
        r = self.run_util("env", "PATH=" + USERBIN, "false")
        self.assertEqual(r.status, 1)
        self.fails("env", "no-such-utility", status=127,
                   err="env: no-such-utility: " + ENOENT)
        self.write("noexec", "#!/bin/sh\n")
        self.fails("env", "./noexec", status=126, err="env: ./noexec: Permission denied")
        self.usage("env", "-u")


class Crc32(UtilTest):
    def test_matches_zlib(self):
        blobs = {"empty": b"", "hello": b"hello world\n", "big": os.urandom(200000)}
        for name, data in blobs.items():
            self.write(name, data)
        out = self.ok("crc32", "empty", "hello", "big")
        want = "".join("%08x  %s\n" % (zlib.crc32(d), n) for n, d in blobs.items())
        self.assertEqual(out, want)
        self.assertEqual(out.splitlines()[0], "00000000  empty")
        self.assertEqual(self.ok("crc32", stdin="hello world\n"),
                         "%08x  -\n" % zlib.crc32(b"hello world\n"))

    def test_errors(self):
        self.write("a", "a")
        r = self.fails("crc32", "nope", "a", err="crc32: nope: " + ENOENT)
        self.assertEqual(r.out, "%08x  a\n" % zlib.crc32(b"a"))
        os.mkdir(self.path("d"))
        self.fails("crc32", "d", err="crc32: d: Is a directory")


class Hexdump(UtilTest):
    def test_canonical_and_default(self):
        cases = {"abc": b"abc", "line": b"hello world\n", "sixteen": bytes(range(16)),
                 "bytes": bytes(range(256)) * 3, "zeros": bytes(100),
                 "repeat": b"0123456789abcdef" * 5 + b"xyz", "odd": b"A" * 33,
                 "empty": b"", "random": os.urandom(5000)}
        for name, data in cases.items():
            self.write(name, data)
            for args in [["-C"], [], ["-C", "-v"], ["-v"]]:
                with self.subTest(file=name, args=args):
                    self.same("hexdump", *(args + [name]))
        self.assertEqual(self.ok("hexdump", "-C", "line"),
                         "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a"
                         "              |hello world.|\n0000000c\n")
        self.assertEqual(self.ok("hexdump", "-C", "zeros"),
                         "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
                         "  |................|\n*\n00000060  00 00 00 00"
                         "                                       |....|\n00000064\n")
        self.assertEqual(self.ok("hexdump", "abc"), "0000000 6261 0063" + " " * 30 + "\n0000003\n")

    def test_several_files_and_stdin(self):
        self.write("a", b"A" * 10)
        self.write("b", b"B" * 10)
        self.same("hexdump", "-C", "a", "b")
        self.same("hexdump", "-C", stdin="from stdin")
        self.fails("hexdump", "nope", err="hexdump: nope: " + ENOENT)
        self.usage("hexdump", "-x")


class Stat(UtilTest):
    def test_default_layout(self):
        self.write("f", "hello world\n")
        os.chmod(self.path("f"), 0o640)
        os.utime(self.path("f"), (86400, 86400 * 2 + 3661))
        ours = self.ok("stat", "f").splitlines()
        host = self.run_host("stat", "f").out.splitlines() if shutil.which("stat") else ours
        self.assertEqual(ours[0], "  File: f")
        self.assertRegex(ours[1], r"^  Size: 12        \tBlocks: \d+ +IO Block: \d+ +regular file$")
        self.assertRegex(ours[2], r"^Device: \d+,\d+\tInode: \d+ +Links: 1 *$")
        uid, gid = os.getuid(), os.getgid()
        self.assertIn("Access: (0640/-rw-r-----)  Uid: (%5d/" % uid, ours[3])
        self.assertIn("Gid: (%5d/" % gid, ours[3])
        self.assertEqual(ours[4], "Access: 1970-01-02 00:00:00.000000000 +0000")
        self.assertEqual(ours[5], "Modify: 1970-01-03 01:01:01.000000000 +0000")
        self.assertRegex(ours[6], r"^Change: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000$")
        self.assertEqual(ours[7], " Birth: -")
        for i in (0, 1, 2, 4, 5):  # the lines GNU stat prints the same way
            self.assertEqual(ours[i], host[i])
        if uid == 0 and gid == 0:
            self.assertEqual(ours[3], host[3])

    def test_types_links_and_format(self):
        self.write("f", "")
        os.mkdir(self.path("d"))
        os.symlink("f", self.path("l"))
        self.assertIn("regular empty file", self.ok("stat", "f"))
        self.assertIn("directory", self.ok("stat", "d"))
        self.assertEqual(self.ok("stat", "l").splitlines()[0], "  File: l -> f")
        fmt = "%n|%N|%s|%a|%A|%F|%h|%u|%g|%%"
        for args in [["-c", fmt, "f", "d", "l"], ["-L", "-c", fmt, "l"],
                     ["-c", "%i %b %B %X %Y %Z %d", "f"]]:
            with self.subTest(args=args):
                self.same("stat", *args)
        self.assertEqual(self.ok("stat", "-c", "%n %s", "l"), "l 1\n")
        self.assertEqual(self.ok("stat", "-L", "-c", "%F", "l"), "regular empty file\n")

    def test_errors(self):
        self.write("f", "")
        r = self.fails("stat", "-c", "%n", "nope", "f", err="stat: nope: " + ENOENT)
        self.assertEqual(r.out, "f\n")
        self.fails("stat", "-c", "%Q", "f", status=2, err="stat: %Q: unknown format directive")
        self.usage("stat")


class Ls(UtilTest):
    def setUp(self):
        super().setUp()
        self.write("d/b", "bee\n")
        self.write("d/a", "")
        self.write("d/.hidden", "h")
        self.write("d/sub/x", "x" * 5000)
        os.mkdir(self.path("d/sub/y"))
        os.mkdir(self.path("d/empty"))
        os.symlink("b", self.path("d/link"))
        os.symlink("../d", self.path("d/sub/cycle"))  # -R must not follow it
        os.symlink("nowhere", self.path("d/dangling"))
        os.link(self.path("d/b"), self.path("d/B"))
        os.chmod(self.path("d/a"), 0o4755)
        os.chmod(self.path("d/empty"), 0o1777)
        for root, dirs, files in os.walk(self.path("d")):
            for n in dirs + files:
                os.utime(os.path.join(root, n), (0, 1000000), follow_symlinks=False)
        os.utime(self.path("d/b"), (0, time.time() - 100))  # a recent one: the time, not the year

    def same_ls(self, *args):
        ours = self.run_util("ls", *args)
        self.assertEqual((ours.status, ours.err), (0, ""), ours)
        if shutil.which("ls"):
            # GNU ls prints names for ids: ours shows "root" for 0, numbers otherwise
            names = os.getuid() == 0 and os.getgid() == 0
            has_l = any(a.startswith("-") and "l" in a for a in args)
            host = self.run_host("ls", *(["-n"] if has_l and not names else []) + list(args))
            self.assertEqual(ours.out, host.out, "ls %s" % " ".join(args))
        return ours.out

    def test_plain_all_one_and_operands(self):
        self.assertEqual(self.same_ls("d"), "B\na\nb\ndangling\nempty\nlink\nsub\n")
        self.assertEqual(self.same_ls("-a", "d").split("\n")[:3], [".", "..", ".hidden"])
        self.same_ls("-1", "d")
        self.same_ls("-1a", "d/sub")
        self.same_ls("d/b", "d/a", "d/sub", "d/empty")
        self.same_ls("-d", "d", "d/sub")
        self.same_ls("d/link", "d/dangling")
        os.symlink("d", self.path("dirlink"))
        self.same_ls("dirlink")  # an operand link is followed to its directory
        self.same_ls("-l", "dirlink")  # but not with -l
        self.assertEqual(self.same_ls(), "d\ndirlink\n")

    def test_long(self):
        out = self.same_ls("-l", "d")
        self.assertIn("lrwxrwxrwx", out)
        self.assertIn(" link -> b\n", out)
        self.assertIn("-rwsr-xr-x", out)
        self.assertIn("drwxrwxrwt", out)
        self.assertRegex(out, r"-rw-r--r-- +2 .* 4 \w{3} [ \d]\d \d\d:\d\d b\n")
        self.assertIn(" Jan 12  1970 a\n", out)
        self.assertTrue(out.startswith("total "))
        self.same_ls("-la", "d")
        self.same_ls("-l", "d/b", "d/link", "d/sub")
        self.same_ls("-ld", "d", "d/sub")

    def test_recursive(self):
        out = self.same_ls("-R", "d")
        self.assertIn("d/sub:\ncycle\nx\ny\n\nd/sub/y:\n", out)
        self.assertNotIn("d/sub/cycle:", out)
        self.same_ls("-lR", "d")
        self.same_ls("-aR", "d/sub")
        self.same_ls("-R", "d/sub/", "d/empty")
        self.same_ls("-R1")

    def test_columns_on_a_terminal(self):
        for i in range(40):
            self.write("c/name%02d%s" % (i, "x" * (i % 7)), "")
        for args in [["c"], ["-a", "c"], ["d"]]:
            outs = []
            for exe in [os.path.join(USERBIN, "ls"), shutil.which("ls")]:
                if not exe:
                    continue
                master, slave = pty.openpty()
                p = subprocess.Popen([exe] + args, stdout=slave, stderr=slave, cwd=self.dir,
                                     env=dict(ENV, COLUMNS="80"))
                os.close(slave)
                data = b""
                while True:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                os.close(master)
                p.wait()
                outs.append(data)
            with self.subTest(args=args):
                self.assertGreater(outs[0].count(b"\n"), 0)
                self.assertLess(outs[0].count(b"\n"), 10)  # columns, not one per line
                if len(outs) == 2:
                    self.assertEqual(outs[0], outs[1])
        # not a terminal, or -1: one per line
        self.assertEqual(self.ok("ls", "c").count("\n"), 40)

    def test_errors(self):
        r = self.fails("ls", "nope", "d/a", err="ls: nope: " + ENOENT)
        self.assertEqual(r.out, "d/a\n")
        if os.geteuid() != 0:
            os.chmod(self.path("d/sub"), 0)
            r = self.fails("ls", "-R", "d", err="ls: d/sub: Permission denied")
            os.chmod(self.path("d/sub"), 0o755)
        self.usage("ls", "-Z")



class Yes(UtilTest):
    def yes(self, *args, nbytes=200000):
        """The first NBYTES of `yes ARGS` (its pipe is then closed: SIGPIPE)."""
        r = subprocess.run("%s %s | head -c %d" % (os.path.join(USERBIN, "yes"), " ".join(args),
                                                    nbytes),
                           shell=True, stdout=subprocess.PIPE, timeout=30)
        return r.stdout.decode()

    def test_lines_until_the_reader_goes(self):
        out = self.yes()
        self.assertEqual(out, "y\n" * 100000)
        self.assertEqual(self.yes("a", "b c"), ("a b c\n" * 40000)[:200000])
        host = subprocess.run("yes 'a' 'b c' | head -c 200000", shell=True,
                              stdout=subprocess.PIPE).stdout.decode()
        self.assertEqual(self.yes("a", "'b c'"), host)

    def test_a_line_longer_than_the_batch(self):
        long = "x" * 10000
        self.assertEqual(self.yes(long, nbytes=30003), ((long + "\n") * 3)[:30003])

    def test_write_error(self):
        with open("/dev/full", "w") as full:
            p = subprocess.run([os.path.join(USERBIN, "yes")], stdout=full,
                               stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("yes: standard output: No space left on device", p.stderr.decode())

if __name__ == "__main__":
    unittest.main()
