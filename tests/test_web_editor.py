"""The routine editor over HTTP, against the real web service and a real daemon (mock pins, SDL's
disk driver): every hostile input gets one line and writes nothing; two phones on one routine;
the player takes a saved routine without a restart; delete and bring back. The happy path in a
real browser: test_web_browser.py."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from player.core import routine
from player.routines import phone
from player.service.control import request
from player.web.app import EDIT_BODY

from .daemonkit import Running
from .webkit import Client, WebService, alert, free_port, wait_until, with_web

STEPS = {"steps": "2", "step-1.say": "Lie down slowly.", "step-2.say": "Well done."}
FORM = {"id": "mine", "title": "Mine", "sides": "", "chimes.countdown": "3", **STEPS}


@pytest.fixture
def web_setup(setup):
    port = free_port()
    return with_web(setup, port), port


def paired(web: WebService, port: int) -> tuple[Client, str]:
    client = Client(port)
    assert client.pair(web.code()) == 303
    return client, client.csrf()


def lines(page: str) -> list[str]:
    """The problem and advice lines the editor shows, and its one-line notes."""
    found = re.findall(r'<li class="(?:problem|advice)">([^<]*)<', page)
    return [html.unescape(x) for x in found + re.findall(r'role="alert">([^<]*)<', page)]


def multipart(name: str, data: bytes, csrf: str) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/toml\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(client: Client, name: str, data: bytes, csrf: str):
    import http.client

    body, headers = multipart(name, data, csrf)
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=10)
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    conn.request("POST", "/edit/upload", body, {**headers, "Cookie": cookies})
    reply = conn.getresponse()
    return reply.status, reply.read().decode()


def test_web_editor_refuses_hostile_input_with_one_line_and_writes_nothing(pins, web_setup):
    config, port = web_setup
    folder = config.parent / "state" / phone.FOLDER
    with Running(config), WebService(config) as web:
        stranger = Client(port)
        assert stranger.get("/edit")[2].headers["Location"].endswith("/pair")
        assert stranger.get("/edit/download/short", headers={"Accept": "*/*"})[0] == 401
        assert stranger.post("/edit", {**FORM, "op": "save", "csrf": "x"})[0] == 401
        client, csrf = paired(web, port)
        save = {**FORM, "op": "save", "csrf": csrf}
        assert client.post("/edit", {**save, "csrf": "forged"})[0] == 403
        for path in ("/edit", "/edit/delete", "/edit/restore", "/edit/check"):
            code, page, _ = client.post(path, save, headers={"Origin": "http://evil.example"})
            assert code == 403 and alert(page) == "Refused: the request came from another site."
        for rid in ("../../escape", "a/b", "x" * 65):
            page = client.post("/edit", {**save, "id": rid})[1]
            assert lines(page)[0].startswith("id: expected a routine id"), rid
        answer = request(
            config.parent / "control.sock",
            {"command": "save-routine", "routine": "../escape", "toml": "x", "version": ""},
        )
        assert answer == {"ok": False, "error": 'expected a routine id: lower-case letters, digits and dashes, at most 64, found "../escape"'}  # fmt: skip
        assert client.get("/edit/download/..%2Fconfig.toml")[0] == 404
        big = {**save, "step-1.say": "a" * EDIT_BODY}
        assert client.post("/edit", big)[0] == 413
        assert client.post("/edit", {**save, "step-1.say": "a" * 1001})[1].count(
            "step 1: say: expected at most 1000 characters, found 1001"
        )
        code, page = upload(client, "photo.toml", b"\x89PNG\r\n\x1a\n", csrf)
        assert (code, alert(page)) == (400, "That file is not a routine: photo.toml: expected UTF-8 text, found a byte that is not (at byte 1)")  # fmt: skip
        code, page = upload(client, "big.toml", b"#" * (phone.MAX_FILE + 1), csrf)
        assert code == 413
        assert not folder.exists() or list(folder.iterdir()) == []
        injected = {**save, "title": 'x"\n[[step]]\nsay = "injected'}
        assert client.post("/edit", injected)[0] == 303
        saved = routine.load(folder / "mine.toml")  # the text stayed text: no step injected
        assert saved.title == injected["title"] and len(saved.steps) == 2


def test_web_editor_two_phones_reload_delete_and_bring_back(pins, web_setup):
    config, port = web_setup
    sock = config.parent / "control.sock"
    with Running(config) as run, WebService(config) as web:
        a, csrf_a = paired(web, port)
        b, csrf_b = paired(web, port)
        assert a.post("/edit", {**FORM, "op": "save", "csrf": csrf_a})[0] == 303
        wait_until(lambda: "mine" in run.session.plans)  # taken without a restart
        wait_until(lambda: 'id="ready"' in a.get("/edit/saved/mine")[1])
        opened = a.get("/edit/open/mine")[1]
        version = re.search(r'name="version" value="([0-9a-f]+)"', opened)[1]
        changed = {**FORM, "version": version, "step-2.say": "All done."}
        assert b.post("/edit", {**changed, "op": "save", "csrf": csrf_b})[0] == 303
        code, page, _ = a.post("/edit", {**FORM, "version": version, "op": "save", "csrf": csrf_a})
        assert lines(page)[-1] == (
            "Not saved: mine: expected the version you opened, found it changed since "
            "(on another phone?)"
        )
        assert 'value="Lie down slowly."' not in page or "All done." not in page
        assert "All done." in a.get("/edit/download/mine")[1]
        shipped = {**FORM, "id": "upper-glutes-hands", "op": "save", "csrf": csrf_a}
        assert "may not change" in lines(a.post("/edit", shipped)[1])[-1]
        version = re.search(r'name="version" value="([0-9a-f]+)"', a.get("/edit")[1])[1]
        delete = {"routine": "mine", "version": version, "csrf": csrf_a}
        assert a.post("/edit/delete", delete)[0] == 303
        wait_until(lambda: "mine" not in request(sock, {"command": "routines"})["ready"])
        trash = re.search(r'name="trash" value="([^"]+)"', a.get("/edit")[1])[1]
        code, _, reply = a.post("/edit/restore", {"trash": trash, "csrf": csrf_a})
        assert (code, reply.headers["Location"]) == (303, f"http://127.0.0.1:{port}/edit/saved/mine")  # fmt: skip
        wait_until(lambda: 'id="ready"' in a.get("/edit/saved/mine")[1])
        assert "All done." in a.get("/edit/download/mine")[1]
