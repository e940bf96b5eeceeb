# Sourced by install.sh and uninstall.sh (issue 25): the extras a person chose stay chosen.
# /etc/routine-player/extras keeps PIPER, WEB and BLUETOOTH as the last install left them, so
# that `sudo make install` again (the upgrade) keeps what `sudo make install PIPER=1 WEB=1`
# added; PIPER=0 (or WEB=0, BLUETOOTH=0) turns one off on purpose.
EXTRAS="etc/routine-player/extras"
EXTRA_NAMES="PIPER WEB BLUETOOTH"

# What the last install left for extra $1: 1, 0, or nothing (no install yet).
remembered() {
	[ ! -f "$DESTDIR/$EXTRAS" ] || sed -n "s/^$1=//p" "$DESTDIR/$EXTRAS" | tail -n 1
}

# Each extra from the command line if given there, else as remembered; "1" when on, "" when
# off. WAS_PIPER and the others keep what the last install had, for drop_extras.
remember_extras() {
	on=
	for name in $EXTRA_NAMES; do
		was=$(remembered "$name")
		eval "given=\${$name-}"
		[ -n "$given" ] || given=$was
		case "$given" in '' | 0 | no | off) value= ;; *) value=1 on="$on$name " ;; esac
		eval "$name=\$value WAS_$name=\$was"
	done
	say "extras: ${on:-none} (each stays until turned off, such as PIPER=0)"
}

# Write down what this install has on, for the next one.
keep_extras() {
	install -d -m 0755 "$DESTDIR/etc/routine-player"
	{
		echo "# The extras the last sudo make install left on (1) or off (0); kept by the next."
		for name in $EXTRA_NAMES; do eval "echo $name=\${$name:-0}"; done
	} >"$DESTDIR/$EXTRAS.new"
	mv "$DESTDIR/$EXTRAS.new" "$DESTDIR/$EXTRAS"
}

# An extra on at the last install and off now: take away what it added (its data stays).
drop_extras() {
	if [ "${WAS_WEB:-0}" = 1 ] && [ -z "$WEB" ]; then
		say "the phone page turned off (its paired phones are kept)"
		if [ -z "${NO_SYSTEM:-}" ] && [ -d /run/systemd/system ]; then
			systemctl disable --now routine-player-web 2>/dev/null || true
		fi
		rm -f "$DESTDIR/etc/systemd/system/routine-player-web.service" \
			"$DESTDIR/etc/avahi/services/routine-player.service"
	fi
	if [ "${WAS_BLUETOOTH:-0}" = 1 ] && [ -z "$BLUETOOTH" ]; then
		say "Bluetooth turned off for the player (BlueZ and BlueALSA stay installed)"
		rm -f "$DESTDIR/etc/systemd/system/routine-player.service.d/bluetooth.conf"
	fi
	if [ "${WAS_PIPER:-0}" = 1 ] && [ -z "$PIPER" ]; then
		say "Piper turned off: the player speaks with eSpeak NG (voice files are kept)"
		"$DESTDIR$PREFIX/venv/bin/pip" uninstall -q -y piper-tts 2>/dev/null || true
	fi
}
