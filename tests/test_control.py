"""The control socket end to end against a running daemon, and input that must not hurt it."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player import cli
from player.core.events import Silence, State
from player.service import control
from player.service.control import CONNECTIONS, MAX_REQUEST, ControlServer, parse

from .daemonkit import Running, press


def ask(path, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(data)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        return reply


def test_control_commands_work_against_a_running_daemon(pins, setup, capsys):
    conf = ["--config", str(setup)]
    with Running(setup) as run:
        assert cli.main(["status", *conf]) == 0
        assert capsys.readouterr().out == "Idle; short is selected.\n"
        assert cli.main(["start", *conf]) == 0
        assert capsys.readouterr().out.startswith("Playing Daemon test")
        assert cli.main(["pause", *conf]) == 0
        assert run.session.state is State.PAUSED
        assert cli.main(["pause", *conf]) == 1
        assert capsys.readouterr().out.endswith("Nothing to pause: the player is paused.\n")
        assert cli.main(["resume", *conf]) == 0
        assert capsys.readouterr().out.startswith("Playing Daemon test")
        count = len(run.actions)
        assert cli.main(["stop", *conf, "--json"]) == 0
        reply = json.loads(capsys.readouterr().out)
        assert reply["ok"] and reply["state"] == "stopping"
        assert run.actions[count][1] == Silence()  # the same silence-first path as the button
        assert os.stat(setup.parent / "control.sock").st_mode & 0o777 == 0o660


def test_control_bad_requests_get_an_error_reply(pins, setup):
    path = setup.parent / "control.sock"
    with Running(setup) as run:
        for data, error in [
            (b"not json\n", "expected one JSON object per line"),
            (b'{"command": "dance"}\n', "expected a command: status, pause"),
            (b'{"command": "start", "routine": 5}\n', "expected a routine id"),
            (b"x" * (MAX_REQUEST + 10), f"expected at most {MAX_REQUEST} bytes"),
        ]:
            reply = json.loads(ask(path, data))
            assert reply["ok"] is False and error in reply["error"]
        assert run.session.state is State.IDLE


def test_control_slow_client_never_slows_the_daemon(pins, setup):
    path = setup.parent / "control.sock"
    with Running(setup):
        slow = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(4)]
        for sock in slow:
            sock.connect(str(path))
            sock.sendall(b'{"command": "sta')  # and then nothing
        start = time.monotonic()
        reply = json.loads(ask(path, b'{"command": "status"}\n'))
        assert reply["ok"] and time.monotonic() - start < 1.5
        press(pins.pin(17))  # and the button still works
        for sock in slow:
            sock.close()


def test_control_without_a_daemon_is_one_line(setup, capsys):
    assert cli.main(["status", "--config", str(setup)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"{setup.parent / 'control.sock'}: expected a running daemon, "
        "found no control socket (is the service running?)"
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_control_parse_any_bytes_gives_a_request_or_a_reason(data):
    try:
        request = parse(data)
    except ValueError as error:
        assert str(error).startswith("expected")
    else:
        assert request["command"] in {"status", "pause", "resume", "stop", "skip", "start"}


def test_control_fuzzed_input_on_the_live_socket_never_hurts_it(pins, setup):
    path = setup.parent / "control.sock"
    strategy = st.binary(max_size=200) | st.builds(
        lambda d: json.dumps(d).encode() + b"\n",
        st.dictionaries(
            st.sampled_from(["command", "routine", "x"]),
            st.one_of(
                st.none(),
                st.integers(),
                st.text(max_size=20),
                st.sampled_from(["status", "pause", "stop", "start"]),
            ),
        ),
    )
    with Running(setup) as run:

        @settings(
            max_examples=100,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(strategy)
        def poke(data: bytes) -> None:
            reply = ask(path, data + b"\n", timeout=5)
            assert reply == b"" or "ok" in json.loads(reply)

        poke()
        assert json.loads(ask(path, b'{"command": "status"}\n'))["ok"]
        assert run.thread.is_alive()


def can_read_search() -> bool:
    """True if CAP_DAC_READ_SEARCH (capability 2) is in this process's bounding set."""
    status = Path("/proc/self/status").read_text()
    bounding = next(line for line in status.splitlines() if line.startswith("CapBnd:"))
    return bool(int(bounding.split()[1], 16) & 1 << 2)


def status_as_someone_else(config) -> subprocess.CompletedProcess:
    """`routine-player status` as a user outside the socket's group. As root (how CI runs), as
    nobody, who may still read every file (CAP_DAC_READ_SEARCH: the checkout may be under
    /root) but not write to a socket that is not theirs."""
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    caps = ["--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search"]
    if not can_read_search():  # a container without it: the checkout must be readable to all
        caps = []
    command = [sys.executable, "-m", "player", "status", "--config", str(config)]
    return subprocess.run(
        [*([] if os.geteuid() else [*nobody, *caps, "--"]), *command],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_control_without_permission_is_one_line(pins, setup):
    sock = setup.parent / "control.sock"
    with Running(setup):
        os.chmod(sock, 0o666)
        reached = status_as_someone_else(setup)
        assert reached.returncode == 0, reached.stderr  # the same user, allowed, is answered
        os.chmod(sock, 0o660 if os.geteuid() == 0 else 0)  # root's group only, as installed
        refused = status_as_someone_else(setup)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"{sock}: expected permission to use the control socket, found none "
        "(join the service's group: sudo adduser $USER routine-player, then log in again)"
    ]


