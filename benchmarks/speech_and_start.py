"""Speech rendering (cold and warm cache) and command to first audio frame, ours and naive.

Run: .venv/bin/python benchmarks/speech_and_start.py
"""

from __future__ import annotations

import array
import contextlib
import io
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _tools import FOAM, TIMING, env, naive_env, python

from player import config
from player.core import routine, timeline
from player.routines import plans

RUNS = 5


def render_cues() -> list[str]:
    """Ours: every line of the foam-roller routine into an empty cache, then again warm; the
    naive player's synthesis of its cues. The median of RUNS each."""
    import pyttsx3

    loaded = routine.load(FOAM)
    times: dict[str, list[float]] = {}
    engine = pyttsx3.init("espeak")
    engine.setProperty("rate", 160)
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            base = config.load(None)
            settings = replace(base, paths=replace(base.paths, cache=Path(folder)))
            for cache in ("cold", "warm"):
                start = time.perf_counter()
                plans.prepare(loaded, settings)
                label = f"render the foam-roller routine's speech, ours, {cache} cache"
                times.setdefault(label, []).append(time.perf_counter() - start)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            for i, (step, side, other) in enumerate(timeline.played_steps(loaded)):
                with contextlib.redirect_stdout(io.StringIO()):
                    engine.save_to_file(step.cue(side, other), f"{folder}/{i}.wav")
                    engine.runAndWait()
        label = "synthesis the naive player pays on every play (no cache)"
        times.setdefault(label, []).append(time.perf_counter() - start)
    return [
        f"| {label} (median of {RUNS}) | {statistics.median(values):.2f} s |"
        for label, values in times.items()
    ]


def first_audio_ours(cache: Path) -> tuple[float, float]:
    """Seconds from starting `routine-player play` to its first sound being handed to the
    mixer (it prints "Playing ..." just before), and to the first loud sample in the disk
    driver's file (which SDL writes through a 4 KiB stdio buffer: about 90 ms later)."""
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "out.raw"
        start = time.monotonic()
        proc = subprocess.Popen(
            [python(), "-m", "player", "play", str(TIMING)],
            env=env(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw), XDG_CACHE_HOME=str(cache)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            proc.stdout.readline()
            handed = time.monotonic() - start
            while not (raw.exists() and any(abs(x) > 300 for x in _samples(raw))):
                time.sleep(0.001)
            return handed, time.monotonic() - start
        finally:
            proc.kill()
            proc.wait()


def _samples(raw: Path) -> array.array:
    data = raw.read_bytes()
    return array.array("h", data[: len(data) // 2 * 2])


def first_audio_naive() -> float:
    """Seconds from starting the naive player to its first audio reaching `aplay`."""
    with tempfile.TemporaryDirectory() as folder:
        log, aplay = Path(folder) / "naive.log", Path(folder) / "aplay.log"
        start = time.monotonic()
        proc = subprocess.Popen(
            [python(), str(Path(__file__).parent / "naive_player.py"), str(TIMING)],
            env=naive_env(log, aplay),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not (aplay.exists() and aplay.read_text().strip()):
                time.sleep(0.001)
            return float(aplay.read_text().split()[0]) - start
        finally:
            proc.kill()
            proc.wait()


def first_audio() -> list[str]:
    results: dict[str, list[float]] = {}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold", "warm"):
                handed, in_file = first_audio_ours(Path(cache))
                results.setdefault(f"ours, {label} cache, handed to the mixer", []).append(handed)
                results.setdefault(f"ours, {label} cache, in the disk driver's file", []).append(
                    in_file
                )
        results.setdefault("naive say()/runAndWait(), handed to aplay", []).append(
            first_audio_naive()
        )
    rows = []
    for label, values in results.items():
        values.sort()
        rows.append(
            f"| command to first audio, {label} (median of {RUNS}) "
            f"| {values[len(values) // 2] * 1000:.0f} ms |"
        )
    return rows


if __name__ == "__main__":
    print("| what | figure |\n|---|---|")
    for row in render_cues() + first_audio():
        print(row, flush=True)
