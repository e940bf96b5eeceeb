#!/bin/bash
# Build the test machine's base: Debian 12 (minbase) from this machine's apt mirror, with a kernel,
# systemd, ALSA, libgpiod, eSpeak NG, and a gpio-sim module built for that kernel
# (docs/testing.md). Usage: base.sh DIR. Writes DIR/root; about 3 minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dir=$1
root=$dir/root
scrap "$root"
rm -f "$dir/root.done"
mkdir -p "$root"

packages=linux-image-amd64,systemd-sysv,udev,kmod,dbus,gpiod,alsa-utils,python3,python3-venv
packages=$packages,espeak-ng,make
mirror=$(python3 "$here/sources.py" --mirror)
say "debootstrap bookworm (minbase) from the mirror apt uses here"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$dir/debootstrap.log"

say "security updates, and the kernel's headers and sources for gpio-sim"
rm -f "$root/etc/apt/sources.list"
python3 "$here/sources.py" >"$root/etc/apt/sources.list.d/debian.sources"
in_root "$root" sh -c 'apt-get update -q && apt-get -y -q upgrade &&
	apt-get install -y -q --no-install-recommends linux-image-amd64 linux-headers-amd64 \
		linux-source-6.1 gcc make xz-utils' >"$dir/apt.log"
cp "$here/gpio-sim-build.sh" "$root/tmp/"
in_root "$root" sh /tmp/gpio-sim-build.sh
in_root "$root" sh -c 'apt-get purge -y -q --autoremove linux-source-6.1 "linux-headers-*" \
	"linux-kbuild-*" gcc xz-utils && apt-get clean' >>"$dir/apt.log"

say "a machine that boots from /dev/vda with no network"
echo vm-test >"$root/etc/hostname"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
printf '9p\n9pnet_virtio\nsnd-aloop\ngpio-sim\n' >"$root/etc/modules-load.d/vm-test.conf"
in_root "$root" passwd -d root >/dev/null
say "base ready in $root"
