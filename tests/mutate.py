"""`make mutate`: small deliberate bugs in the modules that carry the promises (core, runner,
button and its watch, control, timeline), each run against the tests that should catch it.

Each mutant is one textual change in a copy of the checkout (the checkout itself is never
touched), followed by the tests named for it; a mutant is killed when they fail. The list is
chosen by hand: each is a bug a person could plausibly write, or one that an audit found the
suite let through (issue 15). Run by hand, not in CI (a few minutes); the last result and an
explanation of every survivor are in docs/testing.md.
Run: .venv/bin/python tests/mutate.py [NAME ...]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    Mutant(
        "button's watch: a press left to the loop to silence",
        "player/button/watch.py",
        '        if pressed:\n            self._guard("silence", self._silence)\n        with',
        "        with",
        ("tests/test_button.py",),
    ),
    Mutant(
        "daemon: the button wired to something other than the mixer's silence",
        "player/service/daemon.py",
        "EdgeWatch(self.settings.button.pin, self.mixer.silence, self._button_lost)",
        "EdgeWatch(self.settings.button.pin, lambda: None, self._button_lost)",
        ("tests/test_button.py",),
    ),
    Mutant(
        "button's watch: a press heard only in the level not silenced",
        "player/button/watch.py",
        '            self._guard("silence", self._silence)  # this thread',
        "            pass  # this thread",
        ("tests/test_edgewatch.py",),
    ),
    Mutant(
        "runner: every wake-up 50 ms late",
        "player/service/runner.py",
        "waits.append(max(0.0, deadline - self.clock()))",
        "waits.append(max(0.0, deadline - self.clock()) + 0.05)",
        ("tests/test_runner.py::test_runner_sleeps_exactly_until_the_sessions_next_deadline",),
    ),
    Mutant(
        "session: every sound 100 ms before its time",
        "player/core/session.py",
        "        return self._anchor_time + (frame - self._anchor) / self.plan.rate",
        "        return self._anchor_time + (frame - self._anchor) / self.plan.rate - 0.1",
        ("tests/test_audio.py::test_play_starts_every_sound_in_order_and_never_before_the_plan",),
    ),
    Mutant(
        "runner: events may go back in time",
        "player/service/runner.py",
        "at = self._last = max(at, self._last)",
        "at = self._last = at",
        ("tests/test_runner.py",),
    ),
    Mutant(
        "runner: a Silence action not carried out",
        "player/service/runner.py",
        "        if isinstance(action, Silence):\n            self.mixer.silence()",
        "        if isinstance(action, Silence):\n            pass",
        ("tests/test_runner.py",),
    ),
    Mutant(
        "button: no pull-up",
        "player/button/pin.py",
        "pull_up=True",
        "pull_up=False",
        ("tests/test_button.py",),
    ),
    Mutant(
        "button: press and release swapped",
        "player/button/pin.py",
        "self.on_change(not state)",
        "self.on_change(bool(state))",
        ("tests/test_button.py",),
    ),
    Mutant(
        "button: a glitch filter (gpiozero's bounce)",
        "player/button/pin.py",
        "self._device.pin.bounce = None",
        "self._device.pin.bounce = 0.05",
        ("tests/test_button.py",),
    ),
    Mutant(
        "control: no per-connection timeout",
        "player/service/control.py",
        "            conn.settimeout(TIMEOUT)\n",
        "",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: a blocking slot acquire",
        "player/service/control.py",
        "self._slots.acquire(blocking=False)",
        "self._slots.acquire()",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: a busy client's request left unread (a reset, not the reply)",
        "player/service/control.py",
        "                    _drain(conn)  # closed",
        "                    pass  # closed",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: no routine-id limit",
        "player/service/control.py",
        "len(routine) > 200",
        "len(routine) > 10**6",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: size limit off by one",
        "player/service/control.py",
        "if len(data) > MAX_REQUEST:",
        "if len(data) >= MAX_REQUEST:",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: an overlong request not drained",
        "player/service/control.py",
        "            _drain(conn)\n",
        "",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: socket open to everyone",
        "player/service/control.py",
        "os.chmod(self.path, 0o660)",
        "os.chmod(self.path, 0o666)",
        ("tests/test_control.py",),
    ),
    Mutant(
        "control: any command accepted",
        "player/service/control.py",
        'request.get("command") not in COMMANDS',
        '"command" not in request',
        ("tests/test_control.py",),
    ),
    Mutant(
        "timeline: hold frames truncated",
        "player/core/timeline.py",
        "round((step.hold or 0) * self.rate)",
        "int((step.hold or 0) * self.rate)",
        ("tests/test_core_timeline.py",),
    ),
    Mutant(
        "timeline: rest frames truncated",
        "player/core/timeline.py",
        "round(step.rest * self.rate)",
        "int(step.rest * self.rate)",
        ("tests/test_core_timeline.py",),
    ),
    Mutant(
        "timeline: halfway chime a third of the way",
        "player/core/timeline.py",
        "start + (end - start) // 2",
        "start + (end - start) // 3",
        ("tests/test_core_timeline.py",),
    ),
    Mutant(
        "timeline: a chime ending exactly at the hold's end dropped",
        "player/core/timeline.py",
        "at + length <= end)",
        "at + length < end)",
        ("tests/test_core_timeline.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "timeline: touching chimes counted as overlapping",
        "player/core/timeline.py",
        "at + length <= s or at >= s + n",
        "at + length < s or at > s + n",
        ("tests/test_core_timeline.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "session: a press silences after its other actions",
        "player/core/session.py",
        "return [self._silence(now), *self._press_edge(now), *self._gestures(later, now)]",
        "return [*self._press_edge(now), self._silence(now), *self._gestures(later, now)]",
        ("tests/test_core_session.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "session: a stop command not silencing first",
        "player/core/session.py",
        'event.name in ("pause", "stop")',
        'event.name in ("pause",)',
        ("tests/test_core_session.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "session: pause timeout a moment late",
        "player/core/session.py",
        "if now >= self._paused_at + self.pause_timeout:",
        "if now > self._paused_at + self.pause_timeout:",
        ("tests/test_core_session.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "session: a sound ending exactly now still played",
        "player/core/session.py",
        "if self._position(now) < entry.end:",
        "if self._position(now) <= entry.end:",
        ("tests/test_core_session.py", "tests/test_core_properties.py"),
    ),
    Mutant(
        "gestures: no debounce",
        "player/core/gestures.py",
        "if self._settle_at is not None or pressed == self._level:",
        "if pressed == self._level:",
        ("tests/test_core_gestures.py",),
    ),
    Mutant(
        "gestures: a long press a moment late",
        "player/core/gestures.py",
        "if self._long_at is not None and now >= self._long_at:",
        "if self._long_at is not None and now > self._long_at:",
        ("tests/test_core_gestures.py", "tests/test_core_session.py"),
    ),
]


def copy_checkout(into: Path) -> None:
    """The tracked and untracked files of the checkout (as git lists them), not the venv."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[bool, str]:
    """Run the tests in the copy (whose `player` comes first on the path); passed, and the
    first failure's name."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            "--timeout=60",
            *tests,
        ],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.MULTILINE)
    return result.returncode == 0, failed.group(1) if failed else result.stdout[-200:]


def main(names: list[str]) -> int:
    chosen = [m for m in MUTANTS if not names or any(n in m.name for n in names)]
    unknown = [n for n in names if not any(n in m.name for m in MUTANTS)]
    for name in unknown:
        print(f"tests/mutate.py: expected part of a mutant's name, found {name!r}", file=sys.stderr)
    if unknown:
        return 2
    print("| mutant | file | result | caught by |\n|---|---|---|---|")
    survivors = 0
    baseline: dict[tuple[str, ...], bool] = {}
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        copy_checkout(copy)
        for mutant in chosen:
            target = copy / mutant.path
            original = target.read_text()
            if original.count(mutant.old) != 1:
                print(f"| {mutant.name} | {mutant.path} | NOT APPLIED (code changed) | |")
                survivors += 1
                continue
            if mutant.tests not in baseline:  # the tests must pass unmutated
                baseline[mutant.tests] = run_tests(copy, mutant.tests)[0]
            if not baseline[mutant.tests]:
                print(f"| {mutant.name} | {mutant.path} | TESTS FAIL UNMUTATED | |")
                survivors += 1
                continue
            target.write_text(original.replace(mutant.old, mutant.new))
            begun = time.monotonic()
            try:
                passed, failure = run_tests(copy, mutant.tests)
            finally:
                target.write_text(original)
            took = time.monotonic() - begun
            result = "SURVIVED" if passed else f"killed ({took:.0f} s)"
            survivors += passed
            print(f"| {mutant.name} | `{mutant.path}` | {result} | {'' if passed else failure} |")
    print(f"\n{len(chosen) - survivors} of {len(chosen)} killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
