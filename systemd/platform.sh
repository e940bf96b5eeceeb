#!/bin/sh
# The platform, asked before anything is changed: `sh systemd/platform.sh` stops in one line on a
# 32-bit system (armhf), where PyPI has no pygame-ce, onnxruntime or soxr wheels and the install
# would need a compiler and SDL's headers (docs/raspberry-pi.md). dpkg is asked, not `uname -m`,
# which says aarch64 on a 32-bit Raspberry Pi OS running a 64-bit kernel.
# `sh systemd/platform.sh alsa` prints the Debian package of ALSA's library: libasound2t64 since
# trixie (where libasound2 is only a name it provides), libasound2 before.
set -eu
if [ "${1:-}" = alsa ]; then
	if apt-cache show libasound2t64 >/dev/null 2>&1; then echo libasound2t64; else echo libasound2; fi
	exit 0
fi
arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
case $arch in
armhf | armel)
	echo "routine-player needs a 64-bit system and this one is 32-bit ($arch, from dpkg --print-architecture): flash Raspberry Pi OS (64-bit) and install again" >&2
	exit 1
	;;
esac
