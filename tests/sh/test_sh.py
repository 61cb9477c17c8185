"""/bin/sh on the Linux host: the same program Kestrel runs, tested here.

SH_BINS names the binaries to test (make check-sh passes the ASan/UBSan host
build and the static musl build that goes into the initrd); each test runs
against every one. `sh` on the PATH of the scripts is the shell under test.

- cases/*.sh: scripts whose stdout and exit status must equal cases/*.out,
  which are the answers of dash, the host's POSIX shell (regenerate them with
  `python3 tests/sh/test_sh.py --regen`; test_expected_is_dash checks they
  still are dash's answers when dash is installed).
- the rest: error messages, signals, odd input (10,000-byte lines, control
  bytes, 256-byte names, deep paths), reading scripts from stdin, and the
  interactive terminal through a pseudo-terminal (editing, history,
  completion, ^C at the prompt and ^C to a running job).
"""
import glob
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CASES = os.path.join(HERE, "cases")
SH_BINS = (os.environ.get("SH_BINS") or os.path.join(ROOT, "build", "host", "sh", "sh")).split()
ENV_BASE = {"LC_ALL": "C", "HOME": "/tmp", "ASAN_OPTIONS": "detect_leaks=1",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}


def shell_env(sh, tmp):
    """The environment of the scripts: `sh` on PATH is @sh; HOME=/tmp; TMPDIR
    is tmp/work (tmp/bin holds the sh link)."""
    bindir, work = os.path.join(tmp, "bin"), os.path.join(tmp, "work")
    for d in (bindir, work):
        os.makedirs(d, exist_ok=True)
    link = os.path.join(bindir, "sh")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(sh, link)
    env = dict(ENV_BASE)
    env["PATH"] = bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin")
    env["TMPDIR"] = work
    return env


