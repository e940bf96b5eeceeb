"""The timeline: a flat plan of what sounds when, in whole frames at the mixer's rate.

Rules it keeps (design §3, §7):
- A step is its cue, then a wait for a press (if any), then its hold, then the hold-end chime,
  then its rest. A run of consecutive `each_side` steps plays once per side.
- A hold starts when its cue ends. Chimes sit inside the hold, except the end chime, which
  follows it, so a hold's quiet lasts exactly its seconds.
- Sounds never overlap. When two chimes would, the one earlier in this order is kept and the
  other dropped: hold start, hold end, halfway, countdown, every-N tick. Speech never meets a
  chime, because cues only start once a hold and its end chime are over.
- Every line the player says is at most MAX_WORDS words: a listener with closed eyes cannot hold
  more. The stop note begins with coming off the pressure, because the sound stops at a press
  and the pressure does not.
- Before the title come the opening lines (the button's explanation, a reminder: see
  `player.core.intro`). A timeline may play one side only; the rest is laid out as for all sides.
- Offsets are integers, so nothing drifts however long the routine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from player.core import intro
from player.core.routine import Routine, Step
from player.core.sounds import WAKE, Chime, Sound, Speech

GAP_SECONDS = 1.0
PROGRESS_GAP = 0.5
HALFWAY = "Halfway through."
MAX_WORDS = 25  # in any line the player says
STOP_NOTE = (
    "Come off the pressure now, and rest. If you stopped for pain that stays, or for numbness "
    "or tingling, please see a professional."
)
CLOSING = "That is the end of this routine."
REMINDER = (
    "You stopped at the same place twice lately, so go gently. If the pain keeps returning or "
    "comes with numbness or tingling, see a professional."
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One sound placed on the timeline, with the step (0 outside steps) and side it belongs to."""

    start: int
    length: int
    sound: Sound
    step: int = 0
    side: str | None = None

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the timeline: a hold, or one played step (one side of an each_side step)."""

    start: int
    end: int
    step: int
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """A routine laid out in frames; `speech` has the length of every line the session may say."""

    routine: Routine
    rate: int
    length: int
    entries: tuple[Entry, ...]
    holds: tuple[Span, ...]
    steps: tuple[Span, ...]
    waits: tuple[int, ...]
    speech: Mapping[str, int]
    chimes: Mapping[str, int]
    lead_in: int = 0
    opening: tuple[str, ...] = ()
    side: str | None = None

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides this timeline plays: one, or all of the routine's."""
        return (self.side,) if self.side else self.routine.sides

    def seconds(self, frames: int | None = None) -> float:
        """Frames (the whole timeline by default) in seconds."""
        return (self.length if frames is None else frames) / self.rate


def announce(routine: Routine) -> str:
    """What the player says when a long press selects this routine."""
    return f"Next routine: {routine.title}."


def recap(step: Step, side: str | None, other: str | None, said: bool) -> str:
    """The one line said on resuming, so a person with closed eyes knows where they are: the
    side in words and, when the step's cue was `said` before the pause (it is not said again),
    that cue, so they know what they were doing; the cue only if the line keeps to MAX_WORDS."""
    where = f"The {side} side." if side else "Going on."
    again = f"{where} {step.cue(side, other)}"
    return again if said and len(again.split()) <= MAX_WORDS else where


def other_side(routine: Routine, side: str | None) -> str | None:
    """The side that is not `side`, for `{other_side}` (the first other one)."""
    return next((s for s in routine.sides if s != side), None) if side else None


def played_steps(
    routine: Routine, side: str | None = None
) -> Iterator[tuple[Step, str | None, str | None]]:
    """Each step as played, with its side and other side; each_side runs expanded per side
    (only for `side`, when given)."""
    steps = routine.steps
    index = 0
    while index < len(steps):
        if not steps[index].each_side:
            yield steps[index], None, None
            index += 1
            continue
        end = index
        while end < len(steps) and steps[end].each_side:
            end += 1
        for played in (side,) if side else routine.sides:
            for step in steps[index:end]:
                yield step, played, other_side(routine, played)
        index = end


def speech_texts(routine: Routine) -> list[str]:
    """Every line a session of this routine may speak, in first-use order, each once."""
    lines = [intro.BUTTON, intro.BUTTON_SHORT, routine.title]
    for step, side, other in played_steps(routine):
        lines += [step.cue(side, other), *(recap(step, side, other, s) for s in (False, True))]
    if routine.progress:
        lines += [HALFWAY, *(progress_line(False, s) for s in routine.sides)]
        lines += [progress_line(True, s) for s in routine.sides]
    lines += [CLOSING, STOP_NOTE, REMINDER, announce(routine)]
    return list(dict.fromkeys(lines))


def progress_line(halfway: bool, side: str | None) -> str:
    """The line said between cues at a change of side, at halfway, or at both at once."""
    if side is None:
        return HALFWAY
    return f"{HALFWAY} On to the {side} side." if halfway else f"On to the {side} side."


