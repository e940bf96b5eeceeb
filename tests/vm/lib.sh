# Shared by the vm-test scripts: messages (and one for any command that fails), and a chroot
# with /proc, /sys and /dev for apt and pip.
say() { printf 'vm-test: %s\n' "$*" >&2; }
trap 'say "stopped: \"$BASH_COMMAND\" failed (line $LINENO of $0)"' ERR

# in_root ROOT COMMAND...: run COMMAND inside ROOT with the kernel filesystems it needs.
in_root() {
	root=$1
	shift
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount -t devpts devpts "$root/dev/pts" 2>/dev/null || true
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	status=0
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$root" "$@" || status=$?
	umount -l "$root/dev/pts" 2>/dev/null || true
	umount -l "$root/dev" "$root/sys" "$root/proc"
	return $status
}

# scrap DIR: remove a root we built, never crossing into a filesystem still mounted inside it
# (a /dev bound there by a run that was killed mid-chroot).
scrap() {
	findmnt -rn -o TARGET | { grep -F "$1/" || true; } | sort -r | xargs -r -n 1 umount -l
	rm -rf --one-file-system "$1"
}
