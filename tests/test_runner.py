"""The loop's runner with the real mixer (SDL's dummy driver): what it hands the session."""

from __future__ import annotations

import queue
import time

import pygame
import pytest

from player.audio.mixer import Mixer
from player.config import AudioConfig
from player.core.events import Command, Play
from player.core.gestures import LongPress
from player.core.session import Session
from player.core.sounds import CHIMES, WAKE, Chime, Sound, Speech
from player.service.runner import Runner

from .corekit import plan, routine, step


def test_runner_never_hands_the_session_a_moment_before_the_last():
    """Events are stamped in the posting thread and queued after: one stamped earlier can
    arrive later. The session must never be told that time went backwards."""
    tl = plan(routine(step("One.", hold=5)))
    mixer = Mixer(AudioConfig())
    mixer.load({Speech(t): bytes(200) for t in tl.speech} | {Chime(n): bytes(200) for n in CHIMES})
    seen: list[float] = []
    runner = Runner(Session([tl]), mixer, lambda action, at: seen.append(at))
    try:
        runner.handle(Command("start"), 10.0)
        runner.handle(Command("pause"), 9.0)  # stamped before the start, queued after it
    finally:
        mixer.close()
    assert len(seen) > 2 and min(seen) == 10.0


def test_runner_carries_out_the_sessions_silence_before_a_start():
    """In idle, a long press announces the next routine on the extras' channel; a start from
    the control socket (which, unlike a press, does not silence first) must cut it off before
    the title, or two voices would speak at once. Only the runner's Silence does that."""
    tl = plan(routine(step("One.", hold=5)))
    mixer = Mixer(AudioConfig())
    long = bytes(2 * mixer.rate * 5)  # five seconds of (silent) sound keeps a channel busy
    mixer.load({Speech(t): long for t in tl.speech} | {Chime(n): long for n in CHIMES})
    runner = Runner(Session([tl]), mixer)
    try:
        runner.handle(LongPress(), 10.0)
        assert pygame.mixer.Channel(1).get_busy()  # the announcement
        runner.handle(Command("start"), 10.5)
        assert pygame.mixer.Channel(0).get_busy() and not pygame.mixer.Channel(1).get_busy()
    finally:
        mixer.close()


class SlowToOpen(Mixer):
    """The real mixer on a device that takes `delay` seconds to take its first sound, as a
    let-go card does on a busy Pi Zero 2 W or an emulated machine."""

    delay = 0.6

    def play(self, sound: Sound, timeline: bool = True) -> None:
        if sound == Chime(WAKE):
            time.sleep(self.delay)
        super().play(sound, timeline)


def test_runner_counts_the_lead_in_from_when_the_device_took_the_hum():
    """Issue 24: the title comes a whole lead-in after the hum really began, however long the
    device took to begin it (it lost 93% of it in a busy `make vm-test`)."""
    tl = plan(routine(step("One.")), lead_in=500)  # corekit's 1000 frames a second: 0.5 s
    mixer = SlowToOpen(AudioConfig())
    mixer.load({s: bytes(200) for s in (Chime(WAKE), *map(Speech, tl.speech))})
    played: dict[Sound, float] = {}  # when each sound's play returned

    def observe(action: object, at: float) -> None:
        if isinstance(action, Play):
            played.setdefault(action.sound, time.monotonic())

    runner = Runner(Session([tl]), mixer, observe)
    try:
        runner.handle(Command("start"), runner.clock())
        while Speech("Title r") not in played:
            runner.step(timeout=0.05)
    finally:
        mixer.close()
    assert played[Speech("Title r")] - played[Chime(WAKE)] >= 0.5


class Quiet:
    """The runner's queue with nothing in it: each wait returns at once, noting how long the
    runner asked to sleep, so that its waits are read with no time passing."""

    def __init__(self) -> None:
        self.asked: list[float | None] = []

    def put(self, item: object) -> None:
        raise AssertionError(f"nothing is posted in this test, found {item}")

    def get(self, timeout: float | None = None) -> object:
        self.asked.append(timeout)
        raise queue.Empty


def test_runner_sleeps_exactly_until_the_sessions_next_deadline():
    """The loop wakes at the session's next deadline, not a moment later (a late wake-up
    delays every chime and cue after it); read with the runner's own clock, not the wall's."""
    tl = plan(routine(step("One.", hold=5), step("Two.", hold=5)))
    mixer = Mixer(AudioConfig())
    mixer.load({Speech(t): bytes(200) for t in tl.speech} | {Chime(n): bytes(200) for n in CHIMES})
    now = [10.0]
    runner = Runner(Session([tl]), mixer, clock=lambda: now[0])
    waits = Quiet()
    try:
        runner.handle(Command("start"), now[0])
        runner._queue = waits  # type: ignore[assignment]  # the loop's own queue, emptied
        for later in (10.0, 10.25, 11.5, 13.0):
            now[0] = later
            deadline = runner.session.next_deadline()
            assert deadline is not None
            runner.step()
            assert waits.asked[-1] == pytest.approx(max(0.0, deadline - later))
    finally:
        mixer.close()
