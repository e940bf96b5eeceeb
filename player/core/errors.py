"""Every error routine-player reports to a person, and the one-line form they take.

Each error carries a list of `Problem`s, all found at once, so a person fixes a file in one go.
Like gpiozero's errors, each class also inherits the matching built-in type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file: where it is, which field, and what we expected."""

    file: str
    message: str
    place: str = ""
    field: str = ""

    def __str__(self) -> str:
        parts = [self.file, self.place, self.field, self.message]
        return ": ".join(part for part in parts if part)


class PlayerError(Exception):
    """The base of every error routine-player reports as plain lines."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def lines(self) -> list[str]:
        """One line per problem, as printed for a person."""
        return [str(problem) for problem in self.problems]


class RoutineError(PlayerError, ValueError):
    """A routine file that cannot be played as written."""


class ConfigError(PlayerError, ValueError):
    """A config file or setting that cannot be used as written."""


class SpeechError(PlayerError, RuntimeError):
    """A cue that could not be turned into speech."""


class VoiceError(SpeechError):
    """A voice that cannot be loaded at all: no line of any routine can be said with it."""


class ButtonError(PlayerError, OSError):
    """The button's GPIO cannot be used."""


class AudioError(PlayerError, RuntimeError):
    """No sound device could be opened, or it went away."""


def problem(file: str, message: str, place: str = "", field: str = "") -> Problem:
    """Shorthand used by the checkers."""
    return Problem(file=file, message=message, place=place, field=field)
