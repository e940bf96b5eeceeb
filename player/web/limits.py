"""Waitress with bounds a hostile LAN cannot use up (issue 27): at most PER_PEER connections
from one address, and a request must arrive whole within REQUEST_SECONDS of its first byte.

Waitress stops accepting anyone once it holds `connection_limit` connections, and a request
may trickle in a byte every few seconds for as long as it likes: about 50 idle connections
from one device locked every phone out, stop included. Here a device's extra connections are
closed as they are accepted, so the others' stay open, and a trickled request is cut off. Each
limit says so in the log, at most once a minute per address."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

PER_PEER = 8  # connections one address may hold: a phone's browser opens about six
CONNECTIONS = 100  # all addresses together (Waitress's own limit, then it stops accepting)
REQUEST_SECONDS = 10  # from a request's first byte to its last
IDLE_SECONDS = 15  # a kept-alive connection with no request in it is closed after this
LOOK_SECONDS = 2  # how often the deadlines are looked at (the loop also wakes this often)
NOTICE_SECONDS = 60.0  # one log line per address and limit in this time

log = logging.getLogger("routine-player-web")


class Notices:
    """Log lines about limits, at most one per key in NOTICE_SECONDS (a flood must not become
    a flood of the journal); the keys it remembers are bounded too."""

    def __init__(self) -> None:
        self._said: dict[str, float] = {}
        self._lock = threading.Lock()

    def say(self, key: str, line: str, now: float) -> None:
        with self._lock:
            if now - self._said.get(key, -NOTICE_SECONDS) < NOTICE_SECONDS:
                return
            if len(self._said) > 256:
                self._said = {k: t for k, t in self._said.items() if now - t < NOTICE_SECONDS}
            self._said[key] = now
        log.warning("%s", line)


class GuardedChannel(HTTPChannel):
    """A connection that notes when the request now arriving began."""

    begun: float | None = None  # the time of the unfinished request's first byte

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.begun = time.monotonic()  # not Waitress's wall clock: an NTP step moves that
        done = super().received(data)
        if self.request is None:
            self.begun = None
        return done


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server with a limit per address and a deadline per request."""

    channel_class = GuardedChannel
    notices = Notices()

    def accept(self) -> tuple[Any, Any] | None:
        """Waitress's accept, but a connection from an address that holds PER_PEER already
        is closed at once."""
        accepted = super().accept()
        if accepted is None:
            return None
        conn, addr = accepted
        peer = addr[0] if isinstance(addr, tuple) else str(addr)
        held = sum(1 for c in list(self.active_channels.values()) if c.addr[0] == peer)
        if held < PER_PEER:
            return accepted
        conn.close()
        line = f"refused a connection from {peer}: it holds {held} already (the limit per address)"
        self.notices.say(f"peer {peer}", line, time.monotonic())
        return None

    def maintenance(self, now: float) -> None:
        """Waitress closes idle connections; this also closes those whose request has taken
        longer than REQUEST_SECONDS to arrive."""
        super().maintenance(now)
        moment = time.monotonic()
        for channel in list(self.active_channels.values()):
            begun = getattr(channel, "begun", None)
            if begun is not None and moment - begun > REQUEST_SECONDS:
                channel.will_close = True
                peer = channel.addr[0]
                line = (
                    f"closed a connection from {peer}: its request did not arrive whole"
                    f" within {REQUEST_SECONDS} s"
                )
                self.notices.say(f"slow {peer}", line, moment)


def create_server(app: Any, **settings: Any) -> GuardedServer:
    """The server for one address, as `waitress.create_server` makes it, with our bounds."""
    adj = Adjustments(
        connection_limit=CONNECTIONS,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=LOOK_SECONDS,
        asyncore_loop_timeout=LOOK_SECONDS,
        channel_request_lookahead=1,  # reads on while a page streams: sees a phone go away
        **settings,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    return GuardedServer(app, {}, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
