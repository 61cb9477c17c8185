"""`make bench-fuse`: sfs-fuse against Debian's fuse2fs, side by side in one run.

Both file systems are images of the same size in the same directory, both
mounted through FUSE with their documented default options (sfs-fuse: none;
fuse2fs: none, which gives its defaults, default_permissions and use_ino among
them). The workloads, in order, each on a fresh mount (the kernel's caches of
the previous step are gone; the daemon's own caches too):

  untar       tar -x of a tarball of /usr/include (read from the page cache)
  find+stat   find over the tree, stat(1) of every entry
  du -s       du -s of the tree
  write+fsync 256 MiB written in 1 MiB writes, then fsync
  read back   the 256 MiB file read in 1 MiB reads
  rm -rf      the tree removed

Then the fsx exerciser (tests/fuse/fsx.c) runs 10^6 operations on sfs-fuse
(--fsx-ops), with the page cache, and its rate is printed.

The rows run in --rounds rounds (default 3) on freshly formatted images, the
two file systems taking turns row by row; each figure is the row's fastest
round, which keeps the load of a shared machine out of the comparison.

Each daemon runs in the foreground and every timed step that ends a mount
waits for the daemon to exit, so no work is left out. Prints a table and the
ratio fuse2fs time / sfs-fuse time (the target is at least 1.5 on every row).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TREE = "/usr/include"
IMAGE_SIZE = 1 << 30
BIG = 256 << 20


class Mount:
    def __init__(self, name, cmd, img, mnt):
        self.name, self.cmd, self.img, self.mnt = name, cmd, img, mnt
        self.proc = None

    def up(self):
        self.proc = subprocess.Popen(self.cmd + [self.img, self.mnt, "-f"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while not os.path.ismount(self.mnt):
            if self.proc.poll() is not None:
                sys.exit(f"{self.name}: exited: {self.proc.stderr.read().decode()}")
            if time.time() > deadline:
                sys.exit(f"{self.name}: did not mount")
            time.sleep(0.02)

    def down(self):
        subprocess.run(["fusermount3", "-u", self.mnt], check=True)
        _, err = self.proc.communicate(timeout=600)
        if self.proc.returncode != 0:
            sys.exit(f"{self.name}: exit {self.proc.returncode}: {err.decode()}")


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def sh(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL)


def write_big(path):
    block = os.urandom(1 << 20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for _ in range(BIG >> 20):
        os.write(fd, block)
    os.fsync(fd)
    os.close(fd)


def read_big(path):
    fd = os.open(path, os.O_RDONLY)
    n = 0
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        n += len(b)
    os.close(fd)
    if n != BIG:
        sys.exit(f"read back {n} bytes of {BIG}")


def workload(m, tarball):
    """The steps on mount @m, one (row, seconds) per step: a generator, so
    that the two file systems take turns row by row and a change in the
    machine's load falls on both."""
    mnt, tree = m.mnt, os.path.join(m.mnt, os.path.basename(TREE))
    m.up()
    t = timed(lambda: sh("tar", "-C", mnt, "-xf", tarball))
    # Unmounting writes back what the daemon kept: part of the untar's cost.
    yield "untar /usr/include", t + timed(m.down)
    m.up()
    yield "find + stat every file", timed(
        lambda: sh("find", tree, "-exec", "stat", "-c", "%s %i", "{}", "+"))
    m.down()
    m.up()
    yield "du -s", timed(lambda: sh("du", "-s", tree))
    big = os.path.join(mnt, "big")
    yield "write 256 MiB + fsync", timed(lambda: write_big(big))
    m.down()
    m.up()
    yield "read 256 MiB after remount", timed(lambda: read_big(big))
    m.down()
    m.up()
    t = timed(lambda: sh("rm", "-rf", tree))
    yield "rm -rf the tree", t + timed(m.down)


