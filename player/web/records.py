"""The history as the web page sees it: read-only (SQLite's `mode=ro`), sessions with their
notes, days of a week, and exports. The web service never writes the player's database."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sqlite3
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from player.records.history import FILE


@dataclass(frozen=True, slots=True)
class Note:
    """A session's note, as stored."""

    effort: int
    pain: int
    where: str
    text: str


@dataclass(frozen=True, slots=True)
class Session:
    """One past session and its note, if it has one."""

    id: int
    started: float
    ended: float | None
    routine: str
    title: str
    played_seconds: float
    side_seconds: dict[str, float]
    ending: str
    step: int | None
    side: str | None
    note: Note | None


class Records:
    """Read-only queries on the player's history file; no file yet reads as no sessions."""

    def __init__(self, state: Path) -> None:
        self.path = Path(state) / FILE

    def _open(self) -> sqlite3.Connection:
        """Read-only. A WAL database whose -wal and -shm files are gone (the player stopped
        cleanly) cannot be opened so from a folder we may not write: then, with no writer
        about, it is read as immutable."""
        uri = "file:" + urllib.parse.quote(str(self.path)) + "?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=2)
            db.execute("SELECT 1 FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            db = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=2)
        return db

    def _query(self, where: str, args: tuple) -> list[Session]:
        if not self.path.exists():
            return []
        db = self._open()
        try:
            notes = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notes'"
            ).fetchone()
            columns = "n.effort, n.pain, n.pain_where, n.text" if notes else "NULL, 0, '', ''"
            join = "LEFT JOIN notes n ON n.session = s.id" if notes else ""
            rows = db.execute(
                "SELECT s.id, s.started, s.ended, s.routine, s.title, s.played_seconds,"
                f" s.side_seconds, s.ending, s.step, s.side, {columns} FROM sessions s {join}"
                f" {where} ORDER BY s.started, s.id",
                args,
            ).fetchall()
        finally:
            db.close()
        return [_session(row) for row in rows]

    def between(self, start: float, end: float) -> list[Session]:
        """Sessions started in [start, end), oldest first."""
        return self._query("WHERE s.started >= ? AND s.started < ?", (start, end))

    def one(self, session: int) -> Session | None:
        """One session by id."""
        found = self._query("WHERE s.id = ?", (session,))
        return found[0] if found else None

    def latest(self) -> Session | None:
        """The session started last."""
        found = self._query("WHERE s.id = (SELECT max(id) FROM sessions)", ())
        return found[0] if found else None

    def every(self) -> list[Session]:
        """Every session, oldest first (for the exports)."""
        return self._query("", ())


def _session(row: tuple) -> Session:
    *head, sides, ending, step, side, effort, pain, where, text = row
    note = Note(effort, pain, where, text) if effort is not None else None
    return Session(*head, json.loads(sides), ending, step, side, note)


def week_of(offset: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The seven days, Monday first, of the week `offset` weeks before this one."""
    today = today or datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday(), weeks=offset)
    return [monday + datetime.timedelta(days=n) for n in range(7)]


def stamp(day: datetime.date) -> float:
    """Local midnight at the start of `day`, in seconds since the epoch."""
    return datetime.datetime.combine(day, datetime.time.min).timestamp()


def by_day(sessions: list[Session], days: list[datetime.date]) -> dict[datetime.date, list]:
    """The sessions of each day, by the local date they started."""
    found: dict[datetime.date, list] = {day: [] for day in days}
    for session in sessions:
        day = datetime.date.fromtimestamp(session.started)
        if day in found:
            found[day].append(session)
    return found


FIELDS = [
    "id",
    "started",
    "ended",
    "routine",
    "title",
    "played_seconds",
    "side_seconds",
    "ending",
    "step",
    "side",
    "effort",
    "pain",
    "pain_where",
    "note",
]


def _flat(session: Session) -> dict:
    when = {
        key: datetime.datetime.fromtimestamp(value).isoformat(timespec="seconds") if value else ""
        for key, value in (("started", session.started), ("ended", session.ended))
    }
    note = session.note
    return {
        **asdict(session),
        **when,
        "side_seconds": json.dumps(session.side_seconds),
        "effort": note.effort if note else "",
        "pain": note.pain if note else "",
        "pain_where": note.where if note else "",
        "note": note.text if note else "",
    }


def _cell(value: object) -> object:
    """A spreadsheet must not run a note as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(sessions: list[Session]) -> str:
    """Every session, one row each, with its note; times in local ISO 8601."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, extrasaction="ignore")
    writer.writeheader()
    for session in sessions:
        writer.writerow({key: _cell(value) for key, value in _flat(session).items()})
    return out.getvalue()


def to_json(sessions: list[Session]) -> str:
    """Every session with its note, as `routine-player history --json` lists sessions."""
    return json.dumps({"sessions": [asdict(s) for s in sessions]}, indent=1)