def test_control_close_ends_its_listening_thread_and_removes_the_socket(tmp_path):
    def listening() -> int:
        return sum(t.name == "control" for t in threading.enumerate())

    before = listening()
    server = ControlServer(tmp_path / "control.sock", lambda request: {"ok": True})
    server.start()
    assert listening() == before + 1
    assert json.loads(ask(tmp_path / "control.sock", b'{"command": "status"}\n')) == {"ok": True}
    server.close()
    assert listening() == before and not (tmp_path / "control.sock").exists()


def slow_clients(path, count: int) -> list[socket.socket]:
    """Clients that send half a request and then nothing; each waits 10 s at most for a reply
    (the server's own timeout is far shorter or far longer, as each step needs)."""
    clients = []
    for _ in range(count):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(path))  # blocking: a full backlog waits rather than fails
        sock.settimeout(10.0)
        sock.sendall(b'{"command": "sta')
        clients.append(sock)
    return clients


def closed(sock: socket.socket) -> bool:
    """True when the server has closed the connection (a reset if it left our bytes unread)."""
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def status(path) -> dict:
    """A status request as `routine-player status` makes it: the request sent, then the reply
    read (a busy server must read the request, or the client gets a reset, not the reply)."""
    return control.request(path, {"command": "status"})


def every_slot_free() -> None:
    """Wait until no connection holds a slot. Each is answered in a thread of its own, which
    gives its slot back after closing: a client has its reply, or sees the close, a moment
    before that, and a busy machine can make the moment long."""
    end = time.monotonic() + 60
    while any(thread.name == control.ANSWER for thread in threading.enumerate()):
        assert time.monotonic() < end, "a connection kept its slot"
        time.sleep(0.01)


def test_control_more_slow_clients_than_slots_get_busy_then_all_recover(tmp_path, monkeypatch):
    """Slow clients hold every slot: the next ones are told "busy" at once (not queued); the
    slots come back when the slow ones leave, or when the server drops them after its timeout,
    and then everyone is answered again. The server's timeout is 30 s while the extras are
    told busy (no busy machine takes that long to connect ten clients) and 1 s while the
    slow ones are to be dropped; nothing here needs the machine to keep up."""
    monkeypatch.setattr(control, "TIMEOUT", 30.0)
    path = tmp_path / "control.sock"
    server = ControlServer(path, lambda request: {"ok": True})
    server.start()
    try:
        slow = slow_clients(path, CONNECTIONS + 2)
        for sock in slow[CONNECTIONS:]:  # one too many: told so and let go, not left waiting
            assert "busy" in json.loads(sock.recv(4096))["error"]  # fmt: skip
            assert closed(sock)
        assert "busy" in status(path)["error"]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as late:
            late.connect(str(path))
            assert select.select([late], [], [], 5)[0]  # told busy before it even asked
            late.sendall(b'{"command": "status"}\n')  # and still not refused for asking
            assert "busy" in json.loads(late.makefile().readline())["error"]
        for sock in slow:  # they leave long before their timeout: their slots come back
            sock.close()
        end = time.monotonic() + control.TIMEOUT / 2
        while (reply := status(path)) != {"ok": True}:
            assert time.monotonic() < end, reply
        monkeypatch.setattr(control, "TIMEOUT", 1.0)
        every_slot_free()
        dropped = slow_clients(path, CONNECTIONS)
        for sock in dropped:  # still connected, sending nothing: dropped after the timeout
            assert closed(sock)
            sock.close()
        every_slot_free()
        assert status(path) == {"ok": True}
    finally:
        server.close()


def test_control_request_size_limit_is_exact(tmp_path):
    path = tmp_path / "control.sock"
    server = ControlServer(path, lambda request: {"ok": True})
    server.start()
    try:
        body = b'{"command": "status"}'
        fits = body + b" " * (MAX_REQUEST - len(body) - 1) + b"\n"  # the newline counts
        assert json.loads(ask(path, fits)) == {"ok": True}
        reply = json.loads(ask(path, body + b" " + fits[len(body) :]))
        assert reply["error"] == f"expected at most {MAX_REQUEST} bytes"
    finally:
        server.close()


def test_control_routine_id_longer_than_200_characters_is_refused():
    assert parse(json.dumps({"command": "start", "routine": "a" * 200}).encode())["routine"]
    with pytest.raises(ValueError, match="expected a routine id"):
        parse(json.dumps({"command": "start", "routine": "a" * 201}).encode())
