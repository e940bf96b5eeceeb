"""`routine-player play` as a person uses it: on a terminal with keys, and without one."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from player import config
from player.history import History

ROUTINE = (
    'title = "Keys"\nsides = ["left", "right"]\n[[step]]\nsay = "Hold the {side} side."\n'
    "each_side = true\nhold = 20\n"
)


def read_until(fd: int, text: str, timeout: float = 30.0) -> str:
    seen, end = "", time.monotonic() + timeout
    while text not in seen:
        assert time.monotonic() < end, seen
        if select.select([fd], [], [], 0.1)[0]:
            seen += os.read(fd, 4096).decode(errors="replace")
    return seen


def test_play_on_a_terminal_keys_pause_resume_and_stop(write, settings, monkeypatch):
    path = write("keys.toml", ROUTINE)
    conf = write("c.toml", f'[paths]\ncache = "{settings.paths.cache}"\n')
    env = {**os.environ, "SDL_AUDIODRIVER": "dummy"}
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(path), "--config", str(conf)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
    )
    os.close(child)
    try:
        read_until(main, "space pauses and resumes")
        read_until(main, "hold")  # the progress line: step, side and hold left
        os.write(main, b" ")
        read_until(main, "paused")
        os.write(main, b" ")
        read_until(main, "playing")
        os.write(main, b"s")
        read_until(main, "Keys: stopped.")
        assert proc.wait(timeout=30) == 0
        (row,) = History(config.load(conf).paths.state).since(3600)
        assert (row.ending, row.step, row.side) == ("stopped", 1, "left")  # where it was
    finally:
        proc.kill()
        os.close(main)


def test_play_without_a_terminal_plays_to_the_end_answering_waits(write, settings):
    path = write(
        "w.toml",
        'title = "Waits"\n[[step]]\nsay = "Ready?"\nwait = "press"\n[[step]]\nsay = "Done."\n',
    )
    conf = write("c.toml", f'[paths]\ncache = "{settings.paths.cache}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "player", "play", str(path), "--config", str(conf)],
        env={**os.environ, "SDL_AUDIODRIVER": "dummy"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Playing Waits.", "Waits: completed."]
