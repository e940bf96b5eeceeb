"""The speech child's driver: the one process per player that renders lines (`child.py`),
started when first needed, again after it left idle or died, and anew when the voice changes.
Everything that decides when a render is tried again, or given up, lives here.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import threading
import wave
from pathlib import Path

from player.config import VoiceConfig as Voice
from player.core.errors import Problem, SpeechError, VoiceError
from player.voice.child import LABELS, identity

RENDER_TRIES = 3  # renders of one line that may kill or hang the child process
RENDER_SECONDS = 120.0  # far longer than a voice takes to load and say the longest cue
rendering = threading.Lock()  # the one child renders one line at a time, whatever the thread


def load(voice: Voice) -> None:
    """Load `voice` in the child process, to be sure it can speak; raises VoiceError if not."""
    with rendering:
        worker.load(voice)


def synthesise(text: str, voice: Voice, scratch: str) -> bytes:
    """Render one line in the speech child process; return its 16-bit samples."""
    worker.render(text, voice, scratch)
    with wave.open(scratch) as w:
        return w.readframes(w.getnframes())


class Worker:
    """The child process that renders (`child.py`), started when first needed,
    again after it left idle or died, and anew when the voice changes (one voice per process).
    A line whose render kills it or outlasts RENDER_SECONDS is tried again in a new one,
    RENDER_TRIES times in all."""

    def __init__(self) -> None:
        # -P: never a `player` folder from the working directory, only the package we are
        self.command = [sys.executable, "-P", "-m", "player.voice.child"]
        self._process: subprocess.Popen[str] | None = None
        self._voice: list | None = None  # what the running process has loaded

    def render(self, text: str, voice: Voice, scratch: str) -> None:
        """Render `text` into the WAV at `scratch`, or raise SpeechError (VoiceError when the
        voice itself cannot be loaded)."""
        self._ask_until_answered({"text": text, "path": scratch}, voice, f", for {text!r}")

    def load(self, voice: Voice) -> None:
        """Load the voice in the child (a check that it can speak); raise as `render` does."""
        self._ask_until_answered({}, voice, ", loading the voice")

    def _ask_until_answered(self, request: dict, voice: Voice, what: str) -> None:
        settings = dataclasses.asdict(voice)
        if identity(settings) != self._voice:
            self.stop()
            self._voice = identity(settings)
        ended = ""
        for _ in range(RENDER_TRIES):
            answer = self._ask({**request, "voice": settings})
            if answer is not None:
                if "problem" in answer:
                    kind = VoiceError if answer.get("voice") else SpeechError
                    raise kind([Problem(*answer["problem"])])
                return
            ended = self.stop()
        message = f"expected speech, found its process {ended}, {RENDER_TRIES} times{what}"
        raise SpeechError([Problem(LABELS[voice.engine], message)])

    def _ask(self, request: dict) -> dict | None:
        """One request and its answer; None when the process ended or hung instead."""
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            if not select.select([process.stdout], [], [], RENDER_SECONDS)[0]:
                return None
            return json.loads(process.stdout.readline() or "null")
        except (OSError, ValueError):  # the pipe broke: it died, or left idle just now
            return None

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            package_root = str(Path(__file__).resolve().parents[2])
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, path]))}
            self._process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
            )
        return self._process

    def stop(self) -> str:
        """End the process (at once if it hangs); how it ended, in words."""
        process, self._process = self._process, None
        if process is None:
            return "not started"
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(OSError):
            process.stdin.close()  # its cue to leave
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return f"still busy after {RENDER_SECONDS:.0f} s"
        finally:
            process.stdout.close()
        return f"killed by {signal.strsignal(-code)}" if code < 0 else f"ended ({code})"


worker = Worker()  # the process's one renderer
atexit.register(worker.stop)
