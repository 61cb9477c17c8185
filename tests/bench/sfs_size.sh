#!/bin/sh
# tests/bench/sfs_size.sh - `make bench`: the size of libsfs compiled at -Os,
# beside littlefs's figure from issue 18.
#
# usage: sfs_size.sh CC OBJECT...
# The objects are libsfs's sources compiled by CC at plain -Os (rules in
# tests/unit/sfs/module.mk). Two measures are printed: the .text section alone,
# and size(1)'s "text" column (.text + .rodata + .eh_frame), which is the one
# the figures use (it gave libsfs 37.4 KB before the journal; this
# column read 37.0 KB at that commit, .text alone 27.2 KB).
#
# littlefs's source is not available offline, so its figure is the issue's:
# lfs.c + lfs_util.c, 27.6 KB at x86-64 -Os. It has no checker or repair, so
# the row without sfs_check.c and sfs_repair*.c is the like-for-like one.
set -eu
cc=$1
shift
text=0 berk=0 fsck_text=0 fsck_berk=0
for o in "$@"; do
    t=$(size -A "$o" | awk '$1 == ".text" { s += $2 } END { print s + 0 }')
    b=$(size "$o" | awk 'NR == 2 { print $1 }')
    text=$((text + t))
    berk=$((berk + b))
    case $o in
    *sfs_check* | *sfs_repair*)
        fsck_text=$((fsck_text + t))
        fsck_berk=$((fsck_berk + b))
        ;;
    esac
done
kb() { awk -v n="$1" 'BEGIN { printf "%.1f KB", n / 1000 }'; }
echo "code size at -Os, $($cc --version | head -n 1), $(uname -m)"
printf '%-52s %10s %18s\n' "" ".text" "size(1) text"
printf '%-52s %10s %18s\n' "libsfs, all of it" "$(kb $text)" "$(kb $berk)"
printf '%-52s %10s %18s\n' "libsfs without the checker and repair (fsck)" \
    "$(kb $((text - fsck_text)))" "$(kb $((berk - fsck_berk)))"
printf '%-52s %10s %18s\n' "littlefs lfs.c + lfs_util.c (issue 18's figure)" "" "27.6 KB"
