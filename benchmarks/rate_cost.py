"""What a sample rate costs when a routine loads (issue 19): the time to resample every sound
of the foam-roller routine from eSpeak's 22050 Hz to the mixer's rate, and the memory the
converted sounds take. The speech cache is warmed first, so only the conversion is timed.

Run: .venv/bin/python benchmarks/rate_cost.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ["SDL_AUDIODRIVER"] = "dummy"  # a real mixer, no sound card needed

from _tools import FOAM

from player import config
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.routines import plans

RUNS = 5
RATES = (22050, 44100, 48000)


def cost(settings: config.Config, loaded: routine.Routine) -> tuple[float, int]:
    """Seconds to convert every sound of the routine, and their size in bytes."""
    mixer = Mixer(settings.audio)
    try:
        prepared = plans.prepare(loaded, settings, rate=mixer.rate)
        started = time.perf_counter()
        raw = raw_sounds(prepared.timeline, prepared.files, mixer)
        return time.perf_counter() - started, sum(map(len, raw.values()))
    finally:
        mixer.close()


def main() -> None:
    loaded = routine.load(FOAM)
    with tempfile.TemporaryDirectory() as folder:
        base = config.load(None)
        base = replace(base, paths=replace(base.paths, cache=Path(folder)))
        print(f"| rate | convert at load, median of {RUNS} | converted sounds |\n|---|---|---|")
        for rate in RATES:
            settings = replace(base, audio=replace(base.audio, sample_rate=rate))
            runs = [cost(settings, loaded) for _ in range(RUNS)]
            seconds = statistics.median(s for s, _ in runs)
            print(f"| {rate} Hz | {seconds * 1000:.0f} ms | {runs[0][1] / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()
