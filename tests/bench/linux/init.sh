#!/bin/busybox sh
# tests/bench/linux/init.sh - /init of the initramfs tests/bench/virtio_vs_linux.py
# boots Debian's cloud kernel with: load the virtio modules listed in
# /etc/vbench.conf (none when they are built in), wait for /dev/vda, then time
# `dd if=/dev/vda of=/dev/null iflag=direct` at each request size in $SIZES,
# reading $BYTES bytes, with the clock read (adjtimex) just before and after dd.
# Every result is a `vbench:` line on the serial console; the script parses them.
# The last line is `vbench: done`, then the machine powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
    echo "vbench: error: $*"
    echo "vbench: done"
    poweroff -f
}

. /etc/vbench.conf
for m in $MODULES; do
    insmod "/lib/modules/$m" || fail "insmod $m failed"
done
i=0
while [ ! -b /dev/vda ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && fail "no /dev/vda after 10 s"
    sleep 0.1
done

q=/sys/block/vda/queue
echo "vbench: kernel $(uname -r)"
echo "vbench: disk_bytes $(($(cat /sys/block/vda/size) * 512))"
echo "vbench: queue scheduler=$(tr ' ' , <$q/scheduler)" \
     "max_sectors_kb=$(cat $q/max_sectors_kb)" \
     "max_segments=$(cat $q/max_segments) max_segment_size=$(cat $q/max_segment_size)" \
     "nr_requests=$(cat $q/nr_requests) read_ahead_kb=$(cat $q/read_ahead_kb)" \
     "mq=$(ls /sys/block/vda/mq | wc -l)"

# Time stamps in microseconds: busybox adjtimex reads the clock (adjtimex(2),
# microsecond resolution) and we parse its output after the timed window.
usecs() {
    s=0
    u=0
    while read -r k v rest; do
        case $k in
        time.tv_sec:) s=$v ;;
        time.tv_usec:) u=$v ;;
        esac
    done <"$1"
    echo $((s * 1000000 + u))
}

# The cost of the timing frame itself (adjtimex, then fork, exec, open and close
# of dd with count=0, then adjtimex), DD_REPS times per size; the script
# subtracts the median from the real runs, which are framed the same way.
for bs in $SIZES; do
    n=0
    while [ $n -lt "$DD_REPS" ]; do
        adjtimex >/tmp/t0
        dd if=/dev/vda of=/dev/null bs="$bs" count=0 iflag=direct 2>/dev/null
        adjtimex >/tmp/t1
        echo "vbench: overhead $bs $(($(usecs /tmp/t1) - $(usecs /tmp/t0)))"
        n=$((n + 1))
    done
done

for bs in $SIZES; do
    count=$((BYTES / bs))
    adjtimex >/tmp/t0
    dd if=/dev/vda of=/dev/null bs="$bs" count="$count" iflag=direct 2>/tmp/dd.err
    rc=$?
    adjtimex >/tmp/t1
    us=$(($(usecs /tmp/t1) - $(usecs /tmp/t0)))
    echo "vbench: read $bs $count $us $rc $(head -n 1 /tmp/dd.err)"
done
# The same static musl dd that Kestrel runs (its kbox, when the script put it
# here): it times itself with clock_gettime, as on Kestrel.
if [ -x /bin/kbox ]; then
    for bs in $SIZES; do
        count=$((BYTES / bs))
        /bin/kbox dd if=/dev/vda of=/dev/null bs="$bs" count="$count" iflag=direct 2>/tmp/kdd.err
        rc=$?
        echo "vbench: kdd $bs $count $rc $(tail -n 1 /tmp/kdd.err)"
    done
fi
echo "vbench: done"
poweroff -f
