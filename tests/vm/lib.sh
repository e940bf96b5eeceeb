# Shared by the vm-test scripts: messages (and one for any command that fails), the machine's
# architecture and release, and a chroot with /proc, /sys and /dev for apt and pip.
say() { printf 'vm-test: %s\n' "$*" >&2; }
trap 'say "stopped: \"$BASH_COMMAND\" failed (line $LINENO of $0)"' ERR
# logged LOG COMMAND...: run COMMAND, adding its output to LOG with the time of each line (so a
# slow build's log says which step took the time); if it fails, the log's last lines are shown.
logged() {
	log=$1
	shift
	"$@" 2>&1 | while IFS= read -r line; do printf '%(%H:%M:%S)T %s\n' -1 "$line"; done >>"$log" \
		|| { tail -n 20 "$log"; say "$1 failed (its log: $log)"; return 1; }
}

# VM_ARCH (amd64, the default, or arm64: a Pi's) and VM_SUITE (bookworm, the default, or trixie).
arch=${VM_ARCH:-amd64}
suite=${VM_SUITE:-bookworm}
case $suite in
bookworm) python=3.11 glibc=36 ;;
trixie) python=3.13 glibc=41 ;;
*) say "VM_SUITE is bookworm or trixie, not $suite"; exit 1 ;;
esac
case $arch in
amd64) cpu=x86_64 qemu="qemu-system-x86_64 -cpu max" console=ttyS0 cc=gcc limit=2400 board= ;;
# A Pi 4's core, so that an instruction a Pi lacks (onnxruntime 1.21.0's) stops here too.
arm64)
	cpu=aarch64 qemu="qemu-system-aarch64 -M virt -cpu cortex-a72" console=ttyAMA0
	# The `virt` board's own GPIO chip (a PL061, 8 lines) would be gpiochip0, where gpiozero
	# looks for a Pi's header: it is kept from registering, so the simulated header is chip 0.
	board=initcall_blacklist=pl061_gpio_driver_init
	cc=aarch64-linux-gnu-gcc limit=5400
	;;
*) say "VM_ARCH is amd64 or arm64, not $arch"; exit 1 ;;
esac

# foreign: let this machine run the guest's programs in a chroot (qemu-user-static's binfmt entry,
# registered with F, so the chroot needs no copy of the emulator).
foreign() {
	[ "$arch" != "$(dpkg --print-architecture)" ] || return 0
	binfmt=/proc/sys/fs/binfmt_misc
	[ -e $binfmt/register ] || mount -t binfmt_misc binfmt_misc $binfmt
	[ -e "$binfmt/qemu-$cpu" ] || cat "/usr/lib/binfmt.d/qemu-$cpu.conf" >$binfmt/register
}
# in_root ROOT COMMAND...: run COMMAND inside ROOT with the kernel filesystems it needs, and the
# environment `sudo` gives a person on a Pi, not this machine's (its pip settings and certificate
# paths would reach the machine's pip and Python otherwise).
in_root() {
	root=$1
	shift
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount -t devpts devpts "$root/dev/pts" 2>/dev/null || true
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	status=0
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
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
