"""eSpeak NG through pyttsx3, as the speech child process holds it (`speech_worker.py`).

pyttsx3 2.99 is only ever asked to render (`save_to_file`, one file per `runAndWait()`); its
`say()` plays through `aplay` and cannot be stopped. One engine per process, held by the
worker: a second `init()` would steal the first one's callbacks. The voice is set once, when
the process loads it; the rate travels with each line (`RATE_COMMAND`).
"""

from __future__ import annotations

import array
import importlib
import os
import tempfile
import wave
from typing import Any

from player.voice.child import SPEECH_RATE, RenderError, VoiceError

EMPTY_TRIES = 3
AUDIBLE = 1000  # a peak below this (-30 dBFS) is silence, not speech
RATE_COMMAND = "\x01{rate}S"  # eSpeak's own embedded command: this line's speed, words a minute


class EspeakVoice:
    """One pyttsx3 engine over eSpeak NG, set to one voice."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def render(self, text: str, voice: dict[str, Any], path: str) -> None:
        """Render one line into the WAV at `path`. pyttsx3's eSpeak driver collects audio from
        eSpeak's own thread, and about one render in several hundred comes back empty: such a
        render is tried again, a few times at most."""
        rate = int(voice["rate"])
        shortest = len(text.split()) * 60 / rate * SPEECH_RATE * 0.3
        for _ in range(EMPTY_TRIES):
            _render_once(self.engine, RATE_COMMAND.format(rate=rate) + text, path)
            if _spoken(path, shortest):
                return
        raise RenderError("eSpeak NG", f"expected speech, found silence for {text!r}")


def load(voice: dict[str, Any]) -> EspeakVoice:
    """Start pyttsx3's eSpeak driver and set the voice, then render a throwaway line into
    nowhere useful. The rate is never set as a property: pyttsx3 2.99 queues a property change
    behind its own loop, and about half the renders right after a change of rate came out at
    the old one (issue 14). Each line carries its rate instead, as eSpeak's embedded command."""
    engine = _start()
    if voice["name"] not in _voice_names(engine):
        message = f'expected an eSpeak NG voice such as "en-us", found "{voice["name"]}"'
        raise VoiceError("voice.name", message)
    engine.setProperty("voice", voice["name"])
    with tempfile.TemporaryDirectory() as scratch:
        _render_once(engine, "Ready.", os.path.join(scratch, "ready.wav"))
    return EspeakVoice(engine)


def _spoken(path: str, shortest: float) -> bool:
    """True when the render is long enough and not silent (a line of dashes gives only the
    pause that ends a clause)."""
    with wave.open(path) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    return len(samples) >= shortest and any(abs(x) >= AUDIBLE for x in samples)


def _render_once(engine: Any, text: str, path: str) -> None:
    """One line into `path`, then wait until eSpeak's own thread is idle: pyttsx3 ends its loop
    from inside eSpeak's last callback, before that thread is done with the line."""
    from pyttsx3.drivers import _espeak

    engine.save_to_file(text, path)
    engine.runAndWait()
    _espeak.Synchronize()


def _voice_names(engine: Any) -> frozenset[str]:
    """Every name eSpeak NG answers to: "gmw/en-us", "en-us", "English (America)"."""
    names: set[str] = set()
    for voice in engine.getProperty("voices"):
        ident, name = voice.id, voice.name
        names |= {ident, ident.rsplit("/", 1)[-1], name, name.replace(" ", "_")}
    return frozenset(names)


def _start() -> Any:
    import pyttsx3

    try:
        # Its eSpeak driver prints "Audio saved to ..." from eSpeak's thread; a print of our
        # own in that module's globals keeps it quiet.
        vars(importlib.import_module("pyttsx3.drivers.espeak"))["print"] = _quiet
        return pyttsx3.init("espeak")
    except Exception as error:
        raise VoiceError("eSpeak NG", f"expected it to start, found: {error}") from None


def _quiet(*args: object, **kwargs: object) -> None:
    """Stands in for `print` inside pyttsx3's eSpeak driver."""
