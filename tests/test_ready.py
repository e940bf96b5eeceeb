"""Start-up as a Pi owner meets it (issue 25): systemd told how far rendering got, a quiet
chime when the button is live, the basic voice when the chosen one cannot load (and a line
that says so), and the long-press choice kept across restarts and reloads."""

from __future__ import annotations

import logging
import socket
import sys
import threading
from pathlib import Path

import pytest

from player import config
from player.core.events import Selected
from player.core.sounds import Speech
from player.records.choice import Choice
from player.routines.prepare import BASIC_VOICE
from player.service.daemon import Daemon
from player.service.notify import Notifier

from .daemonkit import Running, press

SLOW = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-m", "player.voice.child"], stdin=subprocess.PIPE,
                         text=True, bufsize=1)
for line in sys.stdin:
    time.sleep({delay})  # a voice far slower than eSpeak, as Piper on a Zero 2 W
    child.stdin.write(line)
    child.stdin.flush()
child.stdin.close()
child.wait()
"""


@pytest.fixture
def slow_voice(tmp_path, monkeypatch):
    """The speech child behind a relay that holds each request a while."""
    from player.voice import worker

    worker.worker.stop()
    script = tmp_path / "slow.py"
    script.write_text(SLOW.format(delay=0.2))
    monkeypatch.setattr(worker.worker, "command", [sys.executable, str(script)])
    yield
    worker.worker.stop()


def test_start_with_a_slow_voice_keeps_extending_systemds_timeout_line_by_line(
    setup, tmp_path, slow_voice, pins
):
    fresh = setup.read_text().replace(f'cache = "{config.load(setup).paths.cache}"', 'cache = "c"')
    setup.write_text(fresh)  # a cache of its own: every line renders, slowly
    address = str(tmp_path / "notify.sock")
    sent: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(60)  # read as systemd does, all along: the queue holds ten at most
        listening = threading.Thread(target=lambda: listen(sock, sent), daemon=True)
        listening.start()
        daemon = Daemon(config.load(setup), Notifier({"NOTIFY_SOCKET": address}))
        try:
            daemon.start()
        finally:
            daemon.shut_down()
            daemon.close()
        listening.join(timeout=60)
    rendering = [m for m in sent if "STATUS=rendering short:" in m]
    lines = len(rendering) - 1  # before each line, and once all are done
    assert lines >= 4
    assert rendering[0].startswith(f"STATUS=rendering short: 0 of {lines} lines")
    assert rendering[-1].startswith(f"STATUS=rendering short: {lines} of {lines} lines")
    assert all(m.endswith(f"EXTEND_TIMEOUT_USEC={390 * 10**6}") for m in rendering)
    assert sent.index(rendering[-1]) < len(sent) - 1  # all before READY=1


def listen(sock: socket.socket, sent: list[str]) -> None:
    """Every message until READY=1."""
    while not any(m.startswith("READY=1") for m in sent):
        sent.append(sock.recv(4096).decode())


def played_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def test_ready_a_quiet_chime_says_the_button_is_live(setup, pins, disk_audio):
    with Running(setup) as run:
        run.until(lambda: any(played_bytes(disk_audio)))
        assert run.actions == []  # no session played it: it is no part of one


def test_ready_sound_off_plays_nothing_at_start(setup, pins, disk_audio):
    setup.write_text(setup.read_text().replace("[player]\n", "[player]\nready_sound = false\n"))
    with Running(setup) as run:
        run.until(lambda: len(run.session.plans) > 1)  # long enough for a chime to have played
    assert not any(played_bytes(disk_audio))


def test_ready_a_voice_that_cannot_load_falls_back_and_says_so(setup, pins, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    setup.write_text(setup.read_text() + '[voice]\nengine = "piper"\nmodel = "missing.onnx"\n')
    with Running(setup) as run:
        run.until(lambda: Speech(BASIC_VOICE) in run.daemon.mixer._raw)
        assert run.daemon.settings.voice == config.VoiceConfig()
    assert "using the basic voice:" in caplog.text and "missing.onnx" in caplog.text


def test_choice_a_long_press_is_kept_across_a_restart_and_a_reload(setup, pins):
    with Running(setup) as run:
        run.until(lambda: len(run.session.plans) > 1)
        press(pins.pin(17), length=1.8)
        run.until(lambda: any(isinstance(a, Selected) for _, a in run.actions))
        chosen = run.session.selected
        assert chosen != "short"
    with Running(setup) as run:  # a restart
        assert run.session.selected == chosen
        run.daemon.runner.call(run.daemon.reload)
        run.until(lambda: len(run.session.plans) > 1)
        run.until(lambda: not run.daemon.preparer.rendering)
        assert run.session.selected == chosen


def test_choice_the_config_wins_again_once_a_person_changes_it(tmp_path):
    Choice(tmp_path, "a").chose("b")
    assert Choice(tmp_path, "a").routine == "b"
    assert Choice(tmp_path, "c").routine == "c"  # [player] routine changed since
    (tmp_path / "selected.json").write_text("not json")
    assert Choice(tmp_path, "a").routine == "a"
