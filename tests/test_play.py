"""`routine-player play` as a person uses it: on a terminal with keys, and without one."""

from __future__ import annotations

import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from player import config
from player.records.history import History

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


def endings(state: Path) -> list[str]:
    with sqlite3.connect(state / "history.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT ending FROM sessions ORDER BY id")]


def play_in_background(write, settings, tmp_path, **popen) -> tuple[subprocess.Popen, Path]:
    """`play` as a script starts it: no terminal, SDL's disk driver, its own state folder."""
    path = write("keys.toml", ROUTINE)
    conf = write(
        "c.toml", f'[paths]\ncache = "{settings.paths.cache}"\nstate = "{tmp_path / "state"}"\n'
    )
    played = tmp_path / "played.raw"
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(path), "--config", str(conf)],
        env={**os.environ, "SDL_AUDIODRIVER": "disk", "SDL_DISKAUDIOFILE": str(played)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    assert proc.stdout.readline() == "Playing Keys.\n"
    return proc, played


def speaking(played: Path) -> int:
    """Wait until the voice is heard; the number of bytes played by then."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        data = played.read_bytes()
        if any(data[-2048:]):
            return len(data)
        time.sleep(0.02)
    raise AssertionError("never spoke")


def test_play_without_a_terminal_stops_on_sigterm_silent_recorded_exit_0(write, settings, tmp_path):
    proc, played = play_in_background(write, settings, tmp_path)
    try:
        at = speaking(played)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, proc.stderr.read()
    finally:
        proc.kill()
    assert proc.stdout.read() == "Keys: service stopped.\n"
    assert not any(played.read_bytes()[at + 2 * 22050 :])  # silent within a second of it
    assert endings(tmp_path / "state") == ["service stopped"]


def test_play_from_a_script_that_ignores_sigint_still_stops_on_it_with_130(
    write, settings, tmp_path
):
    ignored = {"preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)}
    proc, played = play_in_background(write, settings, tmp_path, **ignored)
    try:
        speaking(played)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130, proc.stderr.read()
    finally:
        proc.kill()
    assert proc.stdout.read() == "Keys: stopped.\n"
    assert endings(tmp_path / "state") == ["stopped"]


def test_play_on_a_terminal_ctrl_c_ends_the_status_line_and_records_stopped(
    write, settings, tmp_path
):
    path = write("keys.toml", ROUTINE)
    conf = write(
        "c.toml", f'[paths]\ncache = "{settings.paths.cache}"\nstate = "{tmp_path / "state"}"\n'
    )
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(path), "--config", str(conf)],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "SDL_AUDIODRIVER": "dummy"},
    )
    os.close(child)
    try:
        assert "d skips while paused" in read_until(main, "q quits")
        read_until(main, "to go")
        proc.send_signal(signal.SIGINT)
        seen = read_until(main, "Keys: stopped.")
        assert proc.wait(timeout=10) == 130
    finally:
        proc.kill()
        os.close(main)
    assert "\r\nKeys: stopped." in seen  # the status line ended before the last word
    assert endings(tmp_path / "state") == ["stopped"]


def test_play_without_a_sound_card_says_how_to_hear_it_anyway(
    write, settings, tmp_path, monkeypatch, capsys
):
    from player import cli

    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "no-such-folder" / "out.raw"))
    conf = write("c.toml", f'[paths]\ncache = "{settings.paths.cache}"\n')
    assert cli.main(["play", "upper-glutes-hands", "--config", str(conf)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("audio: expected a sound card (through SDL's disk driver), found none (")
    assert line.endswith(
        "; to hear the routine without one, write it to a file: "
        "routine-player render upper-glutes-hands -o upper-glutes-hands.wav"
    )
