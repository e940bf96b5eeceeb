"""The speech cache: every line rendered once, by eSpeak NG (through pyttsx3) or a Piper
voice, kept as a WAV at SPEECH_RATE.

Rendering happens in a child process (`worker.py` drives `child.py`), so that a crash inside a
speech engine costs one retry, never the player; playback is the mixer's job.

A file is named `<key>.<digest>.wav`: the key hashes the text, the engine and its version,
every setting that changes the sound (for Piper, the model's and its settings' digests) and
the key's own format; the digest hashes the samples, so a truncated or damaged file is found and
rendered again, never played. Files are written under a temporary name and renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import wave
from importlib import metadata
from pathlib import Path

from player.config import VoiceConfig as Voice
from player.core.errors import Problem, SpeechError, VoiceError
from player.voice import checks as voices
from player.voice import worker
from player.voice.child import SPEECH_RATE

# Part of every key. 2: the rate travels with each line (issue 14); lines cached under key 1 may
# be at the wrong rate, so they are never read again and are rendered afresh.
KEY_FORMAT = "2"


def engine_version(engine: str = "espeak") -> str:
    """The engine's version, part of every cache key; "" if it is missing."""
    if engine == "piper":
        try:
            return f"piper-tts {metadata.version('piper-tts')}"
        except metadata.PackageNotFoundError:
            return ""
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
        self.version = engine_version(voice.engine) if version is None else version
        self._sound: list[str] | None = None

    def key(self, text: str) -> str:
        """The name under which this text, in this voice, is cached."""
        material = "\0".join([KEY_FORMAT, self.version, *self.sound(), text])
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def sound(self) -> list[str]:
        """Every setting that changes how a line sounds. eSpeak's stay as they were, so that
        switching back from Piper finds every line cached before. For Piper, the digests of
        the model and its settings: raises VoiceError when they cannot be read."""
        if self._sound is None:
            v = self.voice
            if v.engine != "piper":
                self._sound = [v.name, str(v.rate)]
            else:
                problems = voices.problems(v)
                if problems:
                    raise VoiceError(problems)
                pace = [repr(v.speaker), repr(float(v.length_scale)), repr(float(v.sentence_pause))]
                self._sound = ["piper", voices.fingerprint(v.model), *pace]
        return self._sound

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
        try:
            if not (self.version and self.sound()):
                return None
        except VoiceError:
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
            raise VoiceError([_missing(self.voice.engine)])
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(suffix=".wav", prefix=".render-", dir=self.folder)
            os.close(handle)
        except OSError as error:
            raise _cache_error(self.folder, error) from None
        try:
            with worker.rendering:
                # Another thread or process may have rendered it meanwhile: the first one wins,
                # so every reader of the cache sees the same file (renders differ by a few frames).
                done = self.cached(text)
                return done or self._store(text, worker.synthesise(text, self.voice, scratch))
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


def _missing(engine: str) -> Problem:
    if engine == "piper":
        how = "pip install 'routine-player[piper]', or sudo make install PIPER=1"
        return Problem("piper-tts", f'expected it installed for voice.engine = "piper" ({how})')
    return Problem(
        "eSpeak NG", "expected it installed, found it missing (install the espeak-ng package)"
    )


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
