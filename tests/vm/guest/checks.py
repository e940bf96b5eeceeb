"""The checks of `make vm-test`, run inside the booted test machine as root (docs/testing.md).

The player is driven only as a person drives it: the simulated GPIO line (a press is the line
pulled low), what comes out of the ALSA loopback card, systemctl, and the installed commands.
Results go to the results share as checks.json and checks.md; the host reads them.
Standard library only: this runs on the machine's own Python, outside the product's venv.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import ctypes
import html.parser
import json
import math
import os
import pwd
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

UNIT = "routine-player"
WEB_UNIT = "routine-player-web"
WEB = "http://127.0.0.1:8080"  # the test machine has no LAN: the page listens on loopback
VENV_BIN = Path("/opt/routine-player/venv/bin")
CONFIG = Path("/etc/routine-player/config.toml")
SOCKET = Path("/run/routine-player/control.sock")
HISTORY = Path("/var/lib/routine-player/history.sqlite3")
PROJECT = Path("/root/routine-player")
LOOPBACK = Path("/sys/bus/platform/drivers/snd_aloop")
FIXTURES = Path("/usr/local/lib/vm-test")
STALL_DROPIN = Path(f"/run/systemd/system/{UNIT}.service.d/vm-test-stall.conf")
PYGAME_MIN_FRAMES = 256  # pygame-ce's mixer raises any smaller buffer to this (src_c/mixer.c)
LOUD = 1000  # about -30 dBFS: speech and chimes are far above it, the loopback's silence is 0
PERIOD = 256  # frames per read
# Edge to the daemon's silence, and a tick of the loopback's timer, on an emulated machine
# kept busy on purpose: a press on CI's host once measured 80 ms where the buffer and the
# period SDL mixes ahead hold 64 ms (docs/testing.md, check 3).
EDGE_S = 0.025
CAPTURE, S16_LE, RW_INTERLEAVED = 1, 2, 3  # libasound's enums
SLEEP_S = 5.0  # the sleepiest speakers sleep after this much digital silence (issue 18)
WAKE_MS = 1000  # audio.wake_ms, the installed config's
PLAYBACK_STATUS = Path("/proc/asound/Loopback/pcm0p/sub0/status")
PIPER_VOICE = Path("/usr/local/share/routine-player/voices/tiny.onnx")  # put there by image.sh
BT_DEVICE = b"bluealsa:DEV=00:11:22:33:44:55,PROFILE=a2dp"  # no such speaker: BlueALSA says so
CHOSEN = "plughw:CARD=Loopback,DEV=1"  # the loopback card by its name, as setup lists it
PHONE_ROUTINES = Path("/var/lib/routine-player/phone-routines")
EXTRAS = Path("/etc/routine-player/extras")


class SampleClock:
    """When each sample of a capture was captured, on the monotonic clock that button presses
    are timed on, from stamps of "the last of `count` samples, captured at `moment`" (now, less
    what ALSA still holds). A stamp can only be late (the reader may get the CPU or the GIL back
    after the query), never early, and the samples of an unbroken run are evenly spaced; so a
    sample's time comes from the earliest stamp within a second of it, not from its own chunk's,
    whose lateness would count against the player. An overrun drops samples: a new run."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._counts: list[int] = []  # the stamps' sample counts, in order
        self._stamps: list[float] = []
        self._zeros: list[float] = []  # when each stamp puts sample 0 of its run
        self._runs = [0]  # where each run starts, in samples

    def stamp(self, count: int, moment: float) -> None:
        """The `count`th sample (one of a run) was captured at `moment`, or before it."""
        self._counts.append(count)
        self._stamps.append(moment)
        self._zeros.append(moment - (count - 1) / self.rate)

    def gap(self, count: int) -> None:
        """Samples were lost after the first `count`: what follows is a new run."""
        self._runs.append(count)

    def time_of(self, index: int) -> float:
        """When sample `index` was captured; infinity if it has not been stamped yet."""
        if not self._counts or self._counts[-1] <= index:
            return float("inf")
        return self._zero(index) + index / self.rate

    def index_at(self, moment: float) -> int:
        """The first sample captured at or after `moment` (the count so far if none was)."""
        near = bisect.bisect_left(self._stamps, moment)  # the stamps are near enough in order
        if near == len(self._stamps):
            return self._counts[-1] if self._counts else 0
        guess = max(0, self._counts[near] - 1)  # at or before the sample: stamps are late
        run = bisect.bisect_right(self._runs, guess) - 1
        end = min([*self._runs[run + 1 :], self._counts[-1]])
        found = math.ceil((moment - self._zero(guess)) * self.rate)
        return min(max(found, self._runs[run]), end)

    def _zero(self, index: int) -> float:
        """When sample 0 of `index`'s run would have been captured, by the earliest stamp
        within a second of `index` in its run."""
        run = bisect.bisect_right(self._runs, index) - 1
        low = max(self._runs[run], index - self.rate)
        high = min([*self._runs[run + 1 :], index + self.rate])
        first = bisect.bisect_right(self._counts, low)
        last = bisect.bisect_right(self._counts, high)
        return min(self._zeros[first:last])  # never empty: the stamp that holds `index` is in it