class ShTest(unittest.TestCase):
    """Runs every test once per binary of SH_BINS."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sh-test-")
        self.dir = self._tmp.name
        self.bindir = os.path.join(self.dir, "bin")
        os.mkdir(self.bindir)
        self.work = os.path.join(self.dir, "work")
        os.mkdir(self.work)

    def tearDown(self):
        self._tmp.cleanup()

    def env(self, sh):
        return shell_env(sh, self.dir)

    def run_sh(self, sh, args, stdin=None, timeout=60):
        r = subprocess.run([sh] + args, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.env(sh), cwd=self.work,
                           timeout=timeout)
        err = r.stderr.decode(errors="replace")
        # The sanitizers report on stderr: any report fails the test.
        self.assertNotIn("runtime error", err)
        self.assertNotIn("AddressSanitizer", err)
        self.assertNotIn("LeakSanitizer", err)
        return r.returncode, r.stdout.decode(errors="replace"), err

    def each(self):
        for sh in SH_BINS:
            with self.subTest(sh=sh):
                try:
                    yield sh
                except GeneratorExit:  # a failure in the loop's body ends it
                    return


class Scripts(ShTest):
    def test_cases(self):
        for sh in self.each():
            for case in sorted(glob.glob(os.path.join(CASES, "*.sh"))):
                with self.subTest(case=os.path.basename(case)):
                    st, out, err = self.run_sh(sh, [case])
                    with open(case[:-3] + ".out") as f:
                        expected = f.read()
                    self.assertEqual(out + "status %d\n" % st, expected, err)

    @unittest.skipUnless(shutil.which("dash"), "dash is not installed")
    def test_expected_is_dash(self):
        for case in sorted(glob.glob(os.path.join(CASES, "*.sh"))):
            with self.subTest(case=os.path.basename(case)):
                r = subprocess.run(["dash", case], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=self.env(shutil.which("dash")),
                                   cwd=self.work)
                with open(case[:-3] + ".out") as f:
                    self.assertEqual(r.stdout.decode() + "status %d\n" % r.returncode, f.read())


class Behaviour(ShTest):
    def test_command_not_found_and_not_executable(self):
        for sh in self.each():
            st, out, err = self.run_sh(sh, ["-c", "no-such-cmd-q a b"])
            self.assertEqual((st, err), (127, "sh: no-such-cmd-q: command not found\n"))
            path = os.path.join(self.work, "plain")
            with open(path, "w") as f:
                f.write("data\n")
            os.chmod(path, 0o644)
            st, out, err = self.run_sh(sh, ["-c", path])
            self.assertEqual((st, err), (126, "sh: %s: Permission denied\n" % path))
            # executable but not a program: text runs as a script, binary is refused
            os.chmod(path, 0o755)
            with open(path, "w") as f:
                f.write("echo from a script\n")
            st, out, err = self.run_sh(sh, ["-c", path])
            self.assertEqual((st, out, err), (0, "from a script\n", ""))
            with open(path, "wb") as f:
                f.write(b"\x7fELF\x02garbage\x00echo not a script\n")
            st, out, err = self.run_sh(sh, ["-c", path])
            self.assertEqual((st, out, err), (126, "", "sh: %s: Exec format error\n" % path))
            st, out, err = self.run_sh(sh, ["-c", "/no/such/prog"])
            self.assertEqual((st, err), (127, "sh: /no/such/prog: No such file or directory\n"))
            st, out, err = self.run_sh(sh, ["-c", "false; nope 2>/dev/null; echo $?; true"])
            self.assertEqual((st, out), (0, "127\n"))

    def test_signals_are_reported(self):
        for sh in self.each():
            st, out, err = self.run_sh(sh, ["-c", "sh -c 'kill -SEGV $$'; echo status $?"])
            self.assertEqual(out, "status 139\n")
            self.assertRegex(err, r"^Segmentation fault( \(core dumped\))?\n$")
            st, out, err = self.run_sh(sh, ["-c", "sh -c 'kill -KILL $$'; echo status $?"])
            self.assertEqual((out, err), ("status 137\n", "Killed\n"))
            # SIGINT: only a newline, as bash does; SIGPIPE: nothing.
            st, out, err = self.run_sh(sh, ["-c", "sh -c 'kill -INT $$'; echo status $?"])
            self.assertEqual((out, err), ("status 130\n", "\n"))
            st, out, err = self.run_sh(sh, ["-c", "yes | head -1; echo $?"])
            self.assertEqual((out, err), ("y\n0\n", ""))

    def test_syntax_errors(self):
        for sh in self.each():
            for text in ["if true; then", "echo 'open", "a |", "fi", "( echo", "case x in",
                         "for 1 in a; do :; done", "f() echo", "echo ${", "cat <<EOF"]:
                st, out, err = self.run_sh(sh, ["-c", text])
                self.assertEqual(st, 2, text)
                self.assertIn("syntax error", err, text)
            # a script stops at its syntax error, after running what came before
            st, out, err = self.run_sh(sh, [], stdin=b"echo before\nfi\necho after\n")
            self.assertEqual((st, out), (2, "before\n"))

    def test_c_and_script_arguments(self):
        for sh in self.each():
            st, out, err = self.run_sh(sh, ["-c", 'echo "$0|$1|$2|$#"', "name", "a", "b c"])
            self.assertEqual(out, "name|a|b c|2\n")
            script = os.path.join(self.work, "s.sh")
            with open(script, "w") as f:
                f.write('echo "$0" "$#" "$@"\nexit 3\n')
            st, out, err = self.run_sh(sh, [script, "x", "y"])
            self.assertEqual((st, out), (3, "%s 2 x y\n" % script))
            st, out, err = self.run_sh(sh, ["-s", "p", "q"], stdin=b'echo "$@"\n')
            self.assertEqual(out, "p q\n")
            st, out, err = self.run_sh(sh, ["-e", "-c", "echo a; false; echo b"])
            self.assertEqual((st, out), (1, "a\n"))
            st, out, err = self.run_sh(sh, ["-c", "set -e; false || true; if false; then :; fi; "
                                            "! true; echo ok"])
            self.assertEqual(out, "ok\n")
            st, out, err = self.run_sh(sh, ["-x", "-c", "a=1; echo $a"])
            self.assertEqual((out, err), ("1\n", "+ a=1\n+ echo 1\n"))
            st, out, err = self.run_sh(sh, ["/no/script"])
            self.assertEqual(st, 127)
            # -i on a pipe: prompts on stderr, plain lines, and end of file ends it
            st, out, err = self.run_sh(sh, ["-i"], stdin=b"echo hi\n", timeout=20)
            self.assertEqual((st, out), (0, "hi\n"))
            self.assertTrue(err.endswith(" $ "), err)

    def test_stdin_is_shared_with_commands(self):
        # The shell reads its script from a pipe a byte at a time, so `read`
        # and programs see the lines after the command.
        for sh in self.each():
            st, out, err = self.run_sh(sh, [], stdin=b"read x\nhello there\necho got $x\n"
                                                     b"sh -c 'read y; echo child $y'\nfor child\n"
                                                     b"echo end\n")
            self.assertEqual(out, "got hello there\nchild for child\nend\n")

    def test_odd_input(self):
        for sh in self.each():
            long = "x" * 10000
            st, out, err = self.run_sh(sh, [], stdin=("echo %s\n" % long).encode())
            self.assertEqual(out, long + "\n")
            st, out, err = self.run_sh(sh, ["-c", "v=%s; echo ${#v}" % long])
            self.assertEqual(out, "10000\n")
            # control bytes are data
            st, out, err = self.run_sh(sh, [], stdin=b"echo a\x01b\x7fc\x1b[0m\n")
            self.assertEqual(out, "a\x01b\x7fc\x1b[0m\n")
            st, out, err = self.run_sh(sh, [], stdin=b"echo ok\x00\n")
            self.assertEqual(st, 0)
            # long names: a 256-byte variable name, a 255-byte file name (NAME_MAX)
            var = "v" * 256
            st, out, err = self.run_sh(sh, ["-c", "%s=val; echo $%s ${%s}" % (var, var, var)])
            self.assertEqual(out, "val val\n")
            name = "n" * 255
            st, out, err = self.run_sh(sh, ["-c", "echo hi > %s; cat %s; echo %s*" % (name, name, "n" * 10)])
            self.assertEqual(out, "hi\n%s\n" % name)
            st, out, err = self.run_sh(sh, ["-c", "echo > %s" % ("n" * 256)])
            self.assertEqual(st, 1)
            self.assertRegex(err, "File ?name too long")
            # deep paths: more than the kernel shell's 1023-byte line
            deep = "/".join(["d%03d" % i for i in range(300)])
            st, out, err = self.run_sh(sh, ["-c", "mkdir -p %s && cd %s && pwd | wc -c; "
                                            "cd %s; echo deep > %s/f; cat %s/f" %
                                            (deep, deep, self.work, deep, deep)])
            self.assertEqual(out, "%d\ndeep\n" % (len(self.work) + 1 + len(deep) + 1), err)
            # many words and a long pipeline
            st, out, err = self.run_sh(sh, ["-c", "set -- $(seq 1 5000); echo $#"])
            self.assertEqual(out, "5000\n")
            st, out, err = self.run_sh(sh, ["-c", "echo p" + " | cat" * 60])
            self.assertEqual(out, "p\n")

    def test_builtin_listings(self):
        # the outputs that are this shell's own wording (dash words them otherwise)
        text = ("trap 'echo x' INT; trap; trap - INT; trap; set -o | grep -E 'errexit|noglob'; "
                "set -e; set -o | grep errexit; set +e; help | head -1; type cd if sh; "
                "readonly R=1; readonly | grep R=; export -p | grep -c 'export PATH='; "
                "cd /; cd /tmp; cd - ; umask 022; umask -S; trap -l | head -2; "
                "wait 99999; echo wait $?; echo hi | { read; echo REPLY=$REPLY; }; "
                "printf 'echo dot $1; return 3; echo no\\n' > d.sh; . ./d.sh arg; echo dot $?; "
                "command echo via-command; break; echo break $?; history; "
                "return; echo return $?; exit abc; echo not-here")
        for sh in self.each():
            st, out, err = self.run_sh(sh, ["-c", text])
            self.assertEqual(out, "trap -- 'echo x' INT\n"
                                  "errexit     off\nnoglob      off\nerrexit     on\n"
                                  "Kestrel sh: a POSIX shell. Built-in commands:\n"
                                  "cd is a shell builtin\nif is a shell keyword\n"
                                  "sh is %s/sh\n" % self.bindir +
                                  "readonly R='1'\n1\n/\nu=rwx,g=rx,o=rx\n 1) SIGHUP\n 2) SIGINT\n"
                                  "wait 127\nREPLY=hi\ndot arg\ndot 3\nvia-command\nbreak 0\n"
                                  "return 1\n")
            self.assertEqual(st, 2)
            self.assertEqual(err, "sh: return: can only return from a function or sourced script\n"
                                  "sh: exit: abc: numeric argument required\n")

    def test_shell_survives_failures(self):
        for sh in self.each():
            text = ("cd /nonexistent; echo x > /nonexistent/f; ${u?unset}; echo not-here\n")
            st, out, err = self.run_sh(sh, [], stdin=text.encode())
            self.assertEqual(st, 2)  # ${u?} ends a non-interactive shell
            self.assertIn("u: unset", err)
            st, out, err = self.run_sh(sh, ["-c", "cd /nonexistent; echo x > /nonexistent/f; "
                                            "$((1/0)); echo $(( 2 + )); echo alive"])
            self.assertIn("division by zero", err)


class Interactive(ShTest):
    """The terminal side, through a pseudo-terminal."""

    def spawn(self, sh):
        pid, fd = pty.fork()
        if pid == 0:
            env = self.env(sh)
            env["PS1"] = "PROMPT$ "
            env["TERM"] = "vt100"
            os.chdir(self.work)
            os.execve(sh, [sh], env)
        self.pid, self.fd, self.buf = pid, fd, b""
        self.expect(b"PROMPT$ ")
        return fd

    def expect(self, what, timeout=20):
        end = time.time() + timeout
        while what not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise AssertionError("timed out waiting for %r in %r" % (what, self.buf))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError("EOF waiting for %r in %r" % (what, self.buf))
                self.buf += data
        before, self.buf = self.buf.split(what, 1)
        return before

    def finish(self):
        os.write(self.fd, b"exit 0\r")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status

    def test_editing_history_completion(self):
        for sh in self.each():
            self.spawn(sh)
            os.write(self.fd, b"echo one\r")
            self.expect(b"one\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"\x1b[A\r")  # Up: the last line again
            self.expect(b"one\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"ech\t x\r")  # completes the built-in
            self.expect(b"x\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"echo abc\x1b[D\x1b[DX\r")  # cursor left, insert
            self.expect(b"aXbc\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"garbage\x03")  # ^C abandons the line
            self.expect(b"^C")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"echo $?\r")
            self.expect(b"130\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"if true\r")  # continuation prompt
            self.expect(b"> ")
            os.write(self.fd, b"then echo cont; fi\r")
            self.expect(b"cont\r\n")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"history\r")
            self.expect(b"echo one")
            self.expect(b"PROMPT$ ")
            # programs run in cooked mode: the terminal is restored for them
            os.write(self.fd, b"stty -a | grep -o ' icanon' \r")
            self.expect(b" icanon")
            self.expect(b"PROMPT$ ")
            self.assertEqual(self.finish(), 0)

    def test_ctrl_c_reaches_only_the_job(self):
        for sh in self.each():
            self.spawn(sh)
            os.write(self.fd, b"sleep 100; echo after-sleep $?\r")
            time.sleep(1.0)
            start = time.time()
            os.write(self.fd, b"\x03")
            self.expect(b"after-sleep 130")
            self.expect(b"PROMPT$ ")
            self.assertLess(time.time() - start, 10)
            # the shell survived, with its own process group back in front
            os.write(self.fd, b"echo alive\r")
            self.expect(b"alive\r\n")
            self.expect(b"PROMPT$ ")
            # a pipeline is one job: ^C stops all of it
            os.write(self.fd, b"yes | cat > /dev/null\r")
            time.sleep(1.0)
            os.write(self.fd, b"\x03")
            self.expect(b"PROMPT$ ")
            os.write(self.fd, b"echo $?\r")
            self.expect(b"130\r\n")
            self.expect(b"PROMPT$ ")
            # ^D on an empty line ends the shell
            os.write(self.fd, b"\x04")
            _, status = os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.assertTrue(os.WIFEXITED(status))


def regen():
    dash = shutil.which("dash")
    with tempfile.TemporaryDirectory(prefix="sh-regen-") as tmp:
        env = shell_env(dash, tmp)
        for case in sorted(glob.glob(os.path.join(CASES, "*.sh"))):
            r = subprocess.run([dash, case], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env, cwd=env["TMPDIR"])
            with open(case[:-3] + ".out", "w") as f:
                f.write(r.stdout.decode() + "status %d\n" % r.returncode)


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        regen()
    else:
        unittest.main()
