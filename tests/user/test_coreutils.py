"""The core utilities of user/bin/, run on the Linux host.

They are static musl binaries, so the very files Kestrel runs also run here:
each test runs build/user/bin/NAME (or $USERBIN/NAME, as `make check-user`
sets it) in a fresh temporary directory and checks its output, its messages
("prog: path: reason") and its exit status. Where GNU coreutils (or
util-linux's hexdump) behave the same for the options tested, the output is
also compared with the host's own tool, run with LC_ALL=C and TZ=UTC.
Builds nothing: make builds the binaries first.
"""
import os
import pty
import shutil
import subprocess
import tempfile
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
USERBIN = os.environ.get("USERBIN") or os.path.join(ROOT, "build", "user", "bin")
ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
ENOENT = "No such file or directory"


class Result:
    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, err

    def __repr__(self):
        return "status %d, stdout %r, stderr %r" % (self.status, self.out, self.err)


class UtilTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="coreutils-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode=None):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read().decode()

    def _run(self, argv, stdin=None, env=None):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        r = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=self.dir, env=env or ENV, timeout=30)
        return Result(r.returncode, r.stdout.decode(errors="replace"),
                      r.stderr.decode(errors="replace"))

    def run_util(self, prog, *args, stdin=None, env=None):
        """Our build/user/bin/PROG."""
        exe = os.path.join(USERBIN, prog)
        self.assertTrue(os.access(exe, os.X_OK), "%s is not built (make userbin)" % exe)
        return self._run([exe] + list(args), stdin, env)

    def run_host(self, prog, *args, stdin=None):
        return self._run([prog] + list(args), stdin)

    def ok(self, prog, *args, stdin=None, out=None):
        """Run PROG; it must succeed silently on stderr (and print OUT)."""
        r = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual((r.status, r.err), (0, ""), r)
        if out is not None:
            self.assertEqual(r.out, out)
        return r.out

    def fails(self, prog, *args, status=1, err=None, stdin=None):
        """Run PROG; it must fail with STATUS and say ERR (a line, or a list)."""
        r = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual(r.status, status, r)
        if err is not None:
            for line in [err] if isinstance(err, str) else err:
                self.assertIn(line + "\n", r.err)
        return r

    def usage(self, prog, *args):
        r = self.fails(prog, *args, status=2)
        self.assertIn("usage: %s " % prog, r.err)

    def same(self, prog, *args, stdin=None, status=0):
        """Ours and the host's PROG print the same and end the same way."""
        ours = self.run_util(prog, *args, stdin=stdin)
        self.assertEqual(ours.status, status, ours)
        if shutil.which(prog):
            theirs = self.run_host(prog, *args, stdin=stdin)
            self.assertEqual((ours.out, ours.status), (theirs.out, theirs.status),
                             "%s %s: ours %r, host %r" % (prog, " ".join(args), ours, theirs))
        return ours.out


class TrueFalseEcho(UtilTest):
    def test_true_and_false(self):
        self.assertEqual(self.run_util("true", "ignored").status, 0)
        self.assertEqual(self.run_util("false", "ignored").status, 1)

    def test_echo(self):
        self.assertEqual(self.same("echo", "a", "b  c"), "a b  c\n")
        self.assertEqual(self.same("echo"), "\n")
        self.assertEqual(self.same("echo", "-n", "x", "y"), "x y")
        self.assertEqual(self.same("echo", "-e", r"t\tn\nx\\y\x41\0101"), "t\tn\nx\\yAA\n")
        self.assertEqual(self.same("echo", "-e", r"a\cb", "c"), "a")
        self.assertEqual(self.same("echo", r"no\tescape"), "no\\tescape\n")
        self.assertEqual(self.same("echo", "-ne", r"a\n"), "a\n")
        self.assertEqual(self.same("echo", "-x", "-n"), "-x -n\n")  # not options


