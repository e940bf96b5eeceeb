"""Routine scripts, format 1 (design §3): the model and its loader.

`load(path)` returns a frozen `Routine` or raises `RoutineError` with every problem in the file,
one line each, in the form of design §4. Nothing here plays or renders anything.
"""

from __future__ import annotations

import os
import string
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from player.core.errors import Problem, RoutineError
from player.core.schema import (
    Field,
    boolean,
    check_table,
    choice,
    number,
    parse_toml,
    read_file,
    shown,
    text,
    unknown,
)

FORMAT = 1
MAX_SAY = 1000  # characters in one cue: over a minute of speech
MAX_TITLE = 200
PLACEHOLDERS = ("side", "other_side")


@dataclass(frozen=True, slots=True)
class Chimes:
    """Which chimes mark a hold; `every` and `countdown` are whole seconds, 0 for off."""

    start: bool = True
    end: bool = True
    halfway: bool = False
    every: int = 0
    countdown: int = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One step as written: its number counts steps in the file from 1."""

    number: int
    say: str
    each_side: bool = False
    hold: float | None = None
    rest: float = 0.0
    wait: bool = False
    chimes: Chimes = field(default_factory=Chimes)

    def cue(self, side: str | None = None, other_side: str | None = None) -> str:
        """The words to speak for this step, with the side filled in."""
        if side is None:
            return self.say
        return self.say.replace("{side}", side).replace("{other_side}", other_side or "")


@dataclass(frozen=True, slots=True)
class Routine:
    """A checked routine: its id is the file's stem."""

    id: str
    title: str
    steps: tuple[Step, ...]
    about: str = ""
    sides: tuple[str, ...] = ()
    chimes: Chimes = field(default_factory=Chimes)
    progress: bool = False
    source: str = ""


CHIME_FIELDS: dict[str, Field] = {
    "start": boolean(),
    "end": boolean(),
    "halfway": boolean(),
    "every": number(0, 600, "a whole number of seconds", whole=True),
    "countdown": number(0, 10, "a whole number of seconds", whole=True),
}
TOP_FIELDS: dict[str, Field] = {
    "format": Field(str(FORMAT), lambda v: type(v) is int and v == FORMAT),
    "title": text("a title to speak", required=True),
    "about": text("text", blank=True),
    "sides": Field(
        'a list of side names, such as ["left", "right"]',
        lambda v: (
            isinstance(v, list)
            and 1 <= len(v) <= 4
            and all(isinstance(s, str) and s.strip() for s in v)
            and len(set(v)) == len(v)
        ),
    ),
    "progress": boolean(),
}
STEP_FIELDS: dict[str, Field] = {
    "say": text("words to speak", required=True),
    "each_side": boolean(),
    "hold": number(1, 600, "seconds"),
    "rest": number(0, 300, "seconds"),
    "wait": choice("press"),
}


def load(path: str | os.PathLike[str]) -> Routine:
    """Read and check one routine file; raise `RoutineError` listing every problem."""
    name = os.fspath(path)
    data, problems = read_file(name)
    if data is None:
        raise RoutineError(problems)
    return parse(data, name)


def parse(data: bytes, file: str, routine_id: str | None = None) -> Routine:
    """Check routine bytes that came from `file`; the id defaults to the file's stem."""
    document, problems = parse_toml(data, file)
    if document is None:
        raise RoutineError(problems)
    reader = _Reader(file)
    routine = reader.routine(document, routine_id or _stem(file))
    if reader.problems or routine is None:
        raise RoutineError(reader.problems)
    return routine


def _stem(file: str) -> str:
    return os.path.splitext(os.path.basename(file))[0]


