"""Two hours of use at high speed: the real mixer (SDL's dummy driver), history and the loop,
with a clock that jumps to each deadline. Memory and open files must stay flat.
`pytest tests/test_soak.py -s` prints the figures (BENCHMARKS.md)."""

from __future__ import annotations

import os
import random
from pathlib import Path

from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.events import ButtonEdge, Command, State
from player.core.session import Session
from player.records.history import History, Recorder
from player.routines import plans
from player.service.runner import Runner

ROUTINE = """
title = "Soak"
sides = ["left", "right"]
[[step]]
say = "Roll on the {side} side."
each_side = true
hold = 30
rest = 2
[step.chimes]
halfway = true
every = 5
[[step]]
say = "Press when ready."
wait = "press"
"""


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def soak(hours: float, write, settings, tmp_path) -> dict[str, float]:
    """Play the routine again and again for `hours` of clock time, with random presses."""
    mixer = Mixer(settings.audio)
    prepared = plans.prepare(routine.load(write("soak.toml", ROUTINE)), settings, rate=mixer.rate)
    mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
    session = Session([prepared.timeline], pause_timeout=300)
    history = History(tmp_path / "state")
    recorder = Recorder(history, session)
    now = [0.0]
    runner = Runner(session, mixer, lambda a, t: recorder.observe(a), clock=lambda: now[0])
    rng, starts, marks = random.Random(7), 0, {}
    while now[0] < hours * 3600:
        if now[0] > hours * 360 and not marks:
            marks = {"rss": resident_kib(), "files": open_files()}  # after the first tenth
        deadline = session.next_deadline()
        if session.state is State.IDLE and deadline is None:
            now[0] += rng.uniform(1, 60)
            runner.handle(Command("start"), now[0])
            starts += 1
        elif rng.random() < 0.05 or session.state is State.WAITING:
            now[0] += rng.uniform(0.5, 5)
            mixer.silence()  # as the button's watch does, in the press's own thread
            runner.post(ButtonEdge(True))
            runner.step(timeout=0)
            now[0] += rng.choice([0.1, 0.1, 0.1, 2.0])
            runner.post(ButtonEdge(False))
            runner.step(timeout=0)
        else:
            now[0] = max(now[0], deadline)
            runner.step(timeout=0)
    figures = {
        "starts": starts,
        "rss_before": marks["rss"],
        "rss_after": resident_kib(),
        "files_before": marks["files"],
        "files_after": open_files(),
        "sessions": len(history.since(1e9)),
    }
    history.close()
    mixer.close()
    return figures


def test_soak_two_hours_keeps_memory_and_open_files_flat(write, settings, tmp_path):
    figures = soak(2.0, write, settings, tmp_path)
    print(f"\nsoak, two hours at high speed: {figures}")
    assert figures["starts"] >= 20 and figures["sessions"] == figures["starts"]
    assert figures["files_after"] == figures["files_before"]
    assert figures["rss_after"] - figures["rss_before"] < 4096  # KiB: flat, not growing