class Cat(UtilTest):
    def test_files_stdin_and_dash(self):
        self.write("a", "one\n")
        self.write("b", "two")
        self.assertEqual(self.same("cat", "a", "b"), "one\ntwo")
        self.assertEqual(self.same("cat", stdin="in\n"), "in\n")
        self.assertEqual(self.same("cat", "a", "-", "b", stdin="mid\n"), "one\nmid\ntwo")
        self.assertEqual(self.same("cat", "-u", "a"), "one\n")

    def test_binary_and_large(self):
        data = bytes(range(256)) * 1000
        self.write("bin", data)
        r = subprocess.run([os.path.join(USERBIN, "cat"), self.path("bin")], stdout=subprocess.PIPE)
        self.assertEqual(r.stdout, data)

    def test_errors_carry_on(self):
        self.write("a", "A\n")
        os.mkdir(self.path("d"))
        r = self.fails("cat", "nope", "a", "d", err=["cat: nope: " + ENOENT,
                                                    "cat: d: Is a directory"])
        self.assertEqual(r.out, "A\n")
        self.usage("cat", "-z")


class Names(UtilTest):
    def test_basename(self):
        for args, want in [(["/a/b/c"], "c"), (["/a/b/c/"], "c"), (["c"], "c"), (["/"], "/"),
                           (["///"], "/"), (["a.c", ".c"], "a"), (["/x/a.c", ".c"], "a"),
                           ([".c", ".c"], ".c"), (["a.c", "x"], "a.c"), ([""], "")]:
            with self.subTest(args=args):
                self.assertEqual(self.same("basename", *args), want + "\n")
        self.assertEqual(self.same("basename", "-a", "a/b", "c/d/"), "b\nd\n")
        self.assertEqual(self.same("basename", "-s", ".h", "x/y.h", "z.h"), "y\nz\n")
        self.usage("basename")
        self.usage("basename", "a", "b", "c")

    def test_dirname(self):
        for arg, want in [("/a/b/c", "/a/b"), ("/a/b/c/", "/a/b"), ("a", "."), ("/", "/"),
                          ("/a", "/"), ("a/b", "a"), ("a//b//", "a"), ("", "."), ("///", "/")]:
            with self.subTest(arg=arg):
                self.assertEqual(self.same("dirname", arg), want + "\n")
        self.assertEqual(self.same("dirname", "a/b", "c"), "a\n.\n")
        self.usage("dirname")


class Mkdir(UtilTest):
    def test_mkdir_and_parents(self):
        self.ok("mkdir", "a", "b", out="")
        self.assertTrue(os.path.isdir(self.path("a")) and os.path.isdir(self.path("b")))
        self.fails("mkdir", "a", err="mkdir: a: File exists")
        self.fails("mkdir", "x/y", err="mkdir: x/y: " + ENOENT)
        self.ok("mkdir", "-p", "p/q/r", "p/q", "a", "p//s/")
        self.assertTrue(os.path.isdir(self.path("p/q/r")) and os.path.isdir(self.path("p/s")))
        self.write("f", "")
        self.fails("mkdir", "-p", "f/g", err="mkdir: f: Not a directory")
        self.fails("mkdir", "-p", "f", err="mkdir: f: Not a directory")
        self.ok("mkdir", "-p", os.path.join(self.dir, "abs/one"))
        self.assertTrue(os.path.isdir(self.path("abs/one")))

    def test_mode(self):
        self.ok("mkdir", "-m", "700", "m")
        self.assertEqual(os.stat(self.path("m")).st_mode & 0o7777, 0o700)
        self.ok("mkdir", "-p", "-m", "751", "n/o")
        self.assertEqual(os.stat(self.path("n/o")).st_mode & 0o7777, 0o751)
        self.usage("mkdir", "-m", "u+x", "z")
        self.usage("mkdir", "-m")
        self.usage("mkdir")