def fresh(m, bindir):
    """A new, empty image of IMAGE_SIZE bytes for mount @m."""
    if os.path.exists(m.img):
        os.unlink(m.img)
    with open(m.img, "wb") as f:
        f.truncate(IMAGE_SIZE)
    if m.name == "sfs-fuse":
        sh(os.path.join(bindir, "mkfs.sfs"), m.img)
    else:
        sh("mkfs.ext2", "-q", "-F", m.img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--fsx", default="build/tests/fuse/fsx")
    ap.add_argument("--fsx-ops", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists("/dev/fuse"):
        print("bench-fuse: skipped: no /dev/fuse")
        return
    for prog in ("fuse2fs", "mkfs.ext2", "fusermount3"):
        if not shutil.which(prog):
            sys.exit(f"bench-fuse: {prog} missing (mk/bootstrap.sh bench installs it)")
    tmp = tempfile.mkdtemp(prefix="bench-fuse-")
    try:
        tarball = os.path.join(tmp, "tree.tar")
        sh("tar", "-C", os.path.dirname(TREE), "-cf", tarball, os.path.basename(TREE))
        with open(tarball, "rb") as f:  # into the page cache for both
            while f.read(1 << 20):
                pass
        mounts = []
        for name in ("sfs", "ext2"):
            img, mnt = os.path.join(tmp, name + ".img"), os.path.join(tmp, name)
            os.mkdir(mnt)
            if name == "sfs":
                mounts.append(Mount("sfs-fuse", [os.path.join(args.bin, "sfs-fuse")], img, mnt))
            else:
                mounts.append(Mount("fuse2fs", ["fuse2fs"], img, mnt))
        # Best of --rounds: each round formats both images anew and runs every
        # row on both, taking turns; a row's figure is its fastest round.
        results = [{}, {}]
        names = []
        for _ in range(args.rounds):
            for m in mounts:
                fresh(m, args.bin)
            for rows in zip(*(workload(m, tarball) for m in mounts)):
                for i, (row, t) in enumerate(rows):
                    if row not in names:
                        names.append(row)
                    results[i][row] = min(t, results[i].get(row, t))
        results = [[(row, r[row]) for row in names] for r in results]
        size = subprocess.run(["du", "-sh", "--apparent-size", tarball], capture_output=True,
                              text=True).stdout.split()[0]
        print(f"sfs-fuse vs fuse2fs: {IMAGE_SIZE >> 20} MiB images, tree {TREE} ({size} tar),"
              f" seconds, best of {args.rounds} rounds")
        print(f"{'workload':<28} {'sfs-fuse':>9} {'fuse2fs':>9} {'ratio':>7}")
        worst = None
        for (row, s), (_, e) in zip(*results):
            ratio = e / s if s > 0 else float("inf")
            worst = ratio if worst is None else min(worst, ratio)
            mark = "" if ratio >= 1.5 else "  (below the 1.5x target)"
            print(f"{row:<28} {s:9.3f} {e:9.3f} {ratio:6.2f}x{mark}")
        print(f"lowest ratio: {worst:.2f}x (target: at least 1.5x on every row)")
        if args.fsx_ops:
            m = mounts[0]
            m.up()
            t = time.perf_counter()
            r = subprocess.run([args.fsx, "-n", str(args.fsx_ops), "-s", "11",
                                os.path.join(m.mnt, "fsx.data")], capture_output=True, text=True)
            t = time.perf_counter() - t
            m.down()
            if r.returncode != 0:
                sys.exit(f"fsx failed:\n{r.stdout}{r.stderr[-4000:]}")
            print(f"\n{r.stdout.strip()}\nfsx on sfs-fuse: {args.fsx_ops / t:.0f} operations/s "
                  f"({t:.0f} s)")
    finally:
        for d in ("sfs", "ext2"):
            p = os.path.join(tmp, d)
            if os.path.ismount(p):
                subprocess.run(["fusermount3", "-u", "-z", p])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
