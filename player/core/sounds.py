"""Names for what can sound: a spoken line, or one of the chimes shipped in `sounds/`."""

from __future__ import annotations

from dataclasses import dataclass

CHIMES = ("hold_start", "halfway", "tick", "hold_end", "pause", "resume", "stop")
WAKE = "wake"


@dataclass(frozen=True, slots=True)
class Speech:
    """A line of speech, rendered once and cached."""

    text: str


@dataclass(frozen=True, slots=True)
class Chime:
    """A chime by name: one of `CHIMES`, or `WAKE`, the quiet lead-in for sleepy amplifiers."""

    name: str


Sound = Speech | Chime
