"""chmod, chown and mkfifo of user/bin/, run on the Linux host (as the other
tests/user/ files: each in a fresh temporary directory, checking results,
messages and exit statuses). Modes are compared with the host's GNU chmod
applied to a twin file; chown needs root (CI is root) and is skipped
otherwise. Builds nothing: make builds the binaries first.
"""
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coreutils_harness import *  # noqa: E402,F401,F403

MODES = ["644", "0", "7777", "00644", "2755", "02755", "u+x,go-w", "a=rX", "=r", "-w", "+x", "g=u", "o=g,u-r",
         "u+s,g+s", "o+t", "+t", "ug=rwx,o=", "a-x+w", "u=rw,g=r,o=", "go+X", "a+rwx-w"]


class Chmod(UtilTest):
    def mode(self, name):
        return stat.S_IMODE(os.lstat(self.path(name)).st_mode)

    def test_modes_as_gnu_chmod(self):
        for start in (0o666, 0o750, 0o4711):
            for m in MODES:
                for isdir in (False, True):
                    ours, theirs = ("d1", "d2") if isdir else ("f1", "f2")
                    for n in (ours, theirs):
                        if isdir:
                            os.makedirs(self.path(n), exist_ok=True)
                        else:
                            self.write(n, "")
                        os.chmod(self.path(n), start)
                    r = self.run_util("chmod", "--", m, ours)
                    self.assertEqual((r.status, r.err), (0, ""), (m, r))
                    h = self.run_host("chmod", "--", m, self.path(theirs))
                    self.assertEqual(h.status, 0, h)
                    self.assertEqual(oct(self.mode(ours)), oct(self.mode(theirs)),
                                     "chmod %s on %s from %o" % (m, ours, start))

    def test_dash_mode_is_not_an_option(self):
        self.write("f", "")
        os.chmod(self.path("f"), 0o666)
        self.ok("chmod", "-w", "f")
        self.assertEqual(self.mode("f") & 0o200, 0)

    def test_recursive_skips_symlinks(self):
        self.write("d/a", "")
        self.write("d/e/b", "")
        self.write("outside", "")
        os.chmod(self.path("outside"), 0o600)
        os.symlink("../outside", self.path("d/l"))
        self.ok("chmod", "-R", "go=", "d")
        for n in ("d", "d/a", "d/e", "d/e/b"):
            self.assertEqual(self.mode(n) & 0o077, 0, n)
        self.assertEqual(self.mode("outside"), 0o600)  # the link was not followed
        self.ok("chmod", "-R", "a+rX", "d")
        self.assertEqual(self.mode("d/e"), 0o755)
        self.assertEqual(self.mode("d/a"), 0o644)

    def test_operand_symlink_is_followed(self):
        self.write("t", "")
        os.chmod(self.path("t"), 0o600)
        os.symlink("t", self.path("l"))
        self.ok("chmod", "640", "l")
        self.assertEqual(self.mode("t"), 0o640)

    def test_errors_and_usage(self):
        self.write("f", "")
        os.chmod(self.path("f"), 0o600)
        self.fails("chmod", "644", "nope", "f", err="chmod: nope: " + ENOENT)
        self.assertEqual(self.mode("f"), 0o644)  # the next operand still changed
        for bad in ("8", "u+q", "u", "1,", "77777", "u+rw+z", ""):
            self.usage("chmod", bad, "f")
        r = self.fails("chmod", "u+q", "f", status=2, err="chmod: u+q: invalid mode")
        self.assertIn("usage: chmod ", r.err)
        self.usage("chmod", "644")
        self.usage("chmod", "-Z", "644", "f")
        self.assertEqual(self.mode("f"), 0o644)


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0, "chown needs root")
class Chown(UtilTest):
    def ids(self, name, follow=True):
        st = os.stat(self.path(name)) if follow else os.lstat(self.path(name))
        return st.st_uid, st.st_gid

    def test_numbers_names_and_groups(self):
        self.write("f", "")
        self.ok("chown", "1234:5678", "f")
        self.assertEqual(self.ids("f"), (1234, 5678))
        self.ok("chown", "42", "f")
        self.assertEqual(self.ids("f"), (42, 5678))
        self.ok("chown", ":7", "f")
        self.assertEqual(self.ids("f"), (42, 7))
        self.ok("chown", "root:root", "f")
        self.assertEqual(self.ids("f"), (0, 0))
        import pwd
        try:
            d = pwd.getpwnam("daemon")
        except KeyError:
            return
        self.ok("chown", "daemon:", "f")  # the login group
        self.assertEqual(self.ids("f"), (d.pw_uid, d.pw_gid))

    def test_set_id_bits_dropped(self):
        self.write("f", "")
        os.chmod(self.path("f"), 0o6755)
        self.ok("chown", "5", "f")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("f")).st_mode), 0o755)

    def test_symlinks_h_and_recursive(self):
        self.write("t", "")
        os.symlink("t", self.path("l"))
        self.ok("chown", "7:8", "l")
        self.assertEqual(self.ids("t"), (7, 8))
        self.ok("chown", "-h", "9:10", "l")
        self.assertEqual(self.ids("l", follow=False), (9, 10))
        self.assertEqual(self.ids("t"), (7, 8))
        self.write("d/a", "")
        self.write("d/e/b", "")
        os.symlink("../../t", self.path("d/e/l"))
        self.ok("chown", "-R", "11:12", "d")
        for n in ("d", "d/a", "d/e", "d/e/b"):
            self.assertEqual(self.ids(n), (11, 12), n)
        self.assertEqual(self.ids("d/e/l", follow=False), (11, 12))
        self.assertEqual(self.ids("t"), (7, 8))  # not followed

    def test_errors_and_usage(self):
        self.write("f", "")
        self.fails("chown", "3", "nope", "f", err="chown: nope: " + ENOENT)
        self.assertEqual(self.ids("f")[0], 3)
        self.fails("chown", "no-such-user-x", "f", status=2,
                   err="chown: no-such-user-x: invalid user")
        self.fails("chown", "0:no-such-group-x", "f", status=2,
                   err="chown: no-such-group-x: invalid group")
        for bad in ("", ":", "4294967295", "-1", "1x"):
            self.usage("chown", bad, "f")
        self.usage("chown", "0")
        self.usage("chown", "-x", "0", "f")


class Mkfifo(UtilTest):
    def test_modes(self):
        self.ok("mkfifo", "p", "q")
        for n in ("p", "q"):
            st = os.stat(self.path(n))
            self.assertTrue(stat.S_ISFIFO(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o666 & ~0o022)
        self.ok("mkfifo", "-m", "600", "r")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("r")).st_mode), 0o600)
        self.ok("mkfifo", "-m", "u+x", "s")  # from a=rw, no umask
        self.assertEqual(stat.S_IMODE(os.stat(self.path("s")).st_mode), 0o766)
        self.ok("mkfifo", "-m", "go-rw", "t")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("t")).st_mode), 0o600)
        self.assertTrue(self.ok("ls", "-l", "p").startswith("prw-r--r-- "))

    def test_errors_and_usage(self):
        self.ok("mkfifo", "p")
        self.fails("mkfifo", "p", "nodir/x", "new",
                   err=["mkfifo: p: File exists", "mkfifo: nodir/x: " + ENOENT])
        self.assertTrue(stat.S_ISFIFO(os.stat(self.path("new")).st_mode))
        self.usage("mkfifo")
        self.usage("mkfifo", "-m", "9", "x")
        self.usage("mkfifo", "-m")
        self.assertFalse(os.path.exists(self.path("x")))


if __name__ == "__main__":
    unittest.main()
