"""Press to silence with the button's edge path dead (issue 13): the level read is the safety net.

The daemon in this process on gpiozero's MockFactory and SDL's disk driver, with a pin whose
edges never reach their callback while `deaf` (as after lgpio's lost wake-up). Each round the
path is made dead again in the middle of a cue, then pressed at a random moment: the figure is
from the press (`drive_low()`, which calls nothing) to the mixer halted by the watch's own
thread. The sound then stops within one buffer, as for any press (BENCHMARKS.md, issue 6).
Before issue 13 the same press was never heard at all.
Run: .venv/bin/python benchmarks/dead_button.py   (about two minutes)
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from pathlib import Path

from _tools import summary

PRESSES = 20
folder = Path(tempfile.mkdtemp())
os.environ.update(
    GPIOZERO_PIN_FACTORY="mock",
    SDL_AUDIODRIVER="disk",
    SDL_DISKAUDIOFILE=str(folder / "out.raw"),
    PYGAME_HIDE_SUPPORT_PROMPT="1",
)

from gpiozero import Device  # noqa: E402
from gpiozero.pins.mock import MockFactory, MockPin  # noqa: E402

from player import config  # noqa: E402
from player.core.events import Play, State  # noqa: E402
from player.core.sounds import Speech  # noqa: E402
from player.service.daemon import Daemon  # noqa: E402

CUE = (
    "Roll slowly from the top of the hip bone down to the middle of the buttock, and back, "
    "keeping the pressure light, and breathing out as you go."
)


class DeafPin(MockPin):
    """Edges never reach the callback while `deaf`; claiming them again cures it."""

    deaf = False

    def _enable_event_detect(self) -> None:
        self.deaf = False

    def _call_when_changed(self) -> None:
        if not self.deaf:
            super()._call_when_changed()


def main(rng: random.Random) -> tuple[list[float], int]:
    (folder / "routines").mkdir()
    (folder / "routines" / "bench.toml").write_text(f'title = "Bench"\n[[step]]\nsay = "{CUE}"\n')
    (folder / "config.toml").write_text(
        '[player]\nroutine = "bench"\n[paths]\nroutines = '
        '"routines"\ncache = "cache"\nstate = "state"\n'
    )
    Device.pin_factory = MockFactory(pin_class=DeafPin)
    daemon = Daemon(config.load(folder / "config.toml"))
    daemon.start()
    plays: list[object] = []
    observe = daemon.runner.observe
    daemon.runner.observe = lambda a, now: (plays.append(a), observe(a, now))
    halted: list[float] = []
    silence = daemon.mixer.silence
    daemon.mixer.silence = lambda: (halted.append(time.monotonic()), silence())
    threading.Thread(target=daemon.serve, daemon=True).start()
    pin = Device.pin_factory.pin(17)
    latencies = []
    for _ in range(PRESSES):
        plays.clear()
        pin.drive_low()
        time.sleep(0.05)
        pin.drive_high()
        while not any(isinstance(a, Play) and a.sound == Speech(CUE) for a in plays):
            time.sleep(0.005)
        time.sleep(rng.uniform(0.2, 3.0))  # somewhere in the cue
        pin.deaf = True
        halted.clear()
        pressed = time.monotonic()
        pin.drive_low()  # nothing is called: only the line's level says it
        while not halted:
            time.sleep(0.0005)
        latencies.append((halted[0] - pressed) * 1000)
        time.sleep(0.3)
        pin.drive_high()  # paused; the path was claimed again meanwhile
        time.sleep(0.3)
        pin.drive_low()
        time.sleep(2.0)  # a long press: stop
        pin.drive_high()
        while daemon.session.state is not State.IDLE:
            time.sleep(0.01)
        time.sleep(0.5)
    buffer = daemon.mixer.buffer_frames
    daemon.shut_down()
    time.sleep(0.3)
    daemon.close()
    return latencies, buffer


if __name__ == "__main__":
    latencies, buffer = main(random.Random(2026))
    print(f"| press to silence, edge path dead, {PRESSES} presses mid-cue | median / p95 / max |")
    print("|---|---|")
    print(f"| ours: press to the mixer halted by the level read | {summary(latencies)} ms |")
    print(f"| then to the last sound: one buffer of {buffer} frames | {buffer / 22.05:.1f} ms |")
    print("| before issue 13: the press is not heard | never |")
