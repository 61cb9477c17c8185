#!/bin/sh
# mk/bootstrap.sh - make sure the tools a target needs are installed.
#
# Usage: mk/bootstrap.sh build|iso|run|check|docs|coverage|bench|debug
# Each check is a command (or file) and the Debian package that provides it. Missing
# packages are installed with apt-get when we are root; otherwise we print the exact
# command and fail, so nothing half-works.
set -eu

need=""
want() { # want <package> <test...>: add <package> unless the test succeeds
    pkg=$1; shift
    if ! "$@" >/dev/null 2>&1; then
        case " $need " in *" $pkg "*) ;; *) need="$need $pkg" ;; esac
    fi
}
has() { command -v "$1"; }

want_build() {
    want make has make
    want gcc has gcc
    want musl-tools has musl-gcc
    want binutils has ld
    want pkg-config has pkg-config
    # The framebuffer console's font (mk/font.mk): a Debian console font.
    want console-setup-linux test -f /usr/share/consolefonts/Lat15-VGA16.psf.gz
    # sfs-fuse (tools/sfs_fuse*.c, docs/fuse.md): libfuse3 and fusermount3.
    want libfuse3-dev test -f /usr/include/fuse3/fuse_lowlevel.h
    want fuse3 has fusermount3
}
want_iso() {
    want grub-common has grub-mkrescue
    # One hybrid ISO: GRUB for BIOS and for x86-64 UEFI; grub-mkrescue builds
    # the UEFI boot image (a FAT file system) with mtools.
    want grub-pc-bin test -f /usr/lib/grub/i386-pc/multiboot2.mod
    want grub-efi-amd64-bin test -f /usr/lib/grub/x86_64-efi/multiboot2.mod
    want xorriso has xorriso
    want mtools has mformat
}
want_qemu() {
    want qemu-system-x86 has qemu-system-x86_64
    # UEFI firmware for QEMU: `make run UEFI=1` and the UEFI boot tests.
    want ovmf test -f /usr/share/OVMF/OVMF_CODE_4M.fd
    # The test drivers run under Debian's python3 (stdlib only), not any other
    # python3 that happens to be first on PATH.
    want python3 test -x /usr/bin/python3
}
want_check() {
    want check test -f /usr/include/check.h
}

targets=${*:-build}
for t in $targets; do
    case $t in
    build) want_build ;;
    iso) want_iso ;;
    run|bench|debug) want_build; want_iso; want_qemu ;;
    check) want_build; want_iso; want_qemu; want_check; want doxygen has doxygen; want graphviz has dot
           want gdb has gdb; want busybox-static test -x /bin/busybox ;;
    docs) want doxygen has doxygen; want graphviz has dot ;;
    coverage) want_build; want_check; want lcov has lcov ;;
    debug-gdb) want gdb has gdb ;;
    *) echo "bootstrap: unknown target set '$t'" >&2; exit 2 ;;
    esac
done

# The FUSE benchmark's opponent (tests/fuse/bench_fuse.py).
case " $targets " in *" bench "*) want fuse2fs has fuse2fs ;; esac
# Linux's ext2 for the file benchmark (tests/bench/files_vs_linux.py).
case " $targets " in *" bench "*) want e2fsprogs test -x /sbin/mke2fs ;; esac

[ -z "$need" ] && exit 0

cmd="apt-get install -y --no-install-recommends$need"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null
    echo "bootstrap: done"
else
    echo "bootstrap: missing packages:$need" >&2
    echo "bootstrap: run:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
