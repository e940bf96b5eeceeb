"""The web service (issue 20): its resident memory and CPU idle and with a live page open, and
the time from a tap on stop to a halted mixer through it, beside the control socket and the
command line.

The daemon runs in this process on gpiozero's MockFactory and SDL's dummy driver; its mixer's
`silence()` is wrapped to note when it returned (the mixer halted). The web service runs as
`routine-player web` in its own process. A tap is the moment the stop form's POST is sent;
the clocks agree, since CLOCK_MONOTONIC is one clock for every process of the machine.
Run: .venv/bin/python benchmarks/web_resources.py   (about two and a half minutes)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from _tools import ROOT, summary
from daemon_resources import measure, rss_mib

sys.path.insert(0, str(ROOT))
folder = Path(tempfile.mkdtemp())
os.environ.update(GPIOZERO_PIN_FACTORY="mock", SDL_AUDIODRIVER="dummy")

from player import config  # noqa: E402
from player.core.events import State  # noqa: E402
from player.service.control import request  # noqa: E402
from player.service.daemon import Daemon  # noqa: E402
from tests.daemonkit import ROUTINE  # noqa: E402
from tests.webkit import COMMAND, Client, WebService, free_port, with_web  # noqa: E402

TAPS = 20
IDLE_SECONDS = 60
LIVE_SECONDS = 30


class Stamped:
    """The daemon's mixer, noting when each silence() returned."""

    def __init__(self, daemon: Daemon) -> None:
        self.times: list[float] = []
        silence = daemon.mixer.silence

        def stamped() -> None:
            silence()
            self.times.append(time.monotonic())

        daemon.mixer.silence = stamped


def playing(daemon: Daemon, socket: Path) -> None:
    """Start the routine and wait until it has sounded for a moment."""
    request(socket, {"command": "start"})
    while daemon.session.state is not State.PLAYING:
        time.sleep(0.01)
    time.sleep(1.0)


def taps(daemon: Daemon, socket: Path, stamps: Stamped, stop) -> list[float]:
    """Milliseconds from each tap to the mixer halted."""
    found = []
    for _ in range(TAPS):
        playing(daemon, socket)
        count = len(stamps.times)
        tapped = time.monotonic()
        stop()
        while len(stamps.times) == count:
            time.sleep(0.001)
        found.append((stamps.times[count] - tapped) * 1000)
        while daemon.session.state is not State.IDLE:
            time.sleep(0.01)
    return found


def live_page(port: int, cookies: dict, seconds: float) -> None:
    """A phone with the session page open: reads the event stream for `seconds`."""
    opener = urllib.request.Request(
        f"http://127.0.0.1:{port}/events",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    end = time.monotonic() + seconds
    with urllib.request.urlopen(opener, timeout=30) as stream:
        while time.monotonic() < end:
            stream.readline()


def main() -> None:
    (folder / "routines").mkdir()
    (folder / "routines" / "short.toml").write_text(ROUTINE)
    port = free_port()
    path = folder / "config.toml"
    path.write_text(
        '[player]\nroutine = "short"\n[paths]\nroutines = "routines"\nstate = "state"\n'
        'control_socket = "control.sock"\ncache = "cache"\n'
    )
    with_web(path, port)
    socket = folder / "control.sock"
    daemon = Daemon(config.load(path))
    daemon.start()
    serving = threading.Thread(target=daemon.serve)
    serving.start()
    stamps = Stamped(daemon)
    with WebService(path) as web:
        pid = web.process.pid
        phone = Client(port)
        phone.pair(web.code())
        for page in ("/", "/now", "/history"):
            phone.get(page)
        first_rss = rss_mib(pid)
        idle = measure(pid, IDLE_SECONDS)
        reader = threading.Thread(target=live_page, args=(port, phone.cookies, LIVE_SECONDS + 2))
        reader.start()
        time.sleep(1)
        live = measure(pid, LIVE_SECONDS)
        reader.join()
        csrf = phone.csrf()
        web_ms = taps(daemon, socket, stamps, lambda: phone.post("/control/stop", {"csrf": csrf}))
        rss = rss_mib(pid)
    socket_ms = taps(daemon, socket, stamps, lambda: request(socket, {"command": "stop"}))
    command = [COMMAND, "--config", str(path), "stop"]
    quiet = subprocess.DEVNULL
    cli_ms = taps(
        daemon, socket, stamps, lambda: subprocess.run(command, check=False, stdout=quiet)
    )
    daemon.shut_down()
    serving.join()
    daemon.close()
    print("| the web service | figure |\n|---|---|")
    print(f"| resident memory after the first pages | {first_rss:.1f} MiB |")
    print(f"| resident memory after {TAPS} stops and a live page | {rss:.1f} MiB |")
    for label, (cpu, rate) in (
        (f"idle, no page open, {IDLE_SECONDS} s", idle),
        (f"one live page open, {LIVE_SECONDS} s", live),
    ):
        print(f"| CPU, {label} | {cpu:.2f} % of one core, {rate:.1f} wake-ups per second |")
    print(f"\n| tap on stop to the mixer halted, {TAPS} taps | median / p95 / max |\n|---|---|")
    print(f"| ours: the page's stop form (HTTP, then the control socket) | {summary(web_ms)} ms |")
    print(f"| the control socket directly | {summary(socket_ms)} ms |")
    print(f"| naive: `routine-player stop` (a new process each time) | {summary(cli_ms)} ms |")


if __name__ == "__main__":
    main()
