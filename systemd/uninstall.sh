#!/bin/sh
# Remove routine-player's program and service. Keeps the person's config, routines and history
# (/etc/routine-player, /var/lib/routine-player), the web page's paired phones
# (/var/lib/routine-player-web), and the users that own them.
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
	"$DESTDIR/etc/systemd/system/routine-player.service.d/bluetooth.conf"
if [ -z "${NO_SYSTEM:-}" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
rm -rf "$DESTDIR$PREFIX" "$DESTDIR/var/cache/routine-player"
if [ "$(readlink "$DESTDIR$BINDIR/routine-player" 2>/dev/null)" = "$PREFIX/venv/bin/routine-player" ]; then
	rm -f "$DESTDIR$BINDIR/routine-player"  # ours; anything else there is left alone
fi
say "removed the program; kept /etc/routine-player and /var/lib/routine-player"
