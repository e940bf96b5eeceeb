"""The devices paired with the web page. Each holds a long-lived random token in a cookie;
only the token's SHA-256 is stored, so the file alone lets nobody in. Each device also has its
own CSRF token, which every form it is shown carries."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

FILE = "web.sqlite3"
TOKEN_DAYS = 400  # a paired phone stays paired this long after it was last seen


@dataclass(frozen=True, slots=True)
class Device:
    """A paired device: its row and the CSRF token its forms must carry."""

    id: int
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Devices:
    """The web service's own database of paired devices (in its own state folder)."""

    def __init__(self, folder: Path) -> None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            Path(folder) / FILE, timeout=5, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS devices (id INTEGER PRIMARY KEY, token TEXT UNIQUE"
            " NOT NULL, csrf TEXT NOT NULL, paired REAL NOT NULL, seen REAL NOT NULL)"
        )

    def add(self) -> str:
        """Pair a new device; its token, to be set as a cookie and never shown again."""
        token, now = secrets.token_urlsafe(32), time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO devices (token, csrf, paired, seen) VALUES (?, ?, ?, ?)",
                (_digest(token), secrets.token_urlsafe(24), now, now),
            )
        return token

    def find(self, token: str | None) -> Device | None:
        """The device holding `token`, if it is paired and was seen within TOKEN_DAYS."""
        if not token or len(token) > 100:
            return None
        now = time.time()
        with self._lock:
            row = self._db.execute(
                "SELECT id, csrf, seen FROM devices WHERE token = ?", (_digest(token),)
            ).fetchone()
            if row is None or row[2] < now - TOKEN_DAYS * 86400:
                return None
            if row[2] < now - 3600:  # at most one write an hour per device
                self._db.execute("UPDATE devices SET seen = ? WHERE id = ?", (now, row[0]))
        return Device(row[0], row[1])

    def forget_all(self) -> int:
        """Unpair every device; how many there were."""
        with self._lock:
            return self._db.execute("DELETE FROM devices").rowcount

    def close(self) -> None:
        self._db.close()
