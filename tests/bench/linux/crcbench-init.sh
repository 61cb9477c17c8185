#!/bin/busybox sh
# tests/bench/linux/crcbench-init.sh - /init of the initramfs that
# tests/bench/smp_vs_linux.py boots Debian's cloud kernel with: report the
# CPUs, run /bin/crcbench (the same static binary Kestrel runs) with /init's
# arguments (what follows "--" on the kernel command line), then power off.
# Every line the script parses starts with `crcbench` or `pbinfo:`.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "pbinfo: kernel $(uname -r)"
echo "pbinfo: cpus $(grep -c ^processor /proc/cpuinfo)"
cd /
/bin/crcbench "$@"
echo "pbinfo: crcbench exit $?"
poweroff -f