class Recording:
    """Captures the loopback card's output through libasound, each chunk stamped on a
    SampleClock.

    The loopback card makes both ends share one rate, period and buffer size, so the capture
    asks for the daemon's own (`frames` and `rate`, from its config), whichever end opens first;
    with `frames=None` it takes the period of the open playback end."""

    def __init__(self, frames: int | None, rate: int, end: bytes = b"plughw:Loopback,1,0") -> None:
        self.rate = rate
        self.samples = array.array("h")
        self.clock = SampleClock(rate)
        self.restarts, self.ended = 0, ""  # the capture stopped (and why it stayed stopped)
        self._lock = threading.Lock()
        self._alsa = ctypes.CDLL("libasound.so.2")
        self._alsa.snd_pcm_readi.restype = ctypes.c_long
        self._pcm = ctypes.c_void_p()
        self._call("snd_pcm_open", ctypes.byref(self._pcm), end, CAPTURE, 0)
        self._configure(frames)
        self._going = True
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _call(self, name: str, *args: object) -> None:
        status = getattr(self._alsa, name)(*args)
        if status < 0:
            raise OSError(f"{name}: ALSA error {status}")

    def _configure(self, frames: int | None) -> None:
        params = ctypes.c_void_p()
        self._call("snd_pcm_hw_params_malloc", ctypes.byref(params))
        try:
            self._call("snd_pcm_hw_params_any", self._pcm, params)
            self._call("snd_pcm_hw_params_set_access", self._pcm, params, RW_INTERLEAVED)
            self._call("snd_pcm_hw_params_set_format", self._pcm, params, S16_LE)
            self._call("snd_pcm_hw_params_set_channels", self._pcm, params, 1)
            self._call("snd_pcm_hw_params_set_rate", self._pcm, params, self.rate, 0)
            if frames:
                size = ctypes.c_ulong(frames)
                self._call(
                    "snd_pcm_hw_params_set_period_size_near",
                    self._pcm,
                    params,
                    ctypes.byref(size),
                    None,
                )
                size = ctypes.c_ulong(frames * 2)
                self._call(
                    "snd_pcm_hw_params_set_buffer_size_near", self._pcm, params, ctypes.byref(size)
                )
            self._call("snd_pcm_hw_params", self._pcm, params)
        finally:
            self._alsa.snd_pcm_hw_params_free(params)

    def _read(self) -> None:
        chunk, delay = (ctypes.c_int16 * PERIOD)(), ctypes.c_long()
        while self._going:
            count = self._alsa.snd_pcm_readi(self._pcm, chunk, PERIOD)
            if count < 0:  # an overrun, or the capture stopped: start again, with a gap
                stopped = self._alsa.snd_pcm_recover(self._pcm, int(count), 1) < 0
                if stopped and not self._restart():
                    self.ended = f"ALSA error {count}, and it would not start again"
                    return
                with self._lock:
                    self.clock.gap(len(self.samples))
                    self.restarts += stopped
                continue
            self._alsa.snd_pcm_delay(self._pcm, ctypes.byref(delay))
            captured = time.monotonic() - delay.value / self.rate
            with self._lock:
                self.samples.extend(chunk[:count])
                self.clock.stamp(len(self.samples), captured)

    def _restart(self) -> bool:
        """Start a capture that recover() could not: after a stall longer than ALSA's 10 s wait
        (seen once while Piper rendered under emulation) a read fails with EIO and the stream is
        still running, so it must be dropped before prepare() will take it (EBUSY otherwise)."""
        self._alsa.snd_pcm_drop(self._pcm)
        return self._alsa.snd_pcm_prepare(self._pcm) >= 0

    def time_of(self, index: int) -> float:
        """When sample `index` was captured; infinity if it has not been yet."""
        with self._lock:
            return self.clock.time_of(index)

    def index_at(self, moment: float) -> int:
        """The first sample captured at or after `moment`."""
        with self._lock:
            return self.clock.index_at(moment)

    def loud(self, after: float, before: float = float("inf")) -> list[int]:
        """Indexes of loud samples that came out between two moments."""
        start, end = self.index_at(after), self.index_at(before)
        with self._lock:
            window = self.samples[start:end]
        return [start + i for i, v in enumerate(window) if abs(v) > LOUD]

    def health(self) -> str:
        """How much it holds, and whether its capture stopped, for a failed row's detail."""
        with self._lock:
            held, last = len(self.samples), self.clock.time_of(len(self.samples) - 1)
        ago = f"{time.monotonic() - last:.1f} s ago" if held else "never"
        ended = f"; {self.ended}" if self.ended else ""
        return (
            f"recorded {held / self.rate:.0f} s, the last sample {ago}, its capture restarted "
            f"{self.restarts} times{ended}"
        )

    def sounding(self, seconds: float = 0.03) -> bool:
        """True if the last `seconds` captured hold a loud sample: sound is playing now."""
        with self._lock:
            return any(abs(v) > LOUD for v in self.samples[-int(seconds * self.rate) :])

    def sustained(self, seconds: float = 0.3, step: float = 0.01, share: float = 0.8) -> bool:
        """True if most 10 ms slices of the last `seconds` hold a loud sample: a voice in full
        flow, not a tick or the last syllable of a cue, which would end by itself."""
        size = int(step * self.rate)
        with self._lock:
            tail = self.samples[-int(seconds * self.rate) :]
        slices = [tail[i : i + size] for i in range(0, len(tail) - size + 1, size)]
        loud = sum(any(abs(v) > LOUD for v in part) for part in slices)
        return bool(slices) and loud >= share * len(slices)

    def wait_loud(self, after: float, timeout: float) -> float | None:
        """The moment of the first loud sample after `after`, waiting up to `timeout` for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.loud(after)
            if found:
                return self.time_of(found[0])
            time.sleep(0.05)
        return None

    def save(self, path: Path) -> None:
        import wave

        with self._lock, wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(self.samples.tobytes())

    def close(self) -> None:
        if not self._going:
            return
        self._going = False
        self._thread.join(timeout=5)
        self._alsa.snd_pcm_close(self._pcm)


class Line:
    """The button: line 17 of the simulated chip, pulled up at rest, pulled low by a press."""

    def __init__(self, pin: int = 17) -> None:
        chip = Path(Path("/run/vm-test/chip").read_text().strip())
        self.pull = chip / f"sim_gpio{pin}" / "pull"

    def press(self, hold: float = 0.15) -> float:
        """Press for `hold` seconds; the moment the line went low."""
        return self.hold(hold)[0]

    def hold(self, seconds: float) -> tuple[float, float]:
        """Press for `seconds`; the moments the line went low and high again (taken just
        before each write, so that no delay of ours shortens a measured response)."""
        edge = self._pull("pull-down")
        time.sleep(seconds)
        return edge, self._pull("pull-up")

    def _pull(self, way: str) -> float:
        fd = os.open(self.pull, os.O_WRONLY)
        try:
            moment = time.monotonic()
            os.write(fd, way.encode())
        finally:
            os.close(fd)
        return moment


class FormFields(html.parser.HTMLParser):
    """A page's named inputs as a browser sends its form: hidden fields, values, ticked boxes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        name, box = given.get("name"), given.get("type") == "checkbox"
        if tag == "input" and name and (not box or "checked" in given):
            self.fields[name] = given.get("value") or ("on" if box else "")


@contextlib.contextmanager
def pi_identity() -> Iterator[None]:
    """A Pi's revision in /proc/cpuinfo for every process, as the unit's drop-in gives the
    service: for what runs outside that unit (setup's button test, a user manager's unit)."""
    run("mount", "--bind", "/run/vm-test/cpuinfo", "/proc/cpuinfo")
    try:
        yield
    finally:
        run("umount", "/proc/cpuinfo")