class Rmdir(UtilTest):
    def test_rmdir(self):
        os.makedirs(self.path("a/b/c"))
        self.write("f", "")
        self.fails("rmdir", "a", err="rmdir: a: Directory not empty")
        self.fails("rmdir", "f", err="rmdir: f: Not a directory")
        self.fails("rmdir", "nope", err="rmdir: nope: " + ENOENT)
        self.ok("rmdir", "a/b/c")
        self.assertFalse(os.path.exists(self.path("a/b/c")))
        os.makedirs(self.path("a/b/c"))
        self.ok("rmdir", "-p", "a/b/c/")
        self.assertFalse(os.path.exists(self.path("a")))
        os.makedirs(self.path("x/y"))
        self.write("x/keep", "")
        self.fails("rmdir", "-p", "x/y", err="rmdir: x: Directory not empty")
        self.assertFalse(os.path.exists(self.path("x/y")))
        self.usage("rmdir")


class Rm(UtilTest):
    def test_files(self):
        self.write("a", "")
        self.write("b", "")
        os.symlink("a", self.path("l"))
        self.ok("rm", "a", "l", out="")
        self.assertEqual(sorted(os.listdir(self.dir)), ["b"])
        r = self.fails("rm", "nope", "b", err="rm: nope: " + ENOENT)
        self.assertFalse(os.path.exists(self.path("b")))
        self.ok("rm", "-f", "nope", out="")
        self.ok("rm", "-f")
        self.usage("rm")
        self.assertEqual(r.out, "")

    def test_directories(self):
        os.makedirs(self.path("d/e/f"))
        self.write("d/e/f/g", "x")
        self.write("d/h", "")
        self.fails("rm", "d", err="rm: d: Is a directory")
        self.ok("rm", "-r", "d")
        self.assertEqual(os.listdir(self.dir), [])
        os.mkdir(self.path("R"))
        self.ok("rm", "-Rf", "R", "nope")
        self.assertEqual(os.listdir(self.dir), [])

    def test_links_are_removed_not_followed(self):
        os.makedirs(self.path("keep/inner"))
        self.write("keep/inner/file", "precious")
        os.makedirs(self.path("t/loop"))
        os.symlink("..", self.path("t/loop/up"))  # a cycle through a link
        os.symlink(self.path("keep"), self.path("t/out"))
        self.ok("rm", "-r", "t")
        self.assertFalse(os.path.exists(self.path("t")))
        self.assertEqual(self.read("keep/inner/file"), "precious")

    def test_refuses_dot_dotdot_and_root(self):
        os.mkdir(self.path("d"))
        self.fails("rm", "-rf", ".", err="rm: .: refusing to remove '.' or '..'")
        self.fails("rm", "-rf", "d/..", err="rm: d/..: refusing to remove '.' or '..'")
        self.fails("rm", "-rf", "/", err="rm: /: refusing to remove the root directory")
        self.assertTrue(os.path.isdir(self.path("d")))

    def test_deep_tree_is_bounded(self):
        # deeper than PATH_MAX allows: refused with ENAMETOOLONG, no crash, no loop
        levels = 1500
        os.chdir(self.dir)
        try:
            for _ in range(levels):
                os.mkdir("dd")
                os.chdir("dd")
        finally:
            os.chdir(ROOT)
        try:
            r = self.fails("rm", "-r", "dd")
            self.assertIn("too long\n", r.err)  # musl: "Filename too long"
            self.assertTrue(os.path.isdir(self.path("dd/dd/dd")))
        finally:  # shutil.rmtree recurses too deep for Python: climb down and up
            os.chdir(self.dir)
            for _ in range(levels):
                os.chdir("dd")
            for _ in range(levels):
                os.chdir("..")
                os.rmdir("dd")
            os.chdir(ROOT)