def _progress_points(plain: Timeline) -> dict[int, str]:
    """Which played steps (by index) get a progress line before them, and which line."""
    halfway = next(
        (i for i, span in enumerate(plain.steps) if span.start >= plain.length // 2), None
    )
    points = {}
    for index, span in enumerate(plain.steps):
        changed = index > 0 and span.side and plain.steps[index - 1].side not in (None, span.side)
        if changed or index == halfway:
            points[index] = progress_line(index == halfway, span.side if changed else None)
    return points


def estimate_frames(text: str, words_per_minute: int, rate: int) -> int:
    """A cue's length guessed from its words, for `list` before the speech is rendered."""
    words = max(1, len(text.split()))
    return round((words * 60 / words_per_minute + 0.4) * rate)


def plan(
    routine: Routine,
    speech: Mapping[str, int],
    chimes: Mapping[str, int],
    rate: int,
    lead_in: int = 0,
    *,
    opening: tuple[str, ...] = (),
    side: str | None = None,
) -> Timeline:
    """Lay the routine out; `speech` and `chimes` give each sound's length in frames.
    `opening` lines are said before the title; `side` plays one side only."""
    base = Timeline(routine, rate, 0, (), (), (), (), speech, chimes, lead_in, opening, side)
    plain = _lay_out(base, progress={})
    if not routine.progress:
        return plain
    return _lay_out(base, progress=_progress_points(plain))


def replan(base: Timeline, opening: tuple[str, ...], side: str | None) -> Timeline:
    """The same routine with other opening lines or one side only; `base` itself if unchanged."""
    if (opening, side) == (base.opening, base.side):
        return base
    return plan(
        base.routine,
        base.speech,
        base.chimes,
        base.rate,
        base.lead_in,
        opening=opening,
        side=side,
    )


def _lay_out(base: Timeline, *, progress: Mapping[int, str]) -> Timeline:
    routine, rate = base.routine, base.rate
    builder = _Builder(base.speech, base.chimes, rate)
    if base.lead_in:
        builder.add(Chime(WAKE), length=base.lead_in)
    for line in base.opening:
        builder.say(line)
        builder.cursor += round(GAP_SECONDS * rate)
    builder.say(routine.title)
    builder.cursor += round(GAP_SECONDS * rate)
    for index, (step, side, other) in enumerate(played_steps(routine, base.side)):
        if index in progress:
            builder.say(progress[index], step.number, side)
            builder.cursor += round(PROGRESS_GAP * rate)
        builder.step(step, side, other)
    builder.cursor += round(GAP_SECONDS * rate)
    builder.say(CLOSING)
    return replace(
        base,
        length=builder.cursor,
        entries=tuple(builder.entries),
        holds=tuple(builder.holds),
        steps=tuple(builder.steps),
        waits=tuple(builder.waits),
        speech=dict(base.speech),
        chimes=dict(base.chimes),
    )


class _Builder:
    """Appends sounds at a moving cursor; holds get their chimes by priority."""

    def __init__(self, speech: Mapping[str, int], chimes: Mapping[str, int], rate: int) -> None:
        self.speech, self.chime_frames, self.rate = speech, chimes, rate
        self.cursor = 0
        self.entries: list[Entry] = []
        self.holds: list[Span] = []
        self.steps: list[Span] = []
        self.waits: list[int] = []

    def add(self, sound: Sound, length: int, step: int = 0, side: str | None = None) -> None:
        self.entries.append(Entry(self.cursor, length, sound, step, side))
        self.cursor += length

    def say(self, text: str, step: int = 0, side: str | None = None) -> None:
        self.add(Speech(text), self.speech[text], step, side)

    def step(self, step: Step, side: str | None, other: str | None) -> None:
        begin = self.cursor
        self.say(step.cue(side, other), step.number, side)
        if step.wait:
            self.waits.append(self.cursor)
        if step.hold is not None:
            self.hold(step, side)
        self.cursor += round(step.rest * self.rate)
        self.steps.append(Span(begin, self.cursor, step.number, side))

    def hold(self, step: Step, side: str | None) -> None:
        start, frames = self.cursor, round((step.hold or 0) * self.rate)
        end = start + frames
        self.holds.append(Span(start, end, step.number, side))
        kept: list[tuple[int, int, str]] = []
        for at, name in self.candidates(step, start, end):
            length = self.chime_frames[name]
            fits = at >= start and (name == "hold_end" or at + length <= end)
            if fits and all(at + length <= s or at >= s + n for s, n, _ in kept):
                kept.append((at, length, name))
        for at, length, name in sorted(kept):
            self.entries.append(Entry(at, length, Chime(name), step.number, side))
        self.cursor = max([end] + [at + length for at, length, _ in kept])

    def candidates(self, step: Step, start: int, end: int) -> list[tuple[int, str]]:
        """Every chime the step asks for, highest priority first (see the module's rules)."""
        chimes, rate = step.chimes, self.rate
        found: list[tuple[int, str]] = []
        if chimes.start:
            found.append((start, "hold_start"))
        if chimes.end:
            found.append((end, "hold_end"))
        if chimes.halfway:
            found.append((start + (end - start) // 2, "halfway"))
        found += [(end - k * rate, "tick") for k in range(1, chimes.countdown + 1)]
        if chimes.every:
            every = chimes.every * rate
            found += [(at, "tick") for at in range(start + every, end, every)]
        return found
