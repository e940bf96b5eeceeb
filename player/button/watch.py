"""The button's watch: every edge handed on, the edge path proven alive, healed when it is not.

A safety button cannot rest on one arming of one thread that nobody watches (docs/reliability.md
names the ways it goes deaf). So:

- Every edge the pin reports silences first (a press, in the callback's own thread), then goes
  to the loop; before the loop exists (start-up), edges wait in order with their times.
- Before READY=1 the edge path is proven alive (under lgpio: its alert thread seen polling,
  `player.button.alerts`); if it is not, the line is claimed again and proven again; after
  `ATTEMPTS`, start-up fails in one line, and systemd starts the player again.
- While running, a thread of ours reads the line's level directly, which does not go through
  lgpio's threads: every `IDLE` seconds, every `FAST` while sound plays. A press seen there and
  not yet reported silences at once; if the level still differs from the last edge handed on
  `GRACE` later, with no edge in between, the edge path missed it: the watch hands the edge on
  itself, says so once, and claims the line again. Under lgpio each look also checks that the
  alert thread still polls. A press longer than the interval is never lost, path dead or not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from player.button.alerts import AlertThread
from player.button.pin import PushButton
from player.core.errors import ButtonError, Problem

log = logging.getLogger("routine-player")
IDLE = 0.5  # seconds between looks at the level, nothing sounding
FAST = 0.05  # the same while sound plays: the bound on a missed press's silence
GRACE = 0.1  # an edge may still be on its way through lgpio's threads and the GIL
ATTEMPTS = 5  # claims before giving up: the first may lose its wake-up, so may a second

Post = Callable[[bool, float], None]  # (pressed, when): hand an edge to the loop


class EdgeWatch:
    """The button, its edges handed on in order, and a thread that checks they still come."""

    def __init__(
        self,
        pin: int,
        silence: Callable[[], None],
        fail: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._silence, self._fail, self.clock = silence, fail, clock
        self._lock = threading.RLock()
        self._post: Post | None = None
        self._waiting: list[tuple[bool, float]] = []  # edges before the loop exists
        self._edges = 0  # edges the pin reported
        with self._lock:  # an edge reported while arming waits for the level read first
            self.button = PushButton(pin, self._reported)
            self.pressed_at_start = self._heard = self.button.pressed
            self._echo: bool | None = self._heard  # a level the pin may still report as new
        self._suspect: tuple[int, float] | None = None  # (edges then, when) of a mismatch
        self._deaf = False  # a deafness was said, and not yet over
        self._said: set[str] = set()
        self._urgent = False
        self._stopping = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        lgpio = self.button.factory == "LGPIOFactory" and self.button.new_threads
        self.alert = AlertThread(self.button.pin, self.button.new_threads) if lgpio else None

    # Start-up ---------------------------------------------------------------------------

    def prove(self) -> None:
        """Before READY=1: the edge path alive, or the line claimed again; ButtonError if it
        stays dead. Without lgpio there is no thread to prove, and the level watch stands."""
        if self.alert is None:
            return  # another pin factory (mock in tests): its level is watched all the same
        for attempt in range(ATTEMPTS):
            if self.alert.prove():
                log.info(
                    "button armed: lgpio's edge reader polls %.0f times a second", self.alert.rate
                )
                return
            if attempt == 0:
                log.warning("the button's edge reader (lgpio) did not start: claiming it again")
            self._claim_again()
        message = (
            f"expected lgpio to report the button's edges, found its reader asleep after "
            f"{ATTEMPTS} claims; exiting so that the service is started again"
        )
        raise ButtonError([Problem("button", message)])

    def start(self) -> None:
        """Start looking at the level in a thread of its own."""
        self._thread = threading.Thread(target=self._run, name="button-watch", daemon=True)
        self._thread.start()

    def attach(self, post: Post) -> None:
        """The loop exists: hand it the edges that came while starting, then every edge."""
        with self._lock:
            for pressed, at in self._waiting:
                post(pressed, at)
            self._waiting.clear()
            self._post = post

    def hurry(self, urgent: bool) -> None:
        """Sound is playing (look every FAST seconds) or not (every IDLE)."""
        if urgent and not self._urgent:
            self._wake.set()
        self._urgent = urgent

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.button.close()

    # Edges --------------------------------------------------------------------------------

    def _reported(self, pressed: bool) -> None:
        """The pin's callback (its own thread): silence first, then hand the edge on."""
        at = self.clock()
        if pressed:
            self._guard("silence", self._silence)
        with self._lock:
            self._edges += 1
            echo, self._echo = self._echo, None
            if self._deaf:
                self._deaf = False
                log.info("the button's edges arrive again")
            if pressed == self._heard:
                if echo == pressed:
                    return  # late: the watch handed this edge on already
                self._say("lost", "the button reported two edges the same way: one was lost")
                self._hand_on(not pressed, at)
            self._hand_on(pressed, at)

    def _hand_on(self, pressed: bool, at: float) -> None:
        with self._lock:
            self._heard = pressed
            if self._post is None:
                self._waiting.append((pressed, at))
            else:
                self._guard("hand on", lambda: self._post(pressed, at))

    def _guard(self, what: str, work: Callable[[], object]) -> None:
        """Run one step of handing an edge on; an error is logged, never raised."""
        try:
            work()
        except Exception:
            log.exception("the button's edge: %s failed; the edge goes on", what)

    # The watch ----------------------------------------------------------------------------

    def _run(self) -> None:
        wait = IDLE
        while not self._stopping:
            self._wake.wait(wait)
            self._wake.clear()
            if self._stopping:
                return
            try:
                wait = self.look(self.clock())
            except Exception:  # the watch itself must go on: say it once
                if "look" not in self._said:
                    self._said.add("look")
                    log.exception("the button's watch failed to look; it goes on")
                wait = IDLE

    def look(self, now: float) -> float:
        """One look: is lgpio's reader still polling, does the level match the last edge?
        A press seen only in the level silences at once; it is handed on (and the path called
        dead) only if no edge came GRACE later. Seconds until the next look."""
        if self.alert is not None and self.alert.alive() is False:
            self._noticed("lgpio's reader of the button stopped")
        level = self.button.pressed
        with self._lock:
            if level == self._heard:
                self._suspect = None
                return FAST if self._urgent else IDLE
            first = self._suspect is None or self._suspect[0] != self._edges
            if first:
                self._suspect = (self._edges, now)
            since = self._suspect[1]
        if first and level:
            self._guard("silence", self._silence)  # this thread: the path may be dead
        if now - since < GRACE:
            return GRACE - (now - since)
        with self._lock:
            self._suspect = None
            if self._heard == level:
                return FAST if self._urgent else IDLE
            self._echo = level
            self._hand_on(level, since)
        self._noticed(f"a {'press' if level else 'release'} was read from the line's level")
        return FAST if self._urgent else IDLE

    def _noticed(self, what: str) -> None:
        """The edge path is dead: say so once, claim the line again, prove it if we can."""
        if "fail" in self._said:
            return  # the process is ending; the level is still read meanwhile
        if not self._deaf:
            self._deaf = True
            log.warning(
                "the button stopped reporting its edges (%s); it is being claimed again, and "
                "its level is read meanwhile, so presses still silence",
                what,
            )
        for _ in range(ATTEMPTS):
            if self.alert is None:
                self.button.rearm()
                return
            self._claim_again()
            if self.alert.prove():
                self._deaf = False
                log.info("the button's edges are proven to arrive again")
                return
        self._said.add("fail")
        self._fail(
            f"the button's edges could not be brought back after {ATTEMPTS} claims; "
            "exiting so that the service is started again"
        )

    def _claim_again(self) -> None:
        """Claim the line's edges again through lgpio; a refusal counts as a failed claim."""
        assert self.alert is not None
        try:
            self.alert.reclaim()
        except Exception:
            if "claim" not in self._said:
                self._said.add("claim")
                log.exception("claiming the button's edges again failed")

    def _say(self, key: str, line: str) -> None:
        if key not in self._said:
            self._said.add(key)
            log.warning(line)
