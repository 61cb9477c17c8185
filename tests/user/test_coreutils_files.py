"""The core utilities of user/bin/ that make and change files, run on the Linux
host (the text tools are in test_coreutils_text.py).

They are static musl binaries, so the very files Kestrel runs also run here:
each test runs build/user/bin/NAME (or $USERBIN/NAME, as `make check-user`
sets it) in a fresh temporary directory and checks its output, its messages
("prog: path: reason") and its exit status. Where GNU coreutils (or
util-linux's hexdump) behave the same for the options tested, the output is
also compared with the host's own tool, run with LC_ALL=C and TZ=UTC.
Builds nothing: make builds the binaries first.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403


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


if __name__ == "__main__":
    unittest.main()
