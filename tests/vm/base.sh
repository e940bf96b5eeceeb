#!/bin/bash
# Build the test machine's base: Debian ($VM_SUITE, minbase, for $VM_ARCH) from this machine's apt
# mirror, with a kernel, systemd, ALSA, libgpiod, eSpeak NG, and gpio-sim: the kernel's own module
# where its config has one, else one built for that kernel (docs/testing.md).
# Usage: base.sh DIR. Writes DIR/root; about 3 minutes for amd64, 15 for arm64 (emulated chroot).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dir=$1
root=$dir/root
scrap "$root"
rm -f "$dir/root.done"
mkdir -p "$root"
foreign

packages=linux-image-$arch,systemd-sysv,udev,kmod,dbus,gpiod,alsa-utils,python3,python3-venv
packages=$packages,espeak-ng,make
mirror=$(python3 "$here/sources.py" --mirror)
say "debootstrap $suite $arch (minbase) from the mirror apt uses here"
debootstrap --arch="$arch" --variant=minbase --include="$packages" "$suite" "$root" "$mirror" \
	>"$dir/debootstrap.log"

say "security updates"
rm -f "$root/etc/apt/sources.list"
python3 "$here/sources.py" --suite "$suite" >"$root/etc/apt/sources.list.d/debian.sources"
in_root "$root" sh -c "apt-get update -q && apt-get -y -q upgrade &&
	apt-get install -y -q --no-install-recommends linux-image-$arch" >"$dir/apt.log"
kver=$(ls "$root/lib/modules" | sort -V | tail -n 1)
if grep -q '^CONFIG_GPIO_SIM=m' "$root/boot/config-$kver"; then
	say "gpio-sim comes with $kver"
else
	say "the kernel's headers and sources for gpio-sim"
	source=linux-source-$(echo "$kver" | cut -d. -f1,2)
	in_root "$root" sh -c "apt-get install -y -q --no-install-recommends linux-headers-$arch \
		$source gcc make xz-utils" >>"$dir/apt.log"
	cp "$here/gpio-sim-build.sh" "$root/tmp/"
	in_root "$root" sh /tmp/gpio-sim-build.sh "$source"
	in_root "$root" sh -c "apt-get purge -y -q --autoremove $source 'linux-headers-*' \
		'linux-kbuild-*' gcc xz-utils" >>"$dir/apt.log"
fi
in_root "$root" apt-get clean

say "a machine that boots from /dev/vda with no network"
echo vm-test >"$root/etc/hostname"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
printf '9p\n9pnet_virtio\nsnd-aloop\ngpio-sim\n' >"$root/etc/modules-load.d/vm-test.conf"
in_root "$root" passwd -d root >/dev/null
say "base ready in $root"
