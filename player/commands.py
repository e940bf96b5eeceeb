"""The commands that play nothing themselves: check, list, history, and the daemon's remote
control (status, pause, resume, stop, start)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from player import config
from player.core import routine
from player.core.errors import ConfigError, PlayerError, Problem, RoutineError
from player.core.schema import parse_toml, read_file
from player.records.history import FILE, History, Row
from player.routines import library, plans
from player.service import preflight
from player.service.control import JOIN, request


def check(args: argparse.Namespace) -> int:
    """Check the files given (routines or a config), or the config in use and every routine
    the player can see; 0 only if all are valid."""
    settings = config.load(args.config, service=True)
    paths = [Path(f) for f in args.files]
    configs = [path for path in paths if _is_config(path)]
    if not paths:  # the library's files are routines, whatever their names
        configs = [Path(settings.source)] if settings.source else []
        paths = configs + [e.path for e in library.entries(settings)]
    bad = 0
    for path in paths:
        lines = _config_problems(path) if path in configs else _routine_problems(path)
        bad += bool(lines)
        for line in lines:
            print(line, file=sys.stderr)
    noun = "file" if configs else "routine"
    print(f"{len(paths) - bad} of {len(paths)} {noun}{'s' if len(paths) != 1 else ''} valid.")
    return 1 if bad else 0


def _is_config(path: Path) -> bool:
    """A config file rather than a routine: named config.toml, or with a config table and no
    routine's title or steps (so a misspelt table is reported as the config's, not a routine's)."""
    if path.name == config.default_path().name:
        return True
    data, _ = read_file(str(path))
    document = parse_toml(data, str(path))[0] if data is not None else None
    if not document or {"title", "step"} & set(document):
        return False
    return bool(set(document) & set(config.SCHEMA))


def _routine_problems(path: Path) -> list[str]:
    try:
        routine.load(path)
    except RoutineError as error:
        return error.lines()
    return []


def _config_problems(path: Path) -> list[str]:
    """What is wrong in a config file, and with what its keys point at (made nothing)."""
    try:
        settings = config.load(path)
    except ConfigError as error:
        return error.lines()
    return [str(p) for p in preflight.problems(settings, preflight.EVERYTHING, make=False)]


def list_routines(args: argparse.Namespace) -> int:
    """Each routine's id, title and planned length, and its `about` line under the title;
    a broken file is listed as broken."""
    settings = config.load(args.config, service=True)
    rows = []
    for entry in library.entries(settings):
        try:
            loaded = routine.load(entry.path)
        except RoutineError as error:
            rows.append((entry.id, f"(cannot be played: {len(error.problems)} problems)", "", ""))
            continue
        seconds, exact = plans.planned_seconds(loaded, settings)
        length = _minutes(seconds) if exact else "~" + _minutes(seconds)
        note = " (yours, in place of the shipped one)" if entry.replaces_shipped else ""
        rows.append((entry.id, loaded.title + note, length, loaded.about))
    width = max((len(r[0]) for r in rows), default=0)
    for rid, title, length, about in rows:
        print(f"{rid:<{width}}  {length:>6}  {title}")
        if about:
            print(" " * (width + 10) + about)
    if any(length.startswith("~") for _, _, length, _ in rows):
        print("~ estimated from the words; exact once the speech is rendered.")
    _say_voice(settings)
    return 0


def _say_voice(settings: config.Config) -> None:
    """One line when the configured voice cannot be used (checked without loading it)."""
    from player.voice import checks  # reads files only: no engine is loaded

    found = checks.problems(settings.voice, settings.source)
    if found:
        print(f"The voice cannot be used, so the basic eSpeak NG voice speaks: {found[0]}")


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def history(args: argparse.Namespace) -> int:
    """Past sessions: when, which routine, how long, each side, and how each ended."""
    settings = config.load(args.config, service=True)
    kept = settings.paths.state / FILE
    if kept.exists() and not os.access(kept, os.R_OK):  # the service's, and not in its group
        raise PlayerError(
            [Problem(str(kept), f"expected permission to read it, found none {JOIN}")]
        )
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
    """status, pause, resume, stop, skip, start [ROUTINE]: ask the running daemon, say its
    answer."""
    settings = config.load(args.config, service=True)
    payload = {"command": args.command, "routine": getattr(args, "routine", None)}
    if getattr(args, "side", None):
        payload["side"] = args.side
    reply = request(settings.paths.control_socket, payload)
    if args.json:
        print(json.dumps(reply))
        return 0 if reply.get("ok") else 1
    if not reply.get("ok"):
        where = "" if "routine" in reply else f"{settings.paths.control_socket}: "  # the line
        print(f"{where}{reply.get('error')}", file=sys.stderr)  # names the routine already
        return 1
    if args.command != "status" and not reply.get("changed"):
        print(f"Nothing to {args.command}: the player is {reply['state']}.")
        return 1
    print(_say_status(reply))
    if args.command == "status" and reply.get("fallback"):  # the chosen speaker was not found
        print(reply["fallback"][0].upper() + reply["fallback"][1:] + ".")
    return 0


def _say_status(reply: dict) -> str:
    """The control socket's status reply as one sentence for a person."""
    if reply["state"] == "idle":
        return f"Idle; {reply['selected']} is selected."
    if reply["state"] == "asking":
        return f'A phone asks to join (its word: "{reply["asking"]}"); a short press allows it.'
    parts = [f"{reply['state'].capitalize()} {reply['title']}"]
    if reply["step"]:
        parts.append(f"step {reply['step']} of {reply['steps']}")
    if reply["side"]:
        parts.append(f"{reply['side']} side")
    if reply["hold_left"] is not None:
        parts.append(f"hold {_minutes(reply['hold_left'])} left")
    parts.append(f"{_minutes(reply['routine_left'])} to go")
    return ", ".join(parts) + "."


def voices(args: argparse.Namespace) -> int:
    """`routine-player voices`: which engine and voice speak, and whether the voice loads."""
    from player.voice import checks, worker  # the speech child only for this command

    settings = config.own_files(config.load(args.config, service=True), args.config)
    for line in checks.describe(settings.voice):
        print(line)
    checks.require(settings)
    try:
        worker.load(settings.voice)
    finally:
        worker.worker.stop()
    print("It loads and is ready to speak.")
    return 0
