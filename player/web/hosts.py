"""Which names the page answers to (issue 27): a page that another site's DNS points at this
Pi (DNS rebinding) would let that site's scripts reach the page through the phone's browser.
So a request whose Host is not this Pi's address, its name (with `.local`), or a name in
`web.names` is refused before the application sees it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

REFUSED = "421 Misdirected Request"


def host_of(header: str) -> str:
    """The name or address in a Host header, without its port, lower case: "[::1]:80" is
    "::1", "Pi.local.:8080" is "pi.local"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def allowed(listen: str, names: Iterable[str], machine: str | None = None) -> frozenset[str]:
    """The listening address, this machine's name and its `.local`, the configured names;
    and, listening on loopback or on every address, the names of loopback."""
    machine = (machine or socket.gethostname()).lower()
    found = {listen.lower(), machine, machine.split(".")[0] + ".local"}
    found.update(host_of(name) for name in names)
    address = ipaddress.ip_address(listen)
    if address.is_loopback or address.is_unspecified:
        found.update(("localhost", "127.0.0.1", "::1"))
    return frozenset(found)


def guard(app: Callable, hosts: frozenset[str]) -> Callable:
    """The WSGI application `app`, answering only requests whose Host is in `hosts`; others
    get one line saying which names it answers to. Listening on every address, any IP
    address of this machine is also accepted (which ones may change with the network)."""
    every = any(ipaddress.ip_address(h).is_unspecified for h in hosts if _is_address(h))
    names = ", ".join(sorted(h for h in hosts if h not in ("0.0.0.0", "::")))

    def guarded(environ: dict, start_response: Callable) -> Iterator[bytes] | Any:
        host = host_of(environ.get("HTTP_HOST", ""))
        if host in hosts or (every and _is_address(host)):
            return app(environ, start_response)
        line = f"This page answers only to {names}; add other names to web.names.\n"
        start_response(REFUSED, [("Content-Type", "text/plain; charset=utf-8")])
        return [line.encode()]

    return guarded


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
