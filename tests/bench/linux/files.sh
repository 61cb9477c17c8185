# tests/bench/linux/files.sh - the file benchmark of tests/bench/files_vs_linux.py,
# one script run unchanged by Kestrel's /bin/sh and by busybox sh on Linux:
#
#   sh files.sh KIND MIB      KIND: kestrel or linux; the file system is at /mnt
#
# With the same static dd (/bin/kbox dd) on both kernels it writes a file of
# MIB MiB, makes the cache cold (KIND kestrel: unmount and mount /dev/vdb
# again, which drops the SFS cache; linux: `echo 3 > /proc/sys/vm/drop_caches`),
# reads it back, writes another with conv=fsync, then writes four files of
# MIB/4 MiB, makes the cache cold and reads the four at once, one dd each.
# Every timed step prints `fb: start NAME CPU-LINE` just before and
# `fb: end NAME CPU-LINE` just after (CPU-LINE: the first line of /proc/stat),
# then `fb: dd NAME STATUS LAST-LINE-OF-DD`; the host stamps the start and end
# lines as they arrive. The last line is `fb: done`, or `fb: error WHY`.
# The writes read /dev/zero with iflag=fullblock: a read of /dev/zero may
# return less than asked (Kestrel's gives 64 KiB at a time), and every block
# written must be a whole MiB on both kernels.
kind=$1
mib=$2
dd="/bin/kbox dd"
m=/mnt
quarter=$((mib / 4))

fail() {
    echo "fb: error $*"
    exit 1
}

mark() {
    echo "fb: $1 $2 $(head -n 1 /proc/stat)"
}

cold() {
    sync
    if [ "$kind" = kestrel ]; then
        umount $m || fail "umount $m"
        mount /dev/vdb $m || fail "mount /dev/vdb $m"
    else
        echo 3 >/proc/sys/vm/drop_caches || fail "drop_caches"
    fi
}

# step NAME DD-ARGS...: one timed dd.
step() {
    name=$1
    shift
    mark start "$name"
    $dd "$@" 2>/tmp/fb.err
    rc=$?
    mark end "$name"
    echo "fb: dd $name $rc $(tail -n 1 /tmp/fb.err)"
    [ $rc = 0 ] || fail "dd $name: $(cat /tmp/fb.err)"
}

[ "$kind" = kestrel ] || [ "$kind" = linux ] || fail "usage: files.sh kestrel|linux MIB"
[ "$quarter" -gt 0 ] || fail "MIB must be at least 4"
echo "fb: begin $kind $mib"
cold
step write if=/dev/zero of=$m/f bs=1M count="$mib" iflag=fullblock
cold
step read if=$m/f of=/dev/null bs=1M
rm $m/f || fail "rm $m/f"
sync
step fsync if=/dev/zero of=$m/g bs=1M count="$mib" iflag=fullblock conv=fsync
rm $m/g || fail "rm $m/g"
for i in 0 1 2 3; do
    $dd if=/dev/zero of=$m/p$i bs=1M count="$quarter" iflag=fullblock 2>/tmp/fb.err ||
        fail "dd of=$m/p$i: $(cat /tmp/fb.err)"
done
cold
mark start par4
pids=
for i in 0 1 2 3; do
    $dd if=$m/p$i of=/dev/null bs=1M 2>/tmp/fb$i.err &
    pids="$pids $!"
done
bad=0
for p in $pids; do
    wait "$p" || bad=1
done
mark end par4
for i in 0 1 2 3; do
    echo "fb: dd par4.$i $bad $(tail -n 1 /tmp/fb$i.err)"
done
[ $bad = 0 ] || fail "a parallel reader failed: $(cat /tmp/fb0.err /tmp/fb1.err /tmp/fb2.err /tmp/fb3.err)"
rm $m/p0 $m/p1 $m/p2 $m/p3
sync
echo "fb: diskstats $(grep ' vdb ' /proc/diskstats)"
echo "fb: done"
