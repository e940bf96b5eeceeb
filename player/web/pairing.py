"""Pairing: `routine-player web pair`, run on the Pi, asks the web service for a short-lived
code over a Unix socket in the service's own folder; a phone exchanges the code for a device
token. Codes live only in the service's memory. Attempts are rate limited, and a code is
burnt after a few wrong guesses, so guessing one is hopeless (docs/web.md)."""

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
from dataclasses import dataclass
from pathlib import Path

from player.core.errors import PlayerError, Problem

DIGITS = 6
CODE_SECONDS = 300.0
TRIES_PER_CODE = 5
TRIES_PER_MINUTE = 5
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
    tries: int = 0


class Codes:
    """The one pairing code in force: a new one replaces the last. Times are passed in."""

    def __init__(self) -> None:
        self._code: _Code | None = None
        self._attempts = Window(TRIES_PER_MINUTE, 60.0)
        self._lock = threading.Lock()

    def new(self, now: float) -> str:
        """A fresh code, good for CODE_SECONDS or TRIES_PER_CODE wrong guesses."""
        value = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
        with self._lock:
            self._code = _Code(value, now + CODE_SECONDS)
        return value

    def redeem(self, guess: str, now: float) -> str:
        """ "ok" (the code is used up), "limited", "expired" or "wrong"."""
        if not self._attempts.allow(now):
            return "limited"
        with self._lock:
            code = self._code
            if code is None or now >= code.expires:
                return "expired"
            if hmac.compare_digest(guess.strip().encode(), code.value.encode()):
                self._code = None
                return "ok"
            code.tries += 1
            if code.tries >= TRIES_PER_CODE:
                self._code = None
            return "wrong"

    def retry_after(self, now: float) -> float:
        """Seconds until another attempt is allowed."""
        return self._attempts.wait(now)


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
