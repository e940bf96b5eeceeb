"""The page found by name: an Avahi static service file that announces it over mDNS.

Raspberry Pi OS runs Avahi, which answers for `HOSTNAME.local` and announces every file in
/etc/avahi/services (it reads the folder again whenever a file there changes). The installer
writes ours when the page is installed (WEB=1) and that folder exists, with the configured
`web.port`, and removes it with the page (WEB=0, or uninstalling): `python -m player.web.mdns`;
`setup` does the same when it turns the page on or off.
ROUTINE_PLAYER_AVAHI names another root for Avahi's paths (the installer's DESTDIR, the tests').
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from player import config
from player.core.errors import ConfigError

SERVICES = "etc/avahi/services"  # Avahi's static services, under the root
RUNNING = "run/avahi-daemon/socket"  # there while avahi-daemon runs
FILE = "routine-player.service"
NAME = "routine-player on %h"  # Avahi puts the machine's host name in place of %h

SERVICE_XML = """\
<?xml version="1.0" standalone="no"?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<!-- routine-player's phone page (docs/web.md), written by its installer with web.port. -->
<service-group>
  <name replace-wildcards="yes">{name}</name>
  <service>
    <type>_http._tcp</type>
    <port>{port}</port>
    <txt-record>path=/</txt-record>
  </service>
</service-group>
"""


def _root() -> Path:
    return Path(os.environ.get("ROUTINE_PLAYER_AVAHI") or "/")


def running() -> bool:
    """Whether avahi-daemon runs here, so that `HOSTNAME.local` reaches this machine."""
    return (_root() / RUNNING).exists()


def announce(port: int) -> Path | None:
    """Write the service file for the page on `port`, if Avahi's folder exists (None if not).
    Written beside and renamed, so Avahi never reads half a file."""
    folder = _root() / SERVICES
    if not folder.is_dir():
        return None
    path = folder / FILE
    written = path.with_name(FILE + ".new")
    written.write_text(SERVICE_XML.format(name=NAME, port=port), encoding="utf-8")
    written.chmod(0o644)
    written.replace(path)
    return path


def withdraw() -> None:
    """Remove the service file, if there: the page is off."""
    (_root() / SERVICES / FILE).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """The installer's step: announce the page with the port its config names; one line."""
    parser = argparse.ArgumentParser(prog="python -m player.web.mdns", description=main.__doc__)
    parser.add_argument("--config", help="the config whose web.port is announced")
    args = parser.parse_args(argv)
    try:
        port = config.load(args.config).web.port
    except ConfigError as error:
        for line in error.lines():
            print(f"the page is not announced by name: {line}", file=sys.stderr)
        return 1
    path = announce(port)
    if path is None:
        print(f"no Avahi here (/{SERVICES}): the page is found by its address only")
    else:
        host = socket.gethostname()
        print(f"the page announced over mDNS: http://{host}.local:{port}/ (/{SERVICES}/{FILE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
