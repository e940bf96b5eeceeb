"""The child process that renders speech: one voice, loaded once, one line at a time.

Rendering runs here rather than in the player so that a crash inside a speech engine (seen once
in CI, a SIGSEGV in eSpeak's `espeak_Synth`) ends only this process: the player starts another
one and renders the line again (`player/voice/cache.py`). A process holds one voice for its life
(eSpeak NG's through pyttsx3, `espeak_voice.py`, or a Piper model, `piper_voice.py`); the player
starts a new one when the voice changes. Requests and answers are JSON lines on stdin and on a
private copy of stdout; fd 1 itself goes to stderr, so nothing a library prints can break the
protocol. It leaves at end of input, or after IDLE_SECONDS without a request, so that a daemon
which has rendered everything keeps no second process (nor a model in memory).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import sys
import wave
from typing import Any, Protocol, TextIO

SPEECH_RATE = 22050  # every cached line: mono, 16-bit, 22050 Hz (what eSpeak NG gives)
IDLE_SECONDS = 30.0
ENGINES = {"espeak": "player.voice.espeak", "piper": "player.voice.piper"}
LABELS = {"espeak": "eSpeak NG", "piper": "Piper"}


class RenderError(Exception):
    """A line that cannot be rendered, as (where, what was expected and found)."""


class VoiceError(RenderError):
    """A voice that cannot be loaded at all, as (where, what was expected and found)."""


class Engine(Protocol):
    """One loaded voice: renders lines into WAVs at SPEECH_RATE, mono, 16-bit."""

    def render(self, text: str, voice: dict[str, Any], path: str) -> None: ...


def identity(voice: dict[str, Any]) -> list[Any]:
    """What a process is loaded with: a change of these needs a new process; the rest (rate,
    speaker, pace, pauses) travels with each line."""
    if voice.get("engine", "espeak") == "piper":
        return ["piper", voice["model"]]
    return ["espeak", voice["name"]]


_loaded: tuple[list[Any], Engine] | None = None  # this process's one voice


def _engine(voice: dict[str, Any]) -> Engine:
    global _loaded  # noqa: PLW0603  (one voice per process, by design)
    wanted = identity(voice)
    if _loaded is None:
        module = importlib.import_module(ENGINES[wanted[0]])
        _loaded = (wanted, module.load(voice))
    elif _loaded[0] != wanted:
        raise VoiceError(LABELS[wanted[0]], "expected one voice per process, found a second")
    return _loaded[1]


def answer(request: dict) -> dict:
    """One request, `{"voice", "text", "path"}`, to its answer: `{"ok": true}` or
    `{"problem": [where, message], "voice": bool}`. Without "text", it only loads the voice."""
    voice = request["voice"]
    try:
        engine = _engine(voice)
        if request.get("text") is not None:
            engine.render(request["text"], voice, request["path"])
    except RenderError as error:
        return {"problem": list(error.args), "voice": isinstance(error, VoiceError)}
    except (OSError, wave.Error, EOFError) as error:
        label = LABELS[identity(voice)[0]]
        return {"problem": [label, f"expected a rendered file, found: {error}"], "voice": False}
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
        _release()


def _release() -> None:
    """Let the voice go while the interpreter still works, so its `__del__` runs cleanly."""
    global _loaded  # noqa: PLW0603
    _loaded = None
    gc.collect()


if __name__ == "__main__":
    # As `python -m`, this file is `__main__`; the engines import `player.voice.child`, which
    # must be the module that serves, or their errors would be another module's classes.
    importlib.import_module("player.voice.child").main()
