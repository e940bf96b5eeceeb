"""Session history in SQLite (`history.sqlite3` in the state folder).

A row is written when a session starts, with the ending "interrupted", and completed when it
ends, so a power cut leaves an interrupted row, never a lost one. WAL journaling keeps the file
consistent through a crash; the schema's version is SQLite's `user_version`, raised by the
migrations below in order.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from player.core import intro
from player.core.errors import PlayerError, Problem
from player.core.events import Ended, Started
from player.core.session import Session

FILE = "history.sqlite3"
MIGRATIONS = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started REAL NOT NULL,
        ended REAL,
        routine TEXT NOT NULL,
        title TEXT NOT NULL,
        planned_seconds REAL NOT NULL,
        played_seconds REAL NOT NULL DEFAULT 0,
        side_seconds TEXT NOT NULL DEFAULT '{}',
        ending TEXT NOT NULL DEFAULT 'interrupted',
        step INTEGER,
        side TEXT
    );
    CREATE INDEX sessions_by_routine ON sessions (routine, started);
    """,
    # The sides a session was started for (one, for `--side`); older rows played them all.
    """
    ALTER TABLE sessions ADD COLUMN sides TEXT NOT NULL DEFAULT '[]';
    UPDATE sessions SET sides = (SELECT json_group_array(key) FROM json_each(side_seconds));
    """,
    # Issue 20: a note on a session, written from the web page through the daemon (notes.py).
    """
    CREATE TABLE notes (
        session INTEGER PRIMARY KEY REFERENCES sessions (id),
        written REAL NOT NULL,
        effort INTEGER NOT NULL CHECK (effort BETWEEN 0 AND 10),
        pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
        pain_where TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT ''
    );
    """,
)


@dataclass(frozen=True, slots=True)
class Row:
    """One session as history keeps it; times are seconds since the epoch."""

    id: int
    started: float
    ended: float | None
    routine: str
    title: str
    planned_seconds: float
    played_seconds: float
    side_seconds: dict[str, float]
    ending: str
    step: int | None
    side: str | None
    sides: list[str]


class History:
    """The history database; every write is its own transaction."""

    def __init__(self, folder: Path) -> None:
        path = Path(folder) / FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=5, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except (OSError, sqlite3.Error) as error:
            raise PlayerError(
                [Problem(str(path), f"expected a history database, found: {error}")]
            ) from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            self._db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")

    def start(
        self, routine: str, title: str, planned_seconds: float, sides: tuple[str, ...] = ()
    ) -> int:
        """Record a session as begun, for its sides; it reads "interrupted" until `end()`."""
        cursor = self._db.execute(
            "INSERT INTO sessions (started, routine, title, planned_seconds, sides)"
            " VALUES (?, ?, ?, ?, ?)",
            (time.time(), routine, title, planned_seconds, json.dumps(list(sides))),
        )
        return int(cursor.lastrowid or 0)

    def end(self, row: int, ended: Ended) -> None:
        """Complete a session's row with how and where it ended."""
        self._db.execute(
            "UPDATE sessions SET ended = ?, ending = ?, played_seconds = ?, side_seconds = ?,"
            " step = ?, side = ? WHERE id = ?",
            (
                time.time(),
                ended.ending.value,
                ended.played_seconds,
                json.dumps(dict(ended.side_seconds)),
                ended.step or None,
                ended.side,
                row,
            ),
        )

    def since(self, seconds_ago: float) -> list[Row]:
        """Sessions started in the last `seconds_ago` seconds, oldest first."""
        return self._rows(
            "SELECT * FROM sessions WHERE started >= ? ORDER BY started, id",
            (time.time() - seconds_ago,),
        )

    def last(self, routine: str, count: int) -> list[Row]:
        """The latest `count` sessions of one routine, newest first."""
        return self._rows(
            "SELECT * FROM sessions WHERE routine = ? ORDER BY started DESC, id DESC LIMIT ?",
            (routine, count),
        )

    def completed(self) -> int:
        """How many sessions, of any routine, were played to the end."""
        query = "SELECT count(*) FROM sessions WHERE ending = 'completed'"
        return int(self._db.execute(query).fetchone()[0])

    def _rows(self, query: str, values: tuple) -> list[Row]:
        """Rows by column name, so that columns added by later migrations can come in any order."""
        cursor = self._db.execute(query, values)
        names = [column[0] for column in cursor.description]
        return [_row(dict(zip(names, values, strict=True))) for values in cursor.fetchall()]

    def close(self) -> None:
        self._db.close()


def _row(values: dict) -> Row:
    fields = {name: values[name] for name in Row.__dataclass_fields__}
    fields["side_seconds"] = json.loads(fields["side_seconds"])
    fields["sides"] = json.loads(fields["sides"])
    return Row(**fields)


def repeated_stop(rows: list[Row]) -> bool:
    """True when two of these sessions were stopped by the person at the same step."""
    steps = [r.step for r in rows if r.ending == "stopped" and r.step]
    return len(steps) != len(set(steps))


class Recorder:
    """Writes the session's starts and ends to history, arms the safety reminder, and tells
    the session whether the person knows the button (`player.core.intro`)."""

    def __init__(self, history: History, session: Session, reminders: bool = True) -> None:
        self.history, self.session, self.reminders = history, session, reminders
        self._row = 0
        self.arm_all()

    def arm_all(self) -> None:
        """Look again at every routine the session has (new ones arrive after a reload)."""
        self.session.brief = intro.knows_button(self.history.completed())
        if self.reminders:
            for routine in self.session.plans:
                self._arm(routine)

    def observe(self, action: object) -> None:
        """Take one of the session's actions; only starts and ends matter here."""
        if isinstance(action, Started):
            plan = self.session.plan or self.session.plans[action.routine]
            self._row = self.history.start(
                action.routine, action.title, plan.seconds(), action.sides
            )
        elif isinstance(action, Ended) and self._row:
            self.history.end(self._row, action)
            self._row = 0
            self.session.brief = intro.knows_button(self.history.completed())
            if self.reminders:
                self._arm(action.routine)

    def _arm(self, routine: str) -> None:
        if repeated_stop(self.history.last(routine, 3)):
            self.session.reminders.add(routine)
        else:
            self.session.reminders.discard(routine)
