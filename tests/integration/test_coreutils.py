"""The core utilities of user/bin/ on Kestrel itself.

The same static musl binaries that tests/user/test_coreutils.py runs on the
host are put on an SFS disk with the host's `sfs put` (as test_proc.py puts
its programs) and typed by path in /bin/sh. Each check also looks
for the kernel's "used system call N, which Kestrel lacks" line, so a
utility that needs a missing call fails here by name rather than quietly.

KESTREL_BUILD=DIR runs it against another build directory than build/.
"""
import os
import re
import sys
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_shell as ts  # noqa: E402

BUILD = os.path.join(ts.ROOT, os.environ.get("KESTREL_BUILD", "build"))
USERBIN = os.path.join(BUILD, "user", "bin")
PROGS = ["cat", "echo", "true", "false", "mkdir", "rmdir", "rm", "mv", "cp", "ln", "touch", "wc",
         "head", "tail", "tee", "sort", "uniq", "grep", "sleep", "env", "basename", "dirname",
         "hexdump", "crc32", "stat", "ls"]
TEXT = "alpha one\nBeta two\ngamma three alpha\n\ndelta\n"
LACKS = re.compile(r"used system call (\d+), which Kestrel lacks")


def initrd_file(archive, name):
    """The bytes of NAME in a cpio newc archive, following symbolic links
    (relative to NAME's directory, or absolute from the archive's root)."""
    with open(archive, "rb") as f:
        data = f.read()
    entries, off = {}, 0
    while data[off:off + 6] == b"070701":
        fields = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        entry = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        entries[entry] = (mode, data[off:off + size])
        off += size + (-size % 4)
    for _ in range(8):
        mode, content = entries[name]
        if mode & 0o170000 != 0o120000:
            return content
        target = content.decode()
        name = target.lstrip("/") if target.startswith("/") else \
            os.path.join(os.path.dirname(name), target)
    raise ValueError("symbolic link loop at %s" % name)


