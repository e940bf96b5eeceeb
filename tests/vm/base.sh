#!/bin/bash
# Build the test machine's base: Debian ($VM_SUITE, minbase, for $VM_ARCH) from this machine's apt
# mirror, with a kernel, systemd, ALSA, libgpiod, eSpeak NG, and gpio-sim: the kernel's own module
# where its config has one, else one built for that kernel (docs/testing.md).
# Usage: base.sh DIR. Writes DIR/root. For a foreign machine every program in the chroot runs
# under qemu-user, so what can run here (unpacking sources) does, and the kernel is installed once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dir=$1
root=$dir/root
scrap "$root"
rm -f "$dir/root.done" "$dir/debootstrap.log" "$dir/apt.log"
mkdir -p "$root"
foreign

packages=systemd-sysv,udev,kmod,dbus,gpiod,alsa-utils,python3,python3-venv,espeak-ng,make
packages=$packages,initramfs-tools # set up before the kernel comes (below)
# pam_systemd, which Raspberry Pi OS has (Debian's standard priority), for check 19's user manager
packages=$packages,libpam-systemd
mirror=$(python3 "$here/sources.py" --mirror)
say "debootstrap $suite $arch (minbase) from the mirror apt uses here"
# No fsync after every file while the base is built (removed again below): a throwaway root. Put
# there first, dpkg in the root reads it from its first run.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/vm-test-build"
logged "$dir/debootstrap.log" \
	debootstrap --arch="$arch" --variant=minbase --include="$packages" "$suite" "$root" "$mirror"

# The kernel comes after the security updates are known, and after initramfs-tools is set up (in
# the same dpkg run, its trigger would make the initramfs a second time), so its initramfs, about
# 3 minutes under emulation, is made once.
say "security updates and the kernel"
rm -f "$root/etc/apt/sources.list"
python3 "$here/sources.py" --suite "$suite" >"$root/etc/apt/sources.list.d/debian.sources"
logged "$dir/apt.log" in_root "$root" sh -c "apt-get update -q && apt-get -y -q upgrade &&
	apt-get install -y -q --no-install-recommends linux-image-$arch"
kver=$(ls "$root/lib/modules" | sort -V | tail -n 1)
if grep -q '^CONFIG_GPIO_SIM=m' "$root/boot/config-$kver"; then
	say "gpio-sim comes with $kver"
else
	say "gpio-sim's sources (linux-source, unpacked here) and the kernel's headers"
	source=linux-source-$(echo "$kver" | cut -d. -f1,2)
	logged "$dir/apt.log" in_root "$root" sh -c "cd /tmp && apt-get download -q $source &&
		apt-get install -y -q --no-install-recommends linux-headers-$arch gcc make"
	mkdir -p "$root/tmp/gpio-sim"
	dpkg-deb --fsys-tarfile "$root/tmp/${source}_"*.deb | tar -xOf - "./usr/src/$source.tar.xz" \
		| tar -xJf - -C "$root/tmp/gpio-sim" --strip-components=1 \
			"$source/drivers/gpio/gpio-sim.c" "$source/drivers/gpio/gpiolib.h" \
			"$source/kernel/irq/irq_sim.c"
	rm "$root/tmp/${source}_"*.deb
	cp "$here/gpio-sim-build.sh" "$root/tmp/"
	logged "$dir/apt.log" in_root "$root" sh /tmp/gpio-sim-build.sh /tmp/gpio-sim
	logged "$dir/apt.log" in_root "$root" sh -c \
		"apt-get purge -y -q --autoremove 'linux-headers-*' 'linux-kbuild-*' gcc"
	rm -rf "$root/tmp/gpio-sim" "$root/tmp/gpio-sim-build.sh"
fi
in_root "$root" apt-get clean
rm "$root/etc/dpkg/dpkg.cfg.d/vm-test-build"

say "a machine that boots from /dev/vda with no network"
echo vm-test >"$root/etc/hostname"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
printf '9p\n9pnet_virtio\nsnd-aloop\ngpio-sim\n' >"$root/etc/modules-load.d/vm-test.conf"
in_root "$root" passwd -d root >/dev/null
say "base ready in $root"
