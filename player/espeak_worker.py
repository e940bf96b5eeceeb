"""The child process that renders speech: one pyttsx3 engine over eSpeak NG, one line at a time.

Rendering runs here rather than in the player so that a crash inside eSpeak (seen once in CI, a
SIGSEGV in `espeak_Synth`) ends only this process: the player starts another one and renders
the line again (`player/speech.py`). Requests and answers are JSON lines on stdin and on a
private copy of stdout; fd 1 itself goes to stderr, so nothing a library prints can break the
protocol. It leaves at end of input, or after IDLE_SECONDS without a request, so that a daemon
which has rendered everything keeps no second process.

pyttsx3 2.99 is only ever asked to render (`save_to_file`, one file per `runAndWait()`); its
`say()` plays through `aplay` and cannot be stopped. One engine per process, held here: a second
`init()` would steal the first one's callbacks.
"""

from __future__ import annotations

import array
import gc
import importlib
import json
import os
import select
import signal
import sys
import wave
from typing import Any, TextIO

SPEECH_RATE = 22050  # what pyttsx3's eSpeak driver writes: mono, 16-bit, 22050 Hz
EMPTY_TRIES = 3
AUDIBLE = 1000  # a peak below this (-30 dBFS) is silence, not speech
IDLE_SECONDS = 30.0
_engine: Any = None  # the process's one pyttsx3 engine, kept alive on purpose
_voices: frozenset[str] | None = None
_applied: str | None = None  # the voice the engine was last given
RATE_COMMAND = "\x01{rate}S"  # eSpeak's own embedded command: this line's speed, words a minute


class RenderError(Exception):
    """A line that cannot be rendered, as (where, what was expected and found)."""


def synthesise(text: str, voice: str, rate: int, path: str) -> None:
    """Render one line into the WAV at `path`. pyttsx3's eSpeak driver collects audio from
    eSpeak's own thread, and about one render in several hundred comes back empty: such a
    render is tried again, a few times at most."""
    engine = _the_engine()
    if voice not in _voice_names(engine):
        message = f'expected an eSpeak NG voice such as "en-us", found "{voice}"'
        raise RenderError("voice.name", message)
    _apply(engine, voice, path)
    shortest = len(text.split()) * 60 / rate * SPEECH_RATE * 0.3
    for _ in range(EMPTY_TRIES):
        _render_once(engine, RATE_COMMAND.format(rate=rate) + text, path)
        if _spoken(path, shortest):
            return
    raise RenderError("eSpeak NG", f"expected speech, found silence for {text!r}")


def _spoken(path: str, shortest: float) -> bool:
    """True when the render is long enough and not silent (a line of dashes gives only the
    pause that ends a clause)."""
    with wave.open(path) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    return len(samples) >= shortest and max(map(abs, samples), default=0) >= AUDIBLE


def _apply(engine: Any, voice: str, path: str) -> None:
    """Set the voice when it changes, then render a throwaway line. The rate is not set here:
    pyttsx3 2.99 queues a property change behind its own loop, and about half the renders right
    after a change of rate came out at the old one (issue 14). Each line carries its rate
    instead, as eSpeak's embedded command in front of the text (RATE_COMMAND)."""
    global _applied  # noqa: PLW0603  (the engine's state, held beside it)
    if voice == _applied:
        return
    engine.setProperty("voice", voice)
    _render_once(engine, "Ready.", path)
    _applied = voice


def _render_once(engine: Any, text: str, path: str) -> None:
    """One line into `path`, then wait until eSpeak's own thread is idle: pyttsx3 ends its loop
    from inside eSpeak's last callback, before that thread is done with the line."""
    from pyttsx3.drivers import _espeak

    engine.save_to_file(text, path)
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
            # own in that module's globals keeps it quiet.
            vars(importlib.import_module("pyttsx3.drivers.espeak"))["print"] = _quiet
            _engine = pyttsx3.init("espeak")
        except Exception as error:
            raise RenderError("eSpeak NG", f"expected it to start, found: {error}") from None
    return _engine


def _quiet(*args: object, **kwargs: object) -> None:
    """Stands in for `print` inside pyttsx3's eSpeak driver."""


def answer(request: dict) -> dict:
    """One request, `{"text", "voice", "rate", "path"}`, to its answer: `{"ok": true}` or
    `{"problem": [where, message]}`."""
    try:
        synthesise(request["text"], request["voice"], int(request["rate"]), request["path"])
    except RenderError as error:
        return {"problem": list(error.args)}
    except (OSError, wave.Error, EOFError) as error:
        return {"problem": ["eSpeak NG", f"expected a rendered file, found: {error}"]}
    return {"ok": True}


def serve(requests: TextIO, answers: TextIO) -> None:
    """Answer requests until end of input or IDLE_SECONDS without one."""
    while select.select([requests], [], [], IDLE_SECONDS)[0]:
        line = requests.readline()
        if not line:
            return
        answers.write(json.dumps(answer(json.loads(line))) + "\n")
        answers.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the player's; it closes our input
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    try:
        serve(sys.stdin, answers)
    finally:
        _release_engine()


def _release_engine() -> None:
    """Let the engine go while the interpreter still works, so its `__del__` runs cleanly."""
    global _engine  # noqa: PLW0603
    _engine = None
    gc.collect()


if __name__ == "__main__":
    main()
