#!/bin/sh
# In the test machine, before routine-player starts: a simulated GPIO chip (one bank of 28 lines,
# like a Pi's header), a Pi's identity for gpiozero, and the share where results go.
set -eu
sim=/sys/kernel/config/gpio-sim/pi
if [ ! -d $sim ]; then
	mkdir -p $sim/bank0
	echo 28 >$sim/bank0/num_lines
	echo 1 >$sim/live
fi
udevadm settle
mkdir -p /run/vm-test
# gpiozero reads a Pi's revision from /proc/cpuinfo; the unit's drop-in binds this copy over it.
{ cat /proc/cpuinfo; printf 'Revision\t: c03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n'; } \
	>/run/vm-test/cpuinfo
# gpiozero opens gpiochip0, a Pi's header: the simulated one must be it (lib.sh keeps qemu's
# arm64 board from registering a chip of its own first).
chip=$(cat $sim/bank0/chip_name)
[ "$chip" = gpiochip0 ] || { echo "vm-test: the simulated header is $chip, not gpiochip0" >&2; exit 1; }
echo "/sys/devices/platform/$(cat $sim/dev_name)/$chip" >/run/vm-test/chip
mkdir -p /mnt/results
mountpoint -q /mnt/results || mount -t 9p -o trans=virtio,version=9p2000.L results /mnt/results
