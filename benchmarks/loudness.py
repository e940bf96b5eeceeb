"""Loudness of what the player says and chimes, per ITU-R BS.1770 (pyloudnorm), before and
after the fixed gains of player/audio/loudness.py; the figures of docs/sounds.md.

    .venv/bin/python benchmarks/loudness.py [OLD_SOUNDS_FOLDER]

Speech: integrated loudness of every line of every shipped routine (rendered into the
person's speech cache first if need be). Chimes: the loudest 400 ms block, as shipped and as
played at chime_level 0; an old folder of chimes is measured beside them, for comparison.
"""

from __future__ import annotations

import math
import statistics
import sys
import wave
from array import array
from pathlib import Path

from player import config
from player.audio import chimes, loudness
from player.core import routine
from player.core.sounds import CHIMES
from player.routines import library, plans


def read(path: Path) -> tuple[list[float], int]:
    with wave.open(str(path)) as w:
        return [v / 32768 for v in array("h", w.readframes(w.getnframes()))], w.getframerate()


def peak_db(samples: list[float]) -> float:
    return 20 * math.log10(max(abs(v) for v in samples) or 1e-9)


def speech() -> None:
    settings = config.load(None)
    rows = []
    for entry in library.entries(settings):
        if entry.shipped:
            for file in plans.prepare(routine.load(entry.path), settings).files.values():
                samples, rate = read(file)
                rows.append((loudness.integrated(samples, rate), peak_db(samples)))
    levels = [r[0] for r in rows]
    gain = loudness.SPEECH_GAIN_DB
    print(f"speech, {len(rows)} lines of the shipped routines (eSpeak NG {settings.voice.name},")
    print(f"{settings.voice.rate} wpm): integrated loudness, as rendered / as played at volume 100")
    print(f"  mean {statistics.fmean(levels):.1f} / {statistics.fmean(levels) + gain:.1f} LUFS")
    print(
        f"  min {min(levels):.1f} / {min(levels) + gain:.1f}, max {max(levels):.1f} / "
        f"{max(levels) + gain:.1f}, sd {statistics.pstdev(levels):.2f} LU"
    )
    peaks = [r[1] for r in rows]
    print(
        f"  peaks: highest {max(peaks):.1f} / {max(peaks) + gain:.1f} dBFS, "
        f"median {statistics.median(peaks):.1f} / {statistics.median(peaks) + gain:.1f} dBFS"
    )


def chime_table(old: Path | None) -> None:
    print(
        "\n| chime | target | shipped file | played at chime_level 0 | peak as played |"
        + (" before |" if old else "")
    )
    print("|---|---|---|---|---|" + ("---|" if old else ""))
    for name in CHIMES:
        samples, rate = read(chimes.shipped(name))
        level = loudness.momentary_max(samples, rate)
        played = level - loudness.HEADROOM_DB
        cells = [
            name,
            f"{loudness.CHIME_LUFS[name]:.1f} LUFS",
            f"{level:.1f} LUFS",
            f"{played:.1f} LUFS",
            f"{peak_db(samples) - loudness.HEADROOM_DB:.1f} dBFS",
        ]
        if old:
            before, rate = read(old / f"{name}.wav")
            cells.append(
                f"{loudness.momentary_max(before, rate):.1f} LUFS, peak {peak_db(before):.1f} dBFS"
            )
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    speech()
    chime_table(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
