"""The daemon as a process: start to READY=1 (cold and warm speech cache), then, idle, its CPU
use, wake-ups per second and resident memory over 60 seconds.

Runs `routine-player daemon` with gpiozero's mock pins and SDL's dummy audio driver (which,
like a real device, runs SDL's audio thread), and a notify socket of its own with the unit's
watchdog (WatchdogSec=30: WATCHDOG_USEC set, so the loop pets it every 15 s). CPU, wake-ups
and memory count the daemon and every process under it (the eSpeak child while it lives).
Run: .venv/bin/python benchmarks/daemon_resources.py   (about two minutes)
The daemon lets the sound device go after 30 s of quiet; both halves are measured.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IDLE_SECONDS = 60
WATCHDOG_USEC = "30000000"  # systemd/routine-player.service: WatchdogSec=30


def start(folder: Path, cache: Path) -> tuple[subprocess.Popen, float, socket.socket]:
    """Start the daemon; return it, the seconds until READY=1 arrived, and the notify socket
    (kept open, as systemd keeps it, so that the watchdog's pets arrive)."""
    address = folder / "notify.sock"
    address.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(address))
    sock.settimeout(120)
    config = folder / "config.toml"
    config.write_text(
        f'[paths]\ncache = "{cache}"\nstate = "{folder / "state"}"\n'
        f'routines = "{folder / "routines"}"\n'
    )
    env = {
        **os.environ,
        "GPIOZERO_PIN_FACTORY": "mock",
        "SDL_AUDIODRIVER": "dummy",
        "NOTIFY_SOCKET": str(address),
        "WATCHDOG_USEC": WATCHDOG_USEC,
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
    }
    begun = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "daemon", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while "READY=1" not in sock.recv(4096).decode().splitlines():
        pass
    ready = time.monotonic() - begun
    return proc, ready, sock


def family(pid: int) -> list[int]:
    """The process and all its descendants, now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(child) for child in task.read_text().split()]
    return found


def names(pid: int) -> str:
    """What each process of the family is running, for the table."""
    commands = []
    for member in family(pid):
        state = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()[0]
        argv = Path(f"/proc/{member}/cmdline").read_text().split("\0")
        words = " ".join(a for a in argv[1:3] if a and not a.startswith("/"))
        commands.append("a child that ended, not yet reaped" if state == "Z" else words)
    return "; ".join(commands)


def cpu_ticks(pid: int) -> int:
    """utime + stime of the process and its descendants, and of the children it reaped."""
    total = 0
    for member in family(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total


def switches(pid: int) -> int:
    """Context switches of every thread of the process and its descendants."""
    total = 0
    for member in family(pid):
        for task in Path(f"/proc/{member}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def measure(pid: int, seconds: float) -> tuple[float, float, int]:
    """CPU use (% of one core), wake-ups per second over `seconds`, and the most processes
    seen (a child that ends mid-way takes its switches with it: a lower bound then)."""
    ticks, wakes, begun = cpu_ticks(pid), switches(pid), time.monotonic()
    most = len(family(pid))
    while time.monotonic() - begun < seconds:
        time.sleep(1)
        most = max(most, len(family(pid)))
    elapsed = time.monotonic() - begun
    cpu = (cpu_ticks(pid) - ticks) / os.sysconf("SC_CLK_TCK") / elapsed * 100
    return cpu, (switches(pid) - wakes) / elapsed, most


def rss_mib(pid: int) -> float:
    """Resident memory of the process and its descendants (shared pages counted in each)."""
    total = 0
    for member in family(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def pets(sock: socket.socket) -> int:
    """WATCHDOG=1 messages waiting on the notify socket."""
    sock.setblocking(False)
    count = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            count += "WATCHDOG=1" in sock.recv(4096).decode().splitlines()
    return count


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp())
    cache = folder / "cache"
    proc, cold, sock = start(folder, cache)
    proc.terminate()
    proc.wait()
    sock.close()
    proc, warm, sock = start(folder, cache)
    time.sleep(5)  # the other routines render in the background after READY=1
    held = measure(proc.pid, 20)  # the sound device still open: SDL's audio thread runs
    time.sleep(15)  # past RELEASE_SECONDS (30 s) of quiet: the device is let go
    released = measure(proc.pid, IDLE_SECONDS)
    rss, processes, running = rss_mib(proc.pid), len(family(proc.pid)), names(proc.pid)
    proc.terminate()
    code = proc.wait()
    petted = pets(sock)
    print("| the daemon (one run) | figure |\n|---|---|")
    print(f"| process start to READY=1, cold cache (renders the selected routine) | {cold:.2f} s |")
    print(f"| process start to READY=1, warm cache | {warm:.2f} s |")
    for label, (cpu, rate, most) in (
        ("sound device held, 5 to 25 s after READY=1", held),
        (f"sound device let go, {IDLE_SECONDS} s", released),
    ):
        print(f"| idle CPU, {label}, {most} process(es) | {cpu:.2f} % of one core |")
        print(f"| idle wake-ups (context switches, all threads), {label} | {rate:.1f} per second |")
    print(f"| resident memory, idle, {processes} process(es) ({running}) | {rss:.1f} MiB |")
    print(f"| watchdog pets received (WatchdogSec=30), about 100 s | {petted} |")
    print(f"| exit status after SIGTERM | {code} |")
