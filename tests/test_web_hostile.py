"""The web page under a hostile LAN (issue 27): floods of unpaired requests, slow connections
held open, a foreign Host, codes guessed from another address. Each against the real service
in a process of its own; the figures are in docs/web.md."""

from __future__ import annotations

import http.client
import re
from pathlib import Path

from .webkit import WebService, free_port, with_web


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
    assert after_one - before < 3 * 1024, (before, after_one)
    assert after_two - after_one < 1024, (after_one, after_two)
