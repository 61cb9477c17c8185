"""The console terminal end to end: the line discipline, termios, the
process-group calls and the signal characters, typed over COM1.

Programs run from /bin/sh get the terminal in cooked mode with their process
group in the foreground; user/tests/ttytest.c checks the calls from
inside (raw mode, VMIN/VTIME, the window size, groups and sessions).
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

USER = os.path.join(ts.ROOT, "build", "user", "tests")


class TtyTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "tty.img"))
        ts.sfs_tool(cls.img, "mkdir", "/t")
        ts.sfs_tool(cls.img, "put", os.path.join(USER, "ttytest"), "/t/ttytest")
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def start(self, line, ready):
        """Type a command line and wait until the program says it is ready."""
        self.sh.s.send(line + "\r")
        return self.sh.s.expect(ready, timeout=60)

    def prompt(self, timeout=60):
        return self.sh.s.expect(ts.PROMPT, timeout=timeout)

    def test_raw_mode_reads_single_bytes(self):
        self.start("/t/ttytest raw", "raw: ready\n")
        self.sh.s.send("a")
        out = self.sh.s.expect("raw: read 1 byte 0x61\n", timeout=30)
        self.assertEqual(out, "")  # no echo before the program's line
        self.sh.s.send("\x03")  # no ISIG: ^C is a byte
        self.sh.s.expect("raw: read 1 byte 0x03\n", timeout=30)
        self.sh.s.send("\r")  # no ICRNL
        out = self.sh.s.expect("raw: restored yes\n", timeout=30)
        self.assertIn("raw: read 1 byte 0x0d", out)
        self.prompt()

    def test_canonical_read_with_erase_and_kill(self):
        self.start("/t/ttytest canon", "canon: ready\n")
        # DEL and ^H erase; ^U kills the line; erasing at the line's start
        # does nothing; CR arrives as NL (ICRNL)
        self.sh.s.send("\x7fjunk\x15helo\x7flp\bo me\r")
        out = self.prompt()
        self.assertIn("canon: got 9 [hello me\\n]", out)

    def test_canonical_echo(self):
        self.start("/t/ttytest canon", "canon: ready\n")
        self.sh.s.send("ab\x7fc\r")
        out = self.prompt()
        self.assertIn("ab\b \bc\n", out)  # erase shown as backspace-space-backspace
        self.assertIn("canon: got 3 [ac\\n]", out)

    def test_ctrl_d_is_end_of_file_for_cat(self):
        self.sh.s.send("/bin/cat\r")
        time.sleep(1)
        self.sh.s.send("one line\r")
        self.sh.s.expect("one line\none line\n", timeout=30)  # the echo, then cat's copy
        self.sh.s.send("\x04")
        out = self.prompt()
        self.assertNotIn("exit status", out)
        self.assertIn("after eof", self.sh.run("echo after eof"))

    def test_ctrl_c_stops_sleep_and_the_shell_lives_on(self):
        self.sh.s.send("/bin/sleep 100\r")
        time.sleep(2)
        t0 = time.time()
        self.sh.s.send("\x03")
        out = self.prompt(timeout=30)
        self.assertLess(time.time() - t0, 20)
        self.assertIn("^C", out)
        self.assertEqual(self.sh.run("echo $?"), "130\n")  # 128 + SIGINT
        self.assertEqual(self.sh.run("echo still here"), "still here\n")
        self.assertNotIn("sleep", self.sh.run("ps -e"))

    def test_ctrl_backslash_quits(self):
        self.sh.s.send("/bin/sleep 100\r")
        time.sleep(2)
        self.sh.s.send("\x1c")
        out = self.prompt(timeout=30)
        self.assertIn("Quit", out)

    def test_window_size_groups_and_sessions(self):
        out = self.sh.run("/t/ttytest info")
        self.assertNotIn("FAILED", out)
        self.assertIn("ttytest: winsize 80x25", out)
        self.assertIn("ttytest: info all passed", out)
        out = self.sh.run("/t/ttytest groups", timeout=120)
        self.assertNotIn("FAILED", out)
        self.assertIn("ttytest: groups all passed", out)

    def test_vmin_vtime(self):
        out = self.sh.run("/t/ttytest poll")
        self.assertNotIn("FAILED", out)
        self.assertIn("ttytest: ok: VMIN 0 VTIME 3 times out after 0.3 s", out)

    def test_dev_random_and_listing(self):
        out = self.sh.run("ls /dev")
        for name in ("console", "tty", "null", "zero", "random", "urandom", "vda"):
            self.assertIn(name, out.split())


if __name__ == "__main__":
    unittest.main()
