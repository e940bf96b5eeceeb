#!/bin/sh
# Install routine-player as a system service on Raspberry Pi OS, 64-bit (trixie or bookworm). Run
# as root from the repository: `sudo make install`. Never overwrites a config, routine or history
# that is there. Run again, it is the upgrade: the extras chosen before stay chosen (systemd/extras.sh).
# DESTDIR installs into another root; NO_SYSTEM=1 skips apt, users and systemctl (for tests).
# WEB=1 also installs the phone page, routine-player-web.service (docs/web.md); off by default.
# BLUETOOTH=1 adds BlueZ and BlueALSA for a Bluetooth speaker (docs/raspberry-pi.md).
set -eu
cd "$(dirname "$0")/.."
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/routine-player}
BINDIR=${BINDIR:-/usr/local/bin}
PYTHON=${PYTHON:-/usr/bin/python3}
say() { printf 'routine-player install: %s\n' "$*"; }

# The platform (systemd/platform.sh): stop in one line, before anything changes, on a 32-bit
# system; alsa_package names ALSA's library as this release packages it (libasound2t64 on trixie).
sh systemd/platform.sh || exit 1
alsa_package() { sh systemd/platform.sh alsa; }
. systemd/extras.sh
remember_extras

if [ -z "${NO_SYSTEM:-}" ]; then
	[ "$(id -u)" = 0 ] || { say "run as root: sudo make install"; exit 1; }
	say "Debian packages"
	apt-get update -q || say "could not refresh the package lists (offline?): using the ones here"
	# procps: /bin/kill, which `systemctl reload` runs (ExecReload); a minimal Debian lacks it
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q espeak-ng "$(alsa_package)" python3-venv procps
	apt-get install -y -q python3-lgpio 2>/dev/null || say "python3-lgpio not packaged here: lgpio comes from PyPI"
	if [ -n "${BLUETOOTH:-}" ]; then
		say "Bluetooth: BlueZ and BlueALSA (a system service has no PipeWire to reach a speaker)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q bluez bluez-alsa-utils libasound2-plugin-bluez
	fi
	say "user routine-player in the gpio and audio groups"
	getent group gpio >/dev/null || groupadd --system gpio
	getent group audio >/dev/null || groupadd --system audio
	id routine-player >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
		--home-dir /var/lib/routine-player --shell /usr/sbin/nologin routine-player
	usermod -a -G gpio,audio routine-player
	if [ -n "${WEB:-}" ]; then
		say "user routine-player-web in the routine-player group (the control socket, the history)"
		id routine-player-web >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
			--home-dir /var/lib/routine-player-web --shell /usr/sbin/nologin routine-player-web
		usermod -a -G routine-player routine-player-web
	fi
fi

# PIPER=1 (sudo make install PIPER=1): also the optional Piper neural voice (docs/voices.md).
package=.
if [ -n "${PIPER:-}" ]; then
	if [ "$($PYTHON -c 'import struct; print(struct.calcsize("P") * 8)')" = 64 ]; then
		package=".[piper]"
	else
		say "Piper runs on 64-bit systems only and this Python is 32-bit: installing eSpeak NG only"
	fi
fi
# WEB=1: also the phone page's libraries (the [web] extra), beside any other.
if [ -n "${WEB:-}" ]; then
	[ "$package" = . ] && package=".[web]" || package="${package%]},web]"
fi

say "program in $PREFIX${PIPER:+ (with Piper)}"
# Never --clear: an upgrade keeps what an earlier install put in the venv (issue 25).
$PYTHON -m venv --upgrade --system-site-packages "$DESTDIR$PREFIX/venv"
"$DESTDIR$PREFIX/venv/bin/pip" install -q --no-cache-dir ${WHEELS:+--no-index --find-links "$WHEELS"} "$package"
"$DESTDIR$PREFIX/venv/bin/python" -c 'import lgpio' 2>/dev/null \
	|| "$DESTDIR$PREFIX/venv/bin/pip" install -q --no-cache-dir ${WHEELS:+--no-index --find-links "$WHEELS"} lgpio \
	|| say "lgpio is missing: the button needs it on a Pi"

drop_extras

# The command on everyone's PATH: status, stop, history and check find the service's config.
install -d -m 0755 "$DESTDIR$BINDIR"
if [ -e "$DESTDIR$BINDIR/routine-player" ] && [ ! -L "$DESTDIR$BINDIR/routine-player" ]; then
	say "kept $BINDIR/routine-player, which is not ours: the command is $PREFIX/venv/bin/routine-player"
else
	say "the routine-player command in $BINDIR"
	ln -sfn "$PREFIX/venv/bin/routine-player" "$DESTDIR$BINDIR/routine-player"
fi

say "config in /etc/routine-player (kept if there)"
install -d -m 0755 "$DESTDIR/etc/routine-player" "$DESTDIR/etc/routine-player/routines"
if [ -e "$DESTDIR/etc/routine-player/config.toml" ]; then
	say "kept the config that is there"
else
	install -m 0644 systemd/config.toml "$DESTDIR/etc/routine-player/config.toml"
fi
install -d -m 0755 "$DESTDIR/etc/systemd/system"
install -m 0644 systemd/routine-player.service "$DESTDIR/etc/systemd/system/routine-player.service"
# The desktop's own-user unit, never enabled here: systemctl --user enable --now routine-player
install -D -m 0644 systemd/user/routine-player.service "$DESTDIR/etc/systemd/user/routine-player.service"
units=routine-player
if [ -n "${WEB:-}" ]; then
	install -m 0644 systemd/routine-player-web.service "$DESTDIR/etc/systemd/system/routine-player-web.service"
	units="$units routine-player-web"
	# Found by name: an Avahi service file with the config's web.port, if Avahi is installed
	# (player/web/mdns.py). After changing web.port, running the install again rewrites it.
	say "$(ROUTINE_PLAYER_AVAHI="$DESTDIR/" "$DESTDIR$PREFIX/venv/bin/python" -m player.web.mdns \
		--config "$DESTDIR/etc/routine-player/config.toml" 2>&1 || true)"
fi
if [ -n "${BLUETOOTH:-}" ]; then
	install -D -m 0644 systemd/bluetooth.conf \
		"$DESTDIR/etc/systemd/system/routine-player.service.d/bluetooth.conf"
fi

if [ -z "${NO_SYSTEM:-}" ] && [ -d /run/systemd/system ]; then
	say "service enabled and started"
	systemctl daemon-reload
	[ -z "${BLUETOOTH:-}" ] || systemctl enable --now bluetooth bluealsa || say "no Bluetooth adapter running yet"
	systemctl enable $units
	systemctl restart $units
elif [ -z "${NO_SYSTEM:-}" ] && command -v systemctl >/dev/null; then
	# A chroot, such as an SD card image being built: enabled, it starts at the next boot.
	say "systemd is not running here: enabled for the next boot"
	systemctl enable $units
	[ -z "${BLUETOOTH:-}" ] || systemctl enable bluetooth bluealsa
else
	say "systemd is not running here: start it later with systemctl enable --now $units"
fi
keep_extras
if [ -n "${WEB:-}" ]; then
	say "the phone page: pair a phone with: sudo routine-player web pair (docs/web.md)"
fi
say "next: sudo routine-player setup (the speaker, the button, the voice)"
