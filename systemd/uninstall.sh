#!/bin/sh
# Remove routine-player's program and service. Keeps the person's config, routines and history
# (/etc/routine-player, /var/lib/routine-player), the web page's paired phones
# (/var/lib/routine-player-web), Piper voices (/usr/local/share/routine-player), and the users
# that own them, and says so. PURGE=1 (sudo make uninstall PURGE=1) removes those too.
set -eu
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/routine-player}
BINDIR=${BINDIR:-/usr/local/bin}
say() { printf 'routine-player uninstall: %s\n' "$*"; }

if [ -z "${NO_SYSTEM:-}" ] && [ -d /run/systemd/system ]; then
	systemctl disable --now routine-player-web 2>/dev/null || true
	systemctl disable --now routine-player 2>/dev/null || true
fi
rm -f "$DESTDIR/etc/systemd/system/routine-player.service" \
	"$DESTDIR/etc/systemd/system/routine-player-web.service" \
	"$DESTDIR/etc/systemd/system/routine-player.service.d/bluetooth.conf" \
	"$DESTDIR/etc/systemd/user/routine-player.service" \
	"$DESTDIR/etc/avahi/services/routine-player.service"
if [ -z "${NO_SYSTEM:-}" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
rm -rf "$DESTDIR$PREFIX" "$DESTDIR/var/cache/routine-player"
if [ "$(readlink "$DESTDIR$BINDIR/routine-player" 2>/dev/null)" = "$PREFIX/venv/bin/routine-player" ]; then
	rm -f "$DESTDIR$BINDIR/routine-player"  # ours; anything else there is left alone
fi
say "removed the program, its units, its name on the network and its speech cache"
KEPT="/etc/routine-player /var/lib/routine-player /var/lib/routine-player-web /usr/local/share/routine-player"

# PURGE=1: everything a person made or the player kept, and the users; nothing is left.
purge() {
	for path in $KEPT; do
		[ ! -e "$DESTDIR$path" ] || { rm -rf "$DESTDIR$path"; say "removed $path"; }
	done
	if [ -z "${NO_SYSTEM:-}" ]; then
		for user in routine-player-web routine-player; do
			! id "$user" >/dev/null 2>&1 || { userdel "$user" && say "removed the user $user"; }
		done
	fi
}

# Without PURGE: say what is left, and how to remove it.
say_kept() {
	for path in $KEPT; do
		[ ! -e "$DESTDIR$path" ] || say "kept $path"
	done
	say "kept the users routine-player and routine-player-web, if there"
	say "to remove all of those too: sudo make uninstall PURGE=1"
}

case "${PURGE:-}" in '' | 0 | no) say_kept ;; *) purge ;; esac
