"""Helpers for core tests: routines built in code, plans with made-up lengths, a driver."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from hypothesis import strategies as st

from player.core import timeline
from player.core.events import Action, Event, Play, Tick
from player.core.routine import Chimes, Routine, Step
from player.core.session import Session
from player.core.sounds import CHIMES, WAKE, Speech

RATE = 1000  # one frame a millisecond keeps the arithmetic readable
CHIME_FRAMES = {name: 200 for name in CHIMES} | {"tick": 50, WAKE: 0}


def routine(*steps: Step, sides: tuple[str, ...] = ("left", "right"), rid: str = "r") -> Routine:
    """A routine from steps; numbers are filled in as a person would count them."""
    numbered = tuple(
        Step(i, s.say, s.each_side, s.hold, s.rest, s.wait, s.chimes)
        for i, s in enumerate(steps, 1)
    )
    return Routine(id=rid, title=f"Title {rid}", steps=numbered, sides=sides)


def step(say: str = "Do this.", **fields) -> Step:
    """A step with the given fields; the number is set by `routine()`."""
    fields.setdefault("chimes", Chimes())
    return Step(number=0, say=say, **fields)


def speech_frames(text: str) -> int:
    """A made-up spoken length: 10 ms a character, at least a second."""
    return max(1000, 10 * len(text))


def plan(
    r: Routine, lead_in: int = 0, opening: tuple[str, ...] = (), side: str | None = None
) -> timeline.Timeline:
    """The routine's timeline with made-up speech lengths."""
    speech = {text: speech_frames(text) for text in timeline.speech_texts(r)}
    return timeline.plan(r, speech, CHIME_FRAMES, RATE, lead_in, opening=opening, side=side)


def run(
    session: Session, script: Iterable[tuple[float, Event]], start: float = 0.0
) -> list[tuple[float, Event, list[Action]]]:
    """Feed events at their times, waking the session at every deadline in between."""
    log: list[tuple[float, Event, list[Action]]] = []
    now = start
    for at, event in script:
        now = wake_until(session, now, at, log)
        log.append((at, event, session.handle(event, at)))
        now = at
    return log


def wake_until(
    session: Session, now: float, until: float, log: list, limit: int = 100_000
) -> float:
    """Tick the session at each deadline up to `until`."""
    for _ in range(limit):
        deadline = session.next_deadline()
        if deadline is None or deadline > until:
            return now
        now = max(now, deadline)
        log.append((now, Tick(), session.handle(Tick(), now)))
    raise AssertionError("the session kept asking to be woken")


def finish(session: Session, now: float, log: list, horizon: float = 1e7) -> float:
    """Tick until nothing more is due (the session is idle and quiet)."""
    return wake_until(session, now, now + horizon, log)


def actions(log: list) -> list[Action]:
    """All actions in order."""
    return [a for _, _, acts in log for a in acts]


def spoken(log: list) -> list[str]:
    """The routine's lines the session started, in order (not the extras)."""
    return [
        a.sound.text
        for a in actions(log)
        if isinstance(a, Play) and a.timeline and isinstance(a.sound, Speech)
    ]


step_strategy = st.builds(
    lambda say, side, hold, rest, wait, chimes: step(
        say + (" {side}" if side else ""),
        each_side=side,
        hold=hold,
        rest=rest,
        wait=wait,
        chimes=chimes,
    ),
    st.sampled_from(["Roll.", "Hold the spot, breathe slowly.", "Go on."]),
    st.booleans(),
    st.one_of(st.none(), st.floats(1, 120).map(lambda x: round(x, 3))),
    st.floats(0, 30).map(lambda x: round(x, 3)),
    st.booleans(),
    st.builds(
        Chimes, st.booleans(), st.booleans(), st.booleans(), st.integers(0, 20), st.integers(0, 10)
    ),
)
routines = st.builds(
    lambda steps, progress: replace(routine(*steps), progress=progress),
    st.lists(step_strategy, min_size=1, max_size=6),
    st.booleans(),
)
