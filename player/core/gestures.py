"""The gesture reader: button edges with their times in, gestures out (design §6).

Rules:
- The first edge of a press is reported at once as `PressEdge`, so silence never waits for a
  debounce. Edges within `debounce` seconds of an accepted edge are contact bounce; when that
  window closes the reader looks at the level again (as it was then, however late the
  reader wakes), so a real change is never lost.
- Released before `hold_seconds`: `ShortPress`. Still held at `hold_seconds`: `LongPress`, once.
- `DoublePress` only while `double_press_wanted` is set for the press: then a short press waits
  `double_seconds` for a second press. Elsewhere a short press is never delayed.
- A button already held when the reader starts is not a press; it counts from its release.
- Held for `stuck_seconds`: `Stuck`, once, so the shell can say so; no more presses follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PressEdge:
    """The button has just gone down: the moment to silence everything."""


@dataclass(frozen=True, slots=True)
class ShortPress:
    """A press released before `hold_seconds`."""


@dataclass(frozen=True, slots=True)
class LongPress:
    """A press still held at `hold_seconds`."""


@dataclass(frozen=True, slots=True)
class DoublePress:
    """A second press soon after a short one, where a double press means something."""


@dataclass(frozen=True, slots=True)
class Stuck:
    """Held far longer than any press: the button may be stuck, or something lies on it."""


Gesture = PressEdge | ShortPress | LongPress | DoublePress | Stuck


class GestureReader:
    """Turns debounced edges into gestures; the owner wakes it at `next_deadline()`."""

    def __init__(
        self,
        hold_seconds: float = 1.5,
        double_seconds: float = 0.4,
        debounce: float = 0.02,
        pressed_at_start: bool = False,
        stuck_seconds: float = 60.0,
    ) -> None:
        self.hold_seconds = hold_seconds
        self.stuck_seconds = stuck_seconds
        self.double_seconds = double_seconds
        self.debounce = debounce
        self.double_press_wanted = False
        self._level = self._raw = pressed_at_start
        self._stuck = pressed_at_start
        self._settle_at: float | None = None
        self._long_at: float | None = None
        self._stuck_at: float | None = None
        self._short_at: float | None = None
        self._swallow_release = False

    @property
    def pressed(self) -> bool:
        """The debounced level: True while the button is held."""
        return self._level

    def edge(self, pressed: bool, now: float) -> list[Gesture]:
        """A level change seen on the pin at `now`. What was due before it is woken first, with
        the level before it: a late wake-up must not judge a closed window by a newer edge."""
        gestures = self.wake(now)
        self._raw = pressed
        if self._settle_at is not None or pressed == self._level:
            return gestures
        return gestures + self._accept(pressed, now)

    def wake(self, now: float) -> list[Gesture]:
        """Whatever is due by `now`: a settled level, a long press, a delayed short press."""
        gestures: list[Gesture] = []
        if self._settle_at is not None and now >= self._settle_at:
            self._settle_at = None
            if self._raw != self._level:
                gestures += self._accept(self._raw, now)
        if self._long_at is not None and now >= self._long_at:
            self._long_at = None
            self._swallow_release = True
            gestures.append(LongPress())
        if self._short_at is not None and now >= self._short_at:
            self._short_at = None
            gestures.append(ShortPress())
        if self._stuck_at is not None and now >= self._stuck_at:
            self._stuck_at = None
            gestures.append(Stuck())
        return gestures

    def next_deadline(self) -> float | None:
        """When the reader next needs `wake()`, or None."""
        settle = self._settle_at if self._raw != self._level else None
        pending = (settle, self._long_at, self._short_at, self._stuck_at)
        times = [t for t in pending if t is not None]
        return min(times, default=None)

    def _accept(self, pressed: bool, now: float) -> list[Gesture]:
        self._level = pressed
        self._settle_at = now + self.debounce
        return self._press(now) if pressed else self._release(now)

    def _press(self, now: float) -> list[Gesture]:
        if self._short_at is not None:
            self._short_at = None
            self._swallow_release = True
            return [PressEdge(), DoublePress()]
        self._long_at = now + self.hold_seconds
        self._stuck_at = now + self.stuck_seconds
        return [PressEdge()]

    def _release(self, now: float) -> list[Gesture]:
        self._long_at = self._stuck_at = None
        if self._stuck or self._swallow_release:
            self._stuck = self._swallow_release = False
            return []
        if self.double_press_wanted:
            self._short_at = now + self.double_seconds
            return []
        return [ShortPress()]
