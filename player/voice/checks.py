"""Which voice speaks, checked before anything renders: the cheap checks of a Piper voice in
the player (files, settings, memory), its digest for the cache key, and the lines that say who
speaks for `routine-player voices` (which then loads the voice in the speech child).

Nothing here imports piper-tts or onnxruntime: the player itself never holds a model.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from player.config import Config, VoiceConfig
from player.core.errors import ConfigError, Problem

PHONEME_TYPES = ("espeak", "text")  # the others need downloads or packages Piper leaves out
LOWEST_RATE, HIGHEST_RATE = 8000, 48000
# Memory a Piper voice needs beside its file: onnxruntime, numpy and Piper's own eSpeak in the
# child, measured with the tests' tiny voice (BENCHMARKS.md), and the model's weights held
# about twice while onnxruntime builds its session.
BASE_BYTES = 80 << 20
MODEL_TIMES = 2


def problems(voice: VoiceConfig, source: str = "") -> list[Problem]:
    """One problem per thing wrong with a Piper voice, without loading it; [] for eSpeak."""
    if voice.engine != "piper":
        return []
    where = source or "config"
    if importlib.util.find_spec("piper") is None:
        how = "pip install 'routine-player[piper]', or sudo make install PIPER=1"
        message = f'expected piper-tts installed for "piper" ({how}), found it missing'
        return [Problem(where, message, field="voice.engine")]
    if not voice.model:
        message = 'expected the path of a Piper voice (.onnx) for engine "piper", found none'
        return [Problem(where, message, field="voice.model")]
    model = Path(voice.model)
    try:
        size = model.stat().st_size
        with model.open("rb"):
            pass
    except OSError as error:
        message = f"expected a Piper voice file, found: {error.strerror or error}"
        return [Problem(str(model), message)]
    found = _settings_problems(Path(f"{model}.json"), voice)
    need = BASE_BYTES + MODEL_TIMES * size
    free = available_bytes()
    if free is not None and need > free:
        message = (
            f"expected a voice that fits in the memory free now (about {need >> 20} MB with "
            f"Piper), found {free >> 20} MB free: choose a smaller voice (low or x_low), "
            'or voice.engine = "espeak"'
        )
        found.append(Problem(str(model), message))
    return found


def _settings_problems(path: Path, voice: VoiceConfig) -> list[Problem]:
    """The voice's `.onnx.json`: there, JSON, and something we can use."""
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = "expected the voice's settings beside its model, found no such file"
        return [Problem(str(path), message + " (download both files)")]
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return [Problem(str(path), f"expected the voice's settings as JSON, found: {error}")]
    if not isinstance(settings, dict):
        return [Problem(str(path), "expected the voice's settings as a JSON object")]
    return [Problem(str(path), m) for m in _usable(settings, voice)]


def _usable(settings: dict[str, Any], voice: VoiceConfig) -> list[str]:
    """What is wrong with a voice's settings for us, in words."""
    found = []
    audio = settings.get("audio")
    rate = audio.get("sample_rate") if isinstance(audio, dict) else None
    if type(rate) is not int or not LOWEST_RATE <= rate <= HIGHEST_RATE:
        wanted = f"a sample rate from {LOWEST_RATE} to {HIGHEST_RATE} Hz"
        found.append(f"audio.sample_rate: expected {wanted}, found {rate!r}")
    kind = settings.get("phoneme_type", "espeak")
    if kind not in PHONEME_TYPES:
        wanted = " or ".join(f'"{k}"' for k in PHONEME_TYPES)
        found.append(f"phoneme_type: expected {wanted}, found {kind!r}")
    if not isinstance(settings.get("phoneme_id_map"), dict):
        found.append("phoneme_id_map: expected Piper's table of phonemes, found none")
    speakers = settings.get("num_speakers", 1)
    names = settings.get("speaker_id_map") or {}
    if voice.speaker != "" and not _speaker_known(voice.speaker, speakers, names):
        known = ", ".join(sorted(names)[:5]) or f"0 to {max(0, speakers - 1)}"
        wanted = f"one of this voice's speakers ({known})"
        found.append(f"voice.speaker: expected {wanted}, found {voice.speaker!r}")
    return found


def _speaker_known(speaker: int | str, speakers: Any, names: Any) -> bool:
    if isinstance(speaker, int):
        return isinstance(speakers, int) and speaker < speakers
    return isinstance(names, dict) and speaker in names


def available_bytes() -> int | None:
    """The kernel's estimate of memory free for a new program, or None where it has none."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def fingerprint(model: str) -> str:
    """The digests of a model and its settings, together: part of each line's cache key."""
    path = Path(model)
    return "+".join(_digest(p, *_stamp(p)) for p in (path, Path(f"{path}.json")))


def _stamp(path: Path) -> tuple[int, int]:
    state = path.stat()
    return state.st_size, state.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file, read once per process for each size and time it has."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def require(settings: Config) -> None:
    """Raise ConfigError, one line per problem, when the configured voice cannot be used."""
    found = problems(settings.voice, settings.source)
    if found:
        raise ConfigError(found)


def describe(voice: VoiceConfig) -> list[str]:
    """A few lines that say who speaks, for a person."""
    if voice.engine != "piper":
        return [f"Engine: eSpeak NG, voice {voice.name}, {voice.rate} words a minute."]
    lines = [f"Engine: Piper (piper-tts, GPL-3.0), model {voice.model or '(none)'}"]
    model = Path(voice.model)
    if voice.model and model.is_file():
        digest = _digest(model, *_stamp(model))
        lines.append(f"Model: {model.stat().st_size / 1e6:.1f} MB, sha256 {digest}")
    with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
        audio = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))["audio"]
        lines.append(f"Quality: {audio.get('quality', '?')}, {audio['sample_rate']} Hz")
    speaker = f"speaker {voice.speaker}, " if voice.speaker != "" else ""
    lines.append(
        f"Settings: {speaker}length scale {voice.length_scale}, "
        f"{voice.sentence_pause} s between sentences."
    )
    return lines
