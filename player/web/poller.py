"""One client of the player's socket for every open live page (issue 27): while anyone
watches, a thread asks the player's status every `live.TICK` and wakes every stream with it,
so N open pages ask the player as often as one does. With nobody watching it stops."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from player.web import live


class Poller:
    """The player's latest status, asked by one thread while pages watch."""

    def __init__(self, ask: Callable[[], dict], tick: float = live.TICK) -> None:
        self._ask, self._tick = ask, tick
        self._status: dict | None = None
        self._watchers = 0
        self._running = False
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """While the block runs, the status is kept fresh."""
        with self._changed:
            self._watchers += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._poll, name="poller", daemon=True).start()
        try:
            yield
        finally:
            with self._changed:
                self._watchers -= 1

    def latest(self) -> dict:
        """The last status asked (asked now if none has been yet)."""
        with self._changed:
            if self._status is None:
                self._changed.wait(self._tick * 4)
            status = self._status
        return status if status is not None else self._ask()

    def wait(self, seconds: float) -> None:
        """Until the next status arrives, or `seconds` at most."""
        with self._changed:
            self._changed.wait(seconds)

    def _poll(self) -> None:
        while True:
            status = self._ask()
            with self._changed:
                self._status = status
                self._changed.notify_all()
                if self._watchers == 0:
                    self._running, self._status = False, None
                    return
                self._changed.wait(self._tick)  # the lock is free meanwhile
