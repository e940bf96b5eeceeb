"""`make vm-grid` (issue 19): the installed service measured at each sample rate and mixer
buffer, in the booted test machine, once check 1 finds the service ready (the other checks are
`make vm-test`'s, and run there).

Per cell the config file gets the cell's `audio.sample_rate` and `audio.buffer_frames` and the
short `vm-grid` routine, the service restarts, and with the machine busy (`Hog`) a press starts
the routine, ten timed presses pause it mid-sound (each resumed first), and it then plays to its
end. The journal's underruns over the whole cell are counted. Standard library only.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from checks import (
    CONFIG,
    UNIT,
    Hog,
    Line,
    Recording,
    forced_underruns,
    journal_after,
    journal_mark,
    median,
    playback_params,
    state,
    timed_press,
    underruns,
    wait_for,
)

RATES = (22050, 44100, 48000)
FRAMES = (128, 256, 512, 1024)
PRESSES = 10
ROUTINE = "vm-grid"


def configure(original: str, rate: int, frames: int) -> None:
    """The installed config with one cell's rate and buffer, selecting the grid's routine."""
    text = re.sub(r"(?m)^buffer_frames = \d+", f"buffer_frames = {frames}", original)
    text = re.sub(r"(?m)^sample_rate = \d+", f"sample_rate = {rate}", text)
    text = re.sub(r'(?m)^routine = "[^"]*"', f'routine = "{ROUTINE}"', text)
    CONFIG.write_text(text)


def restart() -> bool:
    """Restart the service and wait until it answers, idle."""
    subprocess.run(["systemctl", "restart", UNIT], check=False, timeout=300)
    return bool(wait_for(lambda: state() == "idle", 300))


def cell(line: Line, rate: int, frames: int) -> dict:
    """One cell: ALSA's sizes, press to silence, underruns over a whole routine, under load."""
    mark = journal_mark()
    with Hog():
        started = time.monotonic()
        line.press()
        granted = wait_for(playback_params, 60, every=0.05) or {}
        rec = Recording(None, granted.get("rate", rate))  # the capture takes the daemon's sizes
        presses = [timed_press(rec, line, settle=1.2) for _ in range(PRESSES)]
        line.press()  # resume, and let it play to its end
        ended = wait_for(lambda: state() == "idle", 300, every=0.5)
        seconds = time.monotonic() - started
        rec.close()
    figures = sorted(ms for ms, _, _ in presses)
    return {
        "rate": rate,
        "frames": frames,
        **granted,
        "median_ms": round(median(figures), 1),
        "worst_ms": round(figures[-1], 1),
        "presses": len(figures),
        "wrong": [wrong for _, _, wrong in presses if wrong],
        "underruns": underruns(journal_after(mark)),
        "cell_seconds": round(seconds, 1),
        "ended": bool(ended),
    }


def oversleep(loops: int, seconds: float = 5.0) -> dict[str, float]:
    """How late a 2 ms sleep wakes, in ms (median, 99th percentile, worst), with `loops` busy
    loops at the lowest priority: the scheduling delay an audio thread meets here."""
    late = []
    with Hog(loops):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            before = time.monotonic()
            time.sleep(0.002)
            late.append((time.monotonic() - before - 0.002) * 1000)
    late.sort()
    return {
        "loops": loops,
        "median_ms": round(late[len(late) // 2], 2),
        "p99_ms": round(late[int(len(late) * 0.99)], 2),
        "worst_ms": round(late[-1], 2),
    }


def python_speed() -> float:
    """Seconds this machine's Python takes for a fixed loop, to compare machines by."""
    loop = "import time; t = time.perf_counter(); sum(i * i for i in range(3_000_000)); "
    loop += "print(time.perf_counter() - t)"
    out = subprocess.run(["python3", "-c", loop], capture_output=True, text=True, check=False)
    return float(out.stdout.strip() or "nan")


def measure(results: Path, line: Line) -> bool:
    """Every cell, then the config as it was; grid.json in the results. True if every cell
    played its routine to the end with every press silencing it."""
    original = CONFIG.read_text()
    rows, forced, speed = [], -1, python_speed()
    late = [oversleep(loops) for loops in (0, 1, 2)]
    try:
        for rate in RATES:
            for frames in FRAMES:
                configure(original, rate, frames)
                if not restart():
                    rows.append({"rate": rate, "frames": frames, "wrong": ["not idle"]})
                    continue
                rows.append(cell(line, rate, frames))
                print(f"vm-grid: {json.dumps(rows[-1])}", flush=True)
                write(results, rows, forced, speed, late)
        forced = forced_check(line, rows)
    finally:
        CONFIG.write_text(original)
        restart()
        write(results, rows, forced, speed, late)
    return all(r.get("ended") and not r["wrong"] for r in rows) and forced > 0


def forced_check(line: Line, rows: list[dict]) -> int:
    """In the last cell's setting (the largest buffer): a stall forced on purpose must show as
    underruns in the journal, or the grid's zeros would mean nothing."""
    line.press()
    granted = wait_for(playback_params, 60, every=0.05) or {}
    rec = Recording(None, granted.get("rate", rows[-1]["rate"] if rows else 48000))
    forced = forced_underruns(rec, line)
    line.hold(2.5)  # a long press: stopped
    wait_for(lambda: state() == "idle", 120)
    rec.close()
    return forced


def write(results: Path, rows: list[dict], forced: int, speed: float, late: list[dict]) -> None:
    """The grid so far, so that a run cut short still leaves its cells."""
    found = {"cells": rows, "forced_underruns": forced, "python_loop_s": speed, "oversleep": late}
    (results / "grid.json").write_text(json.dumps(found, indent=1))
