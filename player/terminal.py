"""The keyboard standing in for the button when `play` runs on a terminal, and its progress line.

space: a short press; s: a long press; d: a double press; q: silence and quit. Each key that is
a press silences the mixer first, in the key reader's thread, as the button does.
"""

from __future__ import annotations

import contextlib
import os
import sys
import termios
import threading
import tty

from player.core.events import Ending, Shutdown, State
from player.core.gestures import DoublePress, LongPress, PressEdge, ShortPress
from player.core.session import Session
from player.service.runner import Runner

KEYS = {" ": ShortPress(), "s": LongPress(), "d": DoublePress()}


class Keys:
    """Reads single keys without waiting for Enter, until stopped."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.fd = sys.stdin.fileno()
        self._saved: list | None = None

    def start(self) -> None:
        """Put the terminal in cbreak mode (Ctrl-C still works) and start reading."""
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        threading.Thread(target=self._read, name="keys", daemon=True).start()

    def stop(self) -> None:
        """Give the terminal back as it was."""
        if self._saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _read(self) -> None:
        while True:
            try:
                key = os.read(self.fd, 1).decode(errors="ignore").lower()
            except OSError:
                return
            if key == "q":
                self.runner.mixer.silence()
                self.runner.post(Shutdown(Ending.STOPPED))
            elif key in KEYS:
                self.runner.mixer.silence()
                self.runner.post(PressEdge())
                self.runner.post(KEYS[key])


def progress_line(session: Session, now: float) -> str:
    """One line that says where the routine is: step, side, hold left, time to go."""
    status = session.status(now)
    parts = [status.state.value]
    if status.state is not State.IDLE:
        total = len(session.plans[status.routine].routine.steps)
        if status.step:
            parts.append(f"step {status.step} of {total}")
        if status.side:
            parts.append(f"{status.side} side")
        if status.hold_left is not None:
            parts.append(f"hold {_clock(status.hold_left)} left")
        parts.append(f"{_clock(status.routine_left)} to go")
    return "\r\033[K" + " · ".join(parts)


def _clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
