"""A routine being written on the phone: the editor's form as a draft, the draft as the TOML
document it stands for, and that document checked exactly as `routine-player check` checks a
file, with advice beside it.

Rules: nothing here writes a file; a draft becomes TOML only through routines/written.py, and
a typed value that is not a number stays the text it was, so the schema says what it found in
check's own words. Advice never refuses anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from player.config import Config
from player.core import routine
from player.core.errors import RoutineError
from player.routines import phone, plans, written

CHIME_SWITCHES = ("start", "end", "halfway")
CHIME_NUMBERS = ("every", "countdown")
MAX_WORDS = 25  # a cue a listener with closed eyes can hold (docs/routines.md)
TENDER = re.compile(r"\b(tender|knot|trigger point)", re.IGNORECASE)
HAND_OR_ROLLER = ("roller", "hand", "thumb", "knuckle", "palm", "fist")


@dataclass(frozen=True, slots=True)
class StepDraft:
    """One step as typed: numbers are still text."""

    say: str = ""
    hold: str = ""
    rest: str = ""
    wait: bool = False
    each_side: bool = False
    chimes: str = ""  # this step's own chimes, as JSON: kept through the form, not edited


@dataclass(frozen=True, slots=True)
class Draft:
    """A routine as the editor holds it; `version` is the file's when it was opened ("" new)."""

    id: str = ""
    title: str = ""
    about: str = ""
    sides: str = ""
    progress: bool = False
    chimes: dict[str, str | bool] = field(default_factory=dict)
    steps: tuple[StepDraft, ...] = (StepDraft(),)
    version: str = ""


def blank() -> Draft:
    """A new routine: one step, the default chimes."""
    return Draft(chimes=_chimes(asdict(routine.Chimes())))


def from_routine(loaded: routine.Routine, rid: str, version: str = "") -> Draft:
    """A draft of a checked routine, under `rid` (a copy's new id, or its own)."""
    document = written.to_document(loaded)
    return Draft(
        id=rid,
        title=loaded.title,
        about=loaded.about,
        sides=", ".join(loaded.sides),
        progress=loaded.progress,
        chimes=_chimes(document["chimes"]),
        steps=tuple(_step_draft(table) for table in document["step"]),
        version=version,
    )


def _chimes(table: Mapping[str, Any]) -> dict[str, str | bool]:
    return {k: table[k] if k in CHIME_SWITCHES else _text(table[k]) for k in table}


def _step_draft(table: dict[str, Any]) -> StepDraft:
    return StepDraft(
        say=table["say"],
        hold=_text(table.get("hold", "")),
        rest=_text(table.get("rest", "")),
        wait="wait" in table,
        each_side=table.get("each_side", False),
        chimes=json.dumps(table["chimes"]) if "chimes" in table else "",
    )