class Cp(UtilTest):
    def test_file_to_file_and_into_directory(self):
        self.write("a", "alpha\n")
        os.chmod(self.path("a"), 0o640)
        self.ok("cp", "a", "b", out="")
        self.assertEqual(self.read("b"), "alpha\n")
        self.assertEqual(os.stat(self.path("b")).st_mode & 0o777, 0o640)
        self.write("c", "longer old contents\n")
        self.ok("cp", "a", "c")
        self.assertEqual(self.read("c"), "alpha\n")  # truncated
        os.mkdir(self.path("d"))
        self.ok("cp", "a", "b", "d/")
        self.assertEqual(sorted(os.listdir(self.path("d"))), ["a", "b"])
        data = os.urandom(300000)
        self.write("big", data)
        self.ok("cp", "big", "big2")
        with open(self.path("big2"), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_errors(self):
        self.write("a", "")
        os.mkdir(self.path("d"))
        self.fails("cp", "nope", "x", err="cp: nope: " + ENOENT)
        self.fails("cp", "a", "a", err="cp: a and a are the same file")
        self.fails("cp", "d", "e", err="cp: d: is a directory (not copied without -r)")
        self.fails("cp", "a", "a", "x", err="cp: x: " + ENOENT)
        self.fails("cp", "a", "a", "a", err="cp: a: Not a directory")
        self.fails("cp", "a", "nodir/x", err="cp: nodir/x: " + ENOENT)
        self.usage("cp", "a")
        self.usage("cp", "-z", "a", "b")

    def test_follows_links_without_r(self):
        self.write("a", "via link")
        os.symlink("a", self.path("l"))
        self.ok("cp", "l", "c")
        self.assertFalse(os.path.islink(self.path("c")))
        self.assertEqual(self.read("c"), "via link")

    def test_recursive(self):
        self.write("src/x", "X")
        self.write("src/sub/y", "Y")
        os.mkdir(self.path("src/empty"))
        os.symlink("x", self.path("src/lx"))
        os.symlink(".", self.path("src/self"))  # a cycle: copied as a link
        self.ok("cp", "-r", "src", "dst")
        self.assertEqual(self.read("dst/x"), "X")
        self.assertEqual(self.read("dst/sub/y"), "Y")
        self.assertTrue(os.path.isdir(self.path("dst/empty")))
        self.assertEqual(os.readlink(self.path("dst/lx")), "x")
        self.assertEqual(os.readlink(self.path("dst/self")), ".")
        # into an existing directory, and merging with what is there
        self.ok("cp", "-R", "src", "dst")
        self.assertEqual(self.read("dst/src/sub/y"), "Y")
        self.write("src/x", "X2")
        self.ok("cp", "-r", "src/.", "dst")
        self.assertEqual(self.read("dst/x"), "X2")

    def test_recursive_never_into_itself(self):
        self.write("a/f", "F")
        r = self.fails("cp", "-r", "a", "a/inside")
        self.assertIn("cannot copy a directory into itself", r.err)
        self.assertEqual(self.read("a/inside/f"), "F")
        self.assertFalse(os.path.exists(self.path("a/inside/inside/inside")))

    def test_force_replaces_unwritable(self):
        self.write("a", "new")
        self.write("ro", "old")
        os.chmod(self.path("ro"), 0o444)
        if os.geteuid() != 0:  # root may write anyway
            self.fails("cp", "a", "ro", err="cp: ro: Permission denied")
        self.ok("cp", "-f", "a", "ro")
        self.assertEqual(self.read("ro"), "new")


class Mv(UtilTest):
    def test_rename_and_into_directory(self):
        self.write("a", "A")
        self.ok("mv", "a", "b", out="")
        self.assertEqual(os.listdir(self.dir), ["b"])
        os.mkdir(self.path("d"))
        self.write("c", "C")
        self.ok("mv", "b", "c", "d")
        self.assertEqual(sorted(os.listdir(self.path("d"))), ["b", "c"])
        os.mkdir(self.path("e"))
        self.ok("mv", "d", "e/")
        self.assertEqual(self.read("e/d/c"), "C")
        self.write("over", "old")
        self.write("new", "new")
        self.ok("mv", "-f", "new", "over")
        self.assertEqual(self.read("over"), "new")

    def test_errors(self):
        self.write("a", "")
        os.link(self.path("a"), self.path("h"))
        self.fails("mv", "nope", "x", err="mv: nope: " + ENOENT)
        self.fails("mv", "a", "a", err="mv: a and a are the same file")
        self.fails("mv", "a", "h", err="mv: a and h are the same file")
        self.fails("mv", "a", "h", "z", err="mv: z: " + ENOENT)
        os.makedirs(self.path("d/e"))
        self.fails("mv", "d", "d/e", err="mv: d: Invalid argument")
        self.usage("mv", "a")

    @unittest.skipUnless(os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK),
                         "needs /dev/shm as a second file system")
    def test_across_file_systems(self):
        if os.stat("/dev/shm").st_dev == os.stat(self.dir).st_dev:
            self.skipTest("/dev/shm is on the same file system")
        self.write("t/f", "F")
        self.write("t/s/g", "G")
        os.symlink("f", self.path("t/l"))
        other = tempfile.mkdtemp(dir="/dev/shm")
        try:
            self.ok("mv", "t", os.path.join(other, "t"))
            self.assertFalse(os.path.exists(self.path("t")))
            self.ok("mv", os.path.join(other, "t"), "back")
            self.assertEqual(self.read("back/s/g"), "G")
            self.assertEqual(os.readlink(self.path("back/l")), "f")
            self.assertEqual(os.listdir(other), [])
        finally:
            shutil.rmtree(other)


