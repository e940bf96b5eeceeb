"""The control socket and its commands at their edges: one daemon per socket, requests it
cannot take, a full house, an unknown routine, and what the log and the CLI say."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time

from player import cli, config
from player.core.events import State
from player.service import control
from player.service.control import ControlServer

from .daemonkit import Running
from .test_control import ask


def second_daemon(setup) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "daemon", "--config", str(setup)],
        env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "SDL_AUDIODRIVER": "dummy"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_control_second_daemon_refuses_in_one_line_and_leaves_the_first_reachable(
    pins, setup, capsys
):
    sock = setup.parent / "control.sock"
    with Running(setup):
        second = second_daemon(setup)
        assert second.returncode == 1
        assert second.stderr.splitlines() == [
            f"{sock}: expected no other daemon on this control socket, found one running "
            f"(process {os.getpid()}); stop it first (sudo systemctl stop routine-player, "
            "if it is the service)"
        ]
        assert cli.main(["status", "--config", str(setup)]) == 0
        assert capsys.readouterr().out == "Idle; short is selected.\n"


def test_control_close_never_removes_a_socket_it_did_not_make(tmp_path):
    path = tmp_path / "control.sock"
    first = ControlServer(path, lambda request: {"ok": True, "who": "first"})
    first.start()
    path.unlink()  # someone took the place, as a second daemon used to
    second = ControlServer(path, lambda request: {"ok": True, "who": "second"})
    second.start()
    first.close()
    try:
        assert json.loads(ask(path, b'{"command": "status"}\n'))["who"] == "second"
    finally:
        second.close()
    assert not path.exists()


def test_control_a_stale_socket_is_replaced(tmp_path):
    path = tmp_path / "control.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening: what a killed daemon leaves
    server = ControlServer(path, lambda request: {"ok": True})
    server.start()
    try:
        assert json.loads(ask(path, b'{"command": "status"}\n')) == {"ok": True}
    finally:
        server.close()


def test_control_deep_nesting_gets_one_error_reply_and_no_traceback(pins, setup, capfd):
    with Running(setup):
        reply = json.loads(ask(setup.parent / "control.sock", b"[" * 3000 + b"\n"))
        assert reply == {
            "ok": False,
            "error": "expected one JSON object per line, found lists nested too deeply",
        }
    assert "Traceback" not in capfd.readouterr().err


def test_control_with_every_slot_held_the_cli_says_busy(pins, setup, capsys, monkeypatch):
    monkeypatch.setattr(control, "TIMEOUT", 60.0)  # the held connections stay held
    path = setup.parent / "control.sock"
    with Running(setup):
        held = [
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(control.CONNECTIONS)
        ]
        for sock in held:
            sock.connect(str(path))
        assert json.loads(ask(path, b'{"command": "status"}\n'))["error"].startswith("busy")
        for _ in range(20):  # the daemon may answer and close before the CLI has sent
            assert cli.main(["status", "--config", str(setup)]) == 1
            assert capsys.readouterr().err == f"{path}: busy: too many requests at once\n"
        for sock in held:
            sock.close()


def test_control_start_of_an_unknown_or_broken_routine_is_one_clear_line(pins, setup, capsys):
    (setup.parent / "routines" / "broken.toml").write_text('title = "x"\n[[step]]\nsya = "x"\n')
    conf = ["--config", str(setup)]
    with Running(setup) as run:
        assert cli.main(["start", "shrot", *conf]) == 1
        assert capsys.readouterr().err.splitlines() == [
            "shrot: expected the id of a routine the player can see, found none by that name "
            "(routines: broken, short, upper-glutes-ball-floor, upper-glutes-ball-wall, "
            "upper-glutes-everyday, upper-glutes-first-time, "
            'upper-glutes-foam-roller, upper-glutes-hands; did you mean "short"?)'
        ]
        assert cli.main(["start", "no-such", *conf, "--json"]) == 1
        reply = json.loads(capsys.readouterr().out)
        assert reply["ok"] is False and "found none by that name" in reply["error"]
        assert cli.main(["start", "broken", *conf]) == 1
        (line,) = capsys.readouterr().err.splitlines()
        assert line.endswith('broken.toml: step 1: sya: unknown field (did you mean "say"?)')
        assert run.session.state is State.IDLE


def test_control_skip_and_a_resume_in_the_log(pins, setup, capsys, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    conf = ["--config", str(setup)]
    with Running(setup) as run:
        assert cli.main(["start", *conf]) == 0
        assert cli.main(["pause", *conf]) == 0
        assert cli.main(["resume", *conf]) == 0
        assert cli.main(["pause", *conf]) == 0
        assert cli.main(["skip", *conf]) == 0
        assert run.session.state is State.PLAYING
    assert caplog.text.count("resumed") == 2  # the resume and the skip both go on playing


def test_control_play_of_an_unknown_routine_says_did_you_mean(capsys):
    assert cli.main(["play", "upper-glutes-hand"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("upper-glutes-hand: expected a routine id or a .toml file")
    assert line.endswith('did you mean "upper-glutes-hands"?)')


def test_control_without_config_reaches_the_installed_service(
    pins, setup, capsys, monkeypatch, own_folders
):
    monkeypatch.setattr(config, "SYSTEM", setup)  # as /etc/routine-player/config.toml
    with Running(setup):
        assert cli.main(["status"]) == 0
        assert capsys.readouterr().out == "Idle; short is selected.\n"
        assert cli.main(["history"]) == 0
        assert capsys.readouterr().out == "No sessions in the last 7 days.\n"
    assert not (own_folders / ".local").exists()  # it read the service's history, not ours
    assert config.load(None).paths.cache == own_folders / ".cache" / "routine-player"  # play's


def test_control_while_the_daemon_starts_it_says_so(pins, setup, tmp_path, monkeypatch, capsys):
    from player.service import daemon as daemon_module
    from player.service import device

    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "not-yet" / "out.raw"))  # no device
    monkeypatch.setattr(device, "DEVICE_RETRY_SECONDS", 0.1)
    daemon = daemon_module.Daemon(config.load(setup))
    starting = threading.Thread(target=daemon.start)
    starting.start()
    try:
        sock = setup.parent / "control.sock"
        while not sock.exists():
            time.sleep(0.01)
        assert cli.main(["status", "--config", str(setup)]) == 1
        assert capsys.readouterr().err == f"{sock}: the player is starting; ask again in a moment\n"
    finally:
        (tmp_path / "not-yet").mkdir()
        starting.join(timeout=30)
        daemon.shut_down()
        daemon.close()
