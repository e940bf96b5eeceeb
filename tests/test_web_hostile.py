"""The web page under a hostile LAN (issue 27): floods of unpaired requests, slow connections
held open, a foreign Host, codes guessed from another address. Each against the real service
in a process of its own; the figures are in docs/web.md."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

from player.web.app import STREAMS
from player.web.hosts import allowed, host_of
from player.web.live import TICK

from .daemonkit import Running
from .webkit import COMMAND, Client, StandIn, WebService, free_port, wait_until, with_web


def resident_kb(pid: int) -> int:
    """A process's resident memory, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1])


def flood(port: int, count: int) -> set[int]:
    """`count` unpaired requests on one kept-alive connection: refused actions, pairing pages
    and pages that do not exist; the status codes seen."""
    seen = set()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for number in range(count):
        method, path = (("POST", "/start"), ("GET", "/pair"), ("GET", f"/no/{number}"))[number % 3]
        body = "routine=short&csrf=x" if method == "POST" else None
        headers = {"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        reply.read()
        seen.add(reply.status)
    conn.close()
    return seen


def test_web_a_flood_of_unpaired_requests_keeps_memory_bounded(pins, setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with WebService(config) as web:
        flood(port, 300)  # every page compiled once, the allocator warmed up
        before = resident_kb(web.process.pid)
        assert flood(port, 3000) == {200, 401, 404}
        after_one = resident_kb(web.process.pid)
        flood(port, 3000)
        after_two = resident_kb(web.process.pid)
    print(f"resident: {before} kB, then {after_one} kB, then {after_two} kB")  # docs/web.md
    assert after_one - before < 3 * 1024, (before, after_one)
    assert after_two - after_one < 1024, (after_one, after_two)


class SlowClients:
    """`count` connections from 127.0.0.1 that each send one more byte of a request every two
    seconds, and connect again whenever the service closes one, until `stop` is set."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _connect(self) -> socket.socket | None:
        sock = socket.socket()
        sock.settimeout(1)
        try:
            sock.connect(("127.0.0.1", self.port))
        except OSError:
            sock.close()
            return None
        return sock

    def _hold(self) -> None:
        request = b"POST /control/stop HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " * 1000
        held: list[tuple[socket.socket | None, int]] = [(None, 0)] * self.count
        while not self.stop.is_set():
            for index, (sock, sent) in enumerate(held):
                if sock is None:
                    held[index] = (self._connect(), 0)
                    continue
                try:
                    sock.send(request[sent : sent + 1])
                    held[index] = (sock, sent + 1)
                except OSError:
                    sock.close()
                    held[index] = (self._connect(), 0)
            self.stop.wait(2.0)
        for sock, _ in held:
            if sock is not None:
                sock.close()

    def __enter__(self) -> SlowClients:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def test_web_bound_stop_beats_60_slow_connections_under_a_second_for_a_minute(pins, setup):
    """The issue's behaviour bound, timed on purpose: with 60 slow connections held from
    127.0.0.1, a paired phone at 127.0.0.2 gets every stop through in under a second."""
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with Running(config), WebService(config) as web:
        phone = Client(port, source="127.0.0.2")
        assert phone.pair(web.code()) == 303
        csrf = phone.csrf()
        with SlowClients(port, 60):
            time.sleep(3)  # the slow connections are open and trickling
            took = []
            end = time.monotonic() + 60
            while time.monotonic() < end:
                began = time.monotonic()
                assert phone.post("/control/stop", {"csrf": csrf})[0] == 303
                took.append(time.monotonic() - began)
                time.sleep(0.5)
    print(f"{len(took)} stops, the slowest {max(took) * 1000:.0f} ms")  # docs/web.md
    assert max(took) < 1.0, sorted(took)[-5:]
    assert "refused a connection from 127.0.0.1: it holds 8 already" in web.output
    assert "closed a connection from 127.0.0.1: its request did not arrive whole" in web.output


def test_web_host_is_read_without_its_port():
    assert host_of("Pi.Local.:8080") == "pi.local"
    assert host_of("[::1]:8080") == "::1"
    assert host_of("::1") == "::1"
    assert host_of("192.168.1.20") == "192.168.1.20"


def test_web_hosts_are_the_address_the_name_its_local_and_the_configured_names():
    names = allowed("192.168.1.20", ["Player.Home.Arpa"], machine="kitchen-pi")
    assert names == {"192.168.1.20", "kitchen-pi", "kitchen-pi.local", "player.home.arpa"}
    assert {"localhost", "127.0.0.1", "::1"} <= allowed("127.0.0.1", [], machine="pi")


def test_web_a_foreign_host_is_refused(pins, setup):
    """DNS rebinding: a site whose name now points at the Pi reaches the page through the
    phone's browser with its own name as Host; refused before pairing sees it."""
    config = with_web(setup, free_port())
    config.write_text(config.read_text() + 'names = ["player.home.arpa"]\n')
    port = int(config.read_text().split("port = ", 1)[1].split("\n")[0])
    with WebService(config):
        phone = Client(port)
        for host in (f"evil.example:{port}", "127.0.0.1.evil.example", ""):
            code, text, _ = phone.get("/pair", headers={"Host": host})
            assert code == 421, host
            assert text.startswith("This page answers only to 127.0.0.1, ::1, localhost")
        for host in (f"127.0.0.1:{port}", "localhost", "player.home.arpa", socket.gethostname()):
            assert phone.get("/pair", headers={"Host": host})[0] == 200, host


def open_stream(port: int, phone: Client) -> tuple[socket.socket, int]:
    """A live page's event stream, opened by hand; the socket and the status it got."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
    sock.sendall(
        f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n\r\n".encode()
    )
    head = sock.recv(4096)
    return sock, int(head.split()[1])


def ended(sock: socket.socket, seconds: float) -> bool:
    """Whether the stream ends (the service closes it) within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    return True


def test_web_forget_ends_the_live_pages_already_open(pins, setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with Running(config), WebService(config) as web:
        phone = Client(port)
        phone.pair(web.code())
        sock, code = open_stream(port, phone)
        assert code == 200
        forget = [COMMAND, "--config", str(config), "web", "forget"]
        assert subprocess.run(forget, capture_output=True, check=True).returncode == 0
        assert ended(sock, 60.0)  # within a few ticks, not the stream's ten minutes
        sock.close()


def test_web_a_live_page_gives_its_slot_back_as_soon_as_the_phone_goes(pins, setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with Running(config), WebService(config) as web:
        phone = Client(port)
        phone.pair(web.code())
        streams = [open_stream(port, phone) for _ in range(STREAMS)]
        assert [code for _, code in streams] == [200] * STREAMS
        extra, code = open_stream(port, phone)
        assert code == 503
        extra.close()
        streams[0][0].close()  # the phone went away: its slot is free within a tick or two

        def reopened() -> bool:
            sock, code = open_stream(port, phone)
            streams.append((sock, code))
            return code == 200

        wait_until(reopened, timeout=10.0)  # about 16 s before: until a keep-alive failed
        for sock, _ in streams[1:]:
            sock.close()


def test_web_open_live_pages_share_one_client_of_the_players_socket(setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    player = StandIn(setup.parent / "control.sock")
    try:
        with WebService(config) as web:
            phone = Client(port)
            phone.pair(web.code())
            streams = [open_stream(port, phone)[0] for _ in range(STREAMS)]
            before, began = player.asked["status"], time.monotonic()
            time.sleep(3.0)
            asked = player.asked["status"] - before
            polls = (time.monotonic() - began) / TICK  # however long the sleep really took
            for sock in streams:
                sock.close()
    finally:
        player.close()
    # As one page asks, not once per page; a busy machine may tick late (fewer), never early.
    assert 1 <= asked <= polls + 2, (asked, polls)
