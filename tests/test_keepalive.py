"""Keep-alive with the real mixer on SDL's disk driver: from the session's start to its end the
output never falls to digital zero, except after a press (or pause) until the session goes on."""

from __future__ import annotations

import array
import time
from dataclasses import replace

from player.audio.mixer import Mixer
from player.audio.pcm import WAKE_DB, hum
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.events import Command, Ended, Play, State
from player.core.session import Session
from player.core.sounds import WAKE, Chime, Speech
from player.routines import plans
from player.service.runner import Runner

WAIT_AND_HOLD = """
title = "Keep awake"
[[step]]
say = "Wait."
wait = "press"
[[step]]
say = "Hold."
hold = 4
[step.chimes]
start = true
"""
LOUD = 300


def zero_runs(samples: array.array, start: int, end: int) -> list[tuple[int, int]]:
    """(start, length) of every run of exact zeros between two indexes."""
    runs, begun = [], None
    for i in range(start, end):
        if samples[i] == 0 and begun is None:
            begun = i
        elif samples[i] != 0 and begun is not None:
            runs.append((begun, i - begun))
            begun = None
    if begun is not None:
        runs.append((begun, end - begun))
    return runs


def play_with_a_wait_and_a_pause(settings, write, disk_audio) -> tuple[array.array, int, list]:
    """Play the routine: wait 2 s at its wait, pause 1.5 s inside its hold. The samples, the
    rate (the pause is found in them by its silence, not by the clock: issue 24) and the
    runner's actions with their times."""
    mixer = Mixer(settings.audio)
    loaded = routine.load(write("keep.toml", WAIT_AND_HOLD))
    prepared = plans.prepare(loaded, settings, rate=mixer.rate)
    mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
    session = Session([prepared.timeline])
    done: list[tuple[float, object]] = []
    runner = Runner(session, mixer, lambda action, now: done.append((now, action)))
    runner.handle(Command("start"), runner.clock())
    marks: dict[str, float] = {}
    while not (any(isinstance(a, Ended) for _, a in done) and session.state is State.IDLE):
        runner.step(timeout=0.05)
        now = time.monotonic()
        if session.state is State.WAITING:
            marks.setdefault("waiting", now)
            if now - marks["waiting"] >= 2.0:
                runner.handle(Command("resume"), runner.clock())
        status = session.status(runner.clock())
        if status.hold_left is not None and status.hold_left < 2.5 and "pause" not in marks:
            marks["pause"] = now
            mixer.silence()  # the same silence-first path as the button and the socket
            runner.handle(Command("pause"), runner.clock())
        if "pause" in marks and "resume" not in marks and now - marks["pause"] >= 1.5:
            marks["resume"] = time.monotonic()
            runner.handle(Command("resume"), runner.clock())
    time.sleep(0.3)
    mixer.close()
    return array.array("h", disk_audio.read_bytes()), mixer.rate, done


def test_keep_alive_no_digital_silence_through_a_wait_and_a_hold(disk_audio, write, settings):
    audio = replace(settings.audio, keep_alive=True, wake_ms=500)
    played, rate, done = play_with_a_wait_and_a_pause(
        replace(settings, audio=audio), write, disk_audio
    )
    first = next(i for i, v in enumerate(played) if v != 0)
    first_loud = next(i for i, v in enumerate(played) if abs(v) > LOUD)
    last_loud = max(i for i, v in enumerate(played) if abs(v) > LOUD)
    # A chime's fading tail rounds to zero here and there; a speaker sleeps after seconds.
    gaps = [(s, n) for s, n in zero_runs(played, first, last_loud) if n > 0.05 * rate]
    # One gap only: the pause, which silences the hum too, until the session goes on. (With
    # keep_alive off, the gap after the title, the wait and the hold are each over 1 s.)
    assert len(gaps) == 1, [(s / rate, n / rate) for s, n in gaps]
    assert gaps[0][1] >= 0.5 * rate
    # The wake lead-in: the hum comes first, and the voice 0.5 s after it by the runner's clock.
    # Not in frames: on a busy machine SDL's disk driver falls behind the clock (it once wrote
    # 0.33 s of hum in those 0.5 s); tests/test_runner.py counts the lead-in from the device.
    plays = [(t, a.sound) for t, a in done if isinstance(a, Play)]
    woke = next(t for t, sound in plays if sound == Chime(WAKE))
    spoke = next(t for t, sound in plays if isinstance(sound, Speech))
    assert first < first_loud and spoke - woke >= 0.5
    quiet = 32767 * 10 ** ((WAKE_DB + 1) / 20)
    assert max(abs(v) for v in played[first : first + rate // 4]) < quiet  # inaudible


def test_keep_alive_hum_loops_without_a_step():
    loop = array.array("h", hum(22050, 22050, 1, fade=False))
    assert abs(loop[-1] - loop[0]) <= abs(loop[1] - loop[0]) + 1  # the end meets the start
    assert 0 < max(loop) < 32767 * 10 ** (-44 / 20)
