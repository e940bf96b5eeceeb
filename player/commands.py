"""The commands that play nothing themselves: check, list, history, and the daemon's remote
control (status, pause, resume, stop, start)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from player import config, library, plans
from player.control import request
from player.core import routine
from player.core.errors import RoutineError
from player.history import History, Row


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


def history(args: argparse.Namespace) -> int:
    """Past sessions: when, which routine, how long, each side, and how each ended."""
    settings = config.load(args.config)
    store = History(settings.paths.state)
    try:
        rows = store.since(args.days * 86400)
    finally:
        store.close()
    if args.json:
        print(
            json.dumps({"sessions": [asdict(r) for r in rows], "summary": _summary(rows)}, indent=2)
        )
        return 0
    if not rows:
        print(f"No sessions in the last {args.days} days.")
        return 0
    sides = sorted({side for r in rows for side in r.side_seconds})
    header = ["When", "Routine", "Played", *[s.capitalize() for s in sides], "Ended"]
    table = [header] + [
        [
            time.strftime("%a %d %b %H:%M", time.localtime(r.started)),
            r.routine,
            _minutes(r.played_seconds),
            *[_minutes(r.side_seconds[s]) if s in r.side_seconds else "-" for s in sides],
            _ending(r),
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    total = _summary(rows)
    per_side = ", ".join(f"{s} {_minutes(v)}" for s, v in total["side_seconds"].items())
    count = total["sessions"]
    print(
        f"\nLast {args.days} days: {count} session{'s' if count != 1 else ''}, "
        f"{_minutes(total['played_seconds'])} in all" + (f"; {per_side}." if per_side else ".")
    )
    return 0


def _ending(row: Row) -> str:
    where = f" at step {row.step}" + (f", {row.side} side" if row.side else "") if row.step else ""
    return row.ending + where


def _summary(rows: list[Row]) -> dict:
    sides: dict[str, float] = {}
    for row in rows:
        for side, seconds in row.side_seconds.items():
            sides[side] = sides.get(side, 0.0) + seconds
    played = sum(r.played_seconds for r in rows)
    return {"sessions": len(rows), "played_seconds": played, "side_seconds": sides}


def control(args: argparse.Namespace) -> int:
    """status, pause, resume, stop, start [ROUTINE]: ask the running daemon, say its answer."""
    settings = config.load(args.config)
    payload = {"command": args.command, "routine": getattr(args, "routine", None)}
    if getattr(args, "side", None):
        payload["side"] = args.side
    reply = request(settings.paths.control_socket, payload)
    if args.json:
        print(json.dumps(reply))
        return 0 if reply.get("ok") else 1
    if not reply.get("ok"):
        print(f"{settings.paths.control_socket}: {reply.get('error')}", file=sys.stderr)
        return 1
    if args.command != "status" and not reply.get("changed"):
        print(f"Nothing to {args.command}: the player is {reply['state']}.")
        return 1
    print(_say_status(reply))
    return 0


def _say_status(reply: dict) -> str:
    if reply["state"] == "idle":
        return f"Idle; {reply['selected']} is selected."
    parts = [f"{reply['state'].capitalize()} {reply['title']}"]
    if reply["step"]:
        parts.append(f"step {reply['step']} of {reply['steps']}")
    if reply["side"]:
        parts.append(f"{reply['side']} side")
    if reply["hold_left"] is not None:
        parts.append(f"hold {_minutes(reply['hold_left'])} left")
    parts.append(f"{_minutes(reply['routine_left'])} to go")
    return ", ".join(parts) + "."
