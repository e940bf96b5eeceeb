"""The speech cache: every line rendered once by pyttsx3 over eSpeak NG, kept as a WAV.

pyttsx3 2.99 is only ever asked to render (`save_to_file`, one file per `runAndWait()`); its
`say()` plays through `aplay` and cannot be stopped, so playback is the mixer's job. One engine
per process, held here: a second `init()` would steal the first one's callbacks.

A file is named `<key>.<digest>.wav`: the key hashes text, voice, rate and engine version; the
digest hashes the samples, so a truncated or damaged file is found and rendered again, never
played. Files are written under a temporary name and renamed into place.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import importlib
import os
import tempfile
import threading
import wave
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from player.core.errors import Problem, SpeechError

RENDER_TRIES = 3
SPEECH_RATE = 22050  # what pyttsx3's eSpeak driver writes: mono, 16-bit, 22050 Hz
_engine: Any = None  # the process's one pyttsx3 engine, kept alive on purpose
_voices: frozenset[str] | None = None
_applied: Voice | None = None  # the voice and rate the engine was last given
_rendering = threading.Lock()  # the one engine renders one line at a time, whatever the thread


@dataclass(frozen=True, slots=True)
class Voice:
    """Which eSpeak NG voice speaks, and how fast in words per minute."""

    name: str = "en-us"
    rate: int = 160


def engine_version() -> str:
    """pyttsx3's and eSpeak NG's versions, part of every cache key; "" if eSpeak is missing."""
    try:
        from pyttsx3.drivers import _espeak  # loads libespeak-ng, does not start it

        espeak = _espeak.Info(None).decode()
    except Exception:
        return ""
    return f"pyttsx3 {metadata.version('pyttsx3')}, eSpeak NG {espeak}"


class SpeechCache:
    """Rendered speech in one folder; `path(text)` renders on first use."""

    def __init__(self, folder: Path, voice: Voice, version: str | None = None) -> None:
        self.folder = Path(folder)
        self.voice = voice
        self.version = engine_version() if version is None else version

    def key(self, text: str) -> str:
        """The name under which this text, in this voice, is cached."""
        material = "\0".join([self.version, self.voice.name, str(self.voice.rate), text])
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def cached(self, text: str) -> Path | None:
        """The verified cached file for `text`, or None (a damaged one is removed)."""
        for candidate in sorted(self.folder.glob(self.key(text) + ".*.wav")):
            if _verified(candidate):
                return candidate
            with contextlib.suppress(OSError):
                candidate.unlink()
        return None

    def frames(self, text: str) -> int | None:
        """The cached length in frames at `SPEECH_RATE`, without rendering; None if not cached."""
        if not self.version:
            return None
        for candidate in sorted(self.folder.glob(self.key(text) + ".*.wav")):
            with contextlib.suppress(OSError, wave.Error, EOFError), wave.open(str(candidate)) as w:
                if candidate.stat().st_size >= 44 + 2 * w.getnframes():
                    return w.getnframes()
        return None

    def path(self, text: str) -> Path:
        """The cached file for `text`, rendering it first if needed."""
        return self.cached(text) or self._render(text)

    def _render(self, text: str) -> Path:
        if not self.version:
            raise SpeechError(
                [
                    Problem(
                        "eSpeak NG",
                        "expected it installed, found it missing (install the espeak-ng package)",
                    )
                ]
            )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(suffix=".wav", prefix=".render-", dir=self.folder)
            os.close(handle)
        except OSError as error:
            raise _cache_error(self.folder, error) from None
        try:
            with _rendering:
                # Another thread or process may have rendered it meanwhile: the first one wins,
                # so every reader of the cache sees the same file (renders differ by a few frames).
                done = self.cached(text)
                return done or self._store(text, _synthesise(text, self.voice, scratch))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(scratch)

    def _store(self, text: str, samples: bytes) -> Path:
        digest = hashlib.sha256(samples).hexdigest()[:16]
        final = self.folder / f"{self.key(text)}.{digest}.wav"
        try:
            handle, scratch = tempfile.mkstemp(suffix=".tmp", prefix=".store-", dir=self.folder)
            with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(SPEECH_RATE)
                out.writeframes(samples)
            os.replace(scratch, final)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
            raise _cache_error(self.folder, error) from None
        return final


def _cache_error(folder: Path, error: OSError) -> SpeechError:
    reason = error.strerror or str(error)
    return SpeechError(
        [Problem(str(folder), f"expected a cache folder we can write, found: {reason}")]
    )


def _verified(path: Path) -> bool:
    """True when the file is a WAV of our format whose samples match the digest in its name."""
    try:
        with wave.open(str(path)) as w:
            shape = (w.getnchannels(), w.getsampwidth(), w.getframerate())
            samples = w.readframes(w.getnframes())
            complete = len(samples) == 2 * w.getnframes() > 0
    except (OSError, wave.Error, EOFError):
        return False
    digest = path.name.split(".")[1] if path.name.count(".") == 2 else ""
    return (
        shape == (1, 2, SPEECH_RATE)
        and complete
        and (hashlib.sha256(samples).hexdigest()[:16] == digest)
    )


def _synthesise(text: str, voice: Voice, scratch: str) -> bytes:
    """Render one line with the process's pyttsx3 engine; return its 16-bit samples.

    pyttsx3's eSpeak driver collects audio from eSpeak's own thread, and about one render in
    several hundred comes back empty; such a render is tried again, a few times at most.
    """
    engine = _the_engine()
    if voice.name not in _voice_names(engine):
        message = f'expected an eSpeak NG voice such as "en-us", found "{voice.name}"'
        raise SpeechError([Problem("voice.name", message)])
    _apply(engine, voice, scratch)
    shortest = len(text.split()) * 60 / voice.rate * SPEECH_RATE * 0.3
    for _ in range(RENDER_TRIES):
        _render_once(engine, text, scratch)
        with wave.open(scratch) as w:
            samples = w.readframes(w.getnframes())
        if len(samples) // 2 >= shortest:
            return samples
    raise SpeechError([Problem("eSpeak NG", f"expected speech, found silence for {text!r}")])


def _apply(engine: Any, voice: Voice, scratch: str) -> None:
    """Set the voice and rate when they change, then render a throwaway line: eSpeak takes
    parameters through its own command queue, and once in CI a render right after a change of
    rate still came out at the old rate, which the cache would then have kept under the new key."""
    global _applied  # noqa: PLW0603  (the engine's state, held beside it)
    if voice == _applied:
        return
    engine.setProperty("voice", voice.name)
    engine.setProperty("rate", voice.rate)
    _render_once(engine, "Ready.", scratch)
    _applied = voice


def _render_once(engine: Any, text: str, scratch: str) -> None:
    """One line into `scratch`, then wait until eSpeak's own thread is idle. pyttsx3 ends its
    loop from inside eSpeak's last callback, before that thread is done with the line, so the
    next render could meet it half-way: once in CI a render crashed inside `espeak_Synth`."""
    from pyttsx3.drivers import _espeak

    engine.save_to_file(text, scratch)
    engine.runAndWait()
    _espeak.Synchronize()


def _voice_names(engine: Any) -> frozenset[str]:
    """Every name eSpeak NG answers to: "gmw/en-us", "en-us", "English (America)"."""
    global _voices  # noqa: PLW0603  (read once per process, with the engine)
    if _voices is None:
        names: set[str] = set()
        for voice in engine.getProperty("voices"):
            ident, name = voice.id, voice.name
            names |= {ident, ident.rsplit("/", 1)[-1], name, name.replace(" ", "_")}
        _voices = frozenset(names)
    return _voices


def _the_engine() -> Any:
    global _engine  # noqa: PLW0603  (one engine per process, by design)
    if _engine is None:
        import pyttsx3

        try:
            # Its eSpeak driver prints "Audio saved to ..." from eSpeak's thread; a print of our
            # own in that module's globals keeps it quiet without touching sys.stdout.
            vars(importlib.import_module("pyttsx3.drivers.espeak"))["print"] = _quiet
            _engine = pyttsx3.init("espeak")
            atexit.register(_release_engine)
        except Exception as error:
            raise SpeechError(
                [Problem("eSpeak NG", f"expected it to start, found: {error}")]
            ) from None
    return _engine


def _quiet(*args: object, **kwargs: object) -> None:
    """Stands in for `print` inside pyttsx3's eSpeak driver."""


def _release_engine() -> None:
    """Let the engine go while the interpreter still works, so its `__del__` runs cleanly."""
    global _engine, _applied  # noqa: PLW0603
    _engine = _applied = None
    gc.collect()
