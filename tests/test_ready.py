"""Start-up as a Pi owner meets it (issue 25): systemd told how far rendering got, a quiet
chime when the button is live, the basic voice when the chosen one cannot load and the default
output when the chosen speaker cannot be found (and a line that says so), and the long-press
choice kept across restarts and reloads."""

from __future__ import annotations

import array
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from player import cli, config
from player.core.events import Selected
from player.core.sounds import Speech
from player.records.choice import Choice
from player.routines.prepare import BASIC_VOICE, DEFAULT_OUTPUT
from player.service import device
from player.service.daemon import Daemon
from player.service.notify import Notifier

from .daemonkit import LOUD, Running, press

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


@pytest.fixture
def sound_cards(disk_audio, tmp_path, monkeypatch):
    """The machine's ALSA devices, for SDL's disk driver (which has one device and never reads
    AUDIODEV): when the mixer names a device listed here, SDL plays into its file; any other
    name finds no device. The default output's names play into `disk_audio`."""
    cards = {"plughw": disk_audio, "default": disk_audio}
    setitem = type(os.environ).__setitem__

    def naming(environ, key, value):
        setitem(environ, key, value)
        if key == "AUDIODEV":
            found = cards.get(value, tmp_path / "no-such-card" / "out.raw")
            setitem(environ, "SDL_DISKAUDIOFILE", str(found))

    monkeypatch.setattr(type(os.environ), "__setitem__", naming)
    return cards


@pytest.mark.timeout(90)  # without the fallback, start-up would wait for the speaker for ever
@pytest.mark.usefixtures("pins")
def test_ready_a_speaker_not_found_falls_back_to_the_default_output_and_says_so(
    setup, sound_cards, monkeypatch, caplog, capsys
):
    disk_audio = sound_cards["default"]
    caplog.set_level(logging.INFO, logger="routine-player")
    monkeypatch.setattr(device, "FALLBACK_SECONDS", 0.5)
    monkeypatch.setattr(device, "DEVICE_RETRY_SECONDS", 0.1)
    setup.write_text(setup.read_text() + '[audio]\ndevice = "plughw:CARD=Nowhere,DEV=0"\n')
    with Running(setup) as run:
        line = run.daemon.mixer._raw[Speech(DEFAULT_OUTPUT)]
        run.until(lambda: len(played_bytes(disk_audio)) > 2 * len(line))  # said, then quiet
        assert run.daemon.mixer.device == "plughw" and run.actions == []
        assert cli.main(["status", "--config", str(setup)]) == 0
    status = capsys.readouterr().out.splitlines()
    assert status[0] == "Idle; short is selected."
    assert status[1].startswith('The sound device "plughw:CARD=Nowhere,DEV=0" (audio.device)')
    warned = [r.message for r in caplog.records if "default output plays" in r.message]
    assert len(warned) == 1 and "found none" in warned[0]
    loud = [i for i, v in enumerate(array.array("h", disk_audio.read_bytes())) if abs(v) > LOUD]
    assert loud[-1] - loud[0] > 0.9 * len(line) // 2  # the whole line, not the ready tick


def test_ready_a_speaker_plugged_in_in_time_is_used_without_a_word(setup, pins, sound_cards):
    disk_audio = sound_cards["default"]
    sound_cards["plughw:CARD=Speaker,DEV=0"] = speaker = disk_audio.with_name("speaker.raw")
    setup.write_text(setup.read_text() + '[audio]\ndevice = "plughw:CARD=Speaker,DEV=0"\n')
    with Running(setup) as run:
        run.until(lambda: any(played_bytes(speaker)))  # the ready tick
        assert run.daemon.device.fallback == "" and run.daemon.answers.fallback == ""
    assert not any(played_bytes(disk_audio))


@pytest.mark.usefixtures("pins")
def test_ready_with_no_default_output_either_it_waits_for_the_chosen_speaker(
    setup, sound_cards, monkeypatch, tmp_path
):
    monkeypatch.setattr(device, "FALLBACK_SECONDS", 0.2)
    monkeypatch.setattr(device, "DEVICE_RETRY_SECONDS", 0.1)
    sound_cards["plughw"] = sound_cards["default"] = tmp_path / "no-card-at-all" / "out.raw"
    setup.write_text(setup.read_text() + '[audio]\ndevice = "plughw:CARD=Speaker,DEV=0"\n')
    daemon = Daemon(config.load(setup))
    starting = threading.Thread(target=daemon.start)
    starting.start()
    try:
        time.sleep(1.0)  # five times the bound: the default output was tried, and failed
        assert starting.is_alive() and not daemon.mixer.is_open
        sound_cards["plughw:CARD=Speaker,DEV=0"] = tmp_path / "speaker.raw"  # plugged in
        starting.join(timeout=60)
        assert daemon.mixer.is_open and daemon.device.fallback == ""
        assert daemon.mixer.settings.device == "plughw:CARD=Speaker,DEV=0"
    finally:
        daemon.shut_down()
        starting.join(timeout=60)
        daemon.close()
