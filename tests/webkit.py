"""Helpers for tests of the web page: the real web service in a process of its own, beside a
real daemon (tests/daemonkit.py), and a small HTTP client that keeps the device's cookie."""

from __future__ import annotations

import collections
import contextlib
import html
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

COMMAND = str(Path(sys.executable).parent / "routine-player")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_web(config: Path, port: int) -> Path:
    """The test's config, listening on this machine at `port`."""
    config.write_text(config.read_text() + f'[web]\nlisten = "127.0.0.1"\nport = {port}\n')
    return config


class WebService:
    """`routine-player web` running until the block ends; SIGTERM then, as systemd does."""

    def __init__(self, config: Path) -> None:
        self.config = config

    def __enter__(self) -> WebService:
        self.process = subprocess.Popen(
            [COMMAND, "--config", str(self.config), "web"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line + self.process.stdout.read()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.exit_code = self.process.wait(timeout=15)
        self.output = self.process.stdout.read()  # what it logged, for the tests that look
        self.process.stdout.close()

    def code(self) -> str:
        out = subprocess.run(
            [COMMAND, "--config", str(self.config), "web", "pair"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return re.search(r"Pairing code: (\d+)", out)[1]


class Client:
    """One phone: HTTP requests with its cookies, no redirects followed; from `source`, a
    loopback address of its own, if given (127.0.0.2: another device on the LAN)."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port, self.cookies = port, {}
        self.source = (source, 0) if source else None

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=self.source
        )
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        reply = conn.getresponse()
        text = reply.read().decode()
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return reply.status, text, reply

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw):
        return self.request("POST", path, form, **kw)

    def pair(self, code: str) -> int:
        _, page, _ = self.get("/pair")
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]
        return self.post("/pair", {"nonce": nonce, "code": code})[0]

    def csrf(self) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get("/now")[1])[1]


def alert(page: str) -> str:
    """The one line a refused request shows."""
    return html.unescape(re.search(r'role="alert">([^<]*)<', page)[1])


def wait_until(condition, timeout: float = 120.0) -> None:
    """Poll until `condition()` holds: at once on a quiet machine; a busy one rendering with
    eSpeak on two shared cores (a saved routine, the shipped ones) may need a minute."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


class StandIn:
    """A player stand-in on the control socket, idle: answers "busy" to the first `busy`
    stops, and counts what it was asked."""

    def __init__(self, path: Path, busy: int = 0) -> None:
        self.busy, self.stops = busy, 0
        self.asked: collections.Counter[str] = collections.Counter()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        """Until the listener closes. A client gone before it asked or before the reply (the
        web service stopped mid-poll) is dropped, as the real control server drops it: raising
        here once failed an unrelated test, the next one in that worker."""
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                line = conn.makefile().readline()
                if line:
                    conn.sendall(json.dumps(self._answer(json.loads(line))).encode() + b"\n")

    def _answer(self, asked: dict) -> dict:
        self.asked[asked["command"]] += 1
        if asked["command"] == "stop":
            self.stops += 1
            if self.stops <= self.busy:
                return {"ok": False, "error": "busy: too many requests at once"}
        return {"ok": True, "state": "idle", "changed": False}

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