class _Reader:
    """Walks one parsed document, collecting problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def report(self, place: str, name: str, message: str) -> None:
        self.problems.append(Problem(self.file, message, place, name))

    def routine(self, doc: dict[str, Any], routine_id: str) -> Routine | None:
        fmt = doc.get("format", FORMAT)
        if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > FORMAT:
            message = f"expected {FORMAT}, found {fmt} (a newer routine-player wrote this file)"
            self.report("", "format", message)
            return None
        top = check_table(
            doc,
            TOP_FIELDS,
            lambda name, msg: self.report("", name, msg),
            subtables=frozenset({"chimes", "step"}),
        )
        if "title" in top:
            self.printable("", "title", top["title"], MAX_TITLE)
        defaults = self.chimes(doc.get("chimes", {}), "", Chimes())
        sides = tuple(top.get("sides", ()))
        steps = self.steps(doc.get("step"), defaults, sides)
        if "title" not in top or steps is None or self.problems:
            return None
        return Routine(
            id=routine_id,
            title=top["title"].strip(),
            about=top.get("about", "").strip(),
            sides=sides,
            chimes=defaults,
            steps=steps,
            progress=top.get("progress", False),
            source=self.file,
        )

    def chimes(self, table: object, place: str, base: Chimes) -> Chimes:
        if not isinstance(table, dict):
            self.report(
                place, "chimes", f"expected a table of chime settings, found {shown(table)}"
            )
            return base
        good = check_table(
            table, CHIME_FIELDS, lambda name, msg: self.report(place, name, msg), "chimes."
        )
        return replace(base, **good)

    def steps(
        self, raw: object, defaults: Chimes, sides: tuple[str, ...]
    ) -> tuple[Step, ...] | None:
        if raw is None:
            self.report("", "step", "expected at least one [[step]], found none")
            return None
        if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
            self.report("", "step", f"expected [[step]] tables, found {shown(raw)}")
            return None
        if not raw:
            self.report("", "step", "expected at least one [[step]], found none")
            return None
        steps = [self.step(number, table, defaults, sides) for number, table in enumerate(raw, 1)]
        return tuple(s for s in steps if s is not None) if all(steps) else None

    def step(
        self, number: int, table: dict[str, Any], defaults: Chimes, sides: tuple[str, ...]
    ) -> Step | None:
        place = f"step {number}"
        before = len(self.problems)
        good = check_table(
            table,
            STEP_FIELDS,
            lambda name, msg: self.report(place, name, msg),
            subtables=frozenset({"chimes"}),
        )
        chimes = self.chimes(table.get("chimes", {}), place, defaults)
        each_side = good.get("each_side", False)
        if each_side and not sides:
            self.report(place, "each_side", 'expected "sides" at the top of the file, found none')
        if "say" in good:
            self.printable(place, "say", good["say"], MAX_SAY)
            self.placeholders(place, good["say"], each_side, sides)
        if len(self.problems) > before:
            return None
        return Step(
            number=number,
            say=" ".join(good["say"].split()),
            each_side=each_side,
            hold=good.get("hold"),
            rest=good.get("rest", 0.0),
            wait="wait" in good,
            chimes=chimes,
        )

    def printable(self, place: str, name: str, value: str, longest: int) -> None:
        """Text for eSpeak: not too long to say in one breath, and no control characters."""
        if len(value) > longest:
            self.report(place, name, f"expected at most {longest} characters, found {len(value)}")
        control = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs")), None)
        if control is not None and control not in "\n\t":
            code = f"U+{ord(control):04X}"
            self.report(place, name, f"expected printable text, found a control character ({code})")

    def placeholders(self, place: str, say: str, each_side: bool, sides: tuple[str, ...]) -> None:
        def found(message: str) -> None:
            self.report(place, "say", message)

        try:
            names = [name for _, name, _, _ in string.Formatter().parse(say) if name is not None]
        except ValueError:
            found(
                f"expected {{side}} or {{other_side}} in braces, found a lone brace in {shown(say)}"
            )
            return
        for name in names:
            if name not in PLACEHOLDERS:
                hint = unknown(name, list(PLACEHOLDERS)).removeprefix("unknown field")
                found(f"expected {{side}} or {{other_side}}, found {{{name}}}{hint}")
            elif not each_side:
                found(f"expected {{{name}}} only in a step with each_side = true, found it here")
            elif name == "other_side" and len(sides) != 2:
                found("expected {other_side} only with exactly two sides, found it here")


def side_problem(routine: Routine, side: str) -> str | None:
    """Why `side` cannot be played alone in this routine (for `--side`), or None if it can."""
    if side in routine.sides:
        return None
    if not routine.sides:
        return f"expected a routine with sides, found none in {routine.id} to play {shown(side)}"
    return f"expected one of {', '.join(routine.sides)}, found {shown(side)}"
