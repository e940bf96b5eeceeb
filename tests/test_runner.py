"""The loop's runner with the real mixer (SDL's dummy driver): what it hands the session."""

from __future__ import annotations

from player.audio import Mixer
from player.config import AudioConfig
from player.core.events import Command
from player.core.session import Session
from player.core.sounds import CHIMES, Chime, Speech
from player.runner import Runner

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
