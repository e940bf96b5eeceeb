"""What the session did, told: one journal line for each event a person would want to read
later, the history recorded, and systemd's status line kept current. Nothing here decides."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from player.core.events import Action, Changed, Ended, Selected, Started, State
from player.core.gestures import Stuck
from player.core.session import Session
from player.records.history import Recorder
from player.service.answers import status_line
from player.service.notify import Notifier

log = logging.getLogger("routine-player")


class Journal:
    """Observes every action the loop carries out."""

    def __init__(
        self,
        session: Session,
        recorder: Recorder,
        notifier: Notifier,
        chose: Callable[[str], None] = lambda routine: None,
    ) -> None:
        self.session, self.recorder, self.notifier = session, recorder, notifier
        self.chose = chose  # a long press selected a routine: keep it
        self._last_state = State.IDLE  # was a change to playing a resume?

    def observe(self, action: Action, now: float) -> None:
        """Record the action, and log it with a new status line if a person would want it."""
        self.recorder.observe(action)
        if isinstance(action, Selected):
            self.chose(action.routine)
        line = describe(action, self._last_state)
        if isinstance(action, Changed):
            self._last_state = action.state
        if line:
            log.info(line)
            self.notifier.status(status_line(self.session, time.monotonic()))


def describe(action: Action, before: State) -> str:
    """One log line per event that a person would want in the journal; `before` is the
    state the session was in."""
    if isinstance(action, Started):
        return f"started {action.routine}" + (
            f", {action.sides[0]} side only" if len(action.sides) == 1 else ""
        )
    if isinstance(action, Ended):
        where = f" at step {action.step}" + (f", {action.side} side" if action.side else "")
        return f"{action.ending.value}: {action.routine}" + (where if action.step else "")
    if isinstance(action, Selected):
        return f"selected {action.routine}"
    if isinstance(action, Stuck):
        return "the button has been held down for a minute: is it stuck, or is something on it?"
    if isinstance(action, Changed):
        return _change(action.state, before)
    return ""


def _change(state: State, before: State) -> str:
    """A pause, a wait, and a resume are logged; a start is logged as `started` already."""
    if state in (State.PAUSED, State.WAITING):
        return state.value
    return "resumed" if state is State.PLAYING and before is not State.IDLE else ""
