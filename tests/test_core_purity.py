"""The core stays pure: no audio, GPIO, threads, clock, sockets or processes."""

from __future__ import annotations

import ast
from pathlib import Path

import player.core

FORBIDDEN = {
    "pygame",
    "pyttsx3",
    "gpiozero",
    "lgpio",
    "threading",
    "time",
    "socket",
    "subprocess",
    "sqlite3",
    "signal",
    "asyncio",
    "multiprocessing",
    "select",
    "selectors",
    "datetime",
}


def test_core_imports_nothing_that_does_io_or_reads_the_clock():
    folder = Path(player.core.__file__).parent
    found = {}
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    found.setdefault(path.name, []).append(name)
    assert found == {}
    assert len(list(folder.glob("*.py"))) >= 6  # the check really looked at the core
