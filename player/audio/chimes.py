"""The chimes: soft, distinct, click-free sounds, synthesised here and shipped in `sounds/`.

Run `make chimes` (`python -m player.audio.chimes sounds`, with the `loudness` extra) to write them
again; the output is byte-identical each time. Each is brought to its loudness target (BS.1770,
player/audio/loudness.py) plus the headroom `audio.chime_level` plays into (docs/sounds.md).
"""

from __future__ import annotations

import array
import math
import sys
import wave
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from player.audio import loudness

RATE = 22050
FADE = 0.005  # seconds of raised-cosine fade at both ends: no clicks


@dataclass(frozen=True, slots=True)
class Note:
    """One bell-like note: frequency, when it starts and how long it rings, in seconds."""

    hz: float
    at: float
    ring: float


@dataclass(frozen=True, slots=True)
class Design:
    """A chime: its notes and its length in seconds."""

    notes: tuple[Note, ...]
    length: float


DESIGNS: dict[str, Design] = {
    "hold_start": Design((Note(659.3, 0, 0.35), Note(880.0, 0.12, 0.35)), 0.45),
    "halfway": Design((Note(880.0, 0, 0.3),), 0.3),
    "tick": Design((Note(1318.5, 0, 0.04),), 0.06),
    "hold_end": Design((Note(880.0, 0, 0.3), Note(659.3, 0.14, 0.3), Note(523.3, 0.28, 0.4)), 0.65),
    "pause": Design((Note(440.0, 0, 0.12), Note(349.2, 0.1, 0.15)), 0.25),
    "resume": Design((Note(349.2, 0, 0.12), Note(440.0, 0.1, 0.15)), 0.25),
    "stop": Design((Note(392.0, 0, 0.25), Note(261.6, 0.18, 0.35)), 0.5),
}


def samples(name: str, rate: int = RATE) -> array.array:
    """The chime `name` as 16-bit mono samples at `rate`, at its loudness target plus the
    headroom (measured with pyloudnorm: only where chimes are made)."""
    design = DESIGNS[name]
    count = round(design.length * rate)
    wave_ = [0.0] * count
    for note in design.notes:
        _ring(wave_, note, rate)
    fade = round(FADE * rate)
    for i in range(count):
        edge = min(i, count - 1 - i)
        if edge < fade:
            wave_[i] *= 0.5 - 0.5 * math.cos(math.pi * edge / fade)
    peak = max(abs(v) for v in wave_) or 1.0
    shaped = [v / peak for v in wave_]
    target = loudness.CHIME_LUFS[name] + loudness.HEADROOM_DB
    gain = 10 ** ((target - loudness.momentary_max(shaped, rate)) / 20) * 32767
    return array.array("h", (round(v * gain) for v in shaped))


def _ring(buffer: list[float], note: Note, rate: int) -> None:
    """Add a struck-bell note: a fundamental and two soft partials, decaying to silence."""
    start = round(note.at * rate)
    for i in range(min(round(note.ring * rate), len(buffer) - start)):
        t = i / rate
        decay = math.exp(-5.0 * t / note.ring) * (1 - t / note.ring)
        tone = sum(
            level * math.sin(2 * math.pi * note.hz * partial * t)
            for partial, level in ((1, 1.0), (2, 0.3), (3, 0.08))
        )
        buffer[start + i] += tone * decay


def shipped(name: str) -> Path:
    """The path of a shipped chime WAV."""
    return Path(str(resources.files("player.sounds") / f"{name}.wav"))


def write_all(folder: Path) -> list[Path]:
    """Write every chime as `<name>.wav` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DESIGNS:
        path = folder / f"{name}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(samples(name).tobytes())
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "sounds")):
        print(written_path)
