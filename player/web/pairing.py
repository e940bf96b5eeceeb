"""Pairing, two ways (docs/web.md). A phone asks to join, the player says so with a word the
phone shows, and the button allows it (`Asks`: one phone at a time, each address at most
once in ASK_EVERY, so one device cannot keep the others out). Or, for a Pi without a
speaker, `routine-player web pair` asks the web service for a short-lived code over a Unix
socket in the service's own folder, and a phone exchanges the code for a device token.

Codes live only in the service's memory. Tries are limited per address (TRIES_PER_MINUTE,
and TRIES_PER_CODE wrong guesses end that address's chances at this code), so a device
guessing cannot use up the owner's tries; WRONG_PER_CODE wrong guesses from all addresses
together burn the code, so guessing one is hopeless even from many addresses."""

from __future__ import annotations

import collections
import contextlib
import hmac
import json
import os
import secrets
import socket
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from player.core import joining
from player.core.errors import PlayerError, Problem

DIGITS = 6
CODE_SECONDS = 300.0
TRIES_PER_CODE = 5  # wrong guesses one address may make at one code
TRIES_PER_MINUTE = 5  # tries one address may make in any minute
WRONG_PER_CODE = 100  # wrong guesses from every address together that burn the code
ADDRESSES = 1024  # addresses remembered at once; the oldest are forgotten first
ASK_EVERY = 120.0  # one address may have the player ask for it once in this time
ASK_WAIT = 60.0  # a request to join is kept this long (the announcement, then half a minute)
SOCKET = "pair.sock"


class Window:
    """At most `count` events in any `seconds`: a sliding-window rate limit."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self._times: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def allow(self, now: float) -> bool:
        """Count one event at `now` if the window has room; False (and not counted) if not."""
        with self._lock:
            while self._times and self._times[0] <= now - self.seconds:
                self._times.popleft()
            if len(self._times) >= self.count:
                return False
            self._times.append(now)
            return True

    def wait(self, now: float) -> float:
        """Seconds until the window has room again."""
        with self._lock:
            full = len(self._times) >= self.count
            return max(0.0, self._times[0] + self.seconds - now) if full else 0.0


@dataclass
class _Code:
    value: str
    expires: float
    wrong: collections.Counter[str] = field(default_factory=collections.Counter)


class Codes:
    """The one pairing code in force: a new one replaces the last. Times are passed in; tries
    are counted per address (`peer`)."""

    def __init__(self) -> None:
        self._code: _Code | None = None
        self._attempts: collections.OrderedDict[str, Window] = collections.OrderedDict()
        self._lock = threading.Lock()

    def new(self, now: float) -> str:
        """A fresh code, good for CODE_SECONDS."""
        value = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
        with self._lock:
            self._code = _Code(value, now + CODE_SECONDS)
        return value

    def redeem(self, guess: str, now: float, peer: str = "") -> str:
        """ "ok" (the code is used up), "limited", "expired" or "wrong"; "spent" when this
        address has guessed this code wrong TRIES_PER_CODE times."""
        if not self._window(peer).allow(now):
            return "limited"
        with self._lock:
            code = self._code
            if code is None or now >= code.expires:
                return "expired"
            if code.wrong[peer] >= TRIES_PER_CODE:
                return "spent"
            if hmac.compare_digest(guess.strip().encode(), code.value.encode()):
                self._code = None
                return "ok"
            code.wrong[peer] += 1
            if code.wrong.total() >= WRONG_PER_CODE:
                self._code = None
            return "wrong"

    def retry_after(self, now: float, peer: str = "") -> float:
        """Seconds until this address may try again."""
        return self._window(peer).wait(now)

    def _window(self, peer: str) -> Window:
        with self._lock:
            window = self._attempts.pop(peer, None) or Window(TRIES_PER_MINUTE, 60.0)
            self._attempts[peer] = window  # the most recent last
            while len(self._attempts) > ADDRESSES:
                self._attempts.popitem(last=False)
            return window


@dataclass(frozen=True, slots=True)
class Ask:
    """A phone's request to join: its pairing cookie, the word it shows, its address."""

    nonce: str
    word: str
    peer: str
    until: float


class Asks:
    """The one phone asking to join at a time, and when each address last had the player
    ask. Times are passed in."""

    def __init__(self) -> None:
        self._ask: Ask | None = None
        self._asked: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._lock = threading.Lock()

    def wait(self, peer: str, now: float) -> float:
        """Seconds until this address may ask again."""
        with self._lock:
            return max(0.0, self._asked.get(peer, -ASK_EVERY) + ASK_EVERY - now)

    def current(self, now: float) -> Ask | None:
        """The request now waiting, if any."""
        with self._lock:
            if self._ask is not None and now >= self._ask.until:
                self._ask = None
            return self._ask

    def begin(self, nonce: str, peer: str, now: float) -> Ask:
        """A new request with a word of its own (the last one is forgotten)."""
        ask = Ask(nonce, secrets.choice(joining.WORDS), peer, now + ASK_WAIT)
        with self._lock:
            self._ask = ask
        return ask

    def asked(self, peer: str, now: float) -> None:
        """The player said this address's request: it may ask again in ASK_EVERY."""
        with self._lock:
            self._asked.pop(peer, None)
            self._asked[peer] = now
            while len(self._asked) > ADDRESSES:
                self._asked.popitem(last=False)

    def end(self, ask: Ask) -> None:
        """Forget this request (allowed, refused, or no longer said)."""
        with self._lock:
            if self._ask == ask:
                self._ask = None


class PairServer:
    """The Unix socket that hands out codes: each connection gets one fresh code. Mode 0660 in
    the service's own folder: root and the service's group may pair a phone. Its thread
    blocks in accept(), so it never wakes while nobody pairs."""

    def __init__(self, folder: Path, codes: Codes, clock: Callable[[], float]) -> None:
        self.path, self.codes, self.clock = Path(folder) / SOCKET, codes, clock
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(self.path.lstat().st_mode):
                self.path.unlink()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(self.path))
        os.chmod(self.path, 0o660)
        self._sock.listen(4)
        self._thread = threading.Thread(target=self._accept, name="pair", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            reply = {"code": self.codes.new(self.clock()), "seconds": CODE_SECONDS}
            with conn, contextlib.suppress(OSError):
                conn.settimeout(2)
                conn.sendall(json.dumps(reply).encode() + b"\n")

    def close(self) -> None:
        """Stop listening; shutting the socket down wakes the thread blocked in accept()."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self.path.unlink()


def ask_code(folder: Path) -> dict:
    """Ask the running web service for a code; one clear line if it cannot be asked."""
    path = Path(folder) / SOCKET
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(path))
            return json.loads(sock.makefile().readline())
    except FileNotFoundError:
        message = "expected the web service running, found no pairing socket"
    except PermissionError:
        message = "expected permission to pair, found none (run it with sudo)"
    except (OSError, ValueError) as error:
        message = f"expected the web service to answer, found: {error}"
    hint = " (start it: sudo systemctl enable --now routine-player-web)"
    raise PlayerError([Problem(str(path), message + (hint if "running" in message else ""))])
