"""What one call of `aplay` costs beyond the sound itself: the real one into ALSA's `null`
device (which takes no time to play), against our stand-in (minus the sound's length, which
it sleeps). The naive player calls it for every cue and chime, so the two must be close.
Run: .venv/bin/python benchmarks/aplay_cost.py   (needs alsa-utils; a few seconds)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _tools import ROOT, shims

RUNS = 20
WAV = ROOT / "sounds" / "hold_start.wav"


def cost(command: list[str], env: dict[str, str], minus: float = 0.0) -> float:
    """Median seconds of RUNS calls, less `minus` each."""
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.monotonic() - start - minus)
    return statistics.median(times)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "aplay.log"
        env = dict(os.environ, APLAY_LOG=str(log))
        stand_in = [str(shims() / "aplay"), "-q", str(WAV)]
        subprocess.run(stand_in, env=env, check=True)
        seconds = float(log.read_text().split()[1])
        ours = cost(stand_in, env, minus=seconds)
    print(f"| one call, beyond the sound, median of {RUNS} | ms |\n|---|---|")
    if shutil.which("aplay"):
        real = cost(["aplay", "-q", "-D", "null", str(WAV)], dict(os.environ))
        print(f"| real `aplay -D null` (alsa-utils) | {real * 1000:.1f} |")
    print(f"| our stand-in (shims/aplay.c) | {ours * 1000:.1f} |")
