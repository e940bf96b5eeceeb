"""The loop's runner with the real mixer (SDL's dummy driver): what it hands the session."""

from __future__ import annotations

import pygame

from player.audio.mixer import Mixer
from player.config import AudioConfig
from player.core.events import Command
from player.core.gestures import LongPress
from player.core.session import Session
from player.core.sounds import CHIMES, Chime, Speech
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
