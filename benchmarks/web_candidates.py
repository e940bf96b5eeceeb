"""Why Bottle and Waitress (docs/web.md): the resident memory of an idle hello-world server on
each candidate HTTP library, after one request, median of 3 runs each.

The candidates are not the project's dependencies, so this runs in a venv of its own:
  python3 -m venv /tmp/candidates
  /tmp/candidates/bin/pip install aiohttp starlette uvicorn bottle waitress
  /tmp/candidates/bin/python benchmarks/web_candidates.py   (about half a minute)
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SERVERS = {
    "Bottle + Waitress": """
import bottle, waitress
bottle.route("/")(lambda: "hi")
waitress.serve(bottle.default_app(), host="127.0.0.1", port=PORT, threads=8, _quiet=True)
""",
    "Starlette + uvicorn (h11)": """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
import uvicorn
async def hi(request): return PlainTextResponse("hi")
uvicorn.run(Starlette(routes=[Route("/", hi)]), host="127.0.0.1", port=PORT,
            log_level="warning", http="h11", loop="asyncio")
""",
    "aiohttp": """
from aiohttp import web
async def hi(request): return web.Response(text="hi")
app = web.Application()
app.router.add_get("/", hi)
web.run_app(app, host="127.0.0.1", port=PORT, print=None)
""",
}


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def once(code: str) -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", code.replace("PORT", str(port))])
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        return rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    print("| idle hello-world server, after one request | resident memory, median of 3 |")
    print("|---|---|")
    for name, code in SERVERS.items():
        print(f"| {name} | {statistics.median(once(code) for _ in range(3)):.1f} MiB |")
