"""kbox, the multi-call program (user/box/kbox.c, mk/userbox.mk), run on the
Linux host: the name it is called by picks the program, the arguments reach
it unchanged, and every name it answers to has its link in build/user/bin/
(or $USERBIN) as in the initrd."""
import os
import shutil
import subprocess
import unittest

from coreutils_harness import USERBIN, UtilTest

KBOX = os.path.join(USERBIN, "kbox")


def resolves_to_kbox(path):
    return os.path.islink(path) and os.path.realpath(path) == os.path.realpath(KBOX)


class Kbox(UtilTest):
    def kbox(self, argv0, *args, exe=KBOX):
        """Run exe with argv[0] = argv0."""
        r = subprocess.run([argv0] + list(args), executable=exe, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=self.dir, timeout=30)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def test_every_name_has_its_link(self):
        status, out, err = self.kbox("kbox", "--list")
        self.assertEqual((status, err), (0, ""))
        names = out.split()
        self.assertEqual(len(names), len(set(names)))
        for n in ("cat", "ls", "sh", "init", "fsck.sfs", "mkfs.sfs", "fsck", "poweroff", "log"):
            self.assertIn(n, names)
        links = sorted(n for n in os.listdir(USERBIN)
                       if resolves_to_kbox(os.path.join(USERBIN, n)))
        self.assertEqual(sorted(names), links)
        self.assertEqual(self.kbox("kbox"), (0, out, ""))  # no arguments: the same list

    def test_called_by_name(self):
        self.assertEqual(self.kbox("echo", "a", "b"), (0, "a b\n", ""))
        self.assertEqual(self.kbox("/some/dir/echo", "-n", "x"), (0, "x", ""))
        self.assertEqual(self.kbox("true")[0], 0)
        self.assertEqual(self.kbox("false")[0], 1)
        # a login shell's name, as init starts it
        self.assertEqual(self.kbox("-sh", "-c", "echo $((6 * 7))"), (0, "42\n", ""))
        # through the link, as the shell and the kernel run it
        r = self.run_util("echo", "via", "link")
        self.assertEqual((r.status, r.out), (0, "via link\n"))

    def test_other_names_keep_argv0(self):
        # fsck -> fsck.sfs: the program runs and names itself as it was called
        status, out, err = self.kbox("fsck")
        self.assertEqual(status, 16)
        self.assertTrue(err.startswith("usage: fsck.sfs "), err)
        self.assertEqual(self.kbox("log", "-Z"),
                         (2, "", "dmesg: -Z: unknown option\n"
                          "usage: dmesg [-r] [-l LEVEL[,LEVEL...]] [-c | -C]\n"))

    def test_kbox_runs_its_first_argument(self):
        self.assertEqual(self.kbox("kbox", "echo", "hi"), (0, "hi\n", ""))
        self.assertEqual(self.kbox("/x/kbox", "kbox", "echo", "hi"), (0, "hi\n", ""))
        status, out, err = self.kbox("kbox", "-x")
        self.assertEqual((status, out), (2, ""))
        self.assertIn("usage: kbox", err)

    def test_unknown_names(self):
        self.assertEqual(self.kbox("nosuch", "a"),
                         (127, "", "kbox: nosuch: not one of its programs "
                          "(kbox --list names them)\n"))
        self.assertEqual(self.kbox("kbox", "nosuch")[0], 127)
        self.assertEqual(self.kbox("-")[0], 127)

    def test_a_copy_runs_under_its_name(self):
        # what a user does on Kestrel: cp /bin/cat /mine/cat
        os.mkdir(self.path("mine"))
        copy = self.path("mine/cat")
        shutil.copy(os.path.join(USERBIN, "cat"), copy)  # follows the link
        self.assertFalse(os.path.islink(copy))
        self.write("f", "some text\n")
        r = subprocess.run([copy, "f"], stdout=subprocess.PIPE, cwd=self.dir, timeout=30)
        self.assertEqual((r.returncode, r.stdout), (0, b"some text\n"))


if __name__ == "__main__":
    unittest.main()
