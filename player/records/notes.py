"""Notes on past sessions: effort and pain from 0 to 10, where it hurt, and a few words.

The web page asks for a note over the control socket and the daemon writes it into the history,
so the history keeps one writer and the web service needs no write access to the player's
files (docs/web.md). A note is one statement, so it is stored whole or not at all.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from player.records.history import FILE

MAX_WHERE = 100  # characters: "left hip, low" fits; a paragraph does not
MAX_TEXT = 500  # characters: a few sentences, and within the control socket's request limit


@dataclass(frozen=True, slots=True)
class Note:
    """One session's note, checked."""

    session: int
    effort: int
    pain: int
    where: str = ""
    text: str = ""


def check(data: object) -> Note:
    """A note from a request's "note" object; ValueError naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a note: session, effort, pain, where, text")
    session = data.get("session")
    if type(session) is not int or session < 1:
        raise ValueError("expected a session id for the note")
    scores = [data.get("effort"), data.get("pain")]
    for name, value in zip(("effort", "pain"), scores, strict=True):
        if type(value) is not int or not 0 <= value <= 10:
            raise ValueError(f"expected {name} as a whole number from 0 to 10")
    words = {name: data.get(name, "") for name in ("where", "text")}
    for name, limit in (("where", MAX_WHERE), ("text", MAX_TEXT)):
        value = words[name]
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"expected {name} as text of at most {limit} characters")
        if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
            raise ValueError(f"expected {name} without control characters")
    return Note(session, scores[0], scores[1], words["where"].strip(), words["text"].strip())


class NoteBook:
    """Writes notes into the history database, on a connection of its own (the control
    socket's threads write here; the loop's connection is never shared)."""

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(
            Path(folder) / FILE, timeout=2, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()

    def write(self, note: Note) -> dict:
        """Store or replace a session's note; a control-socket reply."""
        try:
            with self._lock:
                return self._write(note)
        except sqlite3.Error as error:
            return {"ok": False, "error": f"expected to store the note, found: {error}"}

    def _write(self, note: Note) -> dict:
        found = self._db.execute("SELECT 1 FROM sessions WHERE id = ?", (note.session,))
        if found.fetchone() is None:
            missing = f"expected a session in the history, found no session {note.session}"
            return {"ok": False, "error": missing}
        self._db.execute(
            "INSERT INTO notes (session, written, effort, pain, pain_where, text)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session) DO UPDATE SET"
            " written = excluded.written, effort = excluded.effort, pain = excluded.pain,"
            " pain_where = excluded.pain_where, text = excluded.text",
            (note.session, time.time(), note.effort, note.pain, note.where, note.text),
        )
        return {"ok": True, "session": note.session}

    def close(self) -> None:
        self._db.close()