def as_person(name: str, *command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """A command run by a person (their own systemd user manager reached through its socket)."""
    uid = pwd.getpwnam(name).pw_uid
    env = ["env", f"HOME=/home/{name}", f"XDG_RUNTIME_DIR=/run/user/{uid}"]
    return subprocess.run(
        ["runuser", "-u", name, "--", *env, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd="/",
    )


def setup_pressed(line: Line, *flags: str) -> tuple[int, str]:
    """`routine-player setup` with `flags`, pressing the line once it asks for a press (and
    again every 2 s until it says it heard one); its exit status and what it printed."""
    command = [str(VENV_BIN / "routine-player"), "setup", *flags]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    shown: list[str] = []
    asked = threading.Event()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as setup:

        def presser() -> None:
            asked.wait()
            while setup.poll() is None and not any(n.startswith("Heard") for n in shown):
                line.press()
                time.sleep(2.0)

        threading.Thread(target=presser, daemon=True).start()
        assert setup.stdout is not None
        for said in setup.stdout:
            shown.append(said.rstrip())
            if said.startswith("Press the button now"):
                asked.set()
        status = setup.wait(timeout=900)
    asked.set()
    return status, "\n".join(shown)


def playback_params() -> dict[str, int]:
    """The ALSA period, buffer and rate of the loopback card's open playback stream, in frames
    and Hz: what SDL asked for, as the driver granted it."""
    for path in sorted(Path("/proc/asound/Loopback/pcm0p").glob("sub*/hw_params")):
        fields = dict(line.split(": ", 1) for line in path.read_text().splitlines() if ": " in line)
        if "buffer_size" in fields:
            keys = ("period_size", "buffer_size", "rate")
            return {key: int(fields[key].split()[0]) for key in keys}
    return {}


def sound_holders() -> str:
    """Which processes hold a file under /dev/snd open, and which files."""
    held = []
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
            if target.startswith("/dev/snd/"):
                name = (fd.parent.parent / "comm").read_text().strip()
                held.append(f"{fd.parts[2]} {name} {target}")
        except OSError:
            continue  # gone meanwhile
    return "; ".join(held) or "nobody"


def daemon_audio() -> tuple[int, int]:
    """The daemon's mixer buffer (as pygame-ce really asks ALSA for it) and rate, from its
    config file: what the recording must match on the loopback card."""
    audio = tomllib.loads(CONFIG.read_text()).get("audio", {})
    return max(PYGAME_MIN_FRAMES, audio.get("buffer_frames", 512)), audio.get("sample_rate", 22050)


class Hog:
    """Busy loops at the lowest priority while in use: the machine kept busy as a Pi rendering
    speech in the background would be (eSpeak renders on one core: one loop by default)."""

    def __init__(self, loops: int = 1) -> None:
        self.count = loops

    def __enter__(self) -> Hog:
        loop = ["nice", "-n", "19", "sh", "-c", "while :; do :; done"]
        self._loops = [subprocess.Popen(loop) for _ in range(self.count)]
        return self

    def __exit__(self, *_: object) -> None:
        for loop in self._loops:
            loop.kill()
            loop.wait()


def journal_mark() -> str:
    """A cursor for the journal's end now: what `journal_after` reads from."""
    out = run("journalctl", "-n", "1", "--show-cursor", "--no-pager", "-o", "cat")
    return out.rsplit("-- cursor: ", 1)[-1].strip()


def journal_after(cursor: str) -> str:
    """The service's journal after `cursor`, as its bare messages."""
    return run("journalctl", "-u", UNIT, f"--after-cursor={cursor}", "--no-pager", "-o", "cat")


def underruns(journal: str) -> int:
    """Underruns that ALSA reported: SDL recovers from each with `snd_pcm_recover(.., 0)`, and
    alsa-lib then prints `(snd_pcm_recover) underrun occurred` on the daemon's stderr."""
    return sum("underrun occurred" in line for line in journal.splitlines())


def silence_bound(granted: dict[str, int]) -> float:
    """Press to the voice's last sample in the recording, in seconds: what the player had
    already handed on when it learnt of the press, which it cannot take back (the granted ALSA
    buffer, and the period SDL has mixed and waits to write), plus EDGE_S for the rest."""
    frames = granted.get("buffer_size", 1024) + granted.get("period_size", 512)
    return frames / granted.get("rate", 22050) + EDGE_S


def resident_mb(pid: str) -> float:
    """A process's resident memory in MB (VmRSS), or 0 if it is gone."""
    status = _read(Path(f"/proc/{pid}/status")) if pid not in ("", "0") else ""
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found[1]) / 1024 if found else 0.0


def children(pid: str) -> list[str]:
    """The process ids of `pid`'s children (its speech child, while it lives)."""
    tasks = Path(f"/proc/{pid}/task").glob("*/children")
    return [child for task in tasks for child in _read(task).split()]


def rendered_with(since: str, routine: str) -> tuple[bool, float]:
    """Reload the service and wait until `routine` is ready again; whether it became ready, and
    the most memory its speech child held meanwhile (MB): the child renders, then leaves."""
    subprocess.run(["systemctl", "reload", UNIT], check=False, timeout=60)
    child_mb = 0.0

    def ready() -> bool:
        nonlocal child_mb
        pid = unit("MainPID")["MainPID"]
        child_mb = max([child_mb, *(resident_mb(c) for c in children(pid))])
        journal = run("journalctl", "-u", UNIT, "--since", since, "--no-pager", "-o", "cat")
        return any("routines ready" in n and routine in n for n in journal.splitlines())

    return bool(wait_for(ready, 600, every=1.0)), child_mb


def control(command: str, routine: str | None = None) -> dict:
    """One request on the daemon's control socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(SOCKET))
        asked = {"command": command} | ({"routine": routine} if routine else {})
        sock.sendall(json.dumps(asked).encode() + b"\n")
        return json.loads(sock.makefile().readline())


def zero_runs(samples: array.array, start: int, end: int) -> list[tuple[int, int]]:
    """(start, length) of each run of exact zeros (digital silence) between two indexes."""
    runs, begun = [], None
    for i in range(start, end):
        if samples[i] == 0:
            begun = i if begun is None else begun
        elif begun is not None:
            runs.append((begun, i - begun))
            begun = None
    return runs + ([(begun, end - begun)] if begun is not None else [])


PROBE = """import ctypes, sys
alsa = ctypes.CDLL("libasound.so.2")
pcm = ctypes.c_void_p()
status = alsa.snd_pcm_open(ctypes.byref(pcm), sys.argv[1].encode(), 0, 0)
alsa.snd_strerror.restype = ctypes.c_char_p
print("bt-probe: open", status, alsa.snd_strerror(status).decode(), flush=True)
"""
SANDBOX_ONLY = re.compile(
    r"^(Type|NotifyAccess|Exec\w+|Restart\w*|Watchdog\w+|Timeout\w+|RuntimeDirectory\w*|"
    r"WorkingDirectory|CacheDirectory|StateDirectory|ConfigurationDirectory|Environment)="
)


def probe_in_sandbox(name: str) -> str:
    """Open the Bluetooth PCM through libasound in a unit with the installed unit's own sandbox
    lines (its [Service] less what starts and names the service, less `drop`); its output."""
    unit_text = run("systemctl", "cat", UNIT)
    lines = [
        n for n in unit_text.splitlines() if re.match(r"^\w+=", n) and not SANDBOX_ONLY.match(n)
    ]
    service = [
        n
        for n in lines
        if n.split("=", 1)[0]
        not in (
            "Description",
            "Documentation",
            "After",
            "Wants",
            "Requires",
            "WantedBy",
            "BindReadOnlyPaths",
        )
    ]
    script, out = Path("/run/vm-test/bt-probe.py"), Path(f"/run/vm-test/{name}.txt")
    script.write_text(PROBE)
    out.write_text("")
    # Into a file that systemd opens for it: a process this short can end before the journal
    # knows which unit its lines came from.
    Path(f"/run/systemd/system/{name}.service").write_text(
        "[Service]\nType=oneshot\n"
        + "\n".join(service)
        + f"\nStandardOutput=append:{out}\nStandardError=append:{out}"
        + f"\nExecStart=/usr/bin/python3 {script} {BT_DEVICE.decode()}\n"
    )
    run("systemctl", "daemon-reload")
    subprocess.run(["systemctl", "start", name], check=False, timeout=120)
    return _read(out)


def unit(*properties: str, name: str = UNIT) -> dict[str, str]:
    """systemctl's view of the service: the properties asked for, by name."""
    out = run("systemctl", "show", name, *(f"--property={p}" for p in properties))
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def run(*command: str) -> str:
    """A command's standard output; its failure shows in what the check then finds."""
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=600).stdout


def wait_for(what: Callable[[], object], timeout: float, every: float = 0.2) -> object:
    """Poll until `what()` is truthy; its last value."""
    deadline = time.monotonic() + timeout
    while not (value := what()) and time.monotonic() < deadline:
        time.sleep(every)
    return value


def state() -> str:
    """The daemon's state as `status` reports it; "" while its socket does not answer (or,
    as a daemon that is going away does, closes the connection without a reply)."""
    try:
        return control("status").get("state", "")
    except (OSError, ValueError):
        return ""


def active_with_new_pid(old: str, timeout: float) -> bool:
    def ready() -> bool:
        now = unit("ActiveState", "MainPID")
        return now["ActiveState"] == "active" and now["MainPID"] not in ("0", old)

    return bool(wait_for(ready, timeout, every=0.5))


def median(values: list[float]) -> float:
    """The middle value (the mean of the middle two for an even count)."""
    ordered, half = sorted(values), len(values) // 2
    return ordered[half] if len(values) % 2 else (ordered[half - 1] + ordered[half]) / 2


