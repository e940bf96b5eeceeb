"""The web service over HTTP, against a real daemon on mock pins and SDL's disk driver: who
gets in, and what bad input gets. The happy path in a real browser: test_web_browser.py."""

from __future__ import annotations

import contextlib
import json
import socket
import threading

import pytest

from player.core.events import State
from player.service.control import request

from .daemonkit import Running
from .webkit import Client, StandIn, WebService, alert, free_port, wait_until, with_web


@pytest.fixture
def web_setup(setup):
    port = free_port()
    return with_web(setup, port), port


def status(setup) -> dict:
    return request(setup.parent / "control.sock", {"command": "status"})


def test_web_without_a_paired_token_every_action_is_refused(pins, web_setup):
    config, port = web_setup
    with Running(config) as run, WebService(config) as web:
        stranger = Client(port)
        for path in ("/", "/now", "/history", "/note/1"):
            code, _, reply = stranger.get(path)
            assert (code, reply.headers["Location"]) == (303, f"http://127.0.0.1:{port}/pair")
        for path in ("/events", "/export.csv", "/export.json"):
            assert stranger.get(path, headers={"Accept": "*/*"})[0] == 401
        stranger.cookies["rp_device"] = "a-token-that-was-never-issued-or-was-forgotten"
        for path, form in (
            ("/start", {"routine": "short", "csrf": "x"}),
            ("/control/stop", {"csrf": "x"}),
            ("/control/pause", {"csrf": "x"}),
            ("/note/1", {"effort": "1", "pain": "1", "csrf": "x"}),
        ):
            code, page, _ = stranger.post(path, form)
            assert code == 401 and alert(page) == (
                "This device is not paired, or no longer: pair it again."
            )
        assert run.session.state is State.IDLE and web.process.poll() is None
    assert web.exit_code == 0  # SIGTERM: a clean exit


def test_web_pairing_needs_the_code_and_is_rate_limited(pins, web_setup):
    config, port = web_setup
    with WebService(config) as web:
        phone = Client(port)
        assert phone.post("/pair", {"nonce": "made-up", "code": "000000"})[0] == 403  # CSRF
        code = web.code()
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        for _ in range(5):
            assert phone.pair(wrong) == 403
        assert phone.pair(code) == 429  # the sixth try within a minute, even the right code
        assert "rp_device" not in phone.cookies


def test_web_actions_need_the_csrf_token_and_the_same_origin(pins, web_setup):
    config, port = web_setup
    with Running(config) as run, WebService(config) as web:
        phone = Client(port)
        assert phone.pair(web.code()) == 303 and "rp_device" in phone.cookies
        csrf = phone.csrf()
        assert phone.post("/start", {"routine": "short"})[0] == 403
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            code, page, _ = phone.post(
                "/start", {"routine": "short", "csrf": csrf}, headers=headers
            )
            assert code == 403 and alert(page) == "Refused: the request came from another site."
        assert run.session.state is State.IDLE
        assert phone.post("/start", {"routine": "short", "csrf": csrf})[0] == 303
        wait_until(lambda: run.session.state is State.PLAYING)
        assert phone.post("/control/stop", {"csrf": csrf})[0] == 303
        wait_until(lambda: run.session.state is State.IDLE)


