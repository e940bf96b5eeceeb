"""What setup asks of the machine: the 40-pin header's numbering, and the services, started
and stopped through systemctl, with the page's announcement over mDNS (only when setup writes
the service's config on a machine where systemd runs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from player.web import mdns

# BCM GPIO number -> physical pin on the 40-pin header (every Pi since the B+, and the Zero).
PHYSICAL = {
    2: 3, 3: 5, 4: 7, 14: 8, 15: 10, 17: 11, 18: 12, 27: 13, 22: 15, 23: 16, 24: 18, 10: 19,
    9: 21, 25: 22, 11: 23, 8: 24, 7: 26, 0: 27, 1: 28, 5: 29, 6: 31, 12: 32, 13: 33, 19: 35,
    16: 36, 26: 37, 20: 38, 21: 40,
}  # fmt: skip
GROUNDS = (6, 9, 14, 20, 25, 30, 34, 39)
POWER = {1: "3V3 power", 17: "3V3 power", 2: "5V power", 4: "5V power"}
UNITS = Path("/etc/systemd/system")


def pin_hint(bcm: int) -> str:
    """Where GPIO `bcm` is on the header, and what a person who counted physical pins wired."""
    physical = PHYSICAL.get(bcm)
    where = f"GPIO {bcm} is physical pin {physical}" if physical else f"GPIO {bcm}"
    if bcm in POWER:
        return f"{where}; physical pin {bcm} is {POWER[bcm]}, not a GPIO"
    if bcm in GROUNDS:
        return f"{where}; physical pin {bcm} is a ground"
    if bcm in PHYSICAL.values():
        bcm_there = next(b for b, p in PHYSICAL.items() if p == bcm)
        return f"{where}; physical pin {bcm} is GPIO {bcm_there}"
    return where


class Services:
    """The player's units through systemctl; does nothing when not `managed`."""

    def __init__(self, managed: bool) -> None:
        self.managed = managed

    def installed(self, unit: str) -> bool:
        """Whether `unit` was installed by `make install` (WEB=1 installs the page's)."""
        return (UNITS / f"{unit}.service").exists()

    def run(self, *words: str) -> bool:
        """`systemctl WORDS...`; True if it worked (always False when not managed)."""
        if not self.managed:
            return False
        done = subprocess.run(["systemctl", *words], capture_output=True, text=True, check=False)
        return done.returncode == 0

    def announce_page(self, port: int | None) -> None:
        """The page's name on the network follows it (player/web/mdns.py): announced on
        `port`, or withdrawn with None; nothing when not managed."""
        if self.managed and port:
            mdns.announce(port)
        elif self.managed:
            mdns.withdraw()

    def active(self, unit: str) -> bool:
        return self.run("is-active", "--quiet", unit)