def timed_press(rec: Recording, line: Line, settle: float = 2.0) -> tuple[float, dict, str]:
    """One half-second press in the middle of a sound (going on first if paused): how long
    after the edge the sound ended in ms, where the press falls in the recording (with the ALSA
    sizes then), and what was wrong ("" if the sound ended before the release, the pause chime
    followed it and the player is paused)."""
    if state() in ("paused", "waiting"):
        line.press()  # go on, so that this press lands in a sound
    time.sleep(settle)  # past the resume chime, into the voice
    # Only into sustained sound: a press on a tick or a cue's last word measures the sound's
    # own end (seen as a 0 ms median once the openings had short cues), not the silence.
    sounding = wait_for(rec.sustained, 120, every=0.005)
    granted = playback_params()
    edge, release = line.hold(0.5)
    time.sleep(settle)
    voice = rec.loud(edge - 0.05, release)
    end = rec.time_of(voice[-1]) if voice else edge
    chime = rec.loud(release)
    now = state()
    where = {"edge": rec.index_at(edge), "release": rec.index_at(release), **granted}
    wrong, bound = "", silence_bound(granted)
    if not sounding or end - edge > bound or not chime or now != "paused":
        wrong = (
            f"sounding {bool(sounding)}, voice ended {(end - edge) * 1000:.0f} ms after the "
            f"edge (bound {bound * 1000:.0f}), chime {bool(chime)}, state {now}; {rec.health()}"
        )
    return max(0.0, end - edge) * 1000, where, wrong


def playback_params_seen(presses: list[tuple[float, dict, str]]) -> dict[str, int]:
    """The ALSA sizes at the last press (they do not change while the device is open)."""
    last = presses[-1][1] if presses else {}
    return {key: last[key] for key in ("period_size", "buffer_size", "rate") if key in last}


def forced_underruns(rec: Recording, line: Line) -> int:
    """Underruns in the journal after the daemon is stopped (SIGSTOP) for 0.4 s mid-cue, far
    longer than its ALSA buffer; the player is left paused, as a short press leaves it."""
    if state() in ("paused", "waiting"):
        line.press()
    time.sleep(1.0)
    wait_for(rec.sounding, 60, every=0.005)
    mark, pid = journal_mark(), int(unit("MainPID")["MainPID"])
    os.kill(pid, 19)
    time.sleep(0.4)
    os.kill(pid, 18)
    time.sleep(1.0)
    line.press()
    wait_for(lambda: state() == "paused", 30)
    time.sleep(2.0)  # past the pause chime, as after a timed press
    return underruns(journal_after(mark))