def test_web_bad_input_gets_one_clear_answer_and_stores_nothing(pins, web_setup):
    config, port = web_setup
    with Running(config) as run, WebService(config) as web:
        phone = Client(port)
        phone.pair(web.code())
        csrf = phone.csrf()
        start = {"csrf": csrf, "routine": "short"}
        for form, expected in (
            ({**start, "routine": "nope"}, (404, 'There is no routine called "nope".')),
            ({**start, "side": "middle"}, (400, '"Daemon test" has no side called "middle".')),
            (
                {**start, "routine": "x" * 300},
                (400, "Routine is too long: at most 200 characters."),
            ),
        ):
            code, page, _ = phone.post("/start", form)
            assert (code, alert(page)) == expected
        assert run.session.state is State.IDLE
        phone.post("/start", start)
        wait_until(lambda: run.session.state is State.PLAYING)
        phone.post("/control/stop", {"csrf": csrf})
        wait_until(lambda: run.session.state is State.IDLE)
        note = {"csrf": csrf, "effort": "3", "pain": "2", "where": "left hip", "text": "ok"}
        for path, form, expected in (
            ("/note/1", {**note, "text": "x" * 501}, "Text is too long: at most 500 characters."),
            ("/note/1", {**note, "effort": "11"}, "Effort must be a whole number from 0 to 10."),
            ("/note/1", {**note, "pain": "-1"}, "Pain must be a whole number from 0 to 10."),
            ("/note/99", note, "There is no session 99 in the history."),
            (
                "/note/1",
                {**note, "where": "\x07"},
                "The note was not saved: expected where without control characters.",
            ),
        ):
            code, page, _ = phone.post(path, form)
            assert code in (400, 404) and alert(page) == expected
        code, page, _ = phone.post("/note/1", {**note, "text": "y" * 20000})
        assert code == 413
        assert json.loads(phone.get("/export.json")[1])["sessions"][0]["note"] is None
        assert phone.post("/note/1", note)[0] == 303
        saved = json.loads(phone.get("/export.json")[1])["sessions"][0]["note"]
        assert saved == {"effort": 3, "pain": 2, "where": "left hip", "text": "ok"}


def test_web_a_flood_is_refused_but_stop_always_goes_through(pins, web_setup):
    config, port = web_setup
    with Running(config) as run, WebService(config) as web:
        phone = Client(port)
        phone.pair(web.code())
        csrf = phone.csrf()
        codes = [phone.post("/control/pause", {"csrf": csrf})[0] for _ in range(40)]
        assert codes.count(429) >= 10 and set(codes) == {303, 429}
        code, page, reply = phone.post("/control/resume", {"csrf": csrf})
        wait = reply.headers["Retry-After"]  # the page says the same number (issue 27)
        assert code == 429 and 1 <= int(wait) <= 10
        assert alert(page) == f"Too many requests at once: wait {wait} s and retry."
        assert phone.post("/control/stop", {"csrf": csrf})[0] == 303  # never rate limited
        assert status(config)["ok"] and run.thread.is_alive()


def test_web_asks_for_one_side_and_shows_the_players_answer(setup, tmp_path):
    """The one-side choice goes to the socket as issue 16's "side", exactly as sent (a player
    stand-in reads the raw lines); a refusal comes back as one line."""
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    (tmp_path / "routines" / "two.toml").write_text(
        'title = "Two sides"\nsides = ["left", "right"]\n[[step]]\nsay = "On the {side}."\n'
        "each_side = true\n"
    )
    asked = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(setup.parent / "control.sock"))
    listener.listen(4)

    def player() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with conn:
                    asked.append(json.loads(conn.makefile().readline()))
                    refusal = {"ok": False, "error": "expected a side this routine has"}
                    conn.sendall(json.dumps(refusal).encode() + b"\n")

    threading.Thread(target=player, daemon=True).start()
    try:
        with WebService(config) as web:
            phone = Client(port)
            phone.pair(web.code())
            form = {"csrf": phone.csrf(), "routine": "two", "side": "left"}
            code, page, _ = phone.post("/start", form)
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
    assert {"command": "start", "routine": "two", "side": "left"} in asked
    assert (code, alert(page)) == (409, "The player said: expected a side this routine has")


def test_web_the_device_cookie_is_refreshed_on_every_use(pins, web_setup):
    """docs/web.md promises 400 days after the last use, not after pairing (issue 27)."""
    config, port = web_setup
    with Running(config), WebService(config) as web:
        phone = Client(port)
        phone.pair(web.code())
        token = phone.cookies["rp_device"]
        _, _, reply = phone.get("/now")
        cookie = reply.headers["Set-Cookie"]
        assert cookie.startswith(f"rp_device={token};") and f"Max-Age={400 * 86400}" in cookie


def test_web_a_stop_the_player_answers_busy_is_asked_again(setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    player = StandIn(setup.parent / "control.sock", busy=3)
    try:
        with WebService(config) as web:
            phone = Client(port)
            phone.pair(web.code())
            assert phone.post("/control/stop", {"csrf": phone.csrf()})[0] == 303
            player.busy = 100  # busy for longer than a second: then the page says so
            code, page, _ = phone.post("/control/stop", {"csrf": phone.csrf()})
    finally:
        player.close()
    assert player.stops == 4 + 11
    assert (code, alert(page)) == (409, "The player said: busy: too many requests at once")
