#!/bin/busybox sh
# tests/bench/linux/procbench-init.sh - /init of the initramfs that
# tests/bench/proc_vs_linux.py boots Debian's cloud kernel with: report the
# kernel and its CPU-vulnerability mitigations, run /bin/procbench (the same
# static binary Kestrel runs; /bin/true_static beside it) with /init's
# arguments (what follows "--" on the kernel command line), then power off.
# Every line the script parses starts with `procbench` or `pbinfo:`.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "pbinfo: kernel $(uname -r)"
echo "pbinfo: cpus $(grep -c ^processor /proc/cpuinfo)"
echo "pbinfo: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
for v in meltdown spectre_v1 spectre_v2; do
    f=/sys/devices/system/cpu/vulnerabilities/$v
    [ -r $f ] && echo "pbinfo: $v $(cat $f)"
done
cd /
/bin/procbench "$@"
echo "pbinfo: procbench exit $?"
poweroff -f
