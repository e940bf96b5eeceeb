"""Whether a config can be used, before anything renders: its folders, its socket, its voice.

`config.load` checks what a key holds; this checks what it points at, so that a cache folder
that cannot be made, a history folder that is a file, a socket path too long for a Unix socket
or a voice that is not there (eSpeak NG's name; a Piper voice's files, `player.voice.checks`) is one
line naming the config file and the key, all of them at once, and never blamed on the first
routine that happens to render.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from player.config import Config
from player.core.errors import ConfigError, Problem
from player.voice import checks as voices

SOCKET_BYTES = 107  # a Unix socket's path, without its final NUL (sun_path is 108 bytes)
PATHS = ("paths.cache", "paths.state", "paths.control_socket")
EVERYTHING = (*PATHS, "voice")


def require(settings: Config, needs: Iterable[str] = EVERYTHING, *, make: bool = True) -> None:
    """Raise ConfigError with one line per problem in what `needs` names."""
    found = problems(settings, needs, make=make)
    if found:
        raise ConfigError(found)


def problems(settings: Config, needs: Iterable[str], *, make: bool = True) -> list[Problem]:
    """What is wrong with the keys in `needs`. With `make`, folders are made and must be
    writable (we are about to use them); without, only what is there is looked at (`check`,
    which may be run by someone other than the service's user)."""
    where = settings.source or "defaults (no config file)"
    found = []
    for key in needs:
        if key == "voice" and settings.voice.engine != "espeak":
            found += voices.problems(settings.voice, settings.source)
            continue
        message = _why_not(settings, key, make)
        if message:
            found.append(Problem(where, message, field="voice.name" if key == "voice" else key))
    return found


def _why_not(settings: Config, key: str, make: bool) -> str:
    paths = settings.paths
    if key == "voice":
        return _voice(settings.voice.name)
    if key == "paths.control_socket":
        size = len(os.fsencode(paths.control_socket))
        if size > SOCKET_BYTES:
            return (
                f"expected a socket path of at most {SOCKET_BYTES} bytes, found one of {size} "
                f"({paths.control_socket})"
            )
        return _folder(paths.control_socket.parent, make)
    return _folder(getattr(paths, key.removeprefix("paths.")), make)


def _folder(path: Path, make: bool) -> str:
    """Why `path` cannot be a folder we write in; "" when it can."""
    if make:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            return f"expected a folder, found a file in its place ({path})"
        except OSError as error:
            return f"expected a folder we can make, found: {error.strerror} ({path})"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"expected a folder we can write in, found one we may not ({path})"
        return ""
    for part in (path, *path.parents):
        if part.exists():
            return "" if part.is_dir() else f"expected a folder, found a file in its place ({part})"
    return ""


def _voice(name: str) -> str:
    voices = espeak_voices()
    if voices and name not in voices:  # no eSpeak NG at all: speech says so itself
        return f'expected an eSpeak NG voice such as "en-us", found "{name}"'
    return ""


@cache
def espeak_voices() -> frozenset[str]:
    """Every name the speech child accepts for a voice (player/voice/espeak.py), read from
    `espeak-ng --voices` without starting an engine here: "gmw/en-us", "en-us", "English
    (America)", "English_(America)". Empty when eSpeak NG's command is missing."""
    command = shutil.which("espeak-ng")
    if command is None:
        return frozenset()
    try:
        listing = subprocess.run(
            [command, "--voices"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names: set[str] = set()
    for line in listing.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            spoken, ident = columns[3], columns[4].lower()
            names |= {ident, ident.rsplit("/", 1)[-1], spoken, spoken.replace("_", " ")}
    return frozenset(names)
