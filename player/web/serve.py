"""`routine-player web`: serve the page with Waitress; `routine-player web pair`: print a
pairing code; `routine-player web forget`: unpair every device."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
import time
from pathlib import Path

from player import config
from player.core.errors import PlayerError, Problem
from player.service.notify import Notifier

log = logging.getLogger("routine-player-web")
THREADS = 8  # live pages (at most app.STREAMS) and a few requests at once


def web_state(settings: config.Config) -> Path:
    """The web service's own folder: its paired devices and its pairing socket."""
    if not settings.web.state:
        return settings.paths.state.parent / "routine-player-web"
    base = Path(settings.source).resolve().parent if settings.source else Path.cwd()
    return base / Path(settings.web.state).expanduser()


def listen_address(settings: config.Config) -> str:
    """Where to listen: the configured address, else every address of this machine, so that
    the page keeps answering when its LAN address changes (Wi-Fi up after the page started, a
    new lease). Peers outside the LAN are dropped by the unit (IPAddressAllow)."""
    where = settings.source or "config"
    if settings.web.listen:
        try:
            address = ipaddress.ip_address(settings.web.listen)
        except ValueError:
            message = f'expected an IP address, found "{settings.web.listen}"'
            raise PlayerError([Problem(where, message, field="web.listen")]) from None
        if not (address.is_private or address.is_unspecified):
            log.warning("web.listen %s is a public address: anyone may reach the page", address)
        return settings.web.listen
    return "0.0.0.0"


def run(args: argparse.Namespace) -> int:
    """The `web` command."""
    # pair and forget ask the installed service, as status does; serve is like daemon
    settings = config.load(args.config, service=args.action != "serve")
    state = web_state(settings)
    if args.action == "pair":
        from player.web.pairing import CODE_SECONDS, ask_code
        from player.web.where import page_urls

        code = ask_code(state)["code"]
        minutes = round(CODE_SECONDS / 60)
        print(
            f"Pairing code: {code}\nType it on the phone's pairing page within {minutes} minutes."
        )
        print("The page, on a phone on the same network: " + ", or ".join(page_urls(settings)))
        return 0
    if args.action == "forget":
        from player.web.devices import Devices

        count = Devices(state).forget_all()
        print(f"Unpaired {count} device{'s' if count != 1 else ''}.")
        return 0
    return serve(settings, state)


def serve(settings: config.Config, state: Path) -> int:
    """Listen until SIGTERM or SIGINT; READY=1 once listening."""
    try:
        from player.web.app import EDIT_BODY, Web
        from player.web.editor import Editor
        from player.web.hosts import allowed, guard
        from player.web.limits import create_server
    except ImportError as error:
        message = (
            f"expected the web page's libraries, found no {(error.name or '').split('.')[0]} "
            "(pip install 'routine-player[web]', or sudo make install WEB=1)"
        )
        raise PlayerError([Problem("routine-player web", message)]) from None
    from player.web.pairing import PairServer

    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    logging.getLogger("waitress").setLevel(logging.WARNING)  # its connection limit says so
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth": noise
    host = listen_address(settings)
    web = Web(settings, state)
    Editor(web)  # the routine editor's routes (editor.py)
    try:
        server = create_server(
            guard(web.app, allowed(host, settings.web.names)),
            host=host,
            port=settings.web.port,
            threads=THREADS,
            max_request_body_size=EDIT_BODY,  # the largest any route takes
            ident="routine-player",
        )
    except OSError as error:
        message = f"expected to listen on {host}:{settings.web.port}, found: {error.strerror}"
        raise PlayerError([Problem(settings.source or "config", message, field="web")]) from None
    pairing = PairServer(state, web.codes, time.monotonic)
    pairing.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    log.info("listening on http://%s:%d/", host, settings.web.port)
    Notifier().ready(f"listening on {host}:{settings.web.port}")
    try:
        server.run()
    finally:
        pairing.close()
        server.close()
        web.devices.close()
    return 0
