#!/bin/bash
# The test machine's disk: the cached base plus this checkout, installed by `make install` in a
# chroot as on a Pi, with every extra (wheels from a wheelhouse fetched here for the machine's
# platform, since it has no network), the speech cache rendered, and the test fixtures.
# Usage: image.sh CACHE. Writes CACHE/disk.img, CACHE/vmlinuz and CACHE/initrd.img.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
cache=$1
stage=$cache/stage
extras=web,piper # every extra a person can choose: the page, and Piper with the tests' tiny voice
foreign # the chroot runs the machine's programs (a cached base outlives a reboot's binfmt entry)

# lgpio_wheel: lgpio for a machine that neither PyPI nor Debian has it for (Python 3.13 on
# aarch64; Raspberry Pi OS has its own python3-lgpio), cross-built here from its sdist (about 20 s;
# under emulation it took 35 minutes): SWIG 4.3.0 from PyPI (Debian 13's; 4.4 dropped the
# Python 2 names lgpio.i uses), the machine's own Python headers (libpythonX.Y-dev, unpacked, not
# installed), and its C library linked in, as PyPI's own lgpio wheels are (PYPI=1 in its setup.py).
lgpio_wheel() {
	say "lgpio's wheel, cross-built from its sdist (no wheel for $cpu, Python $python)"
	work=$cache/lgpio
	rm -rf "$work"
	mkdir -p "$work/sysroot"
	{ ${PIP:-python3 -m pip} download -q --no-deps --no-binary :all: -d "$work" lgpio &&
		${PIP:-python3 -m pip} install -q --target "$work/tools" swig==4.3.0 wheel &&
		in_root "$cache/root" sh -c "cd /tmp && apt-get download -q libpython$python-dev"
	} >>"$cache/wheels.log" 2>&1 || { tail -n 20 "$cache/wheels.log"; exit 1; }
	dpkg-deb -x "$cache/root/tmp/libpython$python-dev_"*.deb "$work/sysroot"
	rm "$cache/root/tmp/libpython$python-dev_"*.deb
	tar -xzf "$work"/lgpio-*.tar.gz -C "$work"
	src=$(ls -d "$work"/lgpio-*/)
	name=$(basename "$src")
	pyver=${python/./}
	wheel=$work/wheel
	mkdir -p "$wheel/$name.dist-info"
	(cd "$src" && PYTHONPATH="$work/tools" "$work/tools/bin/swig" -python -o lgpio_wrap.c lgpio.i &&
		$cc -DNDEBUG -fwrapv -O3 -pthread -fPIC -shared -Werror=implicit-function-declaration \
			-Werror=int-conversion -Isrc -I"$work/sysroot/usr/include" \
			-I"$work/sysroot/usr/include/python$python" src/lg*.c src/rgpiod.c lgpio_wrap.c -lrt -ldl \
			-o "$wheel/_lgpio.cpython-$pyver-$cpu-linux-gnu.so") >>"$cache/wheels.log" 2>&1 \
		|| { tail -n 20 "$cache/wheels.log"; exit 1; }
	cp "$src/lgpio.py" "$wheel/"
	cp "$src/PKG-INFO" "$wheel/$name.dist-info/METADATA"
	cp "$src/LICENSE" "$wheel/$name.dist-info/"
	printf 'Wheel-Version: 1.0\nGenerator: routine-player tests/vm/image.sh\nRoot-Is-Purelib: false\nTag: %s\n' \
		"cp$pyver-cp$pyver-linux_$cpu" >"$wheel/$name.dist-info/WHEEL"
	# It must import on the machine: the module's name and its library's symbols are checked there.
	rm -rf "$cache/root/tmp/lgpio"
	cp -a "$wheel" "$cache/root/tmp/lgpio"
	in_root "$cache/root" env PYTHONPATH=/tmp/lgpio python3 -c 'import lgpio' >>"$cache/wheels.log" 2>&1 \
		|| { tail -n 20 "$cache/wheels.log"; say "lgpio's wheel does not import on the machine"; exit 1; }
	rm -rf "$cache/root/tmp/lgpio"
	PYTHONPATH="$work/tools" python3 -m wheel pack "$wheel" -d "$cache/wheels" >>"$cache/wheels.log"
	rm -rf "$work"
}

key=$( (cat "$project/pyproject.toml"; echo "$arch $suite $extras") | sha256sum | cut -c1-16)
if [ "$(cat "$cache/wheels/.key" 2>/dev/null)" != "$key" ]; then
	say "wheelhouse for the project's dependencies ($extras), for $cpu and Python $python"
	rm -rf "$cache/wheels"
	version=$(${PIP:-python3 -m pip} --version | sed -n 's/.*(python \([0-9.]*\))$/\1/p')
	if [ "$arch" = "$(dpkg --print-architecture)" ] && [ "$version" = "$python" ]; then
		# this machine's own platform: sdists (lgpio's) are built into wheels here
		${PIP:-python3 -m pip} wheel -q -w "$cache/wheels" "$project[$extras]" lgpio setuptools \
			wheel >"$cache/wheels.log" 2>&1 || { tail -n 20 "$cache/wheels.log"; exit 1; }
	else
		# another platform: only wheels PyPI has for it
		platforms=$(for m in 17 27 28 31 34 35 36 38 39 40 41; do
			[ "$m" -gt "$glibc" ] || printf -- '--platform manylinux_2_%s_%s ' "$m" "$cpu"
		done)
		# shellcheck disable=SC2086 # one --platform word pair per glibc
		${PIP:-python3 -m pip} download -q --only-binary=:all: $platforms \
			--platform "manylinux2014_$cpu" --python-version "$python" -d "$cache/wheels" \
			"$project[$extras]" setuptools wheel >"$cache/wheels.log" 2>&1 \
			|| { tail -n 20 "$cache/wheels.log"; exit 1; }
	fi
	rm -f "$cache/wheels"/routine_player-*
	ls "$cache/wheels"/lgpio-*.whl >/dev/null 2>&1 || lgpio_wheel
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

say "make install WEB=1 BLUETOOTH=1 PIPER=1, as a person does on a Pi (the page, BlueALSA, Piper)"
begun=$(date +%s)
rm -f "$cache/install.log"
logged "$cache/install.log" \
	in_root "$stage" make -C /root/routine-player install WEB=1 BLUETOOTH=1 PIPER=1 WHEELS=/root/wheels
echo "$(($(date +%s) - begun))" >"$cache/install.seconds"
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
# Issue 13's check forces lgpio's start-up race with this shim, built for the machine's CPU.
$cc -shared -fPIC -O2 -Wall -o "$stage/usr/local/lib/vm-test/stall.so" "$guest/stall.c" -ldl
# check 15: the tests' tiny Piper voice, which the service renders with
voices=$stage/usr/local/share/routine-player/voices
install -d -m 0755 "$voices"
(cd "$project" && "$(dirname "${PIP:-python3}")/python" -c \
	"import sys; from pathlib import Path; from tests.piperkit import write_voice
write_voice(Path(sys.argv[1]))" "$voices")
chmod 0644 "$voices"/*
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
