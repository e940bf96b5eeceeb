"""The loop that drives a session with the real clock and carries out its actions.

Other threads (the button, the keyboard, the control socket) only `post()` stamped events; the
loop sleeps on the queue until an event arrives or the session's next deadline, and never
polls. A press edge is the one exception: `edge()` silences the mixer in the caller's thread
before the event is even queued.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

from player.audio.keepalive import KeepAlive
from player.audio.mixer import Mixer
from player.core.errors import AudioError
from player.core.events import Action, Changed, Event, Play, Silence, Sounding, Tick
from player.core.session import Session
from player.core.sounds import WAKE, Chime


@dataclass(frozen=True, slots=True)
class Call:
    """Work for the loop's own thread: a reload, new routines, a status question."""

    function: Callable[[], None]


class Runner:
    """A session, a mixer and a queue of stamped events between them."""

    def __init__(
        self,
        session: Session,
        mixer: Mixer,
        observe: Callable[[Action, float], None] = lambda action, now: None,
        clock: Callable[[], float] = time.monotonic,
        lost: Callable[[AudioError], None] | None = None,
    ) -> None:
        self.session, self.mixer, self.observe, self.clock = session, mixer, observe, clock
        self.lost = lost  # what to do when the device cannot play; None: let the error rise
        self.keep_alive = KeepAlive(mixer)
        self._queue: queue.SimpleQueue[tuple[float, Event | Call]] = queue.SimpleQueue()
        self._last = float("-inf")

    def post(self, event: Event, at: float | None = None) -> None:
        """Hand an event to the loop, stamped now (or when it happened). Safe from any thread."""
        self._queue.put((self.clock() if at is None else at, event))

    def step(self, timeout: float | None = None) -> None:
        """Wait for one event or the next deadline (or `timeout`), and carry out the actions."""
        deadline = self.session.next_deadline()
        waits = [t for t in (timeout,) if t is not None]
        if deadline is not None:
            waits.append(max(0.0, deadline - self.clock()))
        try:
            at, event = self._queue.get(timeout=min(waits) if waits else None)
        except queue.Empty:
            at, event = self.clock(), Tick()
        self.handle(event, at)

    def call(self, function: Callable[[], None]) -> None:
        """Run `function` in the loop's thread, between events. Safe from any thread."""
        self._queue.put((self.clock(), Call(function)))

    def handle(self, event: Event | Call, at: float) -> None:
        """Give the session one event (never back in time) and carry out what it says."""
        if isinstance(event, Call):
            event.function()
            return
        at = self._last = max(at, self._last)
        for action in self.session.handle(event, at):
            self.perform(action, at)

    def perform(self, action: Action, at: float) -> None:
        """Carry out one action."""
        if isinstance(action, Silence):
            self.mixer.silence()
        elif isinstance(action, Play):
            try:
                self.mixer.play(action.sound, action.timeline)
            except AudioError as error:
                if self.lost is None:
                    raise
                self.lost(error)
            else:
                if action.sound == Chime(WAKE) and action.timeline:
                    self.post(Sounding())  # the timeline counts from now: the device has it
        elif isinstance(action, Changed):
            self.keep_alive.follow(action.state)
        self.observe(action, at)
