"""The daemon as a process: start to READY=1 (cold and warm speech cache), then, idle, its CPU
use, wake-ups per second and resident memory over 60 seconds.

Runs `routine-player daemon` with gpiozero's mock pins and SDL's dummy audio driver (which,
like a real device, runs SDL's audio thread), and a notify socket of its own.
Run: .venv/bin/python benchmarks/daemon_resources.py   (about two minutes)
The daemon lets the sound device go after 30 s of quiet; both halves are measured.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IDLE_SECONDS = 60


def start(folder: Path, cache: Path) -> tuple[subprocess.Popen, float]:
    """Start the daemon; return it and the seconds until READY=1 arrived."""
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
    sock.close()
    return proc, ready


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def switches(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def measure(pid: int, seconds: float) -> tuple[float, float]:
    """CPU use (% of one core) and wake-ups per second over `seconds`."""
    ticks, wakes, begun = cpu_ticks(pid), switches(pid), time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - begun
    cpu = (cpu_ticks(pid) - ticks) / os.sysconf("SC_CLK_TCK") / elapsed * 100
    return cpu, (switches(pid) - wakes) / elapsed


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp())
    cache = folder / "cache"
    proc, cold = start(folder, cache)
    proc.terminate()
    proc.wait()
    proc, warm = start(folder, cache)
    time.sleep(5)  # the other routines render in the background after READY=1
    held = measure(proc.pid, 20)  # the sound device still open: SDL's audio thread runs
    time.sleep(15)  # past RELEASE_SECONDS (30 s) of quiet: the device is let go
    released = measure(proc.pid, IDLE_SECONDS)
    rss = rss_mib(proc.pid)
    proc.terminate()
    code = proc.wait()
    print("| the daemon | figure |\n|---|---|")
    print(f"| process start to READY=1, cold cache (renders the selected routine) | {cold:.2f} s |")
    print(f"| process start to READY=1, warm cache | {warm:.2f} s |")
    for label, (cpu, rate) in (
        ("sound device held, first 20 s", held),
        (f"sound device let go, {IDLE_SECONDS} s", released),
    ):
        print(f"| idle CPU, {label} | {cpu:.2f} % of one core |")
        print(f"| idle wake-ups (context switches, all threads), {label} | {rate:.1f} per second |")
    print(f"| resident memory, idle | {rss:.1f} MiB |")
    print(f"| exit status after SIGTERM | {code} |")
