"""Print the test machine's checks as a table and exit non-zero unless all of them passed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIGURES = {
    "exposure": ("systemd-analyze security exposure", ""),
    "release_to_first_sound_ms": ("release of a short press to first sound (idle)", " ms"),
    "press_to_silence_ms": ("press to silence, median of 10 (edge to the voice's end)", " ms"),
    "press_to_silence_max_ms": ("press to silence, slowest of 10", " ms"),
    "daemon_alsa_period_size": ("the daemon's ALSA period, as granted", " frames"),
    "daemon_alsa_buffer_size": ("the daemon's ALSA buffer, as granted", " frames"),
    "daemon_alsa_rate": ("the daemon's ALSA rate", " Hz"),
    "watchdog_restart_s": ("hung loop to restarted service", " s"),
    "web_exposure": ("systemd-analyze security exposure of the web unit", ""),
    "web_rss_mb": ("the web service's resident memory", " MB"),
    "load_underruns": ("underruns logged during check 3 (machine busy)", ""),
    "forced_underruns": ("underruns logged for a stall forced on purpose", ""),
    "keep_awake_longest_silence_s": ("longest digital silence in a session, keep_alive on", " s"),
    "keep_awake_lead_in_ms": ("the device's first sample to the first loud one", " ms"),
    "daemon_rss_mb": ("the player's resident memory, eSpeak", " MB"),
    "espeak_child_rss_mb": ("its speech child rendering with eSpeak, at most", " MB"),
    "piper_daemon_rss_mb": ("the player's resident memory, the tiny Piper voice", " MB"),
    "piper_child_rss_mb": ("its speech child rendering with Piper, at most", " MB"),
    "piper_press_to_silence_ms": ("press to silence with Piper (edge to the voice's end)", " ms"),
}


def service_log(journal: Path, before: int = 20, after: int = 45) -> list[str]:
    """The journal's lines from or about the service, and the checks' own, around the first
    failed check: what led to it, then the daemon's thread stacks taken just after it."""
    if not journal.is_file():
        return []
    text = journal.read_text(errors="replace").splitlines()
    kept = [n for n in text if "routine-player" in n or "vm-test:" in n]
    end = next((i + 1 for i, n in enumerate(kept) if "vm-test: FAIL" in n), len(kept))
    return kept[max(0, end - before) : end + after]


def grid_table(path: Path) -> list[str]:
    """`make vm-grid`'s cells as a Markdown table (issue 19), or nothing without grid.json."""
    if not path.is_file():
        return []
    found = json.loads(path.read_text())
    lines = [
        "| rate Hz | mixer buffer | ALSA period / buffer granted | press to silence, median / "
        "worst ms | presses | underruns, routine under load | cell s |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in found["cells"]:
        granted = f"{c.get('period_size', '?')} / {c.get('buffer_size', '?')}"
        silence = f"{c.get('median_ms', '?')} / {c.get('worst_ms', '?')}"
        wrong = f" ({'; '.join(c['wrong'])})" if c.get("wrong") else ""
        lines.append(
            f"| {c['rate']} | {c['frames']} | {granted} | {silence}{wrong} | "
            f"{c.get('presses', 0)} | {c.get('underruns', '?')} | {c.get('cell_seconds', '?')} |"
        )
    lines.append(f"\nunderruns logged for a stall forced on purpose: {found['forced_underruns']}")
    lines.append(f"the machine's Python, fixed loop: {found['python_loop_s']:.2f} s")
    for late in found.get("oversleep", []):
        lines.append(
            f"a 2 ms sleep wakes late by {late['median_ms']} / {late['p99_ms']} / "
            f"{late['worst_ms']} ms (median / p99 / worst) with {late['loops']} busy loops"
        )
    return lines


def main(results: Path) -> int:
    path = results / "checks.json"
    if not path.is_file():  # the console's end says how far it got: CI keeps only the tail
        console = results.parent / "console.log"
        if console.is_file():
            print("\n".join(console.read_text(errors="replace").splitlines()[-40:]))
        print(f"vm-test: no {path}: the checks never finished; above, the end of {console}")
        return 1
    found = json.loads(path.read_text())
    print("| check | result | s | detail |\n|---|---|---|---|")
    for row in found["rows"]:
        result = "pass" if row["ok"] else "FAIL"
        print(f"| {row['check']} | {result} | {row.get('seconds', '?')} | {row['detail']} |")
    print("\n| figure | value |\n|---|---|")
    for key, value in found["figures"].items():
        name, unit = FIGURES.get(key, (key, ""))
        if key.startswith(("underruns_", "granted_buffer_")):
            what, frames = key.rsplit("_", 1)
            name, unit = f"{what.replace('_', ' ')}, {frames}-frame mixer buffer", ""
        print(f"| {name} | {value:.1f}{unit} |")
    print("\n".join(grid_table(results / "grid.json")))
    passed, expected = sum(row["ok"] for row in found["rows"]), found["expected"]
    print(f"\nvm-test: {passed} of {expected} checks passed")
    failed = [row for row in found["rows"] if not row["ok"]]
    if failed:  # last, so that a log cut to its tail still says what failed, and around what
        print("vm-test: the log around the first failed check, and the daemon's stacks then")
        print("\n".join(service_log(results / "journal.txt")))
    for row in failed:
        print(f"vm-test: FAILED {row['check']}: {row['detail']}")
    return 0 if passed == expected == len(found["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
