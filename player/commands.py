"""`check` and `list`: the commands that read routines without playing them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from player import config, library, plans
from player.core import routine
from player.core.errors import RoutineError


def check(args: argparse.Namespace) -> int:
    """Check the files given, or every routine the player can see; 0 only if all are valid."""
    settings = config.load(args.config)
    paths = [Path(f) for f in args.files] or [e.path for e in library.entries(settings)]
    bad = 0
    for path in paths:
        try:
            routine.load(path)
        except RoutineError as error:
            bad += 1
            for line in error.lines():
                print(line, file=sys.stderr)
    good = len(paths) - bad
    print(f"{good} of {len(paths)} routine{'s' if len(paths) != 1 else ''} valid.")
    return 1 if bad else 0


def list_routines(args: argparse.Namespace) -> int:
    """Each routine's id, title and planned length; a broken file is listed as broken."""
    settings = config.load(args.config)
    rows = []
    for entry in library.entries(settings):
        try:
            loaded = routine.load(entry.path)
        except RoutineError as error:
            rows.append((entry.id, f"(cannot be played: {len(error.problems)} problems)", ""))
            continue
        seconds, exact = plans.planned_seconds(loaded, settings)
        length = _minutes(seconds) if exact else "~" + _minutes(seconds)
        note = " (yours, in place of the shipped one)" if entry.replaces_shipped else ""
        rows.append((entry.id, loaded.title + note, length))
    width = max((len(r[0]) for r in rows), default=0)
    for rid, title, length in rows:
        print(f"{rid:<{width}}  {length:>6}  {title}")
    if any(length.startswith("~") for _, _, length in rows):
        print("~ estimated from the words; exact once the speech is rendered.")
    return 0


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
