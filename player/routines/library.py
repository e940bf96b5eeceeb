"""Where routines are found: the shipped ones inside the package, the ones made on the phone
(routines/phone.py), and a person's own folder.

A person's routine with the same id as a shipped one takes its place; `list` says so. A phone's
routine never does: the phone saves a copy under a new id, and a file there with a shipped or
own routine's id is not read.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from player.config import Config
from player.core import routine
from player.core.errors import Problem, RoutineError
from player.core.schema import nearest
from player.routines.phone import folder as phone_folder


@dataclass(frozen=True, slots=True)
class Entry:
    """A routine file the player can see, and whether it replaces a shipped one."""

    id: str
    path: Path
    shipped: bool
    replaces_shipped: bool = False
    phone: bool = False  # made on the phone: the web page may change or delete it


def shipped_folder() -> Path:
    """The folder of routines installed with the package."""
    return Path(str(resources.files("player.routines.shipped")))


def _toml_files(folder: Path) -> dict[str, Path]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    return {
        Path(n).stem: folder / n for n in names if n.endswith(".toml") and (folder / n).is_file()
    }


def entries(config: Config) -> list[Entry]:
    """Every routine the player can see, shipped first, each id once."""
    shipped = _toml_files(shipped_folder())
    own = _toml_files(config.paths.routines)
    phone = _toml_files(phone_folder(config))
    found = [Entry(rid, path, True) for rid, path in shipped.items() if rid not in own]
    found += [
        Entry(rid, path, False, phone=True)
        for rid, path in phone.items()
        if rid not in own and rid not in shipped
    ]
    found += [Entry(rid, path, False, rid in shipped) for rid, path in own.items()]
    return sorted(found, key=lambda e: (not e.shipped and not e.replaces_shipped, e.id))


def locate(name: str, config: Config) -> Path:
    """A routine given as an id or as a path; raise `RoutineError` when it is neither."""
    if name.endswith(".toml") or os.sep in name:
        return Path(name)
    for entry in entries(config):
        if entry.id == name:
            return entry.path
    known = [e.id for e in entries(config)]
    raise RoutineError([not_found(name, known, "a routine id or a .toml file, found neither")])


def not_found(name: str, known: list[str], expected: str) -> Problem:
    """The line for a routine nobody can find: the routines there are, and the nearest one."""
    near = nearest(name, known)
    hint = f'; did you mean "{near}"?' if near else ""
    listed = ", ".join(known) or "none"
    return Problem(name, f"expected {expected} (routines: {listed}{hint})")


def cannot_start(
    name: str, ready: Collection[str], broken: Mapping[str, str], known: Collection[str]
) -> str | None:
    """Why the service cannot start routine `name` now, as one line; None if it can.
    `broken` holds each broken routine's first problem line, `known` every id that loaded."""
    if name in ready:
        return None
    if name in broken:
        return broken[name]
    if name in known:
        return f"{name}: expected a routine ready to play, found its speech still being prepared"
    expected = "the id of a routine the player can see, found none by that name"
    return str(not_found(name, sorted({*known, *broken}), expected))


@dataclass(frozen=True, slots=True)
class Library:
    """The routines that loaded, and one line for each that did not."""

    routines: dict[str, routine.Routine]
    broken: dict[str, str]  # id: its first problem


def read_all(config: Config) -> Library:
    """Every routine the player can see, loaded; broken ones become one line each."""
    found, broken = {}, {}
    for entry in entries(config):
        try:
            found[entry.id] = routine.load(entry.path)
        except RoutineError as error:
            more = len(error.problems) - 1
            broken[entry.id] = error.lines()[0] + (f" (and {more} more)" if more else "")
    return Library(found, broken)


def fixed_ids(config: Config) -> set[str]:
    """The ids the phone may never write: the shipped routines' and the person's own folder's."""
    return set(_toml_files(shipped_folder())) | set(_toml_files(config.paths.routines))