def _text(value: object) -> str:
    """A number as a person would type it back: 30, not 30.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_form(form: Mapping[str, str]) -> Draft:
    """The editor's form as a draft; at most one step more than a routine may hold, so that
    the check can say there are too many."""
    count = form.get("steps", "1")
    steps = int(count) if count.isdecimal() else 1
    return Draft(
        id=form.get("id", "").strip(),
        title=form.get("title", ""),
        about=form.get("about", ""),
        sides=form.get("sides", ""),
        progress="progress" in form,
        chimes={
            **{k: f"chimes.{k}" in form for k in CHIME_SWITCHES},
            **{k: form.get(f"chimes.{k}", "") for k in CHIME_NUMBERS},
        },
        steps=tuple(
            StepDraft(
                say=form.get(f"step-{n}.say", ""),
                hold=form.get(f"step-{n}.hold", ""),
                rest=form.get(f"step-{n}.rest", ""),
                wait=f"step-{n}.wait" in form,
                each_side=f"step-{n}.each_side" in form,
                chimes=form.get(f"step-{n}.chimes", ""),
            )
            for n in range(1, min(steps, phone.MAX_STEPS + 1) + 1)
        ),
        version=form.get("version", ""),
    )


def operate(draft: Draft, op: str) -> Draft:
    """Add a step, or remove or move step N ("remove:N", "up:N", "down:N"); anything else
    leaves the draft as it was."""
    steps = list(draft.steps)
    verb, _, number = op.partition(":")
    if verb == "add" and len(steps) < phone.MAX_STEPS:
        return replace(draft, steps=(*steps, StepDraft()))
    if not number.isdecimal() or not 1 <= int(number) <= len(steps):
        return draft
    at = int(number) - 1
    if verb == "remove" and len(steps) > 1:
        del steps[at]
    elif verb in ("up", "down"):
        other = at - 1 if verb == "up" else at + 1
        if 0 <= other < len(steps):
            steps[at], steps[other] = steps[other], steps[at]
    return replace(draft, steps=tuple(steps))


def to_document(draft: Draft) -> dict[str, Any]:
    """The TOML document the draft stands for: what was left empty is left out."""
    document: dict[str, Any] = {"format": routine.FORMAT, "title": draft.title}
    if draft.about.strip():
        document["about"] = draft.about
    sides = [s.strip() for s in draft.sides.split(",") if s.strip()]
    if sides:
        document["sides"] = sides
    if draft.progress:
        document["progress"] = True
    chimes = {k: v for k, v in draft.chimes.items() if k in CHIME_SWITCHES}
    chimes |= {k: _number(str(draft.chimes.get(k, ""))) for k in CHIME_NUMBERS}
    document["chimes"] = {k: v for k, v in chimes.items() if v != ""}
    document["step"] = [_step_table(step) for step in draft.steps]
    return document


def _step_table(step: StepDraft) -> dict[str, Any]:
    table: dict[str, Any] = {"say": step.say}
    if step.each_side:
        table["each_side"] = True
    for key in ("hold", "rest"):
        value = _number(getattr(step, key))
        if value != "":
            table[key] = value
    if step.wait:
        table["wait"] = "press"
    if step.chimes:
        try:
            table["chimes"] = json.loads(step.chimes)
        except ValueError:
            table["chimes"] = step.chimes  # the schema says it is not a table
    return table


def _number(typed: str) -> int | float | str:
    """A typed number as a number; anything else as the text it is, for the schema to name."""
    text = typed.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d*\.\d+", text):
        return float(text)
    return text


def to_toml(draft: Draft) -> str:
    return written.dump_document(to_document(draft))


@dataclass(frozen=True, slots=True)
class Checked:
    """A draft checked: problems and advice by the form field they name (those that name no
    field under ""), the routine if it is one, and its planned length."""

    problems: dict[str, list[str]]
    advice: dict[str, list[str]]
    loaded: routine.Routine | None
    length: str

    @property
    def ok(self) -> bool:
        return not self.problems


def check(draft: Draft, settings: Config) -> Checked:
    """The draft's file checked as `routine-player check` would, with the phone's bounds, its
    id, and the advice; the length is planned once it is a routine."""
    problems: dict[str, list[str]] = {}
    rid = draft.id or "new-routine"
    try:
        phone.check_id(draft.id)
    except ValueError as error:
        problems["id"] = [f"id: {error}"]
    loaded = None
    try:
        loaded = phone.checked(to_toml(draft), rid)
    except RoutineError as error:
        for found in error.problems:
            key = _field_of(found.place, found.field)
            problems.setdefault(key, []).append(str(found).removeprefix(f"{found.file}: "))
    except ValueError as error:
        problems.setdefault("", []).append(str(error))
    length = ""
    if loaded is not None:
        seconds, exact = plans.planned_seconds(loaded, settings)
        length = ("" if exact else "about ") + clock(seconds)
    return Checked(problems, advice(draft), loaded, length)


def _field_of(place: str, name: str) -> str:
    """The form field a problem names: "step-3.hold", "chimes.every", "title"; "" for none."""
    if place.startswith("step "):
        key = name.split(".", 1)[0]
        known = ("say", "hold", "rest", "wait", "each_side", "chimes")
        return f"step-{place.removeprefix('step ')}.{key}" if key in known else ""
    if name.startswith("chimes.") or name in ("title", "about", "sides", "progress"):
        return name
    return ""


def advice(draft: Draft) -> dict[str, list[str]]:
    """What is allowed but unwise: a cue too long to hold in mind, and a hold on a tender spot
    outside the article's range for the tool the routine names (20-30 s by hand or with a foam
    roller, 30-60 s with a ball)."""
    found: dict[str, list[str]] = {}
    tool = _tool(draft.title + " " + draft.about)
    for number, step in enumerate(draft.steps, 1):
        words = len(step.say.split())
        if words > MAX_WORDS:
            found[f"step-{number}.say"] = [
                f"step {number}: say: {words} words; a cue of {MAX_WORDS} words or fewer is "
                "easier to follow with your eyes closed"
            ]
        hold = _number(step.hold)
        if tool and TENDER.search(step.say) and isinstance(hold, int | float):
            low, high, how = tool
            if not low <= hold <= high:
                found[f"step-{number}.hold"] = [
                    f"step {number}: hold: the article suggests {low}-{high} s on a tender spot "
                    f"{how}; this is {_text(hold)} s"
                ]
    return found


def _tool(words: str) -> tuple[int, int, str] | None:
    """The article's hold range for the tool the title or about names, if it names one."""
    text = words.lower()
    if "ball" in text:
        return 30, 60, "with a massage ball"
    if any(tool in text for tool in HAND_OR_ROLLER):
        return 20, 30, "by hand or with a foam roller"
    return None


def clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
