"""du and tree of user/bin/ on a generated tree, run on the Linux host: du
against coreutils' du (the same numbers, whatever order each walks in),
tree against the drawing the `tree` program makes in the C locale, and
both on links, hard links and cycles.
"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403


class Walks(UtilTest):
    def setUp(self):
        super().setUp()
        os.makedirs(self.path("t/a/b"))
        os.makedirs(self.path("t/c"))
        self.write("t/a/f", "hello\n")
        self.write("t/a/b/big", b"\1" * 100000)
        self.write("t/c/z", "")
        self.write("t/.hidden", "x" * 5000)
        os.symlink("../c", self.path("t/a/link"))

    def sorted_lines(self, text):
        return sorted(text.splitlines())


class Du(Walks):
    def test_against_coreutils(self):
        for args in [["t"], ["-a", "t"], ["-s", "t"], ["-k", "t"], ["-h", "-a", "t"],
                     ["-c", "t/a", "t/c"], ["-s", "t/a", "t/a/f"], []]:
            with self.subTest(args=args):
                ours = self.ok("du", *args)
                if shutil.which("du"):
                    host = self.run_host("du", *args)
                    self.assertEqual(self.sorted_lines(ours), self.sorted_lines(host.out))
        st = os.lstat(self.path("t/a/b/big"))
        self.assertIn("%d\tt/a/b\n" % ((st.st_blocks * 512 + os.lstat(self.path("t/a/b"))
                                        .st_blocks * 512 + 1023) // 1024), self.ok("du", "t"))

    def test_hard_links_count_once_and_links_are_not_followed(self):
        os.link(self.path("t/a/b/big"), self.path("t/c/again"))
        total = self.ok("du", "-s", "t")
        if shutil.which("du"):
            self.assertEqual(total, self.run_host("du", "-s", "t").out)
        st = os.lstat(self.path("t/a/b/big"))
        all_lines = self.ok("du", "-a", "t")
        big = str((st.st_blocks * 512 + 1023) // 1024)
        self.assertEqual(len([l for l in all_lines.splitlines() if l.startswith(big + "\t")]), 1)
        self.assertIn("0\tt/a/link\n", all_lines)

    def test_errors(self):
        r = self.fails("du", "t/a", "nope", err="du: nope: " + ENOENT)
        self.assertIn("\tt/a\n", r.out)
        self.usage("du", "-a", "-s")
        self.usage("du", "-x")


TREE = """t
|-- a
|   |-- b
|   |   `-- big
|   |-- f
|   `-- link -> ../c
`-- c
    `-- z

4 directories, 3 files
"""


class Tree(Walks):
    def test_drawing(self):
        self.assertEqual(self.ok("tree", "t"), TREE)
        out = self.ok("tree", "-a", "t")
        self.assertEqual(out, TREE.replace("t\n|-- a", "t\n|-- .hidden\n|-- a")
                         .replace("3 files", "4 files"))
        self.assertEqual(self.ok("tree", "-L", "1", "t"), "t\n|-- a\n`-- c\n\n2 directories, 0 files\n")
        self.assertEqual(self.ok("tree", "-d", "t"),
                         "t\n|-- a\n|   |-- b\n|   `-- link -> ../c\n`-- c\n\n"
                         "4 directories, 0 files\n")
        self.assertEqual(self.ok("tree", "-l", "t/a"),
                         "t/a\n|-- b\n|   `-- big\n|-- f\n`-- link -> ../c\n    `-- z\n\n"
                         "2 directories, 3 files\n")
        os.mkdir(self.path("empty"))
        self.assertEqual(self.ok("tree", "empty", "t/a/f"),
                         "empty\nt/a/f\n\n0 directories, 1 file\n")
        out = self.ok("tree")  # "." by default
        self.assertTrue(out.startswith(".\n|-- empty\n`-- t\n    |-- a\n"), out)
        self.assertTrue(out.endswith("\n\n6 directories, 3 files\n"), out)

    def test_cycles_are_not_followed(self):
        os.symlink("../..", self.path("t/a/b/up"))
        out = self.ok("tree", "-l", "t/a")
        self.assertIn("|   `-- up -> ../..\n", out)
        self.assertIn("`-- up -> ../..", out)
        # with -l the link to t itself is entered (t is not an ancestor of t/a)
        # and the one back to a, inside it, is recursive
        self.assertIn("  [recursive, not followed]\n", out)
        os.symlink(".", self.path("t/c/self"))
        out = self.ok("tree", "-l", "t/c")
        self.assertEqual(out, "t/c\n|-- self -> .  [recursive, not followed]\n`-- z\n\n"
                              "1 directory, 1 file\n")

    def test_errors(self):
        r = self.fails("tree", "nope", "t/c", err="tree: nope: " + ENOENT)
        self.assertEqual(r.out, "t/c\n`-- z\n\n0 directories, 1 file\n")
        if os.geteuid() != 0:
            os.chmod(self.path("t/c"), 0)
            r = self.fails("tree", "t")
            self.assertIn("`-- c [error opening dir]\n", r.out)
            os.chmod(self.path("t/c"), 0o755)
        self.usage("tree", "-L", "0")
        self.usage("tree", "-x")


if __name__ == "__main__":
    unittest.main()
