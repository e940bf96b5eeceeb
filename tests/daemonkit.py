"""Helpers for tests that run the daemon in-process: a short routine and a runner."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from player import config
from player.core.events import Play
from player.service.daemon import Daemon

CUE = "Lie down slowly on the mat, and let your whole body settle into the floor for a moment."
ROUTINE = """
title = "Daemon test"
sides = ["left", "right"]
[[step]]
say = "CUE"
[[step]]
say = "Hold the {side} side."
each_side = true
hold = 3
""".replace("CUE", CUE)
LOUD = 300


class Running:
    """A started daemon serving in a thread, with every action it took, timed."""

    def __init__(self, path: Path) -> None:
        self.daemon = Daemon(config.load(path))
        self.actions: list[tuple[float, object]] = []

    def __enter__(self) -> Running:
        self.daemon.start()
        observe = self.daemon.runner.observe
        self.daemon.runner.observe = lambda a, now: (self.actions.append((now, a)), observe(a, now))
        self.thread = threading.Thread(target=self.daemon.serve)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.daemon.shut_down()
        self.thread.join(timeout=60)  # a busy machine: never close the history under the loop
        assert not self.thread.is_alive(), "the daemon's loop did not end"
        self.daemon.close()

    @property
    def session(self):
        return self.daemon.session

    def until(self, condition, timeout: float = 120.0) -> None:
        """Poll until `condition()` holds: at once on a quiet machine; a busy one (the shipped
        routines rendered by eSpeak meanwhile, on two shared cores) may need minutes."""
        end = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < end, "timed out waiting"
            time.sleep(0.01)

    def played(self, sound) -> bool:
        return any(isinstance(a, Play) and a.sound == sound for _, a in self.actions)


@contextlib.contextmanager
def loop_held(run: Running) -> Iterator[None]:
    """Hold the daemon's loop in a call of ours for the duration: whatever silences the mixer
    meanwhile, it is not the loop."""
    held, holding = threading.Event(), threading.Event()
    run.daemon.runner.call(lambda: (holding.set(), held.wait(10)))
    assert holding.wait(10)
    try:
        yield
    finally:
        held.set()


def silenced_in_the_callback(run: Running, pin) -> bool:
    """Press while the loop is held: True if the mixer had stopped when the button's callback
    returned (gpiozero's mock pins call it in the pressing thread), which a silence left to
    the loop could not have done. The pin stays pressed."""
    with loop_held(run):
        pin.drive_low()
        return not run.daemon.mixer.busy()


def press(pin, length: float = 0.1) -> None:
    pin.drive_low()
    time.sleep(length)
    pin.drive_high()
