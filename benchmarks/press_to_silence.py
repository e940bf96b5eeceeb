"""Press-to-silence at random moments mid-cue, ours and the naive approach, in one run.

Ours: the daemon in this process on gpiozero's MockFactory and SDL's disk driver; a press is
`pin.drive_low()`. Measured twice: the time the button callback takes to return with the mixer
halted, and, in the sound itself, the frames from the press to the last loud sample. SDL writes
the file through a 4 KiB stdio buffer, so a thread notes when the file grows, and the frame the
mixer had reached at the press is interpolated from the last growth before it.
Naive: pyttsx3 say()/runAndWait() in a thread and a callback that sets a stop flag checked
between utterances; the speech only stops when the utterance ends (our compiled `aplay`
stand-in says when).
Run: .venv/bin/python benchmarks/press_to_silence.py   (about three minutes)
"""

from __future__ import annotations

import array
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _tools import ROOT, shims, summary

PRESSES = 20
folder = Path(tempfile.mkdtemp())
os.environ.update(
    GPIOZERO_PIN_FACTORY="mock",
    SDL_AUDIODRIVER="disk",
    SDL_DISKAUDIOFILE=str(folder / "out.raw"),
    PYGAME_HIDE_SUPPORT_PROMPT="1",
)

from gpiozero import Device  # noqa: E402

from player import config  # noqa: E402
from player.core.events import Play, State  # noqa: E402
from player.core.sounds import Speech  # noqa: E402
from player.service.daemon import Daemon  # noqa: E402

CUE = (
    "Roll slowly from the top of the hip bone down to the middle of the buttock, and back, "
    "keeping the pressure light, and breathing out as you go."
)


def ours(rng: random.Random) -> tuple[list[float], list[float], int, int]:
    (folder / "routines").mkdir()
    (folder / "routines" / "bench.toml").write_text(f'title = "Bench"\n[[step]]\nsay = "{CUE}"\n')
    (folder / "config.toml").write_text(
        '[player]\nroutine = "bench"\n[paths]\nroutines = '
        '"routines"\ncache = "cache"\nstate = "state"\n'
    )
    daemon = Daemon(config.load(folder / "config.toml"))
    daemon.start()
    plays: list[tuple[float, object]] = []
    observe = daemon.runner.observe
    daemon.runner.observe = lambda a, now: (plays.append((time.monotonic(), a)), observe(a, now))
    threading.Thread(target=daemon.serve, daemon=True).start()
    pin, raw = Device.pin_factory.pin(17), folder / "out.raw"
    rate = daemon.mixer.rate
    growth = Growth(raw, rate)
    callback_us, marks = [], []
    for _ in range(PRESSES):
        plays.clear()
        pin.drive_low()
        time.sleep(0.05)
        pin.drive_high()
        while not any(isinstance(a, Play) and a.sound == Speech(CUE) for _, a in plays):
            time.sleep(0.005)
        time.sleep(rng.uniform(0.2, 3.0))  # somewhere in the cue
        start, pressed = time.perf_counter(), time.monotonic()
        pin.drive_low()  # the callback silences before this returns
        callback_us.append((time.perf_counter() - start) * 1e6)
        marks.append(pressed)
        time.sleep(0.3)
        pin.drive_high()
        time.sleep(0.3)
        pin.drive_low()
        time.sleep(2.0)
        pin.drive_high()
        while daemon.session.state is not State.IDLE:
            time.sleep(0.01)
        time.sleep(0.5)
    buffer = daemon.mixer.buffer_frames
    daemon.shut_down()
    time.sleep(0.3)
    daemon.close()
    growth.stop()
    samples = array.array("h", raw.read_bytes())
    after = []
    for pressed in marks:
        frame = growth.frame_at(pressed)
        # From a little before the press to 0.25 s after it (the release, and its pause tone,
        # come at 0.3 s).
        window = samples[frame - 2048 : frame + rate // 4]
        loud = [i - 2048 for i, x in enumerate(window) if abs(x) > 300]
        after.append(max(0, max(loud) + 1) / rate * 1000)
    return callback_us, after, buffer, rate


class Growth:
    """Notes each time the disk driver's file grows, to date its frames."""

    def __init__(self, path: Path, rate: int) -> None:
        self.path, self.steps, self._running = path, [(time.monotonic(), 0)], True
        self.rate = rate
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        last = 0
        while self._running:
            size = os.path.getsize(self.path) if self.path.exists() else 0
            if size != last:
                self.steps.append((time.monotonic(), size // 2))
                last = size
            time.sleep(0.0002)

    def stop(self) -> None:
        self._running = False

    def frame_at(self, moment: float) -> int:
        """The frame the mixer had produced at `moment`: the last growth, plus time since."""
        at, frames = max((s for s in self.steps if s[0] <= moment), key=lambda s: s[0])
        return frames + round((moment - at) * self.rate)


def naive(rng: random.Random) -> list[float]:
    import pyttsx3

    aplay_log = folder / "aplay.log"
    os.environ["APLAY_LOG"] = str(aplay_log)
    os.environ["PATH"] = f"{shims()}{os.pathsep}{os.environ['PATH']}"
    engine = pyttsx3.init()
    engine.setProperty("rate", 160)
    latencies = []
    for _ in range(PRESSES):
        stop = threading.Event()
        aplay_log.write_text("")

        def speak(stop: threading.Event = stop) -> None:
            for cue in (CUE, CUE):
                if stop.is_set():
                    return
                engine.say(cue)
                engine.runAndWait()

        thread = threading.Thread(target=speak)
        thread.start()
        while not aplay_log.read_text().strip():
            time.sleep(0.005)
        time.sleep(rng.uniform(0.2, 3.0))
        pressed = time.monotonic()
        stop.set()  # what the naive gpiozero callback does
        thread.join()
        start, seconds = map(float, aplay_log.read_text().split()[:2])
        latencies.append((start + seconds - pressed) * 1000)
    return latencies


if __name__ == "__main__":
    rng = random.Random(2026)
    callback_us, ours_ms, buffer, rate = ours(rng)
    naive_ms = naive(rng)
    per_buffer = buffer / rate * 1000
    print(f"| press to silence, {PRESSES} presses mid-cue | median / p95 / max |\n|---|---|")
    print(f"| ours: button callback returns with the mixer halted | {summary(callback_us)} µs |")
    print(
        f"| ours: press to the last loud sample written | {summary(ours_ms)} ms "
        f"({summary([m / per_buffer for m in ours_ms])} buffers of {buffer}) |"
    )
    print(f"| naive: press to the end of the utterance | {summary(naive_ms)} ms |")
    ratio = statistics.median(naive_ms) / max(0.001, statistics.median(ours_ms))
    print(f"\nmedian ratio naive / ours: {ratio:.0f}x")
    print(f"(run from {ROOT})")
