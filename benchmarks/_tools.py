"""Shared helpers for the benchmark scripts: paths, environments, small statistics."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIMING = HERE / "routines" / "timing.toml"
FOAM = ROOT / "routines" / "upper-glutes-foam-roller.toml"


def env(**extra: str) -> dict[str, str]:
    """This process's environment with the player's quiet settings and `extra` on top."""
    out = dict(os.environ, PYGAME_HIDE_SUPPORT_PROMPT="1")
    out.update(extra)
    return out


def shims() -> Path:
    """A folder holding our `aplay` stand-in, compiled from shims/aplay.c (with `cc`) when
    it is missing or older than its source."""
    source = HERE / "shims" / "aplay.c"
    folder = Path(tempfile.gettempdir()) / "routine-player-bench"
    binary = folder / "aplay"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        folder.mkdir(exist_ok=True)
        subprocess.run(["cc", "-O2", "-o", str(binary), str(source)], check=True)
    return folder


def naive_env(log: Path, aplay_log: Path) -> dict[str, str]:
    """The naive player's environment: our aplay stand-in first on PATH."""
    path = f"{shims()}{os.pathsep}{os.environ.get('PATH', '')}"
    return env(PATH=path, NAIVE_LOG=str(log), APLAY_LOG=str(aplay_log), PYTHONPATH=str(ROOT))


def python() -> str:
    """The interpreter running the benchmark (the project's venv)."""
    return sys.executable


def summary(values: list[float]) -> str:
    """median / p95 / max, for a table cell."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f} / {ordered[-1]:.1f}"
