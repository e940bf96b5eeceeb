"""How far 30-second holds and a whole routine's end land from plan, ours and naive.

Ours: the real `play` path (session, runner, pygame mixer on SDL's disk driver), with the moment
each sound is handed to the mixer noted on the monotonic clock (not when it was heard: that is
tests/test_audio.py's). Naive: pyttsx3 say()/runAndWait() and time.sleep(hold), with a compiled
`aplay` stand-in that takes as long as the sound lasts (benchmarks/aplay_cost.py).
Run: .venv/bin/python benchmarks/timing.py   (about five minutes)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from _tools import TIMING, naive_env, python

# SDL reads these when the mixer opens, so they only need setting before then.
os.environ.setdefault("SDL_AUDIODRIVER", "disk")
os.environ.setdefault("SDL_DISKAUDIOFILE", os.path.join(tempfile.gettempdir(), "timing.raw"))

from player import config
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.events import Command, Ended, Play, State
from player.core.session import Session
from player.core.sounds import Chime
from player.routines import plans
from player.service.runner import Runner


def ours() -> tuple[list[float], float, float]:
    """Hold lengths and the routine's length, from when chimes were handed to the mixer, and
    its planned length."""
    settings = config.load(None)
    mixer = Mixer(settings.audio)
    prepared = plans.prepare(routine.load(TIMING), settings, rate=mixer.rate)
    mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
    session = Session([prepared.timeline])
    marks: list[tuple[object, float]] = []
    runner = Runner(session, mixer, lambda action, now: marks.append((action, time.monotonic())))
    start = time.monotonic()
    runner.handle(Command("start"), runner.clock())
    while not (any(isinstance(a, Ended) for a, _ in marks) and session.state is State.IDLE):
        runner.step()
    mixer.close()
    starts = [t for a, t in marks if isinstance(a, Play) and a.sound == Chime("hold_start")]
    ends = [t for a, t in marks if isinstance(a, Play) and a.sound == Chime("hold_end")]
    end = next(t for a, t in marks if isinstance(a, Ended))
    return (
        [e - s for s, e in zip(starts, ends, strict=True)],
        end - start,
        (prepared.timeline.seconds()),
    )


def naive() -> tuple[list[float], float, float]:
    """Hold lengths and the routine's length from its own log, and what it should have been:
    the sum of every sound it played plus every sleep it asked for."""
    with tempfile.TemporaryDirectory() as folder:
        log, aplay = Path(folder) / "naive.log", Path(folder) / "aplay.log"
        subprocess.run(
            [python(), str(Path(__file__).parent / "naive_player.py"), str(TIMING)],
            env=naive_env(log, aplay),
            check=True,
            capture_output=True,
        )
        events = [line.split() for line in log.read_text().splitlines()]
        sounds = sum(float(line.split()[1]) for line in aplay.read_text().splitlines())
    times: dict[str, list[float]] = {}
    for name, at in events:
        times.setdefault(name, []).append(float(at))
    holds = [e - s for s, e in zip(times["hold_start"], times["hold_end"], strict=True)]
    loaded = routine.load(TIMING)
    sleeps = sum((s.hold or 0) + s.rest for s in loaded.steps)
    return holds, times["end"][0] - times["start"][0], sounds + sleeps


if __name__ == "__main__":
    our_holds, our_length, planned = ours()
    naive_holds, naive_length, naive_planned = naive()
    print("| what | ours | naive |\n|---|---|---|")
    print(
        "| 30 s holds, start chime to end chime (ours: handed to the mixer; naive: its log "
        "around sleep()), worst error of 3 | "
        f"{max(abs(h - 30) for h in our_holds) * 1000:.1f} ms | "
        f"{max(abs(h - 30) for h in naive_holds) * 1000:.1f} ms |"
    )
    print(
        f"| whole routine (ours {planned:.1f} s, naive {naive_planned:.1f} s of sound and "
        f"sleeps): the end from plan, one run | {(our_length - planned) * 1000:+.0f} ms | "
        f"{(naive_length - naive_planned) * 1000:+.0f} ms |"
    )
