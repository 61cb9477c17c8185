#!/usr/bin/env python3
"""Write the initrd: a cpio `newc` archive (what `cpio -o -H newc` writes).

    mkinitrd.py OUT VERSION_HEADER DIR=FILE... link:DIR/NAME=TARGET...

Each DIR=FILE argument puts FILE in the archive as DIR/<basename of FILE>
(e.g. bin=build/user/bin/ls gives bin/ls), keeping its permission bits; an ELF
file goes in without its debug sections (strip --strip-debug).
Each link:DIR/NAME=TARGET argument puts a symbolic link DIR/NAME -> TARGET
in it (link:sbin/fsck=fsck.sfs).
etc/motd is generated from the kernel's version header; etc/passwd and
etc/group name root; etc/fstab lists what
init mounts (/proc and /tmp). Every directory gets
an entry before its files; times and owners are zero so the same inputs give
the same bytes. Standard library only (and binutils' strip).
"""
import os
import re
import subprocess
import sys
import tempfile


def entry(ino, name, mode, data=b""):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
    out = hdr.encode() + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def motd(version_header):
    with open(version_header) as f:
        text = f.read()
    name = re.search(r'KERNEL_NAME\s+"([^"]*)"', text).group(1)
    version = re.search(r'KERNEL_VERSION\s+"([^"]*)"', text).group(1)
    return ("Welcome to %s %s.\n"
            "The programs in /bin come from this boot image; your files live on the disk.\n"
            "Try: /bin/ls -l /\n" % (name, version)).encode()


FSTAB = b"""\
# /etc/fstab: what init mounts at boot, in this order (fstab(5) fields).
# The kernel has mounted / (the disk), /dev and the boot image's /bin, /etc
# and /sbin before it started init.
proc   /proc  proc   nosuid,nodev,noexec  0 0
tmpfs  /tmp   tmpfs  defaults             0 0
"""


# /etc/passwd and /etc/group: every process is root (docs/processes.md), so
# root is the one user and group; chown and ls -l resolve the name.
PASSWD = b"root:x:0:0:root:/:/bin/sh\n"
GROUP = b"root:x:0:\n"


def without_debug_info(path):
    """The file's bytes; for an ELF file, without its debug sections (GRUB
    loads half as much at boot; the symbol table stays, so a crash report
    still names the function)."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x7fELF"):
        return data
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "stripped")
        subprocess.run(["strip", "--strip-debug", "-o", out, path], check=True)
        with open(out, "rb") as f:
            return f.read()


def main(argv):
    out, version_header, specs = argv[1], argv[2], argv[3:]
    files = {"etc/motd": (0o100644, motd(version_header)), "etc/fstab": (0o100644, FSTAB),
             "etc/passwd": (0o100644, PASSWD), "etc/group": (0o100644, GROUP)}
    for spec in specs:
        if spec.startswith("link:"):
            name, target = spec[len("link:"):].split("=", 1)
            files[name] = (0o120777, target.encode())
            continue
        d, path = spec.split("=", 1)
        files["%s/%s" % (d, os.path.basename(path))] = (
            0o100000 | (os.stat(path).st_mode & 0o7777), without_debug_info(path))
    blob = bytearray()
    ino = 1
    for d in sorted({n.split("/")[0] for n in files}):
        blob += entry(ino, d, 0o040755)
        ino += 1
        for name in sorted(n for n in files if n.startswith(d + "/")):
            mode, data = files[name]
            blob += entry(ino, name, mode, data)
            ino += 1
    blob += entry(0, "TRAILER!!!", 0)
    blob += b"\0" * (-len(blob) % 512)  # as cpio pads to its block size
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv)
