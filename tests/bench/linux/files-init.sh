#!/bin/busybox sh
# tests/bench/linux/files-init.sh - /init of the initramfs that
# tests/bench/files_vs_linux.py boots Debian's cloud kernel with: load the
# virtio modules named in /etc/modules.conf (none when built in), wait for
# /dev/vdb (the ext2 disk; /dev/vda is the same unused disk Kestrel boots
# from), mount it at /mnt, run /files.sh (the script Kestrel runs too) with
# /init's arguments (what follows "--" on the kernel command line), then power
# off. Every line the script parses starts with `fb:`.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
    echo "fb: error $*"
    poweroff -f
}
. /etc/modules.conf
for m in $MODULES; do
    insmod "/lib/modules/$m" || fail "insmod $m failed"
done
i=0
while [ ! -b /dev/vdb ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && fail "no /dev/vdb after 10 s"
    sleep 0.1
done
echo "fb: info kernel $(uname -r)"
echo "fb: info vdb read_ahead_kb=$(cat /sys/block/vdb/queue/read_ahead_kb)" \
     "scheduler=$(tr ' ' , </sys/block/vdb/queue/scheduler)"
mkdir -p /mnt
mount -t ext2 /dev/vdb /mnt || fail "mount -t ext2 /dev/vdb /mnt failed"
echo "fb: info $(grep ' /mnt ' /proc/mounts)"
cd /
sh /files.sh linux "$@"
poweroff -f
