"""Where a phone finds the page: this machine's name on the LAN (mDNS: Avahi answers for
`HOSTNAME.local` on Raspberry Pi OS, when it runs) and its current addresses, for `setup` and
`web pair`."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import subprocess

from player import config
from player.web import mdns


def lan_address() -> str | None:
    """This machine's address on its LAN: the source of its route to a private network,
    if that address is itself private. None when there is no such route (no network)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # UDP: chooses a route, sends nothing
            found = probe.getsockname()[0]
        except OSError:
            return None
    address = ipaddress.ip_address(found)
    return found if address.is_private and not address.is_loopback else None


def addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks, not loopback: `hostname -I`'s, else the
    source of its route to a private network."""
    command = shutil.which("hostname")
    found: list[str] = []
    if command:
        try:
            said = subprocess.run(
                [command, "-I"], capture_output=True, text=True, timeout=5, check=False
            )
            found = [a for a in said.stdout.split() if "." in a and not a.startswith("127.")]
        except (OSError, subprocess.SubprocessError):
            found = []
    return found or [a for a in [lan_address()] if a]


def page_urls(settings: config.Config) -> list[str]:
    """The page's address by name first, when Avahi runs to answer for it, then by each
    current address (all on its port)."""
    port = settings.web.port
    by_name = [f"http://{socket.gethostname()}.local:{port}/"] if mdns.running() else []
    return by_name + [f"http://{a}:{port}/" for a in addresses()]
