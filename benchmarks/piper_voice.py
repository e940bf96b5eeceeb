"""A Piper voice beside eSpeak NG: the cost of rendering a routine's speech through our child
process with the tests' tiny model (our overhead: Piper's loader, its phonemizer, soxr, the
cache), and the child's memory with each voice loaded. A real voice's own synthesis time is
not measured here (no voice is downloaded): BENCHMARKS.md quotes published Pi figures.

Run: .venv/bin/python benchmarks/piper_voice.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _tools import FOAM, ROOT

sys.path.insert(0, str(ROOT))

from player import config
from player.core import routine, timeline
from player.routines import plans
from player.voice import cache as speech
from player.voice import worker
from tests import piperkit

RUNS = 5


def render_seconds(voice: config.VoiceConfig) -> list[float]:
    """Seconds to render every line of the foam-roller routine into an empty cache, with a
    new child process each run (so each run pays for loading the voice once)."""
    loaded = routine.load(FOAM)
    times = []
    for _ in range(RUNS):
        worker.worker.stop()
        with tempfile.TemporaryDirectory() as folder:
            base = config.load(None)
            settings = replace(base, voice=voice, paths=replace(base.paths, cache=Path(folder)))
            start = time.perf_counter()
            plans.prepare(loaded, settings)
            times.append(time.perf_counter() - start)
    return times


def child_memory(voice: config.VoiceConfig) -> tuple[float, float]:
    """The child's resident and peak memory in MiB, once it has rendered one line."""
    worker.worker.stop()
    with tempfile.TemporaryDirectory() as folder:
        speech.SpeechCache(Path(folder), voice).path("Breathe in slowly, and let go.")
        process = worker.worker._process
        assert process is not None
        status = Path(f"/proc/{process.pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines())
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def main() -> None:
    lines = len(timeline.speech_texts(routine.load(FOAM)))
    with tempfile.TemporaryDirectory() as folder:
        model = piperkit.write_voice(Path(folder))
        voices = {
            "eSpeak NG (pyttsx3)": config.VoiceConfig(),
            "Piper, the tests' tiny model": config.VoiceConfig(engine="piper", model=str(model)),
        }
        print(
            f"| render the foam-roller routine's speech ({lines} lines), cold cache, "
            f"{RUNS} runs | median / max |"
        )
        print("|---|---|")
        for name, voice in voices.items():
            times = render_seconds(voice)
            print(f"| {name} | {statistics.median(times):.2f} / {max(times):.2f} s |")
        print()
        print("| the speech child after one line | resident / peak |")
        print("|---|---|")
        for name, voice in voices.items():
            rss, peak = child_memory(voice)
            print(f"| {name} | {rss:.1f} / {peak:.1f} MiB |")
    worker.worker.stop()


if __name__ == "__main__":
    main()
