"""What goes into the session and what comes out: states, events, actions, status.

Small frozen dataclasses, as in h11: the shell builds events and carries out actions; only the
session (`player.core.session`) decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from player.core.gestures import Gesture, Stuck
from player.core.sounds import Sound


class State(Enum):
    """Where the session is; the values are what `status` shows."""

    IDLE = "idle"
    PLAYING = "playing"
    PAUSED = "paused"
    WAITING = "waiting"
    STOPPING = "stopping"
    ASKING = "asking"  # idle, but a short press allows a phone to join (core/joining.py)


class Ending(Enum):
    """How a session ended, as history records it."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    PAUSE_TIMEOUT = "pause timeout"
    SERVICE_STOPPED = "service stopped"


# Events -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ButtonEdge:
    """The button's pin changed level."""

    pressed: bool


@dataclass(frozen=True, slots=True)
class Tick:
    """The shell woke the session at its deadline (or for no reason: that is harmless)."""


@dataclass(frozen=True, slots=True)
class Command:
    """A request from the control socket or the keyboard: start, pause, resume, stop, skip.
    A start may name a routine, and one of its sides to play alone."""

    name: str
    routine: str | None = None
    side: str | None = None


@dataclass(frozen=True, slots=True)
class AskToJoin:
    """The web page asks, for a phone that shows `word`, whether it may join: said while
    idle, then a short press allows it (core/joining.py)."""

    word: str


@dataclass(frozen=True, slots=True)
class Shutdown:
    """Silence and end the session at once: the service is stopping, or the person quit."""

    ending: Ending = Ending.SERVICE_STOPPED


@dataclass(frozen=True, slots=True)
class Sounding:
    """The device really began to play the session's first sound (the wake hum) at the event's
    time: the shell says so once the mixer has taken it, which may be long after the start was
    asked on a busy or slow machine (the device opened, the session laid out)."""


Event = ButtonEdge | Tick | Command | AskToJoin | Shutdown | Sounding | Gesture


# Actions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Silence:
    """Stop every sound now."""


@dataclass(frozen=True, slots=True)
class Play:
    """Start a sound now; `timeline` sounds come from the routine, the others are extras."""

    sound: Sound
    timeline: bool = True


@dataclass(frozen=True, slots=True)
class Started:
    """A session of `routine` began, for these sides (all of the routine's, or one)."""

    routine: str
    title: str
    sides: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ended:
    """The session ended; `step` and `side` say where, the seconds what was played."""

    routine: str
    ending: Ending
    step: int
    side: str | None
    played_seconds: float
    side_seconds: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Selected:
    """A long press in idle chose another routine."""

    routine: str


@dataclass(frozen=True, slots=True)
class Changed:
    """The state changed; for logs and status."""

    state: State


Action = Silence | Play | Started | Ended | Selected | Changed | Stuck


@dataclass(frozen=True, slots=True)
class Status:
    """What the session is doing, for the progress line and `routine-player status`."""

    state: State
    routine: str
    step: int
    side: str | None
    hold_left: float | None
    routine_left: float
