"""Routine scripts, format 1 (design §3): the model and its loader.

`load(path)` returns a frozen `Routine` or raises `RoutineError` with every problem in the file,
one line each, in the form of design §4. Nothing here plays or renders anything.
"""

from __future__ import annotations

import os
import string
import unicodedata
from collections.abc import Collection
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
STEP_TABLE = frozenset({"chimes"})  # with STEP_FIELDS, what a [[step]] table may hold
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
        self.needs_sides: list[int] = []  # steps that need "sides": one line for them all
        self.other_side: list[int] = []  # steps with {other_side}, which needs two sides

    def report(self, place: str, name: str, message: str) -> None:
        self.problems.append(Problem(self.file, message, place, name))

    def routine(self, doc: dict[str, Any], routine_id: str) -> Routine | None:
        fmt = doc.get("format", FORMAT)
        if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > FORMAT:
            message = f"expected {FORMAT}, found {fmt} (a newer routine-player wrote this file)"
            self.report("", "format", message)
            return None
        steps_written = doc.get("step") if isinstance(doc.get("step"), list) else []
        strays = [_strays(doc.get("chimes"), TOP_FIELDS, CHIME_FIELDS)]
        strays += [_strays(step, TOP_FIELDS, STEP_TABLE) for step in steps_written]
        top = check_table(
            {**{k: v for found in strays for k, v in found.items()}, **doc},  # see _strays
            TOP_FIELDS,
            lambda name, msg: self.report("", name, msg),
            subtables=frozenset({"chimes", "step"}),
        )
        if "title" in top:
            self.printable("", "title", top["title"], MAX_TITLE)
        defaults = self.chimes(doc.get("chimes", {}), "", Chimes(), TOP_FIELDS)
        sides = tuple(top.get("sides", ()))
        steps = self.steps(doc.get("step"), defaults, sides)
        self.sides_problems(sides, written="sides" in doc)
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

    def chimes(self, table: object, place: str, base: Chimes, outer: dict[str, Field]) -> Chimes:
        """A chimes table; a key of the table around it (`outer`) found in it was written
        below the chimes heading, which is where TOML puts it: say so, and where it goes."""
        if not isinstance(table, dict):
            self.report(
                place, "chimes", f"expected a table of chime settings, found {shown(table)}"
            )
            return base
        heading = "[step.chimes]" if place else "[chimes]"
        strays = _strays(table, outer, CHIME_FIELDS)
        for key in strays:
            self.stray(place, "chimes." + key, "a chime setting", heading)
        rest = {k: v for k, v in table.items() if k not in strays}
        good = check_table(
            rest, CHIME_FIELDS, lambda name, msg: self.report(place, name, msg), "chimes."
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
        strays = _strays(table, TOP_FIELDS, STEP_TABLE)
        for key in strays:
            self.stray(place, key, "a step setting", "the first [[step]]")
        mine = {k: v for k, v in table.items() if k not in strays}
        good = check_table(
            {**_strays(table.get("chimes"), STEP_FIELDS, CHIME_FIELDS), **mine},
            STEP_FIELDS,
            lambda name, msg: self.report(place, name, msg),
            subtables=frozenset({"chimes"}),
        )
        chimes = self.chimes(table.get("chimes", {}), place, defaults, STEP_FIELDS)
        each_side = good.get("each_side", False)
        if each_side and not sides:
            self.needs_sides.append(number)
        if "say" in good:
            self.printable(place, "say", good["say"], MAX_SAY)
            self.placeholders(number, good["say"], each_side, sides)
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

    def stray(self, place: str, name: str, expected: str, heading: str) -> None:
        """A key written below a heading it does not belong to: where to move it."""
        below = heading.removeprefix("the first ")
        message = (
            f'expected {expected}, found "{name.rsplit(".", 1)[-1]}", written below {below}: '
            f"a key belongs to the heading above it, so move it above {heading}"
        )
        self.report(place, name, message)

    def printable(self, place: str, name: str, value: str, longest: int) -> None:
        """Text for eSpeak: not too long to say in one breath, and no control characters."""
        if len(value) > longest:
            self.report(place, name, f"expected at most {longest} characters, found {len(value)}")
        control = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs")), None)
        if control is not None and control not in "\n\t":
            code = f"U+{ord(control):04X}"
            self.report(place, name, f"expected printable text, found a control character ({code})")

    def sides_problems(self, sides: tuple[str, ...], written: bool) -> None:
        """One line per root problem with the sides, however many steps it touches (a
        "sides" written wrongly was reported already, as it is)."""
        if self.needs_sides and not written:
            steps = _steps(self.needs_sides)
            message = f"expected the names of the sides for each_side in {steps}, found none"
            self.report("", "sides", message)
        if self.other_side and sides:
            steps = _steps(self.other_side)
            message = (
                f"expected exactly two sides for {{other_side}} in {steps}, found {len(sides)}"
            )
            self.report("", "sides", message)

    def placeholders(self, number: int, say: str, each_side: bool, sides: tuple[str, ...]) -> None:
        def found(message: str) -> None:
            self.report(f"step {number}", "say", message)

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
                self.other_side.append(number)


def _steps(numbers: list[int]) -> str:
    """ "step 3" or "steps 2, 3, 5", as a person counts them."""
    return ("step " if len(numbers) == 1 else "steps ") + ", ".join(map(str, numbers))


def _strays(inner: object, outer: dict[str, Field], own: Collection[str]) -> dict[str, Any]:
    """Keys of the table `inner` that belong to the table around it (`outer`), not to it
    (`own`): TOML put them in `inner` because they were written below its heading. They are
    reported once, where they are, and read as if written in their place, so that one slip
    is one line, not also a "required" one."""
    if not isinstance(inner, dict):
        return {}
    return {k: v for k, v in inner.items() if k in outer and k not in own}


def side_problem(routine: Routine, side: str) -> str | None:
    """Why `side` cannot be played alone in this routine (for `--side`), or None if it can."""
    if side in routine.sides:
        return None
    if not routine.sides:
        return f"expected a routine with sides, found none in {routine.id} to play {shown(side)}"
    return f"expected one of {', '.join(routine.sides)}, found {shown(side)}"
