"""The routines made on the phone: a folder of their own, `phone-routines` in the player's state
folder, written only by the player (the web page asks over the control socket; docs/web.md).

Rules: an id is a short lower-case name and names a file in this folder, never a path; what is
written is generated from the checked routine (routines/written.py), never the text received;
a save replaces the file whole or not at all (a temporary file, then a rename); a save or a
delete names the version it saw, and a stale one is refused, so a second phone never silently
overwrites the first; a deleted routine goes to `trash/` and can be brought back for 30 days;
a shipped routine, or one of the person's own folder, is never written (a copy gets a new id).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from player.config import Config
from player.core import routine
from player.core.schema import shown
from player.routines.written import dump

FOLDER, TRASH = "phone-routines", "trash"
KEEP_DAYS = 30
MAX_FILE = 32768  # bytes in a routine file from the phone: the shipped ones are about 4 KiB
MAX_STEPS = 100
ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
TRASHED = re.compile(rf"(?P<id>{ID.pattern})\.(?P<when>\d{{1,12}})\.toml")
EXPECT_ID = "a routine id: lower-case letters, digits and dashes, at most 64"


def folder(settings: Config) -> Path:
    """Where the phone's routines live: beside the history, in the player's state folder."""
    return settings.paths.state / FOLDER


def version(data: bytes) -> str:
    """A file's version: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


def check_id(rid: object) -> str:
    """The id if it is one (so it can only name a file in the folder); ValueError otherwise."""
    if not isinstance(rid, str) or not ID.fullmatch(rid):
        raise ValueError(f"expected {EXPECT_ID}, found {shown(rid)}")
    return rid


@dataclass(frozen=True, slots=True)
class Trashed:
    """A deleted routine that can still be brought back."""

    name: str  # the file's name in trash/
    id: str
    deleted: float  # when, in seconds since the epoch


def checked(text: str, rid: str) -> routine.Routine:
    """The routine a text holds, under `rid`, within the phone's bounds; RoutineError (every
    problem, as `check` says it) or ValueError (too big)."""
    data = text.encode("utf-8")
    if len(data) > MAX_FILE:
        raise ValueError(f"expected a routine of at most {MAX_FILE} bytes, found {len(data)}")
    loaded = routine.parse(data, f"{rid}.toml", rid)
    if len(loaded.steps) > MAX_STEPS:
        raise ValueError(f"expected at most {MAX_STEPS} steps, found {len(loaded.steps)}")
    return loaded


class PhoneRoutines:
    """The folder and its trash. One lock makes each version check and its write one step."""

    def __init__(
        self,
        where: Path,
        taken: Callable[[], Collection[str]],
        now: Callable[[], float] = time.time,
    ) -> None:
        self.where, self.taken, self.now = Path(where), taken, now
        self._lock = threading.Lock()

    def path(self, rid: str) -> Path:
        return self.where / f"{check_id(rid)}.toml"

    def current(self, rid: str) -> str:
        """The version of routine `rid` now, or "" when there is none."""
        try:
            return version(self.path(rid).read_bytes())
        except FileNotFoundError:
            return ""

    def save(self, rid: str, text: str, seen: str) -> str:
        """Check `text`, write it as routine `rid` if `seen` is still its version ("" for a new
        one), and return the new version."""
        data = dump(checked(text, check_id(rid))).encode("utf-8")
        if rid in self.taken():
            raise ValueError(
                f"{rid}: expected a new id, found a routine the phone may not change "
                "(a shipped one, or the player's own folder's): save a copy under another id"
            )
        with self._lock:
            self._expect(rid, seen)
            _write_whole(self.path(rid), data)
        return version(data)

    def delete(self, rid: str, seen: str) -> str:
        """Move routine `rid` to the trash if `seen` is still its version; its trash name."""
        with self._lock:
            self._expect(rid, seen)
            if not seen:
                raise ValueError(f"{rid}: expected a routine made on the phone, found none")
            (self.where / TRASH).mkdir(mode=0o750, parents=True, exist_ok=True)
            name = f"{rid}.{int(self.now())}.toml"
            os.replace(self.path(rid), self.where / TRASH / name)
            self._purge()
        return name

    def restore(self, name: str) -> str:
        """Bring a deleted routine back under its id, if that id is free; the id."""
        found = TRASHED.fullmatch(name) if isinstance(name, str) else None
        if found is None or not any(t.name == name for t in self.trash()):
            raise ValueError(f"expected a routine deleted in the last {KEEP_DAYS} days")
        rid = found["id"]
        with self._lock:
            if self.path(rid).exists() or rid in self.taken():
                raise ValueError(f"{rid}: expected the id to be free, found a routine there now")
            os.replace(self.where / TRASH / name, self.path(rid))
        return rid

    def trash(self) -> list[Trashed]:
        """What can still be brought back, the latest first."""
        try:
            names = os.listdir(self.where / TRASH)
        except OSError:
            return []
        oldest = self.now() - KEEP_DAYS * 86400
        found = [TRASHED.fullmatch(n) for n in names]
        kept = [Trashed(m.string, m["id"], int(m["when"])) for m in found if m]
        return sorted((t for t in kept if t.deleted >= oldest), key=lambda t: -t.deleted)

    def _purge(self) -> None:
        """Forget what was deleted more than 30 days ago."""
        keep = {t.name for t in self.trash()}
        for name in os.listdir(self.where / TRASH):
            if TRASHED.fullmatch(name) and name not in keep:
                (self.where / TRASH / name).unlink(missing_ok=True)

    def _expect(self, rid: str, seen: str) -> None:
        now = self.current(rid)
        if now == seen:
            return
        if not seen:
            raise ValueError(f"{rid}: expected a new id, found a routine by that name already")
        raise ValueError(
            f"{rid}: expected the version you opened, found it changed since (on another phone?)"
            if now
            else f"{rid}: expected the routine you opened, found it deleted since"
        )


def _write_whole(path: Path, data: bytes) -> None:
    """Write `data` as `path`, whole or not at all: a temporary file beside it, synced, then
    renamed over it. A failure leaves the old file as it was, and no temporary file."""
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), 0o640)  # the web page's user reads it, through the group
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself, on disk
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
