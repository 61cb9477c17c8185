"""/bin/sh on Kestrel: the initrd's shell program, which init runs on the console.

Boots with an SFS disk that holds a script and a crashing test program, types
`/bin/sh` at the login shell's prompt to start a second one, and drives it
(prompt "... $ "): pipelines, redirections into files on the disk, $?, a missing
command (127), a program killed by a signal, background jobs and `wait`,
a script from the disk, `sh -c`, then `exit` back to the login shell. The
file written is read back on the host with the sfs tool. Every step also
checks that the kernel never met a system call it lacks.

Lines stay shorter than the 80-column terminal: longer ones are redrawn by
the line editor and would not echo as typed.
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

# madvise (28) is left out: musl's free() asks it to drop big freed blocks and
# carries on when it fails, so the ENOSYS costs nothing but the log line.
LACKS = re.compile(r"used system call (?!28,)(\d+), which Kestrel lacks")
SCRIPT = """\
# a script on the SFS disk, run by /bin/sh
total=0
for n in "$@"; do
    total=$((total + n))
done
echo "args $# total $total"
if [ -f /data/numbers ]; then
    sort -n /data/numbers | head -2 | while read x; do echo "small $x"; done
fi
case "$1" in
    1) echo "first is one" ;;
    *) echo "first is $1" ;;
esac
f() { echo "in f: $1"; return 4; }
f arg
echo "f gave $?"
exit 7
"""
NUMBERS = "30\n4\n100\n15\n"
# The odd inputs the kernel shell survived, as a script: a 10,000-byte line,
# control bytes, 255- and 256-byte names, a deep path (SFS paths stop at 1024).
ODD = ("echo %s | wc -c\n" % ("y" * 10000) +
       "echo 'a\x01b\x02c\x7f' | wc -c\n"
       "n=%s; echo data > /data/$n; cat /data/$n\n" % ("n" * 255) +
       "echo x > /data/${n}m || echo refused $?\n"
       "p=/data/deep; i=0\n"
       "while [ $i -lt 30 ]; do p=$p/d%s; i=$((i+1)); done\n" % ("d" * 28) +
       "mkdir -p $p && cd $p && pwd | wc -c\n"
       "echo end\n")


class ShOnKestrel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "sh.img"))
        ts.sfs_tool(cls.img, "mkdir", "/data")
        for name, text in (("script.sh", SCRIPT), ("numbers", NUMBERS), ("odd.sh", ODD)):
            path = os.path.join(ts.WORK, "sh-" + name)
            with open(path, "w") as f:
                f.write(text)
            ts.sfs_tool(cls.img, "put", path, "/data/" + name)
        fault = os.path.join(ts.ROOT, "build", "user", "tests", "fault")
        if os.path.exists(fault):
            ts.sfs_tool(cls.img, "put", fault, "/data/fault")
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def run_line(self, line, timeout=60):
        self.assertLess(len(line), 70, "keep lines within the terminal")
        out = self.sh.run(line, timeout=timeout)
        self.assertIsNone(LACKS.search(out), "%s: %s" % (line, out))
        return out

    def test_sh_session(self):
        # the login shell starts a second /bin/sh
        self.assertEqual(self.run_line("/bin/sh"), "")
        self.assertEqual(self.run_line("echo $0 $$"), "/bin/sh %s\n" % self.run_line("echo $$").strip())
        # pipelines
        self.assertEqual(self.run_line("echo hello | wc -c"), "6\n")
        self.assertEqual(self.run_line("sort -n /data/numbers | tail -1"), "100\n")
        self.assertEqual(self.run_line("ls /bin | grep -c sh"), "1\n")
        self.assertEqual(self.run_line("cat /data/numbers | sort | uniq | wc -l"), "4\n")
        # redirections into files on the disk
        self.assertEqual(self.run_line("echo first > /data/out"), "")
        self.assertEqual(self.run_line("echo second >> /data/out"), "")
        self.assertEqual(self.run_line("wc -l < /data/out"), "2\n")
        self.assertEqual(self.run_line("cat /nope 2> /data/err; echo $?"), "1\n")
        self.assertIn("No such file", self.run_line("cat /data/err"))
        self.assertEqual(self.run_line("ls /nope > /data/both 2>&1"), "")
        self.assertIn("No such file", self.run_line("cat /data/both"))
        # statuses
        self.assertEqual(self.run_line("false; echo $?"), "1\n")
        self.assertEqual(self.run_line("true && echo yes || echo no"), "yes\n")
        self.assertEqual(self.run_line("nosuchcmd"), "sh: nosuchcmd: command not found\n")
        self.assertEqual(self.run_line("echo $?"), "127\n")
        # variables, quoting, expansion
        self.assertEqual(self.run_line("x='a  b'; echo \"$x\" $x ${y:-d}"), "a  b a b d\n")
        self.assertEqual(self.run_line("export V=1; sh -c 'echo $V'"), "1\n")
        self.assertEqual(self.run_line("echo $(echo sub) $((6 * 7))"), "sub 42\n")
        self.assertEqual(self.run_line("cd /bin; echo s[ho]*; cd /"), "sh sort\n")
        # background jobs and wait
        self.assertEqual(self.run_line("sleep 1 & echo started"), "started\n")
        self.assertEqual(self.run_line("wait $!; echo $?"), "0\n")
        self.assertEqual(self.run_line("(exit 3) & wait $!; echo $?"), "3\n")
        # scripts from the disk and sh -c
        self.assertEqual(self.run_line("sh /data/script.sh 1 2 3; echo $?"),
                         "args 3 total 6\nsmall 4\nsmall 15\nfirst is one\n"
                         "in f: arg\nf gave 4\n7\n")
        self.assertEqual(self.run_line("sh -c 'for i in 1 2; do echo $i; done'"), "1\n2\n")
        out = re.sub(r"proc: .* used system call 28, .*\n", "", self.run_line("sh /data/odd.sh"))
        self.assertRegex(out, r"^10001\n7\ndata\nsh: /data/n+m: File ?name too long\n"
                              r"refused 1\n%d\nend\n$" % (len("/data/deep") + 30 * 30 + 1))
        # a program killed by a signal is reported, and the shell goes on
        if os.path.exists(os.path.join(ts.ROOT, "build", "user", "tests", "fault")):
            out = self.run_line("/data/fault; echo status $?")
            self.assertIn("Segmentation fault\nstatus 139\n", out)
        self.assertEqual(self.run_line("echo still here"), "still here\n")
        # exit returns to the login shell, which carries on
        self.assertEqual(self.run_line("exit"), "")
        self.assertEqual(self.run_line("pwd"), "/\n")
        self.assertEqual(self.run_line("cat /data/out"), "first\nsecond\n")
        self.sh.shutdown()
        self.assertEqual(ts.sfs_tool(self.img, "cat", "/data/out"), "first\nsecond\n")


if __name__ == "__main__":
    unittest.main()