class CoreutilsOnKestrel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if BUILD != os.path.join(ts.ROOT, "build"):
            ts.KERNEL = os.path.join(BUILD, "kernel.elf")
            ts.BIN = os.path.join(BUILD, "bin")
            ts.WORK = os.path.join(BUILD, "test-shell")
        os.makedirs(ts.WORK, exist_ok=True)
        cls.img = ts.mkfs(os.path.join(ts.WORK, "coreutils.img"))
        ts.sfs_tool(cls.img, "mkdir", "/bin")
        ts.sfs_tool(cls.img, "mkdir", "/data")
        for p in PROGS:
            ts.sfs_tool(cls.img, "put", os.path.join(USERBIN, p), "/bin/" + p)
        text = os.path.join(ts.WORK, "coreutils-text")
        with open(text, "w") as f:
            f.write(TEXT)
        ts.sfs_tool(cls.img, "put", text, "/data/text")
        cls.sh = ts.Shell(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.sh.close()

    def run_status(self, line, timeout=60):
        """Run a line; its output and the exit status of its last command."""
        out = self.sh.run(line + "; echo \"#status=$?\"", timeout=timeout)
        m = re.search(r"#status=(\d+)\n$", out)
        self.assertIsNotNone(m, "%s: %s" % (line, out))
        return out[:m.start()], int(m.group(1))

    def run_ok(self, line, timeout=60):
        """Run a line that must work: no missing system call, exit status 0."""
        out, status = self.run_status(line, timeout=timeout)
        self.assertIsNone(LACKS.search(out), "%s: %s" % (line, out))
        self.assertEqual(status, 0, "%s: %s" % (line, out))
        return out

    def test_ls_long_root(self):
        out = self.run_ok("/bin/ls -l /")
        self.assertRegex(out, r"^total \d+\n")
        self.assertRegex(out, r"\ndrwxr-xr-x +\d+ root root +\d+ \w{3} [ \d]\d +[\d:]+ bin\n")
        self.assertRegex(out, r"\ndrwxr-xr-x +\d+ root root +\d+ .* data\n")
        out = self.run_ok("/bin/ls -l /bin")
        # the initrd's: one program, kbox, and a symbolic link to it per name
        self.assertRegex(out, r"\n-rwxr-xr-x +1 root root +\d+ .* kbox\n")
        self.assertRegex(out, r"\nlrwxrwxrwx +1 root root +4 .* crc32 -> kbox\n")
        self.assertEqual(self.run_ok("/bin/ls -1 /data"), "text\n")

    def test_cat(self):
        self.assertEqual(self.run_ok("/bin/cat /data/text"), TEXT)
        self.assertEqual(self.run_ok("/bin/cat /data/text /data/text"), TEXT + TEXT)
        # the console is a terminal: cat copies what is typed until ^D, which at
        # the start of a line is end of file
        self.sh.s.send("/bin/cat\r\x04")
        out = self.sh.s.expect(ts.PROMPT, timeout=60)
        self.assertNotIn("exit status", out)
        self.assertEqual(out.split("\n")[1:-1], [])  # nothing but the echoed command
        self.assertEqual(self.run_status("/bin/cat /data/nope"),
                         ("cat: /data/nope: No such file or directory\n", 1))

    def test_mkdir_parents_and_rm(self):
        self.assertEqual(self.run_ok("/bin/mkdir -p /m/a/b/c /m/x"), "")
        self.assertEqual(self.run_ok("/bin/mkdir -p /m/a/b"), "")  # exists: fine with -p
        # the console is a terminal to musl's isatty(): names go in columns
        self.assertEqual(self.run_ok("/bin/ls -R /m"),
                         "/m:\na  x\n\n/m/a:\nb\n\n/m/a/b:\nc\n\n/m/a/b/c:\n\n/m/x:\n")
        out = self.sh.run("/bin/mkdir /m/a")
        self.assertIn("mkdir: /m/a: File exists\n", out)
        self.assertEqual(self.run_ok("/bin/cp -r /data /m/a/b/c"), "")
        self.assertEqual(self.run_ok("/bin/cat /m/a/b/c/data/text"), TEXT)
        self.assertEqual(self.run_ok("/bin/rm -r /m"), "")
        self.assertIn("No such file or directory", self.sh.run("/bin/ls /m"))

    def test_wc(self):
        lines, words, size = TEXT.count("\n"), len(TEXT.split()), len(TEXT)
        w = len(str(size))
        self.assertEqual(self.run_ok("/bin/wc /data/text"),
                         "%*d %*d %*d /data/text\n" % (w, lines, w, words, w, size))
        self.assertEqual(self.run_ok("/bin/wc -l /data/text"), "%d /data/text\n" % lines)

    def test_grep(self):
        self.assertEqual(self.run_ok("/bin/grep alpha /data/text"),
                         "alpha one\ngamma three alpha\n")
        self.assertEqual(self.run_ok("/bin/grep -in beta /data/text"), "2:Beta two\n")
        self.assertEqual(self.run_ok("/bin/grep -c -v a /data/text"), "1\n")
        self.assertEqual(self.run_ok("/bin/grep -E '^(delta|Beta)' /data/text"),
                         "Beta two\ndelta\n")
        self.assertEqual(self.run_status("/bin/grep nothing-like-this /data/text"), ("", 1))
        self.assertEqual(self.run_status("/bin/grep x /data/nope"),
                         ("grep: /data/nope: No such file or directory\n", 2))

    def test_crc32_matches_zlib_and_the_shell(self):
        # /bin/ls is the initrd's: a symbolic link to /bin/kbox, which crc32 reads
        ls_crc = zlib.crc32(initrd_file(os.path.join(BUILD, "initrd.cpio"), "bin/ls"))
        out = self.run_ok("/bin/crc32 /data/text /bin/ls")
        self.assertEqual(out, "%08x  /data/text\n%08x  /bin/ls\n"
                         % (zlib.crc32(TEXT.encode()), ls_crc))
        self.assertEqual(out, self.sh.run("crc32 /data/text /bin/ls"))  # found through $PATH

    def test_more_utilities(self):
        self.assertEqual(self.run_ok("/bin/echo -n a b; /bin/echo"), "a b\n")
        self.assertEqual(self.run_ok("/bin/sort -r /data/text"),
                         "gamma three alpha\ndelta\nalpha one\nBeta two\n\n")
        self.assertEqual(self.run_ok("/bin/head -n 1 /data/text"), "alpha one\n")
        self.assertEqual(self.run_ok("/bin/tail -n 1 /data/text"), "delta\n")
        out = self.run_ok("/bin/hexdump -C /data/text")
        self.assertTrue(out.startswith("00000000  61 6c 70 68 61 20 6f 6e  65 0a 42 65 74 61 20 74"
                                       "  |alpha one.Beta t|\n"), out)
        self.assertIn("regular file", self.run_ok("/bin/stat /data/text"))
        self.assertEqual(self.run_status("/bin/false"), ("", 1))

    def test_names_links_and_the_rest(self):
        self.assertEqual(self.run_ok("/bin/mkdir /n; /bin/cp /data/text /n/t; /bin/mv /n/t /n/u"), "")
        self.assertEqual(self.run_ok("/bin/ln -s u /n/s; /bin/ln /n/u /n/h"), "")
        self.assertRegex(self.run_ok("/bin/ls -l /n/s"), r"^lrwxrwxrwx .* /n/s -> u\n$")
        self.assertRegex(self.run_ok("/bin/stat -c '%h %F' /n/h"), r"^2 regular file\n$")
        self.assertEqual(self.run_ok("/bin/uniq -c /n/s"), "".join(
            "%7d %s\n" % (1, l) for l in TEXT.split("\n")[:-1]))
        # standard input is the terminal: ^D at the start of a line ends it
        self.sh.s.send("/bin/tee /n/empty\r\x04")
        self.assertNotIn("exit status", self.sh.s.expect(ts.PROMPT, timeout=60))
        self.assertEqual(self.run_ok("/bin/wc -c /n/empty"), "0 /n/empty\n")
        self.assertEqual(self.run_ok("/bin/rm /n/u /n/s /n/h /n/empty; /bin/rmdir /n"), "")
        self.assertEqual(self.run_ok("/bin/basename /a/b.c .c; /bin/dirname /a/b.c"), "b\n/a\n")
        self.assertEqual(self.run_ok("/bin/sleep 0.1; /bin/true"), "")
        out = self.run_ok("/bin/env")
        self.assertIn("PATH=/bin:/sbin\n", out)
        self.assertEqual(self.run_ok("/bin/env -i A=1 /bin/env"), "A=1\n")

    def test_touch(self):
        # Creating a file needs only open(); setting an existing file's times
        # needs utimensat (280), and musl falls back to futimesat (261) and
        # utimes (235): Kestrel has none of them yet. Once it has, the line
        # must simply work.
        self.assertEqual(self.run_ok("/bin/touch /data/new"), "")
        self.assertIn("new", self.run_ok("/bin/ls /data"))
        out, status = self.run_status("/bin/touch /data/text")
        missing = LACKS.findall(out)
        if missing:
            self.assertEqual(missing, ["280", "261", "235"], out)
            self.assertIn("touch: /data/text: Function not implemented\n", out)
            self.assertEqual(status, 1)
        else:
            self.assertEqual((out, status), ("", 0))


if __name__ == "__main__":
    unittest.main()
