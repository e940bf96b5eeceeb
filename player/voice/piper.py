"""A Piper neural voice, as the speech child process holds it (`speech_worker.py`).

The model is loaded once per process with piper-tts's own `PiperVoice.load`, and each line goes
through its own phonemizer and `synthesize` (a generator of one chunk per sentence in 1.x).
Sentences are joined with the configured pause, and the whole line is resampled with soxr to
SPEECH_RATE, so the cache, `list` and the mixer see the same format as eSpeak NG's. piper-tts
is GPL-3.0 and an optional extra: this module is imported only in the child, only for Piper.
"""

from __future__ import annotations

import wave
from typing import Any

from player.voice.child import SPEECH_RATE, RenderError, VoiceError

PEAK = 0.89  # Piper scales each sentence to full scale; -1 dBFS leaves room for resampling
INPUTS = {"input", "input_lengths", "scales"}  # what Piper feeds every model


class PiperVoice:
    """One Piper model, loaded."""

    def __init__(self, voice: Any) -> None:
        self.voice = voice

    def render(self, text: str, voice: dict[str, Any], path: str) -> None:
        """Render one line, its sentences apart by `sentence_pause`, into the WAV at `path`."""
        import numpy as np
        import soxr
        from piper import SynthesisConfig

        settings = SynthesisConfig(
            speaker_id=speaker_id(self.voice.config, voice["speaker"]),
            length_scale=float(voice["length_scale"]),
            volume=PEAK,
        )
        rate = self.voice.config.sample_rate
        gap = np.zeros(round(float(voice["sentence_pause"]) * rate), dtype=np.float32)
        parts: list[Any] = []
        for chunk in self.voice.synthesize(text, settings):
            parts += [gap, chunk.audio_float_array] if parts else [chunk.audio_float_array]
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        if not audio.size or float(np.max(np.abs(audio))) < 0.03:
            raise RenderError("Piper", f"expected speech, found silence for {text!r}")
        if rate != SPEECH_RATE:
            audio = soxr.resample(audio, rate, SPEECH_RATE)
        samples = np.clip(audio * 32767, -32767, 32767).astype("<i2")
        with wave.open(path, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SPEECH_RATE)
            out.writeframes(samples.tobytes())


def speaker_id(config: Any, speaker: int | str) -> int | None:
    """The model's number for `speaker` (a name from its speaker map, or a number); None for
    the model's own default."""
    if speaker == "" or config.num_speakers <= 1:
        return None
    if isinstance(speaker, int):
        return speaker
    return config.speaker_id_map[speaker]


def load(voice: dict[str, Any]) -> PiperVoice:
    """Load the model with Piper's own loader; a model it cannot use is one VoiceError."""
    model = voice["model"]
    try:
        from piper import PiperVoice as Loader
    except ImportError as error:
        message = (
            f"expected piper-tts installed (pip install 'routine-player[piper]'), found: {error}"
        )
        raise VoiceError("Piper", message) from None
    try:
        loaded = Loader.load(model)
    except MemoryError:
        raise VoiceError(model, "expected a voice that fits in memory, found it does not") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise VoiceError(
            f"{model}.json", f"expected Piper's voice settings, found: {error}"
        ) from None
    except Exception as error:  # onnxruntime's own errors share no base class but Exception
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise VoiceError(model, f"expected an ONNX model Piper can load, found: {first}") from None
    names = {i.name for i in loaded.session.get_inputs()}
    if not names >= INPUTS:
        shown = ", ".join(sorted(names)) or "none"
        message = (
            f"expected a Piper voice (inputs {', '.join(sorted(INPUTS))}), found inputs {shown}"
        )
        raise VoiceError(model, message)
    return PiperVoice(loaded)