class Ln(UtilTest):
    def test_hard_and_symbolic(self):
        self.write("a", "A")
        self.ok("ln", "a", "h", out="")
        self.assertEqual(os.stat(self.path("h")).st_nlink, 2)
        self.ok("ln", "-s", "a", "s")
        self.assertEqual(os.readlink(self.path("s")), "a")
        self.ok("ln", "-s", "dangling/target", "d")
        self.assertEqual(os.readlink(self.path("d")), "dangling/target")
        os.mkdir(self.path("dir"))
        self.ok("ln", "-s", "../a", "dir")
        self.assertEqual(os.readlink(self.path("dir/a")), "../a")
        os.mkdir(self.path("many"))
        self.ok("ln", "a", "s", "many/")  # several sources into a directory
        self.assertEqual(os.stat(self.path("many/a")).st_nlink, 3)
        self.assertTrue(os.path.islink(self.path("many/s")))
        os.mkdir(self.path("dir2"))
        r = subprocess.run([os.path.join(USERBIN, "ln"), "-s", "/x/y"], cwd=self.path("dir2"))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(os.readlink(self.path("dir2/y")), "/x/y")

    def test_force_and_errors(self):
        self.write("a", "")
        self.write("b", "")
        self.fails("ln", "a", "b", err="ln: b: File exists")
        self.fails("ln", "-s", "a", "b", err="ln: b: File exists")
        self.ok("ln", "-sf", "a", "b")
        self.assertEqual(os.readlink(self.path("b")), "a")
        self.fails("ln", "nope", "c", err="ln: nope: " + ENOENT)
        self.usage("ln")


class Touch(UtilTest):
    def test_create_and_update(self):
        self.ok("touch", "new", out="")
        self.assertEqual(os.path.getsize(self.path("new")), 0)
        self.write("old", "keep")
        os.utime(self.path("old"), (1000, 2000))
        self.ok("touch", "old")
        st = os.stat(self.path("old"))
        self.assertGreater(st.st_mtime, time.time() - 60)
        self.assertGreater(st.st_atime, time.time() - 60)
        self.assertEqual(self.read("old"), "keep")
        os.utime(self.path("old"), (1000, 2000))
        self.ok("touch", "-m", "old")
        st = os.stat(self.path("old"))
        self.assertEqual(st.st_atime, 1000)
        self.assertGreater(st.st_mtime, 2000)
        os.utime(self.path("old"), (1000, 2000))
        self.ok("touch", "-a", "old")
        self.assertEqual(os.stat(self.path("old")).st_mtime, 2000)

    def test_no_create_and_errors(self):
        self.ok("touch", "-c", "ghost")
        self.assertFalse(os.path.exists(self.path("ghost")))
        self.fails("touch", "no/dir", err="touch: no/dir: " + ENOENT)
        self.usage("touch")


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


if __name__ == "__main__":
    unittest.main()
