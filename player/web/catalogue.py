"""The routines the web page offers: the same files the player reads, with their lengths.
A routine that does not load is left out (`routine-player check` says why)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from player import config
from player.core import routine
from player.core.errors import RoutineError
from player.routines import library, plans


@dataclass(frozen=True, slots=True)
class Choice:
    """One routine as the page lists it."""

    id: str
    title: str
    about: str
    minutes: str
    sides: tuple[str, ...]


class Catalogue:
    """Routines read again only when their file changed (a length costs a look at the cache)."""

    def __init__(self, settings: config.Config) -> None:
        self.settings = settings
        self._known: dict[Path, tuple[int, Choice | None]] = {}
        self._lock = threading.Lock()

    def choices(self) -> dict[str, Choice]:
        """Every playable routine by id, in the order `routine-player list` shows them."""
        found = {}
        for entry in library.entries(self.settings):
            choice = self._choice(entry.id, entry.path)
            if choice is not None:
                found[entry.id] = choice
        return found

    def _choice(self, rid: str, path: Path) -> Choice | None:
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            known = self._known.get(path)
            if known is not None and known[0] == stamp:
                return known[1]
        exact, choice = True, None
        try:
            loaded = routine.load(path)
        except RoutineError:
            pass
        else:
            seconds, exact = plans.planned_seconds(loaded, self.settings)
            minutes = f"{'' if exact else 'about '}{round(seconds / 60)} min"
            choice = Choice(rid, loaded.title, loaded.about, minutes, loaded.sides)
        if exact:  # an estimate is worked out again, until the player has rendered the speech
            with self._lock:
                self._known[path] = (stamp, choice)
        return choice