class Checks:
    """The checks in order: issue 9's seven, a real unplug for issue 8, a routine rendered
    by the service under its sandbox, and the web page under its own (issue 20). Each adds a
    row, and some add figures."""

    def __init__(self, results: Path) -> None:
        self.results = results
        self.rows: list[dict] = []
        self.figures: dict[str, float] = {}
        self.presses: list[dict[str, int]] = []  # where check 3's presses fall in the recording
        self.line = Line()
        self.frames, self.rate = daemon_audio()
        self.recording: Recording | None = None
        self.dumped = False  # the daemon's stacks, taken at the first failure
        self.phone: urllib.request.OpenerDirector | None = None  # paired by check 12

    def row(self, name: str, ok: bool, detail: str) -> None:
        self.rows.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"vm-test: {'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    def service_ready(self) -> None:
        ok = wait_for(lambda: unit("ActiveState")["ActiveState"] in ("active", "failed"), 600)
        shown = unit("ActiveState", "Type", "StatusText", "NRestarts")
        report = run("systemd-analyze", "security", "--no-pager", UNIT)
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", report)
        score = float(found[1]) if found else 99.0
        self.figures["exposure"] = score
        ok = ok and shown["ActiveState"] == "active" and shown["Type"] == "notify"
        self.row(
            "1. active through READY=1",
            ok and score <= 2.0,
            f"{shown['ActiveState']} ({shown['StatusText']}); exposure {score}",
        )

    def press_starts(self) -> None:
        self.recording = Recording(self.frames, self.rate)
        wait_for(lambda: state() == "idle", 120)
        _, release = self.line.hold(0.15)  # a short press is known at its release
        heard = self.recording.wait_loud(release, 120)
        now = state()
        if heard is not None:
            self.figures["release_to_first_sound_ms"] = (heard - release) * 1000
        self.row(
            "2. a press starts the default routine",
            heard is not None and now == "playing",
            f"state {now}; first sound {self._ms(heard, release)} after the release",
        )

    def press_mid_cue(self, samples: int = 10) -> None:
        """Half-second presses in the middle of a cue, with the machine busy (`Hog`). A short
        press is only known at its release, when the pause chime plays, so the voice's end is
        the last loud sample before the release; the figure is how long after the edge that
        was. Underruns meanwhile are counted from the journal, and one forced on purpose (the
        daemon stopped for a moment) shows that the count sees them."""
        rec = self.recording
        assert rec is not None
        mark = journal_mark()
        with Hog():
            presses = [timed_press(rec, self.line) for _ in range(samples)]
        loaded = underruns(journal_after(mark))
        forced = forced_underruns(rec, self.line)
        figures = sorted(ms for ms, _, _ in presses)
        failures = [wrong for _, _, wrong in presses if wrong]
        self.presses.extend(where for _, where, _ in presses)
        for key, value in playback_params_seen(presses).items():
            self.figures[f"daemon_alsa_{key}"] = value
        self.figures["press_to_silence_ms"] = median(figures)
        self.figures["press_to_silence_max_ms"] = figures[-1]
        self.figures["load_underruns"] = loaded
        self.figures["forced_underruns"] = forced
        self.row(
            "3. a press mid-cue silences",
            not failures and forced > 0,
            f"{samples} presses, machine busy; the voice ended {figures[0]:.0f} to "
            f"{figures[-1]:.0f} ms after the edge; underruns {loaded}, and {forced} logged for "
            f"a stall forced on purpose{'; ' + '; '.join(failures) if failures else ''}",
        )

    def resume_and_long_stop(self) -> None:
        rec = self.recording
        assert rec is not None
        edge = self.line.press()
        resumed = rec.wait_loud(edge, 60)
        playing = state()
        time.sleep(2.0)
        hold = self.line.press(hold=2.5)
        note = rec.wait_loud(hold + 1.5, 60)
        idle = wait_for(lambda: state() == "idle", 120)
        rows = self._history()
        ended = rows[-1]["ending"] if rows else None
        self.row(
            "4. short press resumes, long press stops",
            resumed is not None
            and playing == "playing"
            and note is not None
            and idle
            and ended == "stopped",
            f"sound again {self._ms(resumed, edge)} after the short press; stop note "
            f"{self._ms(note, hold)} after the long one began; history says {ended}",
        )

    def kill_restarts(self) -> None:
        before = unit("MainPID", "NRestarts")
        edge = self.line.press()
        assert self.recording is not None
        self.recording.wait_loud(edge, 60)
        os.kill(int(before["MainPID"]), 9)
        back = active_with_new_pid(before["MainPID"], 300)
        rows = self._history()
        with sqlite3.connect(f"file:{HISTORY}?mode=ro", uri=True) as db:
            intact = db.execute("PRAGMA integrity_check").fetchone()[0]
        restarts = unit("NRestarts")["NRestarts"]
        self.row(
            "5. kill -9: restarted, history intact",
            back and intact == "ok" and len(rows) >= 2 and rows[-1]["ending"] == "interrupted",
            f"restarts {before['NRestarts']}→{restarts}; integrity {intact}; "
            f"rows {[r['ending'] for r in rows]}",
        )

    def watchdog_restarts(self) -> None:
        before = unit("MainPID", "NRestarts")
        started = time.monotonic()
        os.kill(int(before["MainPID"]), 19)  # SIGSTOP: the loop stops petting the watchdog
        back = active_with_new_pid(before["MainPID"], 300)
        journal = run("journalctl", "-u", UNIT, "--no-pager", "-o", "cat")
        self.figures["watchdog_restart_s"] = time.monotonic() - started
        self.row(
            "6. a hung loop is restarted by the watchdog",
            back and "Watchdog timeout" in journal,
            f"back after {time.monotonic() - started:.0f} s; "
            f"restarts {before['NRestarts']}→{unit('NRestarts')['NRestarts']}",
        )

    def card_unplugged(self) -> None:
        """Issue 8: the card goes away mid-cue (its driver unbound, as when a USB speaker is
        pulled out): the daemon pauses and keeps the session; once the card is back, a press
        resumes it."""
        rec = self.recording
        assert rec is not None
        pid = unit("MainPID")["MainPID"]
        self.line.press()
        sounding = wait_for(rec.sounding, 60, every=0.01)
        rec.close()  # its stream dies with the card
        rec.save(self.results / "recording-before-unplug.wav")
        unbound = threading.Thread(target=(LOOPBACK / "unbind").write_text, args=("snd_aloop.0",))
        unbound.start()  # it returns once every file of the card is closed
        paused = wait_for(lambda: state() == "paused", 30)
        unbound.join(timeout=60)
        if unbound.is_alive():  # a hang here would stop every check after it: say who holds it
            raise RuntimeError(f"the card's unbind still waits: {sound_holders()}")
        (LOOPBACK / "bind").write_text("snd_aloop.0")
        wait_for(lambda: Path("/proc/asound/Loopback").exists(), 30)
        self.recording = rec = Recording(self.frames, self.rate)
        edge = self.line.press()
        back = rec.wait_loud(edge, 60)
        resumed = state()
        kept = unit("ActiveState", "MainPID") == {"ActiveState": "active", "MainPID": pid}
        self.line.hold(2.5)  # a long press: stopped, for the checks after this one
        wait_for(lambda: state() == "idle", 120)
        self.row(
            "7. the card unplugged mid-cue: paused and kept, a press resumes",
            bool(sounding) and bool(paused) and kept and back is not None and resumed == "playing",
            f"paused {bool(paused)}; same process {kept}; sound again "
            f"{self._ms(back, edge)} after the press; state {resumed}",
        )

    def restarts_answer_a_press(self, restarts: int = 8) -> None:
        """Issue 13: lgpio's start-up race, forced by the stall shim (stall.c), on the real
        lgpio, gpiozero and kernel line. First the old wiring, which must go deaf under the shim
        (or the shim forces nothing) and hear without it; then the service restarted
        `restarts` times under the shim, pressed right after each READY=1: every press must
        reach "playing", each start having found lgpio's reader asleep and woken it."""
        subprocess.run(["systemctl", "stop", UNIT], check=False, timeout=120)
        shim = f"LD_PRELOAD={FIXTURES / 'stall.so'}"
        old = [self._old_wiring(shim) for _ in range(3)]
        control = self._old_wiring("")  # lgpio's race is rare unforced: a second try settles it
        control = control if control == "heard" else self._old_wiring("")
        STALL_DROPIN.parent.mkdir(parents=True, exist_ok=True)
        STALL_DROPIN.write_text(f"[Service]\nEnvironment={shim}\n")
        run("systemctl", "daemon-reload")
        since = run("date", "+%Y-%m-%d %H:%M:%S").strip()
        heard, starts = 0, []
        try:
            for _ in range(restarts):
                run("systemctl", "reset-failed", UNIT)
                begun = time.monotonic()
                subprocess.run(["systemctl", "restart", UNIT], check=False, timeout=300)
                starts.append(time.monotonic() - begun)  # Type=notify: returns at READY=1
                self.line.press()
                heard += bool(wait_for(lambda: state() == "playing", 60, every=0.1))
        finally:
            STALL_DROPIN.unlink(missing_ok=True)
            run("systemctl", "daemon-reload")
            subprocess.run(["systemctl", "restart", UNIT], check=False, timeout=300)
        log = run("journalctl", "-u", UNIT, "--since", since, "--no-pager", "-o", "cat")
        woken = log.count("did not start: claiming it again")
        self.figures["restarts_pressed"] = restarts
        self.figures["restarts_heard"] = heard
        self.figures["restarts_reader_woken"] = woken
        self.figures["restart_to_ready_s"] = sorted(starts)[len(starts) // 2]
        self.row(
            f"11. {restarts} restarts under lgpio's forced start-up race, a press after each",
            heard == restarts and "deaf" in old and control == "heard",
            f"heard {heard} of {restarts} presses; lgpio's reader found asleep and woken at "
            f"{woken} starts; the old wiring under the shim: {', '.join(old)}; without: "
            f"{control}; restart to READY=1 median {self.figures['restart_to_ready_s']:.1f} s",
        )

    def _old_wiring(self, preload: str) -> str:
        """The pre-issue-13 wiring, once, seeing the Pi's identity as the service does:
        "heard" or "deaf" (or what went wrong)."""
        command = [
            "systemd-run", "--wait", "--pipe", "--quiet", "-p", "WorkingDirectory=/tmp",
            "-p", "BindReadOnlyPaths=/run/vm-test/cpuinfo:/proc/cpuinfo",
            *([f"--setenv={preload}"] if preload else []),
            str(VENV_BIN / "python"), str(FIXTURES / "old_wiring.py"), str(self.line.pull),
        ]  # fmt: skip
        out = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
        return (out.stdout.split() or [f"failed: {out.stderr.strip()[-200:]}"])[-1]

    def new_routine_rendered(self) -> None:
        """A routine a person adds later is rendered by the service itself, under its sandbox:
        eSpeak runs in a child process of the daemon, which the unit must allow."""
        added = CONFIG.parent / "routines" / "vm-added.toml"
        line = f"This line was added by the test machine at {time.time():.0f}."
        added.write_text(f'title = "Added later"\n[[step]]\nsay = "{line}"\n')
        speech = Path("/var/cache/routine-player/speech")
        before = len(list(speech.iterdir()))
        since = run("date", "+%Y-%m-%d %H:%M:%S").strip()
        rendered, child_mb = rendered_with(since, "vm-added")
        self.figures["espeak_child_rss_mb"] = child_mb
        self.figures["daemon_rss_mb"] = resident_mb(unit("MainPID")["MainPID"])
        after = len(list(speech.iterdir()))
        self.row(
            "8. a routine added later is rendered by the service",
            bool(rendered) and after > before,
            f"after reload: {'ready' if rendered else 'not ready'}; speech files {before}→{after}; "
            f"speech child {child_mb:.0f} MB while it rendered",
        )

    def web_page_served(self) -> None:
        """Issue 20: the web unit runs under its own sandbox (exposure at most 2.0), serves its
        pairing page, pairs with the code `web pair` prints, and then shows the routines, the
        player's state (the control socket) and the week (the history, read-only)."""
        up = wait_for(lambda: unit("ActiveState", name=WEB_UNIT)["ActiveState"] == "active", 120)
        report = run("systemd-analyze", "security", "--no-pager", WEB_UNIT)
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", report)
        score = self.figures["web_exposure"] = float(found[1]) if found else 99.0
        self.figures["web_rss_mb"] = resident_mb(unit("MainPID", name=WEB_UNIT)["MainPID"])
        phone = self.phone = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = phone.open(WEB + "/pair", timeout=30).read().decode()
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]
        said = run(str(VENV_BIN / "routine-player"), "--config", str(CONFIG), "web", "pair")
        code = re.search(r"Pairing code: (\d+)", said)[1]
        form = urllib.parse.urlencode({"nonce": nonce, "code": code}).encode()
        routines = phone.open(WEB + "/pair", data=form, timeout=30).read().decode()
        week = phone.open(WEB + "/history", timeout=30).read().decode()
        seen = {
            "routines": "Upper glutes with a foam roller" in routines,
            "the player": "does not answer" not in routines,
            # check 4 stops it, "at step N" only once past the opening, which explains the button
            "the history": bool(re.search(r", stopped( at step \d+)?</p>", week)),
        }
        self.row(
            "12. the web page is served under its sandbox",
            up and score <= 2.0 and all(seen.values()),
            f"{unit('ActiveState', name=WEB_UNIT)['ActiveState']}; exposure {score}; "
            f"paired and saw {seen}",
        )

    def person_reaches_the_service(self) -> None:
        """Issue 14: the command is on the PATH, and a person in the service's group reaches
        the service with no --config (status, and history read from its database while it
        runs); someone outside the group gets one line that says how to join."""
        for name, more in (("person", ["--groups", "routine-player"]), ("stranger", [])):
            subprocess.run(["useradd", "--create-home", *more, name], check=False, timeout=60)

        def as_user(name: str, *args: str) -> subprocess.CompletedProcess[str]:
            command = ["runuser", "-u", name, "--", "env", f"HOME=/home/{name}", *args]
            return subprocess.run(
                command, capture_output=True, text=True, timeout=300, check=False, cwd="/"
            )

        status = as_user("person", "routine-player", "status")
        history = as_user("person", "routine-player", "history")
        refused = as_user("stranger", "routine-player", "status")
        ok = (
            status.returncode == 0
            and status.stdout.startswith(("Idle", "Playing", "Paused", "Waiting"))
            and history.returncode == 0
            and history.stderr == ""
            and refused.returncode == 1
            and len(refused.stderr.splitlines()) == 1
            and "sudo adduser $USER routine-player" in refused.stderr
        )
        self.row(
            "10. a person in the service's group: routine-player status and history, no --config",
            ok,
            f"status: {(status.stdout + status.stderr).strip()}; history: exit "
            f"{history.returncode} {history.stderr.strip()}; outside the group: "
            f"{refused.stderr.strip()}",
        )

    def keep_awake(self) -> None:
        """Issue 18: with keep_alive on (the installed default) a session never falls to
        digital silence for longer than a sleepy speaker's sleep time, through a wait and a
        hold; its first loud sample comes wake_ms after the device opens; a press silences the
        hum too."""
        # A capture of its own: the long one, open since check 2, was once found ended here
        # (the journal showed the session played; the recording held nothing).
        if self.recording is not None:
            self.recording.close()
        self.recording = rec = Recording(self.frames, self.rate)
        released = wait_for(lambda: "closed" in _read(PLAYBACK_STATUS), 60, every=0.5)
        asked = time.monotonic()
        # After check 8's reload the routines are prepared again in the background: a start
        # asked meanwhile is refused ("still being prepared"), so ask until it is taken.
        wait_for(lambda: control("start", "vm-keep-awake").get("ok"), 180, every=1.0)
        waiting = wait_for(lambda: state() == "waiting", 90)
        time.sleep(12.0)  # a wait longer than SLEEP_S
        edge = self.line.press()
        wait_for(lambda: state() == "idle", 120)
        time.sleep(0.5)
        start, edge_at = rec.index_at(asked), rec.index_at(edge)
        with rec._lock:
            samples = rec.samples[start:]
        heard = [i for i, v in enumerate(samples) if v != 0]
        loud = [i for i, v in enumerate(samples) if abs(v) > LOUD]
        if not (heard and loud):
            self.row("13. keep-awake through a wait and a hold", False, "no sound recorded")
            return
        runs = zero_runs(samples, heard[0], loud[-1])
        press_runs = [n for s, n in runs if 0 <= start + s - edge_at < 0.3 * rec.rate]
        longest = max((n for s, n in runs), default=0) / rec.rate
        lead_in = (loud[0] - heard[0]) / rec.rate
        self.figures["keep_awake_longest_silence_s"] = longest
        self.figures["keep_awake_lead_in_ms"] = lead_in * 1000
        ok = bool(waiting) and longest <= SLEEP_S and lead_in >= WAKE_MS / 1000 and bool(press_runs)
        self.row(
            "13. keep-awake through a wait and a hold",
            ok,
            f"device let go first {bool(released)}; waited {bool(waiting)}; longest digital "
            f"silence {longest:.2f} s (limit {SLEEP_S:.0f}); first loud sample {lead_in * 1000:.0f} "
            f"ms after the first sample (wake_ms {WAKE_MS}); the press silenced the hum "
            f"{bool(press_runs)}",
        )

    def bluetooth_sandbox(self) -> None:
        """Issue 18: `make install BLUETOOTH=1` installed BlueALSA; under the unit's own
        sandbox, BlueALSA's ALSA plugin loads and reaches the bluealsa daemon over D-Bus (it
        answers that no such speaker is connected: this machine has no radio). A control run
        without SupplementaryGroups= was tried and also reached it: dbus-daemon reads the
        user's groups from /etc/group, where routine-player is in audio, not from the process."""
        active = run("systemctl", "is-active", "bluealsa").strip()
        inside = probe_in_sandbox("vm-bt-probe")
        reached = "PCM not found" in inside and "bt-probe: open" in inside
        self.row(
            "14. BlueALSA under the unit's sandbox",
            active == "active" and reached,
            f"bluealsa {active}; in the sandbox: {_last_lines(inside)}",
        )

    def piper_voice(self) -> None:
        """Issue 24: with the tests' tiny Piper voice (the image installs Piper on every
        platform), the service renders every routine under its real unit (its
        SystemCallFilter, MemoryMax, ProtectSystem...), plays, and a press silences it."""
        settings = CONFIG.read_text()
        CONFIG.write_text(
            settings.replace(
                "[voice]\n", f'[voice]\nengine = "piper"\nmodel = "{PIPER_VOICE}"\n', 1
            )
        )
        speech = Path("/var/cache/routine-player/speech")
        before = len(list(speech.iterdir()))
        since = run("date", "+%Y-%m-%d %H:%M:%S").strip()
        rendered, child_mb = rendered_with(since, "vm-keep-awake")
        after = len(list(speech.iterdir()))  # a new voice's lines are new files in the cache
        self.figures["piper_child_rss_mb"] = child_mb
        rec = self.recording = self.recording or Recording(self.frames, self.rate)
        wait_for(lambda: control("start").get("ok"), 180, every=1.0)
        playing = wait_for(lambda: state() == "playing", 90)
        ms, _, wrong = timed_press(rec, self.line) if playing else (0.0, {}, "never playing")
        self.figures["piper_press_to_silence_ms"] = ms
        self.figures["piper_daemon_rss_mb"] = resident_mb(unit("MainPID")["MainPID"])
        self.line.hold(2.5)  # a long press: stopped, for the check after this one
        wait_for(lambda: state() == "idle", 120)
        CONFIG.write_text(settings)  # eSpeak again: its speech is still in the cache
        rendered_with(run("date", "+%Y-%m-%d %H:%M:%S").strip(), "vm-keep-awake")
        self.row(
            "15. Piper renders under the unit's sandbox, and a press silences it",
            rendered and after > before and not wrong,
            f"rendered {rendered}, speech files {before}→{after}; the voice ended {ms:.0f} ms "
            f"after the edge{'; ' + wrong if wrong else ''}; speech child {child_mb:.0f} MB",
        )

    def phone_routine_played(self) -> None:
        """Issue 28: a routine written in the page's editor is saved through the installed web
        unit by the player, into its own folder (the player's file, closed to others), prepared
        in the background, and the installed command starts it: its first cue is heard, and
        nothing restarted on the way."""
        assert self.phone is not None, "check 12 did not pair a phone"
        restarts = unit("NRestarts")["NRestarts"]
        form = FormFields(self.phone.open(WEB + "/edit/new", timeout=60).read().decode()).fields
        form |= {"id": "vm-mine", "title": "Made on the phone", "steps": "3", "op": "save"}
        form |= {"about": "Three steps written in the test machine's editor."}
        cues = (
            "Lie on your side with the roller under the top of the hip.",
            "Roll slowly over the upper glute.",
            "Rest now, and sip some water.",
        )
        form |= {f"step-{n}.say": cue for n, cue in enumerate(cues, 1)} | {"step-2.hold": "20"}
        sent = urllib.request.Request(
            WEB + "/edit", data=urllib.parse.urlencode(form).encode(), headers={"Origin": WEB}
        )
        landed = self.phone.open(sent, timeout=120).geturl()

        def ready() -> bool:
            page = self.phone.open(WEB + "/edit/saved/vm-mine", timeout=60).read().decode()
            return 'id="ready"' in page

        prepared = wait_for(ready, 600, every=2.0)
        saved = PHONE_ROUTINES / "vm-mine.toml"
        facts = saved.stat() if saved.exists() else None
        owner = pwd.getpwuid(facts.st_uid).pw_name if facts else "none"
        mode = oct(facts.st_mode & 0o777) if facts else "none"
        if self.recording is not None:
            self.recording.close()
        rec = self.recording = Recording(self.frames, self.rate)
        asked = time.monotonic()
        start = subprocess.run(
            [str(VENV_BIN / "routine-player"), "start", "vm-mine"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        heard = rec.wait_loud(asked, 60)
        now = state()
        self.line.hold(2.5)  # a long press: stopped, for the checks after this one
        wait_for(lambda: state() == "idle", 120)
        again = unit("NRestarts")["NRestarts"]
        self.row(
            "16. a routine saved on the phone is played by the service",
            landed.endswith("/edit/saved/vm-mine")
            and bool(prepared)
            and owner == UNIT
            and mode == "0o640"
            and start.returncode == 0
            and heard is not None
            and now == "playing"
            and again == restarts,
            f"saved to {landed.removeprefix(WEB)}; ready {bool(prepared)}; {saved} {owner} "
            f"{mode}; start: {(start.stdout + start.stderr).strip()}; first sound "
            f"{self._ms(heard, asked)} after it; state {now}; restarts {restarts}→{again}",
        )

    def setup_by_flags(self) -> None:
        """Issue 25: `sudo routine-player setup` with flags, as a script runs it: the loopback
        card picked by its name (its second device, which the default output never reaches),
        a press on the simulated line heard, the config written with its comments kept, and
        the service restarted: a press then plays through the chosen device."""
        comments = [n for n in CONFIG.read_text().splitlines() if n.lstrip().startswith("#")]
        pid, mark = unit("MainPID")["MainPID"], journal_mark()
        flags = ("--device", CHOSEN, "--pin", "17", "--press-seconds", "120", "--yes")
        with pi_identity():
            status, said = setup_pressed(self.line, *flags)
        text = CONFIG.read_text()
        written = tomllib.loads(text)["audio"].get("device")
        kept = all(n in text.splitlines() for n in comments)
        restarted = active_with_new_pid(pid, 300)
        # Setup's own restart started it: no failed start for systemd to restart (setup once
        # kept the line claimed, and the service's first start found it busy).
        since = journal_after(mark)
        first_try, busy = "Scheduled restart job" not in since, "GPIO busy" in since
        about = ("Heard the press", "GPIO", "No press reached", "The button could not be read")
        press = [n for n in said.splitlines() if n.startswith(about)]  # setup's word on it
        if self.recording is not None:
            self.recording.close()
        rec = self.recording = Recording(self.frames, self.rate, end=b"plughw:Loopback,0,0")
        wait_for(lambda: state() == "idle", 120)
        _, release = self.line.hold(0.15)
        heard = rec.wait_loud(release, 120)
        self.line.hold(2.5)
        wait_for(lambda: state() == "idle", 120)
        self.row(
            "17. setup by its flags: the card by name, the button heard, the service plays there",
            status == 0
            and "Heard the press" in said
            and written == CHOSEN
            and kept
            and restarted
            and first_try
            and not busy
            and heard is not None,
            f"exit {status}; {press[0] if press else 'nothing said of the press'}; device "
            f"{written!r}; comments kept {kept}; restarted {restarted}, at the first try "
            f"{first_try}, line busy {busy}; first sound {self._ms(heard, release)} after a press",
        )

    def reinstall_keeps(self) -> None:
        """Issue 25: `sudo make install` again with no flags (the upgrade) keeps the extras
        the first install chose (the page, Bluetooth, Piper), the config, the history, the
        phone's routines and its pairing, and leaves both services running."""
        extras, settings = EXTRAS.read_text(), CONFIG.read_text()
        rows = len(self._history())
        begun = time.monotonic()
        made = subprocess.run(
            ["make", "-C", str(PROJECT), "install", "WHEELS=/root/wheels"],
            capture_output=True,
            text=True,
            timeout=1500,
            check=False,
        )
        self.figures["reinstall_s"] = time.monotonic() - begun
        up = wait_for(lambda: unit("ActiveState")["ActiveState"] == "active", 300)

        def paired() -> bool:  # the page back, and the phone still paired: its list, no /pair
            try:
                return "vm-mine" in self.phone.open(WEB + "/edit", timeout=30).read().decode()
            except OSError:
                return False

        page = wait_for(paired, 120, every=1.0) if self.phone else False
        piper = "PIPER=1" not in extras or "piper" in run(str(VENV_BIN / "pip"), "list")
        bluetooth = Path(f"/etc/systemd/system/{UNIT}.service.d/bluetooth.conf").exists()
        same = {
            "extras": EXTRAS.read_text() == extras,
            "config": CONFIG.read_text() == settings,
            "history": len(self._history()) == rows,
            "phone routine": (PHONE_ROUTINES / "vm-mine.toml").exists(),
        }
        self.row(
            "18. make install again, with no flags, keeps every extra and what is the person's",
            made.returncode == 0
            and bool(up)
            and bool(page)
            and piper
            and bluetooth
            and all(same.values()),
            f"exit {made.returncode} in {self.figures['reinstall_s']:.0f} s "
            f"{_last_lines(made.stdout + made.stderr, 1)}; extras {extras.split()[-3:]}; "
            f"service up {bool(up)}; page paired {bool(page)}; piper {piper}; "
            f"bluetooth {bluetooth}; unchanged {same}",
        )

    def user_unit(self) -> None:
        """Issue 25: the desktop image's own-user unit, started as docs/raspberry-pi.md says
        (enable --now, lingering) under a real user manager, reaches READY=1 and plays at a
        press. The system service is stopped meanwhile: one player holds the button."""
        run("systemctl", "stop", UNIT)
        run("usermod", "-a", "-G", "gpio,audio", "person")
        run("loginctl", "enable-linger", "person")
        manager = f"user@{pwd.getpwnam('person').pw_uid}.service"
        wait_for(lambda: unit("ActiveState", name=manager)["ActiveState"] == "active", 120)
        with pi_identity():
            begun = time.monotonic()
            started = as_person("person", "systemctl", "--user", "enable", "--now", UNIT)
            self.figures["user_unit_start_s"] = time.monotonic() - begun
            shown = as_person(
                "person",
                "systemctl",
                "--user",
                "show",
                UNIT,
                "--property=ActiveState",
                "--property=NRestarts",
            ).stdout.split()
            if self.recording is not None:
                self.recording.close()
            rec = self.recording = Recording(self.frames, self.rate)
            _, release = self.line.hold(0.15)
            heard = rec.wait_loud(release, 120)
            self.line.hold(2.5)
            stopped = as_person("person", "systemctl", "--user", "disable", "--now", UNIT)
        run("loginctl", "disable-linger", "person")
        subprocess.run(["systemctl", "start", UNIT], check=False, timeout=600)
        self.row(
            "19. the own-user unit starts under a user manager and plays",
            started.returncode == 0
            and "ActiveState=active" in shown
            and "NRestarts=0" in shown
            and heard is not None
            and stopped.returncode == 0,
            f"enable --now: exit {started.returncode} {_last_lines(started.stderr, 1)} in "
            f"{self.figures['user_unit_start_s']:.0f} s; {shown}; first sound "
            f"{self._ms(heard, release)} after a press",
        )

    def slow_voice_starts(self, limit: int = 15) -> None:
        """Issue 25: a first start that renders for longer than the start timeout (the speech
        cache emptied; TimeoutStartSec cut to `limit` s by a drop-in; eSpeak under emulation
        is the slow voice) still becomes ready, with no restart: the service extends the
        timeout line by line and says how far it got. (A start by hand sets NRestarts to 0: a
        timeout would have restarted it.)"""
        dropin = Path(f"/run/systemd/system/{UNIT}.service.d/vm-test-slow.conf")
        dropin.parent.mkdir(parents=True, exist_ok=True)
        dropin.write_text(f"[Service]\nTimeoutStartSec={limit}s\n")
        run("systemctl", "daemon-reload")
        run("systemctl", "stop", UNIT)
        run("rm", "-rf", "/var/cache/routine-player/speech")
        said: set[str] = set()
        begun = time.monotonic()
        try:
            with subprocess.Popen(["systemctl", "start", UNIT]) as starting:
                while starting.poll() is None:
                    said.add(unit("StatusText")["StatusText"])
                    time.sleep(0.5)
        finally:
            dropin.unlink(missing_ok=True)
            run("systemctl", "daemon-reload")
        took = self.figures["slow_start_s"] = time.monotonic() - begun
        shown = unit("ActiveState", "Result", "NRestarts")
        progress = sorted(n for n in said if n.startswith("rendering"))
        wait_for(lambda: not control("routines").get("preparing", True), 900, every=2.0)
        self.row(
            "20. a voice slower than the start timeout does not fail the start",
            shown == {"ActiveState": "active", "Result": "success", "NRestarts": "0"}
            and took > limit
            and bool(progress),
            f"ready after {took:.0f} s with TimeoutStartSec={limit}s; {shown}; "
            f"status said {progress[:1] + progress[-1:]}",
        )

    def stop_and_uninstall(self) -> None:
        started = time.monotonic()
        subprocess.run(["systemctl", "stop", UNIT], check=False, timeout=120)
        took = time.monotonic() - started
        shown = unit("Result", "ExecMainCode", "ExecMainStatus")
        clean = shown["Result"] == "success" and shown["ExecMainStatus"] == "0"
        self.measure_underruns()
        subprocess.run(["make", "-C", str(PROJECT), "uninstall"], check=False, timeout=300)
        kept = [CONFIG, CONFIG.parent / "routines" / "vm-added.toml", HISTORY]
        gone = [
            Path("/opt/routine-player"),
            Path("/etc/systemd/system/routine-player.service"),
            Path("/usr/local/bin/routine-player"),
        ]
        ok = clean and all(p.exists() for p in kept) and not any(p.exists() for p in gone)
        self.row(
            "9. systemctl stop is clean; uninstall keeps what is the person's",
            ok,
            f"stopped in {took:.1f} s ({shown}); kept {[p.exists() for p in kept]}; "
            f"removed {[not p.exists() for p in gone]}",
        )

    def measure_underruns(self, sizes: tuple[int, ...] = (64, 128, 256, 512, 1024)) -> None:
        """Figures only: gaps in a steady tone played at each mixer buffer size (the card is
        free once the service has stopped, and the checks' own recording is closed)."""
        if self.recording is not None:
            self.recording.close()
        script = "/usr/local/lib/vm-test/underruns.py"
        out = run(str(VENV_BIN / "python"), script, str(self.rate), *map(str, sizes))
        for line in out.splitlines():
            frames, granted, gaps = line.split()
            self.figures[f"underruns_{frames}"] = int(gaps)
            self.figures[f"granted_buffer_{frames}"] = int(granted)

    def grid(self) -> None:
        """`make vm-grid` only (grid.py is installed then): every rate and buffer, measured."""
        import grid

        if self.recording is not None:  # it would hold the loopback card to its own sizes
            self.recording.close()
        ok = grid.measure(self.results, self.line)
        self.row(
            "grid: every cell played through, presses silenced, a forced stall logged",
            ok,
            "see grid.json",
        )

    def dump_stacks(self) -> None:
        """Once, at the first failure: SIGABRT to the daemon, whose faulthandler (switched on
        by the test drop-in) writes every thread's stack to the journal; systemd restarts it."""
        self.dumped = True
        pid = unit("MainPID")["MainPID"]
        if pid != "0":
            os.kill(int(pid), 6)
            active_with_new_pid(pid, 120)

    def _history(self) -> list[dict]:
        out = run(str(VENV_BIN / "routine-player"), "history", "--json", "--config", str(CONFIG))
        try:
            return sorted(json.loads(out)["sessions"], key=lambda r: r["started"])
        except (ValueError, KeyError):
            return []

    @staticmethod
    def _ms(moment: float | None, edge: float) -> str:
        return "never" if moment is None else f"{(moment - edge) * 1000:.0f} ms"


def _read(path: Path) -> str:
    """A /proc file's text, or "" while it is not there (the card rebound)."""
    try:
        return path.read_text()
    except OSError:
        return ""


def _page(error: Exception) -> str:
    """For a page that answered with an error: which, and the line it said."""
    if not isinstance(error, urllib.error.HTTPError):
        return ""
    said = re.findall(r'role="alert">([^<]*)<', error.read().decode(errors="replace"))
    return f" at {error.url}: {said[0] if said else 'no line'}"


def _last_lines(text: str, count: int = 2) -> str:
    """The last lines a probe logged, for a row's detail."""
    return " / ".join(n.strip() for n in text.strip().splitlines()[-count:]) or "nothing"


def main(results: Path) -> int:
    checks = Checks(results)
    steps = [
        checks.service_ready,
        checks.press_starts,
        checks.press_mid_cue,
        checks.resume_and_long_stop,
        checks.kill_restarts,
        checks.watchdog_restarts,
        checks.card_unplugged,
        checks.restarts_answer_a_press,
        checks.new_routine_rendered,
        checks.person_reaches_the_service,
        checks.web_page_served,
        checks.phone_routine_played,
        checks.keep_awake,
        checks.bluetooth_sandbox,
        checks.piper_voice,
        checks.setup_by_flags,
        checks.reinstall_keeps,
        checks.user_unit,
        checks.slow_voice_starts,
        checks.stop_and_uninstall,
    ]
    if (Path(__file__).parent / "grid.py").is_file():  # make vm-grid: ready, then the grid
        steps = [checks.service_ready, checks.grid]
    for step in steps:
        begun, rows = time.monotonic(), len(checks.rows)
        try:
            step()
        except Exception as error:  # a broken check is a failed row, and the rest still run
            checks.row(step.__name__, False, f"{type(error).__name__}: {error}{_page(error)}")
        for row in checks.rows[rows:]:  # what each check costs, to see where a run's time goes
            row["seconds"] = round(time.monotonic() - begun)
        if not all(r["ok"] for r in checks.rows) and not checks.dumped:
            checks.dump_stacks()
    if checks.recording is not None:
        checks.recording.close()
        checks.recording.save(results / "recording.wav")
    (results / "journal.txt").write_text(run("journalctl", "-b", "--no-pager"))
    (results / "checks.json").write_text(
        json.dumps(
            {
                "expected": len(steps),
                "rows": checks.rows,
                "figures": checks.figures,
                "presses": checks.presses,
            },
            indent=1,
        )
    )
    return 0 if all(r["ok"] for r in checks.rows) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
