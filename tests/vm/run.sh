#!/bin/bash
# make vm-test: build (or reuse) the test machine, boot it under qemu, print its checks.
# Run as root (debootstrap, chroot, mounts). VM_ARCH and VM_SUITE pick the machine (lib.sh:
# amd64 bookworm unless told); VM_CACHE (default .cache/vm/SUITE-ARCH) keeps the base between
# runs; VM_TIMEOUT (seconds, default 2400, 5400 for arm64) bounds the boot and checks; VM_KEEP_DISK=1
# boots the disk the last run made instead of making it again; VM_BUILD_ONLY=1 stops once the
# disk is made (.ci/run builds beside `make test`, then boots). docs/testing.md says more.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ "$(id -u)" = 0 ] || { say "run as root: it builds a Debian root with debootstrap and chroot"; exit 1; }
cache=${VM_CACHE:-$here/../../.cache/vm/$suite-$arch}
cache=$(mkdir -p "$cache" && cd "$cache" && pwd)

started=$(date +%s)
# The base is made by these scripts for this machine and release (lib.sh's choice of extras is
# not in it, so changing those keeps the base).
key=$( (cat "$here/base.sh" "$here/gpio-sim-build.sh" "$here/sources.py"
	echo "$arch $suite") | sha256sum | cut -c1-16)
if [ "$(cat "$cache/root.done" 2>/dev/null)" != "$key" ] || [ ! -d "$cache/root" ]; then
	bash "$here/base.sh" "$cache"
	echo "$key" >"$cache/root.done"
else
	say "base cached in $cache/root"
fi
built=$(date +%s)
if [ -n "${VM_KEEP_DISK:-}" ] && [ -f "$cache/disk.img" ]; then
	say "the last disk, kept (VM_KEEP_DISK): $cache/disk.img, made $(date -r "$cache/disk.img")"
else
	bash "$here/image.sh" "$cache"
fi
imaged=$(date +%s)
if [ -n "${VM_BUILD_ONLY:-}" ]; then
	say "built (VM_BUILD_ONLY): base $((built - started)) s, disk $((imaged - built)) s (make install $(cat "$cache/install.seconds") s)"
	exit 0
fi

rm -rf "$cache/results"
mkdir -p "$cache/results"
say "booting the $suite $arch machine (qemu, software emulation); its console: $cache/console.log"
status=0
# shellcheck disable=SC2086 # $qemu is the program and its machine, as words
timeout "${VM_TIMEOUT:-$limit}" $qemu -accel tcg,thread=multi -smp 2 -m 1536 \
	-nodefaults -display none -no-reboot -snapshot -nic none \
	-kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
	-append "root=/dev/vda rw console=$console panic=-1 systemd.show_status=1 $board" \
	-drive "file=$cache/disk.img,format=raw,if=virtio" \
	-virtfs "local,path=$cache/results,mount_tag=results,security_model=none" \
	-serial "file:$cache/console.log" || status=$?
[ $status = 124 ] && say "the test machine did not finish within ${VM_TIMEOUT:-$limit} s"
booted=$(date +%s)
say "base $((built - started)) s, disk $((imaged - built)) s (make install $(cat "$cache/install.seconds") s), boot and checks $((booted - imaged)) s"
python3 "$here/report.py" "$cache/results"
