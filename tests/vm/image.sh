#!/bin/bash
# The test machine's disk: the cached base plus this checkout, installed by `make install` in a
# chroot as on a Pi (wheels from a wheelhouse built here, since the machine has no network), the
# speech cache rendered natively (eSpeak under emulation is slow), and the test fixtures.
# Usage: image.sh CACHE. Writes CACHE/disk.img, CACHE/vmlinuz and CACHE/initrd.img.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
cache=$1
stage=$cache/stage

key=$(sha256sum <"$project/pyproject.toml" | cut -c1-16)
version=$(${PIP:-python3 -m pip} --version | sed -n 's/.*(python \([0-9.]*\))$/\1/p')
[ "$version" = 3.11 ] || { say "wheels are built here for the machine's Python 3.11; this is $version"; exit 1; }
if [ "$(cat "$cache/wheels/.key" 2>/dev/null)" != "$key" ]; then
	say "wheelhouse for the project's dependencies"
	rm -rf "$cache/wheels"
	${PIP:-python3 -m pip} wheel -q -w "$cache/wheels" "$project[web]" lgpio setuptools wheel >"$cache/wheels.log" 2>&1 \
		|| { tail -n 20 "$cache/wheels.log"; exit 1; }
	rm -f "$cache/wheels"/routine_player-*.whl
	echo "$key" >"$cache/wheels/.key"
fi

say "a fresh copy of the base, with this checkout in /root/routine-player"
scrap "$stage"
cp -a "$cache/root" "$stage"
mkdir -p "$stage/root/routine-player"
git -C "$project" ls-files -z --cached --others --exclude-standard \
	| tar -C "$project" --null --ignore-failed-read -cf - -T - \
	| tar -C "$stage/root/routine-player" -xf -
cp -a "$cache/wheels" "$stage/root/wheels"

say "make install WEB=1 BLUETOOTH=1, as a person does on a Pi (with the phone page and BlueALSA)"
in_root "$stage" make -C /root/routine-player install WEB=1 BLUETOOTH=1 WHEELS=/root/wheels >"$cache/install.log" 2>&1 \
	|| { tail -n 20 "$cache/install.log"; exit 1; }
say "every routine's speech, rendered into the service's cache, as after a first start"
install -d -o "$(chroot "$stage" id -u routine-player)" -g "$(chroot "$stage" id -g routine-player)" \
	-m 0750 "$stage/var/cache/routine-player"
install -m 0644 "$here/guest/vm-keep-awake.toml" "$stage/etc/routine-player/routines/"
for routine in $(cd "$project/routines" && ls -- *.toml | sed 's/\.toml$//') \
	/etc/routine-player/routines/vm-keep-awake.toml; do
	in_root "$stage" runuser -u routine-player -- /opt/routine-player/venv/bin/routine-player \
		render --config /etc/routine-player/config.toml --force -o /tmp/warm.wav "$routine" \
		2>&1 | { grep -v 'secure directory' || true; }
done

say "test fixtures: the gpio-sim chip, a Pi's identity, the checks"
guest=$here/guest
install -D -m 0755 "$guest/fixtures.sh" "$stage/usr/local/lib/vm-test/fixtures.sh"
install -m 0644 "$guest/checks.py" "$guest/underruns.py" "$guest/old_wiring.py" \
	"$stage/usr/local/lib/vm-test/"
# Issue 13's check forces lgpio's start-up race with this shim (Debian 12 here and there).
gcc -shared -fPIC -O2 -Wall -o "$stage/usr/local/lib/vm-test/stall.so" "$guest/stall.c" -ldl
install -m 0644 "$guest/vm-fixtures.service" "$guest/vm-checks.service" "$stage/etc/systemd/system/"
install -D -m 0644 "$guest/routine-player.service.d/vm-test.conf" \
	"$stage/etc/systemd/system/routine-player.service.d/vm-test.conf"
install -D -m 0644 "$guest/60-vm-test-gpio.rules" "$stage/etc/udev/rules.d/60-vm-test-gpio.rules"
chroot "$stage" systemctl enable vm-checks.service 2>/dev/null
if [ -n "${VM_GRID:-}" ]; then # make vm-grid: the rate × buffer grid after check 8 (grid.py)
	install -m 0644 "$guest/grid.py" "$stage/usr/local/lib/vm-test/"
	install -m 0644 "$guest/vm-grid.toml" "$stage/etc/routine-player/routines/"
	in_root "$stage" runuser -u routine-player -- /opt/routine-player/venv/bin/routine-player \
		render --config /etc/routine-player/config.toml --force -o /tmp/warm.wav vm-grid \
		2>&1 | { grep -v 'secure directory' || true; }
fi

cp "$(ls "$stage"/boot/vmlinuz-* | sort -V | tail -n 1)" "$cache/vmlinuz"
cp "$(ls "$stage"/boot/initrd.img-* | sort -V | tail -n 1)" "$cache/initrd.img"
rm -f "$cache/disk.img"
truncate -s 4G "$cache/disk.img"
mkfs.ext4 -q -F -L root -d "$stage" "$cache/disk.img"
scrap "$stage"
say "disk ready"
